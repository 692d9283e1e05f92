//! The solvency stress test: if every option the pool is short expired
//! after a market shock, could the pool pay them all from its quote and
//! hedge, keeping a reserve?
//!
//! The shock is one standardised move z in [-1, 1] shared by the whole
//! book, scaled per position by how far its underlying can travel before
//! it expires: position i is paid at S (1 + z m_i), with
//! m_i = max(max_move, k sigma_i (1 + shock) sqrt(tau_i)) (capped at
//! MAX_STRESS_MOVE); the hedge is valued at S (1 + z max_move). A one-year
//! 80%-vol call then needs the headroom of a 2-sigma year, not of a 30%
//! move, while a two-day option still needs max_move. sigma_i is the higher
//! of the series' mark and trading IV; `shock` is the vol shock on top.
//!
//! The expiry value Q + B S_h(z) - sum n_i payoff_i(S_i(z)) - reserved is
//! piecewise linear in z with kinks only where some S_i(z) crosses its
//! strike (or reaches zero), so its minimum over [-1, 1] is at an end or at
//! such a kink, and for a short book only at the convex ones (see
//! `min_stressed_surplus`): evaluating those points is exact, where a grid
//! of scenarios would only approximate it. No Black-Scholes in the loop,
//! and a cost linear in the book.
use crate::constants::{BPS, MAX_SERIES};
use crate::manager::nav::Balances;
use crate::state::greek_cache::{t_years, GreekCache};
use crate::state::params::RiskParams;
use options_math::units::{Decimals, Rounding};
use options_math::{MathError, OptionKind, I80F48};

/// Largest per-position stress move (1000% up; down moves stop at zero).
pub const MAX_STRESS_MOVE: i32 = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub kind: OptionKind,
    pub strike: I80F48,
    pub net_short: u64,
    /// m_i: this position's move for z = 1, as a fraction of spot.
    pub stress_move: I80F48,
}

pub fn payoff(kind: OptionKind, strike: I80F48, spot: I80F48) -> I80F48 {
    match kind {
        OptionKind::Call => (spot - strike).max(I80F48::ZERO),
        OptionKind::Put => (strike - spot).max(I80F48::ZERO),
    }
}

fn bps(x: u64) -> I80F48 {
    options_math::units::div_by_int(I80F48::from_num(x), BPS as u32)
}

/// m_i for a series: max(max_move, k sigma (1 + shock) sqrt(tau)), capped.
pub fn stress_move(risk: &RiskParams, iv: I80F48, tau_years: I80F48) -> Result<I80F48, MathError> {
    StressScale::new(risk)?.stress_move(iv, tau_years)
}

/// sqrt(x) for 0 <= x < 2^15, rounded up: a stress move needs far less
/// precision than the pricing kernel's square root (a Newton iteration on
/// 128-bit words), and rounding up never makes the stress lighter.
/// x = bits / 2^48, so sqrt(x) = sqrt(bits x 2^12) / 2^30 (relative
/// precision 2^-30 or better for x >= 2^-48 x 2^18; above 2^3 years, where
/// bits x 2^12 leaves 64 bits, sqrt(bits) / 2^24 at 2^-25).
fn sqrt_up(x: I80F48) -> Result<I80F48, MathError> {
    let bits = u64::try_from(x.to_bits()).map_err(|_| MathError::InputOutOfRange)?;
    let (scaled, shift) = if bits < 1 << 51 { (bits << 12, 18) } else { (bits, 24) };
    let mut r = scaled.isqrt();
    if r * r < scaled {
        r += 1;
    }
    Ok(I80F48::from_bits((r as i128) << shift))
}

/// The parts of m_i that depend only on the parameters, converted from bps
/// once per check (each conversion is a fixed-point division).
struct StressScale {
    base: I80F48,
    /// k x (1 + shock)
    sigmas: I80F48,
}

impl StressScale {
    fn new(risk: &RiskParams) -> Result<StressScale, MathError> {
        let sigmas = bps(risk.stress_sigmas_bps as u64)
            .checked_mul(I80F48::ONE + bps(risk.stress_vol_shock_bps as u64))
            .ok_or(MathError::Overflow)?;
        Ok(StressScale { base: bps(risk.max_move_bps as u64), sigmas })
    }

    fn stress_move(&self, iv: I80F48, tau_years: I80F48) -> Result<I80F48, MathError> {
        let tau = tau_years.max(I80F48::ZERO);
        let scale = self.sigmas.checked_mul(iv).ok_or(MathError::Overflow)?;
        let m = scale.checked_mul(sqrt_up(tau)?).ok_or(MathError::Overflow)?;
        Ok(m.max(self.base).min(I80F48::from_num(MAX_STRESS_MOVE)))
    }
}

/// The positions the cache holds (live series the pool is short), each with
/// its stress move at `now`; computed once per check (one square root per
/// series), then read by every scenario.
pub fn positions(cache: &GreekCache, now: i64, risk: &RiskParams) -> Vec<Position> {
    let scale = StressScale::new(risk).ok();
    let mut out = Vec::with_capacity(cache.live_count());
    for i in (0..MAX_SERIES).filter(|&i| cache.entries[i].live != 0 && cache.entries[i].net_short > 0) {
        let e = &cache.entries[i];
        let iv = e.mark_iv.get().max(cache.iv(i).unwrap_or(e.mark_iv.get()));
        // a move the maths cannot size is sized at the cap: never lighter
        let m = scale
            .as_ref()
            .and_then(|s| s.stress_move(iv, t_years(e.expiry, now)).ok())
            .unwrap_or(I80F48::from_num(MAX_STRESS_MOVE));
        out.push(Position {
            kind: GreekCache::entry_kind(e).into(),
            strike: e.strike.get(),
            net_short: e.net_short,
            stress_move: m,
        });
    }
    out
}

/// A position as the scenarios read it: S x m_i computed once, so each
/// scenario spot S + z (S m_i) costs one multiply.
#[derive(Clone, Copy, Debug)]
struct Shockable {
    kind: OptionKind,
    strike: I80F48,
    net_short: u64,
    spot_move: I80F48,
}

/// S + z (S m), floored at zero.
fn shocked(spot: I80F48, z: I80F48, spot_move: I80F48) -> Result<I80F48, MathError> {
    let f = z.checked_mul(spot_move).ok_or(MathError::Overflow)?;
    Ok(spot.checked_add(f).ok_or(MathError::Overflow)?.max(I80F48::ZERO))
}

/// Expiry value in scenario z, quote base units; assets rounded down,
/// payoffs rounded up.
fn surplus_at(
    b: Balances,
    spot: I80F48,
    z: I80F48,
    hedge_spot_move: I80F48,
    book: &[Shockable],
    d: Decimals,
) -> Result<i128, MathError> {
    let hedge_spot = shocked(spot, z, hedge_spot_move)?;
    let mut v =
        b.quote as i128 + d.quote_value(hedge_spot, b.hedge, Rounding::Down)? as i128 - b.reserved_payouts as i128;
    for p in book {
        let pay = payoff(p.kind, p.strike, shocked(spot, z, p.spot_move)?);
        if pay > 0 {
            v -= d.quote_value(pay, p.net_short, Rounding::Up)? as i128;
        }
    }
    Ok(v)
}

fn shockable(spot: I80F48, positions: &[Position]) -> Result<Vec<Shockable>, MathError> {
    positions
        .iter()
        .map(|p| {
            let spot_move = spot.checked_mul(p.stress_move).ok_or(MathError::Overflow)?;
            Ok(Shockable { kind: p.kind, strike: p.strike, net_short: p.net_short, spot_move })
        })
        .collect()
}

/// The lowest expiry value over shocks z in [-1, 1] (`max_move_bps` sizes
/// the hedge's move; each position carries its own).
///
/// Every position is short, so each term -n payoff(S (1 + z m)) is concave
/// in z between the points where a scenario spot reaches zero: a short
/// option's strike kink bends the surplus down, never up, and cannot be a
/// minimum. The only convex kinks are where a put's scenario spot reaches
/// zero (its payoff stops growing at the strike) and where the hedge's
/// does (moves over 100%). So the minimum over [-1, 1] is at an end or at
/// one of those: two evaluations for a book without moves over 100%, one
/// more per such put, where evaluating every kink cost two per position
/// (quadratic in the book).
pub fn min_stressed_surplus(
    b: Balances,
    spot: I80F48,
    max_move_bps: u16,
    positions: &[Position],
    d: Decimals,
) -> Result<i128, MathError> {
    let hedge_move = bps(max_move_bps as u64);
    let one = I80F48::ONE;
    let book = shockable(spot, positions)?;
    let hedge_spot_move = spot.checked_mul(hedge_move).ok_or(MathError::Overflow)?;
    let at = |z: I80F48| surplus_at(b, spot, z, hedge_spot_move, &book, d);
    let mut worst = at(-one)?.min(at(one)?);
    if spot <= 0 {
        return Ok(worst);
    }
    let zero_kinks = positions.iter().filter(|p| p.kind == OptionKind::Put).map(|p| p.stress_move);
    for m in zero_kinks.chain(core::iter::once(hedge_move)).filter(|&m| m > one) {
        // where S (1 + z m) reaches zero
        if let Some(z) = (-one).checked_div(m) {
            worst = worst.min(at(z)?);
        }
    }
    Ok(worst)
}

/// How far the pool is above its solvency requirement, quote base units:
/// min stressed surplus - reserve_bps x assets (assets = Q + B S). Negative
/// means the pool fails the check.
pub fn headroom(
    b: Balances,
    spot: I80F48,
    max_move_bps: u16,
    reserve_bps: u16,
    positions: &[Position],
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

    /// 30%: the stress of the tests written for a single max move.
    const M30: I80F48 = I80F48::from_bits((3 << 48) / 10);

    fn brute_force_min(b: Balances, spot: I80F48, m_bps: u16, ps: &[Position]) -> i128 {
        // dense grid: 2001 points over the interval
        let hedge_move = I80F48::from_num(m_bps) / I80F48::from_num(10_000);
        (0..=2000)
            .map(|k| {
                let z = I80F48::from_num(k - 1000) / I80F48::from_num(1000);
                surplus_at(b, spot, z, spot * hedge_move, &shockable(spot, ps).unwrap(), D).unwrap()
            })
            .min()
            .unwrap()
    }

    #[test]
    fn short_call_is_covered_by_quote_up_to_the_stress_move() {
        // short 10 calls K=100 at S=100, 30% move: worst at S'=130, owes 300 USDC
        let ps = [Position { kind: OptionKind::Call, strike: fx(100), net_short: 10 * ONE, stress_move: M30 }];
        let b = Balances { quote: 300_000_000, hedge: 0, reserved_payouts: 0 };
        assert_eq!(min_stressed_surplus(b, fx(100), 3000, &ps, D), Ok(0));
        let b = Balances { quote: 299_999_999, ..b };
        assert_eq!(min_stressed_surplus(b, fx(100), 3000, &ps, D), Ok(-1));
    }

    #[test]
    fn hedge_offsets_calls_and_the_minimum_can_sit_at_a_strike() {
        // short 10 calls K=100 covered by 10 SOL: it loses as spot falls, so
        // the worst point is S'=70: 10 x 70 = 700 USDC
        let ps = [Position { kind: OptionKind::Call, strike: fx(100), net_short: 10 * ONE, stress_move: M30 }];
        let b = Balances { quote: 0, hedge: 10 * ONE, reserved_payouts: 0 };
        assert_eq!(min_stressed_surplus(b, fx(100), 3000, &ps, D), Ok(700_000_000));
        // short strangle + partial hedge: the kinks are at the strikes; the
        // grid below hits them (97 and 103 sit on its points), so the exact
        // evaluation and a dense brute force must agree to the unit
        let ps = [
            Position { kind: OptionKind::Put, strike: fx(97), net_short: 10 * ONE, stress_move: M30 },
            Position { kind: OptionKind::Call, strike: fx(103), net_short: 20 * ONE, stress_move: M30 },
        ];
        for hedge in [0, 5 * ONE, 15 * ONE, 30 * ONE] {
            let b = Balances { quote: 2_000_000_000, hedge, reserved_payouts: 100_000_000 };
            let exact = min_stressed_surplus(b, fx(100), 3000, &ps, D).unwrap();
            assert_eq!(exact, brute_force_min(b, fx(100), 3000, &ps), "hedge {hedge}");
        }
    }

    #[test]
    fn each_position_moves_by_its_own_stress_and_the_kinks_are_exact() {
        // a short-dated put (30%) next to a long-dated call (120%) and a
        // 250% one whose scenario spot reaches zero inside the range; the
        // brute force's grid hits every kink (z = 0.05 steps of 1/1000)
        let m = |x: &str| x.parse::<I80F48>().unwrap();
        let ps = [
            Position { kind: OptionKind::Put, strike: fx(97), net_short: 10 * ONE, stress_move: M30 },
            Position { kind: OptionKind::Call, strike: fx(106), net_short: 5 * ONE, stress_move: m("1.2") },
            Position { kind: OptionKind::Put, strike: fx(50), net_short: 3 * ONE, stress_move: m("2.5") },
        ];
        for hedge in [0, 5 * ONE, 20 * ONE] {
            let b = Balances { quote: 3_000_000_000, hedge, reserved_payouts: 0 };
            let exact = min_stressed_surplus(b, fx(100), 3000, &ps, D).unwrap();
            assert_eq!(exact, brute_force_min(b, fx(100), 3000, &ps), "hedge {hedge}");
        }
    }

    /// The old evaluation: every end and every kink of every position.
    fn all_kinks_min(b: Balances, spot: I80F48, m_bps: u16, ps: &[Position]) -> i128 {
        let hedge_move = I80F48::from_num(m_bps) / I80F48::from_num(10_000);
        let one = I80F48::ONE;
        let book = shockable(spot, ps).unwrap();
        let at = |z: I80F48| surplus_at(b, spot, z, spot * hedge_move, &book, D).unwrap();
        let mut worst = at(-one).min(at(one));
        for p in ps.iter().map(|p| p.stress_move).chain([hedge_move]) {
            let to_strikes: Vec<I80F48> = ps.iter().map(|q| q.strike / spot - one).collect();
            for x in to_strikes.into_iter().chain([-one]) {
                let z = x / p;
                if z > -one && z < one {
                    worst = worst.min(at(z));
                }
            }
        }
        worst
    }

    #[test]
    fn ends_and_convex_kinks_find_the_same_minimum_as_every_kink() {
        // short books (calls and puts, moves 10%..600%, hedges 0..all),
        // drawn by a fixed LCG: pruning the strike kinks must not change the
        // minimum in a single unit
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for case in 0..300 {
            let n = 1 + next(12) as usize;
            let ps: Vec<Position> = (0..n)
                .map(|_| Position {
                    kind: if next(2) == 0 { OptionKind::Call } else { OptionKind::Put },
                    strike: fx(60 + next(90) as i64),
                    net_short: (1 + next(50)) * ONE,
                    stress_move: I80F48::from_num(10 + next(590)) / I80F48::from_num(100),
                })
                .collect();
            let m_bps = [3000u16, 12_000][next(2) as usize];
            let b = Balances { quote: next(20_000) * 1_000_000, hedge: next(400) * ONE / 10, reserved_payouts: 0 };
            let fast = min_stressed_surplus(b, fx(100), m_bps, &ps, D).unwrap();
            assert_eq!(fast, all_kinks_min(b, fx(100), m_bps, &ps), "case {case}: {ps:?} {b:?}");
        }
    }

    #[test]
    fn the_stress_square_root_rounds_up_and_is_close() {
        for tau in ["0", "0.000001", "0.00548", "0.25", "1", "2", "5", "100"] {
            let x: I80F48 = tau.parse().unwrap();
            let r = sqrt_up(x).unwrap();
            let exact = options_math::kernels::sqrt(x).unwrap();
            assert!(r >= exact, "{tau}: {r} < {exact}");
            assert!(
                r - exact <= exact / I80F48::from_num(1u64 << 20) + I80F48::from_bits(1 << 18),
                "{tau}: {r} vs {exact}"
            );
        }
        assert_eq!(sqrt_up(I80F48::from_num(-1)), Err(MathError::InputOutOfRange));
    }

    #[test]
    fn the_stress_grows_with_vol_and_tenor() {
        let mut r = crate::state::params::tests::sane().risk;
        r.max_move_bps = 3000;
        r.stress_sigmas_bps = 20_000;
        r.stress_vol_shock_bps = 2_500;
        let m = |iv: &str, tau: &str| stress_move(&r, iv.parse().unwrap(), tau.parse().unwrap()).unwrap();
        // two days at 80%: 2 x 1.25 x 0.8 x 0.074 = 0.148 < 30%: max_move
        assert_eq!(m("0.8", "0.00548"), M30);
        // one year at 80%: 2 x 1.25 x 0.8 = 200%
        assert!((m("0.8", "1") - I80F48::from_num(2)).abs() < I80F48::from_num(0.0001), "{}", m("0.8", "1"));
        // capped
        assert_eq!(m("10", "4"), I80F48::from_num(MAX_STRESS_MOVE));
        // a year of 80% vol: one ATM call needs ~200% of spot of headroom,
        // where the flat 30% stress asked for 30%
        let year = [Position { kind: OptionKind::Call, strike: fx(100), net_short: ONE, stress_move: m("0.8", "1") }];
        let b = Balances { quote: 199_000_000, hedge: 0, reserved_payouts: 0 };
        assert!(min_stressed_surplus(b, fx(100), 3000, &year, D).unwrap() < 0);
        let b = Balances { quote: 200_010_000, ..b };
        assert!(min_stressed_surplus(b, fx(100), 3000, &year, D).unwrap() >= 0);
    }

    #[test]
    fn headroom_and_max_out_honour_the_reserve() {
        let ps: [Position; 0] = [];
        let b = Balances { quote: 1_000_000, hedge: 0, reserved_payouts: 0 };
        // 10% reserve of 1 USDC of assets: headroom 0.9 USDC, and all of it
        // can leave (assets shrink with it)
        let h = headroom(b, fx(100), 3000, 1000, &ps, D).unwrap();
        assert_eq!(h, 900_000);
        assert_eq!(max_quote_out(h, 1000), 1_000_000);
        assert_eq!(max_quote_out(-5, 1000), 0);
    }
}
