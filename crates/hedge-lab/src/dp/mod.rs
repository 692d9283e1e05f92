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
use crate::{config_err, Result};
use lattice::Lattice;
use stage::Node;

mod lattice;
mod stage;

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
