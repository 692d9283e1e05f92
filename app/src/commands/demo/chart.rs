//! The demo's chart: three panels on one time axis (days).
//! 1. the oracle price, with the strikes and the expiries;
//! 2. the pool's delta (hedge - target, SOL) with the policy's band shaded:
//!    the line drifts with trades and price between steps, each rebalance
//!    is a vertical jump from a red dot (before) to a green dot (after);
//! 3. the pool's NAV (USDC), with the LP's deposit for reference.
use super::DemoReport;
use plotters::prelude::*;
use std::path::Path;

const SOL: f64 = 1e9;
const USDC: f64 = 1e6;

fn range(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-9 {
        // a flat series still needs a frame
        let m = hi.abs().max(1.0) * 0.01;
        return (lo - m, hi + m);
    }
    let m = (hi - lo) * pad;
    (lo - m, hi + m)
}

pub fn write_svg(r: &DemoReport, path: &Path) -> anyhow::Result<()> {
    let days = r.days as f64;
    let price: Vec<(f64, f64)> =
        std::iter::once((0.0, r.spot_start)).chain(r.timeline.iter().map(|s| (s.day, s.oracle_price))).collect();
    let nav: Vec<(f64, f64)> = std::iter::once((0.0, r.nav_start as f64 / USDC))
        .chain(r.timeline.iter().map(|s| (s.day, s.nav as f64 / USDC)))
        .collect();
    // the delta as a sawtooth: drift to the step (before), then the keeper's jump (after)
    let mut delta = vec![(0.0, 0.0)];
    for s in &r.timeline {
        delta.push((s.day, s.delta_before / SOL));
        delta.push((s.day, s.delta_after / SOL));
    }
    let total: Vec<(f64, f64)> =
        std::iter::once((0.0, 0.0)).chain(r.timeline.iter().map(|s| (s.day, s.total_delta / SOL))).collect();
    // (day, below, above): the band's sides around zero delta, drawn at
    // most twice the largest delta wide (the cost-benefit band grows
    // without bound as an expiry nears)
    let reach = 2.0 * delta.iter().chain(total.iter()).map(|p| p.1.abs()).fold(1.0, f64::max);
    let band: Vec<(f64, f64, f64)> =
        r.timeline.iter().map(|s| (s.day, -(s.band_below / SOL).min(reach), (s.band_above / SOL).min(reach))).collect();

    let root = SVGBackend::new(path, (1100, 900)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(
        &format!(
            "oamm demo: SOL/USDC options pool, seed {}, {} steps, policy {}",
            r.seed,
            r.steps,
            r.policy.split(' ').next().unwrap_or("")
        ),
        ("sans-serif", 22),
    )?;
    let panels = root.split_evenly((3, 1));

    // 1. price
    let strikes: Vec<f64> = r.series.iter().map(|s| s.strike).collect();
    let (p0, p1) = range(price.iter().map(|p| p.1).chain(strikes.iter().copied()), 0.08);
    let mut c = ChartBuilder::on(&panels[0])
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(70)
        .caption("oracle price (USDC per SOL); dashed: strikes, grey: expiries", ("sans-serif", 16))
        .build_cartesian_2d(0.0..days, p0..p1)?;
    c.configure_mesh()
        .x_desc("day")
        .y_label_formatter(&|y| format!("{y:.0}"))
        .light_line_style(BLACK.mix(0.04))
        .draw()?;
    for s in &r.series {
        c.draw_series(DashedLineSeries::new([(0.0, s.strike), (s.expiry_day, s.strike)], 6, 4, BLUE.mix(0.35).into()))?;
        c.draw_series(LineSeries::new([(s.expiry_day, p0), (s.expiry_day, p1)], BLACK.mix(0.25)))?;
    }
    c.draw_series(LineSeries::new(price, BLACK.stroke_width(2)))?;

    // 2. pool delta and band
    let (mut d0, mut d1) =
        range(delta.iter().chain(total.iter()).map(|p| p.1).chain(band.iter().flat_map(|b| [b.1, b.2])), 0.1);
    d0 = d0.min(-0.5);
    d1 = d1.max(0.5);
    let mut c = ChartBuilder::on(&panels[1])
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(70)
        .caption(
            "pool delta = hedge - target (SOL, blue); shaded: the policy's band; red / green: before / after each rebalance; \
             grey dashed: hedge - net delta, incl. short puts the hedge cannot offset",
            ("sans-serif", 14),
        )
        .build_cartesian_2d(0.0..days, d0..d1)?;
    c.configure_mesh()
        .x_desc("day")
        .y_label_formatter(&|y| format!("{y:.1}"))
        .light_line_style(BLACK.mix(0.04))
        .draw()?;
    if !band.is_empty() {
        // the band as a step function, one shaded polygon
        let (mut upper, mut lower) = (Vec::new(), Vec::new());
        let mut prev_day = 0.0;
        for &(day, below, above) in &band {
            upper.extend([(prev_day, above), (day, above)]);
            lower.extend([(prev_day, below), (day, below)]);
            prev_day = day;
        }
        lower.reverse();
        let poly: Vec<(f64, f64)> = upper.into_iter().chain(lower).collect();
        c.draw_series(std::iter::once(Polygon::new(poly, GREEN.mix(0.12))))?;
    }
    c.draw_series(LineSeries::new([(0.0, 0.0), (days, 0.0)], BLACK.mix(0.3)))?;
    c.draw_series(LineSeries::new(delta, BLUE.stroke_width(1)))?;
    c.draw_series(DashedLineSeries::new(total, 5, 3, BLACK.mix(0.45).into()))?;
    // each rebalance as its jump (those right after a settlement happen
    // inside a step, so the step line alone would not show them)
    c.draw_series(
        r.rebalances
            .iter()
            .map(|b| PathElement::new(vec![(b.day, b.delta_before / SOL), (b.day, b.delta_after / SOL)], RED.mix(0.5))),
    )?;
    c.draw_series(r.rebalances.iter().map(|b| Circle::new((b.day, b.delta_before / SOL), 3, RED.filled())))?;
    c.draw_series(r.rebalances.iter().map(|b| Circle::new((b.day, b.delta_after / SOL), 3, GREEN.mix(0.9).filled())))?;

    // 3. NAV
    let deposit = r.lp_deposit as f64 / USDC;
    let (n0, n1) = range(nav.iter().map(|p| p.1).chain(std::iter::once(deposit)), 0.1);
    let mut c = ChartBuilder::on(&panels[2])
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(70)
        .caption("pool NAV (USDC); dashed: the LP's deposit", ("sans-serif", 16))
        .build_cartesian_2d(0.0..days, n0..n1)?;
    c.configure_mesh()
        .x_desc("day")
        .y_label_formatter(&|y| format!("{y:.0}"))
        .light_line_style(BLACK.mix(0.04))
        .draw()?;
    c.draw_series(DashedLineSeries::new([(0.0, deposit), (days, deposit)], 6, 4, BLACK.mix(0.4).into()))?;
    c.draw_series(LineSeries::new(nav, MAGENTA.stroke_width(2)))?;
    root.present()?;
    Ok(())
}
