//! Net asset value: quote + hedge x spot - mark value of the options the
//! pool is short - payouts owed on settled series. In quote base units,
//! signed (a crash can push it below zero).
use crate::state::greek_cache::GreekCache;
use crate::state::pool::Pool;
use options_math::units::{to_base_units, Decimals, Rounding};
use options_math::{MathError, I80F48};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Balances {
    pub quote: u64,
    pub hedge: u64,
    pub reserved_payouts: u64,
}

impl Balances {
    pub fn of(pool: &Pool) -> Balances {
        Balances { quote: pool.quote_balance, hedge: pool.hedge_balance, reserved_payouts: pool.reserved_payouts }
    }
}

/// NAV rounded `Down` (assets down, liabilities up: what a withdrawal is
/// paid from) or `Up` (what a deposit buys into, so it mints fewer shares).
pub fn nav(b: Balances, spot: I80F48, liability: I80F48, d: Decimals, rounding: Rounding) -> Result<i128, MathError> {
    let liability_rounding = match rounding {
        Rounding::Down => Rounding::Up,
        Rounding::Up => Rounding::Down,
    };
    let hedge_value = d.quote_value(spot, b.hedge, rounding)?;
    let liability = to_base_units(liability.max(I80F48::ZERO), liability_rounding)?;
    Ok(b.quote as i128 + hedge_value as i128 - liability as i128 - b.reserved_payouts as i128)
}

/// NAV from a freshly refreshed cache.
pub fn pool_nav(pool: &Pool, cache: &GreekCache, rounding: Rounding) -> Result<i128, MathError> {
    nav(Balances::of(pool), cache.spot.get(), cache.liability.get(), pool.decimals(), rounding)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LpFlow {
    Deposit,
    Withdrawal,
}

/// The NAV an LP flow is priced at, quote base units: the pool's NAV with
/// everything a caller could choose or time valued against the caller.
/// - The book at the worse of mark and trading IV (`liability_for_lp`).
/// - The pool's spot exposure at the worse end of the prices the pool used
///   over the oracle age window (`lo`..`hi`): pool delta x move, and for a
///   withdrawal also gamma x move^2 (twice the second-order term: the pool is
///   short gamma, so its NAV is concave in spot and the first-order value
///   overstates it; the cushion covers the third-order remainder for moves
///   of a few percent). A deposit pays the highest of the values, a
///   withdrawal gets the lowest, so a round trip across two updates alive
///   at once prices both legs at the same worst price.
/// - A withdrawal does not count trade fees still locked (`Pool::fees_still_locked`).
pub fn lp_nav(
    pool: &Pool,
    cache: &GreekCache,
    spot: I80F48,
    lo: I80F48,
    hi: I80F48,
    now: i64,
    flow: LpFlow,
) -> Result<i128, MathError> {
    let d = pool.decimals();
    let withdrawal = flow == LpFlow::Withdrawal;
    let liability = cache.liability_for_lp(spot, now, pool.params.vol.rate(), d, withdrawal)?;
    let rounding = if withdrawal { Rounding::Down } else { Rounding::Up };
    let base = nav(Balances::of(pool), spot, liability, d, rounding)?;
    if !withdrawal && base < 0 {
        // an insolvent pool stays insolvent for a deposit: no move in the
        // window may make it look solvent
        return Ok(base);
    }

    let pool_delta = I80F48::from_num(pool.hedge_balance) - cache.net_delta.get();
    let gamma = cache.net_gamma.get().max(I80F48::ZERO);
    let move_value = |to: I80F48| -> Result<I80F48, MathError> {
        let ds = to - spot;
        let first = d.quote_value_fixed(ds, pool_delta)?;
        if !withdrawal {
            return Ok(first);
        }
        let second = d.quote_value_fixed(ds.checked_mul(ds).ok_or(MathError::Overflow)?, gamma)?;
        first.checked_sub(second).ok_or(MathError::Overflow)
    };
    let (at_lo, at_hi) = (move_value(lo)?, move_value(hi)?);
    let adjust = if withdrawal {
        // floor of a non-positive amount
        let worst = at_lo.min(at_hi).min(I80F48::ZERO);
        -(to_base_units(-worst, Rounding::Up)? as i128) - pool.fees_still_locked(now) as i128
    } else {
        to_base_units(at_lo.max(at_hi).max(I80F48::ZERO), Rounding::Up)? as i128
    };
    Ok(base + adjust)
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Decimals = Decimals { underlying: 9, quote: 6 };

    #[test]
    fn nav_sums_assets_less_liabilities_rounded_for_the_pool() {
        let b = Balances { quote: 1_000_000_000, hedge: 2_000_000_001, reserved_payouts: 5_000_000 };
        let spot = I80F48::from_num(150);
        let liability: I80F48 = "12345678.5".parse().unwrap();
        // hedge 2.000000001 SOL x 150 = 300.00000015 USDC
        let down = nav(b, spot, liability, D, Rounding::Down).unwrap();
        let up = nav(b, spot, liability, D, Rounding::Up).unwrap();
        assert_eq!(down, 1_000_000_000 + 300_000_000 - 12_345_679 - 5_000_000);
        assert_eq!(up, 1_000_000_000 + 300_000_001 - 12_345_678 - 5_000_000);
    }

    #[test]
    fn lp_flows_are_priced_at_the_worse_end_of_the_window_and_of_the_marks() {
        use crate::state::params::tests::sane;
        use crate::state::series::Kind;
        use anchor_lang::prelude::Pubkey;
        use bytemuck::Zeroable;
        let fx = |x: i64| I80F48::from_num(x);
        let mut pool = Pool::for_tests(sane(), 500_000_000_000, 0);
        let mut cache = Box::new(GreekCache::zeroed());
        cache.add_series(Pubkey::new_unique(), fx(150), 7 * 86_400, Kind::Put, "0.8".parse().unwrap(), fx(1)).unwrap();
        cache.entries[0].net_short = 200_000_000_000; // 200 puts: pool delta ~ +90 SOL short exposure
        cache.refresh(fx(150), 0, pool.params.vol.rate(), pool.decimals()).unwrap();
        let at =
            |p: &Pool, c: &GreekCache, lo: i64, hi: i64, flow| lp_nav(p, c, fx(150), fx(lo), fx(hi), 0, flow).unwrap();
        // one price, agreeing marks, nothing locked: the plain NAV both ways
        assert_eq!(at(&pool, &cache, 150, 150, LpFlow::Deposit), pool_nav(&pool, &cache, Rounding::Up).unwrap());
        assert_eq!(at(&pool, &cache, 150, 150, LpFlow::Withdrawal), pool_nav(&pool, &cache, Rounding::Down).unwrap());
        // a window 148.50..150: short puts lose value as spot rises, so the
        // pool's NAV was lower at 148.50: withdrawals get about that, deposits the plain one
        let plain = pool_nav(&pool, &cache, Rounding::Down).unwrap();
        let w = at(&pool, &cache, 148, 150, LpFlow::Withdrawal);
        assert!(w < plain - 100_000_000, "{w} vs {plain}");
        assert!(at(&pool, &cache, 148, 150, LpFlow::Deposit) >= plain);
        // a trade lifts the trading IV above the mark: withdrawals value the book higher
        cache.boards[0].base_iv.set("1.2".parse().unwrap());
        let lifted = at(&pool, &cache, 150, 150, LpFlow::Withdrawal);
        assert!(lifted < plain, "{lifted} vs {plain}");
        assert_eq!(at(&pool, &cache, 150, 150, LpFlow::Deposit), pool_nav(&pool, &cache, Rounding::Up).unwrap());
        // a fee still locked is not paid to withdrawals
        cache.boards[0].base_iv.set("0.8".parse().unwrap());
        pool.lock_fee(1_000_000, 0);
        assert_eq!(at(&pool, &cache, 150, 150, LpFlow::Withdrawal), plain - 1_000_000);
    }

    #[test]
    fn nav_can_be_negative() {
        let b = Balances { quote: 10, hedge: 0, reserved_payouts: 0 };
        assert_eq!(nav(b, I80F48::ONE, I80F48::from_num(25), D, Rounding::Down), Ok(-15));
    }
}
