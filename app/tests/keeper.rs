//! `oamm keeper` on the embedded bank: the same `tick` and `run_loop` the
//! binary runs, with the price driven by the SDK's market (oracle posts and
//! an arbitrageur keeping the venue at the oracle price). The keeper's
//! decisions are checked against an independent prediction: the program's
//! plan on a fresh snapshot, taken before each tick.
#![allow(deprecated)]

use oamm::backend::{Backend, Embedded, Rpc};
use oamm::commands::keeper::{self, Backoff, KeeperOptions, TickReport};
use oamm::snapshot::PoolSnapshot;
use oamm_sdk::market::{Actor, Market, MarketConfig};
use oamm_sdk::pda::SeriesKeys;
use options_amm::error::OptionsError;
use options_amm::state::{HedgePolicyConfig, Kind, SeriesState};
use options_math::I80F48;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;
use std::process::Command;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const USDC: u64 = 1_000_000;
const SOL: u64 = 1_000_000_000;
const T0: i64 = 1_800_000_000;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// One market in the bank, and the actors the tests move it with.
struct Mkt {
    pool: Pubkey,
    trader: Actor,
    arb: Actor,
}

fn emb(b: &mut Backend) -> &mut Embedded {
    match b {
        Backend::Embedded(e) => e,
        Backend::Rpc(_) => unreachable!("the tests run on the embedded bank"),
    }
}

async fn bank() -> Backend {
    Backend::Embedded(Box::new(Embedded::start(T0).await.unwrap()))
}

/// A SOL/USDC-like market with 500k quote of liquidity and a funded trader;
/// `feed` must differ between markets of one bank (the embedded backend
/// finds a pool's oracle by feed id).
async fn add_market(b: &mut Backend, feed: u8, policy: Option<HedgePolicyConfig>) -> Mkt {
    let e = emb(b);
    let cfg = MarketConfig { feed_id: [feed; 32], ..MarketConfig::default() };
    let m = Market::create(&mut e.bank, &cfg).await.unwrap();
    if let Some(policy) = policy {
        let mut params = m.pool(&mut e.bank).await.unwrap().params;
        params.hedge.policy = policy;
        m.update_params(&mut e.bank, params).await.unwrap();
    }
    let lp = m.new_actor(&mut e.bank, 500_000 * USDC).await.unwrap();
    m.deposit(&mut e.bank, &lp, 500_000 * USDC, 0).await.unwrap();
    let trader = m.new_actor(&mut e.bank, 500_000 * USDC).await.unwrap();
    let arb = m.new_actor(&mut e.bank, 0).await.unwrap();
    let pool = m.keys.pool;
    e.adopt(m);
    Mkt { pool, trader, arb }
}

/// List a series (the backend learns its account, as it would from a chain scan).
async fn list(b: &mut Backend, pool: Pubkey, strike: u64, expiry: i64, kind: Kind) -> SeriesKeys {
    let Embedded { bank, markets, .. } = emb(b);
    let s = markets[&pool].list_series(bank, strike * USDC, expiry, kind).await.unwrap();
    emb(b).remember(s.series);
    s
}

async fn buy(b: &mut Backend, mk: &mut Mkt, s: &SeriesKeys, contracts: u64) {
    let Embedded { bank, markets, .. } = emb(b);
    markets[&mk.pool].buy(bank, &mut mk.trader, s, contracts, u64::MAX).await.unwrap();
}

async fn sell(b: &mut Backend, mk: &mut Mkt, s: &SeriesKeys, contracts: u64) {
    let Embedded { bank, markets, .. } = emb(b);
    markets[&mk.pool].sell(bank, &mut mk.trader, s, contracts, 0).await.unwrap();
}

/// Post an oracle price (exponent -8) published now and arbitrage the venue to it.
async fn set_price(b: &mut Backend, mk: &Mkt, price_e8: i64) {
    let Embedded { bank, markets, .. } = emb(b);
    let m = markets.get_mut(&mk.pool).unwrap();
    m.post_price(bank, price_e8);
    m.align_venue(bank, &mk.arb).await.unwrap();
}

/// The independent prediction: does the program's plan trade right now?
async fn due(b: &mut Backend, pool: Pubkey) -> bool {
    let s = PoolSnapshot::load(b, pool).await.unwrap();
    match s.rebalance_plan() {
        Ok(_) => true,
        Err(e) => {
            // not due, or an expired series must be settled first (the
            // program refuses the rebalance until it is)
            let not_due = [OptionsError::RebalanceNotDue, OptionsError::ExpiredSeriesUnsettled];
            assert!(not_due.iter().any(|c| e == anchor_lang::error::Error::from(*c)), "unexpected plan error {e:?}");
            false
        }
    }
}

async fn pool_state(b: &mut Backend, pool: Pubkey) -> Vec<u8> {
    emb(b).account(&pool).await.unwrap().unwrap().data
}

fn opts() -> KeeperOptions {
    KeeperOptions { interval: Duration::ZERO, ..KeeperOptions::new(None) }
}

fn rebalances_of(r: &TickReport, pool: Pubkey) -> usize {
    r.rebalances.iter().filter(|a| a.pool == pool.to_string()).count()
}

fn keeper_quote(b: &mut Backend, pool: Pubkey) -> Pubkey {
    let e = emb(b);
    let quote_mint = e.markets[&pool].keys.quote_mint;
    anchor_spl::associated_token::get_associated_token_address(&e.wallet.pubkey(), &quote_mint)
}

#[tokio::test]
async fn the_keeper_rebalances_exactly_when_the_policy_says_so_on_every_pool() {
    let mut b = bank().await;
    let mut pools = [
        add_market(&mut b, 1, None).await, // threshold, band 5 SOL
        add_market(&mut b, 2, Some(HedgePolicyConfig::WhalleyWilmott { cost_bps: 30, risk_aversion_ppm: 1_000 })).await,
    ];
    let mut series = Vec::new();
    for mk in pools.iter_mut() {
        let call = list(&mut b, mk.pool, 150, T0 + 7 * DAY, Kind::Call).await;
        let put = list(&mut b, mk.pool, 140, T0 + 7 * DAY, Kind::Put).await;
        buy(&mut b, mk, &call, 40 * SOL).await;
        buy(&mut b, mk, &put, 10 * SOL).await;
        series.push((call, put));
    }
    // hourly steps: small moves the band absorbs, large ones it does not,
    // and trades that move the target
    // oracle prices in cents
    let path: [i64; 12] = [15000, 15040, 15100, 16000, 16050, 15980, 15000, 14950, 14100, 14130, 14700, 14720];
    let (mut due_ticks, mut quiet_ticks, mut rewards) = (0, 0, 0u64);
    for (step, price) in path.iter().enumerate() {
        emb(&mut b).bank.advance(HOUR);
        for mk in &pools {
            set_price(&mut b, mk, price * 1_000_000).await;
        }
        if step == 5 {
            let (call, _) = series[0];
            sell(&mut b, &mut pools[0], &call, 25 * SOL).await;
            let (call, _) = series[1];
            buy(&mut b, &mut pools[1], &call, 20 * SOL).await;
        }
        let mut predicted = Vec::new();
        for mk in &pools {
            predicted.push(due(&mut b, mk.pool).await);
        }
        let sent_before = emb(&mut b).transactions_sent();
        let r = keeper::tick(&mut b, &opts()).await.unwrap();
        assert_eq!(r.pools, 2);
        assert!(r.failures.is_empty() && r.skipped.is_empty(), "step {step}: {:?} {:?}", r.failures, r.skipped);
        for (mk, due) in pools.iter().zip(&predicted) {
            let n = rebalances_of(&r, mk.pool);
            assert_eq!(
                n, *due as usize,
                "step {step}: pool {} predicted due={due}, keeper rebalanced {n} times",
                mk.pool
            );
            if *due {
                due_ticks += 1;
                let a = r.rebalances.iter().find(|a| a.pool == mk.pool.to_string()).unwrap();
                assert!(a.signature.is_some());
                rewards += a.reward;
                // the pool's delta, read back independently, is inside the band
                let s = PoolSnapshot::load(&mut b, mk.pool).await.unwrap();
                let delta = I80F48::from_num(s.pool.hedge_balance) - s.cache.target_hedge();
                let capped = a.underlying == s.pool.params.hedge.max_trade;
                assert!(
                    delta.abs() <= a.band || capped || a.funds_payouts,
                    "step {step}: |delta| {delta} > band {}",
                    a.band
                );
                assert_eq!(a.delta_after, delta, "the reported delta is the pool's");
                assert_eq!(a.hedge_after, s.pool.hedge_balance);
            } else {
                quiet_ticks += 1;
            }
        }
        // one transaction per rebalance (the first also creates the keeper's token account)
        let txs = emb(&mut b).transactions_sent() - sent_before;
        assert_eq!(txs, r.rebalances.len() as u64, "step {step}: no transaction beyond the rebalances");
        // straight away again: nothing is due, nothing is sent
        let again = keeper::tick(&mut b, &opts()).await.unwrap();
        assert!(again.rebalances.is_empty(), "step {step}: a second tick rebalanced again");
        assert_eq!(emb(&mut b).transactions_sent() - sent_before, txs);
    }
    assert!(
        due_ticks >= 4 && quiet_ticks >= 4,
        "the path exercises both outcomes: {due_ticks} due, {quiet_ticks} quiet"
    );
    // the rewards the keeper reports are what its token accounts received
    let mut received = 0;
    for mk in &pools {
        let ata = keeper_quote(&mut b, mk.pool);
        received += emb(&mut b).bank.token_balance(&ata).await.unwrap();
    }
    assert_eq!(received, rewards);
    assert!(rewards > 0);
}

/// One pool short 30 calls expiring in a day and 10 puts in a week; a
/// rebalance (buying the calls' hedge) is due.
async fn expired_world() -> (Backend, Mkt, SeriesKeys, SeriesKeys) {
    let mut b = bank().await;
    let mut mk = add_market(&mut b, 1, None).await;
    let near = list(&mut b, mk.pool, 150, T0 + DAY, Kind::Call).await;
    let far = list(&mut b, mk.pool, 140, T0 + 7 * DAY, Kind::Put).await;
    buy(&mut b, &mut mk, &near, 30 * SOL).await;
    buy(&mut b, &mut mk, &far, 10 * SOL).await;
    (b, mk, near, far)
}

#[tokio::test]
async fn dry_run_reports_what_it_would_send_and_sends_nothing() {
    let (mut b, mk, near, _) = expired_world().await;
    emb(&mut b).bank.set_time(T0 + DAY + 60);
    set_price(&mut b, &mk, 165_00000000).await;
    // the program refuses any rebalance until the expired series is settled,
    // and a dry run settles nothing: only the settlement is reported
    assert!(!due(&mut b, mk.pool).await);
    let state = pool_state(&mut b, mk.pool).await;
    let sent = emb(&mut b).transactions_sent();

    let dry = KeeperOptions { dry_run: true, max_ticks: Some(2), ..opts() };
    let (_tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let summary = keeper::run_loop(&mut b, &dry, rx).await;
    assert_eq!((summary.ticks, summary.would_settle, summary.would_rebalance), (2, 2, 0));
    assert_eq!((summary.rebalances, summary.settlements, summary.failures, summary.reward), (0, 0, 0, 0));
    let r = keeper::tick(&mut b, &dry).await.unwrap();
    assert_eq!(r.settlements.len(), 1);
    assert_eq!(r.settlements[0].series, near.series.to_string());
    assert!(r.settlements[0].signature.is_none() && r.rebalances.is_empty());

    assert_eq!(emb(&mut b).transactions_sent(), sent, "nothing sent");
    assert_eq!(pool_state(&mut b, mk.pool).await, state, "the pool is unchanged");
    let Embedded { bank, markets, .. } = emb(&mut b);
    assert_eq!(markets[&mk.pool].series(bank, &near).await.unwrap().state, SeriesState::Live);
    // the table summary says it was a dry run
    assert!(
        summary.report().table.contains("dry run: would have sent 0 rebalance(s), 2 settlement(s)"),
        "{}",
        summary.report().table
    );
}

#[tokio::test]
async fn expired_series_are_settled_once_the_covering_price_exists_and_the_hedge_unwinds() {
    let (mut b, mk, near, far) = expired_world().await;
    let r = keeper::tick(&mut b, &opts()).await.unwrap();
    assert_eq!(r.rebalances.len(), 1, "the calls are hedged first");
    assert_eq!(r.rebalances[0].side, "buy");

    // expired, but the oracle's last update predates expiry: wait, quietly
    // (the stale oracle also holds back the rebalance, without sending it)
    emb(&mut b).bank.set_time(T0 + DAY + 60);
    let sent = emb(&mut b).transactions_sent();
    let r = keeper::tick(&mut b, &opts()).await.unwrap();
    assert!(r.settlements.is_empty() && r.failures.is_empty(), "{:?}", r.failures);
    assert_eq!(emb(&mut b).transactions_sent(), sent);

    // the first update after expiry settles it; the settled calls leave the
    // target (the puts alone need no hedge), so their hedge is sold in the
    // same tick
    set_price(&mut b, &mk, 170_00000000).await;
    assert!(PoolSnapshot::load(&mut b, mk.pool).await.unwrap().pool.hedge_balance > 0);
    let r = keeper::tick(&mut b, &opts()).await.unwrap();
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    assert_eq!(r.settlements.len(), 1);
    assert_eq!(r.settlements[0].series, near.series.to_string());
    assert_eq!(r.settlements[0].reserved, 30 * 20 * USDC, "30 calls x (170 - 150)");
    assert_eq!(r.rebalances.len(), 1);
    assert_eq!(r.rebalances[0].side, "sell");
    let after = PoolSnapshot::load(&mut b, mk.pool).await.unwrap();
    assert_eq!(after.pool.hedge_balance, 0);
    assert_eq!(r.rebalances[0].hedge_after, 0);
    assert_eq!(after.pool.reserved_payouts, 30 * 20 * USDC);
    {
        let Embedded { bank, markets, .. } = emb(&mut b);
        assert_eq!(markets[&mk.pool].series(bank, &near).await.unwrap().state, SeriesState::Settled);
    }
    // settled is settled: the next tick leaves it alone
    let r = keeper::tick(&mut b, &opts()).await.unwrap();
    assert!(r.settlements.is_empty() && r.failures.is_empty());

    // the puts expire and the feed updates twice before the keeper
    // looks: the account no longer holds the update covering expiry, so the
    // keeper says so and sends nothing (the program would refuse it)
    emb(&mut b).bank.set_time(T0 + 7 * DAY + 120);
    set_price(&mut b, &mk, 150_00000000).await;
    emb(&mut b).bank.advance(5);
    set_price(&mut b, &mk, 150_00000000).await;
    let sent = emb(&mut b).transactions_sent();
    let r = keeper::tick(&mut b, &opts()).await.unwrap();
    assert!(r.settlements.is_empty() && r.failures.is_empty(), "{:?}", r.failures);
    let skip = r.skipped.iter().find(|s| s.action == "settle").expect("the settlement is reported as blocked");
    assert_eq!(skip.reason, "settlement_price");
    assert!(
        skip.message.contains(&far.series.to_string()) && skip.message.contains("SettlementPriceNotFirstAfterExpiry"),
        "{}",
        skip.message
    );
    assert_eq!(emb(&mut b).transactions_sent() - sent, r.rebalances.len() as u64);
}

#[test]
fn backoff_doubles_from_one_second_to_a_minute() {
    let b = Backoff::default();
    let secs: Vec<u64> = (0..=9).map(|n| b.delay(n).as_secs()).collect();
    assert_eq!(secs, [0, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
    assert_eq!(b.delay(u32::MAX), Duration::from_secs(60), "no overflow after a long outage");
}

/// An address nothing listens on (bound, then released).
fn closed_port_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn an_unreachable_rpc_node_is_retried_with_backoff_not_fatal() {
    let mut b = Backend::Rpc(Box::new(Rpc::new(closed_port_url(), Keypair::new(), None, options_amm::ID)));
    let opts = KeeperOptions {
        max_ticks: Some(3),
        backoff: Backoff { initial: Duration::from_millis(1), max: Duration::from_millis(4) },
        ..opts()
    };
    let (_tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let summary = keeper::run_loop(&mut b, &opts, rx).await;
    assert_eq!(summary.ticks, 3, "the loop kept going");
    assert_eq!(summary.failures, 3);
    assert_eq!(summary.failures_by_kind.get("read"), Some(&3));
    assert!(summary.first_failure.as_deref().unwrap().contains("did not answer"), "{:?}", summary.first_failure);

    // one pool named, same story: a read failure in the report, not an error
    let one = KeeperOptions { pool: Some(Pubkey::new_unique()), ..opts };
    let r = keeper::tick(&mut b, &one).await.unwrap();
    assert_eq!(r.failures.len(), 1);
    assert!(r.transport_failed());
}

#[tokio::test]
async fn an_interrupt_finishes_the_running_tick_and_a_second_abandons_it() {
    let (mut b, _mk, _, _) = expired_world().await;
    let forever = KeeperOptions { interval: Duration::from_secs(3600), ..opts() };

    // two interrupts already waiting: the tick is abandoned before it sends
    let sent = emb(&mut b).transactions_sent();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tx.send(()).unwrap();
    tx.send(()).unwrap();
    let s = keeper::run_loop(&mut b, &forever, rx).await;
    assert!(s.interrupted && s.abandoned_tick);
    assert_eq!(emb(&mut b).transactions_sent(), sent);

    // one: the tick runs to its end (it rebalances), then the loop stops
    // instead of sleeping an hour
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tx.send(()).unwrap();
    let s = keeper::run_loop(&mut b, &forever, rx).await;
    assert!(s.interrupted && !s.abandoned_tick);
    assert_eq!((s.ticks, s.rebalances), (1, 1));
    assert!(s.reward > 0);
    assert_eq!(s.report().json["rebalances"], 1);
}

/// GET /metrics over plain HTTP/1.1.
async fn scrape(addr: std::net::SocketAddr) -> String {
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(format!("GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut body = String::new();
    conn.read_to_string(&mut body).await.unwrap();
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    body
}

fn sample(body: &str, series: &str) -> Option<f64> {
    body.lines().find_map(|l| l.strip_prefix(series).and_then(|v| v.trim().parse().ok()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_endpoint_serves_the_keepers_counters() {
    let addr = keeper::start_metrics("127.0.0.1:0".parse().unwrap()).unwrap();
    assert_ne!(addr.port(), 0);
    let (mut b, mk, _, _) = expired_world().await;
    let r = keeper::tick(&mut b, &opts()).await.unwrap();
    assert_eq!(r.rebalances.len(), 1);
    let reward = r.rebalances[0].reward;
    assert!(reward > 0);

    let body = scrape(addr).await;
    let pool = mk.pool.to_string();
    assert_eq!(sample(&body, &format!("{}{{pool=\"{pool}\"}}", keeper::REBALANCES)), Some(1.0), "{body}");
    assert_eq!(sample(&body, &format!("{}{{pool=\"{pool}\"}}", keeper::REWARD)), Some(reward as f64), "{body}");
    let delta = sample(&body, &format!("{}{{pool=\"{pool}\"}}", keeper::POOL_DELTA)).expect("the pool's delta gauge");
    assert!(delta.abs() <= 5.0, "inside the 5 SOL band after the rebalance: {delta}");
    // every failure kind is exported from the start, so alerts can rate() it
    for kind in ["read", "send", "rebalance_refused", "settle_refused"] {
        assert!(
            sample(&body, &format!("{}{{kind=\"{kind}\"}}", keeper::FAILURES)).is_some(),
            "{kind} missing:\n{body}"
        );
    }
    assert!(body.contains("# TYPE oamm_keeper_rebalances_total counter"), "{body}");
}

fn oamm(args: &[&str]) -> (i32, String, String) {
    // the embedded bank of the other tests sets RUST_LOG=error in this process
    let out = Command::new(env!("CARGO_BIN_EXE_oamm"))
        .args(args)
        .env("HOME", "/nonexistent")
        .env_remove("RUST_LOG")
        .output()
        .expect("run oamm");
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn the_binary_reports_a_failed_once_tick_in_one_line_and_exits_non_zero() {
    let url = closed_port_url();
    let (code, out, err) = oamm(&["keeper", "--once", "--dry-run", "-u", &url]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "{out}");
    let last = err.lines().last().unwrap();
    assert!(
        last.starts_with("error: keeper tick failed: cannot list the pools") && last.contains("did not answer"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn the_binary_prints_one_json_summary_when_it_stops() {
    // two ticks against a node that is down: both fail, the keeper survives
    // them (one backoff wait, 1 s) and prints its summary
    let url = closed_port_url();
    let (code, out, err) =
        oamm(&["keeper", "--max-ticks", "2", "--dry-run", "-u", &url, "-o", "json", "--log-format", "json"]);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(j["ticks"], 2);
    assert_eq!(j["failures"], 2);
    assert_eq!(j["failures_by_kind"]["read"], 2);
    assert_eq!(j["dry_run"], true);
    assert_eq!(j["rebalances"], 0);
    // the logs are JSON objects, on stderr
    for line in err.lines() {
        let l: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(l.get("level").is_some(), "{line}");
    }
    assert!(err.contains("keeper started") && err.contains("backing off") && err.contains("keeper stopped"), "{err}");
}

#[test]
fn bad_keeper_flags_are_refused_by_the_parser() {
    for args in [
        &["keeper", "--interval-s", "0"][..],
        &["keeper", "--once", "--max-ticks", "3"],
        &["keeper", "--metrics-addr", "not-an-address"],
        &["keeper", "--log-format", "xml"],
    ] {
        let (code, _, err) = oamm(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.starts_with("error:"), "{args:?}: {err}");
    }
}
