//! The spot lattice and the targets on it (everything a solve needs that
//! does not depend on the risk aversion), and the backward induction over it
//! for one risk aversion.
use super::stage::{Node, Stage};
use super::{check, DpBands, DpConfig, Start, MAX_HEDGE_CELLS, MAX_LATTICE_NODES, MINUTES_PER_YEAR};
use crate::{config_err, LabError, Result};
use rayon::prelude::*;

/// Everything a solve needs that does not depend on the risk aversion.
pub(super) struct Lattice {
    pub(super) n: usize,
    pub(super) dt: f64,
    pub(super) dx: f64,
    pub(super) half: usize,
    /// m: the stencil spans nodes j - m..=j + m.
    pub(super) reach: usize,
    /// Probabilities of the moves -m..=m nodes over one step.
    pub(super) probs: Vec<f64>,
    spot0: f64,
    pub(super) vol: f64,
    pub(super) cost_frac: f64,
    /// s0 e^(j dx), j = -J..=J.
    pub(super) spots: Vec<f64>,
    /// target(t_k, spot_j), row-major (step, node).
    pub(super) targets: Vec<f64>,
    pub(super) h_min: f64,
    pub(super) dh: f64,
    pub(super) hedge_cells: usize,
}

impl Lattice {
    pub(super) fn new(cfg: &DpConfig, target: &(dyn Fn(f64, f64) -> f64 + Sync)) -> Result<Lattice> {
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
    pub(super) fn backward(&self, lambda: f64, windowed: bool, max_cell_steps: u64) -> Result<DpBands> {
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
