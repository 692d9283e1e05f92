//! The accounts `buy` and `sell` share, and the checks common to both.
//! (The two handlers are in buy.rs and sell.rs.)
use crate::constants::PAUSE_TRADING;
use crate::error::OptionsError;
use crate::events::Traded;
use crate::manager::{refresh_at_oracle, require_settled_expiries, trade};
use crate::state::{GreekCache, Pool, Series, SeriesState};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use options_math::amm::{Side, TradeQuote};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

#[derive(Accounts)]
pub struct Trade<'info> {
    pub trader: Signer<'info>,
    #[account(
        mut,
        has_one = greek_cache @ OptionsError::WrongGreekCache,
        has_one = quote_vault @ OptionsError::WrongQuoteVault
    )]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub greek_cache: AccountLoader<'info, GreekCache>,
    pub price_update: Box<Account<'info, PriceUpdateV2>>,
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
        constraint = trader_quote.mint == pool.quote_mint @ OptionsError::WrongTokenMint,
        constraint = trader_quote.owner == trader.key() @ OptionsError::WrongTokenOwner
    )]
    pub trader_quote: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = trader_options.mint == option_mint.key() @ OptionsError::WrongTokenMint,
        constraint = trader_options.owner == trader.key() @ OptionsError::WrongTokenOwner
    )]
    pub trader_options: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl Trade<'_> {
    /// Refresh at the oracle, price and check the trade, update the cache.
    pub fn price(&mut self, side: Side, contracts: u64) -> Result<TradeQuote> {
        let now = Clock::get()?.unix_timestamp;
        require!(!self.pool.is_paused(PAUSE_TRADING), OptionsError::TradingPaused);
        require!(self.series.state == SeriesState::Live, OptionsError::SeriesNotLive);
        let mut cache = self.greek_cache.load_mut()?;
        let slot = self.series.cache_index as usize;
        require!(
            slot < cache.entries.len() && cache.entries[slot].series == self.series.key(),
            OptionsError::CacheEntryMismatch
        );
        let seen = refresh_at_oracle(&self.pool, &mut cache, &self.price_update, now)?;
        require_settled_expiries(&cache, now)?;
        let spot = seen.spot;
        let kind = GreekCache::entry_kind(&cache.entries[slot]).into();
        let priced_at = trade::trade_spot(kind, side, seen.lo, seen.hi);
        let q = trade::execute(&self.pool, &mut cache, slot, side, contracts, spot, priced_at, now)?;
        self.pool.price_memory = seen.memory;
        emit!(Traded {
            pool: self.pool.key(),
            series: self.series.key(),
            trader: self.trader.key(),
            is_buy: side == Side::Buy,
            contracts,
            premium: q.premium,
            fee: q.fee,
            total: q.total,
            trade_iv_bits: q.iv.trade_iv.to_bits(),
            spot_bits: priced_at.to_bits(),
            open_interest_after: q.net_short_after,
            pool_net_delta_bits: cache.net_delta.get().to_bits(),
        });
        Ok(q)
    }

    /// Book a priced trade: quote balance, counters, open interest.
    pub fn book(&mut self, side: Side, q: &TradeQuote) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let pool = &mut self.pool;
        pool.lock_fee(q.fee, now);
        pool.quote_balance = match side {
            Side::Buy => pool.quote_balance.checked_add(q.total),
            Side::Sell => pool.quote_balance.checked_sub(q.total),
        }
        .ok_or(OptionsError::AmountTooLarge)?;
        pool.total_premiums = pool.total_premiums.saturating_add(q.premium);
        pool.total_fees = pool.total_fees.saturating_add(q.fee);
        self.series.open_interest = q.net_short_after;
        Ok(())
    }
}
