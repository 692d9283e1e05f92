//! `oamm keeper`: the permissionless upkeep of every pool of the program.
//!
//! Each tick, for each pool: settle the live series that have expired (when
//! the oracle holds a price the program accepts for settlement), then call
//! `rebalance` exactly when the program's own plan (`manager::hedge::plan`,
//! run client-side on a snapshot repriced with the program's functions) says
//! it would trade. A keeper therefore never pays for a transaction the
//! program would refuse as not due. `tick` is the whole per-tick logic and
//! runs in-process (tests, the demo); `run_loop` wraps it in the daemon:
//! interval, backoff on RPC errors, Ctrl-C.
mod config;
mod health;
mod report;
mod telemetry;

pub use report::*;

pub use telemetry::{
    start_metrics, LogFormat, FAILURES, POOL_DELTA, REBALANCES, REWARD, SETTLEMENTS, SKIPS, TICKS, TICK_SECONDS,
};

use super::wallet_token_account;
use crate::amounts::format_units;
use crate::backend::Backend;
use crate::errors::TxRefused;
use crate::output::Report;
use crate::snapshot::{program_error_line, PoolSnapshot, SeriesInfo};
use anchor_lang::{AccountDeserialize, Discriminator};
use anyhow::{anyhow, bail, Result};
use oamm_sdk::ix;
use oamm_sdk::pda::VenueKeys;
use options_amm::constants::PAUSE_REBALANCE;
use options_amm::error::OptionsError;
use options_amm::manager::hedge::HedgeSide;
use options_amm::oracle::{read_price, Freshness};
use options_amm::state::{Pool, SeriesState};
use options_math::I80F48;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use serde::Serialize;
use serde_json::json;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signer::Signer;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;
use tracing::{debug, error, info, warn};

#[derive(clap::Args, Debug, Clone)]
pub struct KeeperArgs {
    /// Seconds between ticks [default: 10].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub interval_s: Option<u64>,
    /// Run one tick, then exit (cron, scripts); a tick with a failure exits non-zero.
    #[arg(long, conflicts_with = "max_ticks")]
    pub once: bool,
    /// Stop after this many ticks.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_ticks: Option<u64>,
    /// Log what would be sent and send nothing (no wallet needed).
    #[arg(long)]
    pub dry_run: bool,
    /// Serve Prometheus metrics at http://ADDR/metrics (e.g. 127.0.0.1:9464) [default: off].
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Serve GET http://ADDR/healthz: 200 while ticks succeed, 503 when none
    /// has for three intervals (at least a minute) [default: off].
    #[arg(long, value_name = "ADDR")]
    pub health_addr: Option<SocketAddr>,
    /// Log lines on stderr: human-readable or one JSON object per event [default: human].
    #[arg(long, value_enum)]
    pub log_format: Option<LogFormat>,
    /// Settings from a TOML file (interval_s, metrics_addr, health_addr,
    /// log_format); flags given here win over it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
}

/// Seconds between ticks when neither a flag nor the config file says.
const DEFAULT_INTERVAL_S: u64 = 10;

/// Retry delays after consecutive failed ticks: `initial`, doubling, capped at `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { initial: Duration::from_secs(1), max: Duration::from_secs(60) }
    }
}

impl Backoff {
    /// The wait after the `failures`-th failed tick in a row (1-based); zero for none.
    pub fn delay(&self, failures: u32) -> Duration {
        if failures == 0 {
            return Duration::ZERO;
        }
        let factor = 1u32.checked_shl(failures - 1).unwrap_or(u32::MAX);
        self.initial.checked_mul(factor).unwrap_or(self.max).min(self.max)
    }
}

#[derive(Clone, Debug)]
pub struct KeeperOptions {
    /// One pool, or every pool of the program.
    pub pool: Option<Pubkey>,
    pub dry_run: bool,
    pub interval: Duration,
    /// Stop after this many ticks (None: until interrupted).
    pub max_ticks: Option<u64>,
    pub backoff: Backoff,
    /// Told of every tick's outcome (`--health-addr`).
    pub health: Option<health::Health>,
}

impl KeeperOptions {
    pub fn new(pool: Option<Pubkey>) -> KeeperOptions {
        KeeperOptions {
            pool,
            dry_run: false,
            interval: Duration::from_secs(DEFAULT_INTERVAL_S),
            max_ticks: None,
            backoff: Backoff::default(),
            health: None,
        }
    }

    pub fn from_args(pool: Option<Pubkey>, a: &KeeperArgs) -> KeeperOptions {
        let interval = Duration::from_secs(a.interval_s.unwrap_or(DEFAULT_INTERVAL_S));
        KeeperOptions {
            pool,
            dry_run: a.dry_run,
            interval,
            max_ticks: if a.once { Some(1) } else { a.max_ticks },
            backoff: Backoff::default(),
            health: a.health_addr.map(|_| health::Health::new(interval)),
        }
    }
}

/// Whole units of a base-unit amount, for logs and gauges.
fn whole(x: I80F48, decimals: u8) -> f64 {
    x.to_num::<f64>() / 10f64.powi(decimals as i32)
}

/// hedge - B*, underlying base units.
fn pool_delta(s: &PoolSnapshot) -> I80F48 {
    I80F48::from_num(s.pool.hedge_balance) - s.cache.target_hedge()
}

fn is_refusal(e: &anyhow::Error) -> bool {
    e.downcast_ref::<TxRefused>().is_some()
}

/// One pass over the pools. `Err` only when the pools cannot even be
/// listed; every per-pool problem is recorded in the report and the other
/// pools still get their turn.
pub async fn tick(b: &mut Backend, opts: &KeeperOptions) -> Result<TickReport> {
    let keys = match opts.pool {
        Some(p) => vec![p],
        None => crate::snapshot::pools(b).await?.into_iter().map(|(k, _)| k).collect(),
    };
    let mut report = TickReport { pools: keys.len(), ..Default::default() };
    if keys.is_empty() {
        debug!("no options pool on {}", b.name());
    }
    for key in keys {
        pool_tick(b, key, opts, &mut report).await;
    }
    Ok(report)
}

async fn pool_tick(b: &mut Backend, key: Pubkey, opts: &KeeperOptions, report: &mut TickReport) {
    let mut s = match PoolSnapshot::load(b, key).await {
        Ok(s) => s,
        Err(e) => return report.fail(Some(key), FailureKind::Read, &e),
    };
    // settle first: a settled series leaves the target hedge, so the
    // rebalance below already unwinds its hedge in the same tick
    let series = match s.series(b).await {
        Ok(x) => x,
        Err(e) => return report.fail(Some(key), FailureKind::Read, &e),
    };
    let mut settled_any = false;
    for x in series.iter().filter(|x| x.series.state == SeriesState::Live && s.now >= x.series.expiry) {
        match settle_one(b, &s, x, opts, report).await {
            Ok(sent) => settled_any |= sent,
            Err(e) => return report.fail(Some(key), FailureKind::Read, &e),
        }
    }
    if settled_any {
        s = match PoolSnapshot::load(b, key).await {
            Ok(s) => s,
            Err(e) => return report.fail(Some(key), FailureKind::Read, &e),
        };
    }
    let decimals = s.pool.underlying_decimals;
    let delta = rebalance_if_due(b, s, opts, report).await;
    metrics::gauge!(POOL_DELTA, "pool" => key.to_string()).set(whole(delta, decimals));
}

/// Settle `x` if the oracle holds a price the program accepts for it.
/// `Ok(true)` when a settlement landed; `Err` only when state cannot be read.
async fn settle_one(
    b: &mut Backend,
    s: &PoolSnapshot,
    x: &SeriesInfo,
    opts: &KeeperOptions,
    report: &mut TickReport,
) -> Result<bool> {
    let key = s.keys.pool;
    let update: PriceUpdateV2 = b.anchor(&s.price_account, "Pyth price update").await?;
    // the program's own acceptance rule for a settlement price
    let price = match read_price(&update, &s.pool.params.oracle, Freshness::Settlement { expiry: x.series.expiry }) {
        Ok(p) => p,
        Err(e) => {
            let why = program_error_line(&e);
            let msg = &update.price_message;
            if msg.publish_time < x.series.expiry {
                // the normal wait between expiry and the feed's next update
                debug!(pool = %key, series = %x.key, action = "settle", "waiting for the first price after expiry: {why}");
            } else {
                // the feed has moved past the update that covers expiry (or
                // the update is unusable): this price account can no longer
                // settle the series; the covering update must be posted
                report.skip(
                    key,
                    "settle",
                    "settlement_price",
                    if e == OptionsError::SettlementPriceNotFirstAfterExpiry.into() {
                        format!(
                            "series {} cannot be settled with price account {}: {why}; its update is past the \
                             pool's {} s grace and is not the one covering expiry: post that one from Hermes and \
                             run `oamm settle` with --price-account",
                            x.key, s.price_account, s.pool.params.oracle.settlement_grace_s
                        )
                    } else {
                        format!("series {} cannot be settled with price account {}: {why}", x.key, s.price_account)
                    },
                );
            }
            return Ok(false);
        }
    };
    if opts.dry_run {
        info!(pool = %key, series = %x.key, action = "settle", dry_run = true, price = price.spot.to_num::<f64>(), "would settle");
        report.settlements.push(SettleAction {
            pool: key.to_string(),
            series: x.key.to_string(),
            price: price.spot,
            reserved: 0,
            signature: None,
        });
        return Ok(false);
    }
    let ixs = [ix::ix(ix::settle_series(&s.keys, &x.keys(), s.price_account), ix::data::SettleSeries {})];
    match b.send(&ixs, &[]).await {
        Ok(sig) => {
            let reserved = match b.anchor::<options_amm::state::Series>(&x.key, "series").await {
                Ok(after) => after.payout_remaining,
                Err(_) => 0,
            };
            info!(pool = %key, series = %x.key, action = "settle", price = price.spot.to_num::<f64>(),
                  reserved = %format_units(reserved, s.pool.quote_decimals), signature = %sig, "settled");
            metrics::counter!(SETTLEMENTS, "pool" => key.to_string()).increment(1);
            report.settlements.push(SettleAction {
                pool: key.to_string(),
                series: x.key.to_string(),
                price: price.spot,
                reserved,
                signature: Some(sig),
            });
            Ok(true)
        }
        Err(e) => {
            let kind = if is_refusal(&e) { FailureKind::SettleRefused } else { FailureKind::Send };
            report.fail(Some(key), kind, &e.context(format!("settling series {}", x.key)));
            Ok(false)
        }
    }
}

/// Rebalance when the program's plan says it would trade; returns the pool
/// delta (underlying base units) after the tick.
async fn rebalance_if_due(b: &mut Backend, s: PoolSnapshot, opts: &KeeperOptions, report: &mut TickReport) -> I80F48 {
    let key = s.keys.pool;
    let du = s.pool.underlying_decimals;
    let delta_before = pool_delta(&s);
    let band = s.band().widest();
    let plan = match s.rebalance_plan() {
        Ok(p) => p,
        Err(e) => {
            let not_due = [OptionsError::RebalanceNotDue, OptionsError::RebalanceCooldown]
                .iter()
                .any(|x| e == anchor_lang::error::Error::from(*x));
            if not_due {
                debug!(pool = %key, delta = whole(delta_before, du), band = whole(band, du), "no rebalance due: {}", program_error_line(&e));
            } else {
                report.skip(key, "rebalance", "plan", program_error_line(&e));
            }
            return delta_before;
        }
    };
    if s.pool.is_paused(PAUSE_REBALANCE) {
        report.skip(key, "rebalance", "paused", "the pool's admin paused rebalancing".into());
        return delta_before;
    }
    if let Some(p) = &s.oracle_problem {
        report.skip(
            key,
            "rebalance",
            "oracle",
            format!("the oracle price cannot be used now ({p}); it is {} s old", s.price_age_s),
        );
        return delta_before;
    }
    // the program checks the venue's own quote against the oracle bound
    // before swapping; checking it here spares a transaction it would refuse
    let venue = match venue_for(b, &s.pool).await {
        Ok(v) => v,
        Err(e) => {
            report.fail(Some(key), FailureKind::Read, &e);
            return delta_before;
        }
    };
    if let Err(e) = options_amm::venue::check_quote(&venue.1, &plan) {
        report.skip(
            key,
            "rebalance",
            "venue_price",
            format!("the venue's price is outside the oracle bound: {}", program_error_line(&e)),
        );
        return delta_before;
    }

    let side = match plan.side {
        HedgeSide::BuyUnderlying => "buy",
        HedgeSide::SellUnderlying => "sell",
    };
    let mut action = RebalanceAction {
        pool: key.to_string(),
        side,
        underlying: plan.underlying,
        quote_bound: plan.quote_bound,
        amount_in: 0,
        amount_out: 0,
        hedge_before: s.pool.hedge_balance,
        hedge_after: s.pool.hedge_balance,
        delta_before,
        delta_after: delta_before,
        band: plan.band,
        reward: 0,
        quote_decimals: s.pool.quote_decimals,
        funds_payouts: plan.funds_payouts,
        signature: None,
    };
    if opts.dry_run {
        info!(pool = %key, action = "rebalance", dry_run = true, side, underlying = %format_units(plan.underlying, du),
              quote_bound = %format_units(plan.quote_bound, s.pool.quote_decimals),
              delta_before = whole(delta_before, du), band = whole(plan.band, du), "would rebalance");
        report.rebalances.push(action);
        return delta_before;
    }
    match send_rebalance(b, &s, &venue.0).await {
        Ok((sig, reward)) => {
            metrics::counter!(REBALANCES, "pool" => key.to_string()).increment(1);
            metrics::counter!(REWARD, "pool" => key.to_string()).increment(reward);
            action.signature = Some(sig.clone());
            action.reward = reward;
            // what moved, from the pool's books before and after
            match PoolSnapshot::load(b, key).await {
                Ok(after) => {
                    let (q0, q1) = (s.pool.quote_balance as i128, after.pool.quote_balance as i128 + reward as i128);
                    let (h0, h1) = (s.pool.hedge_balance as i128, after.pool.hedge_balance as i128);
                    let (amount_in, amount_out) = match plan.side {
                        HedgeSide::BuyUnderlying => (q0 - q1, h1 - h0),
                        HedgeSide::SellUnderlying => (h0 - h1, q1 - q0),
                    };
                    action.amount_in = amount_in.max(0) as u64;
                    action.amount_out = amount_out.max(0) as u64;
                    action.hedge_after = after.pool.hedge_balance;
                    action.delta_after = pool_delta(&after);
                }
                Err(e) => warn!(pool = %key, "rebalanced, but the pool could not be read back: {e:#}"),
            }
            info!(pool = %key, action = "rebalance", side, underlying = %format_units(plan.underlying, du),
                  amount_in = action.amount_in, amount_out = action.amount_out,
                  delta_before = whole(delta_before, du), delta_after = whole(action.delta_after, du), band = whole(plan.band, du),
                  reward = %format_units(reward, s.pool.quote_decimals), signature = %sig, "rebalanced");
            let delta_after = action.delta_after;
            report.rebalances.push(action);
            delta_after
        }
        Err(e) => {
            // a refusal here is usually a race (another keeper, the price
            // moving between our read and the block): the next tick re-plans
            let kind = if is_refusal(&e) { FailureKind::RebalanceRefused } else { FailureKind::Send };
            report.fail(Some(key), kind, &e.context("rebalance"));
            delta_before
        }
    }
}

/// The venue accounts the pool is pinned to, and the venue pool's state.
async fn venue_for(b: &mut Backend, pool: &Pool) -> Result<(VenueKeys, spot_venue::state::VenuePool)> {
    let key = pool.params.hedge.venue_pool;
    let acc = b.account(&key).await?.ok_or_else(|| anyhow!("the pool's venue pool {key} does not exist"))?;
    let v = spot_venue::state::VenuePool::try_deserialize(&mut acc.data.as_slice())
        .map_err(|_| anyhow!("{key} (the pool's venue) is not a spot-venue pool"))?;
    let keys = VenueKeys {
        venue_pool: key,
        base_mint: v.base_mint,
        quote_mint: v.quote_mint,
        base_vault: v.base_vault,
        quote_vault: v.quote_vault,
        lp_mint: v.lp_mint,
    };
    Ok((keys, v))
}

/// Send the rebalance; the signature and the reward the wallet received.
async fn send_rebalance(b: &mut Backend, s: &PoolSnapshot, venue: &VenueKeys) -> Result<(String, u64)> {
    let (keeper_quote, create) = wallet_token_account(b, &s.pool.quote_mint).await?;
    let before = b.token_balance(&keeper_quote).await?;
    let mut accounts = ix::rebalance(b.wallet().pubkey(), &s.keys, s.price_account, keeper_quote, venue);
    // the pool pins its venue program; the builder assumes ours
    accounts.venue_program = s.pool.params.hedge.venue_program;
    let mut ixs: Vec<_> = create.into_iter().collect();
    ixs.push(ix::ix(accounts, ix::data::Rebalance {}));
    let sig = b.send(&ixs, &[]).await?;
    // rewards only add to this account, so the difference is the reward
    // (0 if the balance cannot be read back: the transaction did land)
    let after = b.token_balance(&keeper_quote).await.unwrap_or(before);
    Ok((sig, after.saturating_sub(before)))
}

/// Wait for the next interrupt; never, once its sender is gone.
async fn interrupted(rx: &mut UnboundedReceiver<()>) {
    if rx.recv().await.is_none() {
        std::future::pending::<()>().await
    }
}

/// The daemon: ticks every `opts.interval` (backing off after failed ticks)
/// until `max_ticks` or an interrupt. The first interrupt lets the running
/// tick finish; a second abandons it (a transaction in flight may or may
/// not land; the next keeper run re-reads the chain either way).
pub async fn run_loop(b: &mut Backend, opts: &KeeperOptions, mut interrupts: UnboundedReceiver<()>) -> RunSummary {
    let mut summary = RunSummary { dry_run: opts.dry_run, ..Default::default() };
    let mut failed_in_a_row = 0u32;
    loop {
        let started = Instant::now();
        let outcome = {
            let t = tick(b, opts);
            tokio::pin!(t);
            tokio::select! {
                biased;
                _ = interrupted(&mut interrupts) => {
                    summary.interrupted = true;
                    info!("interrupted: finishing the current tick (Ctrl-C again to abandon it)");
                    tokio::select! {
                        biased;
                        _ = interrupted(&mut interrupts) => None,
                        r = &mut t => Some(r),
                    }
                }
                r = &mut t => Some(r),
            }
        };
        let elapsed = started.elapsed().as_secs_f64();
        metrics::histogram!(TICK_SECONDS).record(elapsed);
        metrics::counter!(TICKS).increment(1);
        summary.ticks += 1;
        let failed = match outcome {
            None => {
                warn!("tick abandoned");
                summary.abandoned_tick = true;
                break;
            }
            Some(Ok(r)) => {
                summary.absorb(&r);
                debug!(
                    pools = r.pools,
                    rebalances = r.rebalances.len(),
                    settlements = r.settlements.len(),
                    failures = r.failures.len(),
                    seconds = elapsed,
                    "tick done"
                );
                r.transport_failed()
            }
            Some(Err(e)) => {
                error!(kind = FailureKind::Read.as_str(), "cannot list the pools: {e:#}");
                metrics::counter!(FAILURES, "kind" => FailureKind::Read.as_str()).increment(1);
                summary.record_failure(FailureKind::Read, &format!("cannot list the pools: {e:#}"));
                true
            }
        };
        if let Some(h) = &opts.health {
            h.record_tick(!failed);
        }
        if summary.interrupted || opts.max_ticks.is_some_and(|n| summary.ticks >= n) {
            break;
        }
        let wait = if failed {
            failed_in_a_row = failed_in_a_row.saturating_add(1);
            let d = opts.backoff.delay(failed_in_a_row);
            warn!(failed_in_a_row, retry_in_s = d.as_secs_f64(), "tick failed; backing off");
            d
        } else {
            failed_in_a_row = 0;
            opts.interval
        };
        tokio::select! {
            biased;
            _ = interrupted(&mut interrupts) => {
                info!("interrupted between ticks: stopping");
                summary.interrupted = true;
                break;
            }
            _ = tokio::time::sleep(wait) => {}
        }
    }
    info!(
        ticks = summary.ticks,
        rebalances = summary.rebalances,
        settlements = summary.settlements,
        failures = summary.failures,
        reward = summary.reward,
        "keeper stopped"
    );
    summary
}

/// `oamm keeper`.
pub async fn run(b: &mut Backend, pool: Option<Pubkey>, args: KeeperArgs) -> Result<Report> {
    let args = args.with_config()?;
    telemetry::init_logging(args.log_format.unwrap_or(LogFormat::Human));
    if let Some(p) = pool {
        // a wrong --pool is the user's error, said once; an unreachable
        // node is not: the loop backs off until it answers
        if let Ok(acc) = b.account(&p).await {
            match acc {
                None => bail!("no options pool at {p} on {}", b.name()),
                Some(a) if !a.data.starts_with(Pool::DISCRIMINATOR) => bail!("{p} is not an options pool"),
                Some(_) => {}
            }
        }
    }
    if let Some(addr) = args.metrics_addr {
        let served = start_metrics(addr)?;
        info!("metrics at http://{served}/metrics");
    }
    let opts = KeeperOptions::from_args(pool, &args);
    if let (Some(addr), Some(h)) = (args.health_addr, &opts.health) {
        let served = h.serve(addr).await?;
        info!("health at http://{served}/healthz");
    }
    info!(backend = %b.name(), keeper = %b.wallet().pubkey(), dry_run = opts.dry_run, interval_s = opts.interval.as_secs(),
          pool = pool.map(|p| p.to_string()).as_deref().unwrap_or("all"), "keeper started");
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            if let Err(e) = tokio::signal::ctrl_c().await {
                warn!("cannot listen for Ctrl-C: {e}");
                return;
            }
            if tx.send(()).is_err() {
                return;
            }
        }
    });
    let summary = run_loop(b, &opts, rx).await;
    if args.once {
        if let Some(first) = &summary.first_failure {
            let more = summary.failures - 1;
            let tail = if more > 0 { format!(" (and {more} more failure(s), see the log)") } else { String::new() };
            bail!("keeper tick failed: {first}{tail}");
        }
    }
    Ok(summary.report())
}
