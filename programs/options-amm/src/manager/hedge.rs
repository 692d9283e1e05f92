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
//!
//! The cost-benefit policy reads the book by expiry: one
//! [`ExpiryBucket`] per board of the greek cache (a board is one expiry),
//! with the sums over its live series of net short x delta and net short x
//! gamma, the time to the board's expiry, and the board's base IV as the
//! volatility its delta moves with (a documented choice: the series' mark
//! IVs differ from it by their skew, but a gamma-weighted mean of them
//! would cost a division per board for a term that enters the band only as
//! its allowance's and H0's scale). The buckets are built only for that
//! policy, on the stack frame of a helper of their own (`MAX_BOARDS` x 64
//! bytes), never in `rebalance`'s handler frame.
use crate::constants::{BPS, MAX_BOARDS, MAX_KEEPER_REWARD_BPS};
use crate::error::{math_err, OptionsError};
use crate::state::greek_cache::{t_years, GreekCache};
use crate::state::params::{HedgeConfig, HedgePolicyConfig};
use crate::state::pool::Pool;
use anchor_lang::prelude::*;
use options_math::hedge::{
    decide, Band, CostBenefit, ExpiryBucket, HedgeDecision, HedgeInputs, HedgeLimits, HedgePolicy,
};
use options_math::units::{to_base_units, Decimals, Rounding};
use options_math::{MathError, I80F48};

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
    /// Band width used, underlying base units: the side the hedge crossed
    /// when the policy asked for the trade; the wider side when the plan
    /// trades for another reason (unwinding a hedge no series needs, or
    /// funding settled payouts).
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
    let ppm = |x: u64| options_math::units::div_by_int(I80F48::from_num(x), 1_000_000);
    let policy = match cfg.policy {
        HedgePolicyConfig::DeltaThreshold { band } => HedgePolicy::DeltaThreshold { band: whole(band)? },
        HedgePolicyConfig::WhalleyWilmott { cost_bps, risk_aversion_ppm } => {
            HedgePolicy::WhalleyWilmott { cost: bps(cost_bps as u64), risk_aversion: ppm(risk_aversion_ppm) }
        }
        // The fixed cost of a rebalance to the pool is its keeper's fixed
        // reward: the band widens for it (options_math::hedge::cost_benefit).
        HedgePolicyConfig::CostBenefit { cost_bps, risk_aversion_ppm, terminal_bps, expiry_aware } => {
            HedgePolicy::CostBenefit(CostBenefit {
                cost: bps(cost_bps as u64),
                risk_aversion: ppm(risk_aversion_ppm),
                terminal: bps(terminal_bps as u64),
                expiry_aware,
                fixed_cost: d.quote_whole(I80F48::from_num(cfg.keeper_reward_fixed)).map_err(math_err)?,
            })
        }
    };
    let limits = HedgeLimits {
        min_band: whole(cfg.min_band)?,
        max_trade: whole(cfg.max_trade)?,
        retrace: bps(cfg.retrace_bps as u64),
    };
    Ok((policy, limits))
}

const NO_BUCKET: ExpiryBucket =
    ExpiryBucket { delta: I80F48::ZERO, gamma: I80F48::ZERO, tau_years: I80F48::ZERO, vol: I80F48::ZERO };

/// The book by expiry, in whole units of underlying, into `out`; returns
/// how many buckets it wrote. One bucket per board with a live series the
/// pool is net short of (a board whose sums are zero adds nothing to the
/// band and would cost the allowance's division): delta = sum of net short
/// x delta, gamma = sum of net short x gamma over the board's live series,
/// tau = time to the board's expiry, vol = the board's base IV.
pub fn expiry_buckets(
    cache: &GreekCache,
    now: i64,
    d: Decimals,
    out: &mut [ExpiryBucket; MAX_BOARDS],
) -> core::result::Result<usize, MathError> {
    *out = [NO_BUCKET; MAX_BOARDS];
    // n x greek with n a whole number of base units is the greek's bits
    // times n, exactly what `I80F48::checked_mul` returns (no rounding), in
    // one 128-bit multiply instead of its 256-bit product
    let times =
        |n: u64, x: I80F48| x.to_bits().checked_mul(n as i128).map(I80F48::from_bits).ok_or(MathError::Overflow);
    // sums in base units, indexed by board
    for e in cache.entries.iter().filter(|e| e.live != 0 && e.net_short > 0) {
        let b = out.get_mut(e.board as usize).ok_or(MathError::InputOutOfRange)?;
        b.delta = b.delta.checked_add(times(e.net_short, e.delta.get())?).ok_or(MathError::Overflow)?;
        b.gamma = b.gamma.checked_add(times(e.net_short, e.gamma.get())?).ok_or(MathError::Overflow)?;
    }
    // in place, compacted to the front (written <= read, so nothing unread is lost)
    let mut n = 0;
    for (i, board) in cache.boards.iter().enumerate() {
        let sums = out[i];
        if board.live_series == 0 || (sums.delta == 0 && sums.gamma == 0) {
            continue;
        }
        out[n] = ExpiryBucket {
            delta: d.underlying_whole(sums.delta)?,
            gamma: d.underlying_whole(sums.gamma)?,
            tau_years: t_years(board.expiry, now),
            vol: board.base_iv.get(),
        };
        n += 1;
    }
    Ok(n)
}

/// The pool's policy, limits and inputs at `spot` and `now` (whole units)
/// handed to `f`. The inputs carry the expiry buckets only for the
/// cost-benefit policy; the others ignore them and skip building them.
fn with_inputs<R>(
    pool: &Pool,
    cache: &GreekCache,
    spot: I80F48,
    now: i64,
    f: impl FnOnce(&HedgePolicy, &HedgeLimits, &HedgeInputs) -> core::result::Result<R, MathError>,
) -> Result<R> {
    let d = pool.decimals();
    let whole = |base: I80F48| d.underlying_whole(base).map_err(math_err);
    let (policy, limits) = policy(&pool.params.hedge, d)?;
    let inputs = HedgeInputs {
        hedge: whole(I80F48::from_num(pool.hedge_balance))?,
        target: whole(cache.target_hedge())?,
        gamma: whole(cache.net_gamma.get())?,
        spot,
        tau_years: cache.gamma_weighted_tau.get(),
        rate: pool.params.vol.rate(),
        buckets: &[],
    };
    if matches!(policy, HedgePolicy::CostBenefit(_)) {
        with_buckets(cache, now, d, &policy, &limits, inputs, f)
    } else {
        f(&policy, &limits, &inputs).map_err(math_err)
    }
}

/// `f` with the buckets on this function's own frame (never inlined into
/// a caller such as `rebalance`'s handler, whose frame is near SBF's 4 KiB).
#[inline(never)]
fn with_buckets<R>(
    cache: &GreekCache,
    now: i64,
    d: Decimals,
    policy: &HedgePolicy,
    limits: &HedgeLimits,
    inputs: HedgeInputs,
    f: impl FnOnce(&HedgePolicy, &HedgeLimits, &HedgeInputs) -> core::result::Result<R, MathError>,
) -> Result<R> {
    let mut buckets = [NO_BUCKET; MAX_BOARDS];
    let n = expiry_buckets(cache, now, d, &mut buckets).map_err(math_err)?;
    f(policy, limits, &HedgeInputs { buckets: &buckets[..n], ..inputs }).map_err(math_err)
}

/// A width in whole units as base units; a band too wide to express in
/// base units (the cost-benefit band near expiry is unbounded) saturates.
fn width_base(d: Decimals, whole: I80F48) -> I80F48 {
    d.underlying_base(whole).unwrap_or(I80F48::MAX)
}

/// The no-trade band the pool's policy uses at `spot` and `now`, each side
/// in underlying base units (after the `min_band` floor; a side too wide
/// to express saturates at `I80F48::MAX`): nothing trades while
/// target - below <= hedge <= target + above. The cache must have been
/// refreshed at `spot` and `now`. Out of line: `rebalance` needs it only
/// when it trades for a reason other than the policy, and inlined its
/// inputs would sit in the handler's frame.
#[inline(never)]
pub fn current_band(pool: &Pool, cache: &GreekCache, spot: I80F48, now: i64) -> Result<Band> {
    let d = pool.decimals();
    let band = with_inputs(pool, cache, spot, now, options_math::hedge::band)?;
    Ok(Band { below: width_base(d, band.below), above: width_base(d, band.above) })
}

/// The policy's decision now (whole units).
fn decision(pool: &Pool, cache: &GreekCache, spot: I80F48, now: i64) -> Result<Option<HedgeDecision>> {
    with_inputs(pool, cache, spot, now, decide)
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
/// price impact stays where a sandwich cannot pay. Out of line, so its
/// locals take a frame of their own rather than `rebalance`'s handler's.
#[inline(never)]
pub fn plan_capped(pool: &Pool, cache: &GreekCache, spot: I80F48, now: i64, venue_cap: u64) -> Result<RebalancePlan> {
    let cfg = &pool.params.hedge;
    require!(now >= pool.last_rebalance_ts.saturating_add(cfg.cooldown_s as i64), OptionsError::RebalanceCooldown);
    let d = pool.decimals();
    let target = cache.target_hedge();
    let decided = decision(pool, cache, spot, now)?;
    // Signed trade in base units, its size rounded UP to a whole base unit:
    // truncating would stop a to-the-edge trade a fraction of a unit short
    // of the edge, i.e. still outside the band. Rounding up moves it at most
    // one unit past its goal, inside the band; max_trade still caps it.
    let mut trade: i128 = match decided {
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
    let policy_trade = trade;

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

    // The band the plan reports: the side the policy's trade crossed, or
    // (another reason trades) the wider side.
    let band = match decided {
        Some(dec) if trade == policy_trade => width_base(d, dec.crossed_width),
        Some(dec) => width_base(d, dec.band.widest()),
        None if trade != 0 => current_band(pool, cache, spot, now)?.widest(),
        None => I80F48::ZERO, // nothing trades: refused just below
    };

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
    use crate::state::greek_cache::CacheEntry;
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

    const D: Decimals = Decimals { underlying: 9, quote: 6 };

    fn cost_benefit(expiry_aware: bool) -> HedgePolicyConfig {
        HedgePolicyConfig::CostBenefit { cost_bps: 30, risk_aversion_ppm: 1_000, terminal_bps: 10_000, expiry_aware }
    }

    /// A book on two boards at spot 150, now = 1000: `near_days` and 30
    /// days out; (strike, kind, board, short) per series.
    fn two_boards(near_days: i64, series: &[(&str, Kind, usize, u64)]) -> Box<GreekCache> {
        let mut c = Box::new(GreekCache::zeroed());
        let expiries = [1000 + near_days * DAY, 1000 + 30 * DAY];
        let ivs = [fx("0.9"), fx("0.7")];
        for &(strike, kind, board, short) in series {
            let slot =
                c.add_series(Pubkey::new_unique(), fx(strike), expiries[board], kind, ivs[board], fx("1.1")).unwrap();
            c.entries[slot as usize].net_short = short;
        }
        c.refresh(fx("150"), 1000, I80F48::ZERO, D).unwrap();
        c
    }

    /// A planned size within a base unit of `want` (the whole-unit
    /// conversions truncate at 2^-48 of a unit; sizes round up).
    fn near(size: u64, want: I80F48) -> bool {
        (I80F48::from_num(size) - want).abs() <= 1
    }

    fn buckets_of(c: &GreekCache, now: i64) -> Vec<ExpiryBucket> {
        let mut out = [NO_BUCKET; MAX_BOARDS];
        let n = expiry_buckets(c, now, D, &mut out).unwrap();
        out[..n].to_vec()
    }

    #[test]
    fn expiry_buckets_sum_each_boards_live_series_in_whole_units() {
        let mut c = two_boards(
            7,
            &[
                ("150", Kind::Call, 0, 10 * ONE),
                ("160", Kind::Call, 1, 20 * ONE),
                ("140", Kind::Put, 0, 5 * ONE),
                ("155", Kind::Call, 0, 0), // open but not short: adds nothing
            ],
        );
        // a third board whose only series the pool is not short of: no bucket
        c.add_series(Pubkey::new_unique(), fx("150"), 1000 + 90 * DAY, Kind::Call, fx("0.8"), fx("1")).unwrap();
        c.refresh(fx("150"), 1000, I80F48::ZERO, D).unwrap();
        let b = buckets_of(&c, 1000);
        assert_eq!(b.len(), 2, "{b:?}");
        let sum = |board: u8, f: fn(&CacheEntry) -> I80F48| {
            c.entries
                .iter()
                .filter(|e| e.live != 0 && e.board == board)
                .map(|e| I80F48::from_num(e.net_short) * f(e))
                .sum::<I80F48>()
        };
        for (i, bucket) in b.iter().enumerate() {
            let board = i as u8;
            assert_eq!(bucket.delta, D.underlying_whole(sum(board, |e| e.delta.get())).unwrap());
            assert_eq!(bucket.gamma, D.underlying_whole(sum(board, |e| e.gamma.get())).unwrap());
            assert_eq!(bucket.tau_years, t_years(c.boards[i].expiry, 1000));
            assert_eq!(bucket.vol, c.boards[i].base_iv.get());
        }
        // board 0: short 10 calls (+) and 5 puts (-) at 150 / 140, 7 days
        let (near, far) = (b[0], b[1]);
        assert!(near.delta > fx("2") && near.delta < fx("6"), "{near:?}");
        assert!(far.delta > fx("5") && far.delta < fx("15"), "{far:?}");
        assert!(near.gamma > 0 && far.gamma > 0 && near.tau_years < far.tau_years);
        assert_eq!((near.vol, far.vol), (fx("0.9"), fx("0.7")));
        // the buckets' sums are the cache's aggregates, board by board
        let total_gamma = D.underlying_whole(c.net_gamma.get()).unwrap();
        assert!((near.gamma + far.gamma - total_gamma).abs() <= I80F48::from_bits(2), "{b:?} vs {total_gamma}");
        // a board whose series are gone adds no bucket
        let mut freed = c.clone();
        let slots: Vec<usize> = freed.live_slots().filter(|&i| freed.entries[i].board == 0).collect();
        for i in slots {
            freed.remove_series(i);
        }
        assert_eq!(buckets_of(&freed, 1000), vec![far]);
    }

    #[test]
    fn a_cost_benefit_plan_trades_to_the_crossed_edge() {
        let mut p = pool(1_000_000 * USDC, 0);
        p.params.hedge.policy = cost_benefit(false);
        p.params.hedge.min_band = 1;
        let c = two_boards(7, &[("150", Kind::Call, 0, 40 * ONE), ("150", Kind::Call, 1, 100 * ONE)]);
        let (policy, limits) = policy(&p.params.hedge, p.decimals()).unwrap();
        assert_eq!(
            policy,
            HedgePolicy::CostBenefit(CostBenefit {
                cost: bps(30),
                risk_aversion: options_math::units::div_by_int(I80F48::from_num(1000), 1_000_000),
                terminal: I80F48::ONE,
                expiry_aware: false,
                fixed_cost: D.quote_whole(I80F48::from_num(p.params.hedge.keeper_reward_fixed)).unwrap(),
            })
        );
        let inputs = HedgeInputs {
            hedge: I80F48::ZERO,
            target: D.underlying_whole(c.target_hedge()).unwrap(),
            gamma: I80F48::ZERO,
            spot: fx("150"),
            tau_years: I80F48::ZERO,
            rate: I80F48::ZERO,
            buckets: &buckets_of(&c, 1000),
        };
        let want = options_math::hedge::band(&policy, &limits, &inputs).unwrap();
        assert_eq!(want.below, want.above, "not expiry-aware: symmetric");
        assert!(want.below > fx("1"), "{want:?}");
        let pl = plan(&p, &c, fx("150"), 1000).unwrap();
        let below = D.underlying_base(want.below).unwrap();
        assert_eq!(pl.side, HedgeSide::BuyUnderlying);
        assert_eq!(pl.band, below, "the crossed side");
        assert_eq!(current_band(&p, &c, fx("150"), 1000).unwrap(), Band::symmetric(below));
        // from zero to the lower edge, the size rounded up to a base unit
        assert!(near(pl.underlying, c.target_hedge() - below), "{} vs {}", pl.underlying, c.target_hedge() - below);
        // over-hedged: sells down to the upper edge
        let over = (c.target_hedge() + below * 2).to_num::<u64>();
        let p2 = Pool { hedge_balance: over, ..p };
        let pl = plan(&p2, &c, fx("150"), 1000).unwrap();
        assert_eq!(pl.side, HedgeSide::SellUnderlying);
        let left = I80F48::from_num(over - pl.underlying) - c.target_hedge();
        assert!((left - below).abs() <= 1, "{left} vs {below}");
    }

    #[test]
    fn retrace_moves_the_plans_goal_part_of_the_way_back_to_the_target() {
        let c = two_boards(7, &[("150", Kind::Call, 0, 40 * ONE), ("150", Kind::Call, 1, 100 * ONE)]);
        let mut p = pool(1_000_000 * USDC, 0);
        p.params.hedge.policy = cost_benefit(true);
        p.params.hedge.min_band = 1;
        let edge = plan(&p, &c, fx("150"), 1000).unwrap();
        p.params.hedge.retrace_bps = 2_500;
        let pl = plan(&p, &c, fx("150"), 1000).unwrap();
        // a quarter of the crossed side's width closer to the target
        assert_eq!(pl.band, edge.band);
        let want = c.target_hedge() - edge.band * fx("0.75");
        assert!((I80F48::from_num(pl.underlying) - want).abs() <= 1, "{} vs {want}", pl.underlying);
        // all the way back: the target (to a base unit)
        p.params.hedge.retrace_bps = 10_000;
        let pl = plan(&p, &c, fx("150"), 1000).unwrap();
        assert!(near(pl.underlying, c.target_hedge()));
        // WW takes the same retrace
        p.params.hedge.policy = HedgePolicyConfig::WhalleyWilmott { cost_bps: 30, risk_aversion_ppm: 1_000 };
        assert!(near(plan(&p, &c, fx("150"), 1000).unwrap().underlying, c.target_hedge()));
    }

    #[test]
    fn the_expiry_aware_allowance_keeps_a_near_expiry_boards_delta_unhedged() {
        // 4 calls settling in a day (delta ~2; allowance 0.003 / (0.15 x
        // 0.81 x 1/365) ~ 9 SOL) next to 100 settling in 30 days
        let c = two_boards(1, &[("150", Kind::Call, 0, 4 * ONE), ("150", Kind::Call, 1, 100 * ONE)]);
        let b = buckets_of(&c, 1000);
        assert!(b[0].delta > fx("1.5") && b[0].delta < fx("2.5"), "{b:?}");
        let mut p = pool(1_000_000 * USDC, 0);
        p.params.hedge.policy = cost_benefit(true);
        p.params.hedge.min_band = 1;
        let aware = current_band(&p, &c, fx("150"), 1000).unwrap();
        // the near board's whole delta widens the side below
        let near_delta = D.underlying_base(b[0].delta).unwrap();
        assert!((aware.below - aware.above - near_delta).abs() <= 1, "{aware:?} vs {near_delta}");
        // ...and the core is the far board's alone
        let far_only = two_boards(1, &[("150", Kind::Call, 1, 100 * ONE)]);
        let far = current_band(&p, &far_only, fx("150"), 1000).unwrap();
        assert!((aware.above - far.above).abs() <= 1, "{aware:?} vs {far:?}");
        // a hedge short of the target by the near delta plus most of the
        // core stays put; from zero, the plan leaves exactly that unhedged
        let just_inside = (c.target_hedge() - aware.below + I80F48::from_num(ONE / 100)).to_num::<u64>();
        let inside = Pool { hedge_balance: just_inside, ..p.clone() };
        assert_eq!(code(plan(&inside, &c, fx("150"), 1000)), u32::from(OptionsError::RebalanceNotDue));
        let pl = plan(&p, &c, fx("150"), 1000).unwrap();
        assert_eq!(pl.band, aware.below);
        assert!(near(pl.underlying, c.target_hedge() - aware.below));
        // not expiry-aware, the same hedge is outside the (symmetric) band
        let mut flat = inside.clone();
        flat.params.hedge.policy = cost_benefit(false);
        assert!(plan(&flat, &c, fx("150"), 1000).is_ok());
    }

    #[test]
    fn an_unbounded_cost_benefit_band_still_funds_settled_payouts() {
        // at the book's last expiry the terminal term is unbounded (no trade
        // can pay for itself): no policy trade, but quote owed to settled
        // holders is still raised
        let c = two_boards(1, &[("150", Kind::Call, 0, 40 * ONE)]);
        let at_expiry = 1000 + DAY;
        let mut p = pool(0, 30 * ONE);
        p.params.hedge.policy = cost_benefit(true);
        let band = current_band(&p, &c, fx("150"), at_expiry).unwrap();
        assert_eq!(band, Band::symmetric(I80F48::MAX), "saturated, not an error");
        assert_eq!(code(plan(&p, &c, fx("150"), at_expiry)), u32::from(OptionsError::RebalanceNotDue));
        p.reserved_payouts = 150 * USDC;
        let pl = plan(&p, &c, fx("150"), at_expiry).unwrap();
        assert!(pl.funds_payouts);
        assert_eq!((pl.side, pl.band), (HedgeSide::SellUnderlying, I80F48::MAX));
        // 150 USDC at the worst allowed price (148.5), rounded up
        assert_eq!(pl.underlying, 1_010_101_011);
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
