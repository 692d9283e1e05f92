//! `oamm demo`: the product's main job with nothing installed.
//!
//! On the embedded bank (the options program and the spot venue running
//! natively, SPL Token as its real BPF program, Pyth accounts written here):
//! an LP funds a SOL/USDC pool, four series are listed (a call and a put on
//! each of two expiries), simulated traders buy and sell while the oracle
//! follows a seeded GBM path (the hedge lab's own path generator), an
//! arbitrageur keeps the venue at the oracle price, a keeper rebalances
//! exactly when the program's own plan says one is due, series expire, are
//! settled and redeemed, and the LP withdraws. After every step the books
//! are checked against the vaults and the mints.
//!
//! Units of the JSON report (`DemoReport`): every token amount is an integer
//! in base units (quote: 10^-6 USDC; underlying and option contracts: 10^-9
//! SOL); hedge targets, deltas and bands are the same underlying base units
//! as decimals (the program computes them in fixed point); prices are USDC
//! per SOL; times are days since the start. The report carries this list in
//! its `units` field.
//!
//! Everything is a function of `--seed`, `--steps` and `--policy`: the
//! clock starts at a fixed date and the random numbers come from seeded
//! ChaCha streams, so the same flags print the same JSON.
mod chart;
mod quiet;
mod table;

pub use table::render as render_table;

use crate::backend::{Backend, Embedded};
use crate::output::Report;
use crate::snapshot::{PoolSnapshot, SeriesInfo};
use anyhow::{anyhow, bail, Context, Result};
use hedge_lab::paths::{Market as PathMarket, PathGenerator, PathModel};
use indicatif::{ProgressBar, ProgressStyle};
use oamm_sdk::bank::{Bank, BankError};
use oamm_sdk::market::{default_params, Actor, Market, MarketConfig, SOL_USD_FEED_ID};
use oamm_sdk::pda::SeriesKeys;
use options_amm::error::OptionsError;
use options_amm::manager::hedge::{plan_capped, HedgeSide};
use options_amm::manager::lp::{quote_for_shares, shares_for_quote};
use options_amm::manager::settlement::redemption;
use options_amm::state::{HedgePolicyConfig, Kind, Series, SeriesState};
use options_math::amm::Side;
use options_math::units::{Decimals, Rounding};
use options_math::I80F48;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use solana_sdk::pubkey::Pubkey;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

/// Any seed works; this one's path both rallies and falls, so the default
/// run shows the keeper buying and selling on both expiries.
pub const DEFAULT_SEED: u64 = 5;
const USDC: u64 = 1_000_000;
const SOL: u64 = 1_000_000_000;
const DAY: i64 = 86_400;
/// 2027-01-15 00:00 UTC: a fixed start, so a run does not depend on the wall clock.
const T0: i64 = 1_800_000_000;
const SPOT_START: f64 = 150.0;
/// The path's annual volatility: the pool's initial IV, so the options are
/// sold at a fair volatility and the LP's result is premium and fees
/// against hedging, not a volatility bet.
const PATH_VOL: f64 = 0.80;
const LP_DEPOSIT: u64 = 500_000 * USDC;
const TRADERS: usize = 3;
const TRADER_CASH: u64 = 250_000 * USDC;
/// Days from the start: the two expiries and the end of the run (after the
/// far expiry, so every series is settled and redeemed before the LP leaves).
const NEAR_EXPIRY_DAYS: i64 = 7;
const FAR_EXPIRY_DAYS: i64 = 21;
const HORIZON_DAYS: i64 = 22;
/// The settlement update is posted this long after expiry (a keeper settling promptly).
const SETTLE_AFTER_S: i64 = 60;
/// Whalley-Wilmott parameters of `--policy ww`: the venue's 30 bps fee as
/// the cost, and the risk aversion the rebalance tests use.
const WW_COST_BPS: u16 = 30;
const WW_RISK_AVERSION_PPM: u64 = 1_000;

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoPolicy {
    /// Trade back to the target when |hedge - target| exceeds 5 SOL.
    Threshold,
    /// Whalley-Wilmott band from the pool's gamma; trade to the band's edge.
    Ww,
}

#[derive(clap::Args, Debug, Clone)]
pub struct DemoArgs {
    /// Seed of the price path and of the traders' choices (same seed, same run).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Steps the 22 days are cut into (the keeper looks once a step).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(4..=20_000))]
    pub steps: u32,
    /// The pool's hedge policy.
    #[arg(long, value_enum, default_value = "threshold")]
    pub policy: DemoPolicy,
    /// Where to write the SVG chart (price, pool delta and band, rebalances, NAV).
    #[arg(long, default_value = "oamm-demo.svg")]
    pub chart: PathBuf,
    /// Do not write a chart.
    #[arg(long)]
    pub no_chart: bool,
}

impl Default for DemoArgs {
    fn default() -> Self {
        DemoArgs {
            seed: DEFAULT_SEED,
            steps: 60,
            policy: DemoPolicy::Threshold,
            chart: "oamm-demo.svg".into(),
            no_chart: false,
        }
    }
}

/// What the JSON numbers are in (also printed in the report).
#[derive(Serialize, Debug, Clone)]
pub struct Units {
    pub quote: &'static str,
    pub underlying: &'static str,
    pub deltas: &'static str,
    pub prices: &'static str,
    pub time: &'static str,
    pub rebalance_amounts: &'static str,
}

const UNITS: Units = Units {
    quote: "USDC base units (1e-6 USDC): nav_*, lp_*, premiums*, fees, payouts, keeper_rewards, hedge_cost, redeemed_total, final_vault_quote, trade premium/fee/total",
    underlying: "SOL base units (1e-9 SOL): hedge_before, hedge_after, final_vault_hedge, contracts",
    deltas: "SOL base units as decimals: target, band, delta_before, delta_after, max_abs_delta_after_rebalance",
    prices: "USDC per SOL: oracle_price, spot, strike, settlement_price, payoff_per_contract",
    time: "days since the start of the run: day, expiry_day",
    rebalance_amounts: "amount_in / amount_out in base units of token_in / token_out (quote = USDC, underlying = SOL)",
};

#[derive(Serialize, Debug, Clone)]
pub struct TradeRecord {
    pub step: u32,
    pub day: f64,
    pub series: String,
    pub trader: usize,
    pub side: &'static str,
    pub contracts: u64,
    pub premium: u64,
    pub fee: u64,
    /// What the trader paid (buy) or received (sell).
    pub total: u64,
    pub iv: f64,
    pub oracle_price: f64,
}

#[derive(Serialize, Debug, Clone)]
pub struct RefusedTrade {
    pub step: u32,
    pub series: String,
    pub side: &'static str,
    pub contracts: u64,
    /// The program's rule that refused it (predicted client-side with the
    /// program's own trade function, so no transaction was paid for).
    pub reason: String,
}

#[derive(Serialize, Debug, Clone)]
pub struct RebalanceRecord {
    pub step: u32,
    pub day: f64,
    /// "delta" (the policy's band was crossed) or "expiry" (right after a settlement).
    pub when: &'static str,
    pub side: &'static str,
    pub oracle_price: f64,
    pub hedge_before: u64,
    pub hedge_after: u64,
    pub target: f64,
    pub band: f64,
    pub delta_before: f64,
    pub delta_after: f64,
    pub token_in: &'static str,
    pub amount_in: u64,
    pub token_out: &'static str,
    pub amount_out: u64,
    /// The oracle-derived bound the swap had to respect (quote base units).
    pub quote_bound: u64,
    pub keeper_reward: u64,
    /// What the swap cost against the oracle price (venue fee + price
    /// impact), quote base units; negative = it did better than the oracle.
    pub cost: i64,
    /// |delta_after| <= band.
    pub inside_band: bool,
    /// Why the hedge may stop outside the band: "max_trade" (the per-call
    /// cap), "venue_depth" (the venue's per-call cap, half of depth x fee),
    /// "funds_payouts" (a sale sized to fund settled holders) or
    /// "cash" (a buy limited to the quote not owed to holders); null when
    /// nothing capped it.
    pub cap: Option<&'static str>,
}

#[derive(Serialize, Debug, Clone)]
pub struct SeriesRecord {
    pub label: String,
    pub kind: &'static str,
    pub strike: f64,
    pub expiry_day: f64,
    pub settled: bool,
    pub settlement_price: Option<f64>,
    pub payoff_per_contract: Option<f64>,
    pub open_interest_at_settlement: u64,
    pub reserved: u64,
    pub redeemed_contracts: u64,
    pub redeemed_quote: u64,
    /// Closed once fully redeemed (its reserve's rounding dust released).
    pub closed: bool,
}

/// One step of the timeline, as the chart draws it.
#[derive(Serialize, Debug, Clone)]
pub struct StepRecord {
    pub step: u32,
    pub day: f64,
    pub oracle_price: f64,
    /// NAV at the end of the step (quote base units, rounded down).
    pub nav: i64,
    pub hedge: u64,
    pub target: f64,
    /// hedge - target after the step's trades, before the keeper acted.
    pub delta_before: f64,
    /// hedge - target at the end of the step.
    pub delta_after: f64,
    pub band: f64,
    /// hedge - net delta, unclamped: the pool's whole exposure, including
    /// the short puts' delta the hedge vault cannot offset (it cannot go short).
    pub total_delta: f64,
    pub rebalanced: bool,
}

#[derive(Serialize, Debug, Clone)]
pub struct DemoReport {
    pub seed: u64,
    pub steps: u32,
    pub policy: String,
    pub units: Units,
    pub days: i64,
    pub spot_start: f64,
    pub spot_end: f64,
    pub path_vol: f64,
    pub series: Vec<SeriesRecord>,
    pub trades: Vec<TradeRecord>,
    pub trade_count: usize,
    pub refused_trades: Vec<RefusedTrade>,
    pub rebalances: Vec<RebalanceRecord>,
    pub max_abs_delta_after_rebalance: f64,
    pub lp_deposit: u64,
    pub nav_start: i64,
    pub nav_end: i64,
    pub lp_withdrawn: u64,
    /// LP tokens the LP still holds (what the pool's solvency rule kept in:
    /// the leftover hedge inside its band), and their value at NAV.
    pub lp_tokens_left: u64,
    pub lp_tokens_left_value: u64,
    /// lp_withdrawn + lp_tokens_left_value - lp_deposit.
    pub lp_pnl: i64,
    /// Premiums the pool took in on buys minus what it paid on buy-backs.
    pub premiums: i64,
    /// Premium turnover both ways (the pool's lifetime counter).
    pub premiums_gross: u64,
    pub fees: u64,
    /// Paid to holders of settled series (redeemed).
    pub payouts: u64,
    pub keeper_rewards: u64,
    /// Sum of the rebalances' cost against the oracle price.
    pub hedge_cost: i64,
    /// nav_end - nav_start - (premiums + fees - payouts - keeper_rewards):
    /// the hedge's trading result (swaps and the mark of what is held),
    /// including hedge_cost.
    pub hedge_pnl: i64,
    pub settled_series: usize,
    pub redeemed_total: u64,
    pub redeemed_contracts: u64,
    /// Book checks run (after every step) and how many failed: vaults ==
    /// books, option supply == open interest (and the greek cache's net
    /// short while live), reserved payouts == what settled series still owe
    /// and cover what their holders can claim, live-series counts.
    pub invariant_checks: u64,
    pub invariant_violations: u64,
    pub invariant_failures: Vec<String>,
    /// Transactions whose outcome differed from the client's prediction
    /// with the program's own functions (trade totals, rebalances due,
    /// redemption and withdrawal amounts).
    pub prediction_mismatches: u64,
    pub prediction_failures: Vec<String>,
    pub final_vault_quote: u64,
    pub final_vault_hedge: u64,
    pub final_reserved_payouts: u64,
    pub timeline: Vec<StepRecord>,
    /// Where the chart was written (null with --no-chart).
    pub chart: Option<String>,
}

/// `oamm demo` as the binary runs it: the run, then the report.
///
/// The programs run natively in this process, and natively Solana's `msg!`
/// is a `println!` (solana-msg's std fallback): every instruction's log line
/// would land on stdout, before the report and inside `--output json`. So
/// the run's stdout goes to /dev/null and the report is printed after it.
/// That redirect is process-wide: in-process callers (tests) use
/// [`run_demo`], whose stray lines their harness captures.
pub async fn run(args: DemoArgs) -> Result<Report> {
    let started = Instant::now();
    let r = {
        let _quiet = quiet::SilencedStdout::new();
        run_demo(&args).await
    }?;
    let elapsed = started.elapsed();
    let json = serde_json::to_value(&r).context("cannot encode the demo report")?;
    Ok(Report { json, table: table::render(&r, elapsed) })
}

/// The whole demo, in-process. Progress is drawn on stderr only when it is a terminal.
pub async fn run_demo(args: &DemoArgs) -> Result<DemoReport> {
    if !(4..=20_000).contains(&args.steps) {
        bail!("--steps must be between 4 and 20000, got {}", args.steps);
    }
    if !args.no_chart {
        // fail before the run, not after it
        std::fs::File::create(&args.chart)
            .with_context(|| format!("cannot write the chart to {}", args.chart.display()))?;
    }
    let bar = if std::io::stderr().is_terminal() { ProgressBar::new(args.steps as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("demo [{bar:32}] step {pos}/{len}, {elapsed} (eta {eta}) {msg}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut w = World::create(args).await?;
    let result = w.run(args, &bar).await;
    bar.finish_and_clear();
    let mut report = result?;
    if !args.no_chart {
        chart::write_svg(&report, &args.chart)
            .with_context(|| format!("cannot write the chart to {}", args.chart.display()))?;
        report.chart = Some(args.chart.display().to_string());
    }
    Ok(report)
}

struct DemoSeries {
    keys: SeriesKeys,
    expiry: i64,
    label: String,
    record: SeriesRecord,
}

/// A fixed-point value as a JSON/table number.
fn f(x: I80F48) -> f64 {
    x.to_num::<f64>()
}

fn day_of(t: i64) -> f64 {
    (t - T0) as f64 / DAY as f64
}

/// The market and the bank, borrowed apart from the actors.
fn parts<'a>(b: &'a mut Backend, pool: &Pubkey) -> Result<(&'a mut Bank, &'a mut Market)> {
    let Backend::Embedded(e) = b else { bail!("the demo runs on the embedded bank only") };
    let e: &mut Embedded = e;
    let m = e.markets.get_mut(pool).ok_or_else(|| anyhow!("the demo's market is missing from the bank"))?;
    Ok((&mut e.bank, m))
}

fn bank_err(e: BankError) -> anyhow::Error {
    crate::errors::from_bank(e)
}

fn is_code(e: &BankError, code: OptionsError) -> bool {
    e.code() == Some(code.into())
}

struct World {
    b: Backend,
    pool: Pubkey,
    d: Decimals,
    max_trade: u64,
    trading_cutoff_s: i64,
    lp: Actor,
    traders: Vec<Actor>,
    keeper: Actor,
    arb: Actor,
    series: Vec<DemoSeries>,
    /// (trader, series) holdings waiting for quote the hedge still holds.
    pending_redemptions: Vec<(usize, usize)>,
    step: u32,
    // tallies
    trades: Vec<TradeRecord>,
    refused: Vec<RefusedTrade>,
    rebalances: Vec<RebalanceRecord>,
    timeline: Vec<StepRecord>,
    premiums_in: u64,
    premiums_out: u64,
    invariant_checks: u64,
    invariant_failures: Vec<String>,
    invariant_violations: u64,
    prediction_failures: Vec<String>,
    prediction_mismatches: u64,
}

const KEEP_FAILURES: usize = 20;

impl World {
    async fn create(args: &DemoArgs) -> Result<World> {
        let mut e = Embedded::start(T0).await.context("cannot start the embedded bank")?;
        let cfg = MarketConfig { spot_e8: (SPOT_START * 1e8) as i64, ..MarketConfig::default() };
        let m = Market::create(&mut e.bank, &cfg).await.map_err(bank_err).context("cannot create the market")?;
        // the venue pool the params must name is a PDA of the mints
        // Market::create makes, so the policy is set right after, by the admin
        let mut params = default_params(SOL_USD_FEED_ID, m.venue.venue_pool);
        params.hedge.policy = match args.policy {
            DemoPolicy::Threshold => HedgePolicyConfig::DeltaThreshold { band: 5 * SOL },
            DemoPolicy::Ww => {
                HedgePolicyConfig::WhalleyWilmott { cost_bps: WW_COST_BPS, risk_aversion_ppm: WW_RISK_AVERSION_PPM }
            }
        };
        m.update_params(&mut e.bank, params.clone()).await.map_err(bank_err).context("cannot set the hedge policy")?;
        let bank = &mut e.bank;
        let lp = m.new_actor(bank, LP_DEPOSIT).await.map_err(bank_err)?;
        let mut traders = Vec::new();
        for _ in 0..TRADERS {
            traders.push(m.new_actor(bank, TRADER_CASH).await.map_err(bank_err)?);
        }
        let keeper = m.new_actor(bank, 0).await.map_err(bank_err)?;
        let arb = m.new_actor(bank, 0).await.map_err(bank_err)?;
        let near = T0 + NEAR_EXPIRY_DAYS * DAY;
        let far = T0 + FAR_EXPIRY_DAYS * DAY;
        let mut series = Vec::new();
        for (kind, strike, expiry) in
            [(Kind::Call, 150, near), (Kind::Put, 140, near), (Kind::Call, 165, far), (Kind::Put, 135, far)]
        {
            let strike_quote = strike * USDC;
            let keys = m
                .list_series(bank, strike_quote, expiry, kind)
                .await
                .map_err(bank_err)
                .context("cannot list a series")?;
            let k = match kind {
                Kind::Call => "call",
                Kind::Put => "put",
            };
            let label = format!("{} {strike} d{}", k.to_uppercase(), (expiry - T0) / DAY);
            let record = SeriesRecord {
                label: label.clone(),
                kind: k,
                strike: strike as f64,
                expiry_day: day_of(expiry),
                settled: false,
                settlement_price: None,
                payoff_per_contract: None,
                open_interest_at_settlement: 0,
                reserved: 0,
                redeemed_contracts: 0,
                redeemed_quote: 0,
                closed: false,
            };
            series.push(DemoSeries { keys, expiry, label, record });
        }
        m.deposit(bank, &lp, LP_DEPOSIT, 0).await.map_err(bank_err).context("the LP's deposit failed")?;
        let pool = m.keys.pool;
        let d = Decimals { underlying: m.underlying_decimals, quote: m.quote_decimals };
        e.adopt(m);
        Ok(World {
            b: Backend::Embedded(Box::new(e)),
            pool,
            d,
            max_trade: params.hedge.max_trade,
            trading_cutoff_s: params.risk.trading_cutoff_s as i64,
            lp,
            traders,
            keeper,
            arb,
            series,
            pending_redemptions: Vec::new(),
            step: 0,
            trades: Vec::new(),
            refused: Vec::new(),
            rebalances: Vec::new(),
            timeline: Vec::new(),
            premiums_in: 0,
            premiums_out: 0,
            invariant_checks: 0,
            invariant_failures: Vec::new(),
            invariant_violations: 0,
            prediction_failures: Vec::new(),
            prediction_mismatches: 0,
        })
    }

    async fn snapshot(&mut self) -> Result<PoolSnapshot> {
        PoolSnapshot::load(&mut self.b, self.pool).await
    }

    fn mismatch(&mut self, what: String) {
        self.prediction_mismatches += 1;
        if self.prediction_failures.len() < KEEP_FAILURES {
            self.prediction_failures.push(format!("step {}: {what}", self.step));
        }
    }

    /// Move the clock, post the oracle price, and arbitrage the venue to it
    /// (as a live chain's arbitrageurs would: without it the venue drifts
    /// from the oracle and rebalances revert on their oracle bound).
    async fn move_to(&mut self, t: i64, price: f64) -> Result<()> {
        let (bank, m) = parts(&mut self.b, &self.pool)?;
        bank.set_time(t);
        m.post_price(bank, (price * 1e8).round() as i64);
        m.align_venue(bank, &self.arb).await.map_err(bank_err).context("arbitraging the venue to the oracle")
    }

    async fn run(&mut self, args: &DemoArgs, bar: &ProgressBar) -> Result<DemoReport> {
        let steps = args.steps as usize;
        let horizon = HORIZON_DAYS * DAY;
        let dt_years = horizon as f64 / steps as f64 / (365.0 * DAY as f64);
        let gen = PathGenerator::new(
            &PathMarket { spot: SPOT_START, vol: PATH_VOL, rate: 0.0 },
            &PathModel::Gbm,
            dt_years,
            steps,
        )
        .map_err(|e| anyhow!("price path: {e}"))?;
        let mut path = Vec::new();
        gen.fill(args.seed, 0, &mut path);
        // the traders draw from their own stream: the path does not depend on them
        let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
        rng.set_stream(1);

        let start = self.snapshot().await?;
        let nav_start = start.nav(Rounding::Down);
        self.check_books().await?;
        for (i, &price) in path.iter().enumerate().skip(1) {
            self.step = i as u32;
            let t = T0 + (horizon as i128 * i as i128 / steps as i128) as i64;
            // expiries inside this step: settle on the first price published after them
            let mut expiries: Vec<i64> =
                self.series.iter().filter(|s| !s.record.settled && s.expiry <= t).map(|s| s.expiry).collect();
            expiries.sort();
            expiries.dedup();
            for e in expiries {
                self.expire(e, (e + SETTLE_AFTER_S).min(t), price).await?;
            }
            self.move_to(t, price).await?;
            let n_trades = 1 + rng.gen_range(0..3);
            for _ in 0..n_trades {
                self.random_trade(&mut rng).await?;
            }
            let before = self.snapshot().await?;
            let delta_before = f(I80F48::from_num(before.pool.hedge_balance) - before.cache.target_hedge());
            let rebalanced = self.keeper_step("delta").await?;
            self.redeem_pending().await?;
            let after = self.snapshot().await?;
            let target = after.cache.target_hedge();
            self.timeline.push(StepRecord {
                step: self.step,
                day: day_of(t),
                oracle_price: f(after.spot),
                nav: after.nav(Rounding::Down).clamp(i64::MIN as i128, i64::MAX as i128) as i64,
                hedge: after.pool.hedge_balance,
                target: f(target),
                delta_before,
                delta_after: f(I80F48::from_num(after.pool.hedge_balance) - target),
                band: f(after.band()),
                total_delta: f(I80F48::from_num(after.pool.hedge_balance) - after.cache.net_delta.get()),
                rebalanced,
            });
            self.check_books().await?;
            bar.set_message(format!("{} trades, {} rebalances", self.trades.len(), self.rebalances.len()));
            bar.inc(1);
        }
        // anything still owed (quote that sat in the hedge) is paid now
        self.keeper_step("expiry").await?;
        self.redeem_pending().await?;
        if !self.pending_redemptions.is_empty() {
            let n = self.pending_redemptions.len();
            self.mismatch(format!("{n} holdings of settled series could not be redeemed by the end"));
        }
        self.close_redeemed_series().await?;
        let end = self.snapshot().await?;
        let nav_end = end.nav(Rounding::Down);
        let (withdrawn, left) = self.lp_withdraws(&end).await?;
        self.check_books().await?;
        self.finish(args, nav_start, nav_end, withdrawn, left, path.last().copied().unwrap_or(SPOT_START)).await
    }

    /// Expiry `e`: at `t` (just after it) the first price published since
    /// then settles every series of that expiry; the keeper unwinds the
    /// hedge those series needed; holders redeem.
    async fn expire(&mut self, e: i64, t: i64, price: f64) -> Result<()> {
        self.move_to(t, price).await?;
        for i in 0..self.series.len() {
            if self.series[i].expiry != e || self.series[i].record.settled {
                continue;
            }
            let keys = self.series[i].keys;
            let (bank, m) = parts(&mut self.b, &self.pool)?;
            m.settle(bank, &keys)
                .await
                .map_err(bank_err)
                .with_context(|| format!("settling {}", self.series[i].label))?;
            let s: Series = m.series(bank, &keys).await.map_err(bank_err)?;
            let r = &mut self.series[i].record;
            r.settled = true;
            r.settlement_price = Some(f(I80F48::from_bits(s.settlement_price_bits)));
            r.payoff_per_contract = Some(f(s.payoff_per_contract()));
            r.open_interest_at_settlement = s.open_interest;
            r.reserved = s.payout_remaining;
            for t in 0..self.traders.len() {
                if self.traders[t].options.contains_key(&keys.option_mint) {
                    self.pending_redemptions.push((t, i));
                }
            }
        }
        self.keeper_step("expiry").await?;
        self.redeem_pending().await?;
        Ok(())
    }

    /// One trader, one series, buy or (if they hold some) sell; priced
    /// first with the program's own trade function so a refusal costs no
    /// transaction, then sent with the quote as the slippage bound.
    async fn random_trade(&mut self, rng: &mut ChaCha8Rng) -> Result<()> {
        let (bank, _) = parts(&mut self.b, &self.pool)?;
        let now = bank.now();
        let cutoff = self.trading_cutoff_s;
        let open: Vec<usize> = (0..self.series.len())
            .filter(|&i| !self.series[i].record.settled && now < self.series[i].expiry - cutoff)
            .collect();
        if open.is_empty() {
            return Ok(());
        }
        let i = open[rng.gen_range(0..open.len())];
        let who = rng.gen_range(0..self.traders.len());
        let contracts = rng.gen_range(1..=25u64) * SOL;
        let wants_to_sell = rng.gen_range(0..3) == 0;
        let keys = self.series[i].keys;
        let held = match self.traders[who].options.get(&keys.option_mint).copied() {
            Some(a) => {
                let (bank, _) = parts(&mut self.b, &self.pool)?;
                bank.token_balance(&a).await.map_err(bank_err)?
            }
            None => 0,
        };
        let (side, contracts) =
            if wants_to_sell && held > 0 { (Side::Sell, held.min(contracts)) } else { (Side::Buy, contracts) };
        let side_name = match side {
            Side::Buy => "buy",
            Side::Sell => "sell",
        };
        let snap = self.snapshot().await?;
        let series: Series = self.b.anchor(&keys.series, "series").await?;
        let info = SeriesInfo { key: keys.series, series };
        let q = match snap.quote(&info, side, contracts) {
            Ok(q) => q,
            Err(e) => {
                self.refused.push(RefusedTrade {
                    step: self.step,
                    series: self.series[i].label.clone(),
                    side: side_name,
                    contracts,
                    reason: e.to_string(),
                });
                return Ok(());
            }
        };
        let (bank, m) = parts(&mut self.b, &self.pool)?;
        let trader = &mut self.traders[who];
        let q0 = bank.token_balance(&trader.quote).await.map_err(bank_err)?;
        let r = match side {
            Side::Buy => m.buy(bank, trader, &keys, contracts, q.total).await,
            Side::Sell => m.sell(bank, trader, &keys, contracts, q.total).await,
        };
        if let Err(e) = r {
            let line = bank_err(e).to_string();
            self.mismatch(format!(
                "{side_name} {} {}: quoted {} but the program refused: {line}",
                contracts, self.series[i].label, q.total
            ));
            return Ok(());
        }
        let q1 = bank.token_balance(&trader.quote).await.map_err(bank_err)?;
        let paid = match side {
            Side::Buy => q0.checked_sub(q1),
            Side::Sell => q1.checked_sub(q0),
        };
        if paid != Some(q.total) {
            self.mismatch(format!(
                "{side_name} {}: quoted total {} but {:?} moved",
                self.series[i].label, q.total, paid
            ));
        }
        match side {
            Side::Buy => self.premiums_in += q.premium,
            Side::Sell => self.premiums_out += q.premium,
        }
        self.trades.push(TradeRecord {
            step: self.step,
            day: day_of(now),
            series: self.series[i].label.clone(),
            trader: who,
            side: side_name,
            contracts,
            premium: q.premium,
            fee: q.fee,
            total: q.total,
            iv: f(q.iv.trade_iv),
            oracle_price: f(snap.spot),
        });
        Ok(())
    }

    /// The keeper: predict with the program's plan; rebalance only when due.
    async fn keeper_step(&mut self, when: &'static str) -> Result<bool> {
        let s = self.snapshot().await?;
        let p = match s.rebalance_plan() {
            Ok(p) => p,
            // not due, cooling down, or nothing the pool can afford: a keeper waits
            Err(_) => return Ok(false),
        };
        // would more cash have bought more? Then the buy was limited by the
        // quote not owed to holders (the same plan on a copy with more quote)
        let cash_limited = p.side == HedgeSide::BuyUnderlying && {
            let mut rich = s.pool.clone();
            rich.quote_balance = rich.quote_balance.saturating_add(u64::MAX / 4);
            plan_capped(&rich, &s.cache, s.spot, s.now, s.venue_cap.unwrap_or(u64::MAX))
                .map(|r| r.underlying > p.underlying)
                .unwrap_or(false)
        };
        let delta_before = I80F48::from_num(s.pool.hedge_balance) - p.target;
        let (bank, m) = parts(&mut self.b, &self.pool)?;
        let k0 = bank.token_balance(&self.keeper.quote).await.map_err(bank_err)?;
        if let Err(e) = m.rebalance(bank, &self.keeper).await {
            let line = bank_err(e).to_string();
            self.mismatch(format!("a rebalance the plan said was due failed: {line}"));
            return Ok(false);
        }
        let k1 = bank.token_balance(&self.keeper.quote).await.map_err(bank_err)?;
        let reward = k1.saturating_sub(k0);
        let a = self.snapshot().await?;
        let (q0, q1) = (s.pool.quote_balance, a.pool.quote_balance);
        let (h0, h1) = (s.pool.hedge_balance, a.pool.hedge_balance);
        let fair = |u: u64| self.d.quote_value(s.spot, u, Rounding::Down).unwrap_or(0) as i64;
        let (side, token_in, amount_in, token_out, amount_out, cost) = match p.side {
            HedgeSide::BuyUnderlying => {
                let paid = q0.saturating_sub(q1).saturating_sub(reward);
                let got = h1.saturating_sub(h0);
                ("buy_underlying", "quote", paid, "underlying", got, paid as i64 - fair(got))
            }
            HedgeSide::SellUnderlying => {
                let sold = h0.saturating_sub(h1);
                let got = (q1 + reward).saturating_sub(q0);
                ("sell_underlying", "underlying", sold, "quote", got, fair(sold) - got as i64)
            }
        };
        let moved = if p.side == HedgeSide::BuyUnderlying { amount_out } else { amount_in };
        if moved != p.underlying {
            self.mismatch(format!("the rebalance moved {moved} underlying base units, the plan said {}", p.underlying));
        }
        let delta_after = I80F48::from_num(h1) - a.cache.target_hedge();
        let inside_band = delta_after.abs() <= p.band;
        let cap = if p.underlying == self.max_trade {
            Some("max_trade")
        } else if Some(p.underlying) == s.venue_cap {
            Some("venue_depth")
        } else if p.funds_payouts {
            Some("funds_payouts")
        } else if cash_limited {
            Some("cash")
        } else {
            None
        };
        self.rebalances.push(RebalanceRecord {
            step: self.step,
            day: day_of(s.now),
            when,
            side,
            oracle_price: f(s.spot),
            hedge_before: h0,
            hedge_after: h1,
            target: f(p.target),
            band: f(p.band),
            delta_before: f(delta_before),
            delta_after: f(delta_after),
            token_in,
            amount_in,
            token_out,
            amount_out,
            quote_bound: p.quote_bound,
            keeper_reward: reward,
            cost,
            inside_band,
            cap,
        });
        Ok(true)
    }

    /// Holders of settled series redeem everything; a holding the vault
    /// cannot pay yet (the quote still sits in the hedge) waits for the next
    /// rebalance.
    async fn redeem_pending(&mut self) -> Result<()> {
        let pending = std::mem::take(&mut self.pending_redemptions);
        for (t, i) in pending {
            let keys = self.series[i].keys;
            let (bank, m) = parts(&mut self.b, &self.pool)?;
            let Some(acct) = self.traders[t].options.get(&keys.option_mint).copied() else { continue };
            let held = bank.token_balance(&acct).await.map_err(bank_err)?;
            if held == 0 {
                continue;
            }
            let s: Series = m.series(bank, &keys).await.map_err(bank_err)?;
            let expected =
                redemption(s.payoff_per_contract(), held, self.d).map_err(|e| anyhow!("redemption maths: {e:?}"))?;
            let trader = &mut self.traders[t];
            let q0 = bank.token_balance(&trader.quote).await.map_err(bank_err)?;
            match m.redeem(bank, trader, &keys, held).await {
                Ok(()) => {}
                Err(e) if is_code(&e, OptionsError::InsufficientQuoteInVault) => {
                    self.pending_redemptions.push((t, i));
                    continue;
                }
                Err(e) => {
                    let line = bank_err(e).to_string();
                    self.mismatch(format!("redeeming {} failed: {line}", self.series[i].label));
                    continue;
                }
            }
            let q1 = bank.token_balance(&trader.quote).await.map_err(bank_err)?;
            let paid = q1.saturating_sub(q0);
            if paid != expected {
                self.mismatch(format!("redeeming {} paid {paid}, expected {expected}", self.series[i].label));
            }
            let r = &mut self.series[i].record;
            r.redeemed_contracts += held;
            r.redeemed_quote += paid;
        }
        Ok(())
    }

    /// Close every fully redeemed series: its reserve's rounding dust (each
    /// redemption rounds down, the reserve rounded up) goes back to the LPs.
    async fn close_redeemed_series(&mut self) -> Result<()> {
        for i in 0..self.series.len() {
            let keys = self.series[i].keys;
            let (bank, m) = parts(&mut self.b, &self.pool)?;
            if bank.account(&keys.series).await.map_err(bank_err)?.is_none() {
                continue;
            }
            let s: Series = m.series(bank, &keys).await.map_err(bank_err)?;
            if s.state != SeriesState::Settled || s.open_interest != 0 {
                continue;
            }
            m.close_series(bank, &keys)
                .await
                .map_err(bank_err)
                .with_context(|| format!("closing {}", self.series[i].label))?;
            self.series[i].record.closed = true;
        }
        Ok(())
    }

    /// The LP withdraws all it can: everything, or what the pool's cash and
    /// solvency rule let leave now. Returns (quote received, LP tokens left).
    async fn lp_withdraws(&mut self, s: &PoolSnapshot) -> Result<(u64, u64)> {
        let (bank, m) = parts(&mut self.b, &self.pool)?;
        let shares_held = bank.token_balance(&self.lp.lp).await.map_err(bank_err)?;
        let nav = s.nav(Rounding::Down).max(0) as u64;
        let all = quote_for_shares(shares_held, nav, s.lp_supply).map_err(|e| anyhow!("LP maths: {e:?}"))?;
        let can = s.can_withdraw_now();
        let shares = if all <= can { shares_held } else { shares_for_quote(can, nav, s.lp_supply).min(shares_held) };
        if shares == 0 {
            return Ok((0, shares_held));
        }
        let expected = quote_for_shares(shares, nav, s.lp_supply).map_err(|e| anyhow!("LP maths: {e:?}"))?;
        let q0 = bank.token_balance(&self.lp.quote).await.map_err(bank_err)?;
        if let Err(e) = m.withdraw(bank, &self.lp, shares, expected).await {
            let line = bank_err(e).to_string();
            self.mismatch(format!("the LP's withdrawal of {shares} LP base units failed: {line}"));
            return Ok((0, shares_held));
        }
        let q1 = bank.token_balance(&self.lp.quote).await.map_err(bank_err)?;
        let got = q1.saturating_sub(q0);
        if got != expected {
            self.mismatch(format!("the LP withdrew {got}, expected {expected}"));
        }
        Ok((got, shares_held - shares))
    }

    /// The book-keeping invariants, each counted: vaults hold exactly what
    /// the books say; each series' option supply equals its open interest
    /// and, while live, the cache's net short in the series' own slot; a
    /// settled series' reserve covers what its holders can still claim and
    /// the pool's reserve is the sum of them; live counts agree.
    async fn check_books(&mut self) -> Result<()> {
        let mut failed = Vec::new();
        let mut checks = 0u64;
        let mut check = |ok: bool, what: String| {
            checks += 1;
            if !ok {
                failed.push(what);
            }
        };
        let (bank, m) = parts(&mut self.b, &self.pool)?;
        let pool = m.pool(bank).await.map_err(bank_err)?;
        let qv = bank.token_balance(&m.keys.quote_vault).await.map_err(bank_err)?;
        let hv = bank.token_balance(&m.keys.hedge_vault).await.map_err(bank_err)?;
        check(qv == pool.quote_balance, format!("quote vault holds {qv}, the books say {}", pool.quote_balance));
        check(hv == pool.hedge_balance, format!("hedge vault holds {hv}, the books say {}", pool.hedge_balance));
        let cache = m.cache(bank).await.map_err(bank_err)?;
        let (mut owed, mut live) = (0u64, 0usize);
        for ds in &self.series {
            let supply = bank.mint_supply(&ds.keys.option_mint).await.map_err(bank_err)?;
            if bank.account(&ds.keys.series).await.map_err(bank_err)?.is_none() {
                // closed: only ever once nothing is outstanding
                check(
                    ds.record.closed && supply == 0,
                    format!("{}: series account gone with {supply} options outstanding", ds.label),
                );
                continue;
            }
            let s: Series = m.series(bank, &ds.keys).await.map_err(bank_err)?;
            check(
                supply == s.open_interest,
                format!("{}: option supply {supply} != open interest {}", ds.label, s.open_interest),
            );
            match s.state {
                SeriesState::Live => {
                    live += 1;
                    let e = cache.entries.get(s.cache_index as usize);
                    check(
                        e.is_some_and(|e| e.series == ds.keys.series && e.net_short == s.open_interest),
                        format!(
                            "{}: greek cache slot {} does not hold its open interest {}",
                            ds.label, s.cache_index, s.open_interest
                        ),
                    );
                }
                SeriesState::Settled => {
                    owed += s.payout_remaining;
                    let claim = redemption(s.payoff_per_contract(), s.open_interest, self.d).unwrap_or(u64::MAX);
                    check(
                        s.payout_remaining >= claim,
                        format!("{}: reserve {} < what holders can claim {claim}", ds.label, s.payout_remaining),
                    );
                }
            }
        }
        check(
            pool.reserved_payouts == owed,
            format!("reserved payouts {} != owed by settled series {owed}", pool.reserved_payouts),
        );
        check(
            cache.live_count() == live,
            format!("greek cache counts {} live series, there are {live}", cache.live_count()),
        );
        check(
            pool.live_series as usize == live,
            format!("pool counts {} live series, there are {live}", pool.live_series),
        );
        self.invariant_checks += checks;
        self.invariant_violations += failed.len() as u64;
        for what in failed {
            if self.invariant_failures.len() < KEEP_FAILURES {
                self.invariant_failures.push(format!("step {}: {what}", self.step));
            }
        }
        Ok(())
    }

    async fn finish(
        &mut self,
        args: &DemoArgs,
        nav_start: i128,
        nav_end: i128,
        withdrawn: u64,
        left: u64,
        spot_end: f64,
    ) -> Result<DemoReport> {
        let s = self.snapshot().await?;
        let left_value = quote_for_shares(left, s.nav(Rounding::Down).max(0) as u64, s.lp_supply).unwrap_or(0);
        let (bank, m) = parts(&mut self.b, &self.pool)?;
        let final_vault_quote = bank.token_balance(&m.keys.quote_vault).await.map_err(bank_err)?;
        let final_vault_hedge = bank.token_balance(&m.keys.hedge_vault).await.map_err(bank_err)?;
        let pool = &s.pool;
        let premiums = self.premiums_in as i64 - self.premiums_out as i64;
        let nav_start = nav_start as i64;
        let nav_end = nav_end as i64;
        let hedge_pnl = nav_end
            - nav_start
            - (premiums + pool.total_fees as i64 - pool.total_payouts as i64 - pool.total_keeper_rewards as i64);
        let series: Vec<SeriesRecord> = self.series.iter().map(|s| s.record.clone()).collect();
        Ok(DemoReport {
            seed: args.seed,
            steps: args.steps,
            policy: match args.policy {
                DemoPolicy::Threshold => "threshold (5 SOL band, trade to target)".into(),
                DemoPolicy::Ww => format!(
                    "ww (Whalley-Wilmott, cost {WW_COST_BPS} bps, risk aversion {}, trade to the band edge)",
                    WW_RISK_AVERSION_PPM as f64 / 1e6
                ),
            },
            units: UNITS,
            days: HORIZON_DAYS,
            spot_start: SPOT_START,
            spot_end,
            path_vol: PATH_VOL,
            settled_series: series.iter().filter(|s| s.settled).count(),
            redeemed_total: series.iter().map(|s| s.redeemed_quote).sum(),
            redeemed_contracts: series.iter().map(|s| s.redeemed_contracts).sum(),
            series,
            trade_count: self.trades.len(),
            trades: std::mem::take(&mut self.trades),
            refused_trades: std::mem::take(&mut self.refused),
            max_abs_delta_after_rebalance: self.rebalances.iter().map(|r| r.delta_after.abs()).fold(0.0, f64::max),
            hedge_cost: self.rebalances.iter().map(|r| r.cost).sum(),
            rebalances: std::mem::take(&mut self.rebalances),
            lp_deposit: LP_DEPOSIT,
            nav_start,
            nav_end,
            lp_withdrawn: withdrawn,
            lp_tokens_left: left,
            lp_tokens_left_value: left_value,
            lp_pnl: withdrawn as i64 + left_value as i64 - LP_DEPOSIT as i64,
            premiums,
            premiums_gross: pool.total_premiums,
            fees: pool.total_fees,
            payouts: pool.total_payouts,
            keeper_rewards: pool.total_keeper_rewards,
            hedge_pnl,
            invariant_checks: self.invariant_checks,
            invariant_violations: self.invariant_violations,
            invariant_failures: std::mem::take(&mut self.invariant_failures),
            prediction_mismatches: self.prediction_mismatches,
            prediction_failures: std::mem::take(&mut self.prediction_failures),
            final_vault_quote,
            final_vault_hedge,
            final_reserved_payouts: pool.reserved_payouts,
            timeline: std::mem::take(&mut self.timeline),
            chart: None,
        })
    }
}
