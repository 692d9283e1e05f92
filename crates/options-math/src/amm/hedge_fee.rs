//! What a trade's gamma costs the pool in hedging, priced into the trade.
//!
//! A pool that keeps its hedge inside a no-trade band of half-width H
//! around the target trades only when the hedge error, a Brownian motion
//! with variance rate (Gamma S sigma)^2, reaches an edge. A Brownian motion
//! reflected in a band of width 2H is pushed back at a long-run rate of
//! (Gamma S sigma)^2 / (2H) units of underlying per year, so the expected
//! hedging cost rate is
//!
//!   C(Gamma) = k S (Gamma S sigma)^2 / (2 H(Gamma))   quote per year,
//!
//! with k the proportional cost of a swap. Under Whalley-Wilmott the band
//! itself grows with gamma, H = (3/2 k S Gamma^2 / lambda)^(1/3), so C grows
//! as Gamma^(4/3): each extra unit of gamma costs more than the last. A
//! trade that moves the pool's gamma from G0 to G1 and lives tau years adds
//! (C(G1) - C(G0)) x tau of expected hedging cost; that is what it is
//! charged (times a share), and what a trade that removes gamma saves the
//! pool (paid back to it as a bounded discount).
//!
//! The model's approximations, stated: the band is WW's (floored at the
//! pool's `min_band`), not the cost-benefit band's terminal term, which only
//! widens the band near expiry (so this overstates the cost of the last
//! days a little); the pool's gamma is held at its post-trade value for the
//! option's life (gamma of the rest of the book moves too); sigma is the
//! trade's IV.
//!
//! Fixed point: logarithms and exponentials on the crate's kernels
//! (relative error ~1e-14); the one division is an exact-ish / 3 of a
//! logarithm.
use crate::kernels::{exp, ln};
use crate::{MathError, I80F48};

/// How the pool prices the hedging a trade causes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HedgeFeeParams {
    /// Proportional cost of a hedge swap, fraction of notional, in [0, 1]
    /// (the hedge policy's cost estimate).
    pub cost: I80F48,
    /// The hedge policy's absolute risk aversion, 1/quote; > 0.
    pub risk_aversion: I80F48,
    /// The pool's band floor, units of underlying (>= 0).
    pub min_band: I80F48,
    /// Share of the expected cost charged, >= 0 (1 = all of it).
    pub share: I80F48,
    /// Largest discount for a trade that removes gamma, as a share of the
    /// trade's other fees, in [0, 1]: the fee never goes below
    /// (1 - rebate_cap) x the other fees (and `min_fee`).
    pub rebate_cap: I80F48,
}

/// ln 2 in I80F48 (0.693147180559945309...), truncated.
const LN_2: I80F48 = I80F48::from_bits(195_103_586_505_167);

/// The logarithms a cost rate needs that do not depend on gamma: computed
/// once per trade, shared by the rates before and after it.
struct CostTerms {
    /// ln(k S) + 2 ln(S sigma) - ln 2: ln C = this + 2 ln Gamma - ln H.
    ln_base: I80F48,
    /// ln(3/2) + ln(k S) - ln(lambda): 3 ln H_WW = this + 2 ln Gamma.
    ln_ww_cube: I80F48,
    /// ln(min_band), or None without a floor.
    ln_floor: Option<I80F48>,
}

impl CostTerms {
    fn new(p: &HedgeFeeParams, spot: I80F48, sigma: I80F48) -> Result<Option<CostTerms>, MathError> {
        if sigma <= 0 || p.min_band < 0 || p.risk_aversion <= 0 || !(I80F48::ZERO..=I80F48::ONE).contains(&p.cost) {
            return Err(MathError::InputOutOfRange);
        }
        if spot <= 0 {
            return Err(MathError::NonPositiveSpot);
        }
        if p.cost == 0 {
            return Ok(None);
        }
        let ln_cost_spot = ln(p.cost)? + ln(spot)?;
        Ok(Some(CostTerms {
            ln_base: ln_cost_spot + (ln(spot)? + ln(sigma)?) * 2 - LN_2,
            ln_ww_cube: LN_THREE_HALVES + ln_cost_spot - ln(p.risk_aversion)?,
            ln_floor: if p.min_band > 0 { Some(ln(p.min_band)?) } else { None },
        }))
    }

    /// C(gamma): one logarithm and one exponential. The band is
    /// max(H_WW, min_band), compared in logarithms.
    fn rate(&self, gamma: I80F48) -> Result<I80F48, MathError> {
        if gamma <= 0 {
            return Ok(I80F48::ZERO);
        }
        let ln_gamma2 = ln(gamma)? * 2;
        let ln_ww = (self.ln_ww_cube + ln_gamma2) / 3;
        let ln_band = match self.ln_floor {
            Some(f) => ln_ww.max(f),
            None => ln_ww,
        };
        exp(self.ln_base + ln_gamma2 - ln_band)
    }
}

/// ln(3/2) in I80F48 (0.405465108108164381978...).
const LN_THREE_HALVES: I80F48 = I80F48::from_bits(114_128_281_861_729);

/// Expected hedging cost rate C(gamma), quote whole units per year, of a
/// pool whose net gamma is `gamma` (units of underlying per unit of spot,
/// at least 0) hedging in a band of half-width max(H_WW(gamma), min_band)
/// with H_WW = (3/2 k S gamma^2 / lambda)^(1/3).
///
/// In logarithms, ln C = ln(k S) + 2 ln(gamma S sigma) - ln 2 - ln H: each
/// term is the logarithm of a value the I80F48 range holds, so the sum
/// cannot overflow where (gamma S sigma)^2 of a large pool would.
///
/// Errors: sigma <= 0, risk aversion <= 0, cost outside [0, 1] or a
/// negative floor -> `InputOutOfRange`; spot <= 0 -> `NonPositiveSpot`; a
/// rate beyond e^43 -> `Overflow`.
pub fn hedge_cost_rate(p: &HedgeFeeParams, spot: I80F48, sigma: I80F48, gamma: I80F48) -> Result<I80F48, MathError> {
    match CostTerms::new(p, spot, sigma)? {
        None => Ok(I80F48::ZERO),
        Some(t) => t.rate(gamma),
    }
}

/// The expected hedging cost a trade adds over `tau_years`, quote whole
/// units: share x tau x (C(gamma_after) - C(gamma_before)). Negative when
/// the trade removes gamma (the cost it saves the pool). Nine kernel calls
/// (five logarithms shared by both rates, then one logarithm and one
/// exponential per rate).
pub fn marginal_hedge_cost(
    p: &HedgeFeeParams,
    spot: I80F48,
    sigma: I80F48,
    tau_years: I80F48,
    gamma_before: I80F48,
    gamma_after: I80F48,
) -> Result<I80F48, MathError> {
    if p.share <= 0 || tau_years <= 0 {
        return Ok(I80F48::ZERO);
    }
    let Some(terms) = CostTerms::new(p, spot, sigma)? else {
        return Ok(I80F48::ZERO);
    };
    let before = terms.rate(gamma_before)?;
    let after = terms.rate(gamma_after)?;
    (after - before).checked_mul(tau_years).and_then(|x| x.checked_mul(p.share)).ok_or(MathError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fx(x: f64) -> I80F48 {
        I80F48::from_num(x)
    }

    fn params() -> HedgeFeeParams {
        HedgeFeeParams {
            cost: fx(0.003),
            risk_aversion: fx(0.0001),
            min_band: I80F48::ZERO,
            share: I80F48::ONE,
            rebate_cap: fx(0.5),
        }
    }

    fn rate_f64(k: f64, lambda: f64, s: f64, sigma: f64, g: f64, min_band: f64) -> f64 {
        let h = (1.5 * k * s * g * g / lambda).cbrt().max(min_band);
        k * s * (g * s * sigma).powi(2) / (2.0 * h)
    }

    #[test]
    fn the_cost_rate_matches_its_closed_form() {
        for (s, sigma, g) in [(150.0, 0.8, 48.0), (150.0, 0.5, 1.0), (60_000.0, 0.6, 0.01), (1.0, 1.2, 5_000.0)] {
            let got = hedge_cost_rate(&params(), fx(s), fx(sigma), fx(g)).unwrap().to_num::<f64>();
            let want = rate_f64(0.003, 0.0001, s, sigma, g, 0.0);
            assert!((got / want - 1.0).abs() < 1e-10, "{s} {sigma} {g}: {got} vs {want}");
        }
        // with the floor binding the band is the floor
        let mut p = params();
        p.min_band = fx(1000.0);
        let got = hedge_cost_rate(&p, fx(150.0), fx(0.8), fx(48.0)).unwrap().to_num::<f64>();
        let want = rate_f64(0.003, 0.0001, 150.0, 0.8, 48.0, 1000.0);
        assert!((got / want - 1.0).abs() < 1e-10, "{got} vs {want}");
    }

    #[test]
    fn the_cost_grows_faster_than_gamma_so_each_unit_costs_more() {
        // C ~ Gamma^(4/3): doubling gamma multiplies the rate by 2^(4/3)
        let c1 = hedge_cost_rate(&params(), fx(150.0), fx(0.8), fx(10.0)).unwrap();
        let c2 = hedge_cost_rate(&params(), fx(150.0), fx(0.8), fx(20.0)).unwrap();
        let ratio = (c2 / c1).to_num::<f64>();
        assert!((ratio - 2f64.powf(4.0 / 3.0)).abs() < 1e-9, "{ratio}");
        let first = marginal_hedge_cost(&params(), fx(150.0), fx(0.8), fx(0.02), fx(0.0), fx(10.0)).unwrap();
        let second = marginal_hedge_cost(&params(), fx(150.0), fx(0.8), fx(0.02), fx(10.0), fx(20.0)).unwrap();
        assert!(second > first && first > 0);
    }

    #[test]
    fn removing_gamma_is_a_saving_and_a_round_trip_nets_zero() {
        let add = marginal_hedge_cost(&params(), fx(150.0), fx(0.8), fx(0.02), fx(10.0), fx(12.0)).unwrap();
        let remove = marginal_hedge_cost(&params(), fx(150.0), fx(0.8), fx(0.02), fx(12.0), fx(10.0)).unwrap();
        assert!(add > 0 && remove < 0);
        assert!((add + remove).abs() <= I80F48::DELTA * 4, "{add} {remove}");
    }

    #[test]
    fn no_share_no_time_or_no_gamma_costs_nothing_and_bad_inputs_are_refused() {
        let mut p = params();
        p.share = I80F48::ZERO;
        assert_eq!(marginal_hedge_cost(&p, fx(150.0), fx(0.8), fx(0.02), fx(0.0), fx(10.0)), Ok(I80F48::ZERO));
        assert_eq!(marginal_hedge_cost(&params(), fx(150.0), fx(0.8), fx(0.0), fx(0.0), fx(10.0)), Ok(I80F48::ZERO));
        assert_eq!(hedge_cost_rate(&params(), fx(150.0), fx(0.8), fx(0.0)), Ok(I80F48::ZERO));
        assert_eq!(hedge_cost_rate(&params(), fx(150.0), fx(0.0), fx(1.0)), Err(MathError::InputOutOfRange));
        let mut p = params();
        p.cost = fx(1.5);
        assert_eq!(hedge_cost_rate(&p, fx(150.0), fx(0.8), fx(1.0)), Err(MathError::InputOutOfRange));
        p.cost = I80F48::ZERO;
        assert_eq!(hedge_cost_rate(&p, fx(150.0), fx(0.8), fx(1.0)), Ok(I80F48::ZERO));
        assert_eq!(hedge_cost_rate(&params(), fx(0.0), fx(0.8), fx(1.0)), Err(MathError::NonPositiveSpot));
        let mut p = params();
        p.risk_aversion = I80F48::ZERO;
        assert_eq!(hedge_cost_rate(&p, fx(150.0), fx(0.8), fx(1.0)), Err(MathError::InputOutOfRange));
    }

    #[test]
    fn the_logarithm_constants_are_right() {
        assert!((LN_2.to_num::<f64>() - core::f64::consts::LN_2).abs() < 1e-14);
        assert!((LN_THREE_HALVES.to_num::<f64>() - 1.5f64.ln()).abs() < 1e-14);
    }

    #[test]
    fn the_band_is_whalley_wilmotts_floored_at_min_band() {
        // with the floor below WW's band it changes nothing; above, the rate
        // is the fixed band's k S (G S sigma)^2 / 2 floor
        let ww = crate::hedge::whalley_wilmott_half_width(
            fx(0.003),
            fx(0.0001),
            fx(150.0),
            fx(48.0),
            I80F48::ZERO,
            I80F48::ZERO,
        )
        .unwrap();
        let mut p = params();
        p.min_band = ww / 2;
        let floored_below = hedge_cost_rate(&p, fx(150.0), fx(0.8), fx(48.0)).unwrap();
        let plain = hedge_cost_rate(&params(), fx(150.0), fx(0.8), fx(48.0)).unwrap();
        assert_eq!(floored_below, plain);
        p.min_band = ww * 2;
        let floored_above = hedge_cost_rate(&p, fx(150.0), fx(0.8), fx(48.0)).unwrap().to_num::<f64>();
        assert!((floored_above / plain.to_num::<f64>() - 0.5).abs() < 1e-9, "{floored_above} vs {plain}");
    }
}
