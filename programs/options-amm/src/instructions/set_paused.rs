//! `set_paused` (admin): pause or resume trading, LP flows and rebalancing
//! (PAUSE_* flags). Settlement and redemption are never paused: holders can
//! always collect what they are owed.
use crate::constants::PAUSE_ALL;
use crate::error::OptionsError;
use crate::events::PauseSet;
use crate::state::Pool;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct SetPaused<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ OptionsError::Unauthorized)]
    pub pool: Box<Account<'info, Pool>>,
}

pub fn handler(ctx: Context<SetPaused>, paused: u8) -> Result<()> {
    let pool = &mut ctx.accounts.pool;
    pool.paused = paused & PAUSE_ALL;
    emit!(PauseSet { pool: pool.key(), paused: pool.paused });
    Ok(())
}
