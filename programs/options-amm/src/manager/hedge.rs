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
mod tests;
