//! `rebalance` (permissionless): refresh greeks at the oracle price, ask the
//! pool's hedge policy whether the hedge has drifted past its band, and if
//! so swap on the configured venue by CPI, bounded by the oracle price.
//! Pays the keeper a reward only when a swap ran; when nothing is due it
//! fails (`RebalanceNotDue`) so keepers do not pay for no-ops.
use crate::constants::{PAUSE_REBALANCE, POOL_SEED};
use crate::error::OptionsError;
use crate::events::Rebalanced;
use crate::manager::hedge::{keeper_reward, plan_capped, HedgeSide};
use crate::manager::{refresh_at_oracle, require_settled_expiries};
use crate::state::{GreekCache, Pool};
use crate::tokens;
use crate::venue;
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

#[derive(Accounts)]
pub struct Rebalance<'info> {
    pub keeper: Signer<'info>,
    #[account(
        mut,
        has_one = greek_cache @ OptionsError::WrongGreekCache,
        has_one = quote_vault @ OptionsError::WrongQuoteVault,
        has_one = hedge_vault @ OptionsError::WrongHedgeVault
    )]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub greek_cache: AccountLoader<'info, GreekCache>,
    pub price_update: Box<Account<'info, PriceUpdateV2>>,
    #[account(mut)]
    pub quote_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut)]
    pub hedge_vault: Box<Account<'info, TokenAccount>>,
    /// Receives the keeper reward; any owner.
    #[account(mut, constraint = keeper_quote.mint == pool.quote_mint @ OptionsError::WrongTokenMint)]
    pub keeper_quote: Box<Account<'info, TokenAccount>>,
    /// CHECK: pinned to the pool's configured venue program.
    #[account(address = pool.params.hedge.venue_program @ OptionsError::WrongVenueProgram)]
    pub venue_program: UncheckedAccount<'info>,
    /// CHECK: pinned to the configured venue pool; decoded and checked by `venue::load_pool`.
    #[account(mut, address = pool.params.hedge.venue_pool @ OptionsError::WrongVenuePool)]
    pub venue_pool: UncheckedAccount<'info>,
    /// CHECK: must be the venue pool's underlying vault (`venue::load_pool`).
    #[account(mut)]
    pub venue_base_vault: UncheckedAccount<'info>,
    /// CHECK: must be the venue pool's quote vault (`venue::load_pool`).
    #[account(mut)]
    pub venue_quote_vault: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<Rebalance>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    let pool = &a.pool;
    require!(!pool.is_paused(PAUSE_REBALANCE), OptionsError::RebalancePaused);

    let venue_pool = venue::load_pool(
        &a.venue_pool,
        &a.venue_program.key(),
        &pool.underlying_mint,
        &pool.quote_mint,
        &a.venue_base_vault.key(),
        &a.venue_quote_vault.key(),
    )?;
    let mut cache = a.greek_cache.load_mut()?;
    let seen = refresh_at_oracle(pool, &mut cache, &a.price_update, now)?;
    require_settled_expiries(&cache, now)?;
    let spot = seen.spot;
    let plan = plan_capped(pool, &cache, spot, now, venue::hedge_cap(&venue_pool))?;
    let unhedgeable = cache.unhedgeable_delta();
    drop(cache);
    venue::check_quote(&venue_pool, &plan)?;

    let (quote0, hedge0) = (a.quote_vault.amount, a.hedge_vault.amount);
    // seeds from copies, so the vaults can be reloaded while they are alive
    let (underlying_mint, quote_mint, creator, bump) =
        (pool.underlying_mint, pool.quote_mint, pool.creator, [pool.bump]);
    let seeds: [&[u8]; 5] = [POOL_SEED, underlying_mint.as_ref(), quote_mint.as_ref(), creator.as_ref(), &bump];
    venue::swap(
        venue::SwapAccounts {
            venue_program: &a.venue_program.to_account_info(),
            venue_pool: &a.venue_pool.to_account_info(),
            pool_authority: &a.pool.to_account_info(),
            quote_vault: &a.quote_vault.to_account_info(),
            hedge_vault: &a.hedge_vault.to_account_info(),
            venue_base_vault: &a.venue_base_vault.to_account_info(),
            venue_quote_vault: &a.venue_quote_vault.to_account_info(),
            token_program: &a.token_program.to_account_info(),
        },
        &plan,
        &[&seeds],
    )?;
    ctx.accounts.quote_vault.reload()?;
    ctx.accounts.hedge_vault.reload()?;
    let a = &ctx.accounts;
    let (quote1, hedge1) = (a.quote_vault.amount, a.hedge_vault.amount);
    // what actually moved, from the vaults themselves
    let (amount_in, amount_out, notional) = match plan.side {
        HedgeSide::BuyUnderlying => (quote0 - quote1, hedge1 - hedge0, quote0 - quote1),
        HedgeSide::SellUnderlying => (hedge0 - hedge1, quote1 - quote0, quote1 - quote0),
    };

    let pool = &a.pool;
    let mut quote_balance = match plan.side {
        HedgeSide::BuyUnderlying => pool.quote_balance - amount_in,
        HedgeSide::SellUnderlying => pool.quote_balance + amount_out,
    };
    let reward = keeper_reward(&pool.params.hedge, notional, quote_balance.saturating_sub(pool.reserved_payouts));
    tokens::pay_out(
        a.token_program.key(),
        a.quote_vault.to_account_info(),
        a.keeper_quote.to_account_info(),
        a.pool.to_account_info(),
        &seeds,
        reward,
    )?;
    quote_balance -= reward;

    let keeper = a.keeper.key();
    let pool = &mut ctx.accounts.pool;
    pool.price_memory = seen.memory;
    pool.quote_balance = quote_balance;
    pool.hedge_balance = hedge1;
    pool.last_rebalance_ts = now;
    pool.rebalance_count += 1;
    pool.total_keeper_rewards = pool.total_keeper_rewards.saturating_add(reward);
    emit!(Rebalanced {
        pool: pool.key(),
        keeper,
        bought_underlying: plan.side == HedgeSide::BuyUnderlying,
        hedge_before: hedge0,
        hedge_after: hedge1,
        target_bits: plan.target.to_bits(),
        band_bits: plan.band.to_bits(),
        amount_in,
        amount_out,
        oracle_price_bits: spot.to_bits(),
        keeper_reward: reward,
        unhedgeable_bits: unhedgeable.to_bits(),
        funds_payouts: plan.funds_payouts,
    });
    Ok(())
}
