//! `close_series` (permissionless): once a settled series is fully redeemed,
//! close its account (rent back to the admin who paid it) and release the
//! rounding dust of its payout reserve to the pool. SPL Token mints cannot
//! be closed, so the option mint stays, with zero supply and the pool PDA as
//! its only authority.
//!
//! "Fully redeemed" is read from the option mint's supply, not from the
//! series' open interest: a holder may burn tokens with SPL Token directly,
//! which the program never sees; the series must still be closable and its
//! unclaimable reserve returned to the pool.
use crate::error::OptionsError;
use crate::events::SeriesClosed;
use crate::state::{Pool, Series, SeriesState};
use anchor_lang::prelude::*;
use anchor_spl::token::Mint;

#[derive(Accounts)]
pub struct CloseSeries<'info> {
    #[account(mut, has_one = admin @ OptionsError::Unauthorized)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(
        mut,
        has_one = pool @ OptionsError::WrongPool,
        has_one = option_mint @ OptionsError::WrongOptionMint,
        close = admin
    )]
    pub series: Box<Account<'info, Series>>,
    pub option_mint: Box<Account<'info, Mint>>,
    /// CHECK: receives the series' rent; `has_one = admin` pins it to the pool's admin.
    #[account(mut)]
    pub admin: UncheckedAccount<'info>,
}

pub fn handler(ctx: Context<CloseSeries>) -> Result<()> {
    let series = &ctx.accounts.series;
    require!(series.state == SeriesState::Settled, OptionsError::SeriesNotSettled);
    require!(ctx.accounts.option_mint.supply == 0, OptionsError::SeriesHasOpenInterest);
    let released = series.payout_remaining;
    let pool = &mut ctx.accounts.pool;
    pool.reserved_payouts -= released;
    emit!(SeriesClosed { pool: pool.key(), series: series.key(), released_reserve: released });
    Ok(())
}
