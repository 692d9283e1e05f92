//! Per-expiry risk limits: caps on each board's |net vega| and |net cash
//! gamma| as shares of NAV (`RiskParams::max_board_vega_bps`,
//! `max_board_cash_gamma_bps`). Delta is hedged; vega and gamma are not,
//! and they concentrate by expiry: a book short 10,000 straddles on one
//! 2-day expiry loses its NAV on one gap however well its delta is hedged.
//!
//! Units: vega in quote base units per 1.00 of vol (sum of net short x
//! vega per contract, the cache's `net_vega` per board); cash gamma in
//! quote base units per 1% move of spot: Gamma S^2 / 100 with Gamma the
//! board's net short x gamma per contract in whole units of underlying, so
//! it is the quote value of the delta a 1% move adds. Both from the
//! cache's per-series greeks (at the mark IV), so the numbers the caps
//! read are the ones `pool show` and the keeper see.
//!
//! A trade that leaves a board past a cap is refused only if it makes that
//! exposure larger; trades that reduce it always pass (the pool only
//! writes, so sells always reduce both).
use crate::error::OptionsError;
use crate::state::greek_cache::GreekCache;
use anchor_lang::prelude::*;
use options_math::units::Decimals;
use options_math::{MathError, I80F48};

/// A board's exposure, or one contract's share of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Exposure {
    /// Quote base units per 1.00 of vol.
    pub vega: I80F48,
    /// Quote base units per 1% move.
    pub cash_gamma: I80F48,
}

/// One base unit of a contract of the series in `slot`: its vega and cash
/// gamma at the cached greeks and `spot`.
pub fn per_base_unit(
    cache: &GreekCache,
    slot: usize,
    spot: I80F48,
    d: Decimals,
) -> core::result::Result<Exposure, MathError> {
    let e = &cache.entries[slot];
    let one = I80F48::ONE;
    // Gamma S^2 / 100 per contract: quote whole units per whole contract
    let cash_gamma_per_contract = e
        .gamma
        .get()
        .checked_mul(spot)
        .and_then(|x| x.checked_mul(spot))
        .map(|x| options_math::units::div_by_int(x, 100))
        .ok_or(MathError::Overflow)?;
    Ok(Exposure {
        vega: d.quote_value_fixed(e.vega.get(), one)?,
        cash_gamma: d.quote_value_fixed(cash_gamma_per_contract, one)?,
    })
}

/// The board's |net vega| and |net cash gamma| over its live series.
pub fn board_exposure(
    cache: &GreekCache,
    board: u8,
    spot: I80F48,
    d: Decimals,
) -> core::result::Result<Exposure, MathError> {
    let mut total = Exposure::default();
    for slot in cache.live_slots().filter(|&i| cache.entries[i].board == board && cache.entries[i].net_short > 0) {
        let unit = per_base_unit(cache, slot, spot, d)?;
        let n = I80F48::from_num(cache.entries[slot].net_short);
        let add = |acc: I80F48, x: I80F48| x.checked_mul(n).and_then(|v| acc.checked_add(v)).ok_or(MathError::Overflow);
        total.vega = add(total.vega, unit.vega)?;
        total.cash_gamma = add(total.cash_gamma, unit.cash_gamma)?;
    }
    Ok(Exposure { vega: total.vega.abs(), cash_gamma: total.cash_gamma.abs() })
}

/// The board's exposure after a trade moved one series' net short from
/// `before_short` to `after_short`: the trade leaves every greek per
/// contract as it was (the book is marked at the mark IVs, which no trade
/// moves within the second), and a pool that only writes has every term of
/// the sums >= 0, so the change is the series' unit times the change in its
/// net short. Saves a second pass over the board's series.
pub fn after_trade(
    before: Exposure,
    unit: Exposure,
    before_short: u64,
    after_short: u64,
) -> core::result::Result<Exposure, MathError> {
    let change = I80F48::from_num(after_short) - I80F48::from_num(before_short);
    let moved = |total: I80F48, per: I80F48| {
        per.checked_mul(change)
            .and_then(|d| total.checked_add(d))
            .map(|x| x.max(I80F48::ZERO))
            .ok_or(MathError::Overflow)
    };
    Ok(Exposure { vega: moved(before.vega, unit.vega)?, cash_gamma: moved(before.cash_gamma, unit.cash_gamma)? })
}

/// How much room a board has left under its caps, and which cap a trade
/// broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Room {
    /// Base units of this series' contracts the pool could still write
    /// before the tighter cap binds (0 when already past one).
    pub contracts: u64,
    /// Caps minus exposure, floored at 0.
    pub vega: I80F48,
    pub cash_gamma: I80F48,
}

/// The room left on a board at `exposure` for more of a series whose one
/// base unit adds `unit`, under `caps` (vega, cash gamma).
pub fn room(exposure: Exposure, unit: Exposure, caps: (I80F48, I80F48)) -> Room {
    let left = |cap: I80F48, x: I80F48| (cap - x).max(I80F48::ZERO);
    let (vega, cash_gamma) = (left(caps.0, exposure.vega), left(caps.1, exposure.cash_gamma));
    // floor(left / per unit): rounding down never admits a unit too many
    let fit = |left: I80F48, per: I80F48| {
        if per <= 0 {
            u64::MAX
        } else {
            left.checked_div(per).map_or(u64::MAX, |q| q.floor().checked_to_num::<u64>().unwrap_or(u64::MAX))
        }
    };
    Room { contracts: fit(vega, unit.vega).min(fit(cash_gamma, unit.cash_gamma)), vega, cash_gamma }
}

/// Refuse a trade that leaves the board past a cap and made that exposure
/// larger. Vega is checked first; either error names the cap it broke.
pub fn check(before: Exposure, after: Exposure, caps: (I80F48, I80F48)) -> Result<()> {
    require!(after.vega <= caps.0 || after.vega <= before.vega, OptionsError::BoardVegaCapExceeded);
    require!(
        after.cash_gamma <= caps.1 || after.cash_gamma <= before.cash_gamma,
        OptionsError::BoardCashGammaCapExceeded
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(v: i64, g: i64) -> Exposure {
        Exposure { vega: I80F48::from_num(v), cash_gamma: I80F48::from_num(g) }
    }

    fn code(r: Result<()>) -> u32 {
        match r {
            Err(Error::AnchorError(e)) => e.error_code_number,
            other => panic!("expected an Anchor error, got {other:?}"),
        }
    }

    #[test]
    fn a_trade_past_a_cap_is_refused_only_if_it_grows_that_exposure() {
        let caps = (I80F48::from_num(100), I80F48::from_num(50));
        assert!(check(x(10, 10), x(100, 50), caps).is_ok(), "at the caps passes");
        assert_eq!(code(check(x(10, 10), x(101, 10), caps)), u32::from(OptionsError::BoardVegaCapExceeded));
        assert_eq!(code(check(x(10, 10), x(10, 51), caps)), u32::from(OptionsError::BoardCashGammaCapExceeded));
        // already past both: shrinking passes, growing either does not
        assert!(check(x(200, 80), x(150, 70), caps).is_ok());
        assert!(check(x(200, 80), x(200, 80), caps).is_ok());
        assert_eq!(code(check(x(200, 80), x(150, 81), caps)), u32::from(OptionsError::BoardCashGammaCapExceeded));
    }

    #[test]
    fn a_trades_exposure_moves_by_its_unit_times_its_contracts() {
        let (before, unit) = (x(100, 40), x(3, 2));
        assert_eq!(after_trade(before, unit, 10, 15), Ok(x(115, 50)));
        assert_eq!(after_trade(before, unit, 10, 4), Ok(x(82, 28)));
        assert_eq!(after_trade(before, unit, 10, 10), Ok(before));
        // a rounding remainder never makes a sum negative
        assert_eq!(after_trade(x(2, 1), unit, 1, 0), Ok(x(0, 0)));
        assert_eq!(after_trade(before, x(i64::MAX / 2, 0), 0, u64::MAX), Err(MathError::Overflow));
    }

    #[test]
    fn room_is_the_tighter_caps_floor() {
        let caps = (I80F48::from_num(100), I80F48::from_num(50));
        let r = room(x(10, 20), x(3, 2), caps);
        // vega fits 30 more, gamma 15 more
        assert_eq!((r.contracts, r.vega, r.cash_gamma), (15, I80F48::from_num(90), I80F48::from_num(30)));
        assert_eq!(room(x(120, 20), x(3, 2), caps).contracts, 0, "past a cap nothing fits");
        assert_eq!(room(x(0, 0), x(0, 0), caps).contracts, u64::MAX, "a series that adds nothing always fits");
    }
}
