//! European Black-Scholes(-Merton) price and greeks in fixed point.
//!
//! All intermediate values are 64-fractional-bit raws (`fx`); inputs are
//! taken exactly from `I80F48` and results are rounded to the nearest
//! `I80F48`. No divisions: 1/S, 1/vol and 1/sqrt(T) are Newton iterations.
//!
//! Supported domain (anything else is a clean `MathError`, never a panic):
//! 0 < spot, strike <= 2^40; vol in (0, 10]; |rate|, |yield| <= 1;
//! t_years <= 100. t_years <= 0 means expired: the price is the intrinsic
//! value, delta is 1/0 (1/2 exactly at the money), the other greeks are 0.
use crate::fx::{self, mul, ONE};
use crate::kernels::{exp_raw, ln_raw, norm_cdf_neg_raw, norm_cdf_raw, norm_pdf_raw};
use crate::{MathError, I80F48};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OptionKind {
    Call,
    Put,
}

/// Price and greeks per one unit of underlying. Units: delta per unit of
/// spot, gamma per unit of spot squared, vega per 1.00 of vol, theta per
/// year (calendar decay, negative for a long option), rho per 1.00 of rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Greeks {
    pub price: I80F48,
    pub delta: I80F48,
    pub gamma: I80F48,
    pub vega: I80F48,
    pub theta: I80F48,
    pub rho: I80F48,
}

/// Largest spot or strike accepted (2^40 ~ 1.1e12 quote units).
pub const MAX_PRICE_INPUT: I80F48 = I80F48::from_bits(1i128 << (40 + 48));
/// Largest volatility accepted (1000%).
pub const MAX_VOL: I80F48 = I80F48::from_bits(10i128 << 48);
/// Largest time to expiry accepted, in years.
pub const MAX_T_YEARS: I80F48 = I80F48::from_bits(100i128 << 48);
/// Largest |rate| and |dividend yield| accepted (100% a year).
pub const MAX_RATE: I80F48 = I80F48::from_bits(1i128 << 48);

/// Black-Scholes price and greeks of a European option (no dividends).
pub fn price_and_greeks(
    kind: OptionKind,
    spot: I80F48,
    strike: I80F48,
    t_years: I80F48,
    vol: I80F48,
    rate: I80F48,
) -> Result<Greeks, MathError> {
    price_and_greeks_with_yield(kind, spot, strike, t_years, vol, rate, I80F48::ZERO)
}

/// Black-Scholes-Merton with a continuous dividend (or foreign-rate) yield.
pub fn price_and_greeks_with_yield(
    kind: OptionKind,
    spot: I80F48,
    strike: I80F48,
    t_years: I80F48,
    vol: I80F48,
    rate: I80F48,
    dividend_yield: I80F48,
) -> Result<Greeks, MathError> {
    let both = call_and_put_with_yield(spot, strike, t_years, vol, rate, dividend_yield)?;
    Ok(match kind {
        OptionKind::Call => both.0,
        OptionKind::Put => both.1,
    })
}

/// Call and put together: they share every expensive step (two ln, two exp,
/// two CDFs), so a straddle or a parity check costs one evaluation.
pub fn call_and_put(
    spot: I80F48,
    strike: I80F48,
    t_years: I80F48,
    vol: I80F48,
    rate: I80F48,
) -> Result<(Greeks, Greeks), MathError> {
    call_and_put_with_yield(spot, strike, t_years, vol, rate, I80F48::ZERO)
}

fn validate(
    spot: I80F48,
    strike: I80F48,
    t_years: I80F48,
    vol: I80F48,
    rate: I80F48,
    dividend_yield: I80F48,
) -> Result<(), MathError> {
    if spot <= 0 {
        return Err(MathError::NonPositiveSpot);
    }
    if strike <= 0 {
        return Err(MathError::NonPositiveStrike);
    }
    if vol <= 0 {
        return Err(MathError::NonPositiveVol);
    }
    if spot > MAX_PRICE_INPUT
        || strike > MAX_PRICE_INPUT
        || vol > MAX_VOL
        || t_years > MAX_T_YEARS
        || rate.unsigned_abs() > MAX_RATE.unsigned_abs()
        || dividend_yield.unsigned_abs() > MAX_RATE.unsigned_abs()
    {
        return Err(MathError::InputOutOfRange);
    }
    Ok(())
}

fn expired(spot: i128, strike: i128) -> (Greeks, Greeks) {
    let zero = I80F48::ZERO;
    let call_delta = match spot.cmp(&strike) {
        core::cmp::Ordering::Greater => ONE,
        core::cmp::Ordering::Equal => ONE / 2,
        core::cmp::Ordering::Less => 0,
    };
    let g = |price: i128, delta: i128| Greeks {
        price: fx::to_api(price),
        delta: fx::to_api(delta),
        gamma: zero,
        vega: zero,
        theta: zero,
        rho: zero,
    };
    (g((spot - strike).max(0), call_delta), g((strike - spot).max(0), call_delta - ONE))
}

/// Both kinds with a dividend yield; the kernel every other entry point uses.
pub fn call_and_put_with_yield(
    spot: I80F48,
    strike: I80F48,
    t_years: I80F48,
    vol: I80F48,
    rate: I80F48,
    dividend_yield: I80F48,
) -> Result<(Greeks, Greeks), MathError> {
    validate(spot, strike, t_years, vol, rate, dividend_yield)?;
    let s = fx::from_api(spot)?;
    let k = fx::from_api(strike)?;
    if t_years <= 0 {
        return Ok(expired(s, k));
    }
    let t = fx::from_api(t_years)?;
    let sigma = fx::from_api(vol)?;
    let r = fx::from_api(rate)?;
    let q = fx::from_api(dividend_yield)?;

    // 1/(sigma sqrt T) from the exact inputs: normalising inside recip and
    // rsqrt keeps full relative precision even for small sigma^2 T.
    let rsqrt_t = fx::rsqrt(t)?;
    let sqrt_t = mul(t, rsqrt_t)?;
    let inv_sd = mul(rsqrt_t, fx::recip(sigma)?)?;
    let sd = mul(sigma, sqrt_t)?;
    let inv_s = fx::recip(s)?;

    // d1 = (ln(S/K) + (r - q + sigma^2/2) T) / (sigma sqrt T)
    // ln S - ln K rather than ln(K * (1/S)): 1/S at 64 fractional bits keeps
    // only ~47 significant bits when S ~ 1e5, which would cost delta ~10 ulp.
    let ln_s_over_k = ln_raw(s)? - ln_raw(k)?;
    let drift = mul(r - q + (mul(sigma, sigma)? >> 1), t)?;
    // When sigma sqrt T is tiny, d1 can leave the internal range; N() is
    // saturated far before that, so saturate d1 instead of failing.
    let moneyness = ln_s_over_k + drift;
    let d1 = mul(moneyness, inv_sd).unwrap_or(if moneyness >= 0 { 64 * ONE } else { -64 * ONE });
    let d2 = d1 - sd;

    let discount = exp_raw(-mul(r, t)?)?; // e^{-rT}
    let carry = if q == 0 { ONE } else { exp_raw(-mul(q, t)?)? }; // e^{-qT}
    let s_fwd = mul(s, carry)?; // S e^{-qT}
    let k_disc = mul(k, discount)?; // K e^{-rT}

    let n_d1 = norm_cdf_raw(d1)?;
    let n_d2 = norm_cdf_raw(d2)?;
    let n_neg_d1 = norm_cdf_neg_raw(d1)?;
    let n_neg_d2 = norm_cdf_neg_raw(d2)?;
    let pdf_d1 = norm_pdf_raw(d1)?;

    let call_price = mul(s_fwd, n_d1)? - mul(k_disc, n_d2)?;
    let put_price = mul(k_disc, n_neg_d2)? - mul(s_fwd, n_neg_d1)?;

    // Shared greeks: S e^{-qT} phi(d1) appears in gamma, vega and theta.
    let s_pdf = mul(s_fwd, pdf_d1)?;
    let gamma = mul(mul(mul(carry, pdf_d1)?, inv_sd)?, inv_s)?;
    let vega = mul(s_pdf, sqrt_t)?;
    // sigma / (2 sqrt T) = sigma * rsqrt(T) / 2
    let decay = -mul(s_pdf, mul(sigma, rsqrt_t)? >> 1)?;
    let r_k_disc = mul(r, k_disc)?;
    let q_s_fwd = mul(q, s_fwd)?;
    let call_theta = decay - mul(r_k_disc, n_d2)? + mul(q_s_fwd, n_d1)?;
    let put_theta = decay + mul(r_k_disc, n_neg_d2)? - mul(q_s_fwd, n_neg_d1)?;
    let t_k_disc = mul(t, k_disc)?;
    let call_rho = mul(t_k_disc, n_d2)?;
    let put_rho = -mul(t_k_disc, n_neg_d2)?;

    let gamma = fx::to_api(gamma);
    let vega = fx::to_api(vega);
    Ok((
        Greeks {
            // Rounding can push a deep-OTM price a hair below zero; clamp.
            price: fx::to_api(call_price.max(0)),
            delta: fx::to_api(mul(carry, n_d1)?),
            gamma,
            vega,
            theta: fx::to_api(call_theta),
            rho: fx::to_api(call_rho),
        },
        Greeks {
            price: fx::to_api(put_price.max(0)),
            delta: fx::to_api(-mul(carry, n_neg_d1)?),
            gamma,
            vega,
            theta: fx::to_api(put_theta),
            rho: fx::to_api(put_rho),
        },
    ))
}
