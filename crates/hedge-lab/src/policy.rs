//! The hedge policies the lab compares, and how each maps onto the
//! program's `options_math::hedge` policies.
//!
//! The three band policies ARE the program's policies. The two triggers the
//! program does not offer (a clock and a price move) decide *when* to look;
//! when they fire, the trade itself is still `decide` with a zero band, i.e.
//! back to the target under the same floor and per-call cap.
use crate::dp::DpBands;
use crate::{config_err, Result};
use options_math::hedge::{CostBenefit, HedgePolicy};
use options_math::I80F48;
use serde::Serialize;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    ThresholdToTarget,
    ThresholdToEdge,
    TimeInterval,
    PriceMove,
    WhalleyWilmott,
    /// max(WW, the terminal term c k / (lambda S sigma^2 tau)).
    CostBenefit,
    /// CostBenefit plus each early expiry's allowance.
    ExpiryAware,
    /// The dynamic program's optimal band (`dp`): the bound, not a program policy.
    DpOptimal,
}

impl Family {
    pub const ALL: [Family; 8] = [
        Family::ThresholdToTarget,
        Family::ThresholdToEdge,
        Family::TimeInterval,
        Family::PriceMove,
        Family::WhalleyWilmott,
        Family::CostBenefit,
        Family::ExpiryAware,
        Family::DpOptimal,
    ];

    /// The families that adapt their band to the book (compared against
    /// the fixed bands in the matched-risk table).
    pub fn is_adaptive(self) -> bool {
        matches!(self, Family::WhalleyWilmott | Family::CostBenefit | Family::ExpiryAware | Family::DpOptimal)
    }

    /// Stable name used in tables, JSON and the chart legend.
    pub fn name(self) -> &'static str {
        match self {
            Family::ThresholdToTarget => "threshold-to-target",
            Family::ThresholdToEdge => "threshold-to-edge",
            Family::TimeInterval => "time-interval",
            Family::PriceMove => "price-move",
            Family::WhalleyWilmott => "whalley-wilmott",
            Family::CostBenefit => "cost-benefit",
            Family::ExpiryAware => "expiry-aware",
            Family::DpOptimal => "dp-optimal",
        }
    }

    /// The swept parameter and its unit.
    pub fn param(self) -> (&'static str, &'static str) {
        match self {
            Family::ThresholdToTarget | Family::ThresholdToEdge => ("band", "underlying"),
            Family::TimeInterval => ("interval", "minutes"),
            Family::PriceMove => ("move", "fraction of spot"),
            Family::WhalleyWilmott | Family::CostBenefit | Family::ExpiryAware | Family::DpOptimal => {
                ("risk_aversion", "1/quote")
            }
        }
    }

    pub fn from_name(name: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.name() == name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "policy", rename_all = "kebab-case")]
pub enum Policy {
    /// Trade back to the target when |hedge - target| > band (underlying).
    ThresholdToTarget { band: f64 },
    /// Trade to the nearest band edge when |hedge - target| > band.
    ThresholdToEdge { band: f64 },
    /// Back to the target every `interval_steps` decision steps.
    TimeInterval { interval_steps: usize },
    /// Back to the target when spot has moved more than `move_fraction`
    /// (relative) since the last rebalance.
    PriceMove { move_fraction: f64 },
    /// The program's Whalley-Wilmott band, to the edge.
    WhalleyWilmott { cost: f64, risk_aversion: f64 },
    /// The program's cost-benefit band, to the edge: max(WW, terminal x
    /// cost / (risk_aversion S sigma^2 tau)), with each early expiry's
    /// allowance when `expiry_aware`.
    /// `fixed_cost` (quote per trade) adds its own band and raises the
    /// break-even (the lab passes the cost model's fixed cost).
    CostBenefit { cost: f64, risk_aversion: f64, terminal: f64, expiry_aware: bool, fixed_cost: f64 },
    /// The dynamic program's optimal no-trade band for this risk aversion
    /// and the fee, to its nearest edge (see `dp`).
    DpOptimal { risk_aversion: f64 },
}

impl Policy {
    pub fn family(&self) -> Family {
        match self {
            Policy::ThresholdToTarget { .. } => Family::ThresholdToTarget,
            Policy::ThresholdToEdge { .. } => Family::ThresholdToEdge,
            Policy::TimeInterval { .. } => Family::TimeInterval,
            Policy::PriceMove { .. } => Family::PriceMove,
            Policy::WhalleyWilmott { .. } => Family::WhalleyWilmott,
            Policy::CostBenefit { expiry_aware: false, .. } => Family::CostBenefit,
            Policy::CostBenefit { expiry_aware: true, .. } => Family::ExpiryAware,
            Policy::DpOptimal { .. } => Family::DpOptimal,
        }
    }

    /// The swept parameter's value in its family's unit.
    pub fn param(&self, step_minutes: f64) -> f64 {
        match *self {
            Policy::ThresholdToTarget { band } | Policy::ThresholdToEdge { band } => band,
            Policy::TimeInterval { interval_steps } => interval_steps as f64 * step_minutes,
            Policy::PriceMove { move_fraction } => move_fraction,
            Policy::WhalleyWilmott { risk_aversion, .. }
            | Policy::CostBenefit { risk_aversion, .. }
            | Policy::DpOptimal { risk_aversion } => risk_aversion,
        }
    }
}

/// When the engine asks `decide`, in f64 for a cheap pre-check.
#[derive(Clone, Debug)]
pub(crate) enum Trigger {
    /// The DP's band at (t, S); the engine trades to its edge itself.
    Dp(Arc<DpBands>),
    /// Fixed band half-width (the exact f64 value of the I80F48 band).
    Band {
        band: f64,
    },
    /// WW: the band cubed is `coef` x (S Gamma^2 e^(-r tau)), coef = 1.5 cost / risk aversion.
    WhalleyWilmott {
        coef: f64,
    },
    /// Cost-benefit: `coef` as WW's; the terminal term and the allowances
    /// are `factor` / S x gamma / sum(gamma sigma^2 tau) and `factor` / S /
    /// (sigma^2 tau), factor = terminal x cost / risk aversion.
    CostBenefit {
        coef: f64,
        factor: f64,
        expiry_aware: bool,
        /// 12 F / lambda: H_F^4 = this x Gamma^2.
        fixed_coef: f64,
        /// 2 lambda F / k^2: the break-even's z = this x sigma^2 tau.
        break_even_coef: f64,
    },
    Every {
        steps: usize,
    },
    Move {
        fraction: f64,
    },
}

/// A policy converted once to what the engine needs per step.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub policy: Policy,
    pub(crate) hedge_policy: HedgePolicy,
    pub(crate) trigger: Trigger,
}

fn fixed(x: f64, what: &str) -> Result<I80F48> {
    match I80F48::checked_from_num(x) {
        Some(v) if x.is_finite() => Ok(v),
        _ => config_err(format!("{what} {x} is not a usable number")),
    }
}

impl Prepared {
    /// The DP policy, from its solved bands.
    pub fn dp(policy: Policy, bands: DpBands) -> Prepared {
        Prepared {
            policy,
            hedge_policy: HedgePolicy::DeltaThreshold { band: I80F48::ZERO },
            trigger: Trigger::Dp(Arc::new(bands)),
        }
    }

    pub fn new(policy: Policy) -> Result<Prepared> {
        let zero_band = HedgePolicy::DeltaThreshold { band: I80F48::ZERO };
        Ok(match policy {
            Policy::ThresholdToTarget { band } | Policy::ThresholdToEdge { band } => {
                if !(band >= 0.0) {
                    return config_err(format!("a band must be >= 0, got {band}"));
                }
                let band_fx = fixed(band, "band")?;
                let hedge_policy = if matches!(policy, Policy::ThresholdToTarget { .. }) {
                    HedgePolicy::DeltaThreshold { band: band_fx }
                } else {
                    HedgePolicy::DeltaThresholdToEdge { band: band_fx }
                };
                Prepared { policy, hedge_policy, trigger: Trigger::Band { band: band_fx.to_num() } }
            }
            Policy::WhalleyWilmott { cost, risk_aversion } => {
                if !(risk_aversion > 0.0) || !(0.0..=1.0).contains(&cost) {
                    return config_err(format!(
                        "Whalley-Wilmott needs risk aversion > 0 and cost in [0, 1], got {risk_aversion} and {cost}"
                    ));
                }
                let (c, ra) = (fixed(cost, "WW cost")?, fixed(risk_aversion, "WW risk aversion")?);
                if ra <= 0 {
                    return config_err(format!("risk aversion {risk_aversion} rounds to zero in I80F48"));
                }
                let coef = 1.5 * c.to_num::<f64>() / ra.to_num::<f64>();
                Prepared {
                    policy,
                    hedge_policy: HedgePolicy::WhalleyWilmott { cost: c, risk_aversion: ra },
                    trigger: Trigger::WhalleyWilmott { coef },
                }
            }
            Policy::CostBenefit { cost, risk_aversion, terminal, expiry_aware, fixed_cost } => {
                if !(risk_aversion > 0.0)
                    || !(0.0..=1.0).contains(&cost)
                    || !(0.0..=100.0).contains(&terminal)
                    || !(fixed_cost >= 0.0)
                {
                    return config_err(format!(
                        "the cost-benefit band needs risk aversion > 0, cost in [0, 1], a terminal factor in \
                         [0, 100] and a fixed cost >= 0, got {risk_aversion}, {cost}, {terminal} and {fixed_cost}"
                    ));
                }
                let (c, ra, t, f) = (
                    fixed(cost, "cost")?,
                    fixed(risk_aversion, "risk aversion")?,
                    fixed(terminal, "terminal factor")?,
                    fixed(fixed_cost, "fixed cost")?,
                );
                if ra <= 0 {
                    return config_err(format!("risk aversion {risk_aversion} rounds to zero in I80F48"));
                }
                let (c_f, ra_f, t_f, f_f) =
                    (c.to_num::<f64>(), ra.to_num::<f64>(), t.to_num::<f64>(), f.to_num::<f64>());
                Prepared {
                    policy,
                    hedge_policy: HedgePolicy::CostBenefit(CostBenefit {
                        cost: c,
                        risk_aversion: ra,
                        terminal: t,
                        expiry_aware,
                        fixed_cost: f,
                    }),
                    trigger: Trigger::CostBenefit {
                        coef: 1.5 * c_f / ra_f,
                        factor: t_f * c_f / ra_f,
                        expiry_aware,
                        fixed_coef: 12.0 * f_f / ra_f,
                        break_even_coef: if c_f > 0.0 { 2.0 * ra_f * f_f / (c_f * c_f) } else { 0.0 },
                    },
                }
            }
            Policy::DpOptimal { .. } => return config_err("the DP policy is prepared from its solved bands"),
            Policy::TimeInterval { interval_steps } => {
                if interval_steps == 0 {
                    return config_err("a time interval must be at least one decision step");
                }
                Prepared { policy, hedge_policy: zero_band, trigger: Trigger::Every { steps: interval_steps } }
            }
            Policy::PriceMove { move_fraction } => {
                if !(move_fraction >= 0.0) {
                    return config_err(format!("a price-move trigger must be >= 0, got {move_fraction}"));
                }
                Prepared { policy, hedge_policy: zero_band, trigger: Trigger::Move { fraction: move_fraction } }
            }
        })
    }
}
