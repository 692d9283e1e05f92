//! A surface that relaxes: trade-driven moves of base IV and skew decay
//! toward a reference with a half-life, so one-sided flow does not leave
//! the surface at its clamp for the rest of a series' life.
//!
//! x(t + dt) = ref + (x(t) - ref) x 2^(-dt / half_life). The decay is applied
//! from the elapsed time whenever a board is touched; since
//! 2^(-a) x 2^(-b) = 2^(-(a + b)), touching it often or rarely gives the
//! same surface (up to rounding). At dt = 0 nothing moves, so a trade's own
//! price impact is exactly what it is without decay.
//!
//! Rounding: the factor is e^(-ln 2 dt / h) on the crate's kernel, clamped
//! to [0, 1]; the product (x - ref) x factor is clamped between the gap and
//! zero, so the value never passes the reference.
use crate::kernels::exp;
use crate::{MathError, I80F48};

/// ln 2 in I80F48, rounded up: the factor rounds toward the reference.
const LN_2_UP: I80F48 = I80F48::from_bits(195_103_586_505_168);
/// Beyond this many half-lives the factor is below 2^-48: zero.
const MAX_HALF_LIVES: i64 = 48;

/// 2^(-elapsed_s / half_life_s) in [0, 1]; 1 when nothing elapsed or the
/// half-life is 0 (relaxation off).
pub fn relax_factor(elapsed_s: i64, half_life_s: u32) -> Result<I80F48, MathError> {
    if elapsed_s <= 0 || half_life_s == 0 {
        return Ok(I80F48::ONE);
    }
    if elapsed_s / half_life_s as i64 >= MAX_HALF_LIVES {
        return Ok(I80F48::ZERO);
    }
    // elapsed < 48 x 2^32 fits the integer part; one truncating division
    let half_lives = crate::units::div_by_int(I80F48::from_num(elapsed_s), half_life_s);
    let x = half_lives.checked_mul(LN_2_UP).ok_or(MathError::Overflow)?;
    Ok(exp(-x)?.clamp(I80F48::ZERO, I80F48::ONE))
}

/// `value` moved toward `reference` by `factor` (from [`relax_factor`]):
/// reference + (value - reference) x factor, never past the reference
/// nor back past `value`.
pub fn relax_toward(value: I80F48, reference: I80F48, factor: I80F48) -> Result<I80F48, MathError> {
    let gap = value.checked_sub(reference).ok_or(MathError::Overflow)?;
    let kept = gap.checked_mul(factor).ok_or(MathError::Overflow)?;
    // factor <= 1, so only the product's rounding could take |kept| past
    // |gap|: clamp it between the gap and zero
    let kept = if gap < 0 { kept.max(gap).min(I80F48::ZERO) } else { kept.min(gap).max(I80F48::ZERO) };
    Ok(reference + kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fx(x: f64) -> I80F48 {
        I80F48::from_num(x)
    }

    #[test]
    fn one_half_life_halves_the_gap() {
        let h = 86_400;
        let f = relax_factor(h as i64, h).unwrap();
        assert!((f.to_num::<f64>() - 0.5).abs() < 1e-13, "{f}");
        let x = relax_toward(fx(1.2), fx(0.8), f).unwrap();
        assert!((x.to_num::<f64>() - 1.0).abs() < 1e-13, "{x}");
        let two = relax_factor(2 * h as i64, h).unwrap();
        assert!((two.to_num::<f64>() - 0.25).abs() < 1e-13, "{two}");
    }

    #[test]
    fn nothing_moves_without_time_or_half_life_and_far_gaps_close() {
        assert_eq!(relax_factor(0, 3600), Ok(I80F48::ONE));
        assert_eq!(relax_factor(-5, 3600), Ok(I80F48::ONE));
        assert_eq!(relax_factor(1_000_000, 0), Ok(I80F48::ONE));
        assert_eq!(relax_factor(48 * 3600, 3600), Ok(I80F48::ZERO));
        assert_eq!(relax_toward(fx(1.5), fx(0.8), I80F48::ONE), Ok(fx(1.5)));
        assert_eq!(relax_toward(fx(1.5), fx(0.8), I80F48::ZERO), Ok(fx(0.8)));
    }

    proptest! {
        #[test]
        fn it_moves_toward_the_reference_monotonically_and_never_past_it(
            value in 0.01f64..10.0, reference in 0.01f64..10.0, half_life in 60u32..10_000_000,
            t1 in 0i64..100_000_000, dt in 0i64..100_000_000,
        ) {
            let (v, r) = (fx(value), fx(reference));
            let f1 = relax_factor(t1, half_life).unwrap();
            let f2 = relax_factor(t1 + dt, half_life).unwrap();
            prop_assert!(f2 <= f1, "the factor never grows with time");
            let x1 = relax_toward(v, r, f1).unwrap();
            let x2 = relax_toward(v, r, f2).unwrap();
            // each lies between the reference and the value, and the later is nearer
            let (lo, hi) = if v < r { (v, r) } else { (r, v) };
            prop_assert!(lo <= x1 && x1 <= hi && lo <= x2 && x2 <= hi);
            prop_assert!((x2 - r).abs() <= (x1 - r).abs());
            // touching the board in between gives the same surface to rounding
            let stepped = relax_toward(x1, r, relax_factor(dt, half_life).unwrap()).unwrap();
            prop_assert!((stepped - r).abs() <= (x1 - r).abs());
            prop_assert!((stepped - x2).abs().to_num::<f64>() <= 1e-12 * value.max(reference));
        }
    }
}
