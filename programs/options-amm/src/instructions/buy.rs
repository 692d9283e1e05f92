//! `buy(contracts, max_total_cost)`: the pool writes `contracts` options of
//! a series to the trader for premium + fees.
use super::trade::Trade;
use crate::error::OptionsError;
use crate::tokens;
use anchor_lang::prelude::*;
use options_math::amm::Side;

pub fn handler(ctx: Context<Trade>, contracts: u64, max_total_cost: u64) -> Result<()> {
    let q = ctx.accounts.price(Side::Buy, contracts)?;
    require!(q.total <= max_total_cost, OptionsError::SlippageExceeded);
    require!(ctx.accounts.trader_quote.amount >= q.total, OptionsError::InsufficientFunds);

    let a = &ctx.accounts;
    let program = a.token_program.key();
    tokens::pay_in(
        program,
        a.trader_quote.to_account_info(),
        a.quote_vault.to_account_info(),
        a.trader.to_account_info(),
        q.total,
    )?;
    let seeds = a.pool.signer_seeds();
    tokens::mint(
        program,
        a.option_mint.to_account_info(),
        a.trader_options.to_account_info(),
        a.pool.to_account_info(),
        &seeds,
        contracts,
    )?;
    ctx.accounts.book(Side::Buy, &q)
}
