//! When to rebalance the pool's delta hedge, and by how much.
//!
//! The program's `rebalance` and the client's hedge-policy lab (`oamm
//! simulate`) both call [`decide`], so the lab measures the policy the pool
//! really runs.
//!
//! A policy gives a no-trade band around the target hedge B* (its widths
//! below and above the target may differ); inside it nothing trades (never
//! pay fees to move dust), outside it the hedge moves back to the target or
//! toward it from the band edge:
//! - `DeltaThreshold`: fixed band, back to the target;
//! - `DeltaThresholdToEdge`: fixed band, to the edge;
//! - `WhalleyWilmott`: the asymptotically optimal band under proportional
//!   costs for a mean-variance hedger (Whalley & Wilmott 1997),
//!   H = (3/2 e^(-r tau) cost S Gamma^2 / risk_aversion)^(1/3). It widens
//!   where gamma is high, because there the delta runs away fastest and
//!   chasing it costs most, and narrows as gamma fades;
//! - `CostBenefit`: max(WW, the terminal term c k / (lambda S sigma^2 tau)),
//!   and optionally an allowance for each leg that expires before the rest
//!   (see [`cost_benefit`]): WW's band with the knowledge that expiry is
//!   coming.
//!
//! The edge policies trade to the edge, or `limits.retrace` of the way from
//! it back to the target: with a fixed cost per trade, trading to the edge
//! makes a tiny trade every time the hedge leaks out again.
//!
//! Every policy then gets the pool's floor (`min_band`) and the per-call cap
//! on the trade (`max_trade`; large hedges are split across calls).
//!
//! Units: hedge, target, bands and trades are units of underlying; gamma is
//! the pool's net gamma in units of underlying per unit of spot (contracts x
//! gamma per contract); spot in quote per unit of underlying; risk aversion
//! in 1/quote. Fixed point: the API is `I80F48`; the band widths are
//! computed on the crate's 64-fractional-bit raws and rounded to the nearest
//! `I80F48` once. Everything after the band (edges, trade, clamp) is exact
//! `I80F48` arithmetic and comparison, so `new_hedge - hedge == trade`
//! exactly.
pub mod cost_benefit;
mod ww;

pub use cost_benefit::{cost_benefit_band, CostBenefit, ExpiryBucket, UNBOUNDED};
pub use ww::whalley_wilmott_half_width;

use crate::{MathError, I80F48};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HedgePolicy {
    /// Trade when |hedge - target| > band, back to the target.
    DeltaThreshold { band: I80F48 },
    /// Trade when |hedge - target| > band, toward the target from the edge.
    DeltaThresholdToEdge { band: I80F48 },
    /// WW band half-width
    /// H = (3/2 * e^(-r*tau) * cost * S * Gamma^2 / risk_aversion)^(1/3).
    WhalleyWilmott {
        /// Proportional cost of a hedge trade as a fraction of its notional
        /// (0.003 = 30 bps), in [0, 1].
        cost: I80F48,
        /// Absolute risk aversion, 1/quote units; must be > 0.
        risk_aversion: I80F48,
    },
    /// max(WW, terminal x cost / (risk_aversion S sigma^2 tau)) from the
    /// book's expiry buckets (`HedgeInputs::buckets`); with `expiry_aware`,
    /// legs that expire before the last get their allowance; a fixed cost
    /// per trade adds its own band (see [`cost_benefit`]).
    CostBenefit(CostBenefit),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HedgeLimits {
    /// The band is never narrower than this (units of underlying, >= 0).
    pub min_band: I80F48,
    /// Largest |trade| per call (units of underlying, >= 0); 0 = unlimited.
    pub max_trade: I80F48,
    /// Edge policies: how far a trade goes from the crossed edge back toward
    /// the target, as a fraction of that side's width in [0, 1] (0 = to the
    /// edge, 1 = to the target). `DeltaThreshold` always goes to the target.
    pub retrace: I80F48,
}

impl HedgeLimits {
    /// A floor and a cap, trading to the edge.
    pub fn new(min_band: I80F48, max_trade: I80F48) -> HedgeLimits {
        HedgeLimits { min_band, max_trade, retrace: I80F48::ZERO }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HedgeInputs<'a> {
    /// Underlying the pool holds now.
    pub hedge: I80F48,
    /// Target hedge B*.
    pub target: I80F48,
    /// Pool net gamma, units of underlying per unit of spot; sign ignored.
    pub gamma: I80F48,
    /// Spot, quote per unit of underlying.
    pub spot: I80F48,
    /// Time to expiry the band discounts over, years; <= 0 counts as 0.
    pub tau_years: I80F48,
    /// Continuously compounded risk-free rate.
    pub rate: I80F48,
    /// The book by expiry (`CostBenefit` reads these, not `gamma` and
    /// `tau_years`; the other policies ignore them).
    pub buckets: &'a [ExpiryBucket],
}

/// The no-trade band: nothing trades while
/// target - below <= hedge <= target + above.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Band {
    pub below: I80F48,
    pub above: I80F48,
}

impl Band {
    pub fn symmetric(half_width: I80F48) -> Band {
        Band { below: half_width, above: half_width }
    }

    /// The wider side.
    pub fn widest(&self) -> I80F48 {
        self.below.max(self.above)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HedgeDecision {
    /// The band used (after the `min_band` floor).
    pub band: Band,
    /// Width of the side the hedge left the band by.
    pub crossed_width: I80F48,
    /// Hedge after the trade.
    pub new_hedge: I80F48,
    /// new_hedge - hedge, signed (+ buys underlying), after the `max_trade`
    /// clamp.
    pub trade: I80F48,
}

/// The band the policy asks for, each side floored at `limits.min_band`.
pub fn band(policy: &HedgePolicy, limits: &HedgeLimits, inputs: &HedgeInputs) -> Result<Band, MathError> {
    check_limits(limits)?;
    let policy_band = match *policy {
        HedgePolicy::DeltaThreshold { band } | HedgePolicy::DeltaThresholdToEdge { band } => {
            if band < 0 {
                return Err(MathError::InputOutOfRange);
            }
            Band::symmetric(band)
        }
        HedgePolicy::WhalleyWilmott { cost, risk_aversion } => Band::symmetric(whalley_wilmott_half_width(
            cost,
            risk_aversion,
            inputs.spot,
            inputs.gamma,
            inputs.tau_years,
            inputs.rate,
        )?),
        HedgePolicy::CostBenefit(ref p) => cost_benefit_band(p, inputs.spot, inputs.rate, inputs.buckets)?,
    };
    Ok(Band { below: policy_band.below.max(limits.min_band), above: policy_band.above.max(limits.min_band) })
}

fn check_limits(limits: &HedgeLimits) -> Result<(), MathError> {
    if limits.min_band < 0 || limits.max_trade < 0 || !(I80F48::ZERO..=I80F48::ONE).contains(&limits.retrace) {
        return Err(MathError::InputOutOfRange);
    }
    Ok(())
}

/// Whether and how to rebalance. `None`: the hedge is inside the band, do
/// not trade.
///
/// Otherwise the hedge moves to the target (`DeltaThreshold`) or from the
/// crossed edge `retrace` of the way back to the target (the others), by at
/// most `max_trade` when that is non-zero. The returned trade is never zero.
pub fn decide(
    policy: &HedgePolicy,
    limits: &HedgeLimits,
    inputs: &HedgeInputs,
) -> Result<Option<HedgeDecision>, MathError> {
    let band = band(policy, limits, inputs)?;
    let deviation = inputs.hedge.checked_sub(inputs.target).ok_or(MathError::Overflow)?;
    let (over, width) = if deviation > 0 && deviation > band.above {
        (true, band.above)
    } else if deviation < 0 && deviation.unsigned_abs() > band.below.unsigned_abs() {
        (false, band.below)
    } else {
        return Ok(None);
    };
    let goal = match policy {
        HedgePolicy::DeltaThreshold { .. } => inputs.target,
        _ => {
            // |deviation| > width >= 0, so the goal lies strictly between
            // the hedge and the target (or on the target) and the trade is
            // non-zero; width < |deviation| fits, so does width x retrace.
            let keep = width - width.checked_mul(limits.retrace).ok_or(MathError::Overflow)?;
            if over { inputs.target.checked_add(keep) } else { inputs.target.checked_sub(keep) }
                .ok_or(MathError::Overflow)?
        }
    };
    let mut trade = goal.checked_sub(inputs.hedge).ok_or(MathError::Overflow)?;
    if limits.max_trade > 0 {
        trade = trade.clamp(-limits.max_trade, limits.max_trade);
    }
    // trade lies between 0 and goal - hedge, so hedge + trade cannot overflow
    let new_hedge = inputs.hedge + trade;
    Ok(Some(HedgeDecision { band, crossed_width: width, new_hedge, trade }))
}

#[cfg(test)]
mod tests {
    use super::ww::LN_THREE_HALVES;
    use super::*;
    use crate::bs::MAX_PRICE_INPUT;
    use crate::fx::ONE;
    use crate::kernels::ln_raw;

    fn fx(s: &str) -> I80F48 {
        s.parse().unwrap()
    }

    fn ww(cost: &str, ra: &str, spot: &str, gamma: &str, tau: &str, rate: &str) -> Result<I80F48, MathError> {
        whalley_wilmott_half_width(fx(cost), fx(ra), fx(spot), fx(gamma), fx(tau), fx(rate))
    }

    fn assert_close(got: I80F48, want: I80F48, tol: &str) {
        let err = (got - want).abs();
        assert!(err <= fx(tol), "got {got}, want {want} (|error| {err} > {tol})");
    }

    fn no_limits() -> HedgeLimits {
        HedgeLimits::new(I80F48::ZERO, I80F48::ZERO)
    }

    fn inputs(hedge: &str, target: &str) -> HedgeInputs<'static> {
        HedgeInputs {
            hedge: fx(hedge),
            target: fx(target),
            gamma: fx("48"),
            spot: fx("150"),
            tau_years: fx("0.0191780821917808"),
            rate: I80F48::ZERO,
            buckets: &[],
        }
    }

    #[test]
    fn ln_three_halves_constant_matches_the_kernel() {
        let kernel = ln_raw(3 * ONE / 2).unwrap();
        assert!((kernel - LN_THREE_HALVES).abs() <= 4, "{kernel} vs {LN_THREE_HALVES}");
    }

    // Expected widths are hand-computed in 50-digit decimal from the values
    // the inputs parse to: a decimal such as 0.003 becomes the nearest
    // I80F48 (2^-49 away, relative 1e-12 for 0.001), which moves the width
    // far more than the kernels' own error, so the exact decimal answer is
    // not the right reference. Tolerance 1e-13: ~30 API ulps.
    const TOL: &str = "0.0000000000001";

    #[test]
    fn whalley_wilmott_matches_hand_computed_widths() {
        // Every input an exact binary fraction: 1.5 * 2^-8 * 128 * 16^2 / 0.375
        // = 512 = 8^3.
        assert_eq!(ww("0.00390625", "0.375", "128", "16", "0.1", "0").unwrap(), fx("8"));
        // 1.5 * 0.004 * 125 * 20^2 / 0.3 = 1000 = 10^3 in decimal; with 0.004
        // and 0.3 as parsed: 10.0000000000011052887...
        assert_close(ww("0.004", "0.3", "125", "20", "0.1", "0").unwrap(), fx("10.0000000000011052887"), TOL);
        // Negative gamma (a net short book) gives the same band.
        assert_close(ww("0.004", "0.3", "125", "-20", "0.1", "0").unwrap(), fx("10.0000000000011052887"), TOL);
        // Discounting: ~10 * e^(-0.05 * 0.5 / 3) = 9.91701292638985451735...
        assert_close(ww("0.004", "0.3", "125", "20", "0.5", "0.05").unwrap(), fx("9.91701292638985451735"), TOL);
        // The default lab book at the start: 1,000 ATM straddles, S 150,
        // gamma ~48, 30 bps: (1.5 * 0.003 * 150 * 48^2 / 0.001)^(1/3)
        // = ~1,555,200^(1/3) = 115.858726152629836178...
        assert_close(
            ww("0.003", "0.001", "150", "48", "0.0191780821917808", "0").unwrap(),
            fx("115.858726152629836178"),
            TOL,
        );
        // (1.5 * 0.0005 * 3000 * 2.5^2 * e^(-0.04 * 0.25) / 0.02)^(1/3)
        // = 8.86264183013219678037...
        assert_close(ww("0.0005", "0.02", "3000", "2.5", "0.25", "0.04").unwrap(), fx("8.86264183013219678037"), TOL);
    }

    #[test]
    fn whalley_wilmott_scales_as_the_cube_root() {
        // Exact binary inputs, so only the kernels' error remains:
        // 8x the risk aversion halves the band; 8x the cost doubles it;
        // 8x the gamma quadruples it.
        let base = ww("0.0009765625", "0.0078125", "100", "7", "0.1", "0").unwrap();
        assert_close(ww("0.0009765625", "0.0625", "100", "7", "0.1", "0").unwrap() * 2, base, TOL);
        assert_close(ww("0.0078125", "0.0078125", "100", "7", "0.1", "0").unwrap(), base * 2, TOL);
        assert_close(ww("0.0009765625", "0.0078125", "100", "56", "0.1", "0").unwrap(), base * 4, TOL);
    }

    #[test]
    fn whalley_wilmott_degenerate_and_bad_inputs() {
        assert_eq!(ww("0", "0.3", "125", "20", "0.1", "0"), Ok(I80F48::ZERO));
        assert_eq!(ww("0.004", "0.3", "125", "0", "0.1", "0"), Ok(I80F48::ZERO));
        // expired: no discounting, same as tau = 0
        assert_eq!(ww("0.004", "0.3", "125", "20", "-1", "0.05"), ww("0.004", "0.3", "125", "20", "0", "0.05"));
        assert_eq!(ww("0.004", "0", "125", "20", "0.1", "0"), Err(MathError::InputOutOfRange));
        assert_eq!(ww("0.004", "-1", "125", "20", "0.1", "0"), Err(MathError::InputOutOfRange));
        assert_eq!(ww("-0.001", "0.3", "125", "20", "0.1", "0"), Err(MathError::InputOutOfRange));
        assert_eq!(ww("1.5", "0.3", "125", "20", "0.1", "0"), Err(MathError::InputOutOfRange));
        assert_eq!(ww("0.004", "0.3", "0", "20", "0.1", "0"), Err(MathError::NonPositiveSpot));
        assert_eq!(ww("0.004", "0.3", "-5", "20", "0.1", "0"), Err(MathError::NonPositiveSpot));
        assert_eq!(ww("0.004", "0.3", "125", "20", "101", "0"), Err(MathError::InputOutOfRange));
        assert_eq!(ww("0.004", "0.3", "125", "20", "0.1", "2"), Err(MathError::InputOutOfRange));
        // gamma beyond the kernels' 2^63 range
        assert_eq!(ww("0.004", "0.3", "125", "10000000000000000000", "0.1", "0"), Err(MathError::InputOutOfRange));
        // A band of e^50: cube = 1.5 * 1 * 2^40 * (2^62)^2 / 2^-48, far past e^129.
        let huge = whalley_wilmott_half_width(
            fx("1"),
            I80F48::from_bits(1),
            MAX_PRICE_INPUT,
            I80F48::from_num(1u64 << 62),
            I80F48::ZERO,
            I80F48::ZERO,
        );
        assert_eq!(huge, Err(MathError::Overflow));
        // the most negative I80F48 has no absolute value
        let min_gamma =
            whalley_wilmott_half_width(fx("0.004"), fx("0.3"), fx("125"), I80F48::MIN, fx("0.1"), I80F48::ZERO);
        assert_eq!(min_gamma, Err(MathError::InputOutOfRange));
    }

    #[test]
    fn band_is_floored_at_min_band() {
        let limits = HedgeLimits::new(fx("12.5"), I80F48::ZERO);
        let inp = inputs("0", "0");
        assert_eq!(
            band(&HedgePolicy::DeltaThreshold { band: fx("3") }, &limits, &inp),
            Ok(Band::symmetric(fx("12.5")))
        );
        assert_eq!(
            band(&HedgePolicy::DeltaThresholdToEdge { band: fx("20") }, &limits, &inp),
            Ok(Band::symmetric(fx("20")))
        );
        let ww_policy = HedgePolicy::WhalleyWilmott { cost: fx("0.003"), risk_aversion: fx("0.001") };
        assert_close(band(&ww_policy, &limits, &inp).unwrap().above, fx("115.858726152629836178"), TOL);
        // a WW band below the floor (huge risk aversion) is lifted to it
        let tight = HedgePolicy::WhalleyWilmott { cost: fx("0.003"), risk_aversion: fx("1000000") };
        assert_eq!(band(&tight, &limits, &inp), Ok(Band::symmetric(fx("12.5"))));
        // zero gamma: the floor alone
        let flat = HedgeInputs { gamma: I80F48::ZERO, ..inp };
        assert_eq!(band(&ww_policy, &limits, &flat), Ok(Band::symmetric(fx("12.5"))));
    }

    #[test]
    fn band_rejects_negative_parameters() {
        let inp = inputs("0", "0");
        let ok = HedgePolicy::DeltaThreshold { band: fx("1") };
        assert_eq!(
            band(&HedgePolicy::DeltaThreshold { band: fx("-1") }, &no_limits(), &inp),
            Err(MathError::InputOutOfRange)
        );
        assert_eq!(
            band(&HedgePolicy::DeltaThresholdToEdge { band: fx("-1") }, &no_limits(), &inp),
            Err(MathError::InputOutOfRange)
        );
        let bad_floor = HedgeLimits::new(fx("-1"), I80F48::ZERO);
        assert_eq!(band(&ok, &bad_floor, &inp), Err(MathError::InputOutOfRange));
        let bad_cap = HedgeLimits::new(I80F48::ZERO, fx("-1"));
        assert_eq!(decide(&ok, &bad_cap, &inp), Err(MathError::InputOutOfRange));
    }

    #[test]
    fn inside_the_band_nothing_trades() {
        let p = HedgePolicy::DeltaThreshold { band: fx("10") };
        assert_eq!(decide(&p, &no_limits(), &inputs("109", "100")), Ok(None));
        assert_eq!(decide(&p, &no_limits(), &inputs("91", "100")), Ok(None));
        // exactly on the edge is inside
        assert_eq!(decide(&p, &no_limits(), &inputs("110", "100")), Ok(None));
        assert_eq!(decide(&p, &no_limits(), &inputs("90", "100")), Ok(None));
        // zero band, on target: nothing to do
        let zero = HedgePolicy::DeltaThreshold { band: I80F48::ZERO };
        assert_eq!(decide(&zero, &no_limits(), &inputs("100", "100")), Ok(None));
    }

    #[test]
    fn threshold_trades_back_to_the_target_and_edge_policies_to_the_nearest_edge() {
        let to_target = HedgePolicy::DeltaThreshold { band: fx("10") };
        let to_edge = HedgePolicy::DeltaThresholdToEdge { band: fx("10") };
        // over-hedged by 15
        let d = decide(&to_target, &no_limits(), &inputs("115", "100")).unwrap().unwrap();
        assert_eq!((d.band.above, d.new_hedge, d.trade), (fx("10"), fx("100"), fx("-15")));
        let d = decide(&to_edge, &no_limits(), &inputs("115", "100")).unwrap().unwrap();
        assert_eq!((d.band.above, d.new_hedge, d.trade), (fx("10"), fx("110"), fx("-5")));
        // under-hedged by 15, target negative (net short puts)
        let d = decide(&to_target, &no_limits(), &inputs("-65", "-50")).unwrap().unwrap();
        assert_eq!((d.new_hedge, d.trade), (fx("-50"), fx("15")));
        let d = decide(&to_edge, &no_limits(), &inputs("-65", "-50")).unwrap().unwrap();
        assert_eq!((d.new_hedge, d.trade), (fx("-60"), fx("5")));
        // WW also trades to its edge: band 10 at these inputs
        let ww_policy = HedgePolicy::WhalleyWilmott { cost: fx("0.004"), risk_aversion: fx("0.3") };
        let inp = HedgeInputs {
            hedge: fx("85"),
            target: fx("100"),
            gamma: fx("20"),
            spot: fx("125"),
            tau_years: fx("0.1"),
            rate: I80F48::ZERO,
            buckets: &[],
        };
        let d = decide(&ww_policy, &no_limits(), &inp).unwrap().unwrap();
        assert_close(d.band.below, fx("10.0000000000011052887"), TOL);
        assert_eq!(d.new_hedge, fx("100") - d.band.below);
        assert_eq!(d.trade, d.new_hedge - fx("85"));
        // ...and stays put inside it
        let inside = HedgeInputs { hedge: fx("91"), ..inp };
        assert_eq!(decide(&ww_policy, &no_limits(), &inside), Ok(None));
    }

    #[test]
    fn max_trade_clamps_the_trade_in_both_directions() {
        let limits = HedgeLimits::new(I80F48::ZERO, fx("4"));
        let to_target = HedgePolicy::DeltaThreshold { band: fx("10") };
        let d = decide(&to_target, &limits, &inputs("115", "100")).unwrap().unwrap();
        assert_eq!((d.new_hedge, d.trade), (fx("111"), fx("-4")));
        let d = decide(&to_target, &limits, &inputs("80", "100")).unwrap().unwrap();
        assert_eq!((d.new_hedge, d.trade), (fx("84"), fx("4")));
        // a trade already below the cap is untouched
        let to_edge = HedgePolicy::DeltaThresholdToEdge { band: fx("10") };
        let d = decide(&to_edge, &limits, &inputs("113", "100")).unwrap().unwrap();
        assert_eq!((d.new_hedge, d.trade), (fx("110"), fx("-3")));
    }

    #[test]
    fn min_band_floor_stops_dust_trades() {
        let limits = HedgeLimits::new(fx("5"), I80F48::ZERO);
        let p = HedgePolicy::DeltaThreshold { band: fx("1") };
        assert_eq!(decide(&p, &limits, &inputs("104", "100")), Ok(None));
        let d = decide(&p, &limits, &inputs("106", "100")).unwrap().unwrap();
        assert_eq!((d.band, d.trade), (Band::symmetric(fx("5")), fx("-6")));
    }

    #[test]
    fn extreme_values_error_instead_of_panicking() {
        let p = HedgePolicy::DeltaThreshold { band: fx("1") };
        let inp = HedgeInputs { hedge: I80F48::MAX, target: fx("-1"), ..inputs("0", "0") };
        assert_eq!(decide(&p, &no_limits(), &inp), Err(MathError::Overflow));
        let inp = HedgeInputs { hedge: I80F48::MIN, target: fx("1"), ..inputs("0", "0") };
        assert_eq!(decide(&p, &no_limits(), &inp), Err(MathError::Overflow));
        // Once the deviation fits, the edge and the trade lie between hedge
        // and target, so they fit too.
        let edge = HedgePolicy::DeltaThresholdToEdge { band: fx("10") };
        let inp = HedgeInputs { hedge: I80F48::MIN, target: I80F48::MIN + fx("20"), ..inputs("0", "0") };
        let d = decide(&edge, &no_limits(), &inp).unwrap().unwrap();
        assert_eq!((d.new_hedge, d.trade), (I80F48::MIN + fx("10"), fx("10")));
    }

    #[test]
    fn retrace_goes_part_of_the_way_back_to_the_target() {
        let mut limits = no_limits();
        limits.retrace = fx("0.625");
        let to_edge = HedgePolicy::DeltaThresholdToEdge { band: fx("16") };
        // over by 30: edge at 116, 0.625 x 16 = 10 of the way back -> 106
        let d = decide(&to_edge, &limits, &inputs("130", "100")).unwrap().unwrap();
        assert_eq!((d.new_hedge, d.trade, d.crossed_width), (fx("106"), fx("-24"), fx("16")));
        let d = decide(&to_edge, &limits, &inputs("70", "100")).unwrap().unwrap();
        assert_eq!((d.new_hedge, d.trade), (fx("94"), fx("24")));
        // retrace 1 is the target; DeltaThreshold ignores retrace
        limits.retrace = I80F48::ONE;
        assert_eq!(decide(&to_edge, &limits, &inputs("130", "100")).unwrap().unwrap().new_hedge, fx("100"));
        limits.retrace = fx("0.5");
        let to_target = HedgePolicy::DeltaThreshold { band: fx("16") };
        assert_eq!(decide(&to_target, &limits, &inputs("130", "100")).unwrap().unwrap().new_hedge, fx("100"));
        // outside [0, 1]: refused
        for bad in ["-0.01", "1.01"] {
            limits.retrace = fx(bad);
            assert_eq!(decide(&to_edge, &limits, &inputs("130", "100")), Err(MathError::InputOutOfRange));
        }
    }

    #[test]
    fn an_asymmetric_band_trades_to_the_side_it_crossed() {
        // An early leg (0.0002 y, delta +400) widens the band below the
        // target by its allowance (156.25) less the quarter of the core it
        // overlaps; above, only the core.
        let buckets = [
            ExpiryBucket { delta: fx("400"), gamma: fx("30"), tau_years: fx("0.0002"), vol: fx("0.8") },
            ExpiryBucket { delta: fx("-10"), gamma: fx("20"), tau_years: fx("0.0383561643835616"), vol: fx("0.8") },
        ];
        let policy = HedgePolicy::CostBenefit(CostBenefit {
            cost: fx("0.003"),
            risk_aversion: fx("0.001"),
            terminal: I80F48::ONE,
            expiry_aware: true,
            fixed_cost: I80F48::ZERO,
        });
        let at = |hedge: I80F48| HedgeInputs {
            hedge,
            target: fx("30"),
            spot: fx("150"),
            buckets: &buckets,
            ..inputs("0", "0")
        };
        let b = band(&policy, &no_limits(), &at(fx("30"))).unwrap();
        let extension = fx("156.25") - b.above / 4;
        assert!((b.below - b.above - extension).abs() < fx("0.01"), "{b:?}");
        // a hedge below the target by more than the core but within the
        // extended side stays put; the same distance above trades
        let gap = b.above + fx("5");
        assert_eq!(decide(&policy, &no_limits(), &at(fx("30") - gap)), Ok(None));
        let d = decide(&policy, &no_limits(), &at(fx("30") + gap)).unwrap().unwrap();
        assert_eq!((d.new_hedge, d.crossed_width), (fx("30") + b.above, b.above));
        // far below: to the lower edge
        let d = decide(&policy, &no_limits(), &at(fx("-300"))).unwrap().unwrap();
        assert_eq!((d.new_hedge, d.crossed_width), (fx("30") - b.below, b.below));
    }

    #[test]
    fn an_unbounded_band_never_trades_and_never_overflows() {
        let policy = HedgePolicy::CostBenefit(CostBenefit {
            cost: fx("0.003"),
            risk_aversion: fx("0.001"),
            terminal: I80F48::ONE,
            expiry_aware: false,
            fixed_cost: I80F48::ZERO,
        });
        let expiring = [ExpiryBucket { delta: fx("500"), gamma: fx("48"), tau_years: I80F48::ZERO, vol: fx("0.8") }];
        for hedge in [I80F48::MIN + fx("1000"), I80F48::MAX - fx("1000")] {
            let inp = HedgeInputs { hedge, target: fx("500"), buckets: &expiring, ..inputs("0", "0") };
            assert_eq!(decide(&policy, &no_limits(), &inp), Ok(None));
        }
    }
}
