//! The backtest engine: one path, every policy.
//!
//! Per path, the book's greeks at every decision step are computed once
//! (fixed-point Black-Scholes, ~1 us a strike) and shared by every policy
//! and sweep point: they depend on the path, not on the hedge. Each policy
//! then walks the path with its own hedge.
//!
//! Accounting, in quote discounted to the start (S~ = e^(-rt) S):
//!   P&L = premium - e^(-rT) payoff(S_T) + sum_k h_k (S~_(k+1) - S~_k)
//!         - sum_k e^(-r t_k) cost_k
//! where h_k is the hedge held over step k, and each expiry's payoff is
//! paid (discounted) at its own expiry on a book of several. Every policy
//! starts at the target hedge for free and does not unwind at the last
//! expiry: both trades are the same for every policy, so leaving them out
//! keeps the comparison about rebalancing. No decision at the last expiry
//! (the options settle in cash); at an earlier one the expired legs leave
//! the target and the policy decides on what is left.
//!
//! Speed: asking `decide` costs ~0.3 us for WW (three logarithms and an
//! exponential); most steps are far inside the band. An f64 pre-check skips
//! `decide` only where the hedge is inside the band by a margin (1e-9
//! relative to the band and to the hedge and target, plus 1e-9 underlying)
//! far above the f64-vs-fixed-point difference (~1e-14 relative), so every
//! step that could trade is decided by options-math; the test
//! `prefilter_changes_no_decision` runs both ways and compares bits.
use crate::book::Book;
use crate::cost::CostModel;
use crate::dp::{solve_many, DpConfig};
use crate::paths::{Market, PathGenerator, PathModel};
use crate::policy::{Policy, Prepared, Trigger};
use prefilter::{cost_benefit_band_f64, BucketF64, CostBenefitF64};

mod prefilter;
use crate::{config_err, LabError, Result};
use options_math::hedge::{decide, ExpiryBucket, HedgeInputs, HedgeLimits};
use options_math::I80F48;
use rayon::prelude::*;

/// How the DP bound is solved (see `dp`).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct DpSettings {
    pub step_minutes: f64,
    /// Hedge grid step, underlying; 0 = the book's hedge range (2 x its
    /// contracts) over 2,000 cells, 1 underlying for the default book.
    pub hedge_resolution: f64,
    pub spot_sds: f64,
    pub spot_substeps: usize,
}

impl Default for DpSettings {
    fn default() -> Self {
        // grid-converged (`dp` module doc): 5-minute steps, 3 sub-steps, 1 underlying
        DpSettings { step_minutes: 5.0, hedge_resolution: 0.0, spot_sds: 6.0, spot_substeps: 3 }
    }
}

/// One policy on one path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// Sum of discounted trading costs, quote.
    pub cost: f64,
    /// Total hedged P&L of the short book, discounted, quote.
    pub pnl: f64,
    pub trades: u32,
}

/// Everything shared by all paths of a run.
#[derive(Clone, Debug)]
pub struct Setup {
    pub book: Book,
    pub market: Market,
    pub costs: CostModel,
    pub limits: HedgeLimits,
    pub step_minutes: f64,
    pub n_steps: usize,
    pub dt_years: f64,
    generator: PathGenerator,
    /// Step at which each of the book's expiries settles (the last is n).
    expiry_steps: Vec<usize>,
    /// Time to each expiry at each decision step 0..n, years:
    /// tau_fx[e * n + k] (0 once expired).
    tau_fx: Vec<I80F48>,
    /// e^(-r t_k), k = 0..=n.
    discount: Vec<f64>,
    rate_fx: I80F48,
}

/// One path and the book's greeks along it.
#[derive(Clone, Debug, Default)]
pub struct PathData {
    pub spot: Vec<f64>,
    disc_spot: Vec<f64>,
    spot_fx: Vec<I80F48>,
    target_fx: Vec<I80F48>,
    target: Vec<f64>,
    gamma_fx: Vec<I80F48>,
    /// The book's gamma-weighted time to expiry (the program's WW tau).
    tau_gw_fx: Vec<I80F48>,
    /// S Gamma^2 e^(-r tau): the WW band cubed is this times 1.5 cost / risk aversion.
    ww_core: Vec<f64>,
    /// The book by expiry at each step: buckets[k * expiries + e].
    buckets: Vec<ExpiryBucket>,
    /// The same in f64 for the pre-check.
    buckets_f64: Vec<BucketF64>,
}

const PREFILTER_REL: f64 = 1e-9;
const PREFILTER_ABS: f64 = 1e-9;

impl Setup {
    // the lab's knobs, each named at the call site by its flag
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        book: Book,
        market: Market,
        model: &PathModel,
        costs: CostModel,
        min_band: f64,
        max_trade: f64,
        retrace: f64,
        step_minutes: f64,
    ) -> Result<Setup> {
        costs.check()?;
        if !(step_minutes > 0.0) || !step_minutes.is_finite() {
            return config_err("--step-minutes must be positive");
        }
        if !(min_band >= 0.0) || !(max_trade >= 0.0) || !min_band.is_finite() || !max_trade.is_finite() {
            return config_err("--min-band and --max-trade must be >= 0");
        }
        if !(0.0..=1.0).contains(&retrace) {
            return config_err("--retrace is a fraction of the band, in [0, 1]");
        }
        let horizon_minutes = book.expiry_years * 365.0 * 1440.0;
        let n_steps = (horizon_minutes / step_minutes).round();
        if n_steps < 2.0 {
            return config_err("the decision step must be shorter than half the option's life");
        }
        if n_steps > 5e6 {
            return config_err("more than 5,000,000 decision steps a path: raise --step-minutes");
        }
        let n_steps = n_steps as usize;
        let dt_years = book.expiry_years / n_steps as f64;
        let generator = PathGenerator::new(&market, model, dt_years, n_steps)?;
        let expiry_steps: Vec<usize> =
            book.expiries_years.iter().map(|&e| ((e / dt_years).round() as usize).clamp(1, n_steps)).collect();
        if expiry_steps.windows(2).any(|w| w[0] == w[1]) {
            return config_err("two of the book's expiries fall on the same decision step: lower --step-minutes");
        }
        let tau_fx = expiry_steps
            .iter()
            .flat_map(|&end| {
                (0..n_steps).map(move |k| I80F48::checked_from_num(end.saturating_sub(k) as f64 * dt_years))
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| LabError::Config("time to expiry does not fit I80F48".into()))?;
        let discount = (0..=n_steps).map(|k| (-market.rate * k as f64 * dt_years).exp()).collect();
        let to_fx =
            |x: f64| I80F48::checked_from_num(x).ok_or_else(|| LabError::Config(format!("{x} does not fit I80F48")));
        let limits = HedgeLimits { min_band: to_fx(min_band)?, max_trade: to_fx(max_trade)?, retrace: to_fx(retrace)? };
        Ok(Setup {
            rate_fx: to_fx(market.rate)?,
            book,
            market,
            costs,
            limits,
            step_minutes,
            n_steps,
            dt_years,
            generator,
            expiry_steps,
            tau_fx,
            discount,
        })
    }

    /// Draw path `index` and compute the book's greeks along it.
    pub fn fill_path(&self, seed: u64, index: u64, p: &mut PathData) -> Result<()> {
        self.generator.fill(seed, index, &mut p.spot);
        let n = self.n_steps;
        p.disc_spot.clear();
        p.disc_spot.extend(p.spot.iter().zip(&self.discount).map(|(s, d)| s * d));
        for v in [&mut p.spot_fx, &mut p.target_fx, &mut p.gamma_fx, &mut p.tau_gw_fx] {
            v.clear();
            v.reserve(n);
        }
        p.target.clear();
        p.ww_core.clear();
        p.buckets.clear();
        p.buckets_f64.clear();
        let rate: f64 = self.market.rate;
        let expiries = self.expiry_steps.len();
        let math = LabError::math("pricing the book");
        for k in 0..n {
            let s = I80F48::checked_from_num(p.spot[k])
                .ok_or_else(|| LabError::Config(format!("spot {} left the I80F48 range", p.spot[k])))?;
            let (mut target, mut gamma, mut gamma_tau) = (I80F48::ZERO, I80F48::ZERO, I80F48::ZERO);
            for e in 0..expiries {
                let tau = self.tau_fx[e * n + k];
                let g = self.book.expiry_greeks(e, s, tau)?;
                let add =
                    |a: I80F48, b: I80F48| a.checked_add(b).ok_or(options_math::MathError::Overflow).map_err(math);
                target = add(target, g.target)?;
                gamma = add(gamma, g.gamma)?;
                gamma_tau =
                    add(gamma_tau, g.gamma.checked_mul(tau).ok_or(options_math::MathError::Overflow).map_err(math)?)?;
                p.buckets.push(ExpiryBucket { delta: g.target, gamma: g.gamma, tau_years: tau, vol: self.book.vol });
            }
            let step = &p.buckets[k * expiries..];
            let last = step.iter().filter(|b| b.gamma != 0 || b.delta != 0).map(|b| b.tau_years).max();
            let vol: f64 = self.book.vol.to_num();
            p.buckets_f64.extend(step.iter().map(|b| {
                let tau = b.tau_years.max(I80F48::ZERO).to_num::<f64>();
                BucketF64 {
                    delta: b.delta.to_num(),
                    gamma: b.gamma.abs().to_num(),
                    var: vol * vol * tau,
                    tau,
                    early: last.is_some_and(|l| b.tau_years < l),
                }
            }));
            let tau_gw = if gamma > 0 { gamma_tau / gamma } else { I80F48::ZERO };
            let (s_f, gamma_f): (f64, f64) = (s.to_num(), gamma.to_num());
            p.spot_fx.push(s);
            p.target_fx.push(target);
            p.target.push(target.to_num());
            p.gamma_fx.push(gamma);
            p.tau_gw_fx.push(tau_gw);
            p.ww_core.push(s_f * gamma_f * gamma_f * (-rate * tau_gw.to_num::<f64>()).exp());
        }
        Ok(())
    }

    /// The book's expiry buckets at step `k`.
    pub fn buckets<'a>(&self, p: &'a PathData, k: usize) -> &'a [ExpiryBucket] {
        let e = self.expiry_steps.len();
        &p.buckets[k * e..(k + 1) * e]
    }

    fn buckets_f64<'a>(&self, p: &'a PathData, k: usize) -> &'a [BucketF64] {
        let e = self.expiry_steps.len();
        &p.buckets_f64[k * e..(k + 1) * e]
    }

    /// The book's payoffs, each discounted from its own expiry.
    fn payoffs(&self, p: &PathData) -> f64 {
        self.expiry_steps.iter().enumerate().map(|(e, &k)| self.discount[k] * self.book.payoff_of(e, p.spot[k])).sum()
    }

    /// Walk one path with one policy. `prefilter` = false asks `decide` at
    /// every step (slow; for the test that the pre-check changes nothing).
    pub fn run_policy(&self, policy: &Prepared, p: &PathData, prefilter: bool) -> Result<Outcome> {
        let n = self.n_steps;
        let min_band: f64 = self.limits.min_band.to_num();
        let floor = min_band * (1.0 - PREFILTER_REL);
        let mut hedge_fx = p.target_fx[0];
        let mut hedge: f64 = hedge_fx.to_num();
        let mut pnl_hedge = hedge * (p.disc_spot[1] - p.disc_spot[0]);
        let (mut cost, mut trades) = (0.0, 0u32);
        let mut anchor_spot = p.spot[0];
        for k in 1..n {
            // |hedge - target| rounded up by more than the f64 conversions of
            // two I80F48 values can lose (relative 1e-16 of each magnitude)
            let clear = (hedge - p.target[k]).abs() + PREFILTER_ABS + PREFILTER_REL * (hedge.abs() + p.target[k].abs());
            if let Trigger::Dp(bands) = &policy.trigger {
                // the bound's own rule: to the nearest edge of its band
                let (lo, hi) = bands.band(k as f64 * self.dt_years, p.spot[k]);
                let goal = hedge.clamp(lo, hi);
                if goal != hedge {
                    cost += self.discount[k] * self.costs.trade_cost(goal - hedge, p.spot[k])?;
                    hedge = goal;
                    trades += 1;
                }
                pnl_hedge += hedge * (p.disc_spot[k + 1] - p.disc_spot[k]);
                continue;
            }
            let ask = match policy.trigger {
                Trigger::Band { band } => !prefilter || clear >= band.max(min_band) * (1.0 - PREFILTER_REL),
                Trigger::WhalleyWilmott { coef } => {
                    !prefilter
                        || (clear >= floor && clear * clear * clear >= coef * p.ww_core[k] * (1.0 - PREFILTER_REL))
                }
                Trigger::CostBenefit { coef, factor, expiry_aware, fixed_coef, break_even_coef } => {
                    // the band is at least WW's on a book without early legs
                    let surely_inside = !expiry_aware
                        && (clear < floor || clear * clear * clear < coef * p.ww_core[k] * (1.0 - PREFILTER_REL));
                    !prefilter
                        || (!surely_inside && {
                            let dev = hedge - p.target[k];
                            let slack = clear - dev.abs();
                            let terms = CostBenefitF64 { coef, factor, expiry_aware, fixed_coef, break_even_coef };
                            match cost_benefit_band_f64(&terms, p.spot[k], self.market.rate, self.buckets_f64(p, k)) {
                                None => true,
                                Some((below, above)) => {
                                    dev + slack >= above.max(min_band) * (1.0 - PREFILTER_REL)
                                        || slack - dev >= below.max(min_band) * (1.0 - PREFILTER_REL)
                                }
                            }
                        })
                }
                Trigger::Every { steps } => k % steps == 0,
                Trigger::Dp(_) => unreachable!("handled above"),
                Trigger::Move { fraction } => {
                    let fire = (p.spot[k] / anchor_spot - 1.0).abs() > fraction;
                    if fire {
                        anchor_spot = p.spot[k];
                    }
                    fire
                }
            };
            if ask {
                let inputs = HedgeInputs {
                    hedge: hedge_fx,
                    target: p.target_fx[k],
                    gamma: p.gamma_fx[k],
                    spot: p.spot_fx[k],
                    tau_years: p.tau_gw_fx[k],
                    rate: self.rate_fx,
                    buckets: self.buckets(p, k),
                };
                let decision =
                    decide(&policy.hedge_policy, &self.limits, &inputs).map_err(LabError::math("hedge decision"))?;
                if let Some(d) = decision {
                    cost += self.discount[k] * self.costs.trade_cost(d.trade.to_num(), p.spot[k])?;
                    hedge_fx = d.new_hedge;
                    hedge = hedge_fx.to_num();
                    trades += 1;
                }
            }
            pnl_hedge += hedge * (p.disc_spot[k + 1] - p.disc_spot[k]);
        }
        Ok(Outcome { cost, pnl: self.book.premium - self.payoffs(p) + pnl_hedge - cost, trades })
    }

    /// Convert the policies for the engine; the DP policies' bands are
    /// solved here, all risk aversions on one lattice.
    pub fn prepare(&self, policies: &[Policy], dp: &DpSettings) -> Result<Vec<Prepared>> {
        let lambdas: Vec<f64> = policies
            .iter()
            .filter_map(|p| match p {
                Policy::DpOptimal { risk_aversion } => Some(*risk_aversion),
                _ => None,
            })
            .collect();
        let mut solved = if lambdas.is_empty() {
            Vec::new()
        } else {
            if self.costs.fixed_per_trade > 0.0 || self.costs.venue_tvl > 0.0 {
                return config_err(
                    "the DP bound covers proportional costs only: drop dp-optimal from --policies, or set \
                     --fixed-cost 0 and --venue-tvl 0",
                );
            }
            let cfg = DpConfig {
                spot0: self.market.spot,
                vol: self.market.vol,
                rate: self.market.rate,
                horizon_years: self.book.expiry_years,
                dp_step_minutes: dp.step_minutes,
                hedge_resolution: if dp.hedge_resolution > 0.0 {
                    dp.hedge_resolution
                } else {
                    2.0 * self.book.contracts as f64 / 2000.0
                },
                hedge_margin: 0.0,
                cost_frac: self.costs.fee_bps * 1e-4,
                risk_aversion: lambdas[0],
                spot_sds: dp.spot_sds,
                spot_substeps: dp.spot_substeps,
            };
            let book = &self.book;
            let last = book.expiry_years;
            let target = move |t: f64, s: f64| -> f64 {
                match (I80F48::checked_from_num(s), I80F48::checked_from_num((last - t).max(0.0))) {
                    (Some(s), Some(tau)) => book.greeks(s, tau).map_or(0.0, |g| g.target.to_num()),
                    _ => 0.0,
                }
            };
            solve_many(&cfg, &lambdas, &target)?
        }
        .into_iter();
        policies
            .iter()
            .map(|&p| match p {
                Policy::DpOptimal { .. } => Ok(Prepared::dp(p, solved.next().expect("one solve per DP policy"))),
                _ => Prepared::new(p),
            })
            .collect()
    }

    /// Run every policy on paths 0..paths of `seed`, in parallel over paths.
    /// Returns outcomes[policy][path], in path order whatever the threads.
    pub fn run_paths(
        &self,
        policies: &[Policy],
        dp: &DpSettings,
        seed: u64,
        paths: usize,
        progress: &(dyn Fn() + Sync),
    ) -> Result<Vec<Vec<Outcome>>> {
        check_paths(paths)?;
        let prepared = self.prepare(policies, dp)?;
        self.run_prepared(&prepared, seed, paths, progress)
    }

    /// `run_paths` on policies already prepared.
    pub fn run_prepared(
        &self,
        prepared: &[Prepared],
        seed: u64,
        paths: usize,
        progress: &(dyn Fn() + Sync),
    ) -> Result<Vec<Vec<Outcome>>> {
        check_paths(paths)?;
        let per_path: Vec<Vec<Outcome>> = (0..paths as u64)
            .into_par_iter()
            .map_init(PathData::default, |buf, i| {
                self.fill_path(seed, i, buf)?;
                let out = prepared.iter().map(|p| self.run_policy(p, buf, true)).collect::<Result<Vec<_>>>();
                progress();
                out
            })
            .collect::<Result<_>>()?;
        let mut by_policy = vec![Vec::with_capacity(paths); prepared.len()];
        for row in per_path {
            for (j, o) in row.into_iter().enumerate() {
                by_policy[j].push(o);
            }
        }
        Ok(by_policy)
    }
}

pub(crate) fn check_paths(paths: usize) -> Result<()> {
    if paths < 2 {
        return config_err("--paths must be at least 2");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::BookKind;

    fn setup(step_minutes: f64, costs: CostModel) -> Setup {
        let market = Market { spot: 150.0, vol: 0.8, rate: 0.03 };
        let book = Book::new(BookKind::Straddle, 1000, 7.0, &market).unwrap();
        Setup::new(book, market, &PathModel::Gbm, costs, 0.0, 0.0, 0.0, step_minutes).unwrap()
    }

    #[test]
    fn prefilter_changes_no_decision() {
        // Fee + impact + fixed cost, min band and max trade all active, a
        // non-zero rate: every branch of the pre-check is exercised.
        let costs = CostModel { fixed_per_trade: 0.1, fee_bps: 30.0, venue_tvl: 5e6, venue_spot: 150.0 };
        let market = Market { spot: 150.0, vol: 0.8, rate: 0.03 };
        let book = Book::new(BookKind::Straddle, 1000, 7.0, &market).unwrap();
        let s = Setup::new(book, market, &PathModel::Gbm, costs, 15.0, 60.0, 0.0, 5.0).unwrap();
        let policies = [
            Policy::ThresholdToTarget { band: 80.0 },
            Policy::ThresholdToEdge { band: 40.0 },
            Policy::ThresholdToEdge { band: 5.0 }, // below the floor
            Policy::WhalleyWilmott { cost: 0.003, risk_aversion: 1e-3 },
            Policy::WhalleyWilmott { cost: 0.003, risk_aversion: 1e2 }, // band under the floor
            Policy::TimeInterval { interval_steps: 12 },
            Policy::PriceMove { move_fraction: 0.02 },
        ];
        let mut p = PathData::default();
        let mut traded = 0;
        for i in 0..6 {
            s.fill_path(11, i, &mut p).unwrap();
            for pol in policies {
                let prep = Prepared::new(pol).unwrap();
                let fast = s.run_policy(&prep, &p, true).unwrap();
                let slow = s.run_policy(&prep, &p, false).unwrap();
                assert_eq!(fast, slow, "{pol:?} on path {i}");
                traded += fast.trades;
            }
        }
        assert!(traded > 100, "the policies must actually trade for the comparison to mean anything");
    }

    #[test]
    fn prefilter_changes_no_cost_benefit_decision_on_a_multi_expiry_book() {
        let costs = CostModel { fixed_per_trade: 0.1, fee_bps: 30.0, venue_tvl: 5e6, venue_spot: 150.0 };
        let market = Market { spot: 150.0, vol: 0.8, rate: 0.03 };
        let book = Book::from_legs(&crate::book::LegSpec::multi_expiry_book(), &market).unwrap();
        let s = Setup::new(book, market, &PathModel::Gbm, costs, 5.0, 80.0, 0.6, 10.0).unwrap();
        let mut traded = 0;
        let mut p = PathData::default();
        for i in 0..4 {
            s.fill_path(12, i, &mut p).unwrap();
            for (ra, terminal) in [(1e-4, 1.0), (1e-3, 0.5), (1e-5, 3.0)] {
                for expiry_aware in [false, true] {
                    let pol =
                        Policy::CostBenefit { cost: 0.003, risk_aversion: ra, terminal, expiry_aware, fixed_cost: 0.1 };
                    let prep = Prepared::new(pol).unwrap();
                    let fast = s.run_policy(&prep, &p, true).unwrap();
                    let slow = s.run_policy(&prep, &p, false).unwrap();
                    assert_eq!(fast, slow, "{pol:?} on path {i}");
                    traded += fast.trades;
                }
            }
        }
        assert!(traded > 100, "{traded} trades");
    }

    #[test]
    fn continuous_hedging_without_costs_earns_nothing_and_risks_little() {
        // Hedging every minute at the implied vol: P&L ~ 0 with a small std
        // (the discrete-hedging error of ~10,000 rebalances, ~1% of premium).
        let s = setup(1.0, CostModel::fee_only(0.0));
        let out = s
            .run_paths(&[Policy::TimeInterval { interval_steps: 1 }], &DpSettings::default(), 5, 200, &|| {})
            .unwrap()
            .pop()
            .unwrap();
        let n = out.len() as f64;
        let mean = out.iter().map(|o| o.pnl).sum::<f64>() / n;
        let sd = (out.iter().map(|o| (o.pnl - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let prem = s.book.premium;
        assert!(sd < 0.015 * prem, "std {sd} vs premium {prem}");
        assert!(mean.abs() < 4.0 * sd / n.sqrt() + 1e-3 * prem, "mean {mean}, sd {sd}");
        // Every step trades unless the fixed-point delta has saturated (a
        // path far from the strike near expiry): nothing to do then.
        assert!(out.iter().all(|o| o.cost == 0.0 && (o.trades as usize) < s.n_steps));
        let mean_trades = out.iter().map(|o| o.trades as f64).sum::<f64>() / n;
        assert!(mean_trades > 0.9 * (s.n_steps - 1) as f64, "{mean_trades}");
    }

    #[test]
    fn unhedged_book_loses_its_gamma_and_trading_costs_are_charged() {
        let s = setup(60.0, CostModel::fee_only(30.0));
        // A band no delta can reach never trades: the short straddle's
        // P&L is premium - payoff, whose mean is ~0 and std ~ the premium.
        let never = Policy::ThresholdToTarget { band: 1e9 };
        let hourly = Policy::TimeInterval { interval_steps: 1 };
        let out = s.run_paths(&[never, hourly], &DpSettings::default(), 9, 400, &|| {}).unwrap();
        let n = 400.0;
        let mean = |v: &[Outcome], f: fn(&Outcome) -> f64| v.iter().map(f).sum::<f64>() / n;
        assert!(out[0].iter().all(|o| o.trades == 0 && o.cost == 0.0));
        let sd0 = (out[0].iter().map(|o| o.pnl.powi(2)).sum::<f64>() / n).sqrt();
        assert!(sd0 > 0.5 * s.book.premium, "unhedged std {sd0}");
        // hourly hedging pays fees: cost > 0 and the P&L is lower by it on average
        let (c1, p1) = (mean(&out[1], |o| o.cost), mean(&out[1], |o| o.pnl));
        assert!(c1 > 0.0);
        assert!((p1 + c1).abs() < 0.05 * s.book.premium, "pnl {p1} cost {c1}");
    }
}
