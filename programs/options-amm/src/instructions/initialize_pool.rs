//! `initialize_pool` (admin): the pool PDA for an (underlying, quote, creator),
//! its greek cache, LP mint and two vaults, all owned by the pool PDA.
//! Created with `create::Creator` rather than Anchor's `init`, so a
//! pre-funded address cannot block the pair (see create.rs).
use crate::constants::*;
use crate::create::{write, Creator};
use crate::error::OptionsError;
use crate::events::PoolInitialized;
use crate::state::{GreekCache, Pool, PoolParams};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token};
use options_math::units::MAX_DECIMALS;

#[derive(Accounts)]
pub struct InitializePool<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    pub underlying_mint: Box<Account<'info, Mint>>,
    pub quote_mint: Box<Account<'info, Mint>>,
    /// CHECK: the pool PDA, created by the handler.
    #[account(
        mut,
        seeds = [POOL_SEED, underlying_mint.key().as_ref(), quote_mint.key().as_ref(), admin.key().as_ref()],
        bump
    )]
    pub pool: UncheckedAccount<'info>,
    /// CHECK: the greek cache PDA, created by the handler.
    #[account(mut, seeds = [GREEK_CACHE_SEED, pool.key().as_ref()], bump)]
    pub greek_cache: UncheckedAccount<'info>,
    /// CHECK: the LP mint PDA, created by the handler.
    #[account(mut, seeds = [LP_MINT_SEED, pool.key().as_ref()], bump)]
    pub lp_mint: UncheckedAccount<'info>,
    /// CHECK: the quote vault PDA, created by the handler.
    #[account(mut, seeds = [QUOTE_VAULT_SEED, pool.key().as_ref()], bump)]
    pub quote_vault: UncheckedAccount<'info>,
    /// CHECK: the hedge vault PDA, created by the handler.
    #[account(mut, seeds = [HEDGE_VAULT_SEED, pool.key().as_ref()], bump)]
    pub hedge_vault: UncheckedAccount<'info>,
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
    let b = &ctx.bumps;
    let creator = Creator { payer: &a.admin.to_account_info(), system_program: &a.system_program.to_account_info() };
    let token_program = a.token_program.to_account_info();
    let pool_info = a.pool.to_account_info();

    creator.pda(
        &pool_info,
        8 + Pool::INIT_SPACE,
        ctx.program_id,
        &[POOL_SEED, underlying_mint.as_ref(), quote_mint.as_ref(), a.admin.key().as_ref(), &[b.pool]],
    )?;
    let cache_info = a.greek_cache.to_account_info();
    creator.pda(
        &cache_info,
        8 + core::mem::size_of::<GreekCache>(),
        ctx.program_id,
        &[GREEK_CACHE_SEED, pool_key.as_ref(), &[b.greek_cache]],
    )?;
    {
        // a zero-copy account: discriminator, then the body (zeroed by
        // allocation) whose first field is the pool
        let mut data = cache_info.try_borrow_mut_data()?;
        data[..8].copy_from_slice(GreekCache::DISCRIMINATOR);
        data[8..40].copy_from_slice(pool_key.as_ref());
    }
    creator.mint(
        &a.lp_mint,
        &token_program,
        a.quote_mint.decimals,
        &pool_key,
        &[LP_MINT_SEED, pool_key.as_ref(), &[b.lp_mint]],
    )?;
    creator.token_account(
        &a.quote_vault,
        &token_program,
        &a.quote_mint.to_account_info(),
        &pool_info,
        &[QUOTE_VAULT_SEED, pool_key.as_ref(), &[b.quote_vault]],
    )?;
    creator.token_account(
        &a.hedge_vault,
        &token_program,
        &a.underlying_mint.to_account_info(),
        &pool_info,
        &[HEDGE_VAULT_SEED, pool_key.as_ref(), &[b.hedge_vault]],
    )?;

    let admin = a.admin.key();
    let feed_id = params.oracle.feed_id;
    write(
        &pool_info,
        &Pool {
            admin,
            creator: admin,
            underlying_mint,
            quote_mint,
            lp_mint: a.lp_mint.key(),
            quote_vault: a.quote_vault.key(),
            hedge_vault: a.hedge_vault.key(),
            greek_cache: a.greek_cache.key(),
            underlying_decimals: a.underlying_mint.decimals,
            quote_decimals: a.quote_mint.decimals,
            bump: b.pool,
            paused: 0,
            // nothing pending (eta 0); the copy only fills the slot
            pending_params: params.clone(),
            params,
            version: POOL_VERSION,
            pending_admin: Pubkey::default(),
            guardian: Pubkey::default(),
            pending_eta: 0,
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
            price_memory: Default::default(),
            locked_fees: 0,
            locked_fees_at: 0,
            reserved: [0; crate::state::pool::POOL_RESERVED_BYTES],
        },
    )?;
    emit!(PoolInitialized { pool: pool_key, admin, underlying_mint, quote_mint, feed_id });
    Ok(())
}
