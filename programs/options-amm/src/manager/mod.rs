//! The pool's rules as plain functions over plain state: NAV and LP shares,
//! the solvency stress test, trade checks, settlement payoffs. Handlers in
//! `instructions/` check accounts, call these and move tokens.
pub mod hedge;
pub mod limits;
pub mod lp;
pub mod nav;
pub mod settlement;
pub mod solvency;
pub mod trade;

use crate::error::{math_err, OptionsError};
use crate::oracle::{read_price, Freshness};
use crate::state::greek_cache::GreekCache;
use crate::state::pool::Pool;
use crate::state::price_memory::PriceMemory;
use anchor_lang::prelude::*;
use options_math::I80F48;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

/// What a pricing instruction saw at the oracle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Observation {
    pub spot: I80F48,
    /// The pool's price memory with this update recorded: the handler
    /// stores it on the pool.
    pub memory: PriceMemory,
    /// Lowest and highest price the pool used over the age window, this
    /// update included.
    pub lo: I80F48,
    pub hi: I80F48,
}

/// Read the oracle (current price), refuse an update older than one the
/// pool has used, relax the surface to now and reprice the whole cache.
pub fn refresh_at_oracle(pool: &Pool, cache: &mut GreekCache, update: &PriceUpdateV2, now: i64) -> Result<Observation> {
    let price = read_price(update, &pool.params.oracle, Freshness::Current { now })?;
    let mut memory = pool.price_memory;
    memory.observe(price.spot, price.publish_time, pool.params.oracle.max_price_age_s as i64)?;
    cache.relax_surface(now, pool.params.vol.relax_half_life_s).map_err(math_err)?;
    cache.refresh(price.spot, now, pool.params.vol.rate(), pool.decimals()).map_err(math_err)?;
    let (lo, hi) = memory.range();
    Ok(Observation { spot: price.spot, memory, lo, hi })
}

/// LP flows, trades and hedging wait until every expired series is settled:
/// between expiry and settlement the book would be marked at intrinsic at
/// the current spot, not at the settlement price, so value could move
/// between LPs (or a fixed payoff be hedged) on a price nobody settles at.
pub fn require_settled_expiries(cache: &GreekCache, now: i64) -> Result<()> {
    let expired = cache.live_slots().any(|i| cache.entries[i].expiry <= now);
    require!(!expired, OptionsError::ExpiredSeriesUnsettled);
    Ok(())
}
