//! `set_guardian` (admin): the key that may pause the pool and cancel a
//! pending change, and nothing else (the default key: no guardian). At once:
//! a guardian can only make the pool safer.
use crate::error::OptionsError;
use crate::events::GuardianSet;
use crate::state::Pool;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct SetGuardian<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ OptionsError::Unauthorized)]
    pub pool: Box<Account<'info, Pool>>,
}

pub fn handler(ctx: Context<SetGuardian>, guardian: Pubkey) -> Result<()> {
    let pool = &mut ctx.accounts.pool;
    pool.guardian = guardian;
    emit!(GuardianSet { pool: pool.key(), guardian });
    Ok(())
}
