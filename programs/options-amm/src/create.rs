//! Creating the program's PDAs so that nobody can block them.
//!
//! Anchor 1.2's `init` creates an address that already holds lamports with
//! the system program's `CreateAccountAllowPrefund`, which fails on runtimes
//! without SIMD-0312 (the 3.1 bank these tests run on is one). Pool and
//! series addresses are predictable, so anyone could send a few lamports to
//! one and block its creation forever. Here an empty address is created in
//! one step, and a pre-funded one is topped up, allocated and assigned: the
//! classic sequence every runtime supports. An address that already holds
//! data is refused with `AccountAlreadyExists`.
use crate::error::OptionsError;
use anchor_lang::prelude::*;
use anchor_lang::system_program::{self, Allocate, Assign, CreateAccount, Transfer};
use anchor_spl::token::{self, InitializeAccount3, InitializeMint2};

pub struct Creator<'a, 'info> {
    pub payer: &'a AccountInfo<'info>,
    pub system_program: &'a AccountInfo<'info>,
}

impl<'info> Creator<'_, 'info> {
    /// Create `target` (a PDA signed by `seeds`) with `space` bytes owned by `owner`.
    pub fn pda(&self, target: &AccountInfo<'info>, space: usize, owner: &Pubkey, seeds: &[&[u8]]) -> Result<()> {
        require!(*target.owner == system_program::ID && target.data_is_empty(), OptionsError::AccountAlreadyExists);
        let rent = Rent::get()?.minimum_balance(space);
        let current = target.lamports();
        let program = self.system_program.key();
        let signer: &[&[&[u8]]] = &[seeds];
        if current == 0 {
            let accounts = CreateAccount { from: self.payer.clone(), to: target.clone() };
            return system_program::create_account(
                CpiContext::new_with_signer(program, accounts, signer),
                rent,
                space as u64,
                owner,
            );
        }
        if current < rent {
            let accounts = Transfer { from: self.payer.clone(), to: target.clone() };
            system_program::transfer(CpiContext::new(program, accounts), rent - current)?;
        }
        let accounts = Allocate { account_to_allocate: target.clone() };
        system_program::allocate(CpiContext::new_with_signer(program, accounts, signer), space as u64)?;
        let accounts = Assign { account_to_assign: target.clone() };
        system_program::assign(CpiContext::new_with_signer(program, accounts, signer), owner)
    }

    /// Create an SPL mint at a PDA, `authority` minting, no freeze authority.
    pub fn mint(
        &self,
        mint: &AccountInfo<'info>,
        token_program: &AccountInfo<'info>,
        decimals: u8,
        authority: &Pubkey,
        seeds: &[&[u8]],
    ) -> Result<()> {
        use anchor_lang::solana_program::program_pack::Pack;
        self.pda(mint, token::spl_token::state::Mint::LEN, &token::ID, seeds)?;
        token::initialize_mint2(
            CpiContext::new(token_program.key(), InitializeMint2 { mint: mint.clone() }),
            decimals,
            authority,
            None,
        )
    }

    /// Create an SPL token account at a PDA for `mint`, owned by `owner`.
    pub fn token_account(
        &self,
        account: &AccountInfo<'info>,
        token_program: &AccountInfo<'info>,
        mint: &AccountInfo<'info>,
        owner: &AccountInfo<'info>,
        seeds: &[&[u8]],
    ) -> Result<()> {
        use anchor_lang::solana_program::program_pack::Pack;
        self.pda(account, token::spl_token::state::Account::LEN, &token::ID, seeds)?;
        token::initialize_account3(CpiContext::new(
            token_program.key(),
            InitializeAccount3 { account: account.clone(), mint: mint.clone(), authority: owner.clone() },
        ))
    }
}

/// Write an Anchor account (discriminator + borsh) into a freshly created PDA.
pub fn write<T: AccountSerialize>(target: &AccountInfo, value: &T) -> Result<()> {
    let mut data = target.try_borrow_mut_data()?;
    let mut slice: &mut [u8] = &mut data;
    value.try_serialize(&mut slice)
}
