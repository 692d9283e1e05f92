//! The keeper's logs (tracing) and Prometheus metrics (the `metrics` facade
//! with `metrics-exporter-prometheus` serving `/metrics` itself).
use anyhow::{anyhow, Context, Result};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
use std::io::IsTerminal;
use std::net::SocketAddr;

pub const TICKS: &str = "oamm_keeper_ticks_total";
pub const TICK_SECONDS: &str = "oamm_keeper_tick_duration_seconds";
pub const REBALANCES: &str = "oamm_keeper_rebalances_total";
pub const SETTLEMENTS: &str = "oamm_keeper_settlements_total";
pub const FAILURES: &str = "oamm_keeper_failures_total";
pub const SKIPS: &str = "oamm_keeper_skipped_total";
pub const REWARD: &str = "oamm_keeper_reward_quote_total";
pub const POOL_DELTA: &str = "oamm_keeper_pool_delta";

/// `--log-format`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One readable line per event.
    Human,
    /// One JSON object per event (for log shippers).
    Json,
}

/// Logs go to stderr so stdout carries only the summary (`--output json`
/// stays parseable). `RUST_LOG` overrides the default `info` level.
pub fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // a subscriber already installed (a test, an embedding program) keeps its logs
    let _ = match format {
        LogFormat::Human => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// Serve the metrics on `addr` (port 0 picks a free port) and return the
/// address actually served. The recorder is process-wide: once per process.
pub fn start_metrics(addr: SocketAddr) -> Result<SocketAddr> {
    // The exporter binds its own listener and does not say which port it
    // got, so port 0 is resolved here first (a free port, reserved only for
    // the instant between the two binds).
    let addr = if addr.port() == 0 {
        let probe = std::net::TcpListener::bind(addr).with_context(|| format!("cannot serve metrics on {addr}"))?;
        probe.local_addr()?
    } else {
        addr
    };
    PrometheusBuilder::new()
        .with_http_listener(addr)
        // a real histogram (buckets), so latency percentiles aggregate across keepers
        .set_buckets_for_metric(
            Matcher::Full(TICK_SECONDS.into()),
            &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0],
        )
        .map_err(|e| anyhow!("metrics histogram buckets: {e}"))?
        .install()
        .map_err(|e| anyhow!("cannot serve metrics on {addr}: {e}"))?;
    describe();
    Ok(addr)
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(TICKS, "Keeper loop iterations run");
    describe_histogram!(TICK_SECONDS, Unit::Seconds, "Time one keeper tick took (all pools)");
    describe_counter!(REBALANCES, "Rebalance transactions the keeper landed, by pool");
    describe_counter!(SETTLEMENTS, "Series the keeper settled, by pool");
    describe_counter!(FAILURES, "Keeper failures by kind: read (state unreadable), send (transaction not delivered), rebalance_refused, settle_refused (the program said no)");
    describe_counter!(SKIPS, "Actions due but not sent, by action and reason (rebalance: oracle, venue_price, paused, plan; settle: settlement_price)");
    describe_counter!(REWARD, "Keeper reward received, quote base units, by pool");
    describe_gauge!(POOL_DELTA, "Pool delta (hedge - target) after the last tick, whole units of underlying, by pool");
    // failure kinds exist from the start at 0, so rate() and alerts work before the first failure
    for kind in super::FailureKind::ALL {
        metrics::counter!(FAILURES, "kind" => kind.as_str()).increment(0);
    }
    metrics::counter!(TICKS).increment(0);
}
