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
//! Everything is a function of `--seed`, `--steps`, `--policy` and
//! `--retrace`: the clock starts at a fixed date and the random numbers
//! come from seeded ChaCha streams, so the same flags print the same JSON.
mod chart;
mod checks;
mod keeper;
mod quiet;
mod report;
mod settlement;
mod table;
mod traders;

pub use report::*;
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
    /// Cost-benefit band: max(Whalley-Wilmott, cost / (risk aversion S
    /// sigma^2 tau)) with the `ww` parameters and terminal factor 1; trade
    /// to the band's edge.
    CostBenefit,
    /// `cost-benefit` with each expiry before the book's last given its
    /// allowance (the part of its delta not worth hedging before it settles).
    ExpiryAware,
}

impl DemoPolicy {
    fn config(self) -> HedgePolicyConfig {
        let cost_benefit = |expiry_aware| HedgePolicyConfig::CostBenefit {
            cost_bps: WW_COST_BPS,
            risk_aversion_ppm: WW_RISK_AVERSION_PPM,
            terminal_bps: 10_000,
            expiry_aware,
        };
        match self {
            DemoPolicy::Threshold => HedgePolicyConfig::DeltaThreshold { band: 5 * SOL },
            DemoPolicy::Ww => {
                HedgePolicyConfig::WhalleyWilmott { cost_bps: WW_COST_BPS, risk_aversion_ppm: WW_RISK_AVERSION_PPM }
            }
            DemoPolicy::CostBenefit => cost_benefit(false),
            DemoPolicy::ExpiryAware => cost_benefit(true),
        }
    }

    fn describe(self, retrace: f64) -> String {
        let to = if retrace == 0.0 {
            "trade to the band edge".to_string()
        } else {
            format!("trade from the band edge {:.0}% of the way back to the target", 100.0 * retrace)
        };
        let ww = format!("cost {WW_COST_BPS} bps, risk aversion {}", WW_RISK_AVERSION_PPM as f64 / 1e6);
        match self {
            DemoPolicy::Threshold => "threshold (5 SOL band, trade to target)".into(),
            DemoPolicy::Ww => format!("ww (Whalley-Wilmott, {ww}, {to})"),
            DemoPolicy::CostBenefit => {
                format!("cost-benefit (max of Whalley-Wilmott and the terminal term, {ww}, terminal 1.0, {to})")
            }
            DemoPolicy::ExpiryAware => format!(
                "expiry-aware (cost-benefit band with each earlier expiry's allowance, {ww}, terminal 1.0, {to})"
            ),
        }
    }
}

/// `--retrace`: a fraction in [0, 1].
fn parse_retrace(s: &str) -> Result<f64, String> {
    let x: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!("{s} is outside [0, 1]"))
    }
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
    /// Edge policies (ww, cost-benefit, expiry-aware): trade from the
    /// crossed band edge this fraction of the way back to the target (0 = to
    /// the edge, 1 = to the target; whole bps on chain).
    #[arg(long, default_value_t = 0.0, value_parser = parse_retrace)]
    pub retrace: f64,
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
            retrace: 0.0,
            chart: "oamm-demo.svg".into(),
            no_chart: false,
        }
    }
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
        params.hedge.policy = args.policy.config();
        params.hedge.retrace_bps = (args.retrace * 10_000.0).round() as u16;
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
            let band = after.band();
            self.timeline.push(StepRecord {
                step: self.step,
                day: day_of(t),
                oracle_price: f(after.spot),
                nav: after.nav(Rounding::Down).clamp(i64::MIN as i128, i64::MAX as i128) as i64,
                hedge: after.pool.hedge_balance,
                target: f(target),
                delta_before,
                delta_after: f(I80F48::from_num(after.pool.hedge_balance) - target),
                band_below: f(band.below),
                band_above: f(band.above),
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
            policy: args.policy.describe(args.retrace),
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
