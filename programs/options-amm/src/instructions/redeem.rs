//! `redeem(contracts)`: a holder of a settled series burns option tokens for
//! the payoff in quote. Never paused.
use crate::error::{math_err, OptionsError};
use crate::events::Redeemed;
use crate::manager::settlement::redemption;
use crate::state::{Pool, Series, SeriesState};
use crate::tokens;
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

#[derive(Accounts)]
pub struct Redeem<'info> {
    pub holder: Signer<'info>,
    #[account(mut, has_one = quote_vault @ OptionsError::WrongQuoteVault)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(
        mut,
        has_one = pool @ OptionsError::WrongPool,
        has_one = option_mint @ OptionsError::WrongOptionMint
    )]
    pub series: Box<Account<'info, Series>>,
    #[account(mut)]
    pub option_mint: Box<Account<'info, Mint>>,
    #[account(mut)]
    pub quote_vault: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = holder_options.mint == option_mint.key() @ OptionsError::WrongTokenMint,
        constraint = holder_options.owner == holder.key() @ OptionsError::WrongTokenOwner
    )]
    pub holder_options: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = holder_quote.mint == pool.quote_mint @ OptionsError::WrongTokenMint)]
    pub holder_quote: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<Redeem>, contracts: u64) -> Result<()> {
    require!(contracts > 0, OptionsError::ZeroAmount);
    require!(ctx.accounts.holder_options.amount >= contracts, OptionsError::InsufficientFunds);
    let series = &ctx.accounts.series;
    require!(series.state == SeriesState::Settled, OptionsError::SeriesNotSettled);
    let pool = &ctx.accounts.pool;
    let payout = redemption(series.payoff_per_contract(), contracts, pool.decimals()).map_err(math_err)?;
    require!(payout <= pool.quote_balance, OptionsError::InsufficientQuoteInVault);

    let a = &ctx.accounts;
    let program = a.token_program.key();
    tokens::burn(
        program,
        a.option_mint.to_account_info(),
        a.holder_options.to_account_info(),
        a.holder.to_account_info(),
        contracts,
    )?;
    let seeds = pool.signer_seeds();
    tokens::pay_out(
        program,
        a.quote_vault.to_account_info(),
        a.holder_quote.to_account_info(),
        a.pool.to_account_info(),
        &seeds,
        payout,
    )?;

    let series = &mut ctx.accounts.series;
    // the burn succeeded, so the holder had them: open interest >= contracts
    series.open_interest -= contracts;
    // sum of floor(payoff x c_i) <= ceil(payoff x open interest): cannot underflow
    series.payout_remaining = series.payout_remaining.checked_sub(payout).ok_or(OptionsError::AmountTooLarge)?;
    let pool = &mut ctx.accounts.pool;
    pool.quote_balance -= payout;
    pool.reserved_payouts -= payout;
    pool.total_payouts = pool.total_payouts.saturating_add(payout);
    emit!(Redeemed { pool: pool.key(), series: series.key(), holder: ctx.accounts.holder.key(), contracts, payout });
    Ok(())
}
