//! A trade against the pool, as a plain function: price it (options-math's
//! `quote_trade`), refuse it if it breaks a rule, and update the greek
//! cache. The handler then moves the tokens. The cache must have been
//! refreshed at `spot` and `now` first.
//!
//! Rules: no trades after the cut-off; opening (buy) trades only for strikes
//! whose call delta is inside [min_delta, 1 - min_delta] and within the
//! open-interest cap; and no trade may make the solvency headroom, the
//! unhedgeable delta or its expiry's vega or cash gamma (`limits`) worse
//! when it is already past its limit.
//!
//! The price includes the hedging the trade causes (options-math's
//! `hedge_fee`) when the pool's hedge policy has a cost model.
use crate::error::{math_err, OptionsError};
use crate::manager::hedge::policy;
use crate::manager::limits;
use crate::manager::nav::{pool_nav, Balances};
use crate::manager::solvency::{headroom, positions};
use crate::state::greek_cache::{t_years, GreekCache};
use crate::state::pool::Pool;
use anchor_lang::prelude::*;
use options_math::amm::{quote_trade, HedgeFeeParams, Side, TradeInputs, TradeQuote};
use options_math::hedge::HedgePolicy;
use options_math::units::Rounding;
use options_math::{OptionKind, I80F48};

fn pool_headroom(pool: &Pool, cache: &GreekCache, quote: u64, spot: I80F48, now: i64) -> Result<i128> {
    let b = Balances { quote, ..Balances::of(pool) };
    let r = &pool.params.risk;
    headroom(b, spot, r.max_move_bps, r.solvency_reserve_bps, &positions(cache, now, r), pool.decimals())
        .map_err(math_err)
}

/// How the pool prices the hedging a trade causes: its hedge policy's cost
/// and risk aversion (Whalley-Wilmott or CostBenefit; a fixed band has no
/// cost model and charges nothing), its band floor, and the fee's share and
/// discount cap. None when the fee is off.
pub fn hedge_fee_params(pool: &Pool) -> Result<Option<HedgeFeeParams>> {
    let f = &pool.params.fees;
    if f.hedge_fee_bps == 0 {
        return Ok(None);
    }
    let (policy, limits) = policy(&pool.params.hedge, pool.decimals())?;
    let (cost, risk_aversion) = match policy {
        HedgePolicy::WhalleyWilmott { cost, risk_aversion } => (cost, risk_aversion),
        HedgePolicy::CostBenefit(cb) => (cb.cost, cb.risk_aversion),
        HedgePolicy::DeltaThreshold { .. } | HedgePolicy::DeltaThresholdToEdge { .. } => return Ok(None),
    };
    let bps = |x: u16| options_math::units::div_by_int(I80F48::from_num(x), crate::constants::BPS as u32);
    Ok(Some(HedgeFeeParams {
        cost,
        risk_aversion,
        min_band: limits.min_band,
        share: bps(f.hedge_fee_bps),
        rebate_cap: bps(f.hedge_rebate_cap_bps),
    }))
}

/// The spot a trade is priced at: of the prices the pool used over the
/// oracle age window (`lo`..`hi`, the current one included), the one worse
/// for the trader. Calls are worth more at a higher spot, puts at a lower:
/// buyers pay the dearer end, sellers get the cheaper. A buy on an older
/// update followed by a sell on a fresher one is then priced at the same
/// spot both ways and only pays fees.
pub fn trade_spot(kind: OptionKind, side: Side, lo: I80F48, hi: I80F48) -> I80F48 {
    match (kind, side) {
        (OptionKind::Call, Side::Buy) | (OptionKind::Put, Side::Sell) => hi,
        (OptionKind::Call, Side::Sell) | (OptionKind::Put, Side::Buy) => lo,
    }
}

/// `spot` is the oracle price the cache was refreshed at (the book, the
/// solvency check); `trade_spot` the price the option itself is quoted at.
#[allow(clippy::too_many_arguments)]
pub fn execute(
    pool: &Pool,
    cache: &mut GreekCache,
    slot: usize,
    side: Side,
    contracts: u64,
    spot: I80F48,
    trade_spot: I80F48,
    now: i64,
) -> Result<TradeQuote> {
    require!(contracts > 0, OptionsError::ZeroAmount);
    let entry = cache.entries[slot];
    require!(entry.live != 0, OptionsError::SeriesNotLive);
    let cutoff = entry.expiry.saturating_sub(pool.params.risk.trading_cutoff_s as i64);
    require!(now < cutoff, OptionsError::PastTradingCutoff);
    if side == Side::Sell {
        require!(contracts <= entry.net_short, OptionsError::SellExceedsOpenInterest);
    }
    let nav = pool_nav(pool, cache, Rounding::Down).map_err(math_err)?;
    require!(nav > 0, OptionsError::PoolInsolvent);

    let board = entry.board as usize;
    let d = pool.decimals();
    let fees = pool.params.fees.fee_params(d.quote).ok_or(OptionsError::InvalidFeeParams)?;
    let nav_u64 = u64::try_from(nav).map_err(|_| OptionsError::AmountTooLarge)?;
    let kind: OptionKind = GreekCache::entry_kind(&entry).into();
    let q = quote_trade(&TradeInputs {
        kind,
        side,
        contracts,
        spot: trade_spot,
        strike: entry.strike.get(),
        t_years: t_years(entry.expiry, now),
        rate: pool.params.vol.rate(),
        base_iv: cache.boards[board].base_iv.get(),
        skew: entry.skew.get(),
        net_short: entry.net_short,
        series_vega: entry.vega.get(),
        series_gamma: entry.gamma.get(),
        pool_net_vega: cache.net_vega.get(),
        pool_net_gamma: cache.net_gamma.get(),
        nav: nav_u64,
        decimals: d,
        vol: pool.params.vol.surface(),
        fees,
        hedge_fee: hedge_fee_params(pool)?,
    })
    .map_err(math_err)?;

    if side == Side::Buy {
        let call_delta = match kind {
            OptionKind::Call => q.greeks.delta,
            OptionKind::Put => q.greeks.delta + I80F48::ONE,
        };
        let min = pool.params.risk.min_delta();
        require!(call_delta >= min && call_delta <= I80F48::ONE - min, OptionsError::DeltaOutOfBand);
        require!(q.net_short_after <= pool.params.risk.max_open_interest, OptionsError::OpenInterestCapExceeded);
    }

    let unhedged_before = cache.unhedgeable_delta();
    let exposure_before = limits::board_exposure(cache, entry.board, spot, d).map_err(math_err)?;

    // Apply: the trading surface moves; the book stays marked at the mark
    // IVs (which no trade moves within the second), so only the position
    // changes the aggregates.
    let untraded = (cache.boards[board].base_iv.get(), entry.skew.get(), entry.net_short);
    let apply = |c: &mut GreekCache, (base_iv, skew, net_short): (I80F48, I80F48, u64)| {
        c.boards[board].base_iv.set(base_iv);
        c.entries[slot].skew.set(skew);
        c.entries[slot].net_short = net_short;
    };
    apply(cache, (q.iv.base_iv, q.iv.skew, q.net_short_after));
    cache.aggregate(now, d).map_err(math_err)?;

    let quote_after = match side {
        Side::Buy => pool.quote_balance.checked_add(q.total).ok_or(OptionsError::AmountTooLarge)?,
        Side::Sell => {
            // quote reserved for settled holders is not the pool's to pay out
            let cash = pool.quote_balance.saturating_sub(pool.reserved_payouts);
            require!(q.total <= cash, OptionsError::InsufficientQuoteInVault);
            pool.quote_balance - q.total
        }
    };
    let headroom_after = pool_headroom(pool, cache, quote_after, spot, now)?;
    if headroom_after < 0 {
        // past the limit, a trade passes only if it does not make the
        // headroom worse: the stress of the untraded book (the stress reads
        // only the positions, so restoring the three traded fields is enough;
        // a passing pool never pays for this second stress)
        apply(cache, untraded);
        let headroom_before = pool_headroom(pool, cache, pool.quote_balance, spot, now)?;
        apply(cache, (q.iv.base_iv, q.iv.skew, q.net_short_after));
        require!(headroom_after >= headroom_before, OptionsError::SolvencyCheckFailed);
    }
    let unhedged_after = cache.unhedgeable_delta();
    let cap = I80F48::from_num(pool.params.risk.max_unhedged_delta);
    require!(unhedged_after <= cap || unhedged_after <= unhedged_before, OptionsError::UnhedgedDeltaCapExceeded);
    let unit = limits::per_base_unit(cache, slot, spot, d).map_err(math_err)?;
    let exposure_after =
        limits::after_trade(exposure_before, unit, entry.net_short, q.net_short_after).map_err(math_err)?;
    let caps = pool.params.risk.board_caps(nav_u64);
    if let Err(e) = limits::check(exposure_before, exposure_after, caps) {
        let room = limits::room(exposure_before, unit, caps);
        msg!("expiry {} caps: {} contract base units still fit", entry.expiry, room.contracts);
        return Err(e);
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::params::tests::sane;
    use crate::state::series::Kind;
    use bytemuck::Zeroable;

    const ONE: u64 = 1_000_000_000; // one contract (9 decimals)
    const USDC: u64 = 1_000_000;
    const DAY: i64 = 86_400;

    fn fx(s: &str) -> I80F48 {
        s.parse().unwrap()
    }

    fn pool(quote: u64) -> Pool {
        Pool::for_tests(sane(), quote, 0)
    }

    /// A cache with one 30-day series at 150 spot, refreshed at `now` = 0.
    fn book(p: &Pool, strike: &str, kind: Kind) -> Box<GreekCache> {
        let mut c = Box::new(GreekCache::zeroed());
        c.add_series(Pubkey::new_unique(), fx(strike), 30 * DAY, kind, fx("0.8"), fx("1")).unwrap();
        c.refresh(fx("150"), 0, p.params.vol.rate(), p.decimals()).unwrap();
        c
    }

    fn code<T: core::fmt::Debug>(r: Result<T>) -> u32 {
        match r {
            Err(Error::AnchorError(e)) => e.error_code_number,
            other => panic!("expected an Anchor error, got {other:?}"),
        }
    }

    #[test]
    fn a_buy_updates_the_surface_the_short_and_the_aggregates() {
        let p = pool(100_000 * USDC);
        let mut c = book(&p, "150", Kind::Call);
        let q = execute(&p, &mut c, 0, Side::Buy, 10 * ONE, fx("150"), fx("150"), 0).unwrap();
        assert_eq!(c.entries[0].net_short, 10 * ONE);
        assert_eq!(c.boards[0].base_iv.get(), q.iv.base_iv);
        assert!(q.iv.base_iv > fx("0.8"), "buying lifts the base IV");
        // the book is marked at the unmoved mark IV: a trade cannot shift NAV by itself
        assert_eq!(c.entries[0].mark_iv.get(), fx("0.8"));
        assert_eq!(c.net_delta.get(), I80F48::from_num(10 * ONE) * c.entries[0].delta.get());
        assert!(q.total > q.premium);
        // selling them all back returns the surface and empties the book
        let s = execute(&p, &mut c, 0, Side::Sell, 10 * ONE, fx("150"), fx("150"), 0).unwrap();
        assert_eq!(c.entries[0].net_short, 0);
        assert_eq!(c.net_delta.get(), 0);
        assert!(s.total < q.total);
    }

    #[test]
    fn trading_stops_at_the_cutoff() {
        let p = pool(100_000 * USDC);
        let mut c = book(&p, "150", Kind::Call);
        let cutoff = 30 * DAY - 12 * 3600;
        assert!(execute(&p, &mut c, 0, Side::Buy, ONE, fx("150"), fx("150"), cutoff - 1).is_ok());
        assert_eq!(
            code(execute(&p, &mut c, 0, Side::Buy, ONE, fx("150"), fx("150"), cutoff)),
            u32::from(OptionsError::PastTradingCutoff)
        );
    }

    #[test]
    fn opening_trades_need_the_delta_inside_the_band_but_closing_ones_do_not() {
        let p = pool(100_000 * USDC);
        // deep OTM call: delta far below 0.15
        let mut c = book(&p, "400", Kind::Call);
        assert_eq!(
            code(execute(&p, &mut c, 0, Side::Buy, ONE, fx("150"), fx("150"), 0)),
            u32::from(OptionsError::DeltaOutOfBand)
        );
        // deep ITM put: call delta above 0.85
        let mut c = book(&p, "300", Kind::Put);
        assert_eq!(
            code(execute(&p, &mut c, 0, Side::Buy, ONE, fx("150"), fx("150"), 0)),
            u32::from(OptionsError::DeltaOutOfBand)
        );
        // a position opened near the money can be closed after spot runs away
        let mut c = book(&p, "150", Kind::Call);
        execute(&p, &mut c, 0, Side::Buy, ONE, fx("150"), fx("150"), 0).unwrap();
        c.refresh(fx("400"), 0, p.params.vol.rate(), p.decimals()).unwrap();
        assert!(execute(&p, &mut c, 0, Side::Sell, ONE, fx("400"), fx("400"), 0).is_ok());
    }

    #[test]
    fn open_interest_cap_and_selling_more_than_written() {
        let mut p = pool(100_000 * USDC);
        p.params.risk.max_open_interest = 5 * ONE;
        let mut c = book(&p, "150", Kind::Call);
        execute(&p, &mut c, 0, Side::Buy, 5 * ONE, fx("150"), fx("150"), 0).unwrap();
        assert_eq!(
            code(execute(&p, &mut c, 0, Side::Buy, 1, fx("150"), fx("150"), 0)),
            u32::from(OptionsError::OpenInterestCapExceeded)
        );
        assert_eq!(
            code(execute(&p, &mut c, 0, Side::Sell, 5 * ONE + 1, fx("150"), fx("150"), 0)),
            u32::from(OptionsError::SellExceedsOpenInterest)
        );
        assert_eq!(
            code(execute(&p, &mut c, 0, Side::Buy, 0, fx("150"), fx("150"), 0)),
            u32::from(OptionsError::ZeroAmount)
        );
    }

    #[test]
    fn a_buy_the_pool_could_not_pay_in_its_stress_move_is_refused() {
        // 1,000 USDC of capital, no vega fee. A 30-day 80%-vol call is
        // stressed at 2 x 1.25 x 0.8 x sqrt(30/365) = 57% (the tenor-aware
        // stress), so it owes ~86 USDC per contract at 236 and collects
        // ~15 of premium and fees: about 14 contracts fit, 20 do not
        let mut p = pool(1_000 * USDC);
        p.params.fees.vega_fee_coef = 0;
        let mut c = book(&p, "150", Kind::Call);
        assert_eq!(
            code(execute(&p, &mut c, 0, Side::Buy, 20 * ONE, fx("150"), fx("150"), 0)),
            u32::from(OptionsError::SolvencyCheckFailed)
        );
        let mut c = book(&p, "150", Kind::Call);
        assert!(execute(&p, &mut c, 0, Side::Buy, 10 * ONE, fx("150"), fx("150"), 0).is_ok());
    }

    #[test]
    fn unhedgeable_put_delta_is_capped() {
        let mut p = pool(1_000_000 * USDC);
        p.params.risk.max_unhedged_delta = 2 * ONE;
        let mut c = book(&p, "150", Kind::Put);
        // ATM put delta ~ -0.45: 4 contracts leave ~1.8 unhedgeable, 5 leave ~2.3
        assert!(execute(&p, &mut c, 0, Side::Buy, 4 * ONE, fx("150"), fx("150"), 0).is_ok());
        assert_eq!(
            code(execute(&p, &mut c, 0, Side::Buy, ONE, fx("150"), fx("150"), 0)),
            u32::from(OptionsError::UnhedgedDeltaCapExceeded)
        );
        // reducing it is always allowed
        assert!(execute(&p, &mut c, 0, Side::Sell, ONE, fx("150"), fx("150"), 0).is_ok());
    }

    #[test]
    fn an_insolvent_pool_does_not_trade_and_reserved_quote_is_not_paid_to_sellers() {
        let p = pool(0);
        let mut c = book(&p, "150", Kind::Call);
        assert_eq!(
            code(execute(&p, &mut c, 0, Side::Buy, ONE, fx("150"), fx("150"), 0)),
            u32::from(OptionsError::PoolInsolvent)
        );

        let mut p = pool(10_000 * USDC);
        let mut c = book(&p, "150", Kind::Call);
        execute(&p, &mut c, 0, Side::Buy, ONE, fx("150"), fx("150"), 0).unwrap();
        // all but 1 USDC of the cash is owed to a settled series' holders;
        // the pool's value sits in its hedge, so NAV stays positive
        p.reserved_payouts = p.quote_balance - USDC;
        p.hedge_balance = 10 * ONE;
        assert_eq!(
            code(execute(&p, &mut c, 0, Side::Sell, ONE, fx("150"), fx("150"), 0)),
            u32::from(OptionsError::InsufficientQuoteInVault)
        );
    }
}
