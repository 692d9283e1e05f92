//! `refresh_greeks` (permissionless): reprice every live series at the
//! current oracle price and store the aggregates (net delta, gamma, vega,
//! liability, target hedge) for dashboards and keepers.
use crate::error::OptionsError;
use crate::events::GreeksRefreshed;
use crate::manager::refresh_at_oracle;
use crate::state::{GreekCache, Pool};
use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

#[derive(Accounts)]
pub struct RefreshGreeks<'info> {
    #[account(mut, has_one = greek_cache @ OptionsError::WrongGreekCache)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub greek_cache: AccountLoader<'info, GreekCache>,
    pub price_update: Box<Account<'info, PriceUpdateV2>>,
}

pub fn handler(ctx: Context<RefreshGreeks>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let mut cache = ctx.accounts.greek_cache.load_mut()?;
    let seen = refresh_at_oracle(&ctx.accounts.pool, &mut cache, &ctx.accounts.price_update, now)?;
    let spot = seen.spot;
    ctx.accounts.pool.price_memory = seen.memory;
    emit!(GreeksRefreshed {
        pool: ctx.accounts.pool.key(),
        spot_bits: spot.to_bits(),
        net_delta_bits: cache.net_delta.get().to_bits(),
        net_gamma_bits: cache.net_gamma.get().to_bits(),
        net_vega_bits: cache.net_vega.get().to_bits(),
        liability_bits: cache.liability.get().to_bits(),
        live_series: ctx.accounts.pool.live_series,
    });
    Ok(())
}
