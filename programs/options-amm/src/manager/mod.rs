//! The pool's rules as plain functions over plain state: NAV and LP shares,
//! the solvency stress test, trade checks, settlement payoffs. Handlers in
//! `instructions/` check accounts, call these and move tokens.
pub mod hedge;
pub mod lp;
pub mod nav;
pub mod settlement;
pub mod solvency;
pub mod trade;

use crate::error::math_err;
use crate::oracle::{read_price, Freshness};
use crate::state::greek_cache::GreekCache;
use crate::state::pool::Pool;
use anchor_lang::prelude::*;
use options_math::I80F48;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

/// Read the oracle (current price) and reprice the whole cache at it.
pub fn refresh_at_oracle(pool: &Pool, cache: &mut GreekCache, update: &PriceUpdateV2, now: i64) -> Result<I80F48> {
    let price = read_price(update, &pool.params.oracle, Freshness::Current { now })?;
    cache.refresh(price.spot, now, pool.params.vol.rate(), pool.decimals()).map_err(math_err)?;
    Ok(price.spot)
}
