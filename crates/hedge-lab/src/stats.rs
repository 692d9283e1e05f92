//! Summary statistics, Pareto frontiers and matched-risk interpolation.
use crate::engine::Outcome;
use serde::Serialize;

/// One sweep point, over all paths.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Point {
    /// The swept parameter, in its family's unit.
    pub param: f64,
    /// Mean discounted trading cost per path, quote.
    pub mean_cost: f64,
    /// Standard deviation of total hedged P&L, quote.
    pub std_pnl: f64,
    /// Mean loss over the worst 5% of paths (positive = a loss), quote.
    pub cvar95: f64,
    /// Mean number of hedge trades per path.
    pub trades: f64,
    /// Mean total hedged P&L, quote.
    pub mean_pnl: f64,
}

impl Point {
    pub fn from_outcomes(param: f64, out: &[Outcome]) -> Point {
        let n = out.len() as f64;
        let mean_cost = out.iter().map(|o| o.cost).sum::<f64>() / n;
        let mean_pnl = out.iter().map(|o| o.pnl).sum::<f64>() / n;
        let trades = out.iter().map(|o| o.trades as f64).sum::<f64>() / n;
        let pnl: Vec<f64> = out.iter().map(|o| o.pnl).collect();
        Point { param, mean_cost, std_pnl: std_dev(&pnl), cvar95: cvar_loss(&pnl, 0.05), trades, mean_pnl }
    }
}

/// Sample standard deviation (n - 1).
pub fn std_dev(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    if x.len() < 2 {
        return 0.0;
    }
    let mean = x.iter().sum::<f64>() / n;
    (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// Expected shortfall: minus the mean of the worst ceil(tail x n) values.
pub fn cvar_loss(pnl: &[f64], tail: f64) -> f64 {
    let mut v = pnl.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let k = ((tail * v.len() as f64).ceil() as usize).clamp(1, v.len().max(1));
    -v[..k].iter().sum::<f64>() / k as f64
}

/// Indices of the Pareto-efficient points (no other point has both lower
/// std and lower cost), sorted by rising std and so by falling cost.
pub fn pareto_frontier(points: &[Point]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| {
        points[a].std_pnl.total_cmp(&points[b].std_pnl).then(points[a].mean_cost.total_cmp(&points[b].mean_cost))
    });
    let mut frontier = Vec::new();
    let mut best_cost = f64::INFINITY;
    for i in order {
        if points[i].mean_cost < best_cost {
            best_cost = points[i].mean_cost;
            frontier.push(i);
        }
    }
    frontier
}

/// Cost on a frontier at P&L std `std`, interpolated between the two
/// frontier points around it: linear in log-log (cost ~ std^-a is close to
/// a power law for every policy), or linear when a cost is zero. None when
/// `std` is outside the frontier's range: never extrapolated.
pub fn cost_at_std(points: &[Point], frontier: &[usize], std: f64) -> Option<f64> {
    let f: Vec<&Point> = frontier.iter().map(|&i| &points[i]).collect();
    for w in f.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a.std_pnl <= std && std <= b.std_pnl {
            if b.std_pnl == a.std_pnl {
                return Some(a.mean_cost.min(b.mean_cost));
            }
            if a.mean_cost > 0.0 && b.mean_cost > 0.0 && a.std_pnl > 0.0 {
                let t = (std.ln() - a.std_pnl.ln()) / (b.std_pnl.ln() - a.std_pnl.ln());
                return Some((a.mean_cost.ln() + t * (b.mean_cost.ln() - a.mean_cost.ln())).exp());
            }
            let t = (std - a.std_pnl) / (b.std_pnl - a.std_pnl);
            return Some(a.mean_cost + t * (b.mean_cost - a.mean_cost));
        }
    }
    match f.as_slice() {
        [only] if only.std_pnl == std => Some(only.mean_cost),
        _ => None,
    }
}

/// How much cheaper `policy` is than `versus` at one matched std.
#[derive(Clone, Debug, Serialize)]
pub struct Saving {
    pub policy: &'static str,
    pub versus: &'static str,
    /// (1 - cost / cost_versus) x 100 on all paths; None where either
    /// frontier does not reach the std.
    pub pct: Option<f64>,
    /// Bootstrap standard error of `pct` over paths (the same resampled
    /// paths for both policies); None when fewer than half the resamples
    /// reach the std.
    pub se_pct: Option<f64>,
}

/// Each family's sweep points recomputed on bootstrap resamples of the
/// paths: `[resample][family]` -> (points, frontier). Only mean cost and std
/// are filled in. Resample r draws path indices from its own ChaCha8 stream
/// of `seed`, shared by every family (the savings are paired).
pub fn bootstrap_points(
    families: &[&[Vec<Outcome>]],
    resamples: usize,
    seed: u64,
) -> Vec<Vec<(Vec<Point>, Vec<usize>)>> {
    use rand::{Rng, SeedableRng};
    use rayon::prelude::*;
    let paths = families.first().and_then(|f| f.first()).map_or(0, |o| o.len());
    if paths < 2 {
        return Vec::new();
    }
    (0..resamples as u64)
        .into_par_iter()
        .map(|r| {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0xb007_57a9);
            rng.set_stream(r);
            let pick: Vec<usize> = (0..paths).map(|_| rng.gen_range(0..paths)).collect();
            families
                .iter()
                .map(|sweep| {
                    let points: Vec<Point> = sweep
                        .iter()
                        .map(|out| {
                            let n = paths as f64;
                            let (mut cost, mut pnl, mut pnl2) = (0.0, 0.0, 0.0);
                            for &i in &pick {
                                cost += out[i].cost;
                                pnl += out[i].pnl;
                                pnl2 += out[i].pnl * out[i].pnl;
                            }
                            let mean = pnl / n;
                            let var = ((pnl2 - n * mean * mean) / (n - 1.0)).max(0.0);
                            Point {
                                param: 0.0,
                                mean_cost: cost / n,
                                std_pnl: var.sqrt(),
                                cvar95: 0.0,
                                trades: 0.0,
                                mean_pnl: mean,
                            }
                        })
                        .collect();
                    let frontier = pareto_frontier(&points);
                    (points, frontier)
                })
                .collect()
        })
        .collect()
}

/// The saving of family `a` over family `b` at `std`, with its standard
/// error over the bootstrap resamples.
pub fn saving_at_std(
    names: (&'static str, &'static str),
    a: (&[Point], &[usize]),
    b: (&[Point], &[usize]),
    boot: &[Vec<(Vec<Point>, Vec<usize>)>],
    (ia, ib): (usize, usize),
    std: f64,
) -> Saving {
    let saving = |ca: Option<f64>, cb: Option<f64>| match (ca, cb) {
        (Some(x), Some(y)) if y > 0.0 => Some((1.0 - x / y) * 100.0),
        _ => None,
    };
    let pct = saving(cost_at_std(a.0, a.1, std), cost_at_std(b.0, b.1, std));
    let draws: Vec<f64> = boot
        .iter()
        .filter_map(|r| saving(cost_at_std(&r[ia].0, &r[ia].1, std), cost_at_std(&r[ib].0, &r[ib].1, std)))
        .collect();
    let se_pct = (pct.is_some() && draws.len() * 2 >= boot.len() && draws.len() >= 2).then(|| std_dev(&draws));
    Saving { policy: names.0, versus: names.1, pct, se_pct }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(std: f64, cost: f64) -> Point {
        Point { param: 0.0, mean_cost: cost, std_pnl: std, cvar95: 0.0, trades: 0.0, mean_pnl: 0.0 }
    }

    #[test]
    fn std_and_cvar() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert!((std_dev(&x) - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
        let pnl: Vec<f64> = (1..=100).map(|i| i as f64).collect();
        // worst 5 of 1..=100 are 1..=5, mean 3: a loss of -3 (a gain)
        assert_eq!(cvar_loss(&pnl, 0.05), -3.0);
        let losses: Vec<f64> = (1..=40).map(|i| -(i as f64)).collect();
        // worst ceil(2) = 2 values: -40, -39
        assert_eq!(cvar_loss(&losses, 0.05), 39.5);
    }

    #[test]
    fn frontier_drops_dominated_points() {
        let pts = [p(10.0, 5.0), p(8.0, 9.0), p(12.0, 6.0), p(14.0, 2.0), p(9.0, 9.5)];
        // (8,9) -> (10,5) -> (14,2); (12,6) and (9,9.5) are dominated
        assert_eq!(pareto_frontier(&pts), vec![1, 0, 3]);
    }

    #[test]
    fn bootstrap_error_shrinks_with_more_paths_and_is_zero_for_identical_policies() {
        use crate::engine::Outcome;
        // two "policies": b costs 10 + noise, a costs 8 + the same noise on
        // half the paths; both have the same P&L spread.
        let make = |n: usize, shift: f64| -> Vec<Vec<Outcome>> {
            (0..3)
                .map(|k| {
                    (0..n)
                        .map(|i| {
                            let noise = ((i * 7919) % 101) as f64 / 10.0;
                            let spread = (k + 1) as f64 * (((i * 104729) % 211) as f64 - 105.0);
                            Outcome { cost: (10.0 - shift) / (k + 1) as f64 + noise, pnl: spread, trades: 1 }
                        })
                        .collect()
                })
                .collect()
        };
        let se = |n: usize| {
            let (a, b) = (make(n, 2.0), make(n, 0.0));
            let pa: Vec<Point> = a.iter().map(|o| Point::from_outcomes(0.0, o)).collect();
            let pb: Vec<Point> = b.iter().map(|o| Point::from_outcomes(0.0, o)).collect();
            let (fa, fb) = (pareto_frontier(&pa), pareto_frontier(&pb));
            let boot = bootstrap_points(&[&a, &b], 100, 3);
            let std = pa[1].std_pnl;
            let same = saving_at_std(("a", "a"), (&pa, &fa), (&pa, &fa), &boot, (0, 0), std);
            assert_eq!((same.pct, same.se_pct), (Some(0.0), Some(0.0)));
            saving_at_std(("a", "b"), (&pa, &fa), (&pb, &fb), &boot, (0, 1), std)
        };
        let (small, large) = (se(200), se(3200));
        assert!(small.pct.unwrap() > 0.0);
        let (s1, s2) = (small.se_pct.unwrap(), large.se_pct.unwrap());
        assert!(s1 > 0.0 && s2 > 0.0 && s2 < 0.6 * s1, "{s1} vs {s2}: 16x the paths should quarter the error");
    }

    #[test]
    fn matched_cost_interpolates_log_log_and_never_extrapolates() {
        // cost = 100 / std exactly: log-log interpolation is exact
        let pts = [p(5.0, 20.0), p(10.0, 10.0), p(20.0, 5.0)];
        let f = pareto_frontier(&pts);
        assert!((cost_at_std(&pts, &f, 8.0).unwrap() - 12.5).abs() < 1e-9);
        assert!((cost_at_std(&pts, &f, 16.0).unwrap() - 6.25).abs() < 1e-9);
        assert!((cost_at_std(&pts, &f, 10.0).unwrap() - 10.0).abs() < 1e-12);
        assert_eq!(cost_at_std(&pts, &f, 4.0), None);
        assert_eq!(cost_at_std(&pts, &f, 25.0), None);
        // zero cost: linear
        let free = [p(5.0, 0.0), p(10.0, 0.0)];
        assert_eq!(cost_at_std(&free, &[0], 7.0), None);
        let lin = [p(5.0, 2.0), p(10.0, 0.0)];
        assert_eq!(cost_at_std(&lin, &[0, 1], 7.5), Some(1.0));
    }
}
