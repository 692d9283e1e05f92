//! Spot venue: a small constant-product AMM (x * y = k, fee in bps kept by
//! LPs) that the options pool's `rebalance` swaps on by CPI on localnet, in
//! the demo and in the tests. Pricing lives in `math` as pure functions;
//! this file is the table of contents, one line per instruction.
#[cfg(target_arch = "bpf")]
extern crate solana_compiler_builtins; // the upstream-LLVM SBF build (sbf/build.sh)
use anchor_lang::prelude::*;

pub mod error;
pub mod events;
pub mod instructions;
pub mod math;
pub mod state;

use instructions::*;

declare_id!("4juRFgBowXUt63Zueu3dTuJedSYorBd55cwu6JggFfde");

#[program]
pub mod spot_venue {
    use super::*;

    /// Opens a pool for (base_mint, quote_mint) with a swap fee of `fee_bps` (<= 1000).
    pub fn create_pool(ctx: Context<CreatePool>, fee_bps: u16) -> Result<()> {
        instructions::create_pool::handler(ctx, fee_bps)
    }

    /// Deposits up to the given amounts for LP tokens; fails below `min_lp_out`.
    pub fn add_liquidity(
        ctx: Context<AddLiquidity>,
        max_amount_base: u64,
        max_amount_quote: u64,
        min_lp_out: u64,
    ) -> Result<()> {
        instructions::add_liquidity::handler(ctx, max_amount_base, max_amount_quote, min_lp_out)
    }

    /// Burns LP tokens for the pro-rata reserves; fails below either minimum.
    pub fn remove_liquidity(
        ctx: Context<RemoveLiquidity>,
        lp_amount: u64,
        min_base_out: u64,
        min_quote_out: u64,
    ) -> Result<()> {
        instructions::remove_liquidity::handler(ctx, lp_amount, min_base_out, min_quote_out)
    }

    /// Exact-input swap; fails if the output is below `minimum_amount_out`.
    pub fn swap(ctx: Context<Swap>, amount_in: u64, minimum_amount_out: u64) -> Result<()> {
        instructions::swap::handler(ctx, amount_in, minimum_amount_out)
    }

    /// Exact-output swap; fails if the input needed exceeds `maximum_amount_in`.
    pub fn swap_exact_out(ctx: Context<Swap>, amount_out: u64, maximum_amount_in: u64) -> Result<()> {
        instructions::swap_exact_out::handler(ctx, amount_out, maximum_amount_in)
    }
}
