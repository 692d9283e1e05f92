use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token, TokenAccount, Transfer};

use crate::error::VenueError;
use crate::events::Swapped;
use crate::math::{self, SwapOutcome};
use crate::state::{SwapDirection, VenuePool, VENUE_POOL_SEED};

/// Accounts of both `swap` (exact input) and `swap_exact_out`.
///
/// The direction is implied by `user_source`'s mint; `VenuePool::route`
/// then checks the other three token accounts against it. The signer is
/// whatever owns `user_source`, typically another program's PDA signing
/// through `invoke_signed`, so nothing here assumes a wallet.
#[derive(Accounts)]
pub struct Swap<'info> {
    #[account(
        mut,
        seeds = [VENUE_POOL_SEED, venue_pool.base_mint.as_ref(), venue_pool.quote_mint.as_ref()],
        bump = venue_pool.bump,
    )]
    pub venue_pool: Box<Account<'info, VenuePool>>,
    pub user_authority: Signer<'info>,
    /// Pays the input; its mint picks the direction.
    #[account(mut, token::authority = user_authority)]
    pub user_source: Box<Account<'info, TokenAccount>>,
    /// Receives the output; may belong to anyone.
    #[account(mut)]
    pub user_destination: Box<Account<'info, TokenAccount>>,
    /// The pool's vault of the source mint.
    #[account(mut)]
    pub vault_source: Box<Account<'info, TokenAccount>>,
    /// The pool's vault of the destination mint.
    #[account(mut)]
    pub vault_destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl Swap<'_> {
    pub fn direction(&self) -> Result<SwapDirection> {
        Ok(self.venue_pool.route(
            &self.user_source.mint,
            &self.user_destination.mint,
            &self.vault_source.key(),
            &self.vault_destination.key(),
        )?)
    }

    /// Moves the tokens of a priced swap and records the new reserves.
    /// Callers have already applied their slippage bound.
    pub fn settle(&mut self, direction: SwapDirection, outcome: SwapOutcome) -> Result<()> {
        require_gte!(self.user_source.amount, outcome.amount_in, VenueError::InsufficientBalance);
        let token_program = self.token_program.key();
        token::transfer(
            CpiContext::new(
                token_program,
                Transfer {
                    from: self.user_source.to_account_info(),
                    to: self.vault_source.to_account_info(),
                    authority: self.user_authority.to_account_info(),
                },
            ),
            outcome.amount_in,
        )?;
        let seeds = self.venue_pool.signer_seeds();
        token::transfer(
            CpiContext::new_with_signer(
                token_program,
                Transfer {
                    from: self.vault_destination.to_account_info(),
                    to: self.user_destination.to_account_info(),
                    authority: self.venue_pool.to_account_info(),
                },
                &[&seeds],
            ),
            outcome.amount_out,
        )?;

        let pool = &mut self.venue_pool;
        pool.set_reserves_for(direction, outcome.reserve_in_after, outcome.reserve_out_after);
        emit!(Swapped {
            pool: pool.key(),
            authority: self.user_authority.key(),
            direction,
            amount_in: outcome.amount_in,
            amount_out: outcome.amount_out,
            fee: outcome.fee,
            reserve_base: pool.reserve_base,
            reserve_quote: pool.reserve_quote,
        });
        Ok(())
    }
}

/// Exact input: pay `amount_in` of the source mint, receive at least
/// `minimum_amount_out` of the destination mint (rounded down).
pub fn handler(ctx: Context<Swap>, amount_in: u64, minimum_amount_out: u64) -> Result<()> {
    let accounts = ctx.accounts;
    require_gt!(amount_in, 0, VenueError::ZeroAmount);
    let direction = accounts.direction()?;
    let (reserve_in, reserve_out) = accounts.venue_pool.reserves_for(direction);
    let outcome = math::swap_exact_in(reserve_in, reserve_out, amount_in, accounts.venue_pool.fee_bps)?;
    require_gte!(outcome.amount_out, minimum_amount_out, VenueError::SlippageExceeded);
    accounts.settle(direction, outcome)
}
