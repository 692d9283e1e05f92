use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::error::VenueError;
use crate::events::PoolCreated;
use crate::math::{lp_decimals, MAX_FEE_BPS};
use crate::state::{VenuePool, LP_MINT_SEED, VAULT_SEED, VENUE_POOL_SEED};

/// Anyone may open a pool for a (base, quote) pair; the seeds make it unique
/// per ordered pair. Only classic SPL Token mints are accepted (Token-2022
/// transfer fees would make the tracked reserves lie).
#[derive(Accounts)]
#[instruction(fee_bps: u16)]
pub struct CreatePool<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub base_mint: Box<Account<'info, Mint>>,
    pub quote_mint: Box<Account<'info, Mint>>,
    // The checks sit on the first `init` account because Anchor runs init
    // constraints before plain ones: with identical mints the two vault PDAs
    // collide and the second init would fail with an opaque system error.
    #[account(
        init,
        payer = payer,
        space = 8 + VenuePool::INIT_SPACE,
        seeds = [VENUE_POOL_SEED, base_mint.key().as_ref(), quote_mint.key().as_ref()],
        bump,
        constraint = base_mint.key() != quote_mint.key() @ VenueError::IdenticalMints,
        constraint = fee_bps <= MAX_FEE_BPS @ VenueError::FeeTooHigh,
    )]
    pub venue_pool: Box<Account<'info, VenuePool>>,
    #[account(
        init,
        payer = payer,
        seeds = [VAULT_SEED, venue_pool.key().as_ref(), base_mint.key().as_ref()],
        bump,
        token::mint = base_mint,
        token::authority = venue_pool,
    )]
    pub base_vault: Box<Account<'info, TokenAccount>>,
    #[account(
        init,
        payer = payer,
        seeds = [VAULT_SEED, venue_pool.key().as_ref(), quote_mint.key().as_ref()],
        bump,
        token::mint = quote_mint,
        token::authority = venue_pool,
    )]
    pub quote_vault: Box<Account<'info, TokenAccount>>,
    #[account(
        init,
        payer = payer,
        seeds = [LP_MINT_SEED, venue_pool.key().as_ref()],
        bump,
        mint::decimals = lp_decimals(base_mint.decimals, quote_mint.decimals),
        mint::authority = venue_pool,
    )]
    pub lp_mint: Box<Account<'info, Mint>>,
    pub system_program: Program<'info, System>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<CreatePool>, fee_bps: u16) -> Result<()> {
    let accounts = ctx.accounts;
    let pool = &mut accounts.venue_pool;
    pool.base_mint = accounts.base_mint.key();
    pool.quote_mint = accounts.quote_mint.key();
    pool.base_vault = accounts.base_vault.key();
    pool.quote_vault = accounts.quote_vault.key();
    pool.lp_mint = accounts.lp_mint.key();
    pool.fee_bps = fee_bps;
    pool.reserve_base = 0;
    pool.reserve_quote = 0;
    pool.bump = ctx.bumps.venue_pool;
    pool.base_vault_bump = ctx.bumps.base_vault;
    pool.quote_vault_bump = ctx.bumps.quote_vault;
    pool.lp_mint_bump = ctx.bumps.lp_mint;

    emit!(PoolCreated {
        pool: pool.key(),
        base_mint: pool.base_mint,
        quote_mint: pool.quote_mint,
        base_vault: pool.base_vault,
        quote_vault: pool.quote_vault,
        lp_mint: pool.lp_mint,
        fee_bps,
    });
    Ok(())
}
