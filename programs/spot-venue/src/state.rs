//! On-chain state: one `VenuePool` per ordered (base, quote) mint pair.
use anchor_lang::prelude::*;

use crate::error::VenueError;

pub const VENUE_POOL_SEED: &[u8] = b"venue_pool";
pub const VAULT_SEED: &[u8] = b"vault";
pub const LP_MINT_SEED: &[u8] = b"lp";

/// PDA `["venue_pool", base_mint, quote_mint]`. It owns both vaults and is
/// the LP mint's authority.
///
/// Prices come from `reserve_base` / `reserve_quote`, which only this
/// program's instructions move, never from the vault balances: tokens sent
/// straight to a vault cannot move the price a hedger pays.
#[account]
#[derive(InitSpace, Debug)]
pub struct VenuePool {
    /// The underlying (the asset the options pool hedges with).
    pub base_mint: Pubkey,
    /// The settlement currency (USDC-like).
    pub quote_mint: Pubkey,
    /// PDA `["vault", venue_pool, base_mint]`, owned by the pool PDA.
    pub base_vault: Pubkey,
    /// PDA `["vault", venue_pool, quote_mint]`, owned by the pool PDA.
    pub quote_vault: Pubkey,
    /// PDA `["lp", venue_pool]`, mint authority the pool PDA.
    pub lp_mint: Pubkey,
    /// Swap fee in basis points of the input, kept in the reserves for LPs.
    pub fee_bps: u16,
    /// Base tokens (base units) that back the price; <= base_vault's balance.
    pub reserve_base: u64,
    /// Quote tokens (base units) that back the price; <= quote_vault's balance.
    pub reserve_quote: u64,
    pub bump: u8,
    pub base_vault_bump: u8,
    pub quote_vault_bump: u8,
    pub lp_mint_bump: u8,
}

/// Which way a swap trades, named by what the trader pays.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum SwapDirection {
    /// Pay base (the underlying), receive quote: selling the underlying.
    BaseToQuote,
    /// Pay quote, receive base: buying the underlying.
    QuoteToBase,
}

impl VenuePool {
    /// Works out the trade's direction from the mint the trader pays with and
    /// checks every other account against it, so a caller cannot point the
    /// swap at another pool's vaults or reverse the vaults.
    pub fn route(
        &self,
        user_source_mint: &Pubkey,
        user_destination_mint: &Pubkey,
        vault_source: &Pubkey,
        vault_destination: &Pubkey,
    ) -> core::result::Result<SwapDirection, VenueError> {
        let (direction, destination_mint, expected_source_vault, expected_destination_vault) =
            if *user_source_mint == self.base_mint {
                (SwapDirection::BaseToQuote, self.quote_mint, self.base_vault, self.quote_vault)
            } else if *user_source_mint == self.quote_mint {
                (SwapDirection::QuoteToBase, self.base_mint, self.quote_vault, self.base_vault)
            } else {
                return Err(VenueError::SourceMintNotInPool);
            };
        if *user_destination_mint != destination_mint {
            return Err(VenueError::DestinationMintMismatch);
        }
        if *vault_source != expected_source_vault {
            return Err(VenueError::WrongVaultSource);
        }
        if *vault_destination != expected_destination_vault {
            return Err(VenueError::WrongVaultDestination);
        }
        Ok(direction)
    }

    /// Seeds for signing as the pool PDA (vault transfers, LP minting).
    pub fn signer_seeds(&self) -> [&[u8]; 4] {
        [VENUE_POOL_SEED, self.base_mint.as_ref(), self.quote_mint.as_ref(), core::slice::from_ref(&self.bump)]
    }

    /// (reserve paid into, reserve paid out of) for a direction.
    pub fn reserves_for(&self, direction: SwapDirection) -> (u64, u64) {
        match direction {
            SwapDirection::BaseToQuote => (self.reserve_base, self.reserve_quote),
            SwapDirection::QuoteToBase => (self.reserve_quote, self.reserve_base),
        }
    }

    pub fn set_reserves_for(&mut self, direction: SwapDirection, reserve_in: u64, reserve_out: u64) {
        match direction {
            SwapDirection::BaseToQuote => {
                self.reserve_base = reserve_in;
                self.reserve_quote = reserve_out;
            }
            SwapDirection::QuoteToBase => {
                self.reserve_quote = reserve_in;
                self.reserve_base = reserve_out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> VenuePool {
        VenuePool {
            base_mint: Pubkey::new_from_array([1; 32]),
            quote_mint: Pubkey::new_from_array([2; 32]),
            base_vault: Pubkey::new_from_array([3; 32]),
            quote_vault: Pubkey::new_from_array([4; 32]),
            lp_mint: Pubkey::new_from_array([5; 32]),
            fee_bps: 30,
            reserve_base: 10,
            reserve_quote: 20,
            bump: 255,
            base_vault_bump: 255,
            quote_vault_bump: 255,
            lp_mint_bump: 255,
        }
    }

    #[test]
    fn routes_both_directions() {
        let p = pool();
        assert_eq!(
            p.route(&p.base_mint, &p.quote_mint, &p.base_vault, &p.quote_vault).unwrap(),
            SwapDirection::BaseToQuote
        );
        assert_eq!(
            p.route(&p.quote_mint, &p.base_mint, &p.quote_vault, &p.base_vault).unwrap(),
            SwapDirection::QuoteToBase
        );
        assert_eq!(p.reserves_for(SwapDirection::BaseToQuote), (10, 20));
        assert_eq!(p.reserves_for(SwapDirection::QuoteToBase), (20, 10));
    }

    #[test]
    fn rejects_each_wrong_account() {
        let p = pool();
        let other = Pubkey::new_from_array([9; 32]);
        let code = |r: core::result::Result<SwapDirection, VenueError>| r.unwrap_err() as u32;
        assert_eq!(
            code(p.route(&other, &p.quote_mint, &p.base_vault, &p.quote_vault)),
            VenueError::SourceMintNotInPool as u32
        );
        assert_eq!(
            code(p.route(&p.base_mint, &p.base_mint, &p.base_vault, &p.quote_vault)),
            VenueError::DestinationMintMismatch as u32
        );
        assert_eq!(
            code(p.route(&p.base_mint, &p.quote_mint, &p.quote_vault, &p.base_vault)),
            VenueError::WrongVaultSource as u32
        );
        assert_eq!(
            code(p.route(&p.base_mint, &p.quote_mint, &p.base_vault, &other)),
            VenueError::WrongVaultDestination as u32
        );
        assert_eq!(
            code(p.route(&p.quote_mint, &p.base_mint, &other, &p.base_vault)),
            VenueError::WrongVaultSource as u32
        );
    }

    #[test]
    fn set_reserves_round_trips() {
        let mut p = pool();
        p.set_reserves_for(SwapDirection::QuoteToBase, 21, 9);
        assert_eq!((p.reserve_base, p.reserve_quote), (9, 21));
        p.set_reserves_for(SwapDirection::BaseToQuote, 11, 19);
        assert_eq!((p.reserve_base, p.reserve_quote), (11, 19));
    }
}
