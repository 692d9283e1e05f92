//! Integer overflow and underflow at the extremes: zero, one and u64::MAX
//! for every amount an instruction takes, strikes and expiries at and past
//! their limits, every pool parameter at its type's maximum, oracle prices
//! and exponents at theirs. Each is a specific refusal (never a panic, never
//! a wrapped number), and the largest deposit the quote mint can ever hold
//! goes in and comes out exactly.
use super::support::*;
use crate::common::*;
use oamm_sdk::ix::{self, data};
use oamm_sdk::pyth::PriceObservation;
use options_amm::constants::MAX_SERIES_LIFETIME_S;
use options_amm::error::OptionsError;
use options_amm::state::{HedgePolicyConfig, Kind, PoolParams};
use solana_sdk::signature::Signer;

#[tokio::test]
async fn zero_and_max_amounts_are_refused_with_their_own_errors() {
    let mut s = scene().await;
    let keys = pool_accounts(&s);
    let (m, lp, tr) = (&s.w.m, &s.w.lp, &s.trader);
    let dep = |q| {
        ix::ix(
            ix::deposit(lp.pubkey(), &m.keys, m.oracle, lp.quote, lp.lp),
            data::Deposit { quote_amount: q, min_lp_out: 0 },
        )
    };
    let wd = |l| {
        ix::ix(
            ix::withdraw(lp.pubkey(), &m.keys, m.oracle, lp.lp, lp.quote),
            data::Withdraw { lp_amount: l, min_quote_out: 0 },
        )
    };
    let trade = || ix::trade(tr.pubkey(), &m.keys, &s.call, m.oracle, tr.quote, s.trader_options);
    let buy = |c, max| ix::ix(trade(), data::Buy { contracts: c, max_total_cost: max });
    let sell = |c| ix::ix(trade(), data::Sell { contracts: c, min_total_proceeds: 0 });
    let lp_cases = [
        (dep(0), OptionsError::ZeroAmount),
        (dep(u64::MAX), OptionsError::InsufficientFunds),
        (wd(0), OptionsError::ZeroAmount),
        (wd(u64::MAX), OptionsError::InsufficientFunds),
    ];
    let trade_cases = [
        (buy(0, u64::MAX), OptionsError::ZeroAmount),
        // u64::MAX contracts: the premium overflows the fixed-point maths
        (buy(u64::MAX, u64::MAX), OptionsError::AmountTooLarge),
        // 10^9 whole contracts: the trade's quote amounts overflow the fixed-point maths too
        (buy(1_000_000_000 * SOL, u64::MAX), OptionsError::AmountTooLarge),
        // with the 5 already written, 10,000 more exceed the 10,000-contract cap: priced, then refused
        (buy(10_000 * SOL, u64::MAX), OptionsError::OpenInterestCapExceeded),
        (buy(SOL, 0), OptionsError::SlippageExceeded),
        (sell(0), OptionsError::ZeroAmount),
        (sell(u64::MAX), OptionsError::InsufficientFunds),
    ];
    for (c, e) in lp_cases {
        refused_and_unchanged(&mut s.w.bank, &keys, &[c], &[&s.w.lp.key], code(e)).await;
    }
    for (c, e) in trade_cases {
        refused_and_unchanged(&mut s.w.bank, &keys, &[c], &[&s.trader.key], code(e)).await;
    }
    s.w.bank.set_time(EXPIRY + 10);
    s.w.m.post_price(&mut s.w.bank, 160_00000000);
    s.w.m.settle(&mut s.w.bank, &s.call).await.unwrap();
    let tr = &s.trader;
    let redeem = |c| {
        ix::ix(ix::redeem(tr.pubkey(), &s.w.m.keys, &s.call, s.trader_options, tr.quote), data::Redeem { contracts: c })
    };
    for (c, e) in [(redeem(0), OptionsError::ZeroAmount), (redeem(u64::MAX), OptionsError::InsufficientFunds)] {
        refused_and_unchanged(&mut s.w.bank, &keys, &[c], &[&s.trader.key], code(e)).await;
    }
}

#[tokio::test]
async fn the_largest_deposit_the_quote_mint_can_hold_goes_in_and_out_exactly() {
    let mut w = world().await;
    let supply = w.bank.mint_supply(&w.m.keys.quote_mint).await.unwrap();
    // every quote base unit that can still exist, in one wallet
    let all = u64::MAX - supply;
    let whale = w.m.new_actor(&mut w.bank, all).await.unwrap();
    let shares = expected_shares(&mut w, all).await;
    w.m.deposit(&mut w.bank, &whale, all, shares).await.unwrap();
    assert_eq!(balance(&mut w.bank, whale.lp).await, shares);
    check_books(&mut w, &[]).await;
    let back = expected_withdrawal(&mut w, shares).await;
    w.m.withdraw(&mut w.bank, &whale, shares, back).await.unwrap();
    let got = balance(&mut w.bank, whale.quote).await;
    assert_eq!(got, back);
    assert!(got <= all, "the whale got back {got} of {all}");
    println!(
        "largest possible deposit {all} quote base units: {shares} LP minted, {got} returned (rounding kept {})",
        all - got
    );
    check_books(&mut w, &[]).await;
}

#[tokio::test]
async fn strikes_and_expiries_at_their_limits_are_refused() {
    let mut w = world().await;
    let admin = w.m.admin.pubkey();
    let now = w.bank.now();
    let cutoff = 12 * HOUR;
    let cases = [
        (0u64, now + DAY, OptionsError::InvalidStrike),
        // u64::MAX base units = 1.8e13 USDC per SOL: beyond what the pricer accepts
        (u64::MAX, now + DAY, OptionsError::InvalidStrike),
        (150 * USDC, i64::MIN, OptionsError::ExpiryTooSoon),
        (150 * USDC, now + cutoff, OptionsError::ExpiryTooSoon),
        // beyond what the pricer can value (it would stop every refresh) and the 5-year cap
        (150 * USDC, i64::MAX, OptionsError::ExpiryTooFar),
        (150 * USDC, now + MAX_SERIES_LIFETIME_S + 1, OptionsError::ExpiryTooFar),
    ];
    for (strike, expiry, e) in cases {
        let sk = oamm_sdk::pda::SeriesKeys::derive(&w.m.keys.pool, expiry, strike, Kind::Call);
        let c = ix::ix(
            ix::create_series(admin, &w.m.keys, &sk),
            data::CreateSeries { strike_quote: strike, expiry, kind: Kind::Call },
        );
        let watched = vec![w.m.keys.pool, w.m.keys.greek_cache, sk.series, sk.option_mint];
        refused_and_unchanged(&mut w.bank, &watched, &[c], &[&w.m.admin], code(e)).await;
    }
    // one second past the cut-off lists, and so does the longest lifetime
    w.m.list_series(&mut w.bank, 150 * USDC, now + cutoff + 1, Kind::Call).await.unwrap();
    w.m.list_series(&mut w.bank, 150 * USDC, now + MAX_SERIES_LIFETIME_S, Kind::Call).await.unwrap();
}

/// Each parameter at its type's maximum (or an impossible zero): its group's error.
fn broken_params(p: &PoolParams) -> Vec<(&'static str, PoolParams, OptionsError)> {
    let mut out = Vec::new();
    let mut add = |name, f: &dyn Fn(&mut PoolParams), e| {
        let mut q = p.clone();
        f(&mut q);
        out.push((name, q, e));
    };
    add("max_price_age_s", &|q| q.oracle.max_price_age_s = u32::MAX, OptionsError::InvalidOracleParams);
    add("max_conf_bps", &|q| q.oracle.max_conf_bps = u16::MAX, OptionsError::InvalidOracleParams);
    add("settlement_window_s", &|q| q.oracle.settlement_window_s = u32::MAX, OptionsError::InvalidOracleParams);
    add("settlement_grace_s", &|q| q.oracle.settlement_grace_s = u16::MAX, OptionsError::InvalidOracleParams);
    add("max_base_iv_bps", &|q| q.vol.max_base_iv_bps = u32::MAX, OptionsError::InvalidVolParams);
    add("max_skew_bps", &|q| q.vol.max_skew_bps = u32::MAX, OptionsError::InvalidVolParams);
    add("initial_base_iv_bps", &|q| q.vol.initial_base_iv_bps = u32::MAX, OptionsError::InvalidVolParams);
    add("skew_adjustment_bps", &|q| q.vol.skew_adjustment_bps = u32::MAX, OptionsError::InvalidVolParams);
    add("standard_size", &|q| q.vol.standard_size = 0, OptionsError::InvalidVolParams);
    add("rate_bps", &|q| q.vol.rate_bps = u16::MAX, OptionsError::InvalidVolParams);
    add("option_price_fee_bps", &|q| q.fees.option_price_fee_bps = u16::MAX, OptionsError::FeeAboveBound);
    add("spot_price_fee_bps", &|q| q.fees.spot_price_fee_bps = u16::MAX, OptionsError::FeeAboveBound);
    add("min_delta_bps", &|q| q.risk.min_delta_bps = u16::MAX, OptionsError::InvalidRiskParams);
    add("max_move_bps", &|q| q.risk.max_move_bps = u16::MAX, OptionsError::InvalidRiskParams);
    add("solvency_reserve_bps", &|q| q.risk.solvency_reserve_bps = u16::MAX, OptionsError::InvalidRiskParams);
    add("max_live_series", &|q| q.risk.max_live_series = u8::MAX, OptionsError::InvalidRiskParams);
    add("max_open_interest", &|q| q.risk.max_open_interest = 0, OptionsError::InvalidRiskParams);
    add("max_board_vega_bps", &|q| q.risk.max_board_vega_bps = 0, OptionsError::InvalidRiskParams);
    add("max_board_cash_gamma_bps", &|q| q.risk.max_board_cash_gamma_bps = 0, OptionsError::InvalidRiskParams);
    add("hedge_fee_bps", &|q| q.fees.hedge_fee_bps = u16::MAX, OptionsError::FeeAboveBound);
    add("hedge_rebate_cap_bps", &|q| q.fees.hedge_rebate_cap_bps = u16::MAX, OptionsError::InvalidFeeParams);
    add("relax_half_life_s", &|q| q.vol.relax_half_life_s = u32::MAX, OptionsError::InvalidVolParams);
    add("max_slippage_bps", &|q| q.hedge.max_slippage_bps = u16::MAX, OptionsError::SlippageAboveBound);
    add("keeper_reward_bps", &|q| q.hedge.keeper_reward_bps = u16::MAX, OptionsError::KeeperRewardAboveBound);
    add("timelock_s", &|q| q.governance.timelock_s = u32::MAX, OptionsError::TimelockOutOfBounds);
    add("timelock_s zero", &|q| q.governance.timelock_s = 0, OptionsError::TimelockOutOfBounds);
    add("keeper_reward_fixed > cap", &|q| q.hedge.keeper_reward_fixed = u64::MAX, OptionsError::InvalidHedgeParams);
    add(
        "ww cost_bps",
        &|q| q.hedge.policy = HedgePolicyConfig::WhalleyWilmott { cost_bps: u16::MAX, risk_aversion_ppm: 1 },
        OptionsError::InvalidHedgeParams,
    );
    add(
        "cost-benefit cost_bps",
        &|q| {
            q.hedge.policy = HedgePolicyConfig::CostBenefit {
                cost_bps: u16::MAX,
                risk_aversion_ppm: 1,
                terminal_bps: 10_000,
                expiry_aware: true,
            }
        },
        OptionsError::InvalidHedgeParams,
    );
    add(
        "cost-benefit terminal_bps",
        &|q| {
            q.hedge.policy = HedgePolicyConfig::CostBenefit {
                cost_bps: 30,
                risk_aversion_ppm: u64::MAX,
                terminal_bps: u32::MAX,
                expiry_aware: false,
            }
        },
        OptionsError::InvalidHedgeParams,
    );
    add("retrace_bps", &|q| q.hedge.retrace_bps = u16::MAX, OptionsError::InvalidHedgeParams);
    out
}

#[tokio::test]
async fn every_parameter_at_its_types_maximum_is_refused_by_its_group() {
    let mut w = world().await;
    let p = w.m.pool(&mut w.bank).await.unwrap().params;
    let watched = vec![w.m.keys.pool];
    for (name, q, e) in broken_params(&p) {
        // refused alike at once and as a proposal (nothing invalid can wait
        // in the pool for the timelock)
        let upd = ix::ix(ix::admin_params(w.m.admin.pubkey(), &w.m.keys), data::UpdatePoolParams { params: q.clone() });
        let prop = ix::ix(ix::propose_params(w.m.admin.pubkey(), &w.m.keys), data::ProposePoolParams { params: q });
        for tx in [upd, prop] {
            let before = state_of(&mut w.bank, &watched).await;
            let r = w.bank.process(&[tx], &[&w.m.admin]).await;
            assert_eq!(r.as_ref().err().and_then(|e| e.code()), Some(code(e)), "{name}: {r:?}");
            assert_eq!(before, state_of(&mut w.bank, &watched).await, "{name}");
        }
    }
}

#[tokio::test]
async fn valid_extreme_fees_fail_trades_cleanly_instead_of_wrapping() {
    let mut s = scene().await;
    let p0 = s.w.m.pool(&mut s.w.bank).await.unwrap().params;
    let keys = pool_accounts(&s);
    let tr = &s.trader;
    let trade = ix::trade(tr.pubkey(), &s.w.m.keys, &s.call, s.w.m.oracle, tr.quote, s.trader_options);
    let buy = || ix::ix(trade, data::Buy { contracts: SOL, max_total_cost: u64::MAX });

    // a minimum fee of u64::MAX: premium + fee does not fit, AmountTooLarge (not a wrapped small total)
    let mut p = p0.clone();
    p.fees.min_fee = u64::MAX;
    s.w.m.change_params(&mut s.w.bank, p).await.unwrap();
    refused_and_unchanged(&mut s.w.bank, &keys, &[buy()], &[&s.trader.key], code(OptionsError::AmountTooLarge)).await;
    // a sale's proceeds are premium - fee, floored at zero: the seller gets nothing but the trade is sound
    let q0 = balance(&mut s.w.bank, s.trader.quote).await;
    s.w.m.sell(&mut s.w.bank, &mut s.trader, &s.call, SOL, 0).await.unwrap();
    assert_eq!(balance(&mut s.w.bank, s.trader.quote).await, q0);

    // the largest vega-fee coefficient: the fee is computed, and is more than anyone holds
    let mut p = p0.clone();
    p.fees.vega_fee_coef = u64::MAX;
    s.w.m.change_params(&mut s.w.bank, p).await.unwrap();
    let keys = pool_accounts(&s);
    refused_and_unchanged(&mut s.w.bank, &keys, &[buy()], &[&s.trader.key], code(OptionsError::InsufficientFunds))
        .await;
    s.w.m.change_params(&mut s.w.bank, p0).await.unwrap();
    check_books(&mut s.w, &[s.call]).await;
}

#[tokio::test]
async fn oracle_numbers_at_their_limits_are_refused() {
    let mut s = scene().await;
    let keys = pool_accounts(&s);
    let now = s.w.bank.now();
    let feed = s.w.m.feed_id;
    let obs = |price: i64, exponent: i32, conf: u64, publish_time: i64| PriceObservation {
        price,
        exponent,
        conf,
        publish_time,
        prev_publish_time: publish_time.saturating_sub(1),
        ..PriceObservation::new(feed, 1, now)
    };
    let cases = [
        // 9.2e18 x 10^18 does not fit the fixed-point spot
        (obs(i64::MAX, 18, 0, now), OptionsError::AmountTooLarge),
        // 9.2e18 USD: fits, but is beyond the pricer's spot limit (2^40)
        (obs(i64::MAX, 0, 0, now), OptionsError::PricingFailed),
        // 10^-18 USD: too small to price
        (obs(1, -18, 0, now), OptionsError::PricingFailed),
        (obs(15_000_000_000, -19, 0, now), OptionsError::OracleExponentOutOfRange),
        (obs(15_000_000_000, i32::MIN, 0, now), OptionsError::OracleExponentOutOfRange),
        (obs(0, -8, 0, now), OptionsError::OracleNonPositivePrice),
        (obs(i64::MIN, -8, 0, now), OptionsError::OracleNonPositivePrice),
        (obs(15_000_000_000, -8, u64::MAX, now), OptionsError::OracleConfidenceTooWide),
        (obs(15_000_000_000, -8, 0, i64::MIN), OptionsError::OracleStale),
    ];
    for (o, e) in cases {
        s.w.m.post_observation(&mut s.w.bank, &o);
        let (m, lp) = (&s.w.m, &s.w.lp);
        let dep = ix::ix(
            ix::deposit(lp.pubkey(), &m.keys, m.oracle, lp.quote, lp.lp),
            data::Deposit { quote_amount: USDC, min_lp_out: 0 },
        );
        refused_and_unchanged(&mut s.w.bank, &keys, &[dep], &[&s.w.lp.key], code(e)).await;
    }
    // 9.2e10 USD (i64::MAX at exponent -8) is a valid, priceable spot: the
    // cache reprices at it; the pool, short 5 calls struck at 150, is then
    // insolvent and says so instead of minting LP at a negative NAV
    s.w.m.post_observation(&mut s.w.bank, &obs(i64::MAX, -8, 0, now));
    s.w.m.refresh(&mut s.w.bank).await.unwrap();
    let keys = pool_accounts(&s);
    let (m, lp) = (&s.w.m, &s.w.lp);
    let dep = ix::ix(
        ix::deposit(lp.pubkey(), &m.keys, m.oracle, lp.quote, lp.lp),
        data::Deposit { quote_amount: USDC, min_lp_out: 0 },
    );
    refused_and_unchanged(&mut s.w.bank, &keys, &[dep], &[&s.w.lp.key], code(OptionsError::PoolInsolvent)).await;
}
