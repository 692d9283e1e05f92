//! Internal fixed point: an `i128` raw value scaled by 2^64 (64 fractional
//! bits, 16 more than the `I80F48` API) so the kernels keep their error well
//! below one API ulp. Integer range is +-2^63.
//!
//! Rounding: every multiply rounds to nearest (ties away from zero), so errors
//! do not drift in one direction. The pool-favouring rounding happens where
//! values become token amounts (`units`), not here.
//!
//! No division anywhere: reciprocals and reciprocal square roots are Newton
//! iterations on a normalised mantissa (128-bit division is the most expensive
//! thing SBF does).
use crate::tables::{RECIP_SEED, RSQRT_SEED};
use crate::{MathError, I80F48};

pub(crate) const ONE: i128 = 1 << 64;
const LO64: u128 = u64::MAX as u128;

/// Counters of wide multiplications and divisions, the proxy for SBF compute
/// units (feature `op-count`; compiled out otherwise).
#[cfg(feature = "op-count")]
pub mod op_count {
    use core::sync::atomic::{AtomicU32, Ordering};
    pub(crate) static WIDE_MULS: AtomicU32 = AtomicU32::new(0);
    pub(crate) static NARROW_MULS: AtomicU32 = AtomicU32::new(0);
    /// Zero the counters (they are global: count on one thread).
    pub fn reset() {
        WIDE_MULS.store(0, Ordering::Relaxed);
        NARROW_MULS.store(0, Ordering::Relaxed);
    }
    /// (fixed-point multiplies needing a 256-bit product, multiplies whose
    /// operands fit 64 bits and need one 128-bit product). The kernels do no
    /// divisions at all, so there is no division counter.
    pub fn read() -> (u32, u32) {
        (WIDE_MULS.load(Ordering::Relaxed), NARROW_MULS.load(Ordering::Relaxed))
    }
}

#[inline(always)]
fn count(wide: bool) {
    #[cfg(feature = "op-count")]
    {
        use core::sync::atomic::Ordering;
        if wide {
            op_count::WIDE_MULS.fetch_add(1, Ordering::Relaxed);
        } else {
            op_count::NARROW_MULS.fetch_add(1, Ordering::Relaxed);
        }
    }
    #[cfg(not(feature = "op-count"))]
    let _ = wide;
}

/// Full 128 x 128 -> 256-bit unsigned product as (high, low).
#[inline]
pub(crate) fn wide_mul(a: u128, b: u128) -> (u128, u128) {
    let (a1, a0) = (a >> 64, a & LO64);
    let (b1, b0) = (b >> 64, b & LO64);
    let p00 = a0 * b0;
    if a1 == 0 && b1 == 0 {
        count(false);
        return (0, p00);
    }
    count(true);
    let (mid, c1) = (a0 * b1).overflowing_add(a1 * b0);
    let (mid, c2) = mid.overflowing_add(p00 >> 64);
    let lo = (mid << 64) | (p00 & LO64);
    let hi = a1 * b1 + (mid >> 64) + (((c1 as u128) + (c2 as u128)) << 64);
    (hi, lo)
}

/// a * b at 64 fractional bits, rounded to nearest.
#[inline]
pub(crate) fn mul(a: i128, b: i128) -> Result<i128, MathError> {
    let negative = (a < 0) != (b < 0);
    let (hi, lo) = wide_mul(a.unsigned_abs(), b.unsigned_abs());
    let (lo, carry) = lo.overflowing_add(1 << 63);
    let hi = hi + carry as u128;
    if hi >> 63 != 0 {
        return Err(MathError::Overflow);
    }
    let magnitude = ((hi << 64) | (lo >> 64)) as i128;
    Ok(if negative { -magnitude } else { magnitude })
}

/// Right shift with round-to-nearest; `shift` may be >= 128 (gives 0).
#[inline]
pub(crate) fn shr_round(x: u128, shift: u32) -> u128 {
    match shift {
        0 => x,
        1..=127 => (x >> shift) + ((x >> (shift - 1)) & 1),
        _ => 0,
    }
}

/// The exact `I80F48` value as a 64-fraction-bit raw, if it fits (+-2^63).
pub(crate) fn from_api(x: I80F48) -> Result<i128, MathError> {
    let bits = x.to_bits();
    if bits.unsigned_abs() >> 111 != 0 {
        return Err(MathError::InputOutOfRange);
    }
    Ok(bits << 16)
}

/// Round a 64-fraction-bit raw to the nearest `I80F48` (ties away from zero).
pub(crate) fn to_api(x: i128) -> I80F48 {
    let magnitude = shr_round(x.unsigned_abs(), 16) as i128;
    I80F48::from_bits(if x < 0 { -magnitude } else { magnitude })
}

/// (a * b) >> shift, truncated, for 64 <= shift <= 128; the caller
/// guarantees the result fits 128 bits.
#[inline]
fn mul_shr(a: u128, b: u128, shift: u32) -> u128 {
    let (hi, lo) = wide_mul(a, b);
    if shift == 128 {
        hi
    } else {
        (hi << (128 - shift)) | (lo >> shift)
    }
}

/// 1/x for x > 0, relative error < 2^-120 before the final rounding.
///
/// x = v * 2^(64 - lz) with v = m / 2^128 in [1/2, 1); y ~ 1/v by Newton
/// y <- y (2 - v y) from a 2^-8 table seed: four steps (2^-16, 2^-32, 2^-64,
/// then the 2^-125 truncation floor).
pub(crate) fn recip(x: i128) -> Result<i128, MathError> {
    debug_assert!(x > 0);
    let ux = x as u128;
    let lz = ux.leading_zeros();
    // 1/x must stay below 2^63: x >= 2^-63, i.e. lz <= 125.
    if lz > 125 {
        return Err(MathError::Overflow);
    }
    let m = ux << lz;
    let mut y: u128 = (RECIP_SEED[((m >> 120) - 128) as usize] as u128) << 64; // scale 2^126
    for _ in 0..4 {
        let vy = mul_shr(m, y, 128); // v*y at 2^126, close to 1
        y = mul_shr(y, (2u128 << 126) - vy, 126);
    }
    // 1/x = y * 2^(lz - 64); raw (2^64 scale) = y_126 * 2^(lz - 126)
    Ok(shr_round(y, 126 - lz) as i128)
}

/// 1/sqrt(x) for x > 0, relative error < 2^-120 before the final rounding.
///
/// x = v * 2^(64 - s), s even, v = m / 2^128 in [1/4, 1); Newton
/// y <- y (3 - v y^2) / 2 from a 2^-8 seed: four steps (error 1.5 e^2 each).
pub(crate) fn rsqrt(x: i128) -> Result<i128, MathError> {
    debug_assert!(x > 0);
    let ux = x as u128;
    let s = ux.leading_zeros() & !1;
    let m = ux << s;
    let mut y: u128 = (RSQRT_SEED[((m >> 120) - 64) as usize] as u128) << 64; // scale 2^126
    for _ in 0..4 {
        // Newton never overshoots 1/sqrt(v) <= 2, so y^2 <= 4 fits at 2^125.
        let y2 = mul_shr(y, y, 127); // scale 2^125
        let vy2 = mul_shr(m, y2, 128); // v*y^2 at 2^125, close to 1
        y = mul_shr(y, (3u128 << 125) - vy2, 126); // includes the /2
    }
    // 1/sqrt(x) = y * 2^((s - 64)/2); raw = y_126 * 2^(s/2 - 94), s/2 <= 63.
    Ok(shr_round(y, 94 - s / 2) as i128)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(v: f64) -> i128 {
        (v * 18446744073709551616.0) as i128
    }

    #[test]
    fn mul_rounds_to_nearest_and_detects_overflow() {
        assert_eq!(mul(3 * ONE, ONE / 2).unwrap(), 3 * ONE / 2);
        assert_eq!(mul(-3 * ONE, ONE / 2).unwrap(), -3 * ONE / 2);
        // 1 raw unit * 0.5 = 0.5 raw unit, rounds away from zero to 1
        assert_eq!(mul(1, ONE / 2).unwrap(), 1);
        assert_eq!(mul(-1, ONE / 2).unwrap(), -1);
        assert_eq!(mul(1, ONE / 2 - 1).unwrap(), 0);
        assert_eq!(mul(1i128 << 126, 4 * ONE), Err(MathError::Overflow));
        // wide operands
        assert_eq!(mul(1i128 << 100, 1i128 << 80).unwrap(), 1i128 << 116);
        // times exactly one is the identity (the kernels skip that multiply)
        for x in [0i128, 1, -1, 12345, -(1 << 70) - 7, (1 << 104) + 99, i128::MAX >> 2, -(i128::MAX >> 2)] {
            assert_eq!(mul(x, ONE).unwrap(), x, "{x}");
        }
    }

    #[test]
    fn recip_and_rsqrt_are_accurate_across_scales() {
        for &v in &[1e-15, 3e-9, 0.01, 0.05, 0.5, 1.0, 1.5, 2.0, 3.0, 7.25, 1e5, 123456.789, 1.1e12] {
            let x = raw(v);
            let v = x as f64 / 18446744073709551616.0; // the value actually represented
            let r = recip(x).unwrap() as f64 / 18446744073709551616.0;
            assert!(((r * v) - 1.0).abs() < 1e-14 || 1.0 / v < 1e-4, "recip {v}: {r}");
            let s = rsqrt(x).unwrap() as f64 / 18446744073709551616.0;
            assert!((s * v.sqrt() - 1.0).abs() < 1e-14 || s < 1e-4, "rsqrt {v}: {s}");
        }
        // exact cases: powers of two
        assert_eq!(recip(2 * ONE).unwrap(), ONE / 2);
        assert_eq!(recip(ONE / 4).unwrap(), 4 * ONE);
        assert_eq!(rsqrt(4 * ONE).unwrap(), ONE / 2);
        assert_eq!(rsqrt(ONE / 16).unwrap(), 4 * ONE);
        assert_eq!(recip(1), Err(MathError::Overflow));
    }
}
