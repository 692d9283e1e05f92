//! Token amounts <-> fixed-point values.
//!
//! Prices (spot, strike, premium per contract) are `I80F48` quote *whole*
//! units per underlying *whole* unit, as a trader reads them. Amounts are
//! integer base units of their mint. One option contract is one whole unit of
//! underlying; contract amounts are counted in the underlying's base units
//! (the option mint has the underlying's decimals).
//!
//! Every conversion to an integer amount takes a `Rounding`: the caller picks
//! the direction that favours the pool (premiums and fees up, payouts and LP
//! mints down). The integer conversions round exactly once, on the exact
//! rational value (one u128 division), so no error accumulates.
use crate::{MathError, I80F48};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    Down,
    Up,
}

/// Decimals of a pool's two mints; the option mints share the underlying's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decimals {
    pub underlying: u8,
    pub quote: u8,
}

/// Largest mint decimals a pool accepts: keeps 10^d * 2^48 inside u128.
pub const MAX_DECIMALS: u8 = 18;

const FRAC_BITS: u32 = 48;

fn pow10(n: u8) -> u128 {
    10u128.pow(n as u32)
}

/// x / d and whether a remainder was left, for 0 < d < 2^32, as four 64-bit
/// divisions: SBF divides 64-bit integers in one instruction, while a u128
/// division is a long software routine (`__udivti3`).
fn div_small(x: u128, d: u64) -> (u128, bool) {
    debug_assert!(d > 0 && d < 1 << 32);
    let (mut q, mut r) = (0u128, 0u64);
    for i in (0..4).rev() {
        // r < d < 2^32, so the running value fits 64 bits
        let cur = (r << 32) | ((x >> (32 * i)) as u64 & 0xffff_ffff);
        q |= ((cur / d) as u128) << (32 * i);
        r = cur % d;
    }
    (q, r != 0)
}

/// num / (10^k x 2^shift), rounded as asked: the same result as
/// `div_round` with that denominator, without a 128-bit division.
fn div_pow10_shift(num: u128, k: u8, shift: u32, rounding: Rounding) -> u128 {
    let mut q = num >> shift;
    let mut inexact = shift > 0 && num & ((1u128 << shift) - 1) != 0;
    let mut k = k as u32;
    while k > 0 {
        let step = k.min(9); // 10^9 < 2^32
        let (next, rem) = div_small(q, 10u64.pow(step));
        q = next;
        inexact |= rem;
        k -= step;
    }
    match rounding {
        Rounding::Up if inexact => q + 1,
        _ => q,
    }
}

/// x / d for an integer 0 < d < 2^32, truncated toward zero: bit for bit
/// `x / I80F48::from_num(d)`, in four 64-bit divisions instead of a 128-bit
/// one (times in years, bps, shares of a window).
pub fn div_by_int(x: I80F48, d: u32) -> I80F48 {
    assert!(d > 0, "division by zero");
    let bits = x.to_bits();
    let q = div_small(bits.unsigned_abs(), d as u64).0 as i128;
    I80F48::from_bits(if bits < 0 { -q } else { q })
}

/// x / 10^k truncated toward zero, exactly as `x.checked_div(10^k)` does
/// for `I80F48`, in 64-bit divisions.
fn div_pow10_fixed(x: I80F48, k: u8) -> I80F48 {
    let bits = x.to_bits();
    let q = div_pow10_shift(bits.unsigned_abs(), k, 0, Rounding::Down) as i128;
    I80F48::from_bits(if bits < 0 { -q } else { q })
}

/// A non-negative fixed-point amount of base units as an integer.
pub fn to_base_units(x: I80F48, rounding: Rounding) -> Result<u64, MathError> {
    if x < 0 {
        return Err(MathError::InputOutOfRange);
    }
    let v = div_pow10_shift(x.to_bits() as u128, 0, FRAC_BITS, rounding);
    u64::try_from(v).map_err(|_| MathError::Overflow)
}

impl Decimals {
    pub fn new(underlying: u8, quote: u8) -> Result<Self, MathError> {
        if underlying > MAX_DECIMALS || quote > MAX_DECIMALS {
            return Err(MathError::InputOutOfRange);
        }
        Ok(Decimals { underlying, quote })
    }

    /// Quote base units worth `underlying_base` base units of underlying (or
    /// of option contracts) at `price` quote per whole unit, rounded once.
    pub fn quote_value(&self, price: I80F48, underlying_base: u64, rounding: Rounding) -> Result<u64, MathError> {
        if price < 0 {
            return Err(MathError::InputOutOfRange);
        }
        // value = price_bits * n * 10^q / (2^48 * 10^u), exactly.
        let num = (price.to_bits() as u128).checked_mul(underlying_base as u128).ok_or(MathError::Overflow)?;
        let v = if self.quote >= self.underlying {
            let num = num.checked_mul(pow10(self.quote - self.underlying)).ok_or(MathError::Overflow)?;
            div_pow10_shift(num, 0, FRAC_BITS, rounding)
        } else {
            div_pow10_shift(num, self.underlying - self.quote, FRAC_BITS, rounding)
        };
        u64::try_from(v).map_err(|_| MathError::Overflow)
    }

    /// `per_unit * amount_base` in quote base units, unrounded (for
    /// aggregates: liability, net vega). `amount_base` may be fractional or
    /// negative. Truncates toward zero at 2^-48 of a base unit.
    pub fn quote_value_fixed(&self, per_unit: I80F48, amount_base: I80F48) -> Result<I80F48, MathError> {
        let x = per_unit.checked_mul(amount_base).ok_or(MathError::Overflow)?;
        self.shift_to_quote(x)
    }

    /// Multiply by 10^(quote - underlying): an amount per underlying *base*
    /// unit scaled to quote base units per underlying whole unit.
    fn shift_to_quote(&self, x: I80F48) -> Result<I80F48, MathError> {
        if self.quote >= self.underlying {
            x.checked_mul(pow10_fixed(self.quote - self.underlying)?).ok_or(MathError::Overflow)
        } else {
            Ok(div_pow10_fixed(x, self.underlying - self.quote))
        }
    }

    /// Whole quote units as quote base units, rounded once (>= 0).
    pub fn quote_base_units(&self, whole: I80F48, rounding: Rounding) -> Result<u64, MathError> {
        if whole < 0 {
            return Err(MathError::InputOutOfRange);
        }
        let num = (whole.to_bits() as u128).checked_mul(pow10(self.quote)).ok_or(MathError::Overflow)?;
        u64::try_from(div_pow10_shift(num, 0, FRAC_BITS, rounding)).map_err(|_| MathError::Overflow)
    }

    /// Base units of underlying as whole units (truncated toward zero).
    pub fn underlying_whole(&self, base: I80F48) -> Result<I80F48, MathError> {
        Ok(div_pow10_fixed(base, self.underlying))
    }

    /// Whole units of underlying as base units (exact unless it overflows).
    pub fn underlying_base(&self, whole: I80F48) -> Result<I80F48, MathError> {
        whole.checked_mul(pow10_fixed(self.underlying)?).ok_or(MathError::Overflow)
    }

    /// Quote base units as whole quote units (truncated toward zero).
    pub fn quote_whole(&self, base: I80F48) -> Result<I80F48, MathError> {
        Ok(div_pow10_fixed(base, self.quote))
    }

    /// A price given in quote base units per whole underlying (how strikes
    /// are entered: 150 USDC = 150_000_000) as quote whole per whole unit.
    /// Exact when the price is representable (any whole or binary-fraction
    /// price); otherwise truncated to 2^-48.
    pub fn price_from_quote_units(&self, quote_base_per_unit: u64) -> Result<I80F48, MathError> {
        self.quote_whole(I80F48::from_num(quote_base_per_unit))
    }
}

fn pow10_fixed(n: u8) -> Result<I80F48, MathError> {
    I80F48::checked_from_num(pow10(n)).ok_or(MathError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: one u128 division.
    fn div_round(num: u128, den: u128, rounding: Rounding) -> u128 {
        let q = num / den;
        match rounding {
            Rounding::Up if !num.is_multiple_of(den) => q + 1,
            _ => q,
        }
    }

    #[test]
    fn the_64_bit_divisions_equal_the_128_bit_ones() {
        // an LCG over the whole u128 range and the edges: quotient, rounding
        // and the fixed-point truncation toward zero, bit for bit
        let mut seed = 0x9e37_79b9_7f4a_7c15u128;
        let mut next = || {
            seed = seed.wrapping_mul(0x2360_ed05_1fc6_5da4_4385_df64_9fcc_f645).wrapping_add(1);
            seed >> (seed as u32 % 100)
        };
        let edges = [0u128, 1, 999, 1000, (1 << 48) - 1, 1 << 48, u64::MAX as u128, u128::MAX - 1, u128::MAX];
        for i in 0..20_000 {
            let num = if i < edges.len() { edges[i] } else { next() };
            for k in [0u8, 1, 3, 9, 10, 12, 18] {
                for shift in [0u32, 48] {
                    for r in [Rounding::Down, Rounding::Up] {
                        let den = pow10(k) << shift;
                        assert_eq!(
                            div_pow10_shift(num, k, shift, r),
                            div_round(num, den, r),
                            "{num} {k} {shift} {r:?}"
                        );
                    }
                }
                let x = I80F48::from_bits(num as i128);
                let fixed = x.checked_div(pow10_fixed(k).unwrap());
                let d = [1u32, 3, 10_000, 3_600, 31_536_000, u32::MAX][i % 6];
                assert_eq!(div_by_int(x, d), x / I80F48::from_num(d), "{x} / {d}");
                if let Some(f) = fixed {
                    assert_eq!(div_pow10_fixed(x, k), f, "{x} / 10^{k}");
                    assert_eq!(
                        div_pow10_fixed(-x, k),
                        (-x).checked_div(pow10_fixed(k).unwrap()).unwrap(),
                        "-{x} / 10^{k}"
                    );
                }
            }
        }
    }

    fn fx(s: &str) -> I80F48 {
        s.parse().unwrap()
    }

    #[test]
    fn quote_value_rounds_once_in_the_asked_direction() {
        // SOL-like underlying (9 decimals), USDC-like quote (6 decimals)
        let d = Decimals::new(9, 6).unwrap();
        // 2.5 SOL at 150.0 = 375 USDC exactly
        assert_eq!(d.quote_value(fx("150"), 2_500_000_000, Rounding::Down), Ok(375_000_000));
        assert_eq!(d.quote_value(fx("150"), 2_500_000_000, Rounding::Up), Ok(375_000_000));
        // 1 lamport at 150 = 0.00015 USDC base units: 0 down, 1 up
        assert_eq!(d.quote_value(fx("150"), 1, Rounding::Down), Ok(0));
        assert_eq!(d.quote_value(fx("150"), 1, Rounding::Up), Ok(1));
        // 7 base units at 0.5 with equal decimals: 3.5 -> 3 / 4
        let e = Decimals::new(6, 6).unwrap();
        assert_eq!(e.quote_value(fx("0.5"), 7, Rounding::Down), Ok(3));
        assert_eq!(e.quote_value(fx("0.5"), 7, Rounding::Up), Ok(4));
        // quote with more decimals than the underlying: 3 whole units (0 decimals) at 1.25, quote 6 decimals
        let f = Decimals::new(0, 6).unwrap();
        assert_eq!(f.quote_value(fx("1.25"), 3, Rounding::Down), Ok(3_750_000));
        // negative price and overflow are errors, not panics
        assert_eq!(d.quote_value(fx("-1"), 1, Rounding::Down), Err(MathError::InputOutOfRange));
        let g = Decimals::new(0, 18).unwrap();
        assert_eq!(g.quote_value(fx("1000000"), u64::MAX, Rounding::Down), Err(MathError::Overflow));
    }

    #[test]
    fn fixed_conversions() {
        let d = Decimals::new(9, 6).unwrap();
        assert_eq!(d.quote_value_fixed(fx("150"), fx("2500000000")), Ok(fx("375000000")));
        assert_eq!(d.underlying_whole(fx("2500000000")), Ok(fx("2.5")));
        assert_eq!(d.underlying_base(fx("2.5")), Ok(fx("2500000000")));
        assert_eq!(d.price_from_quote_units(150_000_000), Ok(fx("150")));
        assert_eq!(d.price_from_quote_units(150_500_000), Ok(fx("150.5")));
        assert_eq!(to_base_units(fx("2.25"), Rounding::Down), Ok(2));
        assert_eq!(to_base_units(fx("2.25"), Rounding::Up), Ok(3));
        assert_eq!(to_base_units(fx("2"), Rounding::Up), Ok(2));
        assert_eq!(to_base_units(fx("-0.5"), Rounding::Up), Err(MathError::InputOutOfRange));
        assert_eq!(Decimals::new(19, 6), Err(MathError::InputOutOfRange));
    }
}
