use super::*;

/// Parameters a SOL/USDC pool could run with (Lyra v1's defaults where
/// they apply).
pub fn sane() -> PoolParams {
    PoolParams {
        oracle: OracleParams {
            feed_id: [7; 32],
            max_price_age_s: 60,
            max_conf_bps: 200,
            settlement_window_s: 3600,
            settlement_grace_s: 30,
        },
        vol: VolParams {
            initial_base_iv_bps: 8000,
            initial_skew_bps: 10_000,
            min_base_iv_bps: 3500,
            max_base_iv_bps: 20_000,
            min_skew_bps: 5000,
            max_skew_bps: 15_000,
            skew_adjustment_bps: 7500,
            standard_size: 5_000_000_000,
            rate_bps: 300,
            relax_half_life_s: 86_400,
        },
        fees: FeeConfig {
            option_price_fee_bps: 100,
            spot_price_fee_bps: 10,
            vega_fee_coef: 6_000_000,
            min_fee: 10_000,
            hedge_fee_bps: 10_000,
            hedge_rebate_cap_bps: 5_000,
        },
        risk: RiskParams {
            trading_cutoff_s: 12 * 3600,
            min_delta_bps: 1500,
            max_open_interest: 1_000_000_000_000,
            max_live_series: 16,
            max_move_bps: 3000,
            solvency_reserve_bps: 0,
            max_unhedged_delta: 100_000_000_000,
            stress_sigmas_bps: 20_000,
            stress_vol_shock_bps: 2_500,
            max_board_vega_bps: 2_500,
            max_board_cash_gamma_bps: 2_500,
        },
        hedge: HedgeConfig {
            policy: HedgePolicyConfig::DeltaThreshold { band: 1_000_000_000 },
            min_band: 100_000_000,
            cooldown_s: 60,
            max_trade: 50_000_000_000,
            retrace_bps: 0,
            max_slippage_bps: 100,
            venue_program: Pubkey::new_unique(),
            venue_pool: Pubkey::new_unique(),
            keeper_reward_fixed: 100_000,
            keeper_reward_bps: 5,
            keeper_reward_cap: 5_000_000,
        },
        governance: GovernanceParams { timelock_s: 86_400 },
    }
}

fn code(r: Result<()>) -> u32 {
    match r {
        Err(Error::AnchorError(e)) => e.error_code_number,
        other => panic!("expected an Anchor error, got {other:?}"),
    }
}

/// One bad edit of the parameters and the error it must give.
type Case = (fn(&mut PoolParams), OptionsError);

pub fn cost_benefit(cost_bps: u16, risk_aversion_ppm: u64, terminal_bps: u32) -> HedgePolicyConfig {
    HedgePolicyConfig::CostBenefit { cost_bps, risk_aversion_ppm, terminal_bps, expiry_aware: true }
}

#[test]
fn sane_params_pass_and_each_group_is_checked() {
    assert!(sane().validate(6).is_ok());
    let cases: Vec<Case> = vec![
        (|p| p.oracle.max_price_age_s = 0, OptionsError::InvalidOracleParams),
        (|p| p.oracle.max_conf_bps = 5000, OptionsError::InvalidOracleParams),
        (|p| p.oracle.settlement_window_s = 0, OptionsError::InvalidOracleParams),
        (|p| p.oracle.settlement_grace_s = MAX_SETTLEMENT_GRACE_S + 1, OptionsError::InvalidOracleParams),
        (
            |p| {
                p.oracle.settlement_window_s = 60;
                p.oracle.settlement_grace_s = 61
            },
            OptionsError::InvalidOracleParams,
        ),
        (|p| p.vol.min_base_iv_bps = 0, OptionsError::InvalidVolParams),
        (|p| p.vol.initial_base_iv_bps = 30_000, OptionsError::InvalidVolParams),
        (|p| p.vol.initial_skew_bps = 4000, OptionsError::InvalidVolParams),
        (|p| p.vol.standard_size = 0, OptionsError::InvalidVolParams),
        (|p| p.vol.rate_bps = 10_001, OptionsError::InvalidVolParams),
        (
            |p| {
                p.vol.max_base_iv_bps = 100_000;
                p.vol.max_skew_bps = 20_000
            },
            OptionsError::InvalidVolParams,
        ),
        (|p| p.fees.option_price_fee_bps = MAX_OPTION_FEE_BPS + 1, OptionsError::FeeAboveBound),
        (|p| p.fees.spot_price_fee_bps = MAX_SPOT_FEE_BPS + 1, OptionsError::FeeAboveBound),
        (|p| p.hedge.max_slippage_bps = MAX_SLIPPAGE_BPS + 1, OptionsError::SlippageAboveBound),
        (|p| p.hedge.keeper_reward_bps = MAX_KEEPER_REWARD_BPS + 1, OptionsError::KeeperRewardAboveBound),
        (|p| p.governance.timelock_s = MIN_TIMELOCK_S - 1, OptionsError::TimelockOutOfBounds),
        (|p| p.governance.timelock_s = MAX_TIMELOCK_S + 1, OptionsError::TimelockOutOfBounds),
        (|p| p.risk.min_delta_bps = 5000, OptionsError::InvalidRiskParams),
        (|p| p.risk.max_move_bps = 0, OptionsError::InvalidRiskParams),
        (|p| p.risk.max_open_interest = 0, OptionsError::InvalidRiskParams),
        (|p| p.risk.max_live_series = MAX_LIVE_SERIES + 1, OptionsError::InvalidRiskParams),
        (|p| p.hedge.policy = HedgePolicyConfig::DeltaThreshold { band: 0 }, OptionsError::InvalidHedgeParams),
        (
            |p| p.hedge.policy = HedgePolicyConfig::WhalleyWilmott { cost_bps: 0, risk_aversion_ppm: 1 },
            OptionsError::InvalidHedgeParams,
        ),
        (
            |p| p.hedge.policy = HedgePolicyConfig::WhalleyWilmott { cost_bps: 30, risk_aversion_ppm: 0 },
            OptionsError::InvalidHedgeParams,
        ),
        (|p| p.hedge.policy = cost_benefit(0, 1000, 10_000), OptionsError::InvalidHedgeParams),
        (|p| p.hedge.policy = cost_benefit(MAX_HEDGE_COST_BPS + 1, 1000, 10_000), OptionsError::InvalidHedgeParams),
        (|p| p.hedge.policy = cost_benefit(30, 0, 10_000), OptionsError::InvalidHedgeParams),
        (|p| p.hedge.policy = cost_benefit(30, 1000, MAX_TERMINAL_BPS + 1), OptionsError::InvalidHedgeParams),
        (|p| p.hedge.retrace_bps = 10_001, OptionsError::InvalidHedgeParams),
        (|p| p.hedge.max_slippage_bps = 0, OptionsError::InvalidHedgeParams),
        (|p| p.hedge.keeper_reward_fixed = p.hedge.keeper_reward_cap + 1, OptionsError::InvalidHedgeParams),
        (|p| p.hedge.cooldown_s = p.oracle.max_price_age_s - 1, OptionsError::InvalidHedgeParams),
        (|p| p.risk.stress_sigmas_bps = 60_001, OptionsError::InvalidRiskParams),
        (|p| p.risk.stress_vol_shock_bps = 10_001, OptionsError::InvalidRiskParams),
        (|p| p.risk.max_board_vega_bps = 0, OptionsError::InvalidRiskParams),
        (|p| p.risk.max_board_cash_gamma_bps = 0, OptionsError::InvalidRiskParams),
        (|p| p.fees.hedge_fee_bps = MAX_HEDGE_FEE_BPS + 1, OptionsError::FeeAboveBound),
        (|p| p.fees.hedge_rebate_cap_bps = 10_001, OptionsError::InvalidFeeParams),
        (|p| p.vol.relax_half_life_s = MIN_RELAX_HALF_LIFE_S - 1, OptionsError::InvalidVolParams),
        (|p| p.vol.relax_half_life_s = MAX_RELAX_HALF_LIFE_S + 1, OptionsError::InvalidVolParams),
    ];
    for (i, (break_it, expected)) in cases.into_iter().enumerate() {
        let mut p = sane();
        break_it(&mut p);
        assert_eq!(code(p.validate(6)), u32::from(expected), "case {i}");
    }
}

#[test]
fn the_cost_benefit_policy_and_retrace_accept_their_whole_ranges() {
    let ok: Vec<fn(&mut PoolParams)> = vec![
        |p| p.hedge.policy = cost_benefit(1, 1, 0),
        |p| p.hedge.policy = cost_benefit(MAX_HEDGE_COST_BPS, u64::MAX, MAX_TERMINAL_BPS),
        |p| {
            p.hedge.policy = HedgePolicyConfig::CostBenefit {
                cost_bps: 30,
                risk_aversion_ppm: 1000,
                terminal_bps: 10_000,
                expiry_aware: false,
            }
        },
        |p| p.hedge.retrace_bps = 10_000,
        |p| {
            // retrace is accepted (and ignored) with DeltaThreshold too
            p.hedge.retrace_bps = 5000;
            p.hedge.policy = HedgePolicyConfig::DeltaThreshold { band: 1 }
        },
    ];
    for (i, edit) in ok.into_iter().enumerate() {
        let mut p = sane();
        edit(&mut p);
        assert!(p.validate(6).is_ok(), "case {i}");
    }
    // the bounds are options-math's own
    assert_eq!(
        I80F48::from_num(MAX_TERMINAL_BPS) / I80F48::from_num(BPS),
        options_math::hedge::cost_benefit::MAX_TERMINAL
    );
}

#[test]
fn the_hand_written_policy_decoder_reads_what_the_derived_encoder_writes() {
    let policies = [
        HedgePolicyConfig::DeltaThreshold { band: u64::MAX - 1 },
        HedgePolicyConfig::WhalleyWilmott { cost_bps: 30, risk_aversion_ppm: 1 << 40 },
        HedgePolicyConfig::CostBenefit {
            cost_bps: 7,
            risk_aversion_ppm: 1_000,
            terminal_bps: MAX_TERMINAL_BPS,
            expiry_aware: true,
        },
    ];
    for (tag, p) in policies.into_iter().enumerate() {
        let bytes = borsh::to_vec(&p).unwrap();
        assert_eq!(bytes[0] as usize, tag, "{p:?}");
        assert_eq!(HedgePolicyConfig::try_from_slice(&bytes).unwrap(), p);
        // truncated: an error, not a default
        assert!(HedgePolicyConfig::try_from_slice(&bytes[..bytes.len() - 1]).is_err());
    }
    assert!(HedgePolicyConfig::try_from_slice(&[3, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
    // a whole PoolParams round-trips with each
    let mut params = sane();
    params.hedge.policy = policies[2];
    params.hedge.retrace_bps = 6000;
    assert_eq!(PoolParams::try_from_slice(&borsh::to_vec(&params).unwrap()).unwrap(), params);
}

#[test]
fn only_tightened_caps_and_the_hedge_schedule_change_at_once() {
    let old = sane();
    let immediate: Vec<fn(&mut PoolParams)> = vec![
        |_| {},
        |p| p.risk.max_open_interest /= 2,
        |p| p.risk.solvency_reserve_bps += 100,
        |p| p.risk.max_live_series = MAX_LIVE_SERIES,
        |p| p.risk.max_live_series = 1,
        |p| p.risk.trading_cutoff_s += 60,
        |p| p.hedge.policy = HedgePolicyConfig::WhalleyWilmott { cost_bps: 30, risk_aversion_ppm: 100 },
        |p| p.hedge.min_band *= 3,
        |p| p.hedge.cooldown_s += 600,
        |p| p.hedge.max_trade /= 2,
        |p| p.hedge.policy = cost_benefit(30, 1000, 10_000),
        |p| p.hedge.retrace_bps = 6000,
        |p| p.risk.max_board_vega_bps -= 1,
        |p| p.risk.max_board_cash_gamma_bps = 1,
    ];
    for (i, edit) in immediate.into_iter().enumerate() {
        let mut p = old.clone();
        edit(&mut p);
        assert!(p.is_immediate_change_from(&old), "immediate case {i}");
    }
    let timelocked: Vec<fn(&mut PoolParams)> = vec![
        |p| p.oracle.feed_id = [8; 32],
        |p| p.oracle.max_price_age_s += 1,
        |p| p.vol.min_base_iv_bps -= 1,
        |p| p.fees.option_price_fee_bps += 1,
        |p| p.fees.min_fee -= 1,
        |p| p.risk.max_open_interest += 1,
        |p| p.risk.min_delta_bps -= 1,
        |p| p.risk.max_move_bps -= 1,
        |p| p.risk.max_unhedged_delta += 1,
        |p| p.hedge.venue_program = Pubkey::new_unique(),
        |p| p.hedge.venue_pool = Pubkey::new_unique(),
        |p| p.hedge.max_slippage_bps += 1,
        |p| p.hedge.keeper_reward_cap += 1,
        |p| p.hedge.keeper_reward_fixed -= 1,
        |p| p.hedge.keeper_reward_bps += 1,
        |p| p.governance.timelock_s -= 1,
        |p| p.risk.max_board_vega_bps += 1,
        |p| p.risk.max_board_cash_gamma_bps += 1,
        |p| p.fees.hedge_fee_bps -= 1,
        |p| p.fees.hedge_rebate_cap_bps += 1,
        |p| p.vol.relax_half_life_s = 0,
    ];
    for (i, edit) in timelocked.into_iter().enumerate() {
        let mut p = old.clone();
        edit(&mut p);
        assert!(!p.is_immediate_change_from(&old), "timelocked case {i}");
    }
}

#[test]
fn fixed_point_views() {
    let p = sane();
    let near = |x: I80F48, decimal: &str| (x - decimal.parse::<I80F48>().unwrap()).abs() <= I80F48::DELTA * 2;
    assert!(near(p.vol.initial_base_iv(), "0.8"), "{}", p.vol.initial_base_iv());
    assert!(near(p.vol.rate(), "0.03"));
    assert!(near(p.risk.min_delta(), "0.15"));
    let fees = p.fees.fee_params(6).unwrap();
    assert_eq!(fees.vega_fee_coef, I80F48::from_num(6));
    assert_eq!(fees.min_fee, 10_000);
}
