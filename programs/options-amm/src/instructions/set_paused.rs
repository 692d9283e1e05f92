//! `set_paused` (admin or guardian): pause or resume trading, LP flows and
//! rebalancing (PAUSE_* flags). The guardian may only add flags; lifting a
//! pause is the admin's. Settlement and redemption are never paused:
//! holders can always collect what they are owed.
use crate::constants::PAUSE_ALL;
use crate::error::OptionsError;
use crate::events::PauseSet;
use crate::state::Pool;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct SetPaused<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        constraint = pool.admin == authority.key() || pool.guardian_is(&authority.key()) @ OptionsError::NotAdminOrGuardian
    )]
    pub pool: Box<Account<'info, Pool>>,
}

pub fn handler(ctx: Context<SetPaused>, paused: u8) -> Result<()> {
    let pool = &mut ctx.accounts.pool;
    let by = ctx.accounts.authority.key();
    let paused = paused & PAUSE_ALL;
    if by != pool.admin {
        require!(paused & pool.paused == pool.paused, OptionsError::GuardianCannotUnpause);
    }
    pool.paused = paused;
    emit!(PauseSet { pool: pool.key(), paused, by });
    Ok(())
}
