//! One option series: strike, expiry, kind; its option-token mint; its
//! settlement.
use anchor_lang::prelude::*;
use options_math::{OptionKind, I80F48};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum Kind {
    Call,
    Put,
}

impl From<Kind> for OptionKind {
    fn from(k: Kind) -> OptionKind {
        match k {
            Kind::Call => OptionKind::Call,
            Kind::Put => OptionKind::Put,
        }
    }
}

impl Kind {
    pub fn seed(self) -> u8 {
        match self {
            Kind::Call => 0,
            Kind::Put => 1,
        }
    }

    pub fn from_seed(seed: u8) -> Option<Kind> {
        match seed {
            0 => Some(Kind::Call),
            1 => Some(Kind::Put),
            _ => None,
        }
    }
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum SeriesState {
    Live,
    Settled,
}

#[account]
#[derive(InitSpace, Debug)]
pub struct Series {
    pub pool: Pubkey,
    pub option_mint: Pubkey,
    pub kind: Kind,
    /// Strike in quote base units per whole underlying (as entered).
    pub strike_quote: u64,
    /// The same strike as I80F48 bits, quote whole units per whole unit.
    pub strike_bits: i128,
    pub expiry: i64,
    /// Slot in the pool's greek cache while live.
    pub cache_index: u8,
    pub bump: u8,
    pub state: SeriesState,
    /// Contracts the pool has written and not yet bought back or redeemed
    /// (always equal to the option mint's supply).
    pub open_interest: u64,
    /// Set at settlement (I80F48 bits): price, payoff per contract.
    pub settlement_price_bits: i128,
    pub payoff_per_contract_bits: i128,
    /// Quote still reserved for this series' holders.
    pub payout_remaining: u64,
    /// Layout version (SERIES_VERSION) and room for the next layout's fields.
    pub version: u8,
    pub reserved: [u8; 32],
}

impl Series {
    pub fn strike(&self) -> I80F48 {
        I80F48::from_bits(self.strike_bits)
    }

    pub fn payoff_per_contract(&self) -> I80F48 {
        I80F48::from_bits(self.payoff_per_contract_bits)
    }
}
