//! When and how much `rebalance` trades, as a plain function: the handler
//! executes the plan, a keeper calls the same function to predict whether a
//! rebalance would trade before paying for the transaction.
//!
//! The decision is options-math's `hedge::decide` (the hedge-policy lab runs
//! the very same function). Around it, the pool's own constraints:
//! - cooldown between rebalances;
//! - the hedge vault cannot go short, and a buy is limited to the quote not
//!   owed to settled holders;
//! - when quote is short of the settled payouts it owes, the plan sells at
//!   least enough underlying to cover the shortfall, band or no band;
//! - the swap bound comes from the ORACLE price and `max_slippage_bps`,
//!   never from the venue's own quote.
//!
//! Policy units are whole units of underlying (the WW band is not linear in
//! the unit: H scales with gamma^(2/3)); the pool's amounts are base units.
//! A trade's size is rounded up to a whole base unit so the hedge lands
//! inside the band, never a fraction of a unit short of it.
use crate::constants::{BPS, MAX_KEEPER_REWARD_BPS};
use crate::error::{math_err, OptionsError};
use crate::state::greek_cache::GreekCache;
use crate::state::params::{HedgeConfig, HedgePolicyConfig};
use crate::state::pool::Pool;
use anchor_lang::prelude::*;
use options_math::hedge::{decide, HedgeInputs, HedgeLimits, HedgePolicy};
use options_math::units::{to_base_units, Decimals, Rounding};
use options_math::I80F48;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HedgeSide {
    /// Pay quote, receive underlying.
    BuyUnderlying,
    /// Pay underlying, receive quote.
    SellUnderlying,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RebalancePlan {
    pub side: HedgeSide,
    /// Underlying to buy (exact output) or sell (exact input), base units.
    pub underlying: u64,
    /// Buy: the most quote the swap may cost. Sell: the least quote it must
    /// return. From the oracle price and max_slippage_bps.
    pub quote_bound: u64,
    pub hedge_before: u64,
    /// B*, underlying base units.
    pub target: I80F48,
    /// Band half-width used, underlying base units.
    pub band: I80F48,
    /// The plan sells to fund settled payouts the quote vault cannot cover.
    pub funds_payouts: bool,
}

fn bps(x: u64) -> I80F48 {
    options_math::units::div_by_int(I80F48::from_num(x), BPS as u32)
}

/// The pool's configured policy in options-math's terms (whole units).
pub fn policy(cfg: &HedgeConfig, d: Decimals) -> Result<(HedgePolicy, HedgeLimits)> {
    let whole = |base: u64| d.underlying_whole(I80F48::from_num(base)).map_err(math_err);
    let policy = match cfg.policy {
        HedgePolicyConfig::DeltaThreshold { band } => HedgePolicy::DeltaThreshold { band: whole(band)? },
        HedgePolicyConfig::WhalleyWilmott { cost_bps, risk_aversion_ppm } => HedgePolicy::WhalleyWilmott {
            cost: bps(cost_bps as u64),
            risk_aversion: options_math::units::div_by_int(I80F48::from_num(risk_aversion_ppm), 1_000_000),
        },
    };
    Ok((policy, HedgeLimits { min_band: whole(cfg.min_band)?, max_trade: whole(cfg.max_trade)? }))
}

/// Oracle price moved by `slippage_bps` against the pool.
fn bound_price(spot: I80F48, slippage_bps: u16, side: HedgeSide) -> Result<I80F48> {
    let s = bps(slippage_bps as u64);
    let factor = match side {
        HedgeSide::BuyUnderlying => I80F48::ONE + s,
        HedgeSide::SellUnderlying => I80F48::ONE - s,
    };
    spot.checked_mul(factor).ok_or_else(|| error!(OptionsError::AmountTooLarge))
}

/// The rebalance due now, or `RebalanceNotDue` / `RebalanceCooldown`.
/// The cache must have been refreshed at `spot` and `now`.
pub fn plan(pool: &Pool, cache: &GreekCache, spot: I80F48, now: i64) -> Result<RebalancePlan> {
    plan_capped(pool, cache, spot, now, u64::MAX)
}

/// `plan` with every swap (the payout-funding sale included) at most
/// `venue_cap` underlying base units: the venue's `hedge_cap`, so its
/// price impact stays where a sandwich cannot pay.
pub fn plan_capped(pool: &Pool, cache: &GreekCache, spot: I80F48, now: i64, venue_cap: u64) -> Result<RebalancePlan> {
    let cfg = &pool.params.hedge;
    require!(now >= pool.last_rebalance_ts.saturating_add(cfg.cooldown_s as i64), OptionsError::RebalanceCooldown);
    let d = pool.decimals();
    let whole = |base: I80F48| d.underlying_whole(base).map_err(math_err);
    let (policy, limits) = policy(cfg, d)?;
    let target = cache.target_hedge();
    let inputs = HedgeInputs {
        hedge: whole(I80F48::from_num(pool.hedge_balance))?,
        target: whole(target)?,
        gamma: whole(cache.net_gamma.get())?,
        spot,
        tau_years: cache.gamma_weighted_tau.get(),
        rate: pool.params.vol.rate(),
    };
    let band_whole = options_math::hedge::band(&policy, &limits, &inputs).map_err(math_err)?;
    let band = d.underlying_base(band_whole).map_err(math_err)?;
    // Signed trade in base units, its size rounded UP to a whole base unit:
    // truncating would stop a to-the-edge trade a fraction of a unit short
    // of the edge, i.e. still outside the band. Rounding up moves it at most
    // one unit past its goal, inside the band; max_trade still caps it.
    let mut trade: i128 = match decide(&policy, &limits, &inputs).map_err(math_err)? {
        Some(dec) => {
            let exact = d.underlying_base(dec.trade.abs()).map_err(math_err)?;
            let mut size = to_base_units(exact, Rounding::Up).map_err(math_err)?;
            if cfg.max_trade > 0 {
                size = size.min(cfg.max_trade);
            }
            if dec.trade > 0 {
                size as i128
            } else {
                -(size as i128)
            }
        }
        None => 0,
    };

    // No live series: nothing left to hedge, so any hedge is only price risk
    // (and value LPs cannot withdraw under the solvency rule): unwind it all,
    // band or no band.
    if trade == 0 && cache.live_count() == 0 && pool.hedge_balance > 0 {
        trade = -(pool.hedge_balance as i128);
    }

    // Settled holders are owed quote the vault does not hold: sell at least
    // enough underlying (at the worst price the bound allows) to cover it.
    let shortfall = pool.reserved_payouts.saturating_sub(pool.quote_balance);
    let mut funds_payouts = false;
    if shortfall > 0 && pool.hedge_balance > 0 {
        let worst = bound_price(spot, cfg.max_slippage_bps, HedgeSide::SellUnderlying)?;
        let need = d
            .quote_whole(I80F48::from_num(shortfall))
            .and_then(|q| q.checked_div(worst).ok_or(options_math::MathError::Overflow))
            .and_then(|w| d.underlying_base(w))
            .map_err(math_err)?;
        let need = to_base_units(need, Rounding::Up).map_err(math_err)? as i128;
        if trade > -need {
            trade = -need;
            funds_payouts = true;
        }
    }

    let (side, mut underlying) = if trade > 0 {
        (HedgeSide::BuyUnderlying, (trade as u64).min(venue_cap))
    } else {
        // the vault cannot go short
        (HedgeSide::SellUnderlying, ((-trade) as u64).min(pool.hedge_balance).min(venue_cap))
    };
    require!(underlying > 0, OptionsError::RebalanceNotDue);
    // a venue so shallow that its cap is dust would make every call pay a
    // keeper reward for nothing
    require!(!(venue_cap < cfg.min_band && underlying == venue_cap), OptionsError::VenueCannotFill);

    let price = bound_price(spot, cfg.max_slippage_bps, side)?;
    let quote_bound = match side {
        HedgeSide::SellUnderlying => d.quote_value(price, underlying, Rounding::Down).map_err(math_err)?,
        HedgeSide::BuyUnderlying => {
            // only quote not owed to settled holders may buy underlying
            let cash = pool.quote_balance.saturating_sub(pool.reserved_payouts);
            let mut cost = d.quote_value(price, underlying, Rounding::Up).map_err(math_err)?;
            if cost > cash {
                let affordable = d
                    .quote_whole(I80F48::from_num(cash))
                    .and_then(|q| q.checked_div(price).ok_or(options_math::MathError::Overflow))
                    .and_then(|w| d.underlying_base(w))
                    .map_err(math_err)?;
                underlying = to_base_units(affordable, Rounding::Down).map_err(math_err)?;
                require!(underlying > 0, OptionsError::InsufficientQuoteInVault);
                cost = d.quote_value(price, underlying, Rounding::Up).map_err(math_err)?;
                if cost > cash {
                    // the truncated division can leave one base unit too many
                    underlying -= 1;
                    require!(underlying > 0, OptionsError::InsufficientQuoteInVault);
                    cost = d.quote_value(price, underlying, Rounding::Up).map_err(math_err)?;
                }
            }
            cost
        }
    };
    Ok(RebalancePlan { side, underlying, quote_bound, hedge_before: pool.hedge_balance, target, band, funds_payouts })
}

/// Keeper reward for a swap of `notional` quote: fixed + bps, capped by
/// the pool's cap and by the program's hard bound (MAX_KEEPER_REWARD_BPS of
/// the notional, rounded down), and never more than the quote not owed to
/// settled holders.
pub fn keeper_reward(cfg: &HedgeConfig, notional: u64, cash: u64) -> u64 {
    let bps_of_notional = |bps: u16| (notional as u128 * bps as u128 / BPS as u128) as u64;
    cfg.keeper_reward_fixed
        .saturating_add(bps_of_notional(cfg.keeper_reward_bps))
        .min(cfg.keeper_reward_cap)
        .min(bps_of_notional(MAX_KEEPER_REWARD_BPS))
        .min(cash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::params::tests::sane;
    use crate::state::series::Kind;
    use bytemuck::Zeroable;

    const ONE: u64 = 1_000_000_000;
    const USDC: u64 = 1_000_000;
    const DAY: i64 = 86_400;

    fn fx(s: &str) -> I80F48 {
        s.parse().unwrap()
    }

    fn pool(quote: u64, hedge: u64) -> Pool {
        let mut params = sane();
        params.hedge.policy = HedgePolicyConfig::DeltaThreshold { band: ONE };
        params.hedge.min_band = ONE / 10;
        params.hedge.max_trade = 100 * ONE;
        params.hedge.cooldown_s = 60;
        params.hedge.max_slippage_bps = 100;
        params.vol.rate_bps = 0;
        Pool::for_tests(params, quote, hedge)
    }

    /// A pool short `short` contracts of one 30-day series at spot 150.
    fn cache(strike: &str, kind: Kind, short: u64) -> Box<GreekCache> {
        let mut c = Box::new(GreekCache::zeroed());
        c.add_series(Pubkey::new_unique(), fx(strike), 30 * DAY, kind, fx("0.8"), fx("1")).unwrap();
        c.entries[0].net_short = short;
        c.refresh(fx("150"), 1000, I80F48::ZERO, Decimals { underlying: 9, quote: 6 }).unwrap();
        c
    }

    fn code<T: core::fmt::Debug>(r: Result<T>) -> u32 {
        match r {
            Err(Error::AnchorError(e)) => e.error_code_number,
            other => panic!("expected an Anchor error, got {other:?}"),
        }
    }

    #[test]
    fn short_calls_buy_back_to_the_target_within_the_oracle_bound() {
        let p = pool(100_000 * USDC, 0);
        let c = cache("150", Kind::Call, 10 * ONE);
        let plan = plan(&p, &c, fx("150"), 1000).unwrap();
        assert_eq!(plan.side, HedgeSide::BuyUnderlying);
        // threshold-to-target: buys the whole target, rounded up to a base unit
        assert_eq!(plan.underlying, c.target_hedge().ceil().to_num::<u64>());
        // the bound is the oracle price + 1%, rounded up
        let max_cost =
            (fx("151.5") * I80F48::from_num(plan.underlying) / I80F48::from_num(1000)).ceil().to_num::<u64>();
        assert!((plan.quote_bound as i64 - max_cost as i64).abs() <= 1, "{} vs {max_cost}", plan.quote_bound);
        assert_eq!(plan.band, I80F48::from_num(ONE));
    }

    #[test]
    fn inside_the_band_nothing_trades_and_the_cooldown_holds() {
        let c = cache("150", Kind::Call, 10 * ONE);
        let target = c.target_hedge().to_num::<u64>();
        let p = pool(100_000 * USDC, target + ONE / 2);
        assert_eq!(code(plan(&p, &c, fx("150"), 1000)), u32::from(OptionsError::RebalanceNotDue));
        let mut p = pool(100_000 * USDC, 0);
        p.last_rebalance_ts = 950;
        assert_eq!(code(plan(&p, &c, fx("150"), 1000)), u32::from(OptionsError::RebalanceCooldown));
        assert!(plan(&p, &c, fx("150"), 1010).is_ok(), "cooldown over");
    }

    #[test]
    fn short_puts_sell_the_hedge_down_to_zero_and_no_further() {
        let c = cache("150", Kind::Put, 10 * ONE);
        assert_eq!(c.target_hedge(), 0);
        let p = pool(100_000 * USDC, 3 * ONE);
        let plan = plan(&p, &c, fx("150"), 1000).unwrap();
        assert_eq!((plan.side, plan.underlying), (HedgeSide::SellUnderlying, 3 * ONE));
        // 3 SOL at 150 x 0.99, rounded down
        assert_eq!(plan.quote_bound, 445_500_000);
    }

    #[test]
    fn max_trade_splits_large_hedges_and_cash_limits_buys() {
        let mut p = pool(100_000 * USDC, 0);
        p.params.hedge.max_trade = 2 * ONE;
        let c = cache("150", Kind::Call, 10 * ONE);
        assert_eq!(plan(&p, &c, fx("150"), 1000).unwrap().underlying, 2 * ONE);
        // 151.5 USDC of spare cash buys at most 1 SOL at the bound price
        let mut p = pool(151_500_000 + 5 * USDC, 0);
        p.reserved_payouts = 5 * USDC;
        let pl = plan(&p, &c, fx("150"), 1000).unwrap();
        assert_eq!(pl.underlying, ONE);
        assert!(pl.quote_bound <= 151_500_000);
        let p = pool(0, 0);
        assert_eq!(code(plan(&p, &c, fx("150"), 1000)), u32::from(OptionsError::InsufficientQuoteInVault));
    }

    #[test]
    fn settled_payouts_the_vault_cannot_cover_force_a_sale() {
        // no options left (target 0) but the hedge is inside the band; the
        // quote vault is 100 USDC short of what settled holders are owed
        let mut c = cache("150", Kind::Call, 0);
        c.aggregate(1000, Decimals { underlying: 9, quote: 6 }).unwrap();
        let mut p = pool(0, ONE / 2);
        p.reserved_payouts = 50 * USDC;
        let pl = plan(&p, &c, fx("150"), 1000).unwrap();
        assert!(pl.funds_payouts);
        assert_eq!(pl.side, HedgeSide::SellUnderlying);
        // 50 USDC at the worst allowed price (148.5) needs 0.336700337 SOL
        assert_eq!(pl.underlying, 336_700_337);
        assert!(pl.quote_bound >= 50 * USDC);
    }

    #[test]
    fn whalley_wilmott_trades_to_the_band_edge() {
        let mut p = pool(1_000_000 * USDC, 0);
        p.params.hedge.policy = HedgePolicyConfig::WhalleyWilmott { cost_bps: 30, risk_aversion_ppm: 1_000_000 };
        p.params.hedge.min_band = 1;
        let c = cache("150", Kind::Call, 100 * ONE);
        let pl = plan(&p, &c, fx("150"), 1000).unwrap();
        let (policy, limits) = policy(&p.params.hedge, p.decimals()).unwrap();
        let gamma_whole = c.net_gamma.get() / I80F48::from_num(ONE);
        let h = options_math::hedge::whalley_wilmott_half_width(
            match policy {
                HedgePolicy::WhalleyWilmott { cost, .. } => cost,
                _ => unreachable!(),
            },
            I80F48::ONE,
            fx("150"),
            gamma_whole,
            c.gamma_weighted_tau.get(),
            I80F48::ZERO,
        )
        .unwrap();
        assert!(limits.min_band < h);
        // the hedge stops at the lower edge, target - H, not at the target
        let expected = ((c.target_hedge() - h * I80F48::from_num(ONE)).to_num::<i128>()) as u64;
        assert!((pl.underlying as i64 - expected as i64).abs() <= 2, "{} vs {expected}", pl.underlying);
        assert!(pl.underlying < c.target_hedge().to_num::<u64>());
    }

    #[test]
    fn a_hedge_left_after_the_last_series_is_unwound_even_inside_the_band() {
        let mut c = cache("150", Kind::Call, 0);
        c.remove_series(0);
        c.aggregate(1000, Decimals { underlying: 9, quote: 6 }).unwrap();
        // 0.05 SOL is far inside the 1 SOL band
        let p = pool(0, ONE / 20);
        let pl = plan(&p, &c, fx("150"), 1000).unwrap();
        assert_eq!((pl.side, pl.underlying), (HedgeSide::SellUnderlying, ONE / 20));
        // while a series is live, the same hedge inside the band stays put
        let c = cache("150", Kind::Call, 0);
        assert_eq!(code(plan(&p, &c, fx("150"), 1000)), u32::from(OptionsError::RebalanceNotDue));
    }

    #[test]
    fn keeper_reward_is_fixed_plus_bps_capped_and_funded() {
        let mut cfg = sane().hedge;
        cfg.keeper_reward_fixed = 100_000;
        cfg.keeper_reward_bps = 5;
        cfg.keeper_reward_cap = 1_000_000;
        assert_eq!(keeper_reward(&cfg, 1_000 * USDC, u64::MAX), 100_000 + 500_000);
        assert_eq!(keeper_reward(&cfg, 10_000 * USDC, u64::MAX), 1_000_000);
        assert_eq!(keeper_reward(&cfg, 10_000 * USDC, 7), 7);
        // the hard bound: 50 bps of the notional whatever the pool's cap and
        // fixed part (an admin-set u64::MAX pays 0.5% of a real swap, no more)
        cfg.keeper_reward_fixed = u64::MAX;
        cfg.keeper_reward_cap = u64::MAX;
        assert_eq!(keeper_reward(&cfg, 1_000 * USDC, u64::MAX), 5 * USDC);
        assert_eq!(keeper_reward(&cfg, 0, u64::MAX), 0);
    }
}
