//! The demo's report for people: human units (USDC, SOL), one section per
//! actor, the rebalances as a short table.
use super::DemoReport;
use crate::output::kv;
use std::fmt::Write;
use std::time::Duration;

const SOL: f64 = 1e9;
const USDC: f64 = 1e6;
/// Rebalances listed in full; the rest are in the JSON.
const SHOW_REBALANCES: usize = 12;

/// 1234567.891 -> "1,234,567.89"
fn grouped(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').map(|(i, f)| (i.to_string(), Some(f.to_string()))).unwrap_or((s.clone(), None));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("-{out}")
    } else {
        out
    }
}

/// -0.0000001 would print as "-0.000": a hedge that landed on its target.
fn no_negative_zero(x: f64) -> f64 {
    if x.abs() < 5e-4 {
        0.0
    } else {
        x
    }
}

fn usdc(base: i64) -> String {
    format!("{} USDC", grouped(base as f64 / USDC, 2))
}

fn signed_usdc(base: i64) -> String {
    let s = usdc(base);
    if base > 0 {
        format!("+{s}")
    } else {
        s
    }
}

fn sol(base: f64) -> String {
    format!("{} SOL", grouped(base / SOL, 3))
}

pub fn render(r: &DemoReport, elapsed: Duration) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "oamm demo: a SOL/USDC options pool on an embedded bank, {} days in {} steps (seed {})",
        r.days, r.steps, r.seed
    );
    let _ = writeln!(t, "hedge policy: {}", r.policy);
    let lo = r.timeline.iter().map(|s| s.oracle_price).fold(r.spot_start, f64::min);
    let hi = r.timeline.iter().map(|s| s.oracle_price).fold(r.spot_start, f64::max);

    let _ = writeln!(t, "\nMarket");
    let series: Vec<String> = r.series.iter().map(|s| s.label.clone()).collect();
    t += &kv(&[
        ("LP deposit", usdc(r.lp_deposit as i64)),
        ("series listed", series.join(", ")),
        (
            "oracle price",
            format!(
                "{:.2} -> {:.2} USDC/SOL (low {:.2}, high {:.2}; GBM, {:.0}% vol)",
                r.spot_start,
                r.spot_end,
                lo,
                hi,
                100.0 * r.path_vol
            ),
        ),
    ]);

    let buys = r.trades.iter().filter(|x| x.side == "buy").count();
    let _ = writeln!(t, "\nTraders");
    let mut reasons: Vec<(String, usize)> = Vec::new();
    for x in &r.refused_trades {
        // the rule's name, without the code and message
        let name = x.reason.split(' ').next().unwrap_or("").to_string();
        match reasons.iter_mut().find(|(n, _)| *n == name) {
            Some((_, c)) => *c += 1,
            None => reasons.push((name, 1)),
        }
    }
    let refused = if reasons.is_empty() {
        "none".to_string()
    } else {
        reasons.iter().map(|(n, c)| format!("{c} {n}")).collect::<Vec<_>>().join(", ")
    };
    t += &kv(&[
        ("trades", format!("{} ({} buys, {} sells)", r.trade_count, buys, r.trade_count - buys)),
        ("refused by the pool's rules", refused),
        ("premiums (net of buy-backs)", usdc(r.premiums)),
        ("fees", usdc(r.fees as i64)),
    ]);

    let _ = writeln!(t, "\nKeeper");
    let bought: u64 = r.rebalances.iter().filter(|b| b.side == "buy_underlying").map(|b| b.amount_out).sum();
    let sold: u64 = r.rebalances.iter().filter(|b| b.side == "sell_underlying").map(|b| b.amount_in).sum();
    let capped = r.rebalances.iter().filter(|b| !b.inside_band).count();
    t += &kv(&[
        ("rebalances", format!("{} (bought {}, sold {})", r.rebalances.len(), sol(bought as f64), sol(sold as f64))),
        (
            "max |delta| after rebalance",
            format!(
                "{}{}",
                sol(r.max_abs_delta_after_rebalance),
                if capped > 0 {
                    format!(" ({capped} stopped outside the band by a cap, see `cap` in --output json)")
                } else {
                    String::new()
                }
            ),
        ),
        ("hedge cost vs oracle", format!("{} (venue fee and price impact)", usdc(r.hedge_cost))),
        ("keeper rewards", usdc(r.keeper_rewards as i64)),
    ]);
    if !r.rebalances.is_empty() {
        let _ = writeln!(
            t,
            "\n  {:>5} {:>6} {:>8}  {:<5} {:>12} {:>12}  {:>20}  {:>8}",
            "step", "day", "price", "side", "SOL", "USDC", "delta before -> after", "band"
        );
        for b in r.rebalances.iter().take(SHOW_REBALANCES) {
            let (side, sol_amt, usdc_amt) = match b.side {
                "buy_underlying" => ("buy", b.amount_out, b.amount_in),
                _ => ("sell", b.amount_in, b.amount_out),
            };
            let _ = writeln!(
                t,
                "  {:>5} {:>6.2} {:>8.2}  {:<5} {:>12} {:>12}  {:>9.3} -> {:>7.3}  {:>8.3}{}",
                b.step,
                b.day,
                b.oracle_price,
                side,
                grouped(sol_amt as f64 / SOL, 3),
                grouped(usdc_amt as f64 / USDC, 2),
                no_negative_zero(b.delta_before / SOL),
                no_negative_zero(b.delta_after / SOL),
                b.band / SOL,
                b.cap.map(|c| format!("  ({c})")).unwrap_or_default()
            );
        }
        if r.rebalances.len() > SHOW_REBALANCES {
            let _ = writeln!(t, "  ... {} more in --output json", r.rebalances.len() - SHOW_REBALANCES);
        }
    }

    let _ = writeln!(t, "\nSettlement");
    let mut rows: Vec<(String, String)> = Vec::new();
    for s in &r.series {
        let v = match (s.settlement_price, s.payoff_per_contract) {
            (Some(p), Some(pay)) => format!(
                "settled at {p:.2}: pays {pay:.2}/contract on {} contracts; redeemed {}",
                grouped(s.open_interest_at_settlement as f64 / SOL, 3),
                usdc(s.redeemed_quote as i64)
            ),
            _ => "not settled".into(),
        };
        rows.push((s.label.clone(), v));
    }
    rows.push(("settled series".into(), format!("{} of {}", r.settled_series, r.series.len())));
    rows.push(("redeemed by holders".into(), usdc(r.redeemed_total as i64)));
    let rows_ref: Vec<(&str, String)> = rows.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    t += &kv(&rows_ref);

    let _ = writeln!(t, "\nLP");
    let pct = if r.lp_deposit > 0 { 100.0 * r.lp_pnl as f64 / r.lp_deposit as f64 } else { 0.0 };
    let mut lp_rows = vec![
        ("NAV", format!("{} -> {}", usdc(r.nav_start), usdc(r.nav_end))),
        ("withdrawn", usdc(r.lp_withdrawn as i64)),
    ];
    if r.lp_tokens_left > 0 {
        lp_rows.push((
            "still in the pool",
            format!(
                "{} LP tokens worth {} (the leftover hedge inside its band; the solvency rule keeps it in)",
                grouped(r.lp_tokens_left as f64 / USDC, 2),
                usdc(r.lp_tokens_left_value as i64)
            ),
        ));
    }
    lp_rows.push(("LP P&L", format!("{} ({pct:+.3}%)", signed_usdc(r.lp_pnl))));
    lp_rows.push(("  = premiums + fees", usdc(r.premiums + r.fees as i64)));
    lp_rows.push(("  - payouts", usdc(r.payouts as i64)));
    lp_rows.push(("  - keeper rewards", usdc(r.keeper_rewards as i64)));
    lp_rows.push((
        "  + hedge P&L",
        format!("{} (swaps and the hedge's mark, incl. the cost above)", signed_usdc(r.hedge_pnl)),
    ));
    t += &kv(&lp_rows);

    let _ = writeln!(t, "\nChecks");
    t += &kv(&[
        (
            "book invariants",
            format!(
                "{} violations in {} checks (vaults == books, option supply == open interest, reserves == owed)",
                r.invariant_violations, r.invariant_checks
            ),
        ),
        (
            "client predictions",
            format!("{} mismatches (quotes, rebalances, redemptions, withdrawal)", r.prediction_mismatches),
        ),
        (
            "final vaults",
            format!("{} quote, {} hedge", usdc(r.final_vault_quote as i64), sol(r.final_vault_hedge as f64)),
        ),
    ]);
    for f in r.invariant_failures.iter().chain(r.prediction_failures.iter()) {
        let _ = writeln!(t, "  ! {f}");
    }
    let _ = writeln!(t);
    if let Some(p) = &r.chart {
        let _ = writeln!(t, "chart written to {p}");
    }
    let _ = writeln!(t, "ran in {:.2} s", elapsed.as_secs_f64());
    t
}
