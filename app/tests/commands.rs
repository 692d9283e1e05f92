//! `oamm`'s commands driven end to end on the embedded bank: the same
//! command functions the binary runs, their JSON output parsed and checked
//! against the chain state.
#![allow(deprecated)]

use oamm::backend::{Backend, Embedded};
use oamm::commands::{events, lp, migrate, pool, series, settle, trade};
use oamm_sdk::market::{Market, MarketConfig};
use options_math::amm::Side;
use serde_json::Value;
use solana_sdk::signer::Signer;

const USDC: u64 = 1_000_000;
const T0: i64 = 1_800_000_000;

/// An embedded bank with one market whose admin is the app's wallet, and
/// 1M USDC in the wallet.
async fn setup() -> (Backend, solana_sdk::pubkey::Pubkey) {
    let mut e = Embedded::start(T0).await.unwrap();
    let m = Market::create(&mut e.bank, &MarketConfig::default()).await.unwrap();
    let pool = m.keys.pool;
    // fund the wallet's quote ATA
    let owner = e.wallet.pubkey();
    let ata = anchor_spl::associated_token::get_associated_token_address(&owner, &m.keys.quote_mint);
    let create = anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent(
        &owner, &owner, &m.keys.quote_mint, &anchor_spl::token::ID,
    );
    e.send(&[create], &[]).await.unwrap();
    e.bank.mint_to(&m.keys.quote_mint, &m.mint_authority, &ata, 1_000_000 * USDC).await.unwrap();
    e.adopt(m);
    (Backend::Embedded(Box::new(e)), pool)
}

#[tokio::test]
async fn events_reads_back_what_a_transaction_emitted() {
    let (mut b, _) = setup().await;
    let r = lp::run(&mut b, None, lp::LpCommand::Deposit { amount: "1000".into(), slippage_bps: 50 }).await.unwrap();
    let sig = r.json["signature"].as_str().expect("the deposit's signature").to_string();
    let r = events::run(&mut b, &sig).await.unwrap();
    assert!(r.json["log_lines"].as_u64().unwrap() > 0, "the transaction's logs are kept");
    let names: Vec<&str> = r.json["events"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    if std::env::var_os("SBF_OUT_DIR").is_some() {
        // on the SBF builds the program's events are in the logs
        assert_eq!(names, ["Deposited"], "{}", r.table);
        assert!(r.table.contains("quote_in: 1000000000"), "{}", r.table);
    } else {
        // natively Anchor 1.2 emits none (the SBF lane checks the decoding)
        assert!(names.is_empty() && r.table.contains("no options-program events"), "{}", r.table);
    }
    let err = events::run(&mut b, "embedded-tx-999").await.unwrap_err().to_string();
    assert!(err.contains("no transaction embedded-tx-999"), "{err}");
}

#[tokio::test]
async fn pool_show_reports_the_state_the_chain_holds() {
    let (mut b, key) = setup().await;
    let r = lp::run(&mut b, None, lp::LpCommand::Deposit { amount: "100000".into(), slippage_bps: 50 }).await.unwrap();
    assert_eq!(r.json["lp_change"], 100_000 * USDC as i64, "first deposit mints 1:1");
    let r = pool::run(&mut b, pool::PoolCommand::Show, None).await.unwrap();
    let j: &Value = &r.json;
    assert_eq!(j["pool"], key.to_string());
    assert_eq!(j["nav"], 100_000 * USDC as i64);
    assert_eq!(j["lp_supply"], 100_000 * USDC);
    assert_eq!(j["quote_balance"], 100_000 * USDC);
    assert_eq!(j["rebalance"]["due"], false);
    assert!(r.table.contains("NAV per LP token"));
    // who can change the pool, and what is waiting
    let Backend::Embedded(e) = &mut b else { unreachable!() };
    let p: options_amm::state::Pool = e.bank.anchor(&key).await.unwrap();
    assert_eq!(j["admin"], p.admin.to_string());
    assert_eq!(j["governance"]["creator"], p.creator.to_string());
    assert_eq!(j["governance"]["timelock_s"], 86_400);
    assert!(j["governance"]["guardian"].is_null() && j["governance"]["pending_change"].is_null());
    assert_eq!(j["venue_pool"], p.params.hedge.venue_pool.to_string());
    assert!(r.table.contains("guardian") && r.table.contains("pending change"));
}

/// A second pair whose pool the app itself creates by `migrate` (the wallet
/// is its admin), with 1M quote in the wallet. Returns the config path.
async fn app_pool(b: &mut Backend, dir: &std::path::Path) -> (std::path::PathBuf, solana_sdk::pubkey::Pubkey) {
    let Backend::Embedded(e) = b else { unreachable!() };
    let authority = solana_sdk::signature::Keypair::new();
    let underlying = e.bank.create_mint(&authority.pubkey(), 9).await.unwrap();
    let quote = e.bank.create_mint(&authority.pubkey(), 6).await.unwrap();
    let owner = e.wallet.pubkey();
    let ata = anchor_spl::associated_token::get_associated_token_address(&owner, &quote);
    let create = anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent(
        &owner, &owner, &quote, &anchor_spl::token::ID,
    );
    e.send(&[create], &[]).await.unwrap();
    e.bank.mint_to(&quote, &authority, &ata, 1_000_000 * USDC).await.unwrap();
    let path = dir.join("pool.toml");
    std::fs::write(
        &path,
        format!(
            "[pool]\nunderlying_mint = \"{underlying}\"\nquote_mint = \"{quote}\"\n\
             [[series]]\nstrike = \"150\"\nexpiry = \"{}\"\nkind = \"call\"\n\
             [[series]]\nstrike = \"145\"\nexpiry = \"{}\"\nkind = \"put\"\n",
            T0 + 7 * 86_400,
            T0 + 7 * 86_400
        ),
    )
    .unwrap();
    (path, oamm_sdk::pda::PoolKeys::derive(underlying, quote, owner).pool)
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("oamm-test-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[tokio::test]
async fn migrate_creates_what_is_missing_and_a_rerun_changes_nothing() {
    let (mut b, _) = setup().await;
    let dir = tempdir("migrate");
    let (path, pool) = app_pool(&mut b, &dir).await;
    let args = || migrate::MigrateArgs { config: path.clone(), dry_run: false };
    let first = migrate::run(&mut b, args()).await.unwrap();
    let actions: Vec<&str> =
        first.json["actions"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create venue pool", "create pool", "create series", "create series"]);
    assert_eq!(first.json["pool"], pool.to_string());
    let second = migrate::run(&mut b, args()).await.unwrap();
    let actions: Vec<&str> =
        second.json["actions"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["keep pool", "keep series", "keep series"], "a re-run creates nothing");
    // a tightened cap is applied at once, because the wallet is the admin
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("[risk]\nmax_move_bps = 3500\n");
    std::fs::write(&path, text.clone()).unwrap();
    let third = migrate::run(&mut b, args()).await.unwrap();
    assert_eq!(third.json["actions"][0]["action"], "update pool parameters");
    let p: options_amm::state::Pool = b.anchor(&pool, "pool").await.unwrap();
    assert_eq!(p.params.risk.max_move_bps, 3500);
    // a loosened one is proposed, waits the timelock, then a re-run applies it
    std::fs::write(&path, text.replace("max_move_bps = 3500", "max_move_bps = 2500")).unwrap();
    let fourth = migrate::run(&mut b, args()).await.unwrap();
    assert_eq!(fourth.json["actions"][0]["action"], "propose pool parameters");
    let early = migrate::run(&mut b, args()).await.unwrap();
    assert_eq!(early.json["actions"][0]["action"], "wait for the timelock");
    let p: options_amm::state::Pool = b.anchor(&pool, "pool").await.unwrap();
    assert_eq!(p.params.risk.max_move_bps, 3500, "not before the timelock");
    match &mut b {
        Backend::Embedded(e) => e.bank.advance(p.params.governance.timelock_s as i64),
        _ => unreachable!("the tests run on the embedded bank"),
    }
    let late = migrate::run(&mut b, args()).await.unwrap();
    assert_eq!(late.json["actions"][0]["action"], "apply pool parameters");
    let p: options_amm::state::Pool = b.anchor(&pool, "pool").await.unwrap();
    assert_eq!(p.params.risk.max_move_bps, 2500);
}

#[tokio::test]
async fn a_trader_and_an_lp_go_through_a_whole_series_life_in_the_app() {
    let (mut b, _) = setup().await;
    let dir = tempdir("life");
    let (path, pool) = app_pool(&mut b, &dir).await;
    migrate::run(&mut b, migrate::MigrateArgs { config: path, dry_run: false }).await.unwrap();
    let p = Some(pool);
    lp::run(&mut b, p, lp::LpCommand::Deposit { amount: "200000".into(), slippage_bps: 50 }).await.unwrap();

    let list = series::run(&mut b, series::SeriesCommand::List, p).await.unwrap();
    let rows = list.json.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0]["strike"].as_str(), rows[0]["kind"].as_str()), (Some("145"), Some("put")));
    let (bid, ask) = (rows[1]["bid_1"].as_u64(), rows[1]["ask_1"].as_u64().unwrap());
    assert!(bid.is_none() || bid.unwrap() < ask, "bid below ask");

    // the quote equals what the buy then charges, to the unit
    let q = trade::quote(
        &mut b,
        p,
        trade::QuoteArgs { series: "1".into(), contracts: "2.5".into(), side: trade::SideArg::Buy },
    )
    .await
    .unwrap();
    let quoted = q.json["total"].as_u64().unwrap();
    let bought = trade::trade(
        &mut b,
        p,
        trade::TradeArgs { series: "1".into(), contracts: "2.5".into(), slippage_bps: 0, limit: None },
        Side::Buy,
    )
    .await
    .unwrap();
    assert_eq!(bought.json["quote_moved"].as_u64().unwrap(), quoted);
    // the buy went out behind a compute-budget instruction asking for its bound
    let Backend::Embedded(e) = &mut b else { unreachable!() };
    let logs = &e.bank.last.logs;
    assert!(
        logs.first().is_some_and(|l| l.starts_with("Program ComputeBudget111111111111111111111111111111 invoke")),
        "{logs:?}"
    );
    let asked =
        oamm_sdk::budget::options_ix_bound(&anchor_lang::InstructionData::data(&options_amm::instruction::Buy {
            contracts: 0,
            max_total_cost: 0,
        }))
        .unwrap();
    // this transaction: the buyer's option account created, then the buy
    // (the first program's meter starts after the budget instruction's 150)
    let meter = format!("of {} compute units", 1_000 + 50_000 + asked - 150);
    assert!(logs.iter().any(|l| l.contains("consumed") && l.contains(&meter)), "no {meter:?} in {logs:?}");

    let pos = trade::positions(&mut b, p, trade::PositionsArgs { owner: None }).await.unwrap();
    assert_eq!(pos.json["options"][0]["held"], 2_500_000_000u64);
    assert!(pos.json["lp_tokens"].as_u64().unwrap() > 0);

    let sold = trade::trade(
        &mut b,
        p,
        trade::TradeArgs { series: "1".into(), contracts: "0.5".into(), slippage_bps: 100, limit: None },
        Side::Sell,
    )
    .await
    .unwrap();
    assert!(sold.json["quote_moved"].as_u64().unwrap() > 0);

    // expiry passes but the feed's last update is from before it: wait
    let expiry = T0 + 7 * 86_400;
    let Backend::Embedded(e) = &mut b else { unreachable!() };
    e.bank.set_time(expiry + 5);
    let sent = e.transactions_sent();
    let err = settle::settle(&mut b, p, "1").await.unwrap_err().to_string();
    assert!(err.contains("SettlementPriceBeforeExpiry") && err.contains("wait for the feed's next update"), "{err}");
    // a push 200 s after expiry (its previous Pythnet tick after expiry
    // too), past the pool's 90 s grace: refused before sending, saying what
    // to post and how to pass it
    let Backend::Embedded(e) = &mut b else { unreachable!() };
    e.bank.set_time(expiry + 200);
    let m = e.markets.values_mut().next().unwrap();
    m.post_observation(&mut e.bank, &oamm_sdk::pyth::PriceObservation::new(m.feed_id, 161_00000000, expiry + 200));
    let err = settle::settle(&mut b, p, "1").await.unwrap_err().to_string();
    assert!(
        err.contains("SettlementPriceNotFirstAfterExpiry")
            && err.contains("past the pool's 90 s grace")
            && err.contains(&format!("/v2/updates/price/{expiry}"))
            && err.contains("--price-account"),
        "{err}"
    );
    // an update of another feed: said as such, with no Hermes advice
    let Backend::Embedded(e) = &mut b else { unreachable!() };
    let m = e.markets.values_mut().next().unwrap();
    let other = oamm_sdk::pyth::PriceObservation {
        prev_publish_time: expiry - 1,
        ..oamm_sdk::pyth::PriceObservation::new([0x42; 32], 160_00000000, expiry + 10)
    };
    m.post_observation(&mut e.bank, &other);
    let err = settle::settle(&mut b, p, "1").await.unwrap_err().to_string();
    assert!(
        err.contains("OracleFeedMismatch")
            && err.contains("fix or replace that price account")
            && !err.contains("Hermes"),
        "{err}"
    );
    let Backend::Embedded(e) = &mut b else { unreachable!() };
    assert_eq!(e.transactions_sent(), sent, "nothing sent");
    // the update covering expiry (160, 10 s after it) is posted: settle and
    // redeem 2 calls at 150
    let m = e.markets.values_mut().next().unwrap();
    let covering = oamm_sdk::pyth::PriceObservation {
        prev_publish_time: expiry - 1,
        ..oamm_sdk::pyth::PriceObservation::new(m.feed_id, 160_00000000, expiry + 10)
    };
    m.post_observation(&mut e.bank, &covering);
    let s = settle::settle(&mut b, p, "1").await.unwrap();
    assert_eq!(s.json["payoff_per_contract"], "10");
    let r = settle::redeem(&mut b, p, "1", "all").await.unwrap();
    assert_eq!(r.json["payout"], 20 * USDC, "2 contracts x (160 - 150)");
    let err = settle::redeem(&mut b, p, "1", "all").await.unwrap_err().to_string();
    assert!(err.contains("you hold 0 contracts"), "{err}");
}

#[tokio::test]
async fn bad_input_in_commands_is_one_clear_error() {
    let (mut b, _) = setup().await;
    lp::run(&mut b, None, lp::LpCommand::Deposit { amount: "1000".into(), slippage_bps: 50 }).await.unwrap();
    let quote = |series: &str, contracts: &str| trade::QuoteArgs {
        series: series.into(),
        contracts: contracts.into(),
        side: trade::SideArg::Buy,
    };
    let err = |r: anyhow::Result<oamm::output::Report>| format!("{:#}", r.expect_err("an error"));
    assert!(err(trade::quote(&mut b, None, quote("7", "1")).await).contains("no series #7"));
    assert!(err(trade::quote(&mut b, None, quote("11111111111111111111111111111111", "1")).await)
        .contains("unknown series"));
    assert!(
        err(trade::quote(&mut b, None, quote("nonsense", "1")).await).contains("neither a series index nor an address")
    );
    assert!(err(lp::run(&mut b, None, lp::LpCommand::Deposit { amount: "-5".into(), slippage_bps: 50 }).await)
        .contains("must be positive"));
    assert!(err(lp::run(&mut b, None, lp::LpCommand::Deposit { amount: "0.0000001".into(), slippage_bps: 50 }).await)
        .contains("decimal places"));
    assert!(err(lp::run(&mut b, None, lp::LpCommand::Withdraw { amount: "999999999".into(), slippage_bps: 50 }).await)
        .contains("LP tokens, fewer than"));
    let dir = tempdir("badcfg");
    let path = dir.join("bad.toml");
    std::fs::write(&path, "[pool]\nunderlying_mint = \"xyz\"\n").unwrap();
    assert!(err(migrate::run(&mut b, migrate::MigrateArgs { config: path.clone(), dry_run: true }).await)
        .contains("not a public key"));
    std::fs::write(&path, "[risk]\nmax_moves_bps = 1\n").unwrap();
    assert!(
        err(migrate::run(&mut b, migrate::MigrateArgs { config: path, dry_run: true }).await).contains("max_moves_bps")
    );
    assert!(err(migrate::run(&mut b, migrate::MigrateArgs { config: dir.join("missing.toml"), dry_run: true }).await)
        .contains("cannot read config file"));
}

/// The binary: user mistakes print one `error:` line and exit non-zero.
#[test]
fn the_binary_reports_bad_urls_and_missing_keypairs_in_one_line() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_oamm"))
            .args(args)
            .env("HOME", "/nonexistent-home")
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (code, err) = run(&["-u", "not a url", "pool", "show"]);
    assert_ne!(code, Some(0));
    assert!(err.starts_with("error: `not a url` is not a cluster"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    let (code, err) = run(&["-u", "localnet", "-k", "/nonexistent/id.json", "buy", "0", "1"]);
    assert_ne!(code, Some(0));
    assert!(err.contains("no keypair at /nonexistent/id.json") && err.contains("solana-keygen new"), "{err}");
    assert!(!err.contains("panicked"));
}
