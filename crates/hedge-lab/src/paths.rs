//! Seeded spot paths: geometric Brownian motion and Merton jump-diffusion.
//!
//! Path `i` of seed `s` is a pure function of (s, i): each path draws from
//! its own ChaCha8 stream, so results do not depend on how rayon schedules
//! the paths or on how many threads run.
use crate::{config_err, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson, StandardNormal};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Market {
    /// Spot at the start, quote per unit of underlying.
    pub spot: f64,
    /// Annual volatility the options are sold at, and the path's total
    /// annual volatility (0.8 = 80%).
    pub vol: f64,
    /// Continuously compounded risk-free rate; also the path's drift (the
    /// paths are risk-neutral: the lab prices hedging error, not a view).
    pub rate: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum PathModel {
    Gbm,
    /// Poisson jumps in log-spot, normally distributed with standard
    /// deviation `jump_std` and mean -jump_std^2/2, so a jump leaves the
    /// expected spot unchanged (E[e^J] = 1) and needs no drift compensation.
    /// The diffusion volatility is lowered so that the TOTAL variance per
    /// year still equals vol^2: the options are fairly priced in variance,
    /// and what the jumps add is the part a delta hedge cannot follow.
    Merton {
        intensity_per_year: f64,
        jump_std: f64,
    },
}

/// Draws spot paths of `n_steps` steps of `dt_years`.
#[derive(Clone, Debug)]
pub struct PathGenerator {
    spot: f64,
    n_steps: usize,
    /// (r - sigma_d^2/2) dt
    drift_per_step: f64,
    /// sigma_d sqrt(dt)
    diffusion_sd: f64,
    jumps: Option<Jumps>,
}

#[derive(Clone, Debug)]
struct Jumps {
    count: Poisson<f64>,
    mean: f64,
    sd: f64,
}

impl PathGenerator {
    pub fn new(market: &Market, model: &PathModel, dt_years: f64, n_steps: usize) -> Result<Self> {
        check_market(market)?;
        if !(dt_years > 0.0) || n_steps == 0 {
            return config_err("the decision step and the horizon must be positive");
        }
        let (diffusion_vol, jumps) = match *model {
            PathModel::Gbm => (market.vol, None),
            PathModel::Merton { intensity_per_year, jump_std } => {
                if !(intensity_per_year >= 0.0) || !(jump_std >= 0.0) || !jump_std.is_finite() {
                    return config_err("jump intensity and jump std must be >= 0");
                }
                let jump_var_per_year = intensity_per_year * jump_std * jump_std;
                let diffusion_var = market.vol * market.vol - jump_var_per_year;
                if !(diffusion_var > 0.0) {
                    return config_err(format!(
                        "jumps carry {jump_var_per_year:.4} variance a year, more than vol^2 = {:.4}: \
                         lower --jump-intensity or --jump-std, or raise --vol",
                        market.vol * market.vol
                    ));
                }
                let jumps = if intensity_per_year > 0.0 && jump_std > 0.0 {
                    let count = Poisson::new(intensity_per_year * dt_years)
                        .map_err(|e| crate::LabError::Config(format!("jump intensity: {e}")))?;
                    Some(Jumps { count, mean: -0.5 * jump_std * jump_std, sd: jump_std })
                } else {
                    None
                };
                (diffusion_var.sqrt(), jumps)
            }
        };
        Ok(PathGenerator {
            spot: market.spot,
            n_steps,
            drift_per_step: (market.rate - 0.5 * diffusion_vol * diffusion_vol) * dt_years,
            diffusion_sd: diffusion_vol * dt_years.sqrt(),
            jumps,
        })
    }

    pub fn n_steps(&self) -> usize {
        self.n_steps
    }

    /// Fill `out` with spot at steps 0..=n_steps of path `path_index`.
    pub fn fill(&self, seed: u64, path_index: u64, out: &mut Vec<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(path_index);
        out.clear();
        out.reserve(self.n_steps + 1);
        let mut log_spot = self.spot.ln();
        out.push(self.spot);
        for _ in 0..self.n_steps {
            let z: f64 = StandardNormal.sample(&mut rng);
            log_spot += self.drift_per_step + self.diffusion_sd * z;
            if let Some(j) = &self.jumps {
                let n = j.count.sample(&mut rng) as u32;
                for _ in 0..n {
                    let z: f64 = rng.sample(StandardNormal);
                    log_spot += j.mean + j.sd * z;
                }
            }
            out.push(log_spot.exp());
        }
    }
}

pub(crate) fn check_market(m: &Market) -> Result<()> {
    if !(m.spot > 0.0) || !m.spot.is_finite() {
        return config_err("--spot must be a positive number");
    }
    if !(m.vol > 0.0) || m.vol > 10.0 {
        return config_err("--vol must be in (0, 10] (a fraction a year: 0.8 = 80%)");
    }
    if !(m.rate.abs() <= 1.0) {
        return config_err("--rate must be within [-1, 1] (a fraction a year)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbm_log_returns_have_the_configured_mean_and_variance() {
        let m = Market { spot: 100.0, vol: 0.5, rate: 0.05 };
        let dt = 1.0 / 365.0;
        let g = PathGenerator::new(&m, &PathModel::Gbm, dt, 20_000).unwrap();
        let mut p = Vec::new();
        g.fill(7, 0, &mut p);
        let r: Vec<f64> = p.windows(2).map(|w| (w[1] / w[0]).ln()).collect();
        let n = r.len() as f64;
        let mean = r.iter().sum::<f64>() / n;
        let var = r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        // 20,000 draws: the variance estimate has relative sd sqrt(2/n) = 1%.
        assert!((var / (0.25 * dt) - 1.0).abs() < 0.04, "variance {var}");
        let want_mean = (0.05 - 0.125) * dt;
        // standard error of the mean: 0.5 sqrt(dt / n) = 1.9e-4
        assert!((mean - want_mean).abs() < 8e-4, "mean {mean}");
    }

    #[test]
    fn merton_keeps_total_variance_and_the_martingale() {
        let m = Market { spot: 100.0, vol: 0.8, rate: 0.0 };
        let model = PathModel::Merton { intensity_per_year: 50.0, jump_std: 0.08 };
        let dt = 1.0 / 365.0;
        let g = PathGenerator::new(&m, &model, dt, 1).unwrap();
        let mut p = Vec::new();
        let (mut sum, mut sum_sq, mut sum_gross) = (0.0, 0.0, 0.0);
        let n = 40_000;
        for i in 0..n {
            g.fill(3, i, &mut p);
            let r = (p[1] / p[0]).ln();
            sum += r;
            sum_sq += r * r;
            sum_gross += p[1] / p[0];
        }
        let n = n as f64;
        let var = sum_sq / n - (sum / n).powi(2);
        // jumps fatten the tails: allow 5% on the variance (relative sd ~1.5%)
        assert!((var / (0.64 * dt) - 1.0).abs() < 0.05, "variance {var}");
        assert!((sum_gross / n - 1.0).abs() < 0.002, "E[S1/S0] = {}", sum_gross / n);
    }

    #[test]
    fn paths_are_a_function_of_seed_and_index() {
        let m = Market { spot: 150.0, vol: 0.8, rate: 0.0 };
        let g = PathGenerator::new(&m, &PathModel::Gbm, 1e-4, 50).unwrap();
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        g.fill(1, 5, &mut a);
        g.fill(1, 5, &mut b);
        g.fill(1, 6, &mut c);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 51);
    }

    #[test]
    fn impossible_jump_variance_is_a_clear_error() {
        let m = Market { spot: 150.0, vol: 0.2, rate: 0.0 };
        let model = PathModel::Merton { intensity_per_year: 100.0, jump_std: 0.1 };
        let err = PathGenerator::new(&m, &model, 1e-4, 10).unwrap_err();
        assert!(err.to_string().contains("--jump-intensity"), "{err}");
    }
}
