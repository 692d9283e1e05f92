//! `initialize_pool` (admin): the pool PDA for an (underlying, quote) pair,
//! its greek cache, LP mint and two vaults, all owned by the pool PDA.
use crate::constants::*;
use crate::error::OptionsError;
use crate::events::PoolInitialized;
use crate::state::{GreekCache, Pool, PoolParams};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use options_math::units::MAX_DECIMALS;

#[derive(Accounts)]
pub struct InitializePool<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    pub underlying_mint: Box<Account<'info, Mint>>,
    pub quote_mint: Box<Account<'info, Mint>>,
    #[account(
        init, payer = admin, space = 8 + Pool::INIT_SPACE,
        seeds = [POOL_SEED, underlying_mint.key().as_ref(), quote_mint.key().as_ref()], bump
    )]
    pub pool: Box<Account<'info, Pool>>,
    #[account(
        init, payer = admin, space = 8 + core::mem::size_of::<GreekCache>(),
        seeds = [GREEK_CACHE_SEED, pool.key().as_ref()], bump
    )]
    pub greek_cache: AccountLoader<'info, GreekCache>,
    #[account(
        init, payer = admin, seeds = [LP_MINT_SEED, pool.key().as_ref()], bump,
        mint::decimals = quote_mint.decimals, mint::authority = pool
    )]
    pub lp_mint: Box<Account<'info, Mint>>,
    #[account(
        init, payer = admin, seeds = [QUOTE_VAULT_SEED, pool.key().as_ref()], bump,
        token::mint = quote_mint, token::authority = pool
    )]
    pub quote_vault: Box<Account<'info, TokenAccount>>,
    #[account(
        init, payer = admin, seeds = [HEDGE_VAULT_SEED, pool.key().as_ref()], bump,
        token::mint = underlying_mint, token::authority = pool
    )]
    pub hedge_vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<InitializePool>, params: PoolParams) -> Result<()> {
    let a = &ctx.accounts;
    require_keys_neq!(a.underlying_mint.key(), a.quote_mint.key(), OptionsError::SameMint);
    require!(
        a.underlying_mint.decimals <= MAX_DECIMALS && a.quote_mint.decimals <= MAX_DECIMALS,
        OptionsError::UnsupportedDecimals
    );
    params.validate(a.quote_mint.decimals)?;

    let pool_key = a.pool.key();
    let (underlying_mint, quote_mint) = (a.underlying_mint.key(), a.quote_mint.key());
    let (underlying_decimals, quote_decimals) = (a.underlying_mint.decimals, a.quote_mint.decimals);
    let (lp_mint, quote_vault, hedge_vault) = (a.lp_mint.key(), a.quote_vault.key(), a.hedge_vault.key());
    let greek_cache = a.greek_cache.key();
    let admin = a.admin.key();
    let feed_id = params.oracle.feed_id;

    ctx.accounts.greek_cache.load_init()?.pool = pool_key;
    let pool = &mut ctx.accounts.pool;
    pool.set_inner(Pool {
        admin,
        underlying_mint,
        quote_mint,
        lp_mint,
        quote_vault,
        hedge_vault,
        greek_cache,
        underlying_decimals,
        quote_decimals,
        bump: ctx.bumps.pool,
        paused: 0,
        params,
        quote_balance: 0,
        hedge_balance: 0,
        reserved_payouts: 0,
        live_series: 0,
        last_rebalance_ts: 0,
        total_premiums: 0,
        total_fees: 0,
        total_payouts: 0,
        total_keeper_rewards: 0,
        rebalance_count: 0,
    });
    emit!(PoolInitialized { pool: pool_key, admin, underlying_mint, quote_mint, feed_id });
    Ok(())
}
