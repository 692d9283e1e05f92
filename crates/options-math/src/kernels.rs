//! Elementary functions in fixed point: ln, exp, sqrt, cbrt and the normal
//! CDF/PDF. Internally on 64-fractional-bit raws (`fx`); the public wrappers
//! take and return `I80F48`, rounded to nearest.
//!
//! Error bounds (absolute, at the 2^-64 internal scale, before the final
//! rounding to the API): ln and exp are table-driven with a reduced argument
//! below 2^-7.5 and a series cut where its tail is below 2^-65 (one bit
//! under the internal resolution, every term a Horner step on SBF); norm_cdf is a
//! piecewise Taylor polynomial whose truncation error is below 2^-64 by
//! Cramer's inequality (see tools/gen_tables.py). No divisions here.
use crate::fx::{self, horner_i64, mul, mul_i64, mul_narrow, shr_round, ONE};
use crate::tables::*;
use crate::{MathError, I80F48};

/// A table of 128-bit raws as 64-bit words (compile-time error if one does
/// not fit): the polynomial loops run on 64-bit words.
const fn narrow<const N: usize>(wide: &[i128]) -> [i64; N] {
    let mut out = [0i64; N];
    let mut i = 0;
    while i < N {
        assert!(wide[i] >= i64::MIN as i128 && wide[i] <= i64::MAX as i128);
        out[i] = wide[i] as i64;
        i += 1;
    }
    out
}

/// `narrow` in reverse order (the tables list the lowest degree first,
/// Horner's rule wants the highest).
const fn narrow_reversed<const N: usize>(wide: &[i128]) -> [i64; N] {
    let forward: [i64; N] = narrow(wide);
    let mut out = [0i64; N];
    let mut i = 0;
    while i < N {
        out[i] = forward[N - 1 - i];
        i += 1;
    }
    out
}

/// ln(1+u) = u - u^2/2 + ... to degree 6: |u| < 2^-8.9, so the tail
/// |u|^7/7 is below 2^-65. Coefficients 1/6 .. 1/3 (LN1P_COEF[2..6]),
/// highest degree first.
const LN1P_INNER: [i64; 4] = narrow_reversed(LN1P_COEF.split_at(2).1.split_at(4).0);
/// e^r to degree 6: |r| <= 2^-7.5, so the tail r^7/7! is below 2^-64.8.
/// Coefficients 1/6! .. 1/6 (EXP_COEF[3..7]), highest degree first (1/2 is
/// 2^63: one past i64).
const EXP_INNER: [i64; 4] = narrow_reversed(EXP_COEF.split_at(3).1.split_at(4).0);
/// 64/ln 2 at 2^24, rounded: exp's table index on 64-bit words.
const INV_LN2_X24: i64 = 1_549_082_005;

/// Largest x with e^x below 2^63 (the internal integer range), rounded down.
const EXP_MAX: i128 = 43 * ONE;
/// Below this e^x < 2^-66: rounds to zero at the internal scale.
const EXP_MIN: i128 = -46 * ONE;
/// Beyond |x| = 10 the normal tail is below 2^-76.
const CDF_SATURATION: i128 = 10 * ONE;

/// Natural log of x > 0 (raw). |error| < 2^-62 (plus 2^-64 relative from
/// truncating inputs above 2 to 64 significant bits).
pub(crate) fn ln_raw(x: i128) -> Result<i128, MathError> {
    if x <= 0 {
        return Err(MathError::InputOutOfRange);
    }
    let ux = x as u128;
    // x = v * 2^e with v in [1, 2) at 64 fractional bits.
    let e = 63 - fx::leading_zeros(ux) as i32;
    let v = if e >= 0 { ux >> e } else { ux << -e } as i128;
    let j = ((v >> 56) & 0xff) as usize;
    // v * c - 1 with v = 1 + v' in [1, 2) and c < 1: c + v' c - 1 (one
    // narrow product instead of a wide one, the same value bit for bit)
    let u = LN_C[j] + mul_narrow(v - ONE, LN_C[j]) - ONE; // |u| < 2^-8.9
                                                          // ln(1+u) = u (1 + u (-1/2 + u (1/3 + ...))): the inner terms on 64-bit
                                                          // words, the last two (partial sums near -1/2 and 1) on 128
    let p = horner_i64(&LN1P_INNER, u as i64);
    let p = mul(mul_i64(p, u as i64) as i128 + LN1P_COEF[1], u)? + LN1P_COEF[0];
    let ln_v = mul(p, u)? + NEG_LN_C[j];
    // e * ln2 at 2^120, |e| <= 64, then back to 2^64 with rounding; ln 2 at
    // 2^120 is hi 2^64 + lo with hi < 2^56, so |e| hi is one native multiply
    // and |e| lo one 64 x 64 product (no 128 x 128 `__multi3`): the same
    // value bit for bit
    let (hi, lo) = ((LN2_X120 >> 64) as u64, LN2_X120 as u64);
    let magnitude = e.unsigned_abs() as u64;
    let e_ln2 = (((magnitude * hi) as u128) << 64) + fx::mul_64(magnitude, lo);
    let e_ln2 = {
        let m = shr_round(e_ln2, 56) as i128;
        if e < 0 {
            -m
        } else {
            m
        }
    };
    Ok(ln_v + e_ln2)
}

/// e^x (raw). Relative error < 2^-62; zero below e^-46; Overflow above e^43.
pub(crate) fn exp_raw(x: i128) -> Result<i128, MathError> {
    if x > EXP_MAX {
        return Err(MathError::Overflow);
    }
    if x < EXP_MIN {
        return Ok(0);
    }
    // x = (64k + j) ln2/64 + r, |r| <= ln2/128 (1 + 2^-16).
    // kk = round(x * 64/ln2) on 64-bit words, from x at 2^24 (|x| < 2^30)
    // and 64/ln2 at 2^24 (< 2^31): off by one only within 2^-17 of a tie,
    // where r is still inside the range the polynomial is good for.
    let kk = (((x >> 40) as i64 * INV_LN2_X24 + (1 << 47)) >> 48) as i128; // |kk| < 2^12
    let kk_ln2 = kk * LN2_OVER_64_X110; // exact product at 2^110
    let kk_ln2 = {
        let m = shr_round(kk_ln2.unsigned_abs(), 46) as i128;
        if kk_ln2 < 0 {
            -m
        } else {
            m
        }
    };
    let r = x - kk_ln2;
    // e^r = 1 + r (1 + r (1/2 + r (1/6 + ...))): the inner terms on 64-bit
    // words, the last three (partial sums near 1/2 and 1) on 128
    let p = horner_i64(&EXP_INNER, r as i64);
    let p = mul(mul(mul_i64(p, r as i64) as i128 + EXP_COEF[2], r)? + EXP_COEF[1], r)? + EXP_COEF[0];
    let k = kk >> 6; // floor
    let j = (kk & 63) as usize;
    // 2^(j/64) p with 2^(j/64) = 1 + f, f < 1, and p = e^r in (0.99, 1.01):
    // p + f p, with f p as one narrow product (p = 1 + p' when p >= 1), the
    // same value bit for bit as the wide product
    let f = EXP2_J64[j] - ONE;
    let m = if p < ONE { p + mul_narrow(f, p) } else { p + f + mul_narrow(f, p - ONE) }; // in [1, 2.02)
    if k >= 0 {
        // m < 2^65.1 and k <= 62 (x <= 43): m << k < 2^127.1 - check.
        let k = k as u32;
        if fx::leading_zeros(m as u128) <= k {
            return Err(MathError::Overflow);
        }
        Ok(m << k)
    } else {
        Ok(shr_round(m as u128, (-k) as u32) as i128)
    }
}

/// Upper normal tail Q(y) = 1 - N(y) for y >= 0 (raw). |error| < 2^-63.
pub(crate) fn normal_tail_raw(y: i128) -> Result<i128, MathError> {
    debug_assert!(y >= 0);
    if y >= CDF_SATURATION {
        return Ok(0);
    }
    let i = (y >> 60) as usize; // interval of width 1/16
    let h = (y - (((2 * i as i128) + 1) << 59)) as i64; // y - centre, |h| <= 1/32
    let row = &Q_POLY[i];
    let start = Q_DEG + 1 - Q_LEN[i] as usize;
    // every partial sum but the last is below 2^63 (the last reaches
    // exactly 2^63 = Q(0) = 1/2): that one addition on 128-bit words
    let p = horner_i64(&row[start..Q_DEG], h);
    Ok(mul_i64(p, h) as i128 + row[Q_DEG] as i128)
}

/// Standard normal CDF N(x) (raw).
pub(crate) fn norm_cdf_raw(x: i128) -> Result<i128, MathError> {
    if x >= 0 {
        Ok(ONE - normal_tail_raw(x)?)
    } else {
        normal_tail_raw(-x)
    }
}

/// Standard normal density phi(x) = e^(-x^2/2)/sqrt(2 pi) (raw).
pub(crate) fn norm_pdf_raw(x: i128) -> Result<i128, MathError> {
    if x.unsigned_abs() > (CDF_SATURATION as u128) * 4 {
        return Ok(0); // e^-800: far below 2^-64
    }
    let ux = x.unsigned_abs();
    let half_x2 = if ux >> 64 == 0 {
        mul_narrow(ux as i128, ux as i128) >> 1
    } else {
        // |x| in [1, 40]: x^2 / 2 from x at 2^57 (one 64 x 64 product instead
        // of a 256-bit one); the truncation moves x^2/2 by < 2^-50, e^(-x^2/2)
        // by < 2^-50 relative, far below the greeks' bar
        let x57 = (ux >> 7) as u64;
        shr_round(fx::mul_64(x57, x57), 51) as i128
    };
    mul(exp_raw(-half_x2)?, INV_SQRT_2PI)
}

/// sqrt(x) for x >= 0 (raw), as x * (1/sqrt x).
pub(crate) fn sqrt_raw(x: i128) -> Result<i128, MathError> {
    match x {
        0 => Ok(0),
        x if x < 0 => Err(MathError::InputOutOfRange),
        x => mul(x, fx::rsqrt(x)?),
    }
}

/// Cube root of x >= 0 (raw) as e^(ln(x)/3); relative error < 2^-58.
pub(crate) fn cbrt_raw(x: i128) -> Result<i128, MathError> {
    const ONE_THIRD: i128 = ONE / 3; // truncated: relative 2^-63
    match x {
        0 => Ok(0),
        x if x < 0 => Err(MathError::InputOutOfRange),
        x => exp_raw(mul(ln_raw(x)?, ONE_THIRD)?),
    }
}

fn api(f: fn(i128) -> Result<i128, MathError>, x: I80F48) -> Result<I80F48, MathError> {
    f(fx::from_api(x)?).map(fx::to_api)
}

/// Natural logarithm; `InputOutOfRange` for x <= 0.
pub fn ln(x: I80F48) -> Result<I80F48, MathError> {
    api(ln_raw, x)
}

/// e^x; `Overflow` for x > 43 (the result would leave the internal range).
pub fn exp(x: I80F48) -> Result<I80F48, MathError> {
    api(exp_raw, x)
}

/// Square root; `InputOutOfRange` for x < 0.
pub fn sqrt(x: I80F48) -> Result<I80F48, MathError> {
    api(sqrt_raw, x)
}

/// Cube root; `InputOutOfRange` for x < 0.
pub fn cbrt(x: I80F48) -> Result<I80F48, MathError> {
    api(cbrt_raw, x)
}

/// Standard normal cumulative distribution function.
pub fn norm_cdf(x: I80F48) -> Result<I80F48, MathError> {
    api(norm_cdf_raw, x)
}

/// Standard normal probability density function.
pub fn norm_pdf(x: I80F48) -> Result<I80F48, MathError> {
    api(norm_pdf_raw, x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64) -> I80F48 {
        I80F48::from_num(x)
    }
    fn close(a: I80F48, b: f64, tol: f64) -> bool {
        (a.to_num::<f64>() - b).abs() <= tol * b.abs().max(1.0)
    }

    #[test]
    fn kernels_match_f64_to_double_precision() {
        // Coarse sanity only: the precise bar is checked against the mpmath
        // corpus in tests/accuracy.rs.
        for &x in &[1e-9, 0.01, 0.5, 0.999, 1.0, 1.0001, 2.0, 3.7, 1e3, 1e9] {
            let x = f(x).to_num::<f64>(); // the value actually represented
            assert!(close(ln(f(x)).unwrap(), x.ln(), 1e-13), "ln {x}");
            assert!(close(sqrt(f(x)).unwrap(), x.sqrt(), 1e-13), "sqrt {x}");
            assert!(close(cbrt(f(x)).unwrap(), x.cbrt(), 1e-13), "cbrt {x}");
        }
        for &x in &[-40.0, -10.0, -1.0, -1e-6, 0.0, 0.3, 1.0, 5.5, 20.0, 40.0] {
            let x = f(x).to_num::<f64>();
            assert!(close(exp(f(x)).unwrap(), x.exp(), 1e-13), "exp {x}");
        }
        assert_eq!(ln(f(0.0)), Err(MathError::InputOutOfRange));
        assert_eq!(ln(f(-1.0)), Err(MathError::InputOutOfRange));
        assert_eq!(exp(f(44.0)), Err(MathError::Overflow));
        assert_eq!(exp(f(-50.0)), Ok(I80F48::ZERO));
        assert_eq!(exp(I80F48::MAX), Err(MathError::InputOutOfRange));
        assert_eq!(sqrt(f(-1.0)), Err(MathError::InputOutOfRange));
        assert_eq!(norm_cdf(f(0.0)).unwrap(), f(0.5));
        assert_eq!(norm_cdf(f(12.0)).unwrap(), f(1.0));
        assert_eq!(norm_cdf(f(-12.0)).unwrap(), f(0.0));
        assert!(close(norm_pdf(f(0.0)).unwrap(), 0.3989422804014327, 1e-15));
    }
}
