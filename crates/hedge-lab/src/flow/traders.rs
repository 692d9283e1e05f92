//! The traders: who arrives when, wanting what, at what price.
//!
//! The whole flow of a path is drawn before the pool sees any of it, from
//! its own ChaCha8 stream (seed, path index), and nothing in it depends on
//! the pool's state: a run with the hedge-cost fee and one without face the
//! same traders with the same reservation prices, in the same order. Only
//! the pool's answers (and so who accepts) differ.
//!
//! - Arrivals: Poisson, `arrivals_per_day` (exponential gaps in minutes).
//! - Side: buy with probability `buy_prob`, else sell. A seller holds what
//!   the pool wrote: he picks among the series the pool is short and sells
//!   at most its net short.
//! - Series: `pick` in [0, 1) chooses among the candidates (uniformly).
//! - Size: lognormal, median `size_median` contracts, log-sd `size_sigma`,
//!   rounded to 0.01 contract, in [0.01, `max_size`].
//! - Reservation: Black-Scholes at the trader's own "true" vol, the paths'
//!   vol + N(0, `vol_noise`), times (1 + edge) for a buyer and (1 - edge)
//!   for a seller, edge ~ U(0, `max_edge`). A buyer trades when the quote's
//!   total <= contracts x reservation, a seller when it is >= that; the
//!   others walk away (lost volume).
use crate::{config_err, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, StandardNormal};
use serde::Serialize;

/// Mixed into the seed so the flow's stream differs from the spot path's.
const FLOW_SALT: u64 = 0x9E37_79B9_7F4A_7C15;
/// Option contracts in base units per contract (9 decimals).
pub const CONTRACT: u64 = 1_000_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TraderModel {
    pub arrivals_per_day: f64,
    pub buy_prob: f64,
    pub size_median: f64,
    pub size_sigma: f64,
    pub max_size: f64,
    /// Standard deviation of a trader's vol view around the paths' vol.
    pub vol_noise: f64,
    /// Largest edge a trader wants, a fraction of fair value.
    pub max_edge: f64,
}

impl Default for TraderModel {
    fn default() -> Self {
        TraderModel {
            arrivals_per_day: 100.0,
            buy_prob: 0.65,
            size_median: 5.0,
            size_sigma: 0.5,
            max_size: 50.0,
            vol_noise: 0.05,
            max_edge: 0.05,
        }
    }
}

impl TraderModel {
    pub fn check(&self) -> Result<()> {
        if !(self.arrivals_per_day > 0.0) || !self.arrivals_per_day.is_finite() {
            return config_err("--arrivals-per-day must be > 0");
        }
        if !(0.0..=1.0).contains(&self.buy_prob) {
            return config_err("--buy-prob must be in [0, 1]");
        }
        if !(self.size_median >= 0.01) || !(self.size_sigma >= 0.0) || !(self.max_size >= 0.01) {
            return config_err("trade sizes: --size-median and --max-size >= 0.01, --size-sigma >= 0");
        }
        if !(self.vol_noise >= 0.0) || !(0.0..1.0).contains(&self.max_edge) {
            return config_err("--vol-noise must be >= 0 and --max-edge in [0, 1)");
        }
        Ok(())
    }
}

/// One trader.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arrival {
    /// The minute he arrives in (trades at that step's spot).
    pub step: usize,
    pub buy: bool,
    /// Chooses the series among the candidates, in [0, 1).
    pub pick: f64,
    /// Contracts wanted, base units.
    pub contracts: u64,
    /// The vol he values the option at.
    pub true_vol: f64,
    /// The edge he wants, a fraction of his fair value.
    pub edge: f64,
}

impl Arrival {
    /// What he pays at most (buyer) or takes at least (seller) per
    /// contract, quote, for a fair value of `fair` per contract.
    pub fn reservation(&self, fair: f64) -> f64 {
        if self.buy {
            fair * (1.0 + self.edge)
        } else {
            fair * (1.0 - self.edge)
        }
    }

    /// Whether he takes a quote of `total` quote base units for `contracts`
    /// base units (possibly fewer than he wanted: a seller capped at the
    /// pool's short), at `quote_decimals`.
    pub fn accepts(&self, total: u64, contracts: u64, fair: f64, quote_decimals: u8) -> bool {
        let limit = self.reservation(fair) * contracts as f64 / CONTRACT as f64 * 10f64.powi(quote_decimals as i32);
        let total = total as f64;
        if self.buy {
            total <= limit
        } else {
            total >= limit
        }
    }

    /// Which of `n` candidates he picks.
    pub fn choose(&self, n: usize) -> usize {
        ((self.pick * n as f64) as usize).min(n.saturating_sub(1))
    }
}

/// Every trader of path `path` of `seed` over `n_steps` one-minute steps,
/// in arrival order.
pub fn draw_flow(model: &TraderModel, vol: f64, seed: u64, path: u64, n_steps: usize) -> Vec<Arrival> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ FLOW_SALT);
    rng.set_stream(path);
    let per_minute = model.arrivals_per_day / 1440.0;
    let gap = Exp::new(per_minute).expect("a positive rate (checked)");
    let mut t = 0.0;
    let mut out = Vec::with_capacity((per_minute * n_steps as f64 * 1.2) as usize + 8);
    loop {
        t += gap.sample(&mut rng);
        if t >= n_steps as f64 {
            return out;
        }
        let buy = rng.gen::<f64>() < model.buy_prob;
        let pick = rng.gen::<f64>();
        let z_size: f64 = rng.sample(StandardNormal);
        let size = (model.size_median.ln() + model.size_sigma * z_size).exp().clamp(0.01, model.max_size);
        let contracts = ((size * 100.0).round() as u64).max(1) * (CONTRACT / 100);
        let z_vol: f64 = rng.sample(StandardNormal);
        let true_vol = (vol + model.vol_noise * z_vol).max(0.05);
        let edge = model.max_edge * rng.gen::<f64>();
        out.push(Arrival { step: t as usize, buy, pick, contracts, true_vol, edge });
    }
}
