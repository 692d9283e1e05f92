//! The hedge policies the lab compares, and how each maps onto the
//! program's `options_math::hedge` policies.
//!
//! The three band policies ARE the program's policies. The two triggers the
//! program does not offer (a clock and a price move) decide *when* to look;
//! when they fire, the trade itself is still `decide` with a zero band, i.e.
//! back to the target under the same floor and per-call cap.
use crate::{config_err, Result};
use options_math::hedge::HedgePolicy;
use options_math::I80F48;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    ThresholdToTarget,
    ThresholdToEdge,
    TimeInterval,
    PriceMove,
    WhalleyWilmott,
}

impl Family {
    pub const ALL: [Family; 5] = [
        Family::ThresholdToTarget,
        Family::ThresholdToEdge,
        Family::TimeInterval,
        Family::PriceMove,
        Family::WhalleyWilmott,
    ];

    /// Stable name used in tables, JSON and the chart legend.
    pub fn name(self) -> &'static str {
        match self {
            Family::ThresholdToTarget => "threshold-to-target",
            Family::ThresholdToEdge => "threshold-to-edge",
            Family::TimeInterval => "time-interval",
            Family::PriceMove => "price-move",
            Family::WhalleyWilmott => "whalley-wilmott",
        }
    }

    /// The swept parameter and its unit.
    pub fn param(self) -> (&'static str, &'static str) {
        match self {
            Family::ThresholdToTarget | Family::ThresholdToEdge => ("band", "underlying"),
            Family::TimeInterval => ("interval", "minutes"),
            Family::PriceMove => ("move", "fraction of spot"),
            Family::WhalleyWilmott => ("risk_aversion", "1/quote"),
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
}

impl Policy {
    pub fn family(&self) -> Family {
        match self {
            Policy::ThresholdToTarget { .. } => Family::ThresholdToTarget,
            Policy::ThresholdToEdge { .. } => Family::ThresholdToEdge,
            Policy::TimeInterval { .. } => Family::TimeInterval,
            Policy::PriceMove { .. } => Family::PriceMove,
            Policy::WhalleyWilmott { .. } => Family::WhalleyWilmott,
        }
    }

    /// The swept parameter's value in its family's unit.
    pub fn param(&self, step_minutes: f64) -> f64 {
        match *self {
            Policy::ThresholdToTarget { band } | Policy::ThresholdToEdge { band } => band,
            Policy::TimeInterval { interval_steps } => interval_steps as f64 * step_minutes,
            Policy::PriceMove { move_fraction } => move_fraction,
            Policy::WhalleyWilmott { risk_aversion, .. } => risk_aversion,
        }
    }
}

/// When the engine asks `decide`, in f64 for a cheap pre-check.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Trigger {
    /// Fixed band half-width (the exact f64 value of the I80F48 band).
    Band {
        band: f64,
    },
    /// WW: the band cubed is `coef` x (S Gamma^2 e^(-r tau)), coef = 1.5 cost / risk aversion.
    WhalleyWilmott {
        coef: f64,
    },
    Every {
        steps: usize,
    },
    Move {
        fraction: f64,
    },
}

/// A policy converted once to what the engine needs per step.
#[derive(Clone, Copy, Debug)]
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
