//! `oamm demo`, the product's main job: run in-process on short runs and
//! checked through its JSON report, plus the binary once as a user runs it.
//! The report's own numbers are cross-checked against each other (amounts
//! moved vs hedge change, P&L vs its parts); no number is copied from a run.
use oamm::commands::demo::{run_demo, DemoArgs, DemoPolicy, DEFAULT_SEED};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("oamm-demo-test-{}-{name}", std::process::id()))
}

fn args(seed: u64, steps: u32, policy: DemoPolicy, chart: &str) -> DemoArgs {
    DemoArgs { seed, steps, policy, retrace: 0.0, chart: tmp(chart), no_chart: false }
}

async fn demo_json(a: &DemoArgs) -> Value {
    let r = run_demo(a).await.unwrap_or_else(|e| panic!("demo failed: {e:#}"));
    serde_json::to_value(&r).unwrap()
}

fn u(v: &Value, k: &str) -> u64 {
    v[k].as_u64().unwrap_or_else(|| panic!("{k} is not an unsigned integer: {}", v[k]))
}

fn i(v: &Value, k: &str) -> i64 {
    v[k].as_i64().unwrap_or_else(|| panic!("{k} is not an integer: {}", v[k]))
}

fn x(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or_else(|| panic!("{k} is not a number: {}", v[k]))
}

fn assert_svg(path: &std::path::Path) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("chart {}: {e}", path.display()));
    assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"), "not an SVG document: {}", path.display());
    assert!(text.contains("pool NAV"), "the chart has its NAV panel");
}

/// What every run must satisfy, whatever the path.
fn check_report(v: &Value) {
    for k in [
        "trades",
        "rebalances",
        "max_abs_delta_after_rebalance",
        "nav_start",
        "nav_end",
        "lp_pnl",
        "premiums",
        "fees",
        "hedge_cost",
        "settled_series",
        "redeemed_total",
        "invariant_violations",
        "final_vault_quote",
        "final_vault_hedge",
    ] {
        assert!(!v[k].is_null(), "the report has {k}");
    }
    assert!(u(v, "invariant_checks") > 0, "the books were checked");
    assert_eq!(u(v, "invariant_violations"), 0, "book checks failed: {}", v["invariant_failures"]);
    assert_eq!(u(v, "prediction_mismatches"), 0, "predictions failed: {}", v["prediction_failures"]);

    let trades = v["trades"].as_array().unwrap();
    assert_eq!(trades.len() as u64, u(v, "trade_count"));
    assert!(!trades.is_empty(), "traders traded");
    for t in trades {
        let (premium, fee, total) = (u(t, "premium"), u(t, "fee"), u(t, "total"));
        match t["side"].as_str().unwrap() {
            "buy" => assert_eq!(total, premium + fee, "a buyer pays premium + fee: {t}"),
            "sell" => assert_eq!(total, premium.saturating_sub(fee), "a seller gets premium - fee: {t}"),
            other => panic!("side {other}"),
        }
        assert!(u(t, "contracts") > 0);
    }

    let rebalances = v["rebalances"].as_array().unwrap();
    assert!(!rebalances.is_empty(), "the keeper rebalanced");
    let mut max_after = 0f64;
    let mut cost = 0i64;
    for r in rebalances {
        let (h0, h1) = (u(r, "hedge_before"), u(r, "hedge_after"));
        let (a_in, a_out) = (u(r, "amount_in"), u(r, "amount_out"));
        assert!(a_in > 0 && a_out > 0, "a rebalance swaps: {r}");
        match r["side"].as_str().unwrap() {
            "buy_underlying" => {
                assert_eq!((r["token_in"].as_str(), r["token_out"].as_str()), (Some("quote"), Some("underlying")));
                assert_eq!(h1 - h0, a_out, "the hedge grew by what was bought: {r}");
                assert!(a_in <= u(r, "quote_bound"), "paid within the oracle bound: {r}");
            }
            "sell_underlying" => {
                assert_eq!((r["token_in"].as_str(), r["token_out"].as_str()), (Some("underlying"), Some("quote")));
                assert_eq!(h0 - h1, a_in, "the hedge shrank by what was sold: {r}");
                assert!(a_out >= u(r, "quote_bound"), "received within the oracle bound: {r}");
            }
            other => panic!("side {other}"),
        }
        // inside the band afterwards, unless a documented cap stopped it
        let (after, band) = (x(r, "delta_after"), x(r, "band"));
        assert!(x(r, "oracle_price") > 0.0 && band > 0.0, "{r}");
        assert!((after - (h1 as f64 - x(r, "target"))).abs() < 1e-3, "delta_after = hedge_after - target: {r}");
        if r["cap"].is_null() {
            assert!(after.abs() <= band, "outside the band with no cap: {r}");
            assert_eq!(r["inside_band"], true);
        } else {
            let cap = r["cap"].as_str().unwrap();
            assert!(["max_trade", "venue_depth", "funds_payouts", "cash"].contains(&cap), "unknown cap {cap}");
        }
        max_after = max_after.max(after.abs());
        cost += i(r, "cost");
    }
    assert_eq!(x(v, "max_abs_delta_after_rebalance"), max_after);
    assert_eq!(i(v, "hedge_cost"), cost, "hedge_cost is the rebalances' cost");

    // expiry, settlement, redemption
    let series = v["series"].as_array().unwrap();
    assert!(u(v, "settled_series") > 0, "series were settled");
    assert_eq!(u(v, "settled_series"), series.iter().filter(|s| s["settled"] == true).count() as u64);
    let redeemed: u64 = series.iter().map(|s| u(s, "redeemed_quote")).sum();
    assert_eq!(u(v, "redeemed_total"), redeemed);
    for s in series {
        assert!(u(s, "redeemed_quote") <= u(s, "reserved"), "no series pays more than it reserved: {s}");
        if s["settled"] == true {
            assert_eq!(u(s, "redeemed_contracts"), u(s, "open_interest_at_settlement"), "every holder redeemed: {s}");
        }
    }
    assert_eq!(u(v, "redeemed_total"), u(v, "payouts"), "the pool's payout counter is what holders received");

    // the LP's result adds up
    let lp = u(v, "lp_withdrawn") as i64 + u(v, "lp_tokens_left_value") as i64 - u(v, "lp_deposit") as i64;
    assert_eq!(i(v, "lp_pnl"), lp);
    assert!(i(v, "nav_start") > 0 && i(v, "nav_end") > 0);
    // every quote and underlying base unit the vaults hold is accounted for
    // by the report's own flows
    let sum =
        |side: &str, f: &dyn Fn(&Value) -> u64| trades.iter().filter(|t| t["side"] == side).map(f).sum::<u64>() as i64;
    let reb = |side: &str, f: &dyn Fn(&Value) -> u64| {
        rebalances.iter().filter(|r| r["side"] == side).map(f).sum::<u64>() as i64
    };
    let quote = u(v, "lp_deposit") as i64 + sum("buy", &|t| u(t, "total"))
        - sum("sell", &|t| u(t, "total"))
        - u(v, "payouts") as i64
        - u(v, "keeper_rewards") as i64
        - reb("buy_underlying", &|r| u(r, "amount_in"))
        + reb("sell_underlying", &|r| u(r, "amount_out"))
        - u(v, "lp_withdrawn") as i64;
    assert_eq!(
        u(v, "final_vault_quote") as i64,
        quote,
        "quote vault = deposit + trades - payouts - rewards - swaps - withdrawal"
    );
    let hedge = reb("buy_underlying", &|r| u(r, "amount_out")) - reb("sell_underlying", &|r| u(r, "amount_in"));
    assert_eq!(u(v, "final_vault_hedge") as i64, hedge, "hedge vault = bought - sold");
    let premiums = sum("buy", &|t| u(t, "premium")) - sum("sell", &|t| u(t, "premium"));
    assert_eq!(i(v, "premiums"), premiums, "premiums are net of buy-backs");
    let gross: u64 = trades.iter().map(|t| u(t, "premium")).sum();
    assert_eq!(u(v, "premiums_gross"), gross, "the pool's premium counter is the trades' premiums");
    let fees: u64 = trades.iter().map(|t| u(t, "fee")).sum();
    assert_eq!(u(v, "fees"), fees, "the pool's fee counter is the trades' fees");
    assert_eq!(u(v, "final_reserved_payouts"), 0, "fully redeemed series were closed and their dust released");
    assert!(u(v, "lp_withdrawn") > 0, "the LP withdrew");
    assert_eq!(v["timeline"].as_array().unwrap().len() as u64, u(v, "steps"));
}

#[tokio::test]
async fn threshold_demo_keeps_the_books_and_the_band_and_settles() {
    let a = args(DEFAULT_SEED, 12, DemoPolicy::Threshold, "threshold.svg");
    let v = demo_json(&a).await;
    check_report(&v);
    assert!(v["policy"].as_str().unwrap().starts_with("threshold"));
    assert!(u(&v, "redeemed_total") > 0, "holders of in-the-money series were paid");
    assert_eq!(v["chart"].as_str(), Some(a.chart.to_str().unwrap()));
    assert_svg(&a.chart);
    let _ = std::fs::remove_file(&a.chart);
}

#[tokio::test]
async fn whalley_wilmott_demo_runs_and_trades_to_the_band_edge() {
    let a = args(DEFAULT_SEED, 12, DemoPolicy::Ww, "ww.svg");
    let v = demo_json(&a).await;
    check_report(&v);
    assert!(v["policy"].as_str().unwrap().starts_with("ww"));
    // WW stops at the band's edge, not at the target: some rebalance ends
    // (nearly) a band away from the target
    let edge =
        v["rebalances"].as_array().unwrap().iter().any(|r| {
            r["cap"].is_null() && (x(r, "delta_after").abs() - x(r, "band")).abs() <= 1.0 + 1e-9 * x(r, "band")
        });
    assert!(edge, "no WW rebalance stopped at its band edge: {}", v["rebalances"]);
    assert_svg(&a.chart);
    let _ = std::fs::remove_file(&a.chart);
}

#[tokio::test]
async fn cost_benefit_demos_rebalance_inside_their_bands() {
    for (policy, name) in [(DemoPolicy::CostBenefit, "cost-benefit"), (DemoPolicy::ExpiryAware, "expiry-aware")] {
        let a = args(DEFAULT_SEED, 12, policy, &format!("{name}.svg"));
        let v = demo_json(&a).await;
        // every rebalance ends inside its band unless a documented cap stopped it
        check_report(&v);
        assert!(v["policy"].as_str().unwrap().starts_with(name), "{}", v["policy"]);
        for s in v["timeline"].as_array().unwrap() {
            assert!(x(s, "band_below") > 0.0 && x(s, "band_above") > 0.0, "{s}");
        }
        assert_svg(&a.chart);
        let _ = std::fs::remove_file(&a.chart);
    }
}

#[tokio::test]
async fn retrace_stops_the_hedge_part_of_the_way_back_from_the_edge() {
    let mut a = args(DEFAULT_SEED, 12, DemoPolicy::Ww, "retrace.svg");
    a.retrace = 0.6;
    let v = demo_json(&a).await;
    check_report(&v);
    assert!(v["policy"].as_str().unwrap().contains("60% of the way back"), "{}", v["policy"]);
    // a band-crossing rebalance no cap stopped ends 40% of its band from the
    // target (its size rounded up to a base unit)
    let policy_trades: Vec<&Value> =
        v["rebalances"].as_array().unwrap().iter().filter(|r| r["cap"].is_null() && r["when"] == "delta").collect();
    assert!(!policy_trades.is_empty(), "no uncapped band-crossing rebalance: {}", v["rebalances"]);
    for r in policy_trades {
        let want = 0.4 * x(r, "band");
        assert!((x(r, "delta_after").abs() - want).abs() <= 1.0 + 1e-9 * want, "not 40% of the band: {r}");
    }
    let _ = std::fs::remove_file(&a.chart);
}

#[tokio::test]
async fn same_seed_same_report_other_seed_other_path() {
    let strip = |mut v: Value| {
        v.as_object_mut().unwrap().remove("chart");
        v
    };
    let one = strip(demo_json(&args(11, 8, DemoPolicy::Threshold, "det-1.svg")).await);
    let two = strip(demo_json(&args(11, 8, DemoPolicy::Threshold, "det-2.svg")).await);
    assert_eq!(one, two, "same flags, same JSON");
    let other = strip(demo_json(&args(12, 8, DemoPolicy::Threshold, "det-3.svg")).await);
    assert_ne!(one["timeline"], other["timeline"], "the seed drives the path");
    for n in ["det-1.svg", "det-2.svg", "det-3.svg"] {
        let _ = std::fs::remove_file(tmp(n));
    }
}

#[tokio::test]
async fn no_chart_writes_nothing_and_says_so() {
    let mut a = args(DEFAULT_SEED, 4, DemoPolicy::Threshold, "none.svg");
    a.no_chart = true;
    let v = demo_json(&a).await;
    assert!(v["chart"].is_null());
    assert!(!a.chart.exists());
}

fn oamm(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_oamm")).args(args).output().expect("run oamm");
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn the_binary_prints_one_json_object_and_writes_the_chart() {
    let chart = tmp("bin.svg");
    let (code, out, err) = oamm(&["demo", "--steps", "10", "--output", "json", "--chart", chart.to_str().unwrap()]);
    assert_eq!(code, 0, "stderr: {err}");
    // nothing but the report on stdout (the programs' native log lines are
    // kept off it) and no progress bar on a pipe
    let v: Value =
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {out}"));
    assert_eq!(out.trim().lines().count(), 1, "one line of JSON");
    assert!(err.is_empty(), "stderr: {err}");
    check_report(&v);
    assert_eq!(u(&v, "steps"), 10);
    assert_svg(&chart);
    let _ = std::fs::remove_file(&chart);
}

#[test]
fn the_binary_table_names_the_chart_and_the_checks() {
    let chart = tmp("table.svg");
    let (code, out, err) = oamm(&["demo", "--steps", "6", "--chart", chart.to_str().unwrap()]);
    assert_eq!(code, 0, "stderr: {err}");
    assert!(!out.contains("Instruction:"), "program logs leaked onto stdout:\n{out}");
    for needle in ["LP P&L", "rebalances", "settled series", "book invariants", "0 violations"] {
        assert!(out.contains(needle), "no `{needle}` in:\n{out}");
    }
    assert!(out.contains(&format!("chart written to {}", chart.display())), "{out}");
    assert_svg(&chart);
    let _ = std::fs::remove_file(&chart);
}

#[test]
fn bad_flags_and_unwritable_chart_are_one_line_errors() {
    let (code, out, err) = oamm(&["demo", "--steps", "2"]);
    assert_ne!(code, 0);
    assert!(out.is_empty() && err.contains("--steps"), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");

    let (code, _, err) = oamm(&["demo", "--policy", "sometimes"]);
    assert_ne!(code, 0);
    assert!(err.contains("sometimes"), "{err}");
    // the new policies are named in the choices
    assert!(err.contains("cost-benefit") && err.contains("expiry-aware"), "{err}");

    let (code, _, err) = oamm(&["demo", "--retrace", "1.5"]);
    assert_ne!(code, 0);
    assert!(err.contains("--retrace") && err.contains("outside [0, 1]"), "{err}");

    let (code, out, err) = oamm(&["demo", "--steps", "4", "--chart", "/nonexistent-dir/x/demo.svg"]);
    assert_ne!(code, 0);
    assert!(out.is_empty(), "{out}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: cannot write the chart to /nonexistent-dir/x/demo.svg"), "{err}");
}
