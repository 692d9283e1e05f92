//! `oamm simulate` driven as a user drives it: the binary, its flags,
//! stdout/stderr and exit codes, on small runs (few paths, coarse steps).
use serde_json::Value;
use std::process::Command;

fn oamm(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_oamm")).args(args).output().expect("run oamm");
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

const SMALL: [&str; 12] = [
    "--paths",
    "60",
    "--step-minutes",
    "30",
    "--sweep-points",
    "8",
    "--dp-step-minutes",
    "30",
    "--dp-substeps",
    "1",
    "--bootstrap",
    "30",
];

fn small_json(extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["simulate"];
    args.extend(SMALL);
    args.extend(extra);
    if !extra.contains(&"--seeds") {
        args.extend(["--seeds", "7"]);
    }
    args.extend(["--output", "json"]);
    let (code, out, err) = oamm(&args);
    let v: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {out}\nstderr: {err}"));
    (code, v, err)
}

#[test]
fn json_output_has_policies_matched_and_validation() {
    let (code, v, err) = small_json(&["--no-chart"]);
    assert_eq!(code, 0, "{err}");
    // nothing but JSON on stdout, and no progress bar on a pipe
    assert!(err.is_empty(), "stderr: {err}");
    assert_eq!(v["seeds"], serde_json::json!([7]));
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["seed"], 7);
    let policies = runs[0]["policies"].as_array().unwrap();
    let names: Vec<&str> = policies.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "threshold-to-target",
            "threshold-to-edge",
            "time-interval",
            "price-move",
            "whalley-wilmott",
            "cost-benefit",
            "expiry-aware",
            "dp-optimal"
        ]
    );
    for p in policies {
        let points = p["points"].as_array().unwrap();
        assert!(points.len() >= 7, "{}: {} points", p["name"], points.len());
        for pt in points {
            for field in ["param", "mean_cost", "std_pnl", "cvar95", "trades"] {
                assert!(pt[field].as_f64().unwrap().is_finite(), "{field} in {pt}");
            }
            assert!(pt["std_pnl"].as_f64().unwrap() > 0.0);
        }
    }
    let matched = runs[0]["matched"].as_array().unwrap();
    let levels: Vec<f64> = matched.iter().map(|m| m["std_level"].as_f64().unwrap()).collect();
    assert_eq!(levels, [0.10, 0.125, 0.15, 0.20, 0.25, 0.30]);
    for m in matched {
        let costs = m["costs"].as_object().unwrap();
        assert_eq!(costs.len(), 8);
        assert!(costs.values().all(|c| c.is_null() || c.as_f64().unwrap() > 0.0), "{m}");
        // each of the 4 adaptive policies against the 7 others
        let savings = m["savings"].as_array().unwrap();
        assert_eq!(savings.len(), 28);
        for s in savings {
            assert!(!s["pct"].is_null() || s["se_pct"].is_null(), "an error without a saving: {s}");
        }
    }
    // some policy reaches some level on this book
    assert!(matched.iter().any(|m| m["costs"].as_object().unwrap().values().any(|c| !c.is_null())));
    assert_eq!(v["validation"], Value::Array(vec![]));
    assert!(v["chart"].is_null());
    assert_eq!(v["paths"], 60);
    assert!((v["book"]["premium"].as_f64().unwrap() - 13_252.6).abs() < 1.0);
}

#[test]
fn same_seed_gives_the_same_json_and_another_seed_does_not() {
    let (_, a, _) = small_json(&["--no-chart", "--policies", "whalley-wilmott,threshold-to-edge"]);
    let (_, b, _) = small_json(&["--no-chart", "--policies", "whalley-wilmott,threshold-to-edge"]);
    assert_eq!(a["runs"], b["runs"]);
    assert_eq!(a["runs"][0]["policies"].as_array().unwrap().len(), 2);
    let (_, c, _) = small_json(&["--no-chart", "--policies", "whalley-wilmott,threshold-to-edge", "--seeds", "8"]);
    assert_ne!(a["runs"][0]["policies"], c["runs"][0]["policies"]);
    // two seeds: the first seed's run is the one-seed run, bit for bit
    let (_, d, _) = small_json(&["--no-chart", "--policies", "whalley-wilmott,threshold-to-edge", "--seeds", "7,8"]);
    assert_eq!(d["runs"][0], a["runs"][0]);
    assert_eq!(d["runs"][1], c["runs"][0]);
}

#[test]
fn validate_reports_every_gate_and_the_exit_code_follows_them() {
    let (code, v, err) =
        small_json(&["--no-chart", "--validate", "--validation-paths", "40", "--policies", "time-interval"]);
    let gates = v["validation"].as_array().unwrap();
    let names: Vec<&str> = gates.iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "derman-kamal N=84",
            "derman-kamal N=168",
            "derman-kamal N=336",
            "leland",
            "lvr constant product",
            "variance x trades, clock / band"
        ]
    );
    for g in gates {
        let (m, f, r) = (g["measured"].as_f64().unwrap(), g["formula"].as_f64().unwrap(), g["ratio"].as_f64().unwrap());
        assert!((m / f - r).abs() < 1e-9, "{g}");
        assert_eq!(g["passed"].as_bool().unwrap(), (r - 1.0).abs() <= g["tolerance"].as_f64().unwrap(), "{g}");
    }
    let all_passed = gates.iter().all(|g| g["passed"].as_bool().unwrap());
    assert_eq!(code == 0, all_passed, "exit {code}, stderr {err}");
    if !all_passed {
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("error: validation failed: "), "{err}");
    }
}

#[test]
fn table_output_and_chart_file() {
    let dir = std::env::temp_dir().join(format!("oamm-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let chart = dir.join("frontiers.svg");
    let mut args = vec!["simulate"];
    args.extend(SMALL);
    args.extend(["--chart", chart.to_str().unwrap()]);
    let (code, out, err) = oamm(&args);
    assert_eq!(code, 0, "{err}");
    for needle in [
        "whalley-wilmott",
        "threshold-to-edge",
        "expiry-aware",
        "Mean hedging cost at matched P&L std, seed 1",
        "Mean hedging cost at matched P&L std, seed 2",
        "Saving vs threshold-to-edge at matched std",
        "Saving vs whalley-wilmott at matched std",
    ] {
        assert!(out.contains(needle), "no `{needle}` in:\n{out}");
    }
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("whalley-wilmott") && svg.contains("% of premium"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn user_errors_are_one_line_and_non_zero() {
    for (args, needle) in [
        (vec!["simulate", "--paths", "1", "--no-chart"], "--paths"),
        (vec!["simulate", "--vol", "0", "--no-chart"], "--vol"),
        (
            vec!["simulate", "--model", "merton", "--jump-intensity", "1000", "--jump-std", "0.5", "--no-chart"],
            "--jump",
        ),
        (vec!["simulate", "--fee-bps", "-3", "--no-chart"], "--fee-bps"),
        (vec!["simulate", "--retrace", "1.5", "--no-chart"], "--retrace"),
        (vec!["simulate", "--fixed-cost", "1", "--policies", "dp-optimal", "--no-chart"], "proportional costs only"),
        (vec!["simulate", "--terminal", "-1", "--no-chart", "--policies", "cost-benefit"], "terminal"),
        (vec!["simulate", "--paths", "20", "--step-minutes", "60", "--chart", "/nonexistent-dir/x.svg"], "chart"),
    ] {
        let (code, out, err) = oamm(&args);
        assert_ne!(code, 0, "{args:?}");
        assert!(out.is_empty(), "{args:?}: stdout {out}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error: ") && err.contains(needle), "{args:?}: {err}");
    }
    // clap rejects bad flags before anything runs
    let (code, _, err) = oamm(&["simulate", "--policies", "magic"]);
    assert_ne!(code, 0);
    assert!(err.contains("unknown policy `magic`"), "{err}");
    let (code, _, err) = oamm(&["simulate", "--sweep-points", "3"]);
    assert_ne!(code, 0);
    assert!(err.contains("--sweep-points"), "{err}");
    let (code, _, err) = oamm(&["simulate", "--leg", "straddle:500@150"]);
    assert_ne!(code, 0);
    assert!(err.contains("KIND:CONTRACTS@STRIKE:DAYS"), "{err}");
}
