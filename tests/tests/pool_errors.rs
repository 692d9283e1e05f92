//! The options program's refusals, part 1: who may sign, which parameters
//! are accepted, which accounts may stand in the instruction's slots and
//! which Pyth updates are trusted. Every case expects its exact error code
//! and proves that the refused transaction changed no account it touched.
//! (Trading and LP limits: pool_errors_trading.rs; series life, settlement
//! and withdrawals past solvency: pool_errors_lifecycle.rs.)
#[macro_use]
mod common;

use anchor_lang::error::ErrorCode as AnchorCode;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use common::*;
use oamm_sdk::bank::{Bank, BankResult};
use oamm_sdk::ix::{self, data};
use oamm_sdk::market::{default_params, Actor, Market, MarketConfig, SOL_USD_FEED_ID};
use oamm_sdk::pda::{PoolKeys, SeriesKeys};
use oamm_sdk::pyth::{price_update_data, PriceObservation, RECEIVER_PROGRAM_ID};
use options_amm::constants::{MAX_LIVE_SERIES, PAUSE_ALL, PAUSE_TRADING};
use options_amm::error::OptionsError;
use options_amm::state::{HedgePolicyConfig, Kind, PoolParams};
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use solana_sdk::account::Account;
use solana_sdk::signature::{Keypair, Signer};

const EXPIRY: i64 = T0 + 7 * DAY;

fn anchor(e: AnchorCode) -> u32 {
    e.into()
}

/// The same instruction with `key`'s signature requirement dropped, as an
/// attacker who names someone else's key but cannot sign for it sends it.
fn unsigned(mut ix: Instruction, key: &Pubkey) -> Instruction {
    for m in ix.accounts.iter_mut().filter(|m| m.pubkey == *key) {
        m.is_signer = false;
    }
    ix
}

/// An options-program instruction over already-built account metas.
fn with_data(metas: &[AccountMeta], d: impl anchor_lang::InstructionData) -> Instruction {
    Instruction { program_id: options_amm::ID, accounts: metas.to_vec(), data: d.data() }
}

/// A listed 150 call and a trader holding 2 contracts of it.
struct Scene {
    w: World,
    call: SeriesKeys,
    trader: Actor,
    trader_options: Pubkey,
}

async fn scene() -> Scene {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut trader = w.m.new_actor(&mut w.bank, 10_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut trader, &call, 2 * SOL, u64::MAX).await.unwrap();
    let trader_options = w.m.option_account(&mut w.bank, &mut trader, &call).await.unwrap();
    Scene { w, call, trader, trader_options }
}

// ---------------------------------------------------------------- signers

#[tokio::test]
async fn admin_instructions_refuse_a_stranger_signing_as_admin() {
    let mut w = world().await;
    let stranger = w.bank.funded_keypair(10).await.unwrap();
    let k = w.m.keys;
    let mut params = w.m.pool(&mut w.bank).await.unwrap().params;
    params.risk.max_open_interest = 1;
    let s = SeriesKeys::derive(&k.pool, EXPIRY, 150 * USDC, Kind::Call);

    let update = ix::ix(ix::admin_params(stranger.pubkey(), &k), data::UpdatePoolParams { params: params.clone() });
    refused!(w.bank, watch(&w, &[]), code(OptionsError::Unauthorized), w.bank.process(&[update], &[&stranger]).await);
    let pause = ix::ix(ix::set_paused(stranger.pubkey(), &k), data::SetPaused { paused: PAUSE_ALL });
    refused!(
        w.bank,
        watch(&w, &[]),
        code(OptionsError::NotAdminOrGuardian),
        w.bank.process(&[pause], &[&stranger]).await
    );
    // the governance instructions: the admin's alone, or the admin's and the
    // guardian's (none is set here)
    let governance = [
        (
            ix::ix(ix::propose_params(stranger.pubkey(), &k), data::ProposePoolParams { params: params.clone() }),
            OptionsError::Unauthorized,
        ),
        (ix::ix(ix::apply_params(stranger.pubkey(), &k), data::ApplyPoolParams {}), OptionsError::Unauthorized),
        (ix::ix(ix::cancel_params(stranger.pubkey(), &k), data::CancelPoolParams {}), OptionsError::NotAdminOrGuardian),
        (
            ix::ix(ix::propose_admin(stranger.pubkey(), &k), data::ProposeAdmin { proposed: stranger.pubkey() }),
            OptionsError::Unauthorized,
        ),
        (
            ix::ix(ix::set_guardian(stranger.pubkey(), &k), data::SetGuardian { guardian: stranger.pubkey() }),
            OptionsError::Unauthorized,
        ),
        (ix::ix(ix::accept_admin(stranger.pubkey(), &k), data::AcceptAdmin {}), OptionsError::NotPendingAdmin),
    ];
    for (tx, e) in governance {
        refused!(w.bank, watch(&w, &[]), code(e), w.bank.process(&[tx], &[&stranger]).await);
    }
    let create = ix::ix(
        ix::create_series(stranger.pubkey(), &k, &s),
        data::CreateSeries { strike_quote: 150 * USDC, expiry: EXPIRY, kind: Kind::Call },
    );
    refused!(
        w.bank,
        watch(&w, &[s.series, s.option_mint]),
        code(OptionsError::Unauthorized),
        w.bank.process(&[create], &[&stranger]).await
    );

    // the same three from the admin go through: only the signer was wrong
    w.m.update_params(&mut w.bank, params).await.unwrap();
    w.m.set_paused(&mut w.bank, PAUSE_TRADING).await.unwrap();
    w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let pool = w.m.pool(&mut w.bank).await.unwrap();
    assert_eq!((pool.params.risk.max_open_interest, pool.paused, pool.live_series), (1, PAUSE_TRADING, 1));
}

#[tokio::test]
async fn admin_instructions_refuse_the_admin_key_without_its_signature() {
    let mut w = world().await;
    let admin = w.m.admin.pubkey();
    let k = w.m.keys;
    let mut params = w.m.pool(&mut w.bank).await.unwrap().params;
    params.risk.max_open_interest = 1;
    let s = SeriesKeys::derive(&k.pool, EXPIRY, 150 * USDC, Kind::Call);
    assert_eq!(anchor(AnchorCode::AccountNotSigner), 3010);
    let not_signer = anchor(AnchorCode::AccountNotSigner);

    let update = unsigned(ix::ix(ix::admin_params(admin, &k), data::UpdatePoolParams { params }), &admin);
    refused!(w.bank, watch(&w, &[]), not_signer, w.bank.process(&[update], &[]).await);
    let pause = unsigned(ix::ix(ix::set_paused(admin, &k), data::SetPaused { paused: PAUSE_ALL }), &admin);
    refused!(w.bank, watch(&w, &[]), not_signer, w.bank.process(&[pause], &[]).await);
    let create = unsigned(
        ix::ix(
            ix::create_series(admin, &k, &s),
            data::CreateSeries { strike_quote: 150 * USDC, expiry: EXPIRY, kind: Kind::Call },
        ),
        &admin,
    );
    refused!(w.bank, watch(&w, &[s.series, s.option_mint]), not_signer, w.bank.process(&[create], &[]).await);
}

#[tokio::test]
async fn user_instructions_refuse_a_victims_key_without_its_signature() {
    let Scene { mut w, call, trader, trader_options } = scene().await;
    let k = w.m.keys;
    let not_signer = anchor(AnchorCode::AccountNotSigner);
    let thief = w.m.new_actor(&mut w.bank, 0).await.unwrap();
    let victim = trader.pubkey();
    let all = watch(&w, &[call.series, call.option_mint, trader.quote, trader_options, thief.quote, thief.lp]);

    // the thief names the victim as depositor / trader and routes the proceeds to itself
    let dep = ix::ix(
        ix::deposit(victim, &k, w.m.oracle, trader.quote, thief.lp),
        data::Deposit { quote_amount: USDC, min_lp_out: 0 },
    );
    refused!(w.bank, all.clone(), not_signer, w.bank.process(&[unsigned(dep, &victim)], &[&thief.key]).await);
    let sell = ix::ix(
        ix::trade(victim, &k, &call, w.m.oracle, trader.quote, trader_options),
        data::Sell { contracts: SOL, min_total_proceeds: 0 },
    );
    refused!(w.bank, all.clone(), not_signer, w.bank.process(&[unsigned(sell, &victim)], &[&thief.key]).await);
    let wd = ix::ix(
        ix::withdraw(w.lp.pubkey(), &k, w.m.oracle, w.lp.lp, thief.quote),
        data::Withdraw { lp_amount: USDC, min_quote_out: 0 },
    );
    let lp_key = w.lp.pubkey();
    refused!(w.bank, all, not_signer, w.bank.process(&[unsigned(wd, &lp_key)], &[&thief.key]).await);
}

#[tokio::test]
async fn signing_yourself_does_not_let_you_spend_someone_elses_tokens() {
    let Scene { mut w, call, trader, trader_options } = scene().await;
    let k = w.m.keys;
    let mut thief = w.m.new_actor(&mut w.bank, 0).await.unwrap();
    let thief_options = w.m.option_account(&mut w.bank, &mut thief, &call).await.unwrap();
    let all =
        watch(&w, &[call.series, call.option_mint, trader.quote, trader_options, thief.quote, thief.lp, thief_options]);
    let owner = code(OptionsError::WrongTokenOwner);

    // deposit the victim's quote for the thief's LP tokens
    let dep = ix::ix(
        ix::deposit(thief.pubkey(), &k, w.m.oracle, trader.quote, thief.lp),
        data::Deposit { quote_amount: USDC, min_lp_out: 0 },
    );
    refused!(w.bank, all.clone(), owner, w.bank.process(&[dep], &[&thief.key]).await);
    // burn the LP's shares for quote paid to the thief
    let wd = ix::ix(
        ix::withdraw(thief.pubkey(), &k, w.m.oracle, w.lp.lp, thief.quote),
        data::Withdraw { lp_amount: USDC, min_quote_out: 0 },
    );
    refused!(w.bank, all.clone(), owner, w.bank.process(&[wd], &[&thief.key]).await);
    // buy options to the thief paid from the victim's quote
    let buy = ix::ix(
        ix::trade(thief.pubkey(), &k, &call, w.m.oracle, trader.quote, thief_options),
        data::Buy { contracts: SOL, max_total_cost: u64::MAX },
    );
    refused!(w.bank, all.clone(), owner, w.bank.process(&[buy], &[&thief.key]).await);
    // sell the victim's options for quote paid to the thief
    let sell = ix::ix(
        ix::trade(thief.pubkey(), &k, &call, w.m.oracle, thief.quote, trader_options),
        data::Sell { contracts: SOL, min_total_proceeds: 0 },
    );
    refused!(w.bank, all, owner, w.bank.process(&[sell], &[&thief.key]).await);
    check_books(&mut w, &[call]).await;
}

// ---------------------------------------------------------- pool creation

/// Two fresh mints and a funded admin, no pool yet.
async fn fresh_pair(bank: &mut Bank, underlying_decimals: u8, same_mint: bool) -> (Keypair, PoolKeys) {
    let admin = bank.funded_keypair(10).await.unwrap();
    let auth = Keypair::new();
    let underlying = bank.create_mint(&auth.pubkey(), underlying_decimals).await.unwrap();
    let quote = if same_mint { underlying } else { bank.create_mint(&auth.pubkey(), 6).await.unwrap() };
    let keys = PoolKeys::derive(underlying, quote, admin.pubkey());
    (admin, keys)
}

async fn initialize(bank: &mut Bank, admin: &Keypair, keys: &PoolKeys, params: PoolParams) -> BankResult<()> {
    bank.process(&[ix::ix(ix::initialize_pool(admin.pubkey(), keys), data::InitializePool { params })], &[admin]).await
}

fn pool_pdas(k: &PoolKeys) -> Vec<Pubkey> {
    vec![k.pool, k.greek_cache, k.lp_mint, k.quote_vault, k.hedge_vault]
}

type Breaker = fn(&mut PoolParams);

fn cost_benefit(cost_bps: u16, risk_aversion_ppm: u64, terminal_bps: u32) -> HedgePolicyConfig {
    HedgePolicyConfig::CostBenefit { cost_bps, risk_aversion_ppm, terminal_bps, expiry_aware: true }
}

/// One or more bad values per parameter group, each with the error its
/// group's validation must give.
fn invalid_params() -> Vec<(&'static str, Breaker, OptionsError)> {
    vec![
        ("max price age 0", |p| p.oracle.max_price_age_s = 0, OptionsError::InvalidOracleParams),
        ("max price age 3601", |p| p.oracle.max_price_age_s = 3601, OptionsError::InvalidOracleParams),
        ("max confidence 1001 bps", |p| p.oracle.max_conf_bps = 1001, OptionsError::InvalidOracleParams),
        ("settlement window 0", |p| p.oracle.settlement_window_s = 0, OptionsError::InvalidOracleParams),
        ("settlement grace 301 s", |p| p.oracle.settlement_grace_s = 301, OptionsError::InvalidOracleParams),
        (
            "settlement grace past the window",
            |p| {
                p.oracle.settlement_window_s = 60;
                p.oracle.settlement_grace_s = 61
            },
            OptionsError::InvalidOracleParams,
        ),
        ("min base IV 0", |p| p.vol.min_base_iv_bps = 0, OptionsError::InvalidVolParams),
        (
            "initial base IV above max",
            |p| p.vol.initial_base_iv_bps = p.vol.max_base_iv_bps + 1,
            OptionsError::InvalidVolParams,
        ),
        ("initial skew below min", |p| p.vol.initial_skew_bps = p.vol.min_skew_bps - 1, OptionsError::InvalidVolParams),
        ("standard size 0", |p| p.vol.standard_size = 0, OptionsError::InvalidVolParams),
        ("rate above 100%", |p| p.vol.rate_bps = 10_001, OptionsError::InvalidVolParams),
        ("option price fee above 1000 bps", |p| p.fees.option_price_fee_bps = 1001, OptionsError::FeeAboveBound),
        ("spot price fee above 100 bps", |p| p.fees.spot_price_fee_bps = 101, OptionsError::FeeAboveBound),
        ("min delta 50%", |p| p.risk.min_delta_bps = 5000, OptionsError::InvalidRiskParams),
        ("max move 0", |p| p.risk.max_move_bps = 0, OptionsError::InvalidRiskParams),
        ("solvency reserve 100%", |p| p.risk.solvency_reserve_bps = 10_000, OptionsError::InvalidRiskParams),
        ("open interest cap 0", |p| p.risk.max_open_interest = 0, OptionsError::InvalidRiskParams),
        ("live series cap 0", |p| p.risk.max_live_series = 0, OptionsError::InvalidRiskParams),
        ("board vega cap 0", |p| p.risk.max_board_vega_bps = 0, OptionsError::InvalidRiskParams),
        ("board cash gamma cap 0", |p| p.risk.max_board_cash_gamma_bps = 0, OptionsError::InvalidRiskParams),
        ("hedge-cost fee above 20,000 bps", |p| p.fees.hedge_fee_bps = 20_001, OptionsError::FeeAboveBound),
        ("hedge rebate cap above 10,000 bps", |p| p.fees.hedge_rebate_cap_bps = 10_001, OptionsError::InvalidFeeParams),
        ("relaxation half-life 599 s", |p| p.vol.relax_half_life_s = 599, OptionsError::InvalidVolParams),
        (
            "relaxation half-life over 365 days",
            |p| p.vol.relax_half_life_s = 365 * 86_400 + 1,
            OptionsError::InvalidVolParams,
        ),
        (
            "live series cap above the compute cap (MAX_LIVE_SERIES + 1)",
            |p| p.risk.max_live_series = MAX_LIVE_SERIES + 1,
            OptionsError::InvalidRiskParams,
        ),
        (
            "threshold band 0",
            |p| p.hedge.policy = HedgePolicyConfig::DeltaThreshold { band: 0 },
            OptionsError::InvalidHedgeParams,
        ),
        (
            "WW cost 0",
            |p| p.hedge.policy = HedgePolicyConfig::WhalleyWilmott { cost_bps: 0, risk_aversion_ppm: 1 },
            OptionsError::InvalidHedgeParams,
        ),
        ("cost-benefit cost 0", |p| p.hedge.policy = cost_benefit(0, 1_000, 10_000), OptionsError::InvalidHedgeParams),
        (
            "cost-benefit cost above 1000 bps",
            |p| p.hedge.policy = cost_benefit(1001, 1_000, 10_000),
            OptionsError::InvalidHedgeParams,
        ),
        (
            "cost-benefit risk aversion 0",
            |p| p.hedge.policy = cost_benefit(30, 0, 10_000),
            OptionsError::InvalidHedgeParams,
        ),
        (
            "cost-benefit terminal factor above 100 (1_000_001 bps)",
            |p| p.hedge.policy = cost_benefit(30, 1_000, 1_000_001),
            OptionsError::InvalidHedgeParams,
        ),
        ("retrace above 10_000 bps", |p| p.hedge.retrace_bps = 10_001, OptionsError::InvalidHedgeParams),
        ("hedge slippage 0", |p| p.hedge.max_slippage_bps = 0, OptionsError::InvalidHedgeParams),
        ("keeper reward 51 bps", |p| p.hedge.keeper_reward_bps = 51, OptionsError::KeeperRewardAboveBound),
        ("hedge slippage 501 bps", |p| p.hedge.max_slippage_bps = 501, OptionsError::SlippageAboveBound),
        ("timelock under an hour", |p| p.governance.timelock_s = 3599, OptionsError::TimelockOutOfBounds),
        ("timelock over 30 days", |p| p.governance.timelock_s = 30 * 86_400 + 1, OptionsError::TimelockOutOfBounds),
        (
            "keeper fixed reward above cap",
            |p| p.hedge.keeper_reward_fixed = p.hedge.keeper_reward_cap + 1,
            OptionsError::InvalidHedgeParams,
        ),
    ]
}

#[tokio::test]
async fn initialize_pool_refuses_each_invalid_parameter_and_creates_nothing() {
    let mut bank = Bank::start(T0).await;
    let (admin, keys) = fresh_pair(&mut bank, 9, false).await;
    let good = default_params(SOL_USD_FEED_ID, Pubkey::new_unique());
    for (what, break_it, expected) in invalid_params() {
        eprintln!("case: {what}");
        let mut p = good.clone();
        break_it(&mut p);
        refused!(bank, pool_pdas(&keys), code(expected), initialize(&mut bank, &admin, &keys, p).await);
    }
    // the same accounts with the sane parameters: the refusals were the parameters'
    initialize(&mut bank, &admin, &keys, good.clone()).await.unwrap();
    let pool: options_amm::state::Pool = bank.anchor(&keys.pool).await.unwrap();
    assert_eq!(pool.params, good);
}

#[tokio::test]
async fn initialize_pool_refuses_one_mint_on_both_sides_and_decimals_above_18() {
    let mut bank = Bank::start(T0).await;
    let params = default_params(SOL_USD_FEED_ID, Pubkey::new_unique());
    let (admin, same) = fresh_pair(&mut bank, 9, true).await;
    refused!(
        bank,
        pool_pdas(&same),
        code(OptionsError::SameMint),
        initialize(&mut bank, &admin, &same, params.clone()).await
    );
    // SPL Token accepts any u8 decimals; options-math's exact conversions stop at 18
    let (admin, wide) = fresh_pair(&mut bank, 19, false).await;
    refused!(
        bank,
        pool_pdas(&wide),
        code(OptionsError::UnsupportedDecimals),
        initialize(&mut bank, &admin, &wide, params.clone()).await
    );
    let (admin, ok) = fresh_pair(&mut bank, 18, false).await;
    initialize(&mut bank, &admin, &ok, params).await.unwrap();
}

#[tokio::test]
async fn a_second_initialize_for_the_same_pair_is_refused_and_the_pool_survives() {
    let mut w = world().await;
    let intruder = w.bank.funded_keypair(10).await.unwrap();
    let params = default_params(SOL_USD_FEED_ID, Pubkey::new_unique());
    // an intruder cannot name the pool (its address is its creator's); its
    // creator cannot create it twice: the PDA holds a pool, refused by name
    let all = watch(&w, &[]);
    let before = snapshot(&mut w.bank, &all).await;
    expect_code(
        initialize(&mut w.bank, &intruder, &w.m.keys, params.clone()).await,
        anchor(AnchorCode::ConstraintSeeds),
    );
    let admin = w.m.admin.insecure_clone();
    expect_err(initialize(&mut w.bank, &admin, &w.m.keys, params).await, OptionsError::AccountAlreadyExists);
    assert_unchanged(&mut w.bank, &all, &before).await;
    assert_eq!(w.m.pool(&mut w.bank).await.unwrap().admin, w.m.admin.pubkey());
}

#[tokio::test]
async fn update_pool_params_refuses_each_invalid_parameter_and_keeps_the_old_ones() {
    let mut w = world().await;
    let good = w.m.pool(&mut w.bank).await.unwrap().params;
    for (what, break_it, expected) in invalid_params() {
        eprintln!("case: {what}");
        let mut p = good.clone();
        break_it(&mut p);
        refused!(w.bank, watch(&w, &[]), code(expected), w.m.update_params(&mut w.bank, p).await);
    }
    // a valid cap on live series, but below the series already listed
    w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    w.m.list_series(&mut w.bank, 160 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut p = good.clone();
    p.risk.max_live_series = 1;
    refused!(
        w.bank,
        watch(&w, &[]),
        code(OptionsError::InvalidRiskParams),
        w.m.update_params(&mut w.bank, p.clone()).await
    );
    p.risk.max_live_series = 2;
    w.m.update_params(&mut w.bank, p).await.unwrap();
}

// ------------------------------------------------------ substituted accounts

#[tokio::test]
async fn lp_flows_refuse_another_pools_vault_lp_mint_and_greek_cache() {
    let mut w = world().await;
    let other = Market::create(&mut w.bank, &MarketConfig::default()).await.unwrap();
    let ok = other.keys;
    let k = w.m.keys;
    let lp = &w.lp;
    let mut all = watch(&w, &[]);
    all.extend([ok.pool, ok.greek_cache, ok.quote_vault, ok.lp_mint]);

    let dep = || ix::deposit(lp.pubkey(), &k, w.m.oracle, lp.quote, lp.lp);
    let wd = || ix::withdraw(lp.pubkey(), &k, w.m.oracle, lp.lp, lp.quote);
    let deposits = [
        ("quote vault", with(dep(), |a| a.quote_vault = ok.quote_vault), OptionsError::WrongQuoteVault),
        ("LP mint", with(dep(), |a| a.lp_mint = ok.lp_mint), OptionsError::WrongLpMint),
        ("greek cache", with(dep(), |a| a.greek_cache = ok.greek_cache), OptionsError::WrongGreekCache),
    ];
    let withdrawals = [
        ("quote vault", with(wd(), |a| a.quote_vault = ok.quote_vault), OptionsError::WrongQuoteVault),
        ("LP mint", with(wd(), |a| a.lp_mint = ok.lp_mint), OptionsError::WrongLpMint),
        ("greek cache", with(wd(), |a| a.greek_cache = ok.greek_cache), OptionsError::WrongGreekCache),
    ];
    for (what, acc, expected) in deposits {
        eprintln!("deposit with the other pool's {what}");
        let ixn = ix::ix(acc, data::Deposit { quote_amount: 1_000 * USDC, min_lp_out: 0 });
        refused!(w.bank, all.clone(), code(expected), w.bank.process(&[ixn], &[&lp.key]).await);
    }
    for (what, acc, expected) in withdrawals {
        eprintln!("withdraw with the other pool's {what}");
        let ixn = ix::ix(acc, data::Withdraw { lp_amount: 1_000 * USDC, min_quote_out: 0 });
        refused!(w.bank, all.clone(), code(expected), w.bank.process(&[ixn], &[&lp.key]).await);
    }
    check_books(&mut w, &[]).await;
}

#[tokio::test]
async fn trades_refuse_another_pools_accounts_and_another_series_mint() {
    let Scene { mut w, call, mut trader, trader_options } = scene().await;
    let other = Market::create(&mut w.bank, &MarketConfig::default()).await.unwrap();
    let other_call = other.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let other_options = other.option_account(&mut w.bank, &mut trader, &other_call).await.unwrap();
    let call160 = w.m.list_series(&mut w.bank, 160 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let options160 = w.m.option_account(&mut w.bank, &mut trader, &call160).await.unwrap();
    let (k, ok) = (w.m.keys, other.keys);
    let mut all = watch(
        &w,
        &[call.series, call.option_mint, call160.series, call160.option_mint, trader.quote, trader_options, options160],
    );
    all.extend([ok.pool, ok.greek_cache, ok.quote_vault, other_call.series, other_call.option_mint, other_options]);

    let base = || ix::trade(trader.pubkey(), &k, &call, w.m.oracle, trader.quote, trader_options);
    let cases = [
        (
            "the other pool's greek cache",
            with(base(), |a| a.greek_cache = ok.greek_cache),
            OptionsError::WrongGreekCache,
        ),
        (
            "the other pool's quote vault",
            with(base(), |a| a.quote_vault = ok.quote_vault),
            OptionsError::WrongQuoteVault,
        ),
        (
            "a series of the other pool",
            with(base(), |a| {
                a.series = other_call.series;
                a.option_mint = other_call.option_mint;
                a.trader_options = other_options;
            }),
            OptionsError::WrongPool,
        ),
        // pay for the 150 call, be minted the 160 call
        (
            "the 160 call's option mint on the 150 call",
            with(base(), |a| {
                a.option_mint = call160.option_mint;
                a.trader_options = options160;
            }),
            OptionsError::WrongOptionMint,
        ),
    ];
    for (what, acc, expected) in cases {
        eprintln!("buy and sell with {what}");
        let metas = anchor_lang::ToAccountMetas::to_account_metas(&acc, None);
        let buy = with_data(&metas, data::Buy { contracts: SOL, max_total_cost: u64::MAX });
        refused!(w.bank, all.clone(), code(expected), w.bank.process(&[buy], &[&trader.key]).await);
        let sell = with_data(&metas, data::Sell { contracts: SOL, min_total_proceeds: 0 });
        refused!(w.bank, all.clone(), code(expected), w.bank.process(&[sell], &[&trader.key]).await);
    }
    check_books(&mut w, &[call, call160]).await;
}

#[tokio::test]
async fn keeper_and_admin_paths_refuse_another_pools_cache_and_series() {
    let Scene { mut w, call, .. } = scene().await;
    let other = Market::create(&mut w.bank, &MarketConfig::default()).await.unwrap();
    let other_call = other.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let (k, ok) = (w.m.keys, other.keys);
    let mut all = watch(&w, &[call.series]);
    all.extend([ok.pool, ok.greek_cache, other_call.series]);

    let mut acc = ix::refresh_greeks(&k, w.m.oracle);
    acc.greek_cache = ok.greek_cache;
    refused!(
        w.bank,
        all.clone(),
        code(OptionsError::WrongGreekCache),
        w.bank.process(&[ix::ix(acc, data::RefreshGreeks {})], &[]).await
    );

    // settlement is permissionless: the accounts are all that stop a cross-pool settle
    w.bank.set_time(EXPIRY + 30);
    w.m.post_price(&mut w.bank, 150_00000000);
    let mut acc = ix::settle_series(&k, &call, w.m.oracle);
    acc.greek_cache = ok.greek_cache;
    refused!(
        w.bank,
        all.clone(),
        code(OptionsError::WrongGreekCache),
        w.bank.process(&[ix::ix(acc, data::SettleSeries {})], &[]).await
    );
    let acc = ix::settle_series(&k, &other_call, w.m.oracle);
    refused!(
        w.bank,
        all.clone(),
        code(OptionsError::WrongPool),
        w.bank.process(&[ix::ix(acc, data::SettleSeries {})], &[]).await
    );

    // listing into another pool's cache
    w.bank.set_time(T0);
    w.m.post_price(&mut w.bank, 150_00000000);
    let s = SeriesKeys::derive(&k.pool, EXPIRY, 170 * USDC, Kind::Call);
    let mut acc = ix::create_series(w.m.admin.pubkey(), &k, &s);
    acc.greek_cache = ok.greek_cache;
    let create = ix::ix(acc, data::CreateSeries { strike_quote: 170 * USDC, expiry: EXPIRY, kind: Kind::Call });
    all.extend([s.series, s.option_mint]);
    refused!(w.bank, all, code(OptionsError::WrongGreekCache), w.bank.process(&[create], &[&w.m.admin]).await);
    check_books(&mut w, &[call]).await;
}

#[tokio::test]
async fn token_accounts_of_the_wrong_mint_are_refused() {
    let Scene { mut w, call, mut trader, trader_options } = scene().await;
    let call160 = w.m.list_series(&mut w.bank, 160 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let options160 = w.m.option_account(&mut w.bank, &mut trader, &call160).await.unwrap();
    let (k, oracle) = (w.m.keys, w.m.oracle);
    let (lp, t) = (w.lp.key.insecure_clone(), trader.key.insecure_clone());
    let (lpa, ta) = (&w.lp, &trader);
    let all = watch(
        &w,
        &[call.series, call.option_mint, ta.quote, ta.underlying, ta.lp, trader_options, options160, lpa.underlying],
    );

    let dep = || ix::deposit(lp.pubkey(), &k, oracle, lpa.quote, lpa.lp);
    let wd = || ix::withdraw(lp.pubkey(), &k, oracle, lpa.lp, lpa.quote);
    let trade = || ix::trade(t.pubkey(), &k, &call, oracle, ta.quote, trader_options);
    let deposit = data::Deposit { quote_amount: USDC, min_lp_out: 0 };
    let withdraw = data::Withdraw { lp_amount: USDC, min_quote_out: 0 };
    let buy = data::Buy { contracts: SOL, max_total_cost: u64::MAX };
    let cases = [
        (
            "deposit paying in underlying",
            ix::ix(with(dep(), |a| a.depositor_quote = lpa.underlying), deposit.clone()),
            &lp,
        ),
        (
            "deposit minting LP into an underlying account",
            ix::ix(with(dep(), |a| a.depositor_lp = lpa.underlying), deposit),
            &lp,
        ),
        (
            "withdraw burning an underlying account as LP",
            ix::ix(with(wd(), |a| a.owner_lp = lpa.underlying), withdraw.clone()),
            &lp,
        ),
        (
            "withdraw paying into an underlying account",
            ix::ix(with(wd(), |a| a.owner_quote = lpa.underlying), withdraw),
            &lp,
        ),
        ("buy paying with LP tokens", ix::ix(with(trade(), |a| a.trader_quote = ta.lp), buy.clone()), &t),
        ("buy minting into the 160 call's account", ix::ix(with(trade(), |a| a.trader_options = options160), buy), &t),
        (
            "sell burning underlying as options",
            ix::ix(
                with(trade(), |a| a.trader_options = ta.underlying),
                data::Sell { contracts: SOL, min_total_proceeds: 0 },
            ),
            &t,
        ),
    ];
    for (what, ixn, signer) in cases {
        eprintln!("{what}");
        refused!(w.bank, all.clone(), code(OptionsError::WrongTokenMint), w.bank.process(&[ixn], &[signer]).await);
    }
    check_books(&mut w, &[call, call160]).await;
}

#[tokio::test]
async fn a_fake_token_program_is_refused() {
    let Scene { mut w, call, trader, trader_options } = scene().await;
    let k = w.m.keys;
    let all = watch(&w, &[call.series, call.option_mint, trader.quote, trader_options]);
    let fake = Pubkey::new_unique();
    let wrong_program = anchor(AnchorCode::InvalidProgramId);
    let mut a = ix::deposit(w.lp.pubkey(), &k, w.m.oracle, w.lp.quote, w.lp.lp);
    a.token_program = fake;
    refused!(
        w.bank,
        all.clone(),
        wrong_program,
        w.bank.process(&[ix::ix(a, data::Deposit { quote_amount: USDC, min_lp_out: 0 })], &[&w.lp.key]).await
    );
    let mut a = ix::trade(trader.pubkey(), &k, &call, w.m.oracle, trader.quote, trader_options);
    a.token_program = fake;
    refused!(
        w.bank,
        all,
        wrong_program,
        w.bank.process(&[ix::ix(a, data::Sell { contracts: SOL, min_total_proceeds: 0 })], &[&trader.key]).await
    );
}

// ------------------------------------------------------------------ oracle

/// Deposit, withdraw, buy, sell and refresh, each reading `price_update`.
fn priced_instructions(s: &Scene, price_update: Pubkey) -> Vec<(&'static str, Instruction, Vec<Keypair>)> {
    let (w, k, t) = (&s.w, &s.w.m.keys, &s.trader);
    vec![
        (
            "deposit",
            ix::ix(
                ix::deposit(w.lp.pubkey(), k, price_update, w.lp.quote, w.lp.lp),
                data::Deposit { quote_amount: 1_000 * USDC, min_lp_out: 0 },
            ),
            vec![w.lp.key.insecure_clone()],
        ),
        (
            "withdraw",
            ix::ix(
                ix::withdraw(w.lp.pubkey(), k, price_update, w.lp.lp, w.lp.quote),
                data::Withdraw { lp_amount: 1_000 * USDC, min_quote_out: 0 },
            ),
            vec![w.lp.key.insecure_clone()],
        ),
        (
            "buy",
            ix::ix(
                ix::trade(t.pubkey(), k, &s.call, price_update, t.quote, s.trader_options),
                data::Buy { contracts: SOL, max_total_cost: u64::MAX },
            ),
            vec![t.key.insecure_clone()],
        ),
        (
            "sell",
            ix::ix(
                ix::trade(t.pubkey(), k, &s.call, price_update, t.quote, s.trader_options),
                data::Sell { contracts: SOL, min_total_proceeds: 0 },
            ),
            vec![t.key.insecure_clone()],
        ),
        ("refresh", ix::ix(ix::refresh_greeks(k, price_update), data::RefreshGreeks {}), vec![]),
    ]
}

fn scene_accounts(s: &Scene) -> Vec<Pubkey> {
    watch(&s.w, &[s.call.series, s.call.option_mint, s.trader.quote, s.trader_options, s.w.m.oracle])
}

#[tokio::test]
async fn every_priced_instruction_refuses_each_untrustworthy_price() {
    let mut s = scene().await;
    // past the scene's own update: the pool never takes an update older than one it used
    s.w.bank.advance(120);
    let now = s.w.bank.now();
    let (feed, p) = (s.w.m.feed_id, 150_00000000i64);
    let limits = s.w.m.pool(&mut s.w.bank).await.unwrap().params.oracle;
    let (max_age, max_conf_bps) = (limits.max_price_age_s as i64, limits.max_conf_bps as u64);
    let fresh = PriceObservation::new(feed, p, now);
    let fresh_but = |f: fn(&mut PriceObservation)| {
        let mut o = fresh;
        f(&mut o);
        o
    };
    let bad: Vec<(&str, PriceObservation, OptionsError)> = vec![
        // an old genuine update at a price that suits the trader
        (
            "published a second past the max age",
            PriceObservation::new(feed, p, now - max_age - 1),
            OptionsError::OracleStale,
        ),
        ("another feed", PriceObservation::new([0x42; 32], p, now), OptionsError::OracleFeedMismatch),
        (
            "partially verified",
            fresh_but(|o| o.verification = VerificationLevel::Partial { num_signatures: 5 }),
            OptionsError::OracleNotFullyVerified,
        ),
        (
            "confidence one unit over the limit",
            {
                let mut o = fresh;
                o.conf = p as u64 * max_conf_bps / 10_000 + 1;
                o
            },
            OptionsError::OracleConfidenceTooWide,
        ),
        (
            "zero price",
            fresh_but(|o| {
                o.price = 0;
                o.conf = 0
            }),
            OptionsError::OracleNonPositivePrice,
        ),
        ("negative price", fresh_but(|o| o.price = -o.price), OptionsError::OracleNonPositivePrice),
        ("exponent -19", fresh_but(|o| o.exponent = -19), OptionsError::OracleExponentOutOfRange),
    ];
    let oracle = s.w.m.oracle;
    for (what, obs, expected) in bad {
        s.w.m.post_observation(&mut s.w.bank, &obs);
        for (name, ixn, signers) in priced_instructions(&s, oracle) {
            eprintln!("{name} with a price {what}");
            let all = scene_accounts(&s);
            refused!(
                s.w.bank,
                all,
                code(expected),
                s.w.bank.process(&[ixn], &signers.iter().collect::<Vec<_>>()).await
            );
        }
    }
    // the fresh price again: every one of them goes through
    s.w.m.post_observation(&mut s.w.bank, &fresh);
    for (name, ixn, signers) in priced_instructions(&s, oracle) {
        s.w.bank.process(&[ixn], &signers.iter().collect::<Vec<_>>()).await.unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    check_books(&mut s.w, &[s.call]).await;
}

#[tokio::test]
async fn the_oracle_limits_themselves_are_accepted() {
    let mut s = scene().await;
    // past the scene's own update: the pool never takes an update older than one it used
    s.w.bank.advance(120);
    let now = s.w.bank.now();
    let (feed, p) = (s.w.m.feed_id, 150_00000000i64);
    let pool = s.w.m.pool(&mut s.w.bank).await.unwrap();
    let (age, conf_bps) = (pool.params.oracle.max_price_age_s as i64, pool.params.oracle.max_conf_bps as u64);
    // exactly max age old and exactly max confidence: both limits are inclusive
    let mut edge = PriceObservation::new(feed, p, now - age);
    edge.conf = p as u64 * conf_bps / 10_000;
    s.w.m.post_observation(&mut s.w.bank, &edge);
    for (name, ixn, signers) in priced_instructions(&s, s.w.m.oracle) {
        s.w.bank.process(&[ixn], &signers.iter().collect::<Vec<_>>()).await.unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    check_books(&mut s.w, &[s.call]).await;
}

#[tokio::test]
async fn a_price_update_not_owned_by_the_pyth_receiver_is_refused() {
    let mut s = scene().await;
    let now = s.w.bank.now();
    // byte for byte a fully verified, fresh update, but written by another program
    let genuine = PriceObservation::new(s.w.m.feed_id, 150_00000000, now);
    let forged = Pubkey::new_unique();
    let data = price_update_data(&genuine);
    let lamports = s.w.bank.lamports(&s.w.m.oracle).await.unwrap();
    s.w.bank.set_account(
        &forged,
        Account { lamports, data, owner: Pubkey::new_unique(), executable: false, rent_epoch: 0 },
    );
    assert_eq!(anchor(AnchorCode::AccountOwnedByWrongProgram), 3007);
    for (name, ixn, signers) in priced_instructions(&s, forged) {
        eprintln!("{name} with a forged price account");
        let all = scene_accounts(&s);
        refused!(
            s.w.bank,
            all,
            anchor(AnchorCode::AccountOwnedByWrongProgram),
            s.w.bank.process(&[ixn], &signers.iter().collect::<Vec<_>>()).await
        );
    }
    s.w.bank.set_time(EXPIRY + 30);
    let mut at_expiry = genuine;
    at_expiry.publish_time = EXPIRY + 30;
    at_expiry.prev_publish_time = EXPIRY - 1;
    s.w.bank.set_account(
        &forged,
        Account {
            lamports,
            data: price_update_data(&at_expiry),
            owner: Pubkey::new_unique(),
            executable: false,
            rent_epoch: 0,
        },
    );
    let settle = ix::ix(ix::settle_series(&s.w.m.keys, &s.call, forged), data::SettleSeries {});
    let all = scene_accounts(&s);
    refused!(s.w.bank, all, anchor(AnchorCode::AccountOwnedByWrongProgram), s.w.bank.process(&[settle], &[]).await);
    // the same bytes under the receiver program settle the series
    s.w.bank.set_account(
        &forged,
        Account {
            lamports,
            data: price_update_data(&at_expiry),
            owner: RECEIVER_PROGRAM_ID,
            executable: false,
            rent_epoch: 0,
        },
    );
    let settle = ix::ix(ix::settle_series(&s.w.m.keys, &s.call, forged), data::SettleSeries {});
    s.w.bank.process(&[settle], &[]).await.unwrap();
}
