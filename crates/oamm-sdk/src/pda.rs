//! Program-derived addresses of both programs.
use anchor_lang::prelude::Pubkey;
use options_amm::constants::*;
use options_amm::state::Kind;

fn find(seeds: &[&[u8]], program: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(seeds, program).0
}

/// Every account of one options pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolKeys {
    pub pool: Pubkey,
    pub underlying_mint: Pubkey,
    pub quote_mint: Pubkey,
    pub greek_cache: Pubkey,
    pub lp_mint: Pubkey,
    pub quote_vault: Pubkey,
    pub hedge_vault: Pubkey,
}

impl PoolKeys {
    /// The pool `creator` made for the pair (each creator has its own: the
    /// first caller cannot take a pair from everyone else).
    pub fn derive(underlying_mint: Pubkey, quote_mint: Pubkey, creator: Pubkey) -> PoolKeys {
        Self::derive_for(&options_amm::ID, underlying_mint, quote_mint, creator)
    }

    /// For a deployment of the program at another address.
    pub fn derive_for(program: &Pubkey, underlying_mint: Pubkey, quote_mint: Pubkey, creator: Pubkey) -> PoolKeys {
        let id = *program;
        let pool = find(&[POOL_SEED, underlying_mint.as_ref(), quote_mint.as_ref(), creator.as_ref()], &id);
        PoolKeys {
            pool,
            underlying_mint,
            quote_mint,
            greek_cache: find(&[GREEK_CACHE_SEED, pool.as_ref()], &id),
            lp_mint: find(&[LP_MINT_SEED, pool.as_ref()], &id),
            quote_vault: find(&[QUOTE_VAULT_SEED, pool.as_ref()], &id),
            hedge_vault: find(&[HEDGE_VAULT_SEED, pool.as_ref()], &id),
        }
    }
}

/// One series and its option mint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeriesKeys {
    pub series: Pubkey,
    pub option_mint: Pubkey,
}

impl SeriesKeys {
    pub fn derive(pool: &Pubkey, expiry: i64, strike_quote: u64, kind: Kind) -> SeriesKeys {
        Self::derive_for(&options_amm::ID, pool, expiry, strike_quote, kind)
    }

    pub fn derive_for(program: &Pubkey, pool: &Pubkey, expiry: i64, strike_quote: u64, kind: Kind) -> SeriesKeys {
        let id = *program;
        let series = find(
            &[SERIES_SEED, pool.as_ref(), &expiry.to_le_bytes(), &strike_quote.to_le_bytes(), &[kind.seed()]],
            &id,
        );
        SeriesKeys { series, option_mint: find(&[OPTION_MINT_SEED, series.as_ref()], &id) }
    }
}

/// Every account of one spot-venue pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VenueKeys {
    pub venue_pool: Pubkey,
    pub base_mint: Pubkey,
    pub quote_mint: Pubkey,
    pub base_vault: Pubkey,
    pub quote_vault: Pubkey,
    pub lp_mint: Pubkey,
}

impl VenueKeys {
    pub fn derive(base_mint: Pubkey, quote_mint: Pubkey) -> VenueKeys {
        use spot_venue::state::{LP_MINT_SEED as VLP, VAULT_SEED, VENUE_POOL_SEED};
        let id = spot_venue::ID;
        let venue_pool = find(&[VENUE_POOL_SEED, base_mint.as_ref(), quote_mint.as_ref()], &id);
        VenueKeys {
            venue_pool,
            base_mint,
            quote_mint,
            base_vault: find(&[VAULT_SEED, venue_pool.as_ref(), base_mint.as_ref()], &id),
            quote_vault: find(&[VAULT_SEED, venue_pool.as_ref(), quote_mint.as_ref()], &id),
            lp_mint: find(&[VLP, venue_pool.as_ref()], &id),
        }
    }
}
