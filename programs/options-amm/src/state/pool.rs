//! The pool: one per (underlying, quote, creator). Holds the configuration, the
//! books (what its vaults should hold) and lifetime counters a dashboard
//! reads.
use super::params::PoolParams;
use super::price_memory::PriceMemory;
use crate::constants::{FEE_UNLOCK_S, POOL_SEED};
use anchor_lang::prelude::*;
use options_math::units::Decimals;

#[account]
#[derive(InitSpace, Debug)]
pub struct Pool {
    pub admin: Pubkey,
    /// Who created the pool: part of its address, so nobody can take a pair
    /// by creating its pool first (each creator has its own). Never changes,
    /// unlike the admin.
    pub creator: Pubkey,
    pub underlying_mint: Pubkey,
    pub quote_mint: Pubkey,
    pub lp_mint: Pubkey,
    pub quote_vault: Pubkey,
    pub hedge_vault: Pubkey,
    pub greek_cache: Pubkey,
    pub underlying_decimals: u8,
    pub quote_decimals: u8,
    pub bump: u8,
    /// PAUSE_* flags.
    pub paused: u8,
    pub params: PoolParams,

    /// Layout version (POOL_VERSION); `reserved` at the end is room for the
    /// next layout's fields, so adding one is not a migration.
    pub version: u8,
    /// Proposed by the admin (`propose_admin`); becomes the admin when it
    /// signs `accept_admin`. Default (all zeros) when none.
    pub pending_admin: Pubkey,
    /// May add pause flags and cancel a pending change, nothing else.
    /// Default when none.
    pub guardian: Pubkey,
    /// A change waiting for the timelock (`propose_pool_params`), and when
    /// it may be applied; `pending_eta` is 0 when nothing is pending.
    pub pending_params: PoolParams,
    pub pending_eta: i64,

    /// The books: what the quote and hedge vaults hold by the pool's own
    /// accounting. NAV is computed from these, not from the vault balances,
    /// so a donation to a vault cannot move the LP share price.
    pub quote_balance: u64,
    pub hedge_balance: u64,
    /// Quote owed to holders of settled, not yet redeemed options.
    pub reserved_payouts: u64,
    pub live_series: u8,
    pub last_rebalance_ts: i64,

    /// Lifetime counters (quote base units unless named otherwise).
    pub total_premiums: u64,
    pub total_fees: u64,
    pub total_payouts: u64,
    pub total_keeper_rewards: u64,
    pub rebalance_count: u64,

    /// Oracle clock and the prices used over the last age window.
    pub price_memory: PriceMemory,
    /// Trade fees not yet counted in the NAV a withdrawal is paid at: each
    /// fee unlocks linearly over FEE_UNLOCK_S, so liquidity that arrives
    /// just before a large trade and leaves just after it takes none of its
    /// fee (remaining amount as of `locked_fees_at`).
    pub locked_fees: u64,
    pub locked_fees_at: i64,

    pub reserved: [u8; POOL_RESERVED_BYTES],
}

/// Room left for the next layout's fields. It shrinks by what a layout adds
/// so the account's size stays the same: 128 in the first versioned layout;
/// 114 since hedge policy v2 (issue 17) added `HedgeConfig::retrace_bps`
/// (2 bytes) and the `CostBenefit` policy, whose 15-byte payload is 5 more
/// than the largest variant before it, to both `params` and
/// `pending_params` (2 x 7); 90 since risk-aware quotes (issue 18) added
/// `VolParams::relax_half_life_s` (4), `FeeConfig::hedge_fee_bps` and
/// `hedge_rebate_cap_bps` (4) and the two per-expiry caps of `RiskParams`
/// (4) to both (2 x 12); 86 since `OracleParams::settlement_grace_s` (2 x
/// 2).
pub const POOL_RESERVED_BYTES: usize = 86;

impl Pool {
    pub fn has_pending_change(&self) -> bool {
        self.pending_eta != 0
    }

    pub fn guardian_is(&self, key: &Pubkey) -> bool {
        self.guardian != Pubkey::default() && self.guardian == *key
    }

    pub fn decimals(&self) -> Decimals {
        Decimals { underlying: self.underlying_decimals, quote: self.quote_decimals }
    }

    pub fn is_paused(&self, flag: u8) -> bool {
        self.paused & flag != 0
    }

    /// Trade fees still locked at `now` (rounded up: the NAV a withdrawal
    /// is paid at never counts a fee too early).
    pub fn fees_still_locked(&self, now: i64) -> u64 {
        let elapsed = now.saturating_sub(self.locked_fees_at).clamp(0, FEE_UNLOCK_S);
        let remaining = (self.locked_fees as u128) * ((FEE_UNLOCK_S - elapsed) as u128);
        remaining.div_ceil(FEE_UNLOCK_S as u128) as u64
    }

    /// Lock a new fee: what is still locked plus the fee, unlocking from now.
    pub fn lock_fee(&mut self, fee: u64, now: i64) {
        self.locked_fees = self.fees_still_locked(now).saturating_add(fee);
        self.locked_fees_at = now;
    }

    /// Signer seeds of the pool PDA, which owns the vaults and mints.
    pub fn signer_seeds(&self) -> [&[u8]; 5] {
        [
            POOL_SEED,
            self.underlying_mint.as_ref(),
            self.quote_mint.as_ref(),
            self.creator.as_ref(),
            core::slice::from_ref(&self.bump),
        ]
    }
}

#[cfg(test)]
impl Pool {
    /// A pool with these parameters and books, for the rules' unit tests
    /// (9-decimal underlying, 6-decimal quote).
    pub(crate) fn for_tests(params: PoolParams, quote_balance: u64, hedge_balance: u64) -> Pool {
        Pool {
            admin: Pubkey::new_unique(),
            creator: Pubkey::new_unique(),
            underlying_mint: Pubkey::new_unique(),
            quote_mint: Pubkey::new_unique(),
            lp_mint: Pubkey::new_unique(),
            quote_vault: Pubkey::new_unique(),
            hedge_vault: Pubkey::new_unique(),
            greek_cache: Pubkey::new_unique(),
            underlying_decimals: 9,
            quote_decimals: 6,
            bump: 255,
            paused: 0,
            pending_params: params.clone(),
            params,
            version: crate::constants::POOL_VERSION,
            pending_admin: Pubkey::default(),
            guardian: Pubkey::default(),
            pending_eta: 0,
            quote_balance,
            hedge_balance,
            reserved_payouts: 0,
            live_series: 1,
            last_rebalance_ts: 0,
            total_premiums: 0,
            total_fees: 0,
            total_payouts: 0,
            total_keeper_rewards: 0,
            rebalance_count: 0,
            price_memory: PriceMemory::default(),
            locked_fees: 0,
            locked_fees_at: 0,
            reserved: [0; POOL_RESERVED_BYTES],
        }
    }
}

#[cfg(test)]
mod layout_tests {
    use super::*;
    use crate::state::params::tests::sane;

    /// The next layout takes its new fields from the front of `reserved`:
    /// the reserved bytes are the serialized account's tail and are zero, so
    /// an account written now reads under the next layout with the new
    /// fields zero, and `version` (1 here) tells a reader which it holds.
    #[test]
    fn the_reserved_bytes_are_the_accounts_zeroed_tail_and_the_version_is_set() {
        let pool = Pool::for_tests(sane(), 1, 2);
        assert_eq!(pool.version, crate::constants::POOL_VERSION);
        let mut bytes = Vec::new();
        pool.try_serialize(&mut bytes).unwrap();
        assert!(bytes.len() <= 8 + Pool::INIT_SPACE);
        let tail = &bytes[bytes.len() - POOL_RESERVED_BYTES..];
        assert!(tail.iter().all(|b| *b == 0));
        // a field carved from the reserved space, written by the next layout,
        // lands exactly there, and the current layout still reads the rest
        let mut next = bytes.clone();
        let at = next.len() - POOL_RESERVED_BYTES;
        next[at..at + 8].copy_from_slice(&42u64.to_le_bytes());
        let read = Pool::try_deserialize(&mut next.as_slice()).unwrap();
        assert_eq!(u64::from_le_bytes(read.reserved[..8].try_into().unwrap()), 42);
        assert_eq!((read.quote_balance, read.hedge_balance, read.params), (1, 2, pool.params));
    }

    /// New fields come out of `reserved`, so the account keeps the size
    /// every existing pool was created with (8 + 1,146 bytes since the
    /// first versioned layout).
    #[test]
    fn the_account_size_stays_what_the_first_versioned_layout_allocated() {
        assert_eq!(Pool::INIT_SPACE, POOL_INIT_SPACE_V1);
        // the largest policy and the largest everything is what INIT_SPACE counts
        let mut params = sane();
        params.hedge.policy = crate::state::params::HedgePolicyConfig::CostBenefit {
            cost_bps: u16::MAX,
            risk_aversion_ppm: u64::MAX,
            terminal_bps: u32::MAX,
            expiry_aware: true,
        };
        let pool = Pool::for_tests(params, 1, 2);
        let mut bytes = Vec::new();
        pool.try_serialize(&mut bytes).unwrap();
        assert_eq!(bytes.len(), 8 + Pool::INIT_SPACE);
    }

    const POOL_INIT_SPACE_V1: usize = 1146;
}
