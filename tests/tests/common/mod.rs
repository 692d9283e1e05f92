//! Shared fixture of the options-program integration tests: a funded market
//! on the embedded bank, the pool's expected quote computed by the same
//! plain functions the handler runs, and the book-keeping invariants.
#![allow(dead_code)] // each test binary uses its own subset
#![allow(deprecated)]

use anchor_lang::prelude::Pubkey;
use anchor_lang::AccountDeserialize;
use oamm_sdk::bank::{Bank, BankResult};
use oamm_sdk::market::{Actor, Market, MarketConfig};
use oamm_sdk::pda::SeriesKeys;
use options_amm::error::OptionsError;
use options_amm::manager::hedge::{plan_capped, RebalancePlan};
use options_amm::manager::nav::{lp_nav, LpFlow};
use options_amm::manager::{lp, refresh_at_oracle, trade, Observation};
use options_amm::oracle::to_fixed;
use options_amm::state::{GreekCache, Pool};
use options_amm::state::{Series, SeriesState};
use options_math::amm::{Side, TradeQuote};
use options_math::units::Rounding;
use options_math::I80F48;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

pub const USDC: u64 = 1_000_000;
pub const SOL: u64 = 1_000_000_000;
/// 2027-01-15: the bank's clock at the start of every test.
pub const T0: i64 = 1_800_000_000;
pub const DAY: i64 = 86_400;
pub const HOUR: i64 = 3_600;

pub struct World {
    pub bank: Bank,
    pub m: Market,
    pub lp: Actor,
}

/// A SOL/USDC market at 150 with one LP who deposited `deposit` USDC.
pub async fn world_with(cfg: MarketConfig, deposit: u64) -> World {
    let mut bank = Bank::start(T0).await;
    let m = Market::create(&mut bank, &cfg).await.expect("market");
    let lp = m.new_actor(&mut bank, 2_000_000 * USDC).await.expect("lp");
    if deposit > 0 {
        m.deposit(&mut bank, &lp, deposit, 0).await.expect("first deposit");
    }
    World { bank, m, lp }
}

pub async fn world() -> World {
    world_with(MarketConfig::default(), 500_000 * USDC).await
}

pub fn code(e: OptionsError) -> u32 {
    e.into()
}

/// The transaction must fail with exactly this custom error code.
#[track_caller]
pub fn expect_code(r: BankResult<()>, expected: u32) {
    match r {
        Ok(()) => panic!("expected error {expected}, but the transaction succeeded"),
        Err(e) => {
            assert_eq!(e.code(), Some(expected), "expected error {expected}, got {e}\nlogs:\n{}", e.logs().join("\n"))
        }
    }
}

#[track_caller]
pub fn expect_err(r: BankResult<()>, expected: OptionsError) {
    expect_code(r, code(expected))
}

pub fn spot(m: &Market) -> I80F48 {
    to_fixed(m.spot_e8, -8).unwrap()
}

pub async fn price_update(w: &mut World) -> PriceUpdateV2 {
    let acc = w.bank.account(&w.m.oracle).await.unwrap().expect("the oracle account");
    PriceUpdateV2::try_deserialize(&mut acc.data.as_slice()).unwrap()
}

/// The pool and its cache as the program sees them in an instruction sent
/// now: refreshed at the posted update, with that update observed.
pub async fn observed(w: &mut World) -> (Pool, Box<GreekCache>, Observation) {
    let pool = w.m.pool(&mut w.bank).await.unwrap();
    let mut cache = w.m.cache(&mut w.bank).await.unwrap();
    let update = price_update(w).await;
    let seen = refresh_at_oracle(&pool, &mut cache, &update, w.bank.now()).unwrap();
    (pool, cache, seen)
}

/// The rebalance plan the program will execute now (same function, copied
/// state, the venue's hedge cap).
pub async fn expected_plan(w: &mut World) -> Result<RebalancePlan, anchor_lang::error::Error> {
    let venue = w.m.venue_pool(&mut w.bank).await.unwrap();
    let (pool, cache, seen) = observed(w).await;
    plan_capped(&pool, &cache, seen.spot, w.bank.now(), options_amm::venue::hedge_cap(&venue))
}

/// What the program will charge or pay for a trade submitted now: the same
/// plain functions the handler runs, on a copy of the on-chain state.
pub async fn expected_quote(w: &mut World, s: &SeriesKeys, side: Side, contracts: u64) -> TradeQuote {
    let series: Series = w.m.series(&mut w.bank, s).await.unwrap();
    let (pool, mut cache, seen) = observed(w).await;
    let slot = series.cache_index as usize;
    let priced_at = trade::trade_spot(GreekCache::entry_kind(&cache.entries[slot]).into(), side, seen.lo, seen.hi);
    trade::execute(&pool, &mut cache, slot, side, contracts, seen.spot, priced_at, w.bank.now()).unwrap()
}

/// NAV the program will see now, as a deposit (Up) or withdrawal (Down) is priced.
pub async fn expected_nav(w: &mut World, rounding: Rounding) -> u64 {
    let (pool, cache, seen) = observed(w).await;
    let flow = if rounding == Rounding::Up { LpFlow::Deposit } else { LpFlow::Withdrawal };
    lp_nav(&pool, &cache, seen.spot, seen.lo, seen.hi, w.bank.now(), flow).unwrap() as u64
}

/// The pool's NAV at the mark (no LP-flow adjustments), rounded down: what
/// the LPs' shares are worth, for invariants that compare before and after.
pub async fn mark_nav(w: &mut World) -> i128 {
    let (pool, cache, _) = observed(w).await;
    options_amm::manager::nav::pool_nav(&pool, &cache, Rounding::Down).unwrap()
}

pub async fn expected_shares(w: &mut World, amount: u64) -> u64 {
    let nav = expected_nav(w, Rounding::Up).await;
    let supply = w.bank.mint_supply(&w.m.keys.lp_mint).await.unwrap();
    lp::shares_for_deposit(amount, nav, supply).unwrap()
}

pub async fn expected_withdrawal(w: &mut World, shares: u64) -> u64 {
    let nav = expected_nav(w, Rounding::Down).await;
    let supply = w.bank.mint_supply(&w.m.keys.lp_mint).await.unwrap();
    lp::quote_for_shares(shares, nav, supply).unwrap()
}

pub async fn balance(bank: &mut Bank, account: Pubkey) -> u64 {
    bank.token_balance(&account).await.unwrap()
}

/// The accounting invariants: vaults hold exactly what the books say;
/// each series' option supply equals its open interest and, while live,
/// the greek cache's net short; the payout reserve is the sum of what
/// settled series still owe.
pub async fn check_books(w: &mut World, series: &[SeriesKeys]) {
    let pool = w.m.pool(&mut w.bank).await.unwrap();
    assert_eq!(balance(&mut w.bank, w.m.keys.quote_vault).await, pool.quote_balance, "quote vault vs books");
    assert_eq!(balance(&mut w.bank, w.m.keys.hedge_vault).await, pool.hedge_balance, "hedge vault vs books");
    let cache = w.m.cache(&mut w.bank).await.unwrap();
    let mut owed = 0;
    let mut live = 0;
    for s in series {
        let Some(acc) = w.bank.account(&s.series).await.unwrap() else { continue }; // closed
        let series: Series = anchor_lang::AccountDeserialize::try_deserialize(&mut acc.data.as_slice()).unwrap();
        let supply = w.bank.mint_supply(&s.option_mint).await.unwrap();
        assert_eq!(supply, series.open_interest, "option supply vs open interest");
        match series.state {
            SeriesState::Live => {
                live += 1;
                let e = &cache.entries[series.cache_index as usize];
                assert_eq!(e.series, s.series, "cache slot holds the series");
                assert_eq!(e.net_short, series.open_interest, "cache net short vs open interest");
            }
            SeriesState::Settled => owed += series.payout_remaining,
        }
    }
    assert_eq!(pool.reserved_payouts, owed, "reserved payouts vs what settled series owe");
    assert_eq!(cache.live_count(), live, "live series in the cache");
    assert_eq!(pool.live_series as usize, live, "live series in the pool");
}

/// `a` with one or more fields substituted.
pub fn with<T>(mut a: T, f: impl FnOnce(&mut T)) -> T {
    f(&mut a);
    a
}

/// The pool's own accounts plus `extra`: what a refused instruction must
/// leave untouched.
pub fn watch(w: &World, extra: &[Pubkey]) -> Vec<Pubkey> {
    let k = &w.m.keys;
    let mut v = vec![k.pool, k.greek_cache, k.quote_vault, k.hedge_vault, k.lp_mint, w.lp.quote, w.lp.lp];
    v.extend_from_slice(extra);
    v
}

/// `a`'s wallet accounts on this market plus its option account for each of `series`.
pub async fn wallet(w: &mut World, a: &mut Actor, series: &[SeriesKeys]) -> Vec<Pubkey> {
    let mut v = vec![a.quote, a.lp, a.underlying];
    for s in series {
        v.push(w.m.option_account(&mut w.bank, a, s).await.unwrap());
        v.extend([s.series, s.option_mint]);
    }
    v
}

/// The whole state (lamports, owner, data) of each of `keys`; `None` when
/// the account does not exist. With `assert_unchanged`, proves a refused
/// transaction left no trace.
pub async fn snapshot(bank: &mut Bank, keys: &[Pubkey]) -> Vec<Option<solana_sdk::account::Account>> {
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        out.push(bank.account(k).await.unwrap());
    }
    out
}

/// Every account of `keys` is byte for byte what `before` recorded.
pub async fn assert_unchanged(bank: &mut Bank, keys: &[Pubkey], before: &[Option<solana_sdk::account::Account>]) {
    let after = snapshot(bank, keys).await;
    for ((k, b), a) in keys.iter().zip(before).zip(&after) {
        match (b, a) {
            (Some(b), Some(a)) => {
                assert_eq!((b.lamports, b.owner), (a.lamports, a.owner), "account {k}: lamports or owner changed");
                let first_diff = b.data.iter().zip(&a.data).position(|(x, y)| x != y);
                assert!(
                    b.data.len() == a.data.len() && first_diff.is_none(),
                    "account {k}: data changed (first difference at byte {first_diff:?})"
                );
            }
            (b, a) => assert_eq!(b.is_some(), a.is_some(), "account {k}: existence changed"),
        }
    }
}

/// `$call` (an awaited `BankResult<()>`) must fail with custom error code
/// `$code` and leave every account in `$watch` exactly as it was.
#[macro_export]
macro_rules! refused {
    ($bank:expr, $watch:expr, $code:expr, $call:expr) => {{
        let watch: Vec<::anchor_lang::prelude::Pubkey> = $watch;
        let before = $crate::common::snapshot(&mut $bank, &watch).await;
        $crate::common::expect_code($call, $code);
        $crate::common::assert_unchanged(&mut $bank, &watch, &before).await;
    }};
}
