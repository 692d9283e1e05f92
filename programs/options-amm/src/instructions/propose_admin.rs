//! `propose_admin` (admin): name the key that may take the admin role (the
//! default key withdraws a proposal). Nothing changes until that key signs
//! `accept_admin`, so a typo cannot lock the pool.
use crate::error::OptionsError;
use crate::events::AdminProposed;
use crate::state::Pool;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct ProposeAdmin<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ OptionsError::Unauthorized)]
    pub pool: Box<Account<'info, Pool>>,
}

pub fn handler(ctx: Context<ProposeAdmin>, proposed: Pubkey) -> Result<()> {
    let pool = &mut ctx.accounts.pool;
    pool.pending_admin = proposed;
    emit!(AdminProposed { pool: pool.key(), admin: pool.admin, proposed });
    Ok(())
}
