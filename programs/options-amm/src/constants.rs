//! Seeds and fixed limits of the program.

pub const POOL_SEED: &[u8] = b"pool";
pub const GREEK_CACHE_SEED: &[u8] = b"greek_cache";
pub const LP_MINT_SEED: &[u8] = b"lp_mint";
pub const QUOTE_VAULT_SEED: &[u8] = b"quote_vault";
pub const HEDGE_VAULT_SEED: &[u8] = b"hedge_vault";
pub const SERIES_SEED: &[u8] = b"series";
pub const OPTION_MINT_SEED: &[u8] = b"option_mint";

pub const SECONDS_PER_YEAR: i64 = 365 * 86_400;
pub const BPS: u64 = 10_000;

/// Live series one pool's greek cache holds (and the most `refresh` prices).
pub const MAX_SERIES: usize = 32;
/// The most live series a pool may be configured for (`max_live_series`):
/// every instruction must fit Solana's 1,400,000 CU per transaction with at
/// least 20% to spare. With the SBF-cut kernels the costliest (a withdrawal,
/// which prices every series twice and runs the stress) measures 682k at 32
/// on the SBF build (sbf/cu-table.md: 51% to spare), so the cap is the
/// cache's whole capacity (it was 24 while a withdrawal at 32 took 1.21M).
pub const MAX_LIVE_SERIES: u8 = MAX_SERIES as u8;
/// Account layout versions (Pool.version, Series.version): 1 is the first
/// layout with a version byte and reserved space.
pub const POOL_VERSION: u8 = 1;
pub const SERIES_VERSION: u8 = 1;

/// Hard bounds no parameter change can pass (issue 16): what one admin key
/// can do to traders and LPs even with the timelock elapsed.
/// Option fee on the premium, bps.
pub const MAX_OPTION_FEE_BPS: u16 = 1_000;
/// Spot fee on the notional, bps.
pub const MAX_SPOT_FEE_BPS: u16 = 100;
/// The widest swap bound around the oracle a rebalance may accept, bps.
pub const MAX_SLIPPAGE_BPS: u16 = 500;
/// The keeper reward's variable part, and the whole reward of any one
/// rebalance (fixed part included, whatever the cap), in bps of the
/// swap's notional: a reward can never be more than this share of a swap
/// the hedge plan needed.
pub const MAX_KEEPER_REWARD_BPS: u16 = 50;
/// The shortest and longest timelock a pool may set.
pub const MIN_TIMELOCK_S: u32 = 3_600;
pub const MAX_TIMELOCK_S: u32 = 30 * 86_400;

/// Distinct live expiries (boards, each with its own base IV).
pub const MAX_BOARDS: usize = 16;

/// LP shares and quote the pool counts as if a phantom depositor had put
/// them in at creation (the ERC-4626 "virtual offset"). A first depositor
/// who donates to the pool shares the donation with the phantom, so
/// inflating the share price to round later depositors down costs more than
/// it can steal. 10^6 base units of each: 1 LP token per quote token.
pub const VIRTUAL_LP_SHARES: u64 = 1_000_000;
pub const VIRTUAL_QUOTE: u64 = 1_000_000;

/// Pause flags (bit set = paused).
pub const PAUSE_TRADING: u8 = 1;
pub const PAUSE_LP: u8 = 1 << 1;
pub const PAUSE_REBALANCE: u8 = 1 << 2;
pub const PAUSE_ALL: u8 = PAUSE_TRADING | PAUSE_LP | PAUSE_REBALANCE;

/// Longest settlement grace a pool may set (`OracleParams::
/// settlement_grace_s`). Within the grace the first settler chooses among
/// genuine updates: at 300 s and SOL's ~80% vol the best of them is on
/// average ~0.2% of price better than the one at expiry; accepting the whole
/// settlement window would let one pick the best price of an hour. Pyth's
/// sponsored feeds push about once a minute, so 90 s lets a keeper settle
/// from one with no Hermes access.
pub const MAX_SETTLEMENT_GRACE_S: u16 = 300;

/// Longest a series may run from listing to expiry. Every instruction that
/// values the pool reprices all live series, and the pricer is proven only
/// up to 100 years; a series it could not price would stop the whole pool.
pub const MAX_SERIES_LIFETIME_S: i64 = 5 * SECONDS_PER_YEAR;

/// The pool marks its book (NAV, greeks, hedge) at a time-smoothed IV per
/// series that follows the trading surface over this window (Lyra's GWAV
/// idea). Trades move the surface at once; within one second they cannot
/// move the mark, so buying to lift IV around a deposit or withdrawal
/// cannot shift NAV between LPs.
pub const MARK_IV_WINDOW_S: i64 = 3_600;

/// Trade fees reach the NAV a withdrawal is paid at linearly over this long
/// (Yearn's locked-profit idea): a deposit made just before a large trade
/// and withdrawn just after it earns none of that trade's fee.
pub const FEE_UNLOCK_S: i64 = 3_600;
