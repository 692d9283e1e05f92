use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, Token, TokenAccount, Transfer};

use crate::error::VenueError;
use crate::events::LiquidityRemoved;
use crate::math;
use crate::state::{VenuePool, VENUE_POOL_SEED};

#[derive(Accounts)]
pub struct RemoveLiquidity<'info> {
    #[account(
        mut,
        seeds = [VENUE_POOL_SEED, venue_pool.base_mint.as_ref(), venue_pool.quote_mint.as_ref()],
        bump = venue_pool.bump,
        has_one = base_vault,
        has_one = quote_vault,
        has_one = lp_mint,
    )]
    pub venue_pool: Box<Account<'info, VenuePool>>,
    #[account(mut)]
    pub base_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut)]
    pub quote_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut)]
    pub lp_mint: Box<Account<'info, Mint>>,
    pub provider: Signer<'info>,
    #[account(mut, token::mint = lp_mint, token::authority = provider)]
    pub provider_lp: Box<Account<'info, TokenAccount>>,
    /// Receives the base tokens; may belong to anyone.
    #[account(mut, token::mint = venue_pool.base_mint)]
    pub provider_base: Box<Account<'info, TokenAccount>>,
    /// Receives the quote tokens; may belong to anyone.
    #[account(mut, token::mint = venue_pool.quote_mint)]
    pub provider_quote: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<RemoveLiquidity>, lp_amount: u64, min_base_out: u64, min_quote_out: u64) -> Result<()> {
    let accounts = ctx.accounts;
    require!(accounts.provider_lp.amount >= lp_amount, VenueError::InsufficientBalance);
    let lp_supply = accounts.lp_mint.supply;
    let withdrawal =
        math::withdraw(accounts.venue_pool.reserve_base, accounts.venue_pool.reserve_quote, lp_supply, lp_amount)?;
    require!(
        withdrawal.amount_base >= min_base_out && withdrawal.amount_quote >= min_quote_out,
        VenueError::SlippageExceeded
    );
    // Outputs are strictly below the reserves (math::withdraw), so no underflow.
    let reserve_base = accounts.venue_pool.reserve_base - withdrawal.amount_base;
    let reserve_quote = accounts.venue_pool.reserve_quote - withdrawal.amount_quote;

    let token_program = accounts.token_program.key();
    token::burn(
        CpiContext::new(
            token_program,
            Burn {
                mint: accounts.lp_mint.to_account_info(),
                from: accounts.provider_lp.to_account_info(),
                authority: accounts.provider.to_account_info(),
            },
        ),
        lp_amount,
    )?;
    let seeds = accounts.venue_pool.signer_seeds();
    for (amount, vault, destination) in [
        (withdrawal.amount_base, &accounts.base_vault, &accounts.provider_base),
        (withdrawal.amount_quote, &accounts.quote_vault, &accounts.provider_quote),
    ] {
        if amount == 0 {
            continue;
        }
        token::transfer(
            CpiContext::new_with_signer(
                token_program,
                Transfer {
                    from: vault.to_account_info(),
                    to: destination.to_account_info(),
                    authority: accounts.venue_pool.to_account_info(),
                },
                &[&seeds],
            ),
            amount,
        )?;
    }

    let pool = &mut accounts.venue_pool;
    pool.reserve_base = reserve_base;
    pool.reserve_quote = reserve_quote;
    emit!(LiquidityRemoved {
        pool: pool.key(),
        provider: accounts.provider.key(),
        lp_burned: lp_amount,
        amount_base: withdrawal.amount_base,
        amount_quote: withdrawal.amount_quote,
        reserve_base,
        reserve_quote,
        lp_supply: lp_supply - lp_amount,
    });
    Ok(())
}
