//! `close_series` (permissionless): once a settled series is fully redeemed,
//! close its account (rent back to the admin who paid it) and release the
//! rounding dust of its payout reserve to the pool. SPL Token mints cannot
//! be closed, so the option mint stays, with zero supply and the pool PDA as
//! its only authority.
use crate::error::OptionsError;
use crate::events::SeriesClosed;
use crate::state::{Pool, Series, SeriesState};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct CloseSeries<'info> {
    #[account(mut, has_one = admin @ OptionsError::Unauthorized)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut, has_one = pool @ OptionsError::WrongPool, close = admin)]
    pub series: Box<Account<'info, Series>>,
    /// CHECK: receives the series' rent; `has_one = admin` pins it to the pool's admin.
    #[account(mut)]
    pub admin: UncheckedAccount<'info>,
}

pub fn handler(ctx: Context<CloseSeries>) -> Result<()> {
    let series = &ctx.accounts.series;
    require!(series.state == SeriesState::Settled, OptionsError::SeriesNotSettled);
    require!(series.open_interest == 0, OptionsError::SeriesHasOpenInterest);
    let released = series.payout_remaining;
    let pool = &mut ctx.accounts.pool;
    pool.reserved_payouts -= released;
    emit!(SeriesClosed { pool: pool.key(), series: series.key(), released_reserve: released });
    Ok(())
}
