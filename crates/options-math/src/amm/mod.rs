//! The AMM's trading rules: how a trade moves implied volatility and what it
//! costs. Plain functions over plain inputs: the program executes them and
//! the client quotes with them, so a quote equals the on-chain charge to the
//! base unit.
//!
//! Volatility (Lyra v1): per expiry a base IV, per strike a skew ratio; a
//! trade of `contracts` moves base IV by size/100 and skew by size/100 x
//! skew_adjustment, size = contracts / standard_size, up for buys, down for
//! sells, clamped; the trade prices at the post-trade IV = base_iv x skew.
//!
//! Fees (Lyra v1): option_price_fee x premium + spot_price_fee x spot per
//! contract, plus vega_fee_coef x (IV x |pool net vega after| / NAV) per
//! contract when the trade makes the pool's |net vega| larger; at least
//! `min_fee` per trade. Buyer pays premium + fee; seller receives
//! premium - fee, never below zero.
//!
//! On top, the hedging a trade causes (`hedge_fee`): a trade that adds
//! gamma pays the expected hedging cost its gamma adds over its life, a
//! trade that removes gamma gets a bounded discount. The vol surface
//! relaxes toward its reference between trades (`relax`).
pub mod hedge_fee;
pub mod relax;

pub use hedge_fee::{hedge_cost_rate, marginal_hedge_cost, HedgeFeeParams};
pub use relax::{relax_factor, relax_toward};

use crate::bs::{book_greeks, BookGreeks, OptionKind};
use crate::units::{Decimals, Rounding};
use crate::{MathError, I80F48};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The trader buys options the pool writes (opens or grows the pool's short).
    Buy,
    /// The trader sells options back to the pool (shrinks the pool's short).
    Sell,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VolSurfaceParams {
    /// Contracts (base units) whose trade moves base IV by one vol point.
    pub standard_size: u64,
    /// Skew moves by this fraction of the base IV move.
    pub skew_adjustment: I80F48,
    pub min_base_iv: I80F48,
    pub max_base_iv: I80F48,
    pub min_skew: I80F48,
    pub max_skew: I80F48,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IvAfterTrade {
    pub base_iv: I80F48,
    pub skew: I80F48,
    /// base_iv x skew: the volatility the trade is priced at.
    pub trade_iv: I80F48,
}

/// The volatility surface after a trade of `contracts` on one strike.
///
/// The move is truncated toward zero (one I80F48 division): a sub-ulp
/// difference in IV changes a premium by far less than the base-unit
/// rounding that follows, which is where the pool is favoured.
pub fn iv_after_trade(
    base_iv: I80F48,
    skew: I80F48,
    contracts: u64,
    side: Side,
    params: &VolSurfaceParams,
) -> Result<IvAfterTrade, MathError> {
    if params.standard_size == 0 {
        return Err(MathError::InputOutOfRange);
    }
    // one vol point (0.01) per standard size
    let denominator =
        I80F48::from_num(params.standard_size).checked_mul(I80F48::from_num(100)).ok_or(MathError::Overflow)?;
    let base_move = I80F48::from_num(contracts).checked_div(denominator).ok_or(MathError::Overflow)?;
    let skew_move = base_move.checked_mul(params.skew_adjustment).ok_or(MathError::Overflow)?;
    let (base_iv, skew) = match side {
        Side::Buy => (base_iv.saturating_add(base_move), skew.saturating_add(skew_move)),
        Side::Sell => (base_iv.saturating_sub(base_move), skew.saturating_sub(skew_move)),
    };
    let base_iv = base_iv.clamp(params.min_base_iv, params.max_base_iv);
    let skew = skew.clamp(params.min_skew, params.max_skew);
    let trade_iv = base_iv.checked_mul(skew).ok_or(MathError::Overflow)?;
    Ok(IvAfterTrade { base_iv, skew, trade_iv })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeParams {
    /// Fraction of the premium (0.01 = 1%).
    pub option_price_fee: I80F48,
    /// Fraction of spot per contract.
    pub spot_price_fee: I80F48,
    /// Quote whole units per contract at a vega utilisation of 1.
    pub vega_fee_coef: I80F48,
    /// Minimum fee per trade, quote base units.
    pub min_fee: u64,
}

/// Everything a trade's price depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TradeInputs {
    pub kind: OptionKind,
    pub side: Side,
    /// Option contracts, in the underlying's base units.
    pub contracts: u64,
    pub spot: I80F48,
    pub strike: I80F48,
    pub t_years: I80F48,
    pub rate: I80F48,
    /// This series' expiry base IV and strike skew before the trade.
    pub base_iv: I80F48,
    pub skew: I80F48,
    /// The pool's net short in this series before the trade (contracts, base units).
    pub net_short: u64,
    /// This series' cached vega and gamma per contract before the trade.
    pub series_vega: I80F48,
    pub series_gamma: I80F48,
    /// The pool's |net vega| before the trade: quote base units per 1.00 of
    /// vol over every live series (the pool only writes, so it is a sum of
    /// non-negative terms).
    pub pool_net_vega: I80F48,
    /// The pool's net gamma before the trade: sum(net short x gamma),
    /// underlying base units per unit of spot (>= 0: the pool only writes).
    pub pool_net_gamma: I80F48,
    /// Net asset value before the trade, quote base units; must be > 0.
    pub nav: u64,
    pub decimals: Decimals,
    pub vol: VolSurfaceParams,
    pub fees: FeeParams,
    /// How the hedging a trade causes is priced; None = not at all (a
    /// pool whose hedge policy has no cost model).
    pub hedge_fee: Option<HedgeFeeParams>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TradeQuote {
    pub iv: IvAfterTrade,
    /// Price, delta, gamma and vega per contract at the trade IV (the
    /// fields of `price_and_greeks`, bit for bit).
    pub greeks: BookGreeks,
    /// Premium for all contracts, quote base units (rounded up for a buy,
    /// down for a sell).
    pub premium: u64,
    /// Total fee, quote base units: the option, spot and vega parts rounded
    /// up together, plus the hedge-cost part, at least `min_fee`.
    pub fee: u64,
    /// The parts of the fee before rounding (quote base units), for
    /// display: option_price_fee x premium, spot_price_fee x spot, and the
    /// vega-utilisation part (zero when the trade does not grow |net vega|).
    pub option_fee: I80F48,
    pub spot_fee: I80F48,
    pub vega_fee: I80F48,
    /// The hedge-cost part, quote base units, as added to the fee: the
    /// charge (rounded up) for a trade that adds gamma, minus the discount
    /// (rounded down, at most `rebate_cap` of the other parts) for one
    /// that removes it.
    pub hedge_fee: i64,
    /// Buy: premium + fee (what the trader pays). Sell: premium - fee,
    /// floored at zero (what the trader receives).
    pub total: u64,
    pub net_short_after: u64,
    pub pool_net_vega_after: I80F48,
    pub pool_net_gamma_after: I80F48,
}

/// Price a trade: move the surface, price at the post-trade IV, add fees.
pub fn quote_trade(inp: &TradeInputs) -> Result<TradeQuote, MathError> {
    if inp.contracts == 0 {
        return Err(MathError::InputOutOfRange);
    }
    let net_short_after = match inp.side {
        Side::Buy => inp.net_short.checked_add(inp.contracts).ok_or(MathError::Overflow)?,
        // the pool never goes long: a trader can only sell back what it wrote
        Side::Sell => inp.net_short.checked_sub(inp.contracts).ok_or(MathError::InputOutOfRange)?,
    };
    let iv = iv_after_trade(inp.base_iv, inp.skew, inp.contracts, inp.side, &inp.vol)?;
    let greeks = book_greeks(inp.kind, inp.spot, inp.strike, inp.t_years, iv.trade_iv, inp.rate)?;
    let d = inp.decimals;
    let (premium_rounding, payer) = match inp.side {
        Side::Buy => (Rounding::Up, true),
        Side::Sell => (Rounding::Down, false),
    };
    let premium = d.quote_value(greeks.price, inp.contracts, premium_rounding)?;

    // |net vega| after: this series' old contribution out, its new one in
    // (at the post-trade IV). Other series keep their cached vega.
    let vega_before = d.quote_value_fixed(inp.series_vega, I80F48::from_num(inp.net_short))?;
    let vega_after = d.quote_value_fixed(greeks.vega, I80F48::from_num(net_short_after))?;
    let pool_net_vega_after = inp
        .pool_net_vega
        .checked_sub(vega_before)
        .and_then(|v| v.checked_add(vega_after))
        .ok_or(MathError::Overflow)?
        .max(I80F48::ZERO);

    let vega_fee_per_contract = if pool_net_vega_after > inp.pool_net_vega {
        if inp.nav == 0 {
            return Err(MathError::InputOutOfRange);
        }
        let utilisation = iv
            .trade_iv
            .checked_mul(pool_net_vega_after)
            .and_then(|x| x.checked_div(I80F48::from_num(inp.nav)))
            .ok_or(MathError::Overflow)?;
        inp.fees.vega_fee_coef.checked_mul(utilisation).ok_or(MathError::Overflow)?
    } else {
        I80F48::ZERO
    };
    let option_fee_per_contract = inp.fees.option_price_fee.checked_mul(greeks.price).ok_or(MathError::Overflow)?;
    let spot_fee_per_contract = inp.fees.spot_price_fee.checked_mul(inp.spot).ok_or(MathError::Overflow)?;
    let fee_per_contract = option_fee_per_contract
        .checked_add(spot_fee_per_contract)
        .and_then(|ab| ab.checked_add(vega_fee_per_contract))
        .ok_or(MathError::Overflow)?;
    let base_fee = d.quote_value(fee_per_contract, inp.contracts, Rounding::Up)?;
    let n = I80F48::from_num(inp.contracts);
    let (option_fee, spot_fee, vega_fee) = (
        d.quote_value_fixed(option_fee_per_contract, n)?,
        d.quote_value_fixed(spot_fee_per_contract, n)?,
        d.quote_value_fixed(vega_fee_per_contract, n)?,
    );

    // the pool's gamma after: this series' old contribution out, its new
    // one (at the post-trade IV) in, as for vega
    let pool_net_gamma_after = inp
        .series_gamma
        .checked_mul(I80F48::from_num(inp.net_short))
        .and_then(|old| inp.pool_net_gamma.checked_sub(old))
        .and_then(|g| greeks.gamma.checked_mul(I80F48::from_num(net_short_after)).and_then(|new| g.checked_add(new)))
        .ok_or(MathError::Overflow)?
        .max(I80F48::ZERO);
    let hedge_fee = match &inp.hedge_fee {
        None => 0,
        Some(p) => {
            let cost = marginal_hedge_cost(
                p,
                inp.spot,
                iv.trade_iv,
                inp.t_years,
                d.underlying_whole(inp.pool_net_gamma.max(I80F48::ZERO))?,
                d.underlying_whole(pool_net_gamma_after)?,
            )?;
            if cost >= 0 {
                i64::try_from(d.quote_base_units(cost, Rounding::Up)?).map_err(|_| MathError::Overflow)?
            } else {
                let saving = d.quote_base_units(-cost, Rounding::Down)?;
                let cap = crate::units::to_base_units(
                    I80F48::from_num(base_fee)
                        .checked_mul(p.rebate_cap.clamp(I80F48::ZERO, I80F48::ONE))
                        .ok_or(MathError::Overflow)?,
                    Rounding::Down,
                )?;
                -i64::try_from(saving.min(cap)).map_err(|_| MathError::Overflow)?
            }
        }
    };
    let fee = base_fee.checked_add_signed(hedge_fee).ok_or(MathError::Overflow)?.max(inp.fees.min_fee);

    let total = if payer { premium.checked_add(fee).ok_or(MathError::Overflow)? } else { premium.saturating_sub(fee) };
    Ok(TradeQuote {
        iv,
        greeks,
        premium,
        fee,
        option_fee,
        spot_fee,
        vega_fee,
        hedge_fee,
        total,
        net_short_after,
        pool_net_vega_after,
        pool_net_gamma_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fx(s: &str) -> I80F48 {
        s.parse().unwrap()
    }

    fn vol() -> VolSurfaceParams {
        VolSurfaceParams {
            standard_size: 5_000_000_000, // 5 contracts at 9 decimals
            skew_adjustment: fx("0.75"),
            min_base_iv: fx("0.35"),
            max_base_iv: fx("2"),
            min_skew: fx("0.5"),
            max_skew: fx("1.5"),
        }
    }

    fn inputs(side: Side, contracts: u64) -> TradeInputs {
        // the cache holds the vega at the current IV; the pool writes only this series
        let g = crate::bs::price_and_greeks(OptionKind::Call, fx("150"), fx("160"), fx("0.05"), fx("0.8"), fx("0.03"))
            .unwrap();
        let (vega, gamma) = (g.vega, g.gamma);
        let decimals = Decimals::new(9, 6).unwrap();
        TradeInputs {
            kind: OptionKind::Call,
            side,
            contracts,
            spot: fx("150"),
            strike: fx("160"),
            t_years: fx("0.05"),
            rate: fx("0.03"),
            base_iv: fx("0.8"),
            skew: fx("1"),
            net_short: 10_000_000_000,
            series_vega: vega,
            series_gamma: gamma,
            pool_net_vega: decimals.quote_value_fixed(vega, fx("10000000000")).unwrap(),
            pool_net_gamma: gamma * fx("10000000000"),
            nav: 1_000_000_000_000, // 1M USDC
            decimals,
            vol: vol(),
            fees: FeeParams {
                option_price_fee: fx("0.01"),
                spot_price_fee: fx("0.01"),
                vega_fee_coef: fx("6000"),
                min_fee: 10_000,
            },
            hedge_fee: None,
        }
    }

    #[test]
    fn a_standard_size_moves_base_iv_one_vol_point() {
        let iv = iv_after_trade(fx("0.8"), fx("1"), 5_000_000_000, Side::Buy, &vol()).unwrap();
        assert_eq!(iv.base_iv, fx("0.81"));
        // skew moves 0.75 of that: 0.0075; truncated division leaves < 2 ulp
        assert!((iv.skew - fx("1.0075")).abs() <= I80F48::DELTA * 2, "{}", iv.skew);
        assert_eq!(iv.trade_iv, iv.base_iv * iv.skew);
        let iv = iv_after_trade(fx("0.8"), fx("1"), 5_000_000_000, Side::Sell, &vol()).unwrap();
        assert!((iv.base_iv - fx("0.79")).abs() <= I80F48::DELTA * 2, "{}", iv.base_iv);
    }

    #[test]
    fn iv_is_clamped_and_bad_params_are_errors() {
        let huge = iv_after_trade(fx("0.8"), fx("1"), u64::MAX, Side::Buy, &vol()).unwrap();
        assert_eq!((huge.base_iv, huge.skew), (fx("2"), fx("1.5")));
        let low = iv_after_trade(fx("0.8"), fx("1"), u64::MAX, Side::Sell, &vol()).unwrap();
        assert_eq!((low.base_iv, low.skew), (fx("0.35"), fx("0.5")));
        let mut p = vol();
        p.standard_size = 0;
        assert_eq!(iv_after_trade(fx("0.8"), fx("1"), 1, Side::Buy, &p), Err(MathError::InputOutOfRange));
    }

    #[test]
    fn buy_pays_premium_plus_fees_rounded_up() {
        let inp = inputs(Side::Buy, 1_000_000_000); // 1 contract
        let q = quote_trade(&inp).unwrap();
        let g =
            crate::bs::price_and_greeks(OptionKind::Call, inp.spot, inp.strike, inp.t_years, q.iv.trade_iv, inp.rate)
                .unwrap();
        assert_eq!(
            (q.greeks.price, q.greeks.delta, q.greeks.gamma, q.greeks.vega),
            (g.price, g.delta, g.gamma, g.vega)
        );
        // premium: ceil(price x 1 contract x 10^6)
        let exact = g.price * I80F48::from_num(1_000_000);
        assert_eq!(q.premium, exact.ceil().to_num::<u64>());
        assert!(q.pool_net_vega_after > inp.pool_net_vega);
        assert!(q.vega_fee > 0);
        // fee >= 1% premium + 1% spot (1.50 USDC) and the vega part
        let floor = (g.price * fx("0.01") + fx("1.5")) * I80F48::from_num(1_000_000) + q.vega_fee;
        assert!(I80F48::from_num(q.fee) >= floor && I80F48::from_num(q.fee) < floor + I80F48::ONE);
        assert_eq!(q.total, q.premium + q.fee);
        assert_eq!(q.net_short_after, 11_000_000_000);
    }

    #[test]
    fn sell_receives_premium_minus_fee_without_vega_fee() {
        let inp = inputs(Side::Sell, 1_000_000_000);
        let q = quote_trade(&inp).unwrap();
        assert!(q.pool_net_vega_after < inp.pool_net_vega);
        assert_eq!(q.vega_fee, 0, "a trade that shrinks |net vega| pays no vega fee");
        let exact = q.greeks.price * I80F48::from_num(1_000_000);
        assert_eq!(q.premium, exact.floor().to_num::<u64>());
        assert_eq!(q.total, q.premium - q.fee);
        assert_eq!(q.net_short_after, 9_000_000_000);
        // selling more than the pool wrote is refused
        let too_many = inputs(Side::Sell, 10_000_000_001);
        assert_eq!(quote_trade(&too_many), Err(MathError::InputOutOfRange));
    }

    #[test]
    fn min_fee_applies_and_proceeds_never_go_negative() {
        let mut inp = inputs(Side::Sell, 1); // one base unit: premium rounds to 0
        inp.fees.min_fee = 50_000;
        let q = quote_trade(&inp).unwrap();
        assert_eq!(q.fee, 50_000);
        assert_eq!(q.total, 0);
        let mut inp = inputs(Side::Buy, 1);
        inp.fees.min_fee = 50_000;
        let q = quote_trade(&inp).unwrap();
        assert_eq!(q.premium, 1, "a sub-unit premium rounds up for the pool");
        assert_eq!(q.total, 50_001);
    }

    /// Buy `contracts` with `make`'s inputs, sell them straight back on the
    /// state the buy left: the two quotes.
    fn round_trip(make: fn(Side, u64) -> TradeInputs, contracts: u64) -> (TradeQuote, TradeQuote) {
        let buy = quote_trade(&make(Side::Buy, contracts)).unwrap();
        let mut back = make(Side::Sell, contracts);
        back.base_iv = buy.iv.base_iv;
        back.skew = buy.iv.skew;
        back.net_short = buy.net_short_after;
        back.series_vega = buy.greeks.vega;
        back.pool_net_vega = buy.pool_net_vega_after;
        back.series_gamma = buy.greeks.gamma;
        back.pool_net_gamma = buy.pool_net_gamma_after;
        (buy, quote_trade(&back).unwrap())
    }

    #[test]
    fn buy_and_sell_round_trip_never_profits_the_trader() {
        for contracts in [1u64, 999, 1_000_000_000, 7_777_777_777] {
            let (buy, sell) = round_trip(inputs, contracts);
            assert!(sell.total < buy.total, "{contracts}: paid {} got {}", buy.total, sell.total);
            assert_eq!(sell.iv.base_iv, inputs(Side::Buy, 1).base_iv, "the surface returns to where it was");
        }
    }

    #[test]
    fn zero_contracts_and_zero_nav_are_refused() {
        assert_eq!(quote_trade(&inputs(Side::Buy, 0)), Err(MathError::InputOutOfRange));
        let mut inp = inputs(Side::Buy, 1_000_000_000);
        inp.nav = 0;
        assert_eq!(quote_trade(&inp), Err(MathError::InputOutOfRange));
    }

    fn with_hedge_fee(side: Side, contracts: u64) -> TradeInputs {
        let mut inp = inputs(side, contracts);
        inp.hedge_fee = Some(HedgeFeeParams {
            cost: fx("0.003"),
            risk_aversion: fx("0.0001"),
            min_band: I80F48::ZERO,
            share: I80F48::ONE,
            rebate_cap: fx("0.5"),
        });
        inp
    }

    #[test]
    fn a_buy_pays_the_hedging_its_gamma_adds_as_its_own_line() {
        let plain = quote_trade(&inputs(Side::Buy, 5_000_000_000)).unwrap();
        let q = quote_trade(&with_hedge_fee(Side::Buy, 5_000_000_000)).unwrap();
        let d = Decimals::new(9, 6).unwrap();
        let p = with_hedge_fee(Side::Buy, 1).hedge_fee.unwrap();
        let inp = inputs(Side::Buy, 1);
        let cost = marginal_hedge_cost(
            &p,
            inp.spot,
            q.iv.trade_iv,
            inp.t_years,
            d.underlying_whole(inp.pool_net_gamma).unwrap(),
            d.underlying_whole(q.pool_net_gamma_after).unwrap(),
        )
        .unwrap();
        assert!(cost > 0);
        assert_eq!(q.hedge_fee, d.quote_base_units(cost, Rounding::Up).unwrap() as i64);
        assert_eq!(q.fee, plain.fee + q.hedge_fee as u64, "the other parts do not move");
        assert_eq!(q.total, q.premium + q.fee);
        // the parts add up to the fee (each is unrounded)
        let parts = q.option_fee + q.spot_fee + q.vega_fee;
        assert!(I80F48::from_num(plain.fee) >= parts && I80F48::from_num(plain.fee) < parts + I80F48::ONE);
        assert_eq!(
            q.pool_net_gamma_after,
            inp.pool_net_gamma - inp.series_gamma * fx("10000000000") + q.greeks.gamma * fx("15000000000")
        );
    }

    #[test]
    fn a_sell_gets_a_discount_bounded_by_its_other_fees() {
        let plain = quote_trade(&inputs(Side::Sell, 5_000_000_000)).unwrap();
        let q = quote_trade(&with_hedge_fee(Side::Sell, 5_000_000_000)).unwrap();
        assert!(q.hedge_fee < 0, "removing gamma saves the pool hedging");
        assert!(-q.hedge_fee as u64 <= plain.fee / 2, "at most half the other fees");
        assert_eq!(q.fee, plain.fee - (-q.hedge_fee) as u64);
        assert_eq!(q.total, q.premium - q.fee);
        // a large saving is cut at the cap exactly
        let mut inp = with_hedge_fee(Side::Sell, 10_000_000_000);
        inp.hedge_fee.as_mut().unwrap().share = fx("1000");
        let big = quote_trade(&inp).unwrap();
        let plain = quote_trade(&inputs(Side::Sell, 10_000_000_000)).unwrap();
        assert_eq!(-big.hedge_fee as u64, plain.fee / 2);
        // a zero cap gives no discount at all
        let mut inp = with_hedge_fee(Side::Sell, 5_000_000_000);
        inp.hedge_fee.as_mut().unwrap().rebate_cap = I80F48::ZERO;
        assert_eq!(quote_trade(&inp).unwrap().hedge_fee, 0);
    }

    #[test]
    fn with_the_hedge_fee_a_round_trip_still_never_profits_the_trader() {
        for contracts in [1u64, 999, 1_000_000_000, 7_777_777_777] {
            let (buy, sell) = round_trip(with_hedge_fee, contracts);
            assert!(sell.total < buy.total, "{contracts}: paid {} got {}", buy.total, sell.total);
            assert!(buy.hedge_fee >= -sell.hedge_fee, "{contracts}: the discount never exceeds the charge");
        }
    }
}
