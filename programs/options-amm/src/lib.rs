//! Options AMM: an LP pool that writes European options, prices them with
//! fixed-point Black-Scholes (crate `options-math`) and hedges its net delta
//! on a spot venue. This file is the table of contents: one line per
//! instruction, each implemented in `instructions/`; the rules they apply
//! are plain functions in `manager/`.
#![allow(unexpected_cfgs)] // anchor's macros test cfgs this crate does not declare
#[cfg(target_arch = "bpf")]
extern crate solana_compiler_builtins; // the upstream-LLVM SBF build (sbf/build.sh)
use anchor_lang::prelude::*;

pub mod constants;
pub mod create;
pub mod error;
pub mod events;
pub mod instructions;
pub mod manager;
pub mod oracle;
pub mod state;
pub mod tokens;
pub mod venue;

use instructions::*;
use state::{Kind, PoolParams};

declare_id!("DjVDovapaEzJ3GBmHBwqDjz4QCCqXUaExiJG4c5karS6");

#[program]
pub mod options_amm {
    use super::*;

    /// Admin: create the pool, its greek cache, LP mint and vaults.
    pub fn initialize_pool(ctx: Context<InitializePool>, params: PoolParams) -> Result<()> {
        initialize_pool::handler(ctx, params)
    }

    /// Admin: replace the pool's parameters at once: tighter risk caps or a
    /// new hedge schedule only (anything else: propose, wait, apply).
    pub fn update_pool_params(ctx: Context<UpdatePoolParams>, params: PoolParams) -> Result<()> {
        update_pool_params::handler(ctx, params)
    }

    /// Admin: set the PAUSE_* flags; guardian: add flags.
    pub fn set_paused(ctx: Context<SetPaused>, paused: u8) -> Result<()> {
        set_paused::handler(ctx, paused)
    }

    /// Admin: list a series (strike in quote base units per whole underlying).
    pub fn create_series(ctx: Context<CreateSeries>, strike_quote: u64, expiry: i64, kind: Kind) -> Result<()> {
        create_series::handler(ctx, strike_quote, expiry, kind)
    }

    /// LP: deposit quote for LP tokens at NAV per share.
    pub fn deposit(ctx: Context<Deposit>, quote_amount: u64, min_lp_out: u64) -> Result<()> {
        deposit::handler(ctx, quote_amount, min_lp_out)
    }

    /// LP: burn LP tokens for quote at NAV per share, solvency permitting.
    pub fn withdraw(ctx: Context<Withdraw>, lp_amount: u64, min_quote_out: u64) -> Result<()> {
        withdraw::handler(ctx, lp_amount, min_quote_out)
    }

    /// Trader: buy options the pool writes.
    pub fn buy(ctx: Context<Trade>, contracts: u64, max_total_cost: u64) -> Result<()> {
        buy::handler(ctx, contracts, max_total_cost)
    }

    /// Trader: sell options back to the pool.
    pub fn sell(ctx: Context<Trade>, contracts: u64, min_total_proceeds: u64) -> Result<()> {
        sell::handler(ctx, contracts, min_total_proceeds)
    }

    /// Anyone: reprice the greek cache at the oracle price.
    pub fn refresh_greeks(ctx: Context<RefreshGreeks>) -> Result<()> {
        refresh_greeks::handler(ctx)
    }

    /// Anyone: hedge the pool's delta on the spot venue when the policy says so.
    pub fn rebalance(ctx: Context<Rebalance>) -> Result<()> {
        rebalance::handler(ctx)
    }

    /// Anyone, after expiry: settle a series at a post-expiry price.
    pub fn settle_series(ctx: Context<SettleSeries>) -> Result<()> {
        settle_series::handler(ctx)
    }

    /// Holder: burn settled options for their payoff.
    pub fn redeem(ctx: Context<Redeem>, contracts: u64) -> Result<()> {
        redeem::handler(ctx, contracts)
    }

    /// Anyone: close a fully redeemed settled series.
    pub fn close_series(ctx: Context<CloseSeries>) -> Result<()> {
        close_series::handler(ctx)
    }

    /// Admin: announce a parameter change; it waits the pool's timelock.
    pub fn propose_pool_params(ctx: Context<ProposePoolParams>, params: PoolParams) -> Result<()> {
        propose_pool_params::handler(ctx, params)
    }

    /// Admin, once the timelock has passed: put the pending change in force.
    pub fn apply_pool_params(ctx: Context<ApplyPoolParams>) -> Result<()> {
        apply_pool_params::handler(ctx)
    }

    /// Admin or guardian: drop the pending change.
    pub fn cancel_pool_params(ctx: Context<CancelPoolParams>) -> Result<()> {
        cancel_pool_params::handler(ctx)
    }

    /// Admin: propose the next admin (two-step transfer).
    pub fn propose_admin(ctx: Context<ProposeAdmin>, proposed: Pubkey) -> Result<()> {
        propose_admin::handler(ctx, proposed)
    }

    /// The proposed admin: take the role.
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        accept_admin::handler(ctx)
    }

    /// Admin: set the guardian (pause and cancel only).
    pub fn set_guardian(ctx: Context<SetGuardian>, guardian: Pubkey) -> Result<()> {
        set_guardian::handler(ctx, guardian)
    }
}
