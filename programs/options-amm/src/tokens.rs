//! The pool's SPL Token movements, one function per kind: a signer pays in,
//! the pool PDA pays out of a vault or mints, a holder burns. Handlers say
//! what moves; how the CPI is built is written once here.
use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, MintTo, Transfer};

/// `authority` (a signer of the transaction) moves `amount` from `from` to `to`.
pub fn pay_in<'info>(
    token_program: Pubkey,
    from: AccountInfo<'info>,
    to: AccountInfo<'info>,
    authority: AccountInfo<'info>,
    amount: u64,
) -> Result<()> {
    token::transfer(CpiContext::new(token_program, Transfer { from, to, authority }), amount)
}

/// The pool PDA (`pool`, signing with `pool_seeds`) pays `amount` out of
/// one of its vaults. Nothing to pay is no CPI.
pub fn pay_out<'info>(
    token_program: Pubkey,
    vault: AccountInfo<'info>,
    to: AccountInfo<'info>,
    pool: AccountInfo<'info>,
    pool_seeds: &[&[u8]],
    amount: u64,
) -> Result<()> {
    if amount == 0 {
        return Ok(());
    }
    token::transfer(
        CpiContext::new_with_signer(token_program, Transfer { from: vault, to, authority: pool }, &[pool_seeds]),
        amount,
    )
}

/// The pool PDA, mint authority of the LP and option mints, mints `amount` to `to`.
pub fn mint<'info>(
    token_program: Pubkey,
    mint: AccountInfo<'info>,
    to: AccountInfo<'info>,
    pool: AccountInfo<'info>,
    pool_seeds: &[&[u8]],
    amount: u64,
) -> Result<()> {
    token::mint_to(
        CpiContext::new_with_signer(token_program, MintTo { mint, to, authority: pool }, &[pool_seeds]),
        amount,
    )
}

/// `authority` (a signer, owner of `from`) burns `amount` of `mint`.
pub fn burn<'info>(
    token_program: Pubkey,
    mint: AccountInfo<'info>,
    from: AccountInfo<'info>,
    authority: AccountInfo<'info>,
    amount: u64,
) -> Result<()> {
    token::burn(CpiContext::new(token_program, Burn { mint, from, authority }), amount)
}
