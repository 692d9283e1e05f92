//! The solvency stress test: if every option the pool is short expired with
//! spot anywhere in [S(1-m), S(1+m)], could the pool pay them all from its
//! quote and hedge, keeping a reserve?
//!
//! The expiry value Q + B S' - sum net_short_i payoff_i(S') - reserved is
//! piecewise linear in S' with kinks only at strikes, so its minimum over the
//! interval is at an end or at a strike inside: evaluating those points is
//! exact, where a grid of scenarios would only approximate it. No
//! Black-Scholes in the loop.
use crate::constants::BPS;
use crate::manager::nav::Balances;
use crate::state::greek_cache::GreekCache;
use options_math::units::{Decimals, Rounding};
use options_math::{MathError, OptionKind, I80F48};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub kind: OptionKind,
    pub strike: I80F48,
    pub net_short: u64,
}

pub fn payoff(kind: OptionKind, strike: I80F48, spot: I80F48) -> I80F48 {
    match kind {
        OptionKind::Call => (spot - strike).max(I80F48::ZERO),
        OptionKind::Put => (strike - spot).max(I80F48::ZERO),
    }
}

/// The positions the cache holds (live series the pool is short).
pub fn positions(cache: &GreekCache) -> impl Iterator<Item = Position> + Clone + '_ {
    cache.entries.iter().filter(|e| e.live != 0 && e.net_short > 0).map(|e| Position {
        kind: GreekCache::entry_kind(e).into(),
        strike: e.strike.get(),
        net_short: e.net_short,
    })
}

/// Expiry value at one scenario spot, quote base units; assets rounded
/// down, payoffs rounded up.
fn surplus_at<I: Iterator<Item = Position>>(
    b: Balances,
    scenario: I80F48,
    positions: I,
    d: Decimals,
) -> Result<i128, MathError> {
    let mut v =
        b.quote as i128 + d.quote_value(scenario, b.hedge, Rounding::Down)? as i128 - b.reserved_payouts as i128;
    for p in positions {
        v -= d.quote_value(payoff(p.kind, p.strike, scenario), p.net_short, Rounding::Up)? as i128;
    }
    Ok(v)
}

/// The lowest expiry value over spot moves of up to `max_move_bps`.
pub fn min_stressed_surplus<I: Iterator<Item = Position> + Clone>(
    b: Balances,
    spot: I80F48,
    max_move_bps: u16,
    positions: I,
    d: Decimals,
) -> Result<i128, MathError> {
    let m = I80F48::from_num(max_move_bps) / I80F48::from_num(BPS);
    let lo = spot.checked_mul(I80F48::ONE - m).ok_or(MathError::Overflow)?;
    let hi = spot.checked_mul(I80F48::ONE + m).ok_or(MathError::Overflow)?;
    let mut worst = surplus_at(b, lo, positions.clone(), d)?.min(surplus_at(b, hi, positions.clone(), d)?);
    for p in positions.clone() {
        if p.strike > lo && p.strike < hi {
            worst = worst.min(surplus_at(b, p.strike, positions.clone(), d)?);
        }
    }
    Ok(worst)
}

/// How far the pool is above its solvency requirement, quote base units:
/// min stressed surplus - reserve_bps x assets (assets = Q + B S). Negative
/// means the pool fails the check.
pub fn headroom<I: Iterator<Item = Position> + Clone>(
    b: Balances,
    spot: I80F48,
    max_move_bps: u16,
    reserve_bps: u16,
    positions: I,
    d: Decimals,
) -> Result<i128, MathError> {
    let surplus = min_stressed_surplus(b, spot, max_move_bps, positions, d)?;
    let assets = b.quote as u128 + d.quote_value(spot, b.hedge, Rounding::Down)? as u128;
    // the reserve rounds up: the requirement never comes out lighter
    let reserve = (assets * reserve_bps as u128).div_ceil(BPS as u128);
    Ok(surplus - reserve as i128)
}

/// The most quote that can leave (a withdrawal) with the check still
/// passing: each unit out lowers the surplus by 1 and the reserve by
/// reserve_bps, so max = headroom / (1 - reserve_bps), rounded down.
pub fn max_quote_out(headroom: i128, reserve_bps: u16) -> u64 {
    if headroom <= 0 {
        return 0;
    }
    let max = (headroom as u128 * BPS as u128) / (BPS as u128 - reserve_bps as u128);
    max.min(u64::MAX as u128) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Decimals = Decimals { underlying: 9, quote: 6 };
    const ONE: u64 = 1_000_000_000; // one contract / one SOL

    fn fx(v: i64) -> I80F48 {
        I80F48::from_num(v)
    }

    fn brute_force_min(b: Balances, spot: I80F48, m_bps: u16, ps: &[Position]) -> i128 {
        // dense grid: 2001 points over the interval
        (0..=2000)
            .map(|k| {
                let s = spot
                    * (I80F48::ONE + I80F48::from_num(m_bps as i64 * (k - 1000)) / I80F48::from_num(1000 * 10_000));
                surplus_at(b, s, ps.iter().copied(), D).unwrap()
            })
            .min()
            .unwrap()
    }

    #[test]
    fn short_call_is_covered_by_quote_up_to_the_stress_move() {
        // short 10 calls K=100 at S=100, 30% move: worst at S'=130, owes 300 USDC
        let ps = [Position { kind: OptionKind::Call, strike: fx(100), net_short: 10 * ONE }];
        let b = Balances { quote: 300_000_000, hedge: 0, reserved_payouts: 0 };
        assert_eq!(min_stressed_surplus(b, fx(100), 3000, ps.iter().copied(), D), Ok(0));
        let b = Balances { quote: 299_999_999, ..b };
        assert_eq!(min_stressed_surplus(b, fx(100), 3000, ps.iter().copied(), D), Ok(-1));
    }

    #[test]
    fn hedge_offsets_calls_and_the_minimum_can_sit_at_a_strike() {
        // short 10 calls K=100 covered by 10 SOL: it loses as spot falls, so
        // the worst point is S'=70: 10 x 70 = 700 USDC
        let ps = [Position { kind: OptionKind::Call, strike: fx(100), net_short: 10 * ONE }];
        let b = Balances { quote: 0, hedge: 10 * ONE, reserved_payouts: 0 };
        assert_eq!(min_stressed_surplus(b, fx(100), 3000, ps.iter().copied(), D), Ok(700_000_000));
        // short strangle + partial hedge: the kinks are at the strikes; the
        // grid below hits them (97 and 103 sit on its points), so the exact
        // evaluation and a dense brute force must agree to the unit
        let ps = [
            Position { kind: OptionKind::Put, strike: fx(97), net_short: 10 * ONE },
            Position { kind: OptionKind::Call, strike: fx(103), net_short: 20 * ONE },
        ];
        for hedge in [0, 5 * ONE, 15 * ONE, 30 * ONE] {
            let b = Balances { quote: 2_000_000_000, hedge, reserved_payouts: 100_000_000 };
            let exact = min_stressed_surplus(b, fx(100), 3000, ps.iter().copied(), D).unwrap();
            assert_eq!(exact, brute_force_min(b, fx(100), 3000, &ps), "hedge {hedge}");
        }
    }

    #[test]
    fn headroom_and_max_out_honour_the_reserve() {
        let ps: [Position; 0] = [];
        let b = Balances { quote: 1_000_000, hedge: 0, reserved_payouts: 0 };
        // 10% reserve of 1 USDC of assets: headroom 0.9 USDC, and all of it
        // can leave (assets shrink with it)
        let h = headroom(b, fx(100), 3000, 1000, ps.iter().copied(), D).unwrap();
        assert_eq!(h, 900_000);
        assert_eq!(max_quote_out(h, 1000), 1_000_000);
        assert_eq!(max_quote_out(-5, 1000), 0);
    }
}
