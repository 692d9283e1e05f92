//! `create_series` (admin): list a strike/expiry/kind with its option-token
//! mint (authority: the pool PDA) and register it in the greek cache. The
//! series and its mint are created with `create::Creator`, so a pre-funded
//! (predictable) address cannot block a listing.
use crate::constants::*;
use crate::create::{write, Creator};
use crate::error::{math_err, OptionsError};
use crate::events::SeriesCreated;
use crate::state::{GreekCache, Kind, Pool, Series, SeriesState};
use anchor_lang::prelude::*;
use anchor_spl::token::Token;
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
    /// CHECK: the series PDA, created by the handler.
    #[account(
        mut,
        seeds = [SERIES_SEED, pool.key().as_ref(), &expiry.to_le_bytes(), &strike_quote.to_le_bytes(), &[kind.seed()]],
        bump
    )]
    pub series: UncheckedAccount<'info>,
    /// CHECK: the option mint PDA, created by the handler.
    #[account(mut, seeds = [OPTION_MINT_SEED, series.key().as_ref()], bump)]
    pub option_mint: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<CreateSeries>, strike_quote: u64, expiry: i64, kind: Kind) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let pool = &mut ctx.accounts.pool;
    require!(strike_quote > 0, OptionsError::InvalidStrike);
    let strike = pool.decimals().price_from_quote_units(strike_quote).map_err(math_err)?;
    require!(strike > 0 && strike <= MAX_PRICE_INPUT, OptionsError::InvalidStrike);
    require!(expiry.saturating_sub(pool.params.risk.trading_cutoff_s as i64) > now, OptionsError::ExpiryTooSoon);
    require!(expiry.saturating_sub(now) <= MAX_SERIES_LIFETIME_S, OptionsError::ExpiryTooFar);
    require!(pool.live_series < pool.params.risk.max_live_series, OptionsError::TooManyLiveSeries);

    let vol = &pool.params.vol;
    let series_key = ctx.accounts.series.key();
    let mut cache = ctx.accounts.greek_cache.load_mut()?;
    let slot = cache.add_series(series_key, strike, expiry, kind, vol.initial_base_iv(), vol.initial_skew())?;
    let iv = cache.iv(slot as usize)?;
    drop(cache);
    pool.live_series += 1;

    let a = &ctx.accounts;
    let option_mint = a.option_mint.key();
    let pool_key = a.pool.key();
    let creator = Creator { payer: &a.admin.to_account_info(), system_program: &a.system_program.to_account_info() };
    let series_info = a.series.to_account_info();
    let (expiry_le, strike_le, kind_seed) = (expiry.to_le_bytes(), strike_quote.to_le_bytes(), [kind.seed()]);
    creator.pda(
        &series_info,
        8 + Series::INIT_SPACE,
        ctx.program_id,
        &[SERIES_SEED, pool_key.as_ref(), &expiry_le, &strike_le, &kind_seed, &[ctx.bumps.series]],
    )?;
    creator.mint(
        &a.option_mint,
        &a.token_program.to_account_info(),
        a.pool.underlying_decimals,
        &pool_key,
        &[OPTION_MINT_SEED, series_key.as_ref(), &[ctx.bumps.option_mint]],
    )?;
    write(
        &series_info,
        &Series {
            pool: pool_key,
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
            version: crate::constants::SERIES_VERSION,
            reserved: [0; 32],
        },
    )?;
    let pool = &ctx.accounts.pool;
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
