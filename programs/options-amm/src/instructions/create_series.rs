//! `create_series` (admin): list a strike/expiry/kind with its option-token
//! mint (authority: the pool PDA) and register it in the greek cache.
use crate::constants::*;
use crate::error::{math_err, OptionsError};
use crate::events::SeriesCreated;
use crate::state::{GreekCache, Kind, Pool, Series, SeriesState};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token};
use options_math::bs::MAX_PRICE_INPUT;

#[derive(Accounts)]
#[instruction(strike_quote: u64, expiry: i64, kind: Kind)]
pub struct CreateSeries<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(
        mut,
        has_one = admin @ OptionsError::Unauthorized,
        has_one = greek_cache @ OptionsError::WrongGreekCache
    )]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub greek_cache: AccountLoader<'info, GreekCache>,
    #[account(
        init, payer = admin, space = 8 + Series::INIT_SPACE,
        seeds = [SERIES_SEED, pool.key().as_ref(), &expiry.to_le_bytes(), &strike_quote.to_le_bytes(), &[kind.seed()]],
        bump
    )]
    pub series: Box<Account<'info, Series>>,
    #[account(
        init, payer = admin, seeds = [OPTION_MINT_SEED, series.key().as_ref()], bump,
        mint::decimals = pool.underlying_decimals, mint::authority = pool
    )]
    pub option_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<CreateSeries>, strike_quote: u64, expiry: i64, kind: Kind) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let pool = &mut ctx.accounts.pool;
    require!(strike_quote > 0, OptionsError::InvalidStrike);
    let strike = pool.decimals().price_from_quote_units(strike_quote).map_err(math_err)?;
    require!(strike > 0 && strike <= MAX_PRICE_INPUT, OptionsError::InvalidStrike);
    require!(
        expiry.saturating_sub(pool.params.risk.trading_cutoff_s as i64) > now,
        OptionsError::ExpiryTooSoon
    );
    require!(expiry.saturating_sub(now) <= MAX_SERIES_LIFETIME_S, OptionsError::ExpiryTooFar);
    require!(pool.live_series < pool.params.risk.max_live_series, OptionsError::TooManyLiveSeries);

    let vol = &pool.params.vol;
    let series_key = ctx.accounts.series.key();
    let mut cache = ctx.accounts.greek_cache.load_mut()?;
    let slot = cache.add_series(series_key, strike, expiry, kind, vol.initial_base_iv(), vol.initial_skew())?;
    let iv = cache.iv(slot as usize)?;
    drop(cache);
    pool.live_series += 1;

    let option_mint = ctx.accounts.option_mint.key();
    ctx.accounts.series.set_inner(Series {
        pool: pool.key(),
        option_mint,
        kind,
        strike_quote,
        strike_bits: strike.to_bits(),
        expiry,
        cache_index: slot,
        bump: ctx.bumps.series,
        state: SeriesState::Live,
        open_interest: 0,
        settlement_price_bits: 0,
        payoff_per_contract_bits: 0,
        payout_remaining: 0,
    });
    emit!(SeriesCreated {
        pool: pool.key(),
        series: series_key,
        option_mint,
        strike_quote,
        expiry,
        is_call: kind == Kind::Call,
        cache_index: slot,
        iv_bits: iv.to_bits(),
    });
    Ok(())
}
