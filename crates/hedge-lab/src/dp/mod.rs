//! The dynamic-programming optimum of the delta-hedging problem: a lower
//! bound to measure hedge policies against.
//!
//! Why: the lab compares heuristic policies (bands, clocks, Whalley-Wilmott)
//! with each other. This module solves the hedging problem itself, so a
//! policy can also be scored by how far it is from the best any policy can do
//! under the same costs and risk aversion.
//!
//! Problem. A hedger holds `h` underlying against a book whose target hedge
//! (the book's delta) is a known function `target(t, S)`; spot follows GBM
//! with volatility sigma and drift = rate (risk-neutral, as
//! [`crate::paths`]). Decisions are taken at t_k = k dt, k = 1..n-1: the hedge
//! starts at the target at k = 0 for free and nothing is decided at the
//! horizon k = n (the engine's conventions). Moving from h to h' at spot S
//! costs `cost_frac` S |h' - h|. The DP minimises
//!
//!   E[ sum_k cost_k + lambda/2 sum_k (h_k - target(t_k, S_k))^2 S_k^2 sigma^2 dt ]
//!
//! with h_k the hedge held over step k (after step k's decision), lambda the
//! risk aversion (1/quote). Nothing is discounted (at rate 0, the lab's
//! default, that is the engine's accounting).
//!
//! The local-variance approximation. Replicating the book, its P&L is
//! sum_k (h_k - Delta_k)(S_(k+1) - S_k) + (the discrete-hedging residual,
//! which does not depend on h) - costs. The hedge-error terms are martingale
//! increments, so their sum's variance is the sum of their expected squares,
//! E sum_k (h_k - Delta_k)^2 S_k^2 sigma^2 dt to leading order in dt. The
//! objective is therefore E\[cost\] + lambda/2 Var(P&L) up to a constant, to
//! leading order: it ignores the variance of the costs themselves and their
//! covariance with the hedge error (both higher order when costs are small
//! next to the P&L's spread), exactly the approximation behind the
//! Whalley-Wilmott band, which is this problem's small-cost limit.
//! Because only the target depends on the book, the same solve serves any
//! book: the target may jump when a leg expires (cash-settled legs simply
//! drop out of it).
//!
//! Grid. Time: n steps of `dp_step_minutes` (may be coarser than the lab's
//! 1-minute step, but then it is the optimum for that decision step). Spot:
//! a lattice in log spot with spacing sigma sqrt(3 dt / m), over which a
//! step is m trinomial sub-steps (m = `spot_substeps`), each matching the
//! mean (r - sigma^2/2) dt/m and the variance of the log return: a 2m + 1
//! point stencil. It is truncated at +-`spot_sds` standard deviations of the
//! whole horizon (the end nodes take the moves past them), and every step is
//! solved on the full width so [`DpBands::band`] is defined wherever a path
//! can be. Hedge: an absolute grid of step `hedge_resolution` on
//! [min target - margin, max target + margin] over the lattice. A margin of
//! 0 loses nothing from a start inside the targets' range: clamping any
//! policy into [min target, max target] trades no more (clamping is
//! 1-Lipschitz) and is never further from a target, so an optimal hedge never
//! leaves that range.
//!
//! Backward induction, per (step, spot node): W(h') = lambda/2 (h' - target)^2
//! S^2 sigma^2 dt + E[V_(k+1)(S', h')], V_k(h) = min_h' cost S |h' - h| + W(h').
//! V_n = 0 is convex in h, sums and the L1 inf-convolution keep convexity, so
//! every W is convex and the no-trade set is one interval [lo, hi]: where W's
//! slope per cell lies within +-cost S dh. Outside it the optimum trades to the
//! nearest edge and V is exactly linear, so a node's V is stored on its band
//! only (plus that slope), and W is evaluated only on a window around the
//! stencil nodes' bands and the target (widened until both band edges are
//! seen strictly inside, or reach the grid's ends): the result is the
//! full-grid L1 distance transform's, which `windowed_solve_equals_the_full_grid`
//! checks, at ~1/10 to 1/100 of its work. Spot nodes run in parallel
//! (rayon); memory is 16 bytes a (step, node) for the targets and the bands.
//!
//! What the grid resolves. The band is only placed to within about the
//! delta's move between adjacent spot outcomes, Gamma S sigma sqrt(3 dt / m):
//! keep the band's half-width several times that. Below ~2-3 times, a plain
//! trinomial (m = 1) puts the band too narrow and its "bound" can be beaten
//! (15-minute steps on a 1-day straddle, band ~160: m = 1 is 8% too narrow
//! and a 10% wider band beats it by 0.4%; m = 3 fixes both). At the lab's
//! 1-minute step the default book needs no sub-steps (m = 2 moves the bands
//! by <= 1.5 underlying except in the last hours); at 5-10 minutes use m = 3.
//!
//! Validation (the tests below): without costs the band collapses onto the
//! target; far from expiry with small costs its half-width is the
//! Whalley-Wilmott band less the discrete-monitoring overshoot; on simulated
//! GBM paths (crate::paths) the DP's policy achieves the objective the DP
//! predicts; on common paths it beats fixed bands, Whalley-Wilmott (plain
//! and narrowed by the overshoot) and its own band 10% narrower or wider; an
//! expiring leg changes nothing after it expires; windows change nothing.
//!
//! Cost per solve: n (2J + 1) target evaluations, J = spot_sds sqrt(n m / 3),
//! and n (2J + 1) (2m + 1) x (window width) cell updates at a few ns each;
//! near expiry the bands widen to the whole grid. The lab's default book
//! (1,000 ATM straddles, spot 150, vol 0.8, 7 days, 30 bps, lambda 1e-4 to
//! 1e-2, bands 40-250 at the start), measured in release on 2 cores shared
//! with a build (load 4-7): 5-minute steps with m = 3, 0.5-2.3 s a solve;
//! 1-minute steps with m = 1, 2.7-10 s, plus 3-4 s for options-math targets,
//! which [`solve_many`] evaluates once for several risk aversions. A hedge
//! resolution of 1 underlying is converged (0.5 moves the bands by < 0.5).
//! `oamm simulate` prints the time its DP solves took (`dp_solve_s`).
use crate::{config_err, LabError, Result};
use rayon::prelude::*;

/// A solve stops with an error once it has evaluated W on more (step,
/// node, hedge cell) triples than this.
pub const MAX_CELL_STEPS: u64 = 3_000_000_000;
/// Refuse lattices with more (step, spot node) pairs than this (memory:
/// 16 bytes each).
pub const MAX_LATTICE_NODES: usize = 20_000_000;
/// Refuse hedge grids with more cells than this.
pub const MAX_HEDGE_CELLS: usize = 10_000_000;
const MINUTES_PER_YEAR: f64 = 365.0 * 1440.0;
/// Cells added on each side of the first guess of a window.
const PAD: usize = 2;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DpConfig {
    /// Spot at t = 0, quote.
    pub spot0: f64,
    /// Annual volatility of the paths (0.8 = 80%).
    pub vol: f64,
    /// Risk-free rate, also the drift (risk-neutral paths).
    pub rate: f64,
    pub horizon_years: f64,
    /// Time step of the DP, minutes (the horizon is split into a whole
    /// number of steps of about this length).
    pub dp_step_minutes: f64,
    /// Step of the hedge grid, underlying.
    pub hedge_resolution: f64,
    /// Extra room on the hedge grid beyond the targets' range, underlying;
    /// 0 is exact for starts inside that range (see the module doc) and only
    /// `value_at_start` from outside it needs more.
    pub hedge_margin: f64,
    /// Proportional trading cost, fraction of notional (0.003 = 30 bps).
    pub cost_frac: f64,
    /// lambda, 1/quote.
    pub risk_aversion: f64,
    /// Spot lattice half-width in standard deviations of the whole horizon.
    pub spot_sds: f64,
    /// Trinomial sub-steps per DP step (1 = a plain trinomial tree): the
    /// spot's move over one step has 2m + 1 outcomes, sqrt(3/m) standard
    /// deviations apart. The optimal band is only resolved to about the
    /// book's delta move between adjacent outcomes, so raise this when the
    /// band is not several times Gamma S sigma sqrt(3 dt / m) wide. Cost
    /// grows like m^1.5 (2m + 1).
    pub spot_substeps: usize,
}

/// The optimal policy: a no-trade interval per (DP step, spot node).
#[derive(Clone)]
pub struct DpBands {
    n_steps: usize,
    dt: f64,
    dx: f64,
    /// J: nodes j = -J..=J, spot s0 e^(j dx).
    half: usize,
    spot0: f64,
    h_min: f64,
    dh: f64,
    hedge_cells: usize,
    /// [lo, hi] hedge-grid indices, row-major (step, node).
    bands: Vec<[u32; 2]>,
    start: Start,
    cell_steps: u64,
}

/// What `value_at_start` needs: W_0 at node 0 from V_1 at nodes -m..=m.
#[derive(Clone, Debug)]
struct Start {
    /// Probabilities of the moves -m..=m nodes.
    probs: Vec<f64>,
    /// V_1 at nodes -m..=m.
    next: Vec<Node>,
    quad: f64,
    target: f64,
}

/// V at one node: its values on the band [lo, lo + len) and the slope per
/// hedge cell outside it (the cost of trading to the band's nearest edge).
#[derive(Clone, Debug, Default)]
struct Node {
    lo: usize,
    slope: f64,
    vals: Vec<f64>,
}

impl Node {
    fn hi(&self) -> usize {
        self.lo + self.vals.len() - 1
    }

    /// out[m] += p V(a + m); `ramp` is 0, 1, 2, ... (f64), at least as long as out.
    fn add_into(&self, p: f64, a: usize, out: &mut [f64], ramp: &[f64]) {
        let end = a + out.len();
        let (lo, hi) = (self.lo, self.hi());
        let p_slope = p * self.slope;
        // below the band: V(a + m) = V(lo) + (lo - a - m) slope
        let below_end = lo.clamp(a, end);
        if below_end > a {
            let base = p * self.vals[0] + (lo - a) as f64 * p_slope;
            for (o, &r) in out[..below_end - a].iter_mut().zip(ramp) {
                *o += base - r * p_slope;
            }
        }
        let above = (hi + 1).clamp(a, end);
        if above > below_end {
            let src = &self.vals[below_end - lo..above - lo];
            for (o, v) in out[below_end - a..above - a].iter_mut().zip(src) {
                *o += p * v;
            }
        }
        // above the band: V(above + m) = V(hi) + (above - hi + m) slope
        if end > above {
            let base = p * self.vals[self.vals.len() - 1] + (above - hi) as f64 * p_slope;
            for (o, &r) in out[above - a..].iter_mut().zip(ramp) {
                *o += base + r * p_slope;
            }
        }
    }

    /// V at a fractional hedge-grid coordinate x (linear between cells).
    fn at(&self, x: f64) -> f64 {
        let (lo, hi) = (self.lo as f64, self.hi() as f64);
        if x <= lo {
            self.vals[0] + (lo - x) * self.slope
        } else if x >= hi {
            self.vals[self.vals.len() - 1] + (x - hi) * self.slope
        } else {
            let i = (x - lo).floor() as usize;
            let w = x - lo - i as f64;
            self.vals[i] * (1.0 - w) + self.vals[(i + 1).min(self.vals.len() - 1)] * w
        }
    }
}

/// Solve the DP for `target(t_years, spot)`.
pub fn solve(cfg: &DpConfig, target: &(dyn Fn(f64, f64) -> f64 + Sync)) -> Result<DpBands> {
    let lattice = Lattice::new(cfg, target)?;
    lattice.backward(cfg.risk_aversion, true, MAX_CELL_STEPS)
}

/// [`solve`] for several risk aversions (`cfg.risk_aversion` is ignored),
/// evaluating the target on the lattice once: with options-math's
/// fixed-point greeks that is about half of a solve at 1-minute steps.
pub fn solve_many(
    cfg: &DpConfig,
    risk_aversions: &[f64],
    target: &(dyn Fn(f64, f64) -> f64 + Sync),
) -> Result<Vec<DpBands>> {
    for &lambda in risk_aversions {
        check(&DpConfig { risk_aversion: lambda, ..*cfg })?;
    }
    let lattice = Lattice::new(cfg, target)?;
    risk_aversions.iter().map(|&lambda| lattice.backward(lambda, true, MAX_CELL_STEPS)).collect()
}

fn check(cfg: &DpConfig) -> Result<()> {
    if !(cfg.spot0 > 0.0) || !cfg.spot0.is_finite() {
        return config_err("dp: spot0 must be a positive number");
    }
    if !(cfg.vol > 0.0) || cfg.vol > 10.0 {
        return config_err("dp: vol must be in (0, 10] (a fraction a year: 0.8 = 80%)");
    }
    if !(cfg.rate.abs() <= 1.0) {
        return config_err("dp: rate must be within [-1, 1] (a fraction a year)");
    }
    if !(cfg.horizon_years > 0.0) || cfg.horizon_years > 100.0 {
        return config_err("dp: horizon_years must be in (0, 100]");
    }
    if !(cfg.dp_step_minutes > 0.0) || !cfg.dp_step_minutes.is_finite() {
        return config_err("dp: dp_step_minutes must be positive");
    }
    if !(cfg.hedge_resolution > 0.0) || !cfg.hedge_resolution.is_finite() {
        return config_err("dp: hedge_resolution must be positive (underlying)");
    }
    if !(cfg.hedge_margin >= 0.0) || !cfg.hedge_margin.is_finite() {
        return config_err("dp: hedge_margin must be >= 0 (underlying)");
    }
    if !(cfg.cost_frac >= 0.0) || cfg.cost_frac > 1.0 {
        return config_err("dp: cost_frac must be in [0, 1] (0.003 = 30 bps)");
    }
    if !(cfg.risk_aversion > 0.0) || !cfg.risk_aversion.is_finite() {
        return config_err("dp: risk_aversion must be positive (1/quote)");
    }
    if !(cfg.spot_sds >= 1.0) || cfg.spot_sds > 20.0 {
        return config_err("dp: spot_sds must be in [1, 20] (6 to 7 is plenty)");
    }
    if !(1..=16).contains(&cfg.spot_substeps) {
        return config_err("dp: spot_substeps must be in 1..=16");
    }
    Ok(())
}

/// Everything a solve needs that does not depend on the risk aversion.
struct Lattice {
    n: usize,
    dt: f64,
    dx: f64,
    half: usize,
    /// m: the stencil spans nodes j - m..=j + m.
    reach: usize,
    /// Probabilities of the moves -m..=m nodes over one step.
    probs: Vec<f64>,
    spot0: f64,
    vol: f64,
    cost_frac: f64,
    /// s0 e^(j dx), j = -J..=J.
    spots: Vec<f64>,
    /// target(t_k, spot_j), row-major (step, node).
    targets: Vec<f64>,
    h_min: f64,
    dh: f64,
    hedge_cells: usize,
}

impl Lattice {
    fn new(cfg: &DpConfig, target: &(dyn Fn(f64, f64) -> f64 + Sync)) -> Result<Lattice> {
        check(cfg)?;
        let n_f = (cfg.horizon_years * MINUTES_PER_YEAR / cfg.dp_step_minutes).round();
        if n_f < 2.0 {
            return config_err("dp: dp_step_minutes must be at most half the horizon (at least one decision)");
        }
        if n_f > 1e6 {
            return config_err("dp: more than 1,000,000 DP steps: raise dp_step_minutes");
        }
        let n = n_f as usize;
        let dt = cfg.horizon_years / n as f64;
        let sigma = cfg.vol;
        let reach = cfg.spot_substeps;
        let sub_dt = dt / reach as f64;
        let dx = sigma * (3.0 * sub_dt).sqrt();
        // Each sub-step matches the log return's mean and second moment on
        // {-dx, 0, dx}; a step is `reach` of them (a 2m + 1 point stencil).
        let mu = cfg.rate - 0.5 * sigma * sigma;
        let m1 = mu * sub_dt / dx;
        let m2 = (sigma * sigma * sub_dt + mu * mu * sub_dt * sub_dt) / (dx * dx);
        let (p_up, p_dn, p_mid) = (0.5 * (m2 + m1), 0.5 * (m2 - m1), 1.0 - m2);
        if !(p_up >= 0.0 && p_dn >= 0.0 && p_mid >= 0.0) {
            return config_err("dp: the drift is too large for the spot lattice at this step: lower dp_step_minutes");
        }
        let mut probs = vec![1.0];
        for _ in 0..reach {
            let mut next = vec![0.0; probs.len() + 2];
            for (i, &p) in probs.iter().enumerate() {
                next[i] += p * p_dn;
                next[i + 1] += p * p_mid;
                next[i + 2] += p * p_up;
            }
            probs = next;
        }
        let half_f = (cfg.spot_sds * sigma * cfg.horizon_years.sqrt() / dx).ceil().max(reach as f64);
        let nodes = n_f * (2.0 * half_f + 1.0);
        if nodes > MAX_LATTICE_NODES as f64 {
            return config_err(format!(
                "dp: the lattice has {nodes:.3e} (step, spot) nodes, over {MAX_LATTICE_NODES}: \
                 raise dp_step_minutes or lower spot_sds"
            ));
        }
        let half = half_f as usize;
        let width = 2 * half + 1;
        let spots: Vec<f64> = (0..width).map(|jj| cfg.spot0 * ((jj as f64 - half as f64) * dx).exp()).collect();
        let targets: Vec<f64> =
            (0..n * width).into_par_iter().map(|idx| target((idx / width) as f64 * dt, spots[idx % width])).collect();
        let (mut t_min, mut t_max) = (f64::INFINITY, f64::NEG_INFINITY);
        for (idx, &t) in targets.iter().enumerate() {
            if !t.is_finite() {
                return config_err(format!(
                    "dp: target(t = {:.6} y, spot = {:.6}) = {t}: the target must be finite on the lattice",
                    (idx / width) as f64 * dt,
                    spots[idx % width]
                ));
            }
            t_min = t_min.min(t);
            t_max = t_max.max(t);
        }
        let dh = cfg.hedge_resolution;
        let span = t_max - t_min + 2.0 * cfg.hedge_margin;
        let cells = (span / dh - 1e-9).ceil().max(1.0) + 1.0;
        if cells > MAX_HEDGE_CELLS as f64 {
            return config_err(format!(
                "dp: the hedge grid has {cells:.3e} cells (targets span {span:.1} underlying), \
                 over {MAX_HEDGE_CELLS}: raise hedge_resolution"
            ));
        }
        Ok(Lattice {
            n,
            dt,
            dx,
            half,
            reach,
            probs,
            spot0: cfg.spot0,
            vol: sigma,
            cost_frac: cfg.cost_frac,
            spots,
            targets,
            h_min: t_min - cfg.hedge_margin,
            dh,
            hedge_cells: cells as usize,
        })
    }

    /// Backward induction for one risk aversion. `windowed` = false
    /// evaluates W on the whole hedge grid (for the test that windows change
    /// nothing).
    fn backward(&self, lambda: f64, windowed: bool, max_cell_steps: u64) -> Result<DpBands> {
        if !(lambda > 0.0) || !lambda.is_finite() {
            return config_err("dp: risk_aversion must be positive (1/quote)");
        }
        let (n, half, cells) = (self.n, self.half, self.hedge_cells);
        let width = 2 * half + 1;
        let (h_min, dh, probs, reach) = (self.h_min, self.dh, &self.probs[..], self.reach);
        let var_dt = self.vol * self.vol * self.dt;
        let ramp: Vec<f64> = (0..cells).map(|i| i as f64).collect();
        let ramp = &ramp[..];
        let mut prev: Vec<Node> = (0..width).map(|_| Node { lo: 0, slope: 0.0, vals: vec![0.0; cells] }).collect();
        let mut cur: Vec<Node> = vec![Node::default(); width];
        let mut bands = vec![[0u32; 2]; n * width];
        let mut cell_steps: u64 = 0;
        let mut start_next = None;
        for k in (0..n).rev() {
            if k == 0 {
                start_next = Some(prev[half - reach..=half + reach].to_vec());
            }
            let row_targets = &self.targets[k * width..(k + 1) * width];
            let row_bands = &mut bands[k * width..(k + 1) * width];
            let stage = Stage { next: &prev, reach, probs, h_min, dh, cells, ramp };
            let step_cells: u64 = cur
                .par_iter_mut()
                .zip(row_bands.par_iter_mut())
                .enumerate()
                .with_min_len(4)
                .map(|(jj, (node, band))| {
                    let s = self.spots[jj];
                    let tgt = row_targets[jj];
                    let slope = self.cost_frac * s * dh;
                    let quad = 0.5 * lambda * s * s * var_dt;
                    let window = if windowed { stage.window(jj, tgt) } else { (0, cells - 1) };
                    let (done, lo, hi) = stage.node_band(node, jj, tgt, slope, quad, window);
                    *band = [lo as u32, hi as u32];
                    done
                })
                .sum();
            cell_steps += step_cells;
            if cell_steps > max_cell_steps {
                return Err(LabError::Config(format!(
                    "dp: the solve passed {max_cell_steps} hedge-cell updates with {k} of {n} steps to go \
                     (worst case {:.2e}): raise hedge_resolution or dp_step_minutes",
                    n as f64 * width as f64 * cells as f64
                )));
            }
            std::mem::swap(&mut prev, &mut cur);
        }
        let next = start_next.expect("n >= 2 steps");
        Ok(DpBands {
            n_steps: n,
            dt: self.dt,
            dx: self.dx,
            half,
            spot0: self.spot0,
            h_min,
            dh,
            hedge_cells: cells,
            bands,
            start: Start {
                probs: probs.to_vec(),
                next,
                quad: 0.5 * lambda * self.spot0 * self.spot0 * var_dt,
                target: self.targets[half],
            },
            cell_steps,
        })
    }
}

/// What every node of one step shares: V at the next step and the grids.
struct Stage<'a> {
    /// V_(k+1) at every spot node.
    next: &'a [Node],
    /// m: the stencil spans nodes j - m..=j + m.
    reach: usize,
    probs: &'a [f64],
    h_min: f64,
    dh: f64,
    cells: usize,
    /// 0, 1, 2, ... as f64, one per hedge cell.
    ramp: &'a [f64],
}

impl Stage<'_> {
    /// Stencil node d (0..=2m) of node jj; the lattice's end nodes take the
    /// moves past them.
    fn nb(&self, jj: usize, d: usize) -> &Node {
        &self.next[(jj + d).saturating_sub(self.reach).min(self.next.len() - 1)]
    }

    /// The first window to try: the band lies within the stencil nodes'
    /// bands and the target (below all of them W's slope is below -slope,
    /// above them above +slope, up to the lattice's O(dt^2) error in
    /// E[S']); `node_band` widens it if that fails.
    fn window(&self, jj: usize, tgt: f64) -> (usize, usize) {
        let i_t = ((tgt - self.h_min) / self.dh + 0.5).clamp(0.0, (self.cells - 1) as f64) as usize;
        let stencil = 0..self.probs.len();
        let lo = stencil.clone().map(|d| self.nb(jj, d).lo).min().unwrap_or(0).min(i_t);
        let hi = stencil.map(|d| self.nb(jj, d).hi()).max().unwrap_or(0).max(i_t);
        (lo.saturating_sub(PAD), (hi + PAD).min(self.cells - 1))
    }

    /// Node jj: W = quad (h - tgt)^2 + E[V_(k+1)] on a window starting at
    /// `window`, the band where W's slope per cell is within +-slope, and V
    /// (= W on the band) into `node`. Returns (cells evaluated, lo, hi), lo
    /// and hi hedge-grid indices.
    fn node_band(
        &self,
        node: &mut Node,
        jj: usize,
        tgt: f64,
        slope: f64,
        quad: f64,
        window: (usize, usize),
    ) -> (u64, usize, usize) {
        let (mut a, mut b) = window;
        let mut done = 0u64;
        loop {
            let w = &mut node.vals;
            let e0 = self.h_min + a as f64 * self.dh - tgt;
            w.clear();
            w.extend(self.ramp[..=b - a].iter().map(|&r| {
                let e = e0 + r * self.dh;
                quad * e * e
            }));
            for (d, &p) in self.probs.iter().enumerate() {
                self.nb(jj, d).add_into(p, a, w, self.ramp);
            }
            done += w.len() as u64;
            // W is convex: the band starts where the slope per cell rises
            // above -slope and ends where it exceeds +slope.
            let last = w.len() - 1;
            let lo = w.windows(2).position(|d| d[0] - d[1] <= slope).unwrap_or(last);
            let hi = w[lo..].windows(2).position(|d| d[1] - d[0] > slope).map_or(last, |i| lo + i);
            // Both edges must be seen strictly inside the window (or be the grid's).
            let left_ok = a == 0 || lo > 0;
            let right_ok = b == self.cells - 1 || hi < last;
            if left_ok && right_ok {
                w.copy_within(lo..=hi, 0);
                w.truncate(hi - lo + 1);
                node.lo = a + lo;
                node.slope = slope;
                return (done, a + lo, a + hi);
            }
            let grow = (b - a + 1).max(16);
            if !left_ok {
                a = a.saturating_sub(grow);
            }
            if !right_ok {
                b = (b + grow).min(self.cells - 1);
            }
        }
    }
}

impl std::fmt::Debug for DpBands {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DpBands")
            .field("steps", &self.n_steps)
            .field("dt_years", &self.dt)
            .field("spot_nodes", &self.spot_nodes())
            .field("hedge_grid", &self.hedge_grid())
            .field("cell_steps", &self.cell_steps)
            .finish_non_exhaustive()
    }
}

impl DpBands {
    /// No-trade interval [lo, hi] (absolute hedge, underlying) at
    /// (t_years, spot): the DP step containing t (a t within 1e-6 of a step
    /// of a boundary counts as the later step), linear interpolation in log
    /// spot between lattice nodes, clamped at the lattice ends. Trade to the
    /// nearest edge when the hedge is outside.
    pub fn band(&self, t_years: f64, spot: f64) -> (f64, f64) {
        let k = (((t_years / self.dt) + 1e-6).floor().max(0.0) as usize).min(self.n_steps - 1);
        let jf = self.half as f64;
        let y = (spot / self.spot0).ln() / self.dx;
        let y = if !(y > -jf) { -jf } else { y.min(jf) } + jf;
        let j0 = (y.floor() as usize).min(2 * self.half - 1);
        let w = y - j0 as f64;
        let row = &self.bands[k * (2 * self.half + 1)..];
        let (a, b) = (row[j0], row[j0 + 1]);
        let lerp = |x: u32, y: u32| self.h_min + self.dh * (x as f64 * (1.0 - w) + y as f64 * w);
        (lerp(a[0], b[0]), lerp(a[1], b[1]))
    }

    /// The DP's optimal objective from (t = 0, spot0) holding h0 over the
    /// first step (no decision at t = 0, as in the engine): W_0(h0), exact at
    /// the hedge grid's cells and linear between them. From outside the grid
    /// it assumes the first decision trades into it.
    pub fn value_at_start(&self, h0: f64) -> f64 {
        let x = (h0 - self.h_min) / self.dh;
        let e = h0 - self.start.target;
        self.start.quad * e * e + self.start.next.iter().zip(&self.start.probs).map(|(v, p)| p * v.at(x)).sum::<f64>()
    }

    /// Number of DP steps.
    pub fn steps(&self) -> usize {
        self.n_steps
    }

    /// Length of a DP step, years.
    pub fn dt_years(&self) -> f64 {
        self.dt
    }

    /// Spot nodes per step (2J + 1).
    pub fn spot_nodes(&self) -> usize {
        2 * self.half + 1
    }

    /// Hedge grid: first cell, step and number of cells.
    pub fn hedge_grid(&self) -> (f64, f64, usize) {
        (self.h_min, self.dh, self.hedge_cells)
    }

    /// Hedge-cell updates the solve did (the windows' total).
    pub fn cell_steps(&self) -> u64 {
        self.cell_steps
    }
}

#[cfg(test)]
mod tests;
