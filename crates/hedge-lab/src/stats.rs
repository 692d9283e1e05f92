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
