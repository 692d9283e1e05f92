//! The policy sweep: every policy family over a range of its parameter, on
//! the same paths; Pareto frontiers; costs at matched P&L risk.
use crate::book::{Book, BookKind, LegSpec};
use crate::cost::CostModel;
use crate::engine::{DpSettings, Outcome, Setup};
use crate::paths::{Market, PathModel};
use crate::policy::{Family, Policy};
use crate::stats::{bootstrap_points, cost_at_std, pareto_frontier, saving_at_std, Point, Saving};
use crate::{config_err, Result};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
pub struct LabConfig {
    pub market: Market,
    pub book_kind: BookKind,
    pub contracts: u64,
    pub days: f64,
    /// A book of these legs instead of `book_kind` x `contracts` x `days`.
    pub legs: Vec<LegSpec>,
    pub model: PathModel,
    pub costs: CostModel,
    pub step_minutes: f64,
    pub paths: usize,
    pub seed: u64,
    /// The program's band floor and per-call trade cap, underlying (0 = none).
    pub min_band: f64,
    pub max_trade: f64,
    /// Edge policies trade this fraction of the way from the band edge back
    /// to the target (0 = to the edge).
    pub retrace: f64,
    /// The cost-benefit band's terminal factor c.
    pub terminal: f64,
    /// Bootstrap resamples of the paths behind each saving's standard error.
    pub bootstrap: usize,
    /// How the DP bound is solved.
    pub dp: DpSettings,
    /// Proportional cost the WW band is computed with, bps; None = the fee
    /// (30 bps when the fee is zero: only cost / risk aversion matters and
    /// the risk aversion is swept).
    pub ww_cost_bps: Option<f64>,
    /// Points per family sweep (>= 2; 12 by default).
    pub sweep_points: usize,
    /// P&L std levels, as fractions of the premium, to compare costs at.
    pub std_levels: Vec<f64>,
    pub families: Vec<Family>,
}

impl LabConfig {
    /// The default book and market: 1,000 ATM straddles, 7 days,
    /// S 150, vol 80%, r 0, GBM, 1-minute decisions, 30 bps fee only.
    pub fn default_book() -> LabConfig {
        let market = Market { spot: 150.0, vol: 0.8, rate: 0.0 };
        LabConfig {
            market,
            book_kind: BookKind::Straddle,
            contracts: 1000,
            days: 7.0,
            legs: Vec::new(),
            model: PathModel::Gbm,
            costs: CostModel { fixed_per_trade: 0.0, fee_bps: 30.0, venue_tvl: 0.0, venue_spot: market.spot },
            step_minutes: 1.0,
            paths: 2000,
            seed: 1,
            min_band: 0.0,
            max_trade: 0.0,
            retrace: 0.0,
            terminal: 1.0,
            bootstrap: 200,
            dp: DpSettings::default(),
            ww_cost_bps: None,
            sweep_points: 12,
            std_levels: vec![0.10, 0.125, 0.15, 0.20],
            families: Family::ALL.to_vec(),
        }
    }

    pub fn setup(&self) -> Result<Setup> {
        let book = if self.legs.is_empty() {
            Book::new(self.book_kind, self.contracts, self.days, &self.market)?
        } else {
            Book::from_legs(&self.legs, &self.market)?
        };
        Setup::new(
            book,
            self.market,
            &self.model,
            self.costs,
            self.min_band,
            self.max_trade,
            self.retrace,
            self.step_minutes,
        )
    }

    fn ww_cost(&self) -> f64 {
        let bps = match self.ww_cost_bps {
            Some(b) => b,
            None if self.costs.fee_bps > 0.0 => self.costs.fee_bps,
            None => 30.0,
        };
        bps * 1e-4
    }
}

/// Smallest and largest P&L std the default sweeps aim at, as fractions of
/// the premium: wide enough around the 10-20% comparison levels that every
/// family's frontier brackets them.
const AIM_LOW: f64 = 0.04;
const AIM_HIGH: f64 = 0.45;

/// Sweep grids from leading-order theory, so they cover the same risk range
/// whatever the book (the theory only places the points; every number
/// reported is measured):
/// - band to target: std ~ b S sigma sqrt(T) / sqrt(6) (the delta error is
///   triangular on [-b, b]);
/// - band to edge and WW at the start: std ~ b S sigma sqrt(T) / sqrt(3)
///   (uniform on [-b, b]); WW's risk aversion is the one whose band at the
///   start equals that b;
/// - clock: Derman-Kamal, std ~ sqrt(pi/4) vega sigma / sqrt(N);
/// - price move: the move that shifts the start delta by the to-target band.
pub fn sweep_policies(cfg: &LabConfig, setup: &Setup) -> Result<Vec<(Family, Vec<Policy>)>> {
    if cfg.sweep_points < 2 {
        return config_err("--sweep-points must be at least 2");
    }
    let book = &setup.book;
    let (s, vol, t) = (cfg.market.spot, cfg.market.vol, book.expiry_years);
    let move_scale = s * vol * t.sqrt();
    let m = cfg.sweep_points;
    let aims: Vec<f64> = (0..m).map(|i| AIM_LOW * (AIM_HIGH / AIM_LOW).powf(i as f64 / (m - 1) as f64)).collect();
    let premium = book.premium;
    let mut out = Vec::new();
    for &family in &cfg.families {
        let mut policies: Vec<Policy> = aims
            .iter()
            .map(|&aim| {
                let target_band = aim * premium * 6f64.sqrt() / move_scale;
                let edge_band = aim * premium * 3f64.sqrt() / move_scale;
                match family {
                    Family::ThresholdToTarget => Policy::ThresholdToTarget { band: round_sig(target_band) },
                    Family::ThresholdToEdge => Policy::ThresholdToEdge { band: round_sig(edge_band) },
                    Family::WhalleyWilmott | Family::CostBenefit | Family::ExpiryAware | Family::DpOptimal => {
                        let c = cfg.ww_cost();
                        let risk_aversion = round_sig(1.5 * c * s * book.gamma * book.gamma / edge_band.powi(3));
                        match family {
                            Family::WhalleyWilmott => Policy::WhalleyWilmott { cost: c, risk_aversion },
                            Family::DpOptimal => Policy::DpOptimal { risk_aversion },
                            _ => Policy::CostBenefit {
                                cost: c,
                                risk_aversion,
                                terminal: cfg.terminal,
                                expiry_aware: family == Family::ExpiryAware,
                                fixed_cost: cfg.costs.fixed_per_trade,
                            },
                        }
                    }
                    Family::TimeInterval => {
                        let n = ((std::f64::consts::PI / 4.0).sqrt() * book.vega * vol / (aim * premium)).powi(2);
                        let steps = (setup.n_steps as f64 / n).round().max(1.0) as usize;
                        Policy::TimeInterval { interval_steps: steps }
                    }
                    Family::PriceMove => Policy::PriceMove { move_fraction: round_sig(target_band / (book.gamma * s)) },
                }
            })
            .collect();
        policies.dedup();
        out.push((family, policies));
    }
    Ok(out)
}

/// Three significant digits: parameters a person can type back in.
fn round_sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(2 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

#[derive(Clone, Debug, Serialize)]
pub struct BookSummary {
    pub kind: BookKind,
    pub contracts: u64,
    pub strikes: Vec<f64>,
    /// The last expiry.
    pub expiry_days: f64,
    /// Every expiry, rising.
    pub expiries_days: Vec<f64>,
    /// The legs, when the book was given leg by leg.
    pub legs: Vec<LegSpec>,
    pub spot: f64,
    pub vol: f64,
    pub rate: f64,
    /// Quote collected at the start.
    pub premium: f64,
    /// Quote per 1.00 of vol.
    pub vega: f64,
    /// Underlying per unit of spot.
    pub gamma: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct PolicyReport {
    pub name: &'static str,
    pub param_name: &'static str,
    pub param_unit: &'static str,
    pub points: Vec<Point>,
    /// Indices into `points` of the Pareto frontier, by rising std.
    pub frontier: Vec<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Matched {
    /// P&L std as a fraction of the premium.
    pub std_level: f64,
    /// The same level in quote.
    pub std_pnl: f64,
    /// Interpolated mean cost on each policy's frontier, quote; null where
    /// the frontier does not reach this std.
    pub costs: BTreeMap<&'static str, Option<f64>>,
    /// How much cheaper each adaptive policy (WW, cost-benefit,
    /// expiry-aware) is than each other policy at this std, percent
    /// (1 - cost / cost_other) x 100, with its bootstrap standard error over
    /// paths.
    pub savings: Vec<Saving>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SweepReport {
    pub book: BookSummary,
    pub model: PathModel,
    pub costs: CostModel,
    pub paths: usize,
    pub seed: u64,
    pub step_minutes: f64,
    pub decision_steps: usize,
    pub min_band: f64,
    pub max_trade: f64,
    pub retrace: f64,
    pub terminal: f64,
    pub bootstrap: usize,
    pub dp: DpSettings,
    /// Wall time of the DP solves (all risk aversions), seconds.
    pub dp_solve_s: f64,
    pub policies: Vec<PolicyReport>,
    pub matched: Vec<Matched>,
}

/// Run the sweep. `progress` is called once per finished path.
pub fn run_sweep(cfg: &LabConfig, progress: &(dyn Fn() + Sync)) -> Result<SweepReport> {
    if cfg.families.is_empty() {
        return config_err("no policy selected");
    }
    if !(0.0..=100.0).contains(&cfg.terminal) {
        return config_err("--terminal must be in [0, 100] (1 = the break-even trade)");
    }
    if cfg.std_levels.iter().any(|l| !(*l > 0.0)) {
        return config_err("--std-levels must be positive fractions of the premium");
    }
    crate::engine::check_paths(cfg.paths)?;
    let setup = cfg.setup()?;
    let sweeps = sweep_policies(cfg, &setup)?;
    let all: Vec<Policy> = sweeps.iter().flat_map(|(_, p)| p.iter().copied()).collect();
    let solving = std::time::Instant::now();
    let prepared = setup.prepare(&all, &cfg.dp)?;
    let dp_solve_s = solving.elapsed().as_secs_f64();
    let outcomes = setup.run_prepared(&prepared, cfg.seed, cfg.paths, progress)?;
    let mut next = 0;
    let mut policies = Vec::new();
    for (family, family_policies) in &sweeps {
        let points: Vec<Point> = family_policies
            .iter()
            .map(|p| {
                let pt = Point::from_outcomes(p.param(setup.step_minutes), &outcomes[next]);
                next += 1;
                pt
            })
            .collect();
        let (param_name, param_unit) = family.param();
        policies.push(PolicyReport {
            name: family.name(),
            param_name,
            param_unit,
            frontier: pareto_frontier(&points),
            points,
        });
    }
    let premium = setup.book.premium;
    // outcomes of each family's sweep, in the order of `policies`
    let mut by_family: Vec<&[Vec<Outcome>]> = Vec::new();
    let mut at = 0;
    for (_, family_policies) in &sweeps {
        by_family.push(&outcomes[at..at + family_policies.len()]);
        at += family_policies.len();
    }
    let boot = bootstrap_points(&by_family, cfg.bootstrap, cfg.seed);
    let matched = cfg
        .std_levels
        .iter()
        .map(|&level| {
            let std = level * premium;
            let costs: BTreeMap<_, _> =
                policies.iter().map(|p| (p.name, cost_at_std(&p.points, &p.frontier, std))).collect();
            let mut savings = Vec::new();
            for (i, (family, _)) in sweeps.iter().enumerate() {
                if !family.is_adaptive() {
                    continue;
                }
                for (j, (other, _)) in sweeps.iter().enumerate() {
                    if i != j {
                        savings.push(saving_at_std(
                            (family.name(), other.name()),
                            (&policies[i].points, &policies[i].frontier),
                            (&policies[j].points, &policies[j].frontier),
                            &boot,
                            (i, j),
                            std,
                        ));
                    }
                }
            }
            Matched { std_level: level, std_pnl: std, costs, savings }
        })
        .collect();
    let book = &setup.book;
    Ok(SweepReport {
        book: BookSummary {
            kind: book.kind,
            contracts: book.contracts,
            strikes: book.strikes(),
            expiry_days: book.expiry_years * 365.0,
            expiries_days: book.expiries_years.iter().map(|e| e * 365.0).collect(),
            legs: cfg.legs.clone(),
            spot: cfg.market.spot,
            vol: cfg.market.vol,
            rate: cfg.market.rate,
            premium,
            vega: book.vega,
            gamma: book.gamma,
        },
        model: cfg.model,
        costs: cfg.costs,
        paths: cfg.paths,
        seed: cfg.seed,
        step_minutes: setup.step_minutes,
        decision_steps: setup.n_steps,
        min_band: cfg.min_band,
        max_trade: cfg.max_trade,
        retrace: cfg.retrace,
        terminal: cfg.terminal,
        bootstrap: cfg.bootstrap,
        dp: cfg.dp,
        dp_solve_s,
        policies,
        matched,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_sig_keeps_three_digits() {
        assert_eq!(round_sig(123456.0), 123000.0);
        assert_eq!(round_sig(0.00123456), 0.00123);
        assert_eq!(round_sig(-9.876), -9.88);
    }

    #[test]
    fn default_sweeps_have_twelve_distinct_points_per_family() {
        let cfg = LabConfig::default_book();
        let setup = cfg.setup().unwrap();
        let sweeps = sweep_policies(&cfg, &setup).unwrap();
        assert_eq!(sweeps.len(), Family::ALL.len());
        for (family, pols) in sweeps {
            assert_eq!(pols.len(), 12, "{family:?}: {pols:?}");
            assert!(pols.iter().all(|p| p.family() == family));
        }
    }
}
