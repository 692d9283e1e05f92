use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, MintTo, Token, TokenAccount, Transfer};

use crate::error::VenueError;
use crate::events::LiquidityAdded;
use crate::math;
use crate::state::{VenuePool, VENUE_POOL_SEED};

#[derive(Accounts)]
pub struct AddLiquidity<'info> {
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
    #[account(mut, token::mint = venue_pool.base_mint, token::authority = provider)]
    pub provider_base: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = venue_pool.quote_mint, token::authority = provider)]
    pub provider_quote: Box<Account<'info, TokenAccount>>,
    /// Receives the LP tokens; may belong to anyone.
    #[account(mut, token::mint = lp_mint)]
    pub provider_lp: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

/// `max_amount_base` / `max_amount_quote` are ceilings: after the first
/// deposit the pool takes only the pro-rata amounts (see `math::deposit`).
pub fn handler(ctx: Context<AddLiquidity>, max_amount_base: u64, max_amount_quote: u64, min_lp_out: u64) -> Result<()> {
    let accounts = ctx.accounts;
    let deposit = math::deposit(
        accounts.venue_pool.reserve_base,
        accounts.venue_pool.reserve_quote,
        accounts.lp_mint.supply,
        max_amount_base,
        max_amount_quote,
    )?;
    require_gte!(deposit.lp_minted, min_lp_out, VenueError::SlippageExceeded);
    require!(
        accounts.provider_base.amount >= deposit.amount_base && accounts.provider_quote.amount >= deposit.amount_quote,
        VenueError::InsufficientBalance
    );
    let reserve_base =
        accounts.venue_pool.reserve_base.checked_add(deposit.amount_base).ok_or(VenueError::MathOverflow)?;
    let reserve_quote =
        accounts.venue_pool.reserve_quote.checked_add(deposit.amount_quote).ok_or(VenueError::MathOverflow)?;

    let token_program = accounts.token_program.key();
    token::transfer(
        CpiContext::new(
            token_program,
            Transfer {
                from: accounts.provider_base.to_account_info(),
                to: accounts.base_vault.to_account_info(),
                authority: accounts.provider.to_account_info(),
            },
        ),
        deposit.amount_base,
    )?;
    token::transfer(
        CpiContext::new(
            token_program,
            Transfer {
                from: accounts.provider_quote.to_account_info(),
                to: accounts.quote_vault.to_account_info(),
                authority: accounts.provider.to_account_info(),
            },
        ),
        deposit.amount_quote,
    )?;
    let seeds = accounts.venue_pool.signer_seeds();
    token::mint_to(
        CpiContext::new_with_signer(
            token_program,
            MintTo {
                mint: accounts.lp_mint.to_account_info(),
                to: accounts.provider_lp.to_account_info(),
                authority: accounts.venue_pool.to_account_info(),
            },
            &[&seeds],
        ),
        deposit.lp_minted,
    )?;

    let pool = &mut accounts.venue_pool;
    pool.reserve_base = reserve_base;
    pool.reserve_quote = reserve_quote;
    emit!(LiquidityAdded {
        pool: pool.key(),
        provider: accounts.provider.key(),
        amount_base: deposit.amount_base,
        amount_quote: deposit.amount_quote,
        lp_minted: deposit.lp_minted,
        lp_locked: deposit.lp_locked,
        reserve_base,
        reserve_quote,
        lp_supply: accounts.lp_mint.supply + deposit.lp_minted,
    });
    Ok(())
}
