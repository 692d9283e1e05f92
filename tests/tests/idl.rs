//! The checked-in IDL (`idl/options_amm.json`, written by
//! `cargo run -p options-amm-tests --bin idl`) says what the program does:
//! every instruction with its discriminator, every error with its code and
//! message, every event and account type. A change to the program that the
//! IDL does not show fails here (regenerate it with the command above).
use anchor_lang::{Discriminator, Event};
use options_amm::error::OptionsError;
use options_amm::events as ev;
use options_amm::instruction as oi;
use serde_json::Value;

fn idl() -> Value {
    serde_json::from_str(include_str!("../../idl/options_amm.json")).expect("idl/options_amm.json parses")
}

fn bytes(v: &Value) -> Vec<u8> {
    v.as_array().unwrap().iter().map(|b| b.as_u64().unwrap() as u8).collect()
}

#[test]
fn the_idl_lists_every_instruction_with_its_discriminator() {
    let program: Vec<(&str, &[u8])> = vec![
        ("accept_admin", oi::AcceptAdmin::DISCRIMINATOR),
        ("apply_pool_params", oi::ApplyPoolParams::DISCRIMINATOR),
        ("buy", oi::Buy::DISCRIMINATOR),
        ("cancel_pool_params", oi::CancelPoolParams::DISCRIMINATOR),
        ("close_series", oi::CloseSeries::DISCRIMINATOR),
        ("create_series", oi::CreateSeries::DISCRIMINATOR),
        ("deposit", oi::Deposit::DISCRIMINATOR),
        ("initialize_pool", oi::InitializePool::DISCRIMINATOR),
        ("propose_admin", oi::ProposeAdmin::DISCRIMINATOR),
        ("propose_pool_params", oi::ProposePoolParams::DISCRIMINATOR),
        ("rebalance", oi::Rebalance::DISCRIMINATOR),
        ("redeem", oi::Redeem::DISCRIMINATOR),
        ("refresh_greeks", oi::RefreshGreeks::DISCRIMINATOR),
        ("sell", oi::Sell::DISCRIMINATOR),
        ("set_guardian", oi::SetGuardian::DISCRIMINATOR),
        ("set_paused", oi::SetPaused::DISCRIMINATOR),
        ("settle_series", oi::SettleSeries::DISCRIMINATOR),
        ("update_pool_params", oi::UpdatePoolParams::DISCRIMINATOR),
        ("withdraw", oi::Withdraw::DISCRIMINATOR),
    ];
    let idl = idl();
    let listed: Vec<(String, Vec<u8>)> = idl["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["name"].as_str().unwrap().to_string(), bytes(&i["discriminator"])))
        .collect();
    let expected: Vec<(String, Vec<u8>)> = program.iter().map(|(n, d)| (n.to_string(), d.to_vec())).collect();
    assert_eq!(listed, expected);
    assert_eq!(idl["address"], options_amm::ID.to_string());
}

#[test]
fn the_idl_lists_every_error_with_its_code_and_message() {
    let idl = idl();
    let errors = idl["errors"].as_array().unwrap();
    assert_eq!(errors.len(), OptionsError::ALL.len());
    for (e, listed) in OptionsError::ALL.iter().zip(errors) {
        assert_eq!(listed["code"].as_u64(), Some(u32::from(*e) as u64), "{e:?}");
        assert_eq!(listed["name"].as_str(), Some(format!("{e:?}").as_str()));
        assert_eq!(listed["msg"].as_str(), Some(e.to_string().as_str()), "{e:?}");
    }
}

#[test]
fn the_idl_lists_every_event_and_account_type() {
    fn d<T: Event + Discriminator>(name: &str) -> (String, Vec<u8>) {
        (name.to_string(), T::DISCRIMINATOR.to_vec())
    }
    let expected = vec![
        d::<ev::AdminAccepted>("AdminAccepted"),
        d::<ev::AdminProposed>("AdminProposed"),
        d::<ev::Deposited>("Deposited"),
        d::<ev::GreeksRefreshed>("GreeksRefreshed"),
        d::<ev::GuardianSet>("GuardianSet"),
        d::<ev::PauseSet>("PauseSet"),
        d::<ev::PoolInitialized>("PoolInitialized"),
        d::<ev::PoolParamsCancelled>("PoolParamsCancelled"),
        d::<ev::PoolParamsProposed>("PoolParamsProposed"),
        d::<ev::PoolParamsUpdated>("PoolParamsUpdated"),
        d::<ev::Rebalanced>("Rebalanced"),
        d::<ev::Redeemed>("Redeemed"),
        d::<ev::SeriesClosed>("SeriesClosed"),
        d::<ev::SeriesCreated>("SeriesCreated"),
        d::<ev::SeriesSettled>("SeriesSettled"),
        d::<ev::Traded>("Traded"),
        d::<ev::Withdrawn>("Withdrawn"),
    ];
    let idl = idl();
    let listed: Vec<(String, Vec<u8>)> = idl["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap().to_string(), bytes(&e["discriminator"])))
        .collect();
    assert_eq!(listed, expected);
    let accounts: Vec<&str> = idl["accounts"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(accounts, ["GreekCache", "Pool", "Series"]);
}
