//! The engine's f64 pre-check of the cost-benefit band: most decision
//! steps are far inside the band, and options-math's fixed-point band costs
//! a few logarithms; this mirror decides only where the answer is certain
//! (see the engine's module doc for the margins).

/// An expiry bucket in f64: delta, gamma, sigma^2 tau, and whether it
/// expires before the book's last live expiry (decided on the exact
/// fixed-point taus, as options-math does).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct BucketF64 {
    pub(super) delta: f64,
    pub(super) gamma: f64,
    pub(super) var: f64,
    pub(super) tau: f64,
    pub(super) early: bool,
}

/// options-math's cost-benefit band in f64, for the pre-check: (below,
/// above) before the floor. None where an early leg's delta sits within
/// 1e-6 of its allowance: the two sides of that rule give different bands,
/// so `decide` must settle it.
pub(super) struct CostBenefitF64 {
    pub(super) coef: f64,
    pub(super) factor: f64,
    pub(super) expiry_aware: bool,
    pub(super) fixed_coef: f64,
    pub(super) break_even_coef: f64,
}

pub(super) fn cost_benefit_band_f64(
    t: &CostBenefitF64,
    spot: f64,
    rate: f64,
    buckets: &[BucketF64],
) -> Option<(f64, f64)> {
    let CostBenefitF64 { coef, factor, expiry_aware, fixed_coef, break_even_coef } = *t;
    let f = factor / spot;
    let (mut below, mut above) = (0.0, 0.0);
    let (mut gamma, mut gamma_var, mut gamma_tau, mut delta, mut delta_var) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for b in buckets {
        if expiry_aware && b.early {
            let allowance = if b.var > 0.0 { f / b.var } else { f64::INFINITY };
            let size = b.delta.abs();
            if (size - allowance).abs() <= 1e-6 * size.max(allowance) {
                return None;
            }
            let used = size.min(allowance);
            if b.delta > 0.0 {
                below += used;
            } else {
                above += used;
            }
            if size < allowance {
                continue;
            }
        }
        // the hedged share of an early leg's delta weighs its gamma
        let g = if expiry_aware && b.early { b.gamma * (1.0 - f / b.var / b.delta.abs()) } else { b.gamma };
        gamma += g;
        gamma_var += g * b.var;
        gamma_tau += g * b.tau;
        delta += b.delta.abs();
        delta_var += b.delta.abs() * b.var;
    }
    let ww = if gamma == 0.0 {
        0.0
    } else {
        let discount = if rate == 0.0 { 1.0 } else { (-rate * gamma_tau / gamma).exp() };
        (coef * spot * gamma * gamma * discount).cbrt()
    };
    let (weight, weighted_var) = if gamma > 0.0 { (gamma, gamma_var) } else { (delta, delta_var) };
    let h0 = if weight == 0.0 {
        0.0
    } else if weighted_var > 0.0 {
        let var = weighted_var / weight;
        f / var * if fixed_coef > 0.0 { (1.0 + (1.0 + break_even_coef * var).sqrt()) / 2.0 } else { 1.0 }
    } else {
        f64::INFINITY
    };
    let fixed = if fixed_coef > 0.0 && gamma > 0.0 { (fixed_coef * gamma * gamma).sqrt().sqrt() } else { 0.0 };
    let core = with_fixed_cost(ww, fixed).max(h0);
    let extend = |allowance: f64| (allowance - core / 4.0).max(0.0);
    Some((core + extend(below), core + extend(above)))
}

/// options-math's blend of the proportional and fixed-cost bands (the root
/// of H^4 = w^3 H + f^4), by the same start and Newton steps.
fn with_fixed_cost(w: f64, f: f64) -> f64 {
    let m = w.max(f);
    if w <= 0.0 || f <= 0.0 || !m.is_finite() {
        return m;
    }
    let (a3, b4) = if w >= f { (1.0, (f / w).powi(4)) } else { ((w / f).powi(3), 1.0) };
    let s = a3 + b4 - 1.0;
    let mut y = 1.0 + s * (1.0 / 3.0 - 0.1125 * s);
    for _ in 0..3 {
        let y2 = y * y;
        y -= (y2 * y2 - a3 * y - b4) / (4.0 * y2 * y - a3);
    }
    m * y
}
