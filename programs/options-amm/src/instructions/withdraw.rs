//! `withdraw(lp_amount, min_quote_out)`: burn LP tokens for quote at NAV per
//! share, only while the solvency check still passes afterwards.
use crate::constants::PAUSE_LP;
use crate::error::{math_err, OptionsError};
use crate::events::Withdrawn;
use crate::manager::nav::{lp_nav, Balances, LpFlow};
use crate::manager::solvency::{headroom, max_quote_out, positions};
use crate::manager::{lp, refresh_at_oracle, require_settled_expiries};
use crate::state::{GreekCache, Pool};
use crate::tokens;
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

#[derive(Accounts)]
pub struct Withdraw<'info> {
    pub owner: Signer<'info>,
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
        constraint = owner_lp.mint == lp_mint.key() @ OptionsError::WrongTokenMint,
        constraint = owner_lp.owner == owner.key() @ OptionsError::WrongTokenOwner
    )]
    pub owner_lp: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = owner_quote.mint == pool.quote_mint @ OptionsError::WrongTokenMint)]
    pub owner_quote: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<Withdraw>, lp_amount: u64, min_quote_out: u64) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let pool = &ctx.accounts.pool;
    require!(!pool.is_paused(PAUSE_LP), OptionsError::LpPaused);
    require!(lp_amount > 0, OptionsError::ZeroAmount);
    require!(ctx.accounts.owner_lp.amount >= lp_amount, OptionsError::InsufficientFunds);

    let mut cache = ctx.accounts.greek_cache.load_mut()?;
    let seen = refresh_at_oracle(pool, &mut cache, &ctx.accounts.price_update, now)?;
    require_settled_expiries(&cache, now)?;
    let spot = seen.spot;
    // the lowest NAV: a withdrawal is paid at the price least favourable to it
    let nav = lp_nav(pool, &cache, spot, seen.lo, seen.hi, now, LpFlow::Withdrawal).map_err(math_err)?;
    require!(nav > 0, OptionsError::PoolInsolvent);
    let nav = u64::try_from(nav).map_err(|_| OptionsError::AmountTooLarge)?;
    let r = &pool.params.risk;
    let room = headroom(
        Balances::of(pool),
        spot,
        r.max_move_bps,
        r.solvency_reserve_bps,
        &positions(&cache, now, r),
        pool.decimals(),
    )
    .map_err(math_err)?;
    drop(cache);

    let supply = ctx.accounts.lp_mint.supply;
    let quote_out = lp::quote_for_shares(lp_amount, nav, supply).map_err(math_err)?;
    require!(quote_out > 0, OptionsError::ZeroAmount);
    let cash = pool.quote_balance.saturating_sub(pool.reserved_payouts);
    let can_leave = max_quote_out(room, r.solvency_reserve_bps).min(cash);
    if quote_out > can_leave {
        msg!(
            "At most {} quote base units ({} LP base units) can be withdrawn now",
            can_leave,
            lp::shares_for_quote(can_leave, nav, supply)
        );
        if quote_out > cash {
            return err!(OptionsError::InsufficientQuoteInVault);
        }
        return err!(OptionsError::WithdrawalExceedsSolvency);
    }
    require!(quote_out >= min_quote_out, OptionsError::SlippageExceeded);

    let a = &ctx.accounts;
    let program = a.token_program.key();
    tokens::burn(
        program,
        a.lp_mint.to_account_info(),
        a.owner_lp.to_account_info(),
        a.owner.to_account_info(),
        lp_amount,
    )?;
    let seeds = pool.signer_seeds();
    tokens::pay_out(
        program,
        a.quote_vault.to_account_info(),
        a.owner_quote.to_account_info(),
        a.pool.to_account_info(),
        &seeds,
        quote_out,
    )?;

    let pool = &mut ctx.accounts.pool;
    pool.price_memory = seen.memory;
    pool.quote_balance -= quote_out;
    emit!(Withdrawn {
        pool: pool.key(),
        owner: ctx.accounts.owner.key(),
        lp_burned: lp_amount,
        quote_out,
        nav_before: nav as i64,
        lp_supply_after: supply - lp_amount,
    });
    Ok(())
}
