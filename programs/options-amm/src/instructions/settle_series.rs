//! `settle_series` (permissionless, after expiry): settle at a Pyth price
//! published in [expiry, expiry + settlement window], one price per expiry
//! (the first series of an expiry to settle fixes it for the others);
//! reserve the payout and drop the series from the greek cache (so from the
//! target hedge).
use crate::error::{math_err, OptionsError};
use crate::events::SeriesSettled;
use crate::manager::settlement::settle;
use crate::oracle::{read_price, Freshness};
use crate::state::{GreekCache, Pool, Series, SeriesState};
use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

#[derive(Accounts)]
pub struct SettleSeries<'info> {
    #[account(mut, has_one = greek_cache @ OptionsError::WrongGreekCache)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub greek_cache: AccountLoader<'info, GreekCache>,
    #[account(mut, has_one = pool @ OptionsError::WrongPool)]
    pub series: Box<Account<'info, Series>>,
    pub price_update: Box<Account<'info, PriceUpdateV2>>,
}

pub fn handler(ctx: Context<SettleSeries>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let series = &ctx.accounts.series;
    require!(series.state == SeriesState::Live, OptionsError::SeriesAlreadySettled);
    require!(now >= series.expiry, OptionsError::SeriesNotExpired);
    let pool = &ctx.accounts.pool;
    let mut cache = ctx.accounts.greek_cache.load_mut()?;
    let slot = series.cache_index as usize;
    require!(
        slot < cache.entries.len() && cache.entries[slot].series == series.key(),
        OptionsError::CacheEntryMismatch
    );
    // one price per expiry: the first series of the board reads the oracle,
    // the others settle at what it recorded (their price_update is ignored)
    let board_index = cache.entries[slot].board as usize;
    let board = &mut cache.boards[board_index];
    let spot = if board.settled != 0 {
        board.settlement_price.get()
    } else {
        let oracle = &pool.params.oracle;
        let price = read_price(&ctx.accounts.price_update, oracle, Freshness::Settlement { expiry: series.expiry })?;
        board.settlement_price.set(price.spot);
        board.settled = 1;
        price.spot
    };
    let s =
        settle(series.kind.into(), series.strike(), spot, series.open_interest, pool.decimals()).map_err(math_err)?;
    cache.remove_series(slot);
    cache.aggregate(now, pool.decimals()).map_err(math_err)?;
    drop(cache);

    let pool = &mut ctx.accounts.pool;
    pool.reserved_payouts = pool.reserved_payouts.checked_add(s.reserve).ok_or(OptionsError::AmountTooLarge)?;
    pool.live_series -= 1;
    let series = &mut ctx.accounts.series;
    series.state = SeriesState::Settled;
    series.settlement_price_bits = spot.to_bits();
    series.payoff_per_contract_bits = s.payoff_per_contract.to_bits();
    series.payout_remaining = s.reserve;
    emit!(SeriesSettled {
        pool: pool.key(),
        series: series.key(),
        settlement_price_bits: spot.to_bits(),
        payoff_per_contract_bits: s.payoff_per_contract.to_bits(),
        open_interest: series.open_interest,
        reserved: s.reserve,
    });
    Ok(())
}
