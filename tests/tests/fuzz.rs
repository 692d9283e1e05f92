//! Invariant fuzzing: proptest draws random sequences of deposits,
//! withdrawals, buys, sells, redemptions, price moves (a new Pyth update
//! after a clock warp, the venue arbitraged to it), bare clock warps,
//! rebalances, expiries and settlements, with random actors and amounts
//! from one base unit to u64::MAX, and runs them against the real programs
//! in solana-program-test's bank.
//!
//! Every operation is first PREDICTED with the program's own rules on a
//! copy of the fetched state (oracle checks, trade rules, LP maths, hedge
//! plan), in the handler's order; the bank must then agree exactly: the
//! same error code, or success with exactly the predicted token movements.
//! After every operation:
//! - token conservation: per mint, supply minus every known account's
//!   balance stays what it was at the start (nothing minted, burned or moved
//!   where nobody looks), and the pool's books equal its vaults;
//! - option supply = open interest = the cache's net short, reserved
//!   payouts = what settled series still owe (`check_books`);
//! - an accepted deposit or withdrawal never lowers the value of a share
//!   (exact fraction, NAV and virtual offsets);
//! - an accepted buy, sell or withdrawal leaves the solvency headroom >= 0
//!   or no worse than before (the program's own `headroom`), and the
//!   stressed surplus the program computes matches an INDEPENDENT integer
//!   evaluation at every kink and a dense grid;
//! - an accepted operation never spends quote owed to settled holders;
//! - a refused operation changed no account at all.
//!
//! At the end of each sequence every series is expired and settled, the
//! pool rebalanced until nothing is due, and every holder redeems: each
//! redemption must be paid unless the pool is out of hedge and quote both.
//!
//! Cases: `OAMM_FUZZ_CASES` (default 200), up to 40 operations each. A
//! failing sequence is shrunk by proptest and printed as a list of `Op`s.
#![allow(deprecated)] // solana-program-test marks its API "unstable" from 4.0; 3.1 is what we pin.
mod common;

use anchor_lang::prelude::Pubkey;
use anchor_lang::AccountDeserialize;
use common::*;
use oamm_sdk::bank::{Bank, BankResult};
use oamm_sdk::ix::{self, data};
use oamm_sdk::market::{Actor, Market};
use oamm_sdk::pda::SeriesKeys;
use oamm_sdk::pyth::PriceObservation;
use options_amm::constants::{BPS, VIRTUAL_LP_SHARES, VIRTUAL_QUOTE};
use options_amm::error::OptionsError;
use options_amm::manager::hedge::{keeper_reward, plan_capped, HedgeSide};
use options_amm::manager::nav::{lp_nav, pool_nav, Balances, LpFlow};
use options_amm::manager::settlement::{redemption, settle};
use options_amm::manager::solvency::{headroom, max_quote_out, min_stressed_surplus, positions};
use options_amm::manager::{lp, refresh_at_oracle, require_settled_expiries, trade};
use options_amm::oracle::{read_price, Freshness};
use options_amm::state::{GreekCache, Kind, Pool, Series, SeriesState};
use options_math::amm::Side;
use options_math::units::Rounding;
use proptest::prelude::*;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use std::collections::HashMap;
use std::fmt;

const ACTORS: usize = 4;
/// near 150 call, near 140 put (2 days), far 160 call (9 days)
const SERIES: [(u64, i64, Kind); 3] =
    [(150, 2 * DAY, Kind::Call), (140, 2 * DAY, Kind::Put), (160, 9 * DAY, Kind::Call)];

// ---------------------------------------------------------------- operations

/// An amount as a test author would write it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Amt {
    Zero,
    /// Base units (dust).
    Base(u64),
    /// Whole tokens: USDC, LP tokens or contracts.
    Whole(u64),
    /// This percentage of what the actor holds (of a buy: of 100 contracts).
    Pct(u64),
    /// Everything the actor holds of it.
    All,
    Max,
}

impl fmt::Debug for Amt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Amt::Zero => write!(f, "0"),
            Amt::Base(n) => write!(f, "{n} base units"),
            Amt::Whole(n) => write!(f, "{n} whole"),
            Amt::Pct(p) => write!(f, "{p}% of holdings"),
            Amt::All => write!(f, "all held"),
            Amt::Max => write!(f, "u64::MAX"),
        }
    }
}

/// The user's slippage bound on a trade or LP flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bound {
    /// No bound (max cost u64::MAX, min out 0).
    Loose,
    /// Exactly the predicted amount: must pass.
    Exact,
    /// One unit tighter than the predicted amount: must be refused.
    OneTooTight,
}

#[derive(Clone, Debug)]
enum Op {
    Deposit {
        who: usize,
        amount: Amt,
        bound: Bound,
    },
    Withdraw {
        who: usize,
        lp: Amt,
        bound: Bound,
    },
    Buy {
        who: usize,
        series: usize,
        contracts: Amt,
        bound: Bound,
    },
    Sell {
        who: usize,
        series: usize,
        contracts: Amt,
        bound: Bound,
    },
    Redeem {
        who: usize,
        series: usize,
        contracts: Amt,
    },
    /// Clock forward, a new Pyth update at price x (1 + bps/10^4), venue arbitraged to it.
    PriceMove {
        bps: i32,
        after_s: i64,
    },
    /// Clock forward with no new update (the oracle may go stale).
    Wait {
        s: i64,
    },
    Rebalance {
        keeper: usize,
    },
    /// Clock to just past this series' expiry (fresh update), then settle it.
    Expire {
        series: usize,
        past_s: i64,
    },
    Settle {
        series: usize,
    },
    /// Clock to just past this series' expiry (fresh update), nobody settles.
    Lapse {
        series: usize,
        past_s: i64,
    },
    /// Price the following operations with the other genuine update alive:
    /// the feed's previous one (or back to the latest).
    FlipUpdate,
}

fn amt() -> impl Strategy<Value = Amt> {
    prop_oneof![
        1 => Just(Amt::Zero),
        3 => (1u64..=1_000).prop_map(Amt::Base),
        10 => (1u64..=300).prop_map(Amt::Whole),
        2 => (300u64..=20_000).prop_map(Amt::Whole),
        6 => (1u64..=100).prop_map(Amt::Pct),
        3 => Just(Amt::All),
        1 => Just(Amt::Max),
    ]
}

fn bound() -> impl Strategy<Value = Bound> {
    prop_oneof![6 => Just(Bound::Loose), 1 => Just(Bound::Exact), 1 => Just(Bound::OneTooTight)]
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0..ACTORS;
    let series = 0..SERIES.len();
    prop_oneof![
        4 => (who.clone(), amt(), bound()).prop_map(|(who, amount, bound)| Op::Deposit { who, amount, bound }),
        3 => (who.clone(), amt(), bound()).prop_map(|(who, lp, bound)| Op::Withdraw { who, lp, bound }),
        8 => (who.clone(), series.clone(), amt(), bound()).prop_map(|(who, series, contracts, bound)| Op::Buy { who, series, contracts, bound }),
        4 => (who.clone(), series.clone(), amt(), bound()).prop_map(|(who, series, contracts, bound)| Op::Sell { who, series, contracts, bound }),
        2 => (who.clone(), series.clone(), amt()).prop_map(|(who, series, contracts)| Op::Redeem { who, series, contracts }),
        // a third of the moves land inside the oracle age window, so the
        // replaced update is still alive (and usable) next to the new one
        5 => (prop_oneof![8 => -1_500i32..=1_500, 1 => -5_000i32..=5_000], prop_oneof![2 => 1i64..=6 * HOUR, 1 => 1i64..=50])
            .prop_map(|(bps, after_s)| Op::PriceMove { bps, after_s }),
        1 => (1i64..=120).prop_map(|s| Op::Wait { s }),
        4 => who.clone().prop_map(|keeper| Op::Rebalance { keeper }),
        1 => (series.clone(), 0i64..=600).prop_map(|(series, past_s)| Op::Expire { series, past_s }),
        1 => series.clone().prop_map(|series| Op::Settle { series }),
        1 => (series, 0i64..=600).prop_map(|(series, past_s)| Op::Lapse { series, past_s }),
        3 => Just(Op::FlipUpdate),
    ]
}

// ---------------------------------------------------------------- harness

#[derive(Default, Debug, Clone)]
struct Stats {
    ops: u64,
    accepted: u64,
    refused: u64,
    rebalances: u64,
    settlements: u64,
    redemptions_paid: u64,
    /// Sequences that ended with settled holders owed more quote than the
    /// pool holds and no hedge left: it lost more than it had.
    insolvent_endings: u64,
    /// Sequences that ended with payouts waiting on a hedge sale the venue
    /// cannot fill inside the slippage bound.
    payouts_waiting_on_venue: u64,
    /// Refusals by error code.
    refusals: std::collections::BTreeMap<u32, u64>,
}

struct Fuzz {
    bank: Bank,
    m: Market,
    actors: Vec<Actor>,
    arb: Actor,
    series: Vec<SeriesKeys>,
    expiries: Vec<i64>,
    /// Where the covering update of an expiry is posted for settlement (as a
    /// keeper would fetch it from Hermes).
    settle_oracle: Pubkey,
    /// The feed's previous update, still genuine and (within the age window)
    /// still usable: several updates are alive at once on a pull oracle.
    older_oracle: Pubkey,
    /// Pricing operations pass `older_oracle` instead of the latest.
    use_older: bool,
    /// Every update of the feed: (publish_time, price_e8), in time order.
    history: Vec<(i64, i64)>,
    /// Per mint: supply minus the known accounts' balances (the venue LP's
    /// untouched leftovers); must never change.
    unknown: HashMap<Pubkey, i128>,
    stats: Stats,
}

/// What an operation should do, by the program's own rules.
type Prediction = Result<Effect, u32>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// Buy/sell: quote the trader pays (buy) or receives (sell), contracts.
    Trade {
        total: u64,
        contracts: u64,
    },
    Deposit {
        quote: u64,
        shares: u64,
    },
    Withdraw {
        shares: u64,
        quote: u64,
    },
    Redeem {
        contracts: u64,
        payout: u64,
    },
    Settle {
        reserve: u64,
    },
    Rebalance {
        side: HedgeSide,
        underlying: u64,
    },
}

fn err_code(e: anchor_lang::error::Error) -> u32 {
    match e {
        anchor_lang::error::Error::AnchorError(a) => a.error_code_number,
        other => panic!("the program's rules returned a non-Anchor error: {other:?}"),
    }
}

fn c(e: OptionsError) -> u32 {
    e.into()
}

impl Fuzz {
    async fn new() -> Fuzz {
        let World { mut bank, m, lp } = world().await;
        let mut series = Vec::new();
        let mut expiries = Vec::new();
        for (strike, days, kind) in SERIES {
            let expiry = T0 + days;
            series.push(m.list_series(&mut bank, strike * USDC, expiry, kind).await.unwrap());
            expiries.push(expiry);
        }
        let mut actors = vec![lp];
        actors.push(m.new_actor(&mut bank, 1_000_000 * USDC).await.unwrap());
        actors.push(m.new_actor(&mut bank, 1_000_000 * USDC).await.unwrap());
        // a whale: ten billion USDC, for the extremes
        actors.push(m.new_actor(&mut bank, 10_000_000_000 * USDC).await.unwrap());
        for a in actors.iter_mut() {
            for s in &series {
                m.option_account(&mut bank, a, s).await.unwrap();
            }
        }
        let arb = m.new_actor(&mut bank, 0).await.unwrap();
        let settle_oracle = Pubkey::new_unique();
        let older_oracle = Pubkey::new_unique();
        let history = vec![(bank.now(), m.spot_e8)];
        let mut f = Fuzz {
            bank,
            m,
            actors,
            arb,
            series,
            expiries,
            settle_oracle,
            older_oracle,
            use_older: false,
            history,
            unknown: HashMap::new(),
            stats: Stats::default(),
        };
        f.unknown = f.unknown_per_mint().await;
        f
    }

    fn mints(&self) -> Vec<Pubkey> {
        let k = &self.m.keys;
        let mut v = vec![k.quote_mint, k.underlying_mint, k.lp_mint];
        v.extend(self.series.iter().map(|s| s.option_mint));
        v
    }

    /// Every token account the test knows, with its mint.
    fn known_token_accounts(&self) -> Vec<(Pubkey, Pubkey)> {
        let k = &self.m.keys;
        let v = &self.m.venue;
        let mut out = vec![
            (k.quote_vault, k.quote_mint),
            (k.hedge_vault, k.underlying_mint),
            (v.quote_vault, k.quote_mint),
            (v.base_vault, k.underlying_mint),
            (self.arb.quote, k.quote_mint),
            (self.arb.underlying, k.underlying_mint),
        ];
        for a in &self.actors {
            out.extend([(a.quote, k.quote_mint), (a.underlying, k.underlying_mint), (a.lp, k.lp_mint)]);
            for s in &self.series {
                out.push((a.options[&s.option_mint], s.option_mint));
            }
        }
        out
    }

    async fn unknown_per_mint(&mut self) -> HashMap<Pubkey, i128> {
        let mut out = HashMap::new();
        for mint in self.mints() {
            out.insert(mint, self.bank.mint_supply(&mint).await.unwrap() as i128);
        }
        for (acct, mint) in self.known_token_accounts() {
            *out.get_mut(&mint).unwrap() -= self.bank.token_balance(&acct).await.unwrap() as i128;
        }
        out
    }

    /// Accounts a refused operation must leave untouched.
    fn watched(&self) -> Vec<Pubkey> {
        let k = &self.m.keys;
        let mut v = vec![k.pool, k.greek_cache, k.lp_mint, self.m.venue.venue_pool];
        for s in &self.series {
            v.extend([s.series, s.option_mint]);
        }
        v.extend(self.known_token_accounts().into_iter().map(|(a, _)| a));
        v
    }

    async fn pool(&mut self) -> Pool {
        self.m.pool(&mut self.bank).await.unwrap()
    }

    async fn cache(&mut self) -> Box<GreekCache> {
        self.m.cache(&mut self.bank).await.unwrap()
    }

    async fn series_state(&mut self, i: usize) -> Series {
        self.m.series(&mut self.bank, &self.series[i]).await.unwrap()
    }

    async fn oracle(&mut self, key: Pubkey) -> PriceUpdateV2 {
        let acc = self.bank.account(&key).await.unwrap().unwrap();
        PriceUpdateV2::try_deserialize(&mut acc.data.as_slice()).unwrap()
    }

    async fn bal(&mut self, acct: Pubkey) -> u64 {
        self.bank.token_balance(&acct).await.unwrap()
    }

    fn resolve(&self, a: Amt, whole: u64, held: u64) -> u64 {
        match a {
            Amt::Zero => 0,
            Amt::Base(n) => n,
            Amt::Whole(n) => n.saturating_mul(whole),
            Amt::Pct(p) => (held as u128 * p as u128 / 100) as u64,
            Amt::All => held,
            Amt::Max => u64::MAX,
        }
    }

    // ------------------------------------------------------------ time and price

    /// Move the clock, recording an update at each expiry crossed (a live
    /// feed publishes every few hundred ms; the one at the expiry instant is
    /// what settles it).
    fn warp_to(&mut self, t: i64) {
        let now = self.bank.now();
        let last_price = self.history.last().unwrap().1;
        let mut crossed: Vec<i64> = self.expiries.iter().copied().filter(|&e| now < e && e <= t).collect();
        crossed.sort();
        crossed.dedup();
        for e in crossed {
            if self.history.last().unwrap().0 < e {
                self.history.push((e, last_price));
            }
        }
        self.bank.set_time(t);
    }

    /// The price account pricing operations pass now.
    fn price_key(&self) -> Pubkey {
        if self.use_older {
            self.older_oracle
        } else {
            self.m.oracle
        }
    }

    async fn post(&mut self, price_e8: i64) {
        let now = self.bank.now();
        // the update being replaced stays alive in its own account
        if let Some(prev) = self.bank.account(&self.m.oracle).await.unwrap() {
            self.bank.set_account(&self.older_oracle, prev);
        }
        self.m.post_price(&mut self.bank, price_e8);
        if self.history.last().unwrap().0 < now {
            self.history.push((now, price_e8));
        } else {
            self.history.last_mut().unwrap().1 = price_e8;
        }
        self.m.align_venue(&mut self.bank, &self.arb).await.unwrap();
    }

    /// Put the update covering `expiry` (prev < expiry <= publish) in the
    /// settlement oracle account, if the feed has published one yet.
    fn post_covering_update(&mut self, expiry: i64) {
        let Some(i) = self.history.iter().position(|&(t, _)| t >= expiry) else { return };
        let (publish, price) = self.history[i];
        let prev = if i > 0 { self.history[i - 1].0 } else { publish - 1 };
        let o = PriceObservation { prev_publish_time: prev, ..PriceObservation::new(self.m.feed_id, price, publish) };
        self.bank.set_price(&self.settle_oracle, &o);
    }

    // ------------------------------------------------------------ predictions

    async fn predict_trade(
        &mut self,
        side: Side,
        who: usize,
        si: usize,
        contracts: u64,
        bound: Bound,
    ) -> (Prediction, u64) {
        let pool = self.pool().await;
        let mut cache = self.cache().await;
        let series = self.series_state(si).await;
        let update = self.oracle(self.price_key()).await;
        let now = self.bank.now();
        let a = &self.actors[who];
        let (quote_acct, opt_acct) = (a.quote, a.options[&self.series[si].option_mint]);
        let (quote_held, opt_held) = (self.bal(quote_acct).await, self.bal(opt_acct).await);
        let mut rules = || -> anchor_lang::Result<options_math::amm::TradeQuote> {
            if side == Side::Sell && opt_held < contracts {
                return Err(OptionsError::InsufficientFunds.into());
            }
            if series.state != SeriesState::Live {
                return Err(OptionsError::SeriesNotLive.into());
            }
            let slot = series.cache_index as usize;
            let seen = refresh_at_oracle(&pool, &mut cache, &update, now)?;
            require_settled_expiries(&cache, now)?;
            let kind = GreekCache::entry_kind(&cache.entries[slot]).into();
            let priced_at = trade::trade_spot(kind, side, seen.lo, seen.hi);
            trade::execute(&pool, &mut cache, slot, side, contracts, seen.spot, priced_at, now)
        };
        let q = match rules() {
            Ok(q) => q,
            Err(e) => return (Err(err_code(e)), 0),
        };
        let limit = match (side, bound) {
            (Side::Buy, Bound::Loose) => u64::MAX,
            (Side::Sell, Bound::Loose) => 0,
            (_, Bound::Exact) => q.total,
            (Side::Buy, Bound::OneTooTight) => q.total.saturating_sub(1),
            (Side::Sell, Bound::OneTooTight) => q.total.saturating_add(1),
        };
        let pass = match side {
            Side::Buy => q.total <= limit,
            Side::Sell => q.total >= limit,
        };
        if !pass {
            return (Err(c(OptionsError::SlippageExceeded)), limit);
        }
        if side == Side::Buy && quote_held < q.total {
            return (Err(c(OptionsError::InsufficientFunds)), limit);
        }
        (Ok(Effect::Trade { total: q.total, contracts }), limit)
    }

    async fn predict_deposit(&mut self, who: usize, amount: u64, bound: Bound) -> (Prediction, u64) {
        let pool = self.pool().await;
        let mut cache = self.cache().await;
        let update = self.oracle(self.price_key()).await;
        let supply = self.bank.mint_supply(&self.m.keys.lp_mint).await.unwrap();
        let held = self.bal(self.actors[who].quote).await;
        let now = self.bank.now();
        if amount == 0 {
            return (Err(c(OptionsError::ZeroAmount)), 0);
        }
        if held < amount {
            return (Err(c(OptionsError::InsufficientFunds)), 0);
        }
        let seen = match refresh_at_oracle(&pool, &mut cache, &update, now)
            .and_then(|seen| require_settled_expiries(&cache, now).map(|_| seen))
        {
            Ok(seen) => seen,
            Err(e) => return (Err(err_code(e)), 0),
        };
        let nav = lp_nav(&pool, &cache, seen.spot, seen.lo, seen.hi, now, LpFlow::Deposit).expect("nav");
        if nav < 0 {
            return (Err(c(OptionsError::PoolInsolvent)), 0);
        }
        let Ok(shares) = lp::shares_for_deposit(amount, nav as u64, supply) else {
            return (Err(c(OptionsError::AmountTooLarge)), 0);
        };
        if shares == 0 {
            return (Err(c(OptionsError::DepositTooSmall)), 0);
        }
        let min = match bound {
            Bound::Loose => 0,
            Bound::Exact => shares,
            Bound::OneTooTight => shares + 1,
        };
        if shares < min {
            return (Err(c(OptionsError::SlippageExceeded)), min);
        }
        (Ok(Effect::Deposit { quote: amount, shares }), min)
    }

    async fn predict_withdraw(&mut self, who: usize, shares: u64, bound: Bound) -> (Prediction, u64) {
        let pool = self.pool().await;
        let mut cache = self.cache().await;
        let update = self.oracle(self.price_key()).await;
        let supply = self.bank.mint_supply(&self.m.keys.lp_mint).await.unwrap();
        let held = self.bal(self.actors[who].lp).await;
        let now = self.bank.now();
        if shares == 0 {
            return (Err(c(OptionsError::ZeroAmount)), 0);
        }
        if held < shares {
            return (Err(c(OptionsError::InsufficientFunds)), 0);
        }
        let seen = match refresh_at_oracle(&pool, &mut cache, &update, now)
            .and_then(|seen| require_settled_expiries(&cache, now).map(|_| seen))
        {
            Ok(seen) => seen,
            Err(e) => return (Err(err_code(e)), 0),
        };
        let spot = seen.spot;
        let nav = lp_nav(&pool, &cache, spot, seen.lo, seen.hi, now, LpFlow::Withdrawal).expect("nav");
        if nav <= 0 {
            return (Err(c(OptionsError::PoolInsolvent)), 0);
        }
        let r = &pool.params.risk;
        let room = headroom(
            Balances::of(&pool),
            spot,
            r.max_move_bps,
            r.solvency_reserve_bps,
            &positions(&cache, now, r),
            pool.decimals(),
        )
        .unwrap();
        let quote = lp::quote_for_shares(shares, nav as u64, supply).unwrap();
        if quote == 0 {
            return (Err(c(OptionsError::ZeroAmount)), 0);
        }
        let cash = pool.quote_balance.saturating_sub(pool.reserved_payouts);
        let can_leave = max_quote_out(room, r.solvency_reserve_bps).min(cash);
        if quote > can_leave {
            let e = if quote > cash {
                OptionsError::InsufficientQuoteInVault
            } else {
                OptionsError::WithdrawalExceedsSolvency
            };
            return (Err(c(e)), 0);
        }
        let min = match bound {
            Bound::Loose => 0,
            Bound::Exact => quote,
            Bound::OneTooTight => quote + 1,
        };
        if quote < min {
            return (Err(c(OptionsError::SlippageExceeded)), min);
        }
        (Ok(Effect::Withdraw { shares, quote }), min)
    }

    async fn predict_redeem(&mut self, who: usize, si: usize, contracts: u64) -> Prediction {
        let pool = self.pool().await;
        let series = self.series_state(si).await;
        let held = self.bal(self.actors[who].options[&self.series[si].option_mint]).await;
        if contracts == 0 {
            return Err(c(OptionsError::ZeroAmount));
        }
        if held < contracts {
            return Err(c(OptionsError::InsufficientFunds));
        }
        if series.state != SeriesState::Settled {
            return Err(c(OptionsError::SeriesNotSettled));
        }
        let payout = redemption(series.payoff_per_contract(), contracts, pool.decimals()).unwrap();
        if payout > pool.quote_balance {
            return Err(c(OptionsError::InsufficientQuoteInVault));
        }
        Ok(Effect::Redeem { contracts, payout })
    }

    async fn predict_settle(&mut self, si: usize) -> Prediction {
        let pool = self.pool().await;
        let series = self.series_state(si).await;
        let now = self.bank.now();
        // Anchor loads the price account before the handler runs
        let Some(acc) = self.bank.account(&self.settle_oracle).await.unwrap() else {
            return Err(anchor_lang::error::ErrorCode::AccountNotInitialized.into());
        };
        if series.state != SeriesState::Live {
            return Err(c(OptionsError::SeriesAlreadySettled));
        }
        if now < series.expiry {
            return Err(c(OptionsError::SeriesNotExpired));
        }
        let cache = self.cache().await;
        let board = &cache.boards[cache.entries[series.cache_index as usize].board as usize];
        let spot = if board.settled != 0 {
            board.settlement_price.get()
        } else {
            let update = PriceUpdateV2::try_deserialize(&mut acc.data.as_slice()).unwrap();
            read_price(&update, &pool.params.oracle, Freshness::Settlement { expiry: series.expiry })
                .map_err(err_code)?
                .spot
        };
        let s = settle(series.kind.into(), series.strike(), spot, series.open_interest, pool.decimals()).unwrap();
        Ok(Effect::Settle { reserve: s.reserve })
    }

    async fn predict_rebalance(&mut self) -> Prediction {
        let pool = self.pool().await;
        let mut cache = self.cache().await;
        let update = self.oracle(self.price_key()).await;
        let now = self.bank.now();
        let venue = self.m.venue_pool(&mut self.bank).await.unwrap();
        let spot = refresh_at_oracle(&pool, &mut cache, &update, now).map_err(err_code)?.spot;
        require_settled_expiries(&cache, now).map_err(err_code)?;
        let p = plan_capped(&pool, &cache, spot, now, options_amm::venue::hedge_cap(&venue)).map_err(err_code)?;
        options_amm::venue::check_quote(&venue, &p).map_err(err_code)?;
        Ok(Effect::Rebalance { side: p.side, underlying: p.underlying })
    }

    // ------------------------------------------------------------ invariants

    /// (NAV + virtual quote, supply + virtual shares) at the current oracle, NAV at the mark rounded down.
    async fn share_value(&mut self) -> Option<(i128, i128)> {
        let pool = self.pool().await;
        let mut cache = self.cache().await;
        let update = self.oracle(self.price_key()).await;
        refresh_at_oracle(&pool, &mut cache, &update, self.bank.now()).ok()?;
        // at the mark: deposits pay at least this, withdrawals get at most it
        let nav = pool_nav(&pool, &cache, Rounding::Down).ok()?;
        let supply = self.bank.mint_supply(&self.m.keys.lp_mint).await.unwrap() as i128;
        Some((nav + VIRTUAL_QUOTE as i128, supply + VIRTUAL_LP_SHARES as i128))
    }

    /// The program's headroom on the current state, refreshed at the oracle.
    async fn headroom_now(&mut self) -> Option<i128> {
        let pool = self.pool().await;
        let mut cache = self.cache().await;
        let update = self.oracle(self.price_key()).await;
        let now = self.bank.now();
        let spot = refresh_at_oracle(&pool, &mut cache, &update, now).ok()?.spot;
        let r = &pool.params.risk;
        headroom(
            Balances::of(&pool),
            spot,
            r.max_move_bps,
            r.solvency_reserve_bps,
            &positions(&cache, now, r),
            pool.decimals(),
        )
        .ok()
    }

    async fn check_conservation(&mut self, context: &str) {
        let now = self.unknown_per_mint().await;
        for (mint, unknown) in &self.unknown {
            assert_eq!(
                now[mint], *unknown,
                "{context}: tokens of mint {mint} appeared or vanished outside the known accounts"
            );
        }
    }

    /// The stressed surplus, evaluated independently in integers (prices in
    /// 1e-8 quote units, as the feed publishes them; shocks z in 1e-12), must
    /// agree with the program's `min_stressed_surplus` at the kinks, and no
    /// point of a dense grid of shocks may be lower than the program's
    /// minimum. The per-position stress moves are the program's own.
    async fn check_solvency_maths(&mut self, context: &str) {
        let pool = self.pool().await;
        let cache = self.cache().await;
        let now = self.bank.now();
        let s_e8 = self.m.spot_e8 as i128;
        let spot = options_amm::oracle::to_fixed(self.m.spot_e8, -8).unwrap();
        let r = &pool.params.risk;
        let program = min_stressed_surplus(
            Balances::of(&pool),
            spot,
            r.max_move_bps,
            &positions(&cache, now, r),
            pool.decimals(),
        )
        .unwrap();
        const Z_ONE: i128 = 1_000_000_000_000; // 1e-12 resolution of z and of the moves
        let to_z = |x: options_math::I80F48| (x * options_math::I80F48::from_num(Z_ONE)).round().to_num::<i128>();
        // quote base units = price_e8 x amount_base / (10^8 / 10^qd x 10^ud)
        let scale = 10i128.pow(8 - pool.quote_decimals as u32) * 10i128.pow(pool.underlying_decimals as u32);
        let pos: Vec<(Kind, i128, i128, i128)> = positions(&cache, now, r)
            .into_iter()
            .map(|p| {
                let kind = if p.kind == options_math::OptionKind::Call { Kind::Call } else { Kind::Put };
                let strike_e8 = (p.strike * options_math::I80F48::from_num(100_000_000)).round().to_num::<i128>();
                (kind, strike_e8, p.net_short as i128, to_z(p.stress_move))
            })
            .collect();
        let hedge_m = r.max_move_bps as i128 * Z_ONE / BPS as i128;
        let shocked = |z: i128, m: i128| (s_e8 * (Z_ONE * Z_ONE + z * m) / (Z_ONE * Z_ONE)).max(0);
        let surplus = |z: i128| -> i128 {
            let mut v = pool.quote_balance as i128
                + (pool.hedge_balance as i128 * shocked(z, hedge_m)).div_euclid(scale)
                - pool.reserved_payouts as i128;
            for &(kind, k, n, m) in &pos {
                let x = shocked(z, m);
                let payoff = match kind {
                    Kind::Call => (x - k).max(0),
                    Kind::Put => (k - x).max(0),
                };
                v -= (payoff * n + scale - 1).div_euclid(scale);
            }
            v
        };
        let mut kinks = vec![-Z_ONE, Z_ONE];
        for &(_, k, _, m) in &pos {
            for z in [(k - s_e8) * Z_ONE * Z_ONE / (s_e8 * m), -Z_ONE * Z_ONE / m] {
                if z > -Z_ONE && z < Z_ONE {
                    kinks.push(z);
                }
            }
        }
        let at_kinks = kinks.iter().map(|&z| surplus(z)).min().unwrap();
        // rounding of the scenario prices: one 1e-8 step of any scenario
        // price moves the value by at most (hedge + shorts) / scale, plus one
        // unit per term; the shocks' own rounding adds a few such steps
        let tol =
            4 + pos.len() as i128 + 4 * (pool.hedge_balance as i128 + pos.iter().map(|p| p.2).sum::<i128>()) / scale;
        assert!(
            (at_kinks - program).abs() <= tol,
            "{context}: stressed surplus {program} by the program, {at_kinks} independently (tolerance {tol})"
        );
        for i in 0..=400 {
            let z = -Z_ONE + 2 * Z_ONE * i / 400;
            assert!(
                surplus(z) >= program - tol,
                "{context}: shock {z} e-12 has surplus {} below the program's minimum {program}",
                surplus(z)
            );
        }
    }

    // ------------------------------------------------------------ one operation

    async fn run_tx(&mut self, ixn: oamm_sdk::Instruction, signer: Option<usize>) -> BankResult<()> {
        match signer {
            Some(i) => {
                let k = self.actors[i].key.insecure_clone();
                self.bank.process(&[ixn], &[&k]).await
            }
            None => self.bank.process(&[ixn], &[]).await,
        }
    }

    async fn step(&mut self, i: usize, op: &Op) {
        self.stats.ops += 1;
        let ctx = if i == usize::MAX { format!("drain {op:?}") } else { format!("op #{i} {op:?}") };
        let oracle = self.price_key();
        // environmental steps first: they are not program calls
        let (ixn, signer, prediction): (oamm_sdk::Instruction, Option<usize>, Prediction) = match *op {
            Op::PriceMove { bps, after_s } => {
                let t = self.bank.now() + after_s;
                self.warp_to(t);
                let price = (self.m.spot_e8 as i128 * (10_000 + bps as i128) / 10_000).max(1_00000000) as i64;
                self.post(price).await;
                self.check_conservation(&ctx).await;
                return;
            }
            Op::Wait { s } => {
                let t = self.bank.now() + s;
                self.warp_to(t);
                return;
            }
            Op::Deposit { who, amount, bound } => {
                let held = self.bal(self.actors[who].quote).await;
                let q = self.resolve(amount, USDC, held);
                let (p, min) = self.predict_deposit(who, q, bound).await;
                let a = &self.actors[who];
                (
                    ix::ix(
                        ix::deposit(a.pubkey(), &self.m.keys, oracle, a.quote, a.lp),
                        data::Deposit { quote_amount: q, min_lp_out: min },
                    ),
                    Some(who),
                    p,
                )
            }
            Op::Withdraw { who, lp, bound } => {
                let held = self.bal(self.actors[who].lp).await;
                let l = self.resolve(lp, USDC, held);
                let (p, min) = self.predict_withdraw(who, l, bound).await;
                let a = &self.actors[who];
                (
                    ix::ix(
                        ix::withdraw(a.pubkey(), &self.m.keys, oracle, a.lp, a.quote),
                        data::Withdraw { lp_amount: l, min_quote_out: min },
                    ),
                    Some(who),
                    p,
                )
            }
            Op::Buy { who, series, contracts, bound } | Op::Sell { who, series, contracts, bound } => {
                let buy = matches!(op, Op::Buy { .. });
                let opt = self.actors[who].options[&self.series[series].option_mint];
                let held = self.bal(opt).await;
                let n = match (buy, contracts) {
                    (true, Amt::All) => 10_000 * SOL, // "all" for a buy: the open-interest cap's worth
                    (true, Amt::Pct(p)) => p * SOL,   // a buy's percentage: of 100 contracts
                    _ => self.resolve(contracts, SOL, held),
                };
                let side = if buy { Side::Buy } else { Side::Sell };
                let (p, limit) = self.predict_trade(side, who, series, n, bound).await;
                let a = &self.actors[who];
                let acc = ix::trade(a.pubkey(), &self.m.keys, &self.series[series], oracle, a.quote, opt);
                let ixn = if buy {
                    ix::ix(acc, data::Buy { contracts: n, max_total_cost: limit })
                } else {
                    ix::ix(acc, data::Sell { contracts: n, min_total_proceeds: limit })
                };
                (ixn, Some(who), p)
            }
            Op::Redeem { who, series, contracts } => {
                let opt = self.actors[who].options[&self.series[series].option_mint];
                let held = self.bal(opt).await;
                let n = self.resolve(contracts, SOL, held);
                let p = self.predict_redeem(who, series, n).await;
                let a = &self.actors[who];
                (
                    ix::ix(
                        ix::redeem(a.pubkey(), &self.m.keys, &self.series[series], opt, a.quote),
                        data::Redeem { contracts: n },
                    ),
                    Some(who),
                    p,
                )
            }
            Op::Rebalance { keeper } => {
                let p = self.predict_rebalance().await;
                let a = &self.actors[keeper];
                (
                    ix::ix(ix::rebalance(a.pubkey(), &self.m.keys, oracle, a.quote, &self.m.venue), data::Rebalance {}),
                    Some(keeper),
                    p,
                )
            }
            Op::FlipUpdate => {
                self.use_older = !self.use_older && self.bank.account(&self.older_oracle).await.unwrap().is_some();
                return;
            }
            Op::Lapse { series, past_s } => {
                let t = self.bank.now().max(self.expiries[series] + past_s);
                self.warp_to(t);
                let price = self.m.spot_e8;
                self.post(price).await;
                self.check_conservation(&ctx).await;
                return;
            }
            Op::Expire { series, .. } | Op::Settle { series } => {
                if let Op::Expire { past_s, .. } = *op {
                    let t = self.bank.now().max(self.expiries[series] + past_s);
                    self.warp_to(t);
                    let price = self.m.spot_e8;
                    self.post(price).await;
                }
                self.post_covering_update(self.expiries[series]);
                let p = self.predict_settle(series).await;
                (
                    ix::ix(
                        ix::settle_series(&self.m.keys, &self.series[series], self.settle_oracle),
                        data::SettleSeries {},
                    ),
                    None,
                    p,
                )
            }
        };
        self.execute(&ctx, op, ixn, signer, prediction).await;
    }

    async fn execute(
        &mut self,
        ctx: &str,
        op: &Op,
        ixn: oamm_sdk::Instruction,
        signer: Option<usize>,
        prediction: Prediction,
    ) {
        let watched = self.watched();
        let before = snapshot(&mut self.bank, &watched).await;
        let pool0 = self.pool().await;
        let value0 = self.share_value().await;
        let room0 = self.headroom_now().await;
        let r = self.run_tx(ixn, signer).await;
        match (&prediction, &r) {
            (Err(code), Err(e)) => {
                assert_eq!(e.code(), Some(*code), "{ctx}: refused with {e}, predicted code {code}");
                assert_unchanged(&mut self.bank, &watched, &before).await;
                self.stats.refused += 1;
                *self.stats.refusals.entry(*code).or_default() += 1;
            }
            (Err(code), Ok(())) => panic!("{ctx}: accepted, but the program's rules predicted error {code}"),
            (Ok(effect), Err(e)) => {
                panic!("{ctx}: refused with {e}, predicted {effect:?}\nlogs:\n{}", e.logs().join("\n"))
            }
            (Ok(effect), Ok(())) => {
                self.stats.accepted += 1;
                self.check_effect(ctx, op, *effect, &watched, &before, &pool0).await;
                let pool1 = self.pool().await;
                // settled holders' quote is never spent by anything but their redemptions
                if pool0.quote_balance >= pool0.reserved_payouts && !matches!(op, Op::Settle { .. } | Op::Expire { .. })
                {
                    assert!(
                        pool1.quote_balance >= pool1.reserved_payouts,
                        "{ctx}: quote {} fell below reserved payouts {}",
                        pool1.quote_balance,
                        pool1.reserved_payouts
                    );
                }
                match op {
                    Op::Deposit { .. } | Op::Withdraw { .. } => {
                        let (Some(v0), Some(v1)) = (value0, self.share_value().await) else {
                            panic!("{ctx}: NAV not computable after an accepted LP flow")
                        };
                        assert!(
                            v1.0 * v0.1 >= v0.0 * v1.1,
                            "{ctx}: share value fell from {}/{} to {}/{}",
                            v0.0,
                            v0.1,
                            v1.0,
                            v1.1
                        );
                    }
                    _ => {}
                }
                if matches!(op, Op::Buy { .. } | Op::Sell { .. } | Op::Withdraw { .. }) {
                    let (Some(h0), Some(h1)) = (room0, self.headroom_now().await) else {
                        panic!("{ctx}: headroom not computable")
                    };
                    let ok = match op {
                        Op::Withdraw { .. } => h1 >= 0,
                        _ => h1 >= 0 || h1 >= h0,
                    };
                    assert!(ok, "{ctx}: solvency headroom {h0} -> {h1} after an accepted operation");
                }
            }
        }
        check_books_of(self, ctx).await;
        self.check_conservation(ctx).await;
        self.check_solvency_maths(ctx).await;
    }

    /// The accepted operation moved exactly what was predicted, and only there.
    async fn check_effect(
        &mut self,
        ctx: &str,
        op: &Op,
        effect: Effect,
        watched: &[Pubkey],
        before: &[Option<solana_sdk::account::Account>],
        pool0: &Pool,
    ) {
        let was = |k: &Pubkey| -> u64 {
            let i = watched.iter().position(|w| w == k).unwrap();
            let acc = before[i].as_ref().unwrap();
            <anchor_spl::token::spl_token::state::Account as anchor_lang::solana_program::program_pack::Pack>::unpack(
                &acc.data,
            )
            .unwrap()
            .amount
        };
        let vault = self.m.keys.quote_vault;
        let (v0, v1) = (was(&vault), self.bal(vault).await);
        match (op, effect) {
            (Op::Buy { who, series, .. }, Effect::Trade { total, contracts })
            | (Op::Sell { who, series, .. }, Effect::Trade { total, contracts }) => {
                let buy = matches!(op, Op::Buy { .. });
                let a = &self.actors[*who];
                let (q, o) = (a.quote, a.options[&self.series[*series].option_mint]);
                let (q0, q1, o0, o1) = (was(&q), self.bal(q).await, was(&o), self.bal(o).await);
                if buy {
                    assert_eq!((q0 - q1, v1 - v0, o1 - o0), (total, total, contracts), "{ctx}: buy movements");
                } else {
                    assert_eq!((q1 - q0, v0 - v1, o0 - o1), (total, total, contracts), "{ctx}: sell movements");
                }
            }
            (Op::Deposit { who, .. }, Effect::Deposit { quote, shares }) => {
                let a = &self.actors[*who];
                let (q, l) = (a.quote, a.lp);
                assert_eq!(
                    (was(&q) - self.bal(q).await, v1 - v0, self.bal(l).await - was(&l)),
                    (quote, quote, shares),
                    "{ctx}: deposit movements"
                );
            }
            (Op::Withdraw { who, .. }, Effect::Withdraw { shares, quote }) => {
                let a = &self.actors[*who];
                let (q, l) = (a.quote, a.lp);
                assert_eq!(
                    (self.bal(q).await - was(&q), v0 - v1, was(&l) - self.bal(l).await),
                    (quote, quote, shares),
                    "{ctx}: withdrawal movements"
                );
            }
            (Op::Redeem { who, series, .. }, Effect::Redeem { contracts, payout }) => {
                let a = &self.actors[*who];
                let (q, o) = (a.quote, a.options[&self.series[*series].option_mint]);
                assert_eq!(
                    (self.bal(q).await - was(&q), v0 - v1, was(&o) - self.bal(o).await),
                    (payout, payout, contracts),
                    "{ctx}: redemption movements"
                );
                if payout > 0 {
                    self.stats.redemptions_paid += 1;
                }
            }
            (Op::Settle { series } | Op::Expire { series, .. }, Effect::Settle { reserve }) => {
                let pool1 = self.pool().await;
                assert_eq!(pool1.reserved_payouts - pool0.reserved_payouts, reserve, "{ctx}: reserve");
                assert_eq!(self.series_state(*series).await.state, SeriesState::Settled);
                self.stats.settlements += 1;
            }
            (Op::Rebalance { keeper }, Effect::Rebalance { side, underlying }) => {
                let hv = self.m.keys.hedge_vault;
                let (h0, h1) = (was(&hv), self.bal(hv).await);
                match side {
                    HedgeSide::BuyUnderlying => assert_eq!(h1 - h0, underlying, "{ctx}: bought"),
                    HedgeSide::SellUnderlying => assert_eq!(h0 - h1, underlying, "{ctx}: sold"),
                }
                let kq = self.actors[*keeper].quote;
                let reward = self.bal(kq).await - was(&kq);
                let notional = match side {
                    HedgeSide::BuyUnderlying => v0 - v1 - reward,
                    HedgeSide::SellUnderlying => v1 + reward - v0,
                };
                let pool1 = self.pool().await;
                // the cash the reward may come from: quote not owed to settled holders
                // (none when a payout-funding sale still leaves the vault short)
                let cash = (pool1.quote_balance + reward).saturating_sub(pool0.reserved_payouts);
                assert_eq!(reward, keeper_reward(&pool0.params.hedge, notional, cash), "{ctx}: keeper reward");
                self.stats.rebalances += 1;
            }
            other => panic!("{ctx}: unexpected effect pairing {other:?}"),
        }
    }

    // ------------------------------------------------------------ the end of a sequence

    /// Expire and settle everything, rebalance until nothing is due, redeem
    /// every option: holders are paid unless the pool has neither quote nor
    /// hedge left to pay them with.
    async fn drain(&mut self) {
        let last = *self.expiries.iter().max().unwrap();
        let t = self.bank.now().max(last + 60);
        self.warp_to(t);
        let price = self.m.spot_e8;
        self.post(price).await;
        for i in 0..self.series.len() {
            if self.series_state(i).await.state == SeriesState::Live {
                self.step(usize::MAX, &Op::Settle { series: i }).await;
                assert_eq!(
                    self.series_state(i).await.state,
                    SeriesState::Settled,
                    "drain: series {i} could not be settled"
                );
            }
        }
        let mut venue_too_shallow = false;
        self.use_older = false;
        for _ in 0..60 {
            let pool = self.pool().await;
            if pool.quote_balance >= pool.reserved_payouts && pool.hedge_balance == 0 {
                break;
            }
            // a keeper calls again once the cooldown is over, at a fresh update
            let wait = pool.params.hedge.cooldown_s as i64;
            if pool.last_rebalance_ts + wait > self.bank.now() {
                let t = pool.last_rebalance_ts + wait;
                self.warp_to(t);
                let price = self.m.spot_e8;
                self.post(price).await;
            }
            // arbitrageurs bring the venue back to the oracle between keeper calls
            self.m.align_venue(&mut self.bank, &self.arb).await.unwrap();
            let p = self.predict_rebalance().await;
            if p == Err(c(OptionsError::RebalanceNotDue)) {
                // nothing due: then no settled holder may be waiting on the hedge
                assert!(
                    pool.quote_balance >= pool.reserved_payouts || pool.hedge_balance == 0,
                    "drain: payouts short but no rebalance due: {pool:?}"
                );
                break;
            }
            self.step(usize::MAX, &Op::Rebalance { keeper: 1 }).await;
            if p == Err(c(OptionsError::SlippageExceeded)) {
                // the sale the plan needs does not fit the venue's depth inside the bound
                venue_too_shallow = true;
                break;
            }
            if p.is_err() {
                break;
            }
        }
        let pool = self.pool().await;
        let short = pool.quote_balance < pool.reserved_payouts;
        if short {
            // only when the hedge is gone too (the pool lost more than it had),
            // or the venue cannot absorb the sale within the oracle bound
            assert!(
                pool.hedge_balance == 0 || venue_too_shallow,
                "drain: quote short of payouts while the pool still holds sellable hedge: {pool:?}"
            );
            if venue_too_shallow {
                self.stats.payouts_waiting_on_venue += 1;
            } else {
                self.stats.insolvent_endings += 1;
            }
        }
        for who in 0..ACTORS {
            for si in 0..self.series.len() {
                let held = self.bal(self.actors[who].options[&self.series[si].option_mint]).await;
                if held > 0 {
                    self.step(usize::MAX, &Op::Redeem { who, series: si, contracts: Amt::All }).await;
                }
            }
        }
        if !short {
            for si in 0..self.series.len() {
                assert_eq!(self.series_state(si).await.open_interest, 0, "drain: series {si} not fully redeemed");
            }
        }
    }
}

/// `check_books` for the harness's pool and series.
async fn check_books_of(f: &mut Fuzz, ctx: &str) {
    let pool = f.pool().await;
    assert_eq!(f.bal(f.m.keys.quote_vault).await, pool.quote_balance, "{ctx}: quote vault vs books");
    assert_eq!(f.bal(f.m.keys.hedge_vault).await, pool.hedge_balance, "{ctx}: hedge vault vs books");
    let cache = f.cache().await;
    let mut owed = 0;
    for i in 0..f.series.len() {
        let s = f.series_state(i).await;
        let supply = f.bank.mint_supply(&f.series[i].option_mint).await.unwrap();
        assert_eq!(supply, s.open_interest, "{ctx}: series {i} option supply vs open interest");
        match s.state {
            SeriesState::Live => assert_eq!(
                cache.entries[s.cache_index as usize].net_short, s.open_interest,
                "{ctx}: series {i} cache net short"
            ),
            SeriesState::Settled => owed += s.payout_remaining,
        }
    }
    assert_eq!(pool.reserved_payouts, owed, "{ctx}: reserved payouts vs what settled series owe");
}

async fn run_sequence(ops: Vec<Op>) -> Stats {
    let mut f = Fuzz::new().await;
    for (i, op) in ops.iter().enumerate() {
        f.step(i, op).await;
    }
    f.drain().await;
    f.stats
}

fn cases() -> u32 {
    std::env::var("OAMM_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(200)
}

thread_local! {
    /// Cases run so far, their summed counts, and when the first began.
    static TOTALS: std::cell::RefCell<(u64, Stats, Option<std::time::Instant>)> = std::cell::RefCell::new((0, Stats::default(), None));
}

fn add_to_totals(s: Stats) {
    TOTALS.with(|t| {
        let mut t = t.borrow_mut();
        let start = *t.2.get_or_insert_with(std::time::Instant::now);
        t.0 += 1;
        let a = &mut t.1;
        a.ops += s.ops;
        a.accepted += s.accepted;
        a.refused += s.refused;
        a.rebalances += s.rebalances;
        a.settlements += s.settlements;
        a.redemptions_paid += s.redemptions_paid;
        a.insolvent_endings += s.insolvent_endings;
        a.payouts_waiting_on_venue += s.payouts_waiting_on_venue;
        for (k, v) in &s.refusals {
            *a.refusals.entry(*k).or_default() += v;
        }
        if t.0 == cases() as u64 {
            println!("fuzz: {} sequences in {:.1} s: {:?}", t.0, start.elapsed().as_secs_f64(), t.1);
        }
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_every_invariant(ops in proptest::collection::vec(op(), 1..=40)) {
        TOTALS.with(|t| { t.borrow_mut().2.get_or_insert_with(std::time::Instant::now); });
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        add_to_totals(rt.block_on(run_sequence(ops)));
    }
}

#[tokio::test]
async fn a_scripted_sequence_exercises_every_operation_kind() {
    let ops = vec![
        Op::Buy { who: 1, series: 0, contracts: Amt::Whole(30), bound: Bound::Exact },
        Op::Buy { who: 2, series: 1, contracts: Amt::Whole(20), bound: Bound::Loose },
        Op::Deposit { who: 2, amount: Amt::Whole(10_000), bound: Bound::Exact },
        Op::Rebalance { keeper: 3 },
        Op::PriceMove { bps: 600, after_s: 3 * HOUR },
        Op::Sell { who: 1, series: 0, contracts: Amt::Whole(5), bound: Bound::OneTooTight },
        Op::Sell { who: 1, series: 0, contracts: Amt::Whole(5), bound: Bound::Exact },
        Op::Withdraw { who: 0, lp: Amt::Whole(1_000), bound: Bound::Exact },
        Op::Wait { s: 120 },
        Op::Deposit { who: 1, amount: Amt::Whole(1), bound: Bound::Loose },
        Op::PriceMove { bps: -300, after_s: HOUR },
        Op::Rebalance { keeper: 0 },
        Op::Expire { series: 0, past_s: 30 },
        Op::Settle { series: 1 },
        Op::Redeem { who: 1, series: 0, contracts: Amt::All },
        Op::Buy { who: 3, series: 2, contracts: Amt::Max, bound: Bound::Loose },
        Op::Deposit { who: 3, amount: Amt::All, bound: Bound::Loose },
    ];
    let s = run_sequence(ops).await;
    println!("scripted sequence: {s:?}");
    assert!(
        s.accepted >= 10 && s.refused >= 3 && s.rebalances >= 1 && s.settlements >= 3 && s.redemptions_paid >= 1,
        "{s:?}"
    );
}

/// Shrunk from the first long run (it found a harness bug, an unsigned
/// subtraction in the keeper-reward check; kept as a case): the buyer tries
/// to make the pool short as many far calls as it will write, then spot
/// rallies far past the flat 30% move. Under the flat stress this ended
/// insolvent; the tenor- and vol-aware stress refuses the largest clips and
/// the sequence ends with every invariant intact.
#[tokio::test]
async fn regression_a_rally_past_the_stress_is_refused_its_exposure_and_keeps_every_invariant() {
    let ops = vec![
        Op::Buy { who: 0, series: 0, contracts: Amt::Whole(10), bound: Bound::Loose },
        Op::Rebalance { keeper: 0 },
        // fill the solvency headroom (the tenor-aware stress refuses "all"
        // at once; halving clips take what still fits)
        Op::Buy { who: 0, series: 2, contracts: Amt::Whole(8000), bound: Bound::Loose },
        Op::Buy { who: 0, series: 2, contracts: Amt::Whole(4000), bound: Bound::Loose },
        Op::Buy { who: 0, series: 2, contracts: Amt::Whole(2000), bound: Bound::Loose },
        Op::Buy { who: 0, series: 2, contracts: Amt::Whole(1000), bound: Bound::Loose },
        Op::Buy { who: 0, series: 2, contracts: Amt::Whole(500), bound: Bound::Loose },
        Op::PriceMove { bps: 162, after_s: 1 },
        Op::PriceMove { bps: 618, after_s: 1 },
        Op::PriceMove { bps: 4696, after_s: 1 },
        // the stress now scales with vol and tenor: it takes a larger rally
        Op::PriceMove { bps: 4696, after_s: 1 },
    ];
    let s = run_sequence(ops).await;
    println!("rally past the stress: {s:?}");
    // with the tenor- and vol-aware stress the clips that would have let a
    // +58%..+133% rally bankrupt the pool are refused (SolvencyCheckFailed),
    // and the pool ends solvent with every invariant intact
    let refused_by_stress = s.refusals.get(&c(OptionsError::SolvencyCheckFailed)).copied().unwrap_or(0);
    assert!(s.rebalances >= 2 && refused_by_stress >= 1 && s.insolvent_endings == 0, "{s:?}");
}
