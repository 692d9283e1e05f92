//! `deposit(quote_amount, min_lp_out)`: LP tokens at NAV per share, NAV from
//! the greek cache refreshed at the oracle price in this instruction and
//! valued against the depositor (`nav::lp_nav`).
use crate::constants::PAUSE_LP;
use crate::error::{math_err, OptionsError};
use crate::events::Deposited;
use crate::manager::nav::{lp_nav, LpFlow};
use crate::manager::{lp, refresh_at_oracle, require_settled_expiries};
use crate::state::{GreekCache, Pool};
use crate::tokens;
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

#[derive(Accounts)]
pub struct Deposit<'info> {
    pub depositor: Signer<'info>,
    #[account(
        mut,
        has_one = greek_cache @ OptionsError::WrongGreekCache,
        has_one = quote_vault @ OptionsError::WrongQuoteVault,
        has_one = lp_mint @ OptionsError::WrongLpMint
    )]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub greek_cache: AccountLoader<'info, GreekCache>,
    pub price_update: Box<Account<'info, PriceUpdateV2>>,
    #[account(mut)]
    pub quote_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut)]
    pub lp_mint: Box<Account<'info, Mint>>,
    #[account(
        mut,
        constraint = depositor_quote.mint == pool.quote_mint @ OptionsError::WrongTokenMint,
        constraint = depositor_quote.owner == depositor.key() @ OptionsError::WrongTokenOwner
    )]
    pub depositor_quote: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = depositor_lp.mint == lp_mint.key() @ OptionsError::WrongTokenMint)]
    pub depositor_lp: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<Deposit>, quote_amount: u64, min_lp_out: u64) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let pool = &ctx.accounts.pool;
    require!(!pool.is_paused(PAUSE_LP), OptionsError::LpPaused);
    require!(quote_amount > 0, OptionsError::ZeroAmount);
    require!(ctx.accounts.depositor_quote.amount >= quote_amount, OptionsError::InsufficientFunds);

    let mut cache = ctx.accounts.greek_cache.load_mut()?;
    let seen = refresh_at_oracle(pool, &mut cache, &ctx.accounts.price_update, now)?;
    require_settled_expiries(&cache, now)?;
    // the highest NAV: a deposit buys in at the price least favourable to it
    let nav = lp_nav(pool, &cache, seen.spot, seen.lo, seen.hi, now, LpFlow::Deposit).map_err(math_err)?;
    drop(cache);
    require!(nav >= 0, OptionsError::PoolInsolvent);
    let nav = u64::try_from(nav).map_err(|_| OptionsError::AmountTooLarge)?;
    let supply = ctx.accounts.lp_mint.supply;
    let lp_out = lp::shares_for_deposit(quote_amount, nav, supply).map_err(math_err)?;
    require!(lp_out > 0, OptionsError::DepositTooSmall);
    require!(lp_out >= min_lp_out, OptionsError::SlippageExceeded);

    let a = &ctx.accounts;
    let program = a.token_program.key();
    tokens::pay_in(
        program,
        a.depositor_quote.to_account_info(),
        a.quote_vault.to_account_info(),
        a.depositor.to_account_info(),
        quote_amount,
    )?;
    let seeds = pool.signer_seeds();
    tokens::mint(
        program,
        a.lp_mint.to_account_info(),
        a.depositor_lp.to_account_info(),
        a.pool.to_account_info(),
        &seeds,
        lp_out,
    )?;

    let pool = &mut ctx.accounts.pool;
    pool.price_memory = seen.memory;
    pool.quote_balance = pool.quote_balance.checked_add(quote_amount).ok_or(OptionsError::AmountTooLarge)?;
    emit!(Deposited {
        pool: pool.key(),
        depositor: ctx.accounts.depositor.key(),
        quote_in: quote_amount,
        lp_minted: lp_out,
        nav_before: nav as i64,
        lp_supply_after: supply + lp_out,
    });
    Ok(())
}
