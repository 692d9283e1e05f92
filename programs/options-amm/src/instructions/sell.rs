//! `sell(contracts, min_total_proceeds)`: the trader sells options back to
//! the pool (burned) for premium - fees.
use super::trade::Trade;
use crate::error::OptionsError;
use crate::tokens;
use anchor_lang::prelude::*;
use options_math::amm::Side;

pub fn handler(ctx: Context<Trade>, contracts: u64, min_total_proceeds: u64) -> Result<()> {
    require!(ctx.accounts.trader_options.amount >= contracts, OptionsError::InsufficientFunds);
    let q = ctx.accounts.price(Side::Sell, contracts)?;
    require!(q.total >= min_total_proceeds, OptionsError::SlippageExceeded);

    let a = &ctx.accounts;
    let program = a.token_program.key();
    tokens::burn(
        program,
        a.option_mint.to_account_info(),
        a.trader_options.to_account_info(),
        a.trader.to_account_info(),
        contracts,
    )?;
    let seeds = a.pool.signer_seeds();
    tokens::pay_out(
        program,
        a.quote_vault.to_account_info(),
        a.trader_quote.to_account_info(),
        a.pool.to_account_info(),
        &seeds,
        q.total,
    )?;
    ctx.accounts.book(Side::Sell, &q)
}
