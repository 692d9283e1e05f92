//! The Whalley-Wilmott band: the asymptotically optimal no-trade band of a
//! mean-variance hedger under proportional costs (Whalley & Wilmott 1997).
use crate::bs::{MAX_PRICE_INPUT, MAX_RATE, MAX_T_YEARS};
use crate::fx::{self, mul, ONE};
use crate::kernels::{exp_raw, ln_raw};
use crate::{MathError, I80F48};

/// ln(3/2) at 2^-64, rounded to nearest (ln 1.5 = 0.405465108108164381978...).
pub(crate) const LN_THREE_HALVES: i128 = 7_479_511_080_090_283_979;
/// 1/3 at 2^-64, truncated: relative error 2^-65.6 on an exponent of at most
/// ~130, so < 2^-58 relative on the width.
const ONE_THIRD: i128 = ONE / 3;

/// Whalley-Wilmott band half-width, units of underlying:
/// H = (3/2 * e^(-r*tau) * cost * S * Gamma^2 / risk_aversion)^(1/3).
///
/// Computed as e^((ln(3/2) + ln(cost S) + 2 ln|Gamma| - ln(risk_aversion) -
/// r tau) / 3): a sum of logarithms cannot overflow where the product
/// Gamma^2 S / risk_aversion would (a big pool's gamma squared), and needs
/// no division. Relative error below 2^-55 before the final rounding to the
/// nearest `I80F48`.
///
/// Zero cost or zero gamma gives a zero band. Errors: risk_aversion <= 0,
/// cost outside [0, 1], |rate| > 1 or tau > 100 years -> `InputOutOfRange`;
/// spot <= 0 -> `NonPositiveSpot`; a band beyond e^43 -> `Overflow`.
pub fn whalley_wilmott_half_width(
    cost: I80F48,
    risk_aversion: I80F48,
    spot: I80F48,
    gamma: I80F48,
    tau_years: I80F48,
    rate: I80F48,
) -> Result<I80F48, MathError> {
    if risk_aversion <= 0 || !(I80F48::ZERO..=I80F48::ONE).contains(&cost) {
        return Err(MathError::InputOutOfRange);
    }
    if spot <= 0 {
        return Err(MathError::NonPositiveSpot);
    }
    if spot > MAX_PRICE_INPUT || tau_years > MAX_T_YEARS || rate.unsigned_abs() > MAX_RATE.unsigned_abs() {
        return Err(MathError::InputOutOfRange);
    }
    let gamma = gamma.checked_abs().ok_or(MathError::InputOutOfRange)?;
    if cost == 0 || gamma == 0 {
        return Ok(I80F48::ZERO);
    }
    let tau = tau_years.max(I80F48::ZERO);
    // cost <= 1 and spot <= 2^40, so cost * spot fits the 2^63 raw range; the
    // product's rounding (2^-65 absolute) is relative 2^-65 / (cost S), far
    // below the API ulp for any cost and spot a pool would configure.
    let cost_spot = mul(fx::from_api(cost)?, fx::from_api(spot)?)?;
    if cost_spot == 0 {
        return Ok(I80F48::ZERO);
    }
    let ln_gamma = ln_raw(fx::from_api(gamma)?)?;
    let ln_risk_aversion = ln_raw(fx::from_api(risk_aversion)?)?;
    let r_tau = mul(fx::from_api(rate)?, fx::from_api(tau)?)?; // |r tau| <= 100
                                                               // Each term is below ~45 in magnitude (raws are below 2^63 and above
                                                               // 2^-64), so the sum stays far inside the raw range.
    let ln_cube = LN_THREE_HALVES + ln_raw(cost_spot)? + 2 * ln_gamma - ln_risk_aversion - r_tau;
    Ok(fx::to_api(exp_raw(mul(ln_cube, ONE_THIRD)?)?))
}
