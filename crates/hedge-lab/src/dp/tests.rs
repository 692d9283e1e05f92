//! The DP's validation: closed forms, its own prediction, and rivals on common paths.
use super::stage::Stage;
use super::*;
use crate::paths::{Market, PathGenerator, PathModel};
use rayon::prelude::*;
use std::f64::consts::{PI, SQRT_2};

/// erfc with fractional error < 1.2e-7 (Numerical Recipes' Chebyshev fit):
/// plenty for a test target, and the DP and the paths use the same one.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

fn norm_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / SQRT_2)
}

/// A short ATM straddle book in f64 Black-Scholes (rate 0).
#[derive(Clone, Copy, Debug)]
struct Straddle {
    contracts: f64,
    strike: f64,
    expiry: f64,
    vol: f64,
}

impl Straddle {
    fn d1(&self, t: f64, s: f64) -> (f64, f64) {
        let sd = self.vol * (self.expiry - t).max(1e-12).sqrt();
        ((s / self.strike).ln() / sd + 0.5 * sd, sd)
    }
    fn target(&self, t: f64, s: f64) -> f64 {
        self.contracts * (2.0 * norm_cdf(self.d1(t, s).0) - 1.0)
    }
    fn gamma(&self, t: f64, s: f64) -> f64 {
        let (d1, sd) = self.d1(t, s);
        self.contracts * 2.0 * (-0.5 * d1 * d1).exp() / (2.0 * PI).sqrt() / (s * sd)
    }
    /// Whalley-Wilmott half-width (3/2 cost S Gamma^2 / lambda)^(1/3).
    fn ww(&self, t: f64, s: f64, cost: f64, lambda: f64) -> f64 {
        (1.5 * cost * s * self.gamma(t, s).powi(2) / lambda).cbrt()
    }
}

fn straddle(days: f64) -> Straddle {
    Straddle { contracts: 1000.0, strike: 150.0, expiry: days / 365.0, vol: 0.8 }
}

fn config(days: f64, step_minutes: f64, resolution: f64, cost: f64, lambda: f64) -> DpConfig {
    DpConfig {
        spot0: 150.0,
        vol: 0.8,
        rate: 0.0,
        horizon_years: days / 365.0,
        dp_step_minutes: step_minutes,
        hedge_resolution: resolution,
        hedge_margin: 0.0,
        cost_frac: cost,
        risk_aversion: lambda,
        spot_sds: 6.5,
        spot_substeps: 1,
    }
}

fn solve_book(cfg: &DpConfig, book: Straddle) -> DpBands {
    solve(cfg, &move |t, s| book.target(t, s)).unwrap()
}

/// Lattice spot of node j (for probing exactly at nodes).
fn node_spot(dp: &DpBands, j: isize) -> f64 {
    dp.spot0 * (j as f64 * dp.dx).exp()
}

#[test]
fn zero_cost_band_is_the_target() {
    let book = straddle(1.0);
    let cfg = config(1.0, 15.0, 1.0, 0.0, 1e-3);
    let dp = solve_book(&cfg, book);
    let dh = cfg.hedge_resolution;
    let half = dp.half as isize;
    let mut probed = 0;
    for k in [0, 1, dp.steps() / 2, dp.steps() - 1] {
        let t = k as f64 * dp.dt_years();
        for j in -half..=half {
            let s = node_spot(&dp, j);
            let (lo, hi) = dp.band(t, s);
            let tgt = book.target(t, s);
            assert!(hi - lo <= 2.0 * dh, "k {k} j {j}: band [{lo}, {hi}] is not collapsed");
            assert!(lo - dh <= tgt && tgt <= hi + dh, "k {k} j {j}: target {tgt} outside [{lo}, {hi}]");
            probed += 1;
        }
    }
    assert!(probed > 200);
    // Without costs the only loss is the hedge grid's rounding of the
    // target, at most dh/2 on every step: V0 <= lambda/2 (dh/2)^2 sigma^2 T max S^2.
    let s_max = node_spot(&dp, half);
    let bound = 0.5 * cfg.risk_aversion * (0.5 * dh).powi(2) * cfg.vol.powi(2) * cfg.horizon_years * s_max * s_max;
    let v0 = dp.value_at_start(book.target(0.0, 150.0));
    assert!((0.0..=bound).contains(&v0), "V0 {v0} vs bound {bound}");
}

#[test]
fn small_cost_band_is_whalley_wilmott() {
    // 3 days of life, 15-minute steps, 3 spot sub-steps: at these risk
    // aversions the band (~120-200) is 3-4 times the delta's move per
    // step (Gamma S sigma sqrt(dt) = 47) and a small part of the delta's
    // range (Gamma S sigma sqrt(T) ~ 650): the small-cost regime. The raw
    // tolerance is 25% because decisions come only every dt: the hedge
    // overshoots the band between them, which for a reflected Brownian
    // motion acts like a band wider by beta Gamma S sigma sqrt(dt),
    // beta = -zeta(1/2)/sqrt(2 pi) = 0.5826 (Broadie-Glasserman-Kou), so
    // the optimal discrete band is narrower than WW by about that: 12%
    // and 18% of WW here (measured: 12% and 19%). Adding it back, the
    // match is within 3% (measured 0.0% and -1.4%; what is left is the
    // band's finite width and the gamma it will see later).
    let book = straddle(3.0);
    let cost = 0.003;
    for lambda in [3e-4, 1e-3] {
        let cfg = DpConfig { spot_substeps: 3, ..config(3.0, 15.0, 1.0, cost, lambda) };
        let dp = solve_book(&cfg, book);
        let (lo, hi) = dp.band(0.0, 150.0);
        let half_width = 0.5 * (hi - lo);
        let target = book.target(0.0, 150.0);
        assert!((0.5 * (lo + hi) - target).abs() < 0.05 * half_width, "band [{lo}, {hi}] not centred on {target}");
        let ww = book.ww(0.0, 150.0, cost, lambda);
        let ratio = half_width / ww;
        assert!((0.75..=1.0).contains(&ratio), "lambda {lambda}: DP half-width {half_width} vs WW {ww}: {ratio}");
        let overshoot = 0.5826 * book.gamma(0.0, 150.0) * 150.0 * cfg.vol * dp.dt_years().sqrt();
        let corrected = (half_width + overshoot) / ww;
        assert!((corrected - 1.0).abs() < 0.03, "lambda {lambda}: corrected ratio {corrected}");
    }
}

/// The book, config and solve of the Monte Carlo tests: 1 day, 15-minute
/// steps, 30 bps, lambda 1e-3 (band ~170, twice the delta's move per
/// step), 3 spot sub-steps (with 1 the band is ~8% too narrow here, and a
/// 10% wider one beats it on Gaussian paths: see `spot_substeps`).
fn mc_case() -> (Straddle, DpConfig, DpBands) {
    let book = straddle(1.0);
    let cfg = DpConfig { spot_substeps: 3, ..config(1.0, 15.0, 1.0, 0.003, 1e-3) };
    let dp = solve_book(&cfg, book);
    (book, cfg, dp)
}

const MC_PATHS: usize = 3000;
const MC_SEED: u64 = 42;

#[test]
fn dp_policy_achieves_the_predicted_value() {
    let (book, cfg, dp) = mc_case();
    let v0 = dp.value_at_start(book.target(0.0, 150.0));
    let obj = objectives(&cfg, &dp, book, MC_PATHS, MC_SEED, &|t, s, _| dp.band(t, s));
    let (m, se) = mean_se(&obj);
    // The allowance: the paths are Gaussian where the DP's lattice is
    // not, and the policy interpolates the bands between lattice nodes
    // (which can only cost); measured +0.3% at 4,000 paths.
    let allowance = 0.01 * v0;
    assert!((m - v0).abs() <= 3.0 * se + allowance, "DP predicts {v0:.2}, its policy achieves {m:.2} +- {se:.2}");
    // The objective is not trivially small: costs and risk both count.
    assert!(se < 0.02 * m && v0 > 500.0, "{v0} {m} {se}");
}

#[test]
fn dp_policy_beats_fixed_bands_and_whalley_wilmott() {
    let (book, cfg, dp) = mc_case();
    let (cost, lambda) = (cfg.cost_frac, cfg.risk_aversion);
    let dt = dp.dt_years();
    let base = objectives(&cfg, &dp, book, MC_PATHS, MC_SEED, &|t, s, _| dp.band(t, s));
    let ww0 = book.ww(0.0, 150.0, cost, lambda);
    let mut rivals: Vec<(String, Vec<f64>)> = [0.4, 0.6, 0.8, 1.0, 1.2]
        .iter()
        .map(|f| {
            let b = f * ww0;
            (format!("fixed band {b:.0}"), objectives(&cfg, &dp, book, MC_PATHS, MC_SEED, &|_, _, g| (g - b, g + b)))
        })
        .collect();
    let ww = |t: f64, s: f64| book.ww(t, s, cost, lambda);
    rivals.push((
        "Whalley-Wilmott".into(),
        objectives(&cfg, &dp, book, MC_PATHS, MC_SEED, &|t, s, g| (g - ww(t, s), g + ww(t, s))),
    ));
    // WW narrowed by the discrete-monitoring overshoot: the best closed form here.
    let narrowed = |t: f64, s: f64| (ww(t, s) - 0.5826 * book.gamma(t, s) * s * cfg.vol * dt.sqrt()).max(0.0);
    rivals.push((
        "WW - overshoot".into(),
        objectives(&cfg, &dp, book, MC_PATHS, MC_SEED, &|t, s, g| (g - narrowed(t, s), g + narrowed(t, s))),
    ));
    // The DP's own band, 10% narrower and wider: optimality is local too.
    for f in [0.9, 1.1] {
        rivals.push((
            format!("DP band x {f}"),
            objectives(&cfg, &dp, book, MC_PATHS, MC_SEED, &|t, s, g| {
                let (lo, hi) = dp.band(t, s);
                (g + f * (lo - g), g + f * (hi - g))
            }),
        ));
    }
    let (m, _) = mean_se(&base);
    for (name, obj) in &rivals {
        let diff: Vec<f64> = obj.iter().zip(&base).map(|(o, b)| o - b).collect();
        let (d, se) = mean_se(&diff);
        assert!(d >= -3.0 * se, "{name} beats the DP: {:.2} vs {m:.2} (diff {d:.3} +- {se:.3})", d + m);
    }
}

#[test]
fn windowed_solve_equals_the_full_grid() {
    let book = straddle(1.0);
    for (cost, lambda, m) in [(0.003, 1e-3, 1), (0.01, 1e-2, 1), (0.0, 1e-3, 1), (0.003, 1e-3, 2)] {
        let cfg = DpConfig { spot_substeps: m, ..config(1.0, 30.0, 2.0, cost, lambda) };
        let lattice = Lattice::new(&cfg, &|t, s| book.target(t, s)).unwrap();
        let fast = lattice.backward(lambda, true, MAX_CELL_STEPS).unwrap();
        let full = lattice.backward(lambda, false, MAX_CELL_STEPS).unwrap();
        assert!(fast.cell_steps() * 3 < full.cell_steps(), "{} vs {}", fast.cell_steps(), full.cell_steps());
        let worst = fast
            .bands
            .iter()
            .zip(&full.bands)
            .map(|(a, b)| a[0].abs_diff(b[0]).max(a[1].abs_diff(b[1])))
            .max()
            .unwrap();
        assert!(worst == 0, "cost {cost} lambda {lambda}: bands differ by {worst} cells");
        for h in [-300.0, 0.0, 12.3, 250.0] {
            let (a, b) = (fast.value_at_start(h), full.value_at_start(h));
            assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "V0({h}): {a} vs {b}");
        }
    }
}

#[test]
fn a_window_missing_the_band_is_widened() {
    // The windows' first guess always holds in the solves above, so
    // drive the widening directly on the last step (V_n = 0, so its
    // stage is known): any window, even a single cell far from the band
    // on either side, must end with the solve's band.
    let book = straddle(1.0);
    let cfg = config(1.0, 30.0, 1.0, 0.003, 0.1);
    let lattice = Lattice::new(&cfg, &|t, s| book.target(t, s)).unwrap();
    let dp = lattice.backward(cfg.risk_aversion, true, MAX_CELL_STEPS).unwrap();
    let cells = lattice.hedge_cells;
    let width = 2 * lattice.half + 1;
    let zero: Vec<Node> = (0..width).map(|_| Node { lo: 0, slope: 0.0, vals: vec![0.0; cells] }).collect();
    let ramp: Vec<f64> = (0..cells).map(|i| i as f64).collect();
    let stage = Stage {
        next: &zero,
        reach: lattice.reach,
        probs: &lattice.probs,
        h_min: lattice.h_min,
        dh: lattice.dh,
        cells,
        ramp: &ramp,
    };
    let k = lattice.n - 1;
    let mut widened = 0;
    for jj in [lattice.half - 1, lattice.half, lattice.half + 1] {
        let s = lattice.spots[jj];
        let tgt = lattice.targets[k * width + jj];
        let (slope, quad) =
            (cfg.cost_frac * s * lattice.dh, 0.5 * cfg.risk_aversion * s * s * cfg.vol.powi(2) * lattice.dt);
        let mut node = Node::default();
        let (_, lo, hi) = stage.node_band(&mut node, jj, tgt, slope, quad, (0, cells - 1));
        assert_eq!([lo as u32, hi as u32], dp.bands[k * width + jj]);
        assert!(lo > 10 && hi + 10 < cells, "the band must be inside the grid for this test: {lo} {hi}");
        for w in [(0, 0), (cells - 1, cells - 1), (lo + 1, hi - 1), (lo + 1, lo + 1), (hi + 3, cells - 1), (0, lo - 3)]
        {
            let mut node = Node::default();
            let (done, a, b) = stage.node_band(&mut node, jj, tgt, slope, quad, w);
            assert_eq!((a, b), (lo, hi), "window {w:?}");
            assert_eq!(node.lo, lo);
            assert_eq!(node.vals.len(), hi - lo + 1);
            if done > (w.1 - w.0 + 1) as u64 {
                widened += 1;
            }
        }
    }
    assert!(widened >= 12, "{widened}");
}

#[test]
fn an_expiring_leg_only_moves_the_target() {
    // Two straddles, one expiring half way: after it expires the bands
    // must be those of the remaining leg alone (same lattice; the hedge
    // grids differ by a fraction of a cell, and where the band reaches
    // the grid's end it is the end of a different grid).
    let (short, long) = (straddle(0.5), straddle(1.0));
    let expiry = short.expiry;
    let both = move |t: f64, s: f64| long.target(t, s) + if t < expiry { short.target(t, s) } else { 0.0 };
    let cfg = config(1.0, 30.0, 1.0, 0.003, 1e-3);
    let dp_both = solve(&cfg, &both).unwrap();
    let dp_long = solve_book(&cfg, long);
    let (lo_grid, _, n_grid) = dp_long.hedge_grid();
    let top = lo_grid + (n_grid - 1) as f64;
    assert!(dp_both.hedge_grid().2 > n_grid + n_grid / 2, "the grid must cover both legs");
    let half = dp_long.half as isize;
    let mut compared = 0;
    for k in dp_long.steps() / 2..dp_long.steps() {
        let t = k as f64 * dp_long.dt_years();
        for j in -half..=half {
            let s = node_spot(&dp_long, j);
            let (a, b) = (dp_both.band(t, s), dp_long.band(t, s));
            if b.0 > lo_grid + 1.0 && b.1 < top - 1.0 {
                assert!((a.0 - b.0).abs() <= 1.5 && (a.1 - b.1).abs() <= 1.5, "k {k} j {j}: {a:?} vs {b:?}");
                compared += 1;
            }
        }
    }
    assert!(compared > 100, "{compared}");
    // Before the expiry the short leg's gamma dominates: a different band.
    let (a, b) = (dp_both.band(0.0, 150.0), dp_long.band(0.0, 150.0));
    assert!((a.1 - a.0) > 1.2 * (b.1 - b.0), "{a:?} vs {b:?}");
}

#[test]
fn solve_many_matches_solve() {
    let book = straddle(1.0);
    let cfg = config(1.0, 30.0, 1.0, 0.003, 1e-3);
    let many = solve_many(&cfg, &[1e-3, 1e-2], &|t, s| book.target(t, s)).unwrap();
    let one = solve_book(&DpConfig { risk_aversion: 1e-2, ..cfg }, book);
    assert_eq!(many[1].bands, one.bands);
    assert_eq!(many[0].bands, solve_book(&cfg, book).bands);
    assert_ne!(many[0].bands, many[1].bands);
    assert!(solve_many(&cfg, &[1e-3, 0.0], &|t, s| book.target(t, s)).is_err());
}

#[test]
fn bad_configs_are_clear_errors() {
    let book = straddle(1.0);
    let good = config(1.0, 30.0, 1.0, 0.003, 1e-3);
    let err = |cfg: DpConfig| match solve(&cfg, &|t, s| book.target(t, s)) {
        Ok(_) => panic!("{cfg:?} was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(err(DpConfig { vol: 0.0, ..good }).contains("vol"));
    assert!(err(DpConfig { vol: f64::NAN, ..good }).contains("vol"));
    assert!(err(DpConfig { spot0: -1.0, ..good }).contains("spot0"));
    assert!(err(DpConfig { horizon_years: 0.0, ..good }).contains("horizon_years"));
    assert!(err(DpConfig { risk_aversion: 0.0, ..good }).contains("risk_aversion"));
    assert!(err(DpConfig { cost_frac: 1.5, ..good }).contains("cost_frac"));
    assert!(err(DpConfig { cost_frac: f64::NAN, ..good }).contains("cost_frac"));
    assert!(err(DpConfig { hedge_resolution: 0.0, ..good }).contains("hedge_resolution"));
    assert!(err(DpConfig { hedge_margin: -1.0, ..good }).contains("hedge_margin"));
    assert!(err(DpConfig { spot_sds: 0.5, ..good }).contains("spot_sds"));
    assert!(err(DpConfig { dp_step_minutes: 1000.0, ..good }).contains("dp_step_minutes"));
    assert!(err(DpConfig { spot_substeps: 0, ..good }).contains("spot_substeps"));
    assert!(err(DpConfig { hedge_resolution: 1e-4, ..good }).contains("raise hedge_resolution"));
    assert!(err(DpConfig { dp_step_minutes: 0.001, ..good }).contains("raise dp_step_minutes"));
    let nan = solve(&good, &|t, s| if s > 180.0 { f64::NAN } else { book.target(t, s) });
    assert!(nan.err().map(|e| e.to_string()).unwrap_or_default().contains("finite"));
    // The work limit names the knobs to turn.
    let lattice = Lattice::new(&good, &|t, s| book.target(t, s)).unwrap();
    let e = lattice.backward(1e-3, true, 100_000).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("raise hedge_resolution or dp_step_minutes"), "{e}");
    assert!(solve(&good, &|t, s| book.target(t, s)).is_ok());
}

/// Objective of a band policy on each of `paths` GBM paths at the DP's
/// own step: start at the target, at k = 1..n-1 trade to the nearest edge
/// of `band(t, spot, target)`, charge cost and local variance.
fn objectives(
    cfg: &DpConfig,
    dp: &DpBands,
    book: Straddle,
    paths: usize,
    seed: u64,
    band: &(dyn Fn(f64, f64, f64) -> (f64, f64) + Sync),
) -> Vec<f64> {
    let market = Market { spot: cfg.spot0, vol: cfg.vol, rate: cfg.rate };
    let (n, dt) = (dp.steps(), dp.dt_years());
    let gen = PathGenerator::new(&market, &PathModel::Gbm, dt, n).unwrap();
    let var_dt = cfg.vol * cfg.vol * dt;
    (0..paths as u64)
        .into_par_iter()
        .map_init(Vec::new, |s, i| {
            gen.fill(seed, i, s);
            let mut h = book.target(0.0, s[0]);
            let mut total = 0.0;
            for (k, &spot) in s.iter().enumerate().take(n).skip(1) {
                let t = k as f64 * dt;
                let tgt = book.target(t, spot);
                let (lo, hi) = band(t, spot, tgt);
                let next = h.clamp(lo, hi);
                total += cfg.cost_frac * spot * (next - h).abs();
                h = next;
                total += 0.5 * cfg.risk_aversion * (h - tgt).powi(2) * spot * spot * var_dt;
            }
            total
        })
        .collect()
}

fn mean_se(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (v / n).sqrt())
}
