//! What every attack module shares: a scene with a funded pool, a listed
//! call, a trader holding some of it, a keeper and a second, independent
//! pool on other mints (the source of "right layout, wrong pool" accounts);
//! helpers to forge accounts, strip signatures and prove that a refused
//! transaction changed nothing.
use crate::common::*;
use anchor_lang::error::ErrorCode as AnchorCode;
use anchor_lang::prelude::Pubkey;
use oamm_sdk::bank::{Bank, BankResult};
use oamm_sdk::market::{Actor, Market, MarketConfig};
use oamm_sdk::pda::SeriesKeys;
use oamm_sdk::Instruction;
use options_amm::state::Kind;
use solana_sdk::account::Account;
use solana_sdk::instruction::InstructionError;
use solana_sdk::transaction::TransactionError;

pub const EXPIRY: i64 = T0 + 7 * DAY;

pub struct Scene {
    pub w: World,
    /// 150 call, 7 days, on the main pool.
    pub call: SeriesKeys,
    /// Holds 5 contracts of `call` and 50,000 USDC.
    pub trader: Actor,
    /// The trader's option account for `call`.
    pub trader_options: Pubkey,
    /// No balance; signs rebalances.
    pub keeper: Actor,
    /// A second pool (other mints), funded, with its own 150 call.
    pub other: Market,
    pub other_call: SeriesKeys,
}

pub async fn scene() -> Scene {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut trader = w.m.new_actor(&mut w.bank, 50_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut trader, &call, 5 * SOL, u64::MAX).await.unwrap();
    let trader_options = w.m.option_account(&mut w.bank, &mut trader, &call).await.unwrap();
    let keeper = w.m.new_actor(&mut w.bank, 0).await.unwrap();
    let other = Market::create(&mut w.bank, &MarketConfig::default()).await.unwrap();
    let other_lp = other.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    other.deposit(&mut w.bank, &other_lp, 100_000 * USDC, 0).await.unwrap();
    let other_call = other.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    Scene { w, call, trader, trader_options, keeper, other, other_call }
}

pub fn anchor(e: AnchorCode) -> u32 {
    e.into()
}

/// The transaction must fail with exactly this Anchor framework error.
#[track_caller]
pub fn expect_anchor(r: BankResult<()>, expected: AnchorCode) {
    expect_code(r, anchor(expected))
}

/// The transaction must fail with exactly this non-custom instruction error
/// (SPL Token's unpack errors and the runtime's own refusals).
#[track_caller]
pub fn expect_ix_error(r: BankResult<()>, expected: InstructionError) {
    match r {
        Ok(()) => panic!("expected {expected:?}, but the transaction succeeded"),
        Err(oamm_sdk::bank::BankError::Failed(f)) => match &f.err {
            TransactionError::InstructionError(_, e) => assert_eq!(e, &expected, "logs:\n{}", f.logs.join("\n")),
            other => panic!("expected {expected:?}, got {other:?}"),
        },
        Err(e) => panic!("expected {expected:?}, got {e}"),
    }
}

/// The instruction with `key` no longer marked as a signer: what an attacker
/// sends when they cannot produce the victim's signature.
pub fn unsigned(mut ix: Instruction, key: &Pubkey) -> Instruction {
    for m in ix.accounts.iter_mut().filter(|m| m.pubkey == *key) {
        m.is_signer = false;
    }
    ix
}

/// Copy an existing account's bytes to a fresh address under `owner`: an
/// account with exactly the right layout that the expected program did not
/// write.
pub async fn forge_copy(bank: &mut Bank, of: &Pubkey, owner: Pubkey) -> Pubkey {
    let mut acc = bank.account(of).await.unwrap().expect("account to copy");
    acc.owner = owner;
    let key = Pubkey::new_unique();
    bank.set_account(&key, acc);
    key
}

/// A fresh address holding `data` under `owner` (rent-exempt).
pub fn forge(bank: &mut Bank, data: Vec<u8>, owner: Pubkey) -> Pubkey {
    let key = Pubkey::new_unique();
    let lamports = anchor_lang::prelude::Rent::default().minimum_balance(data.len());
    bank.set_account(&key, Account { lamports, data, owner, executable: false, rent_epoch: 0 });
    key
}

/// Every account in `keys` as it is now.
pub async fn state_of(bank: &mut Bank, keys: &[Pubkey]) -> Vec<Option<Account>> {
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        out.push(bank.account(k).await.unwrap());
    }
    out
}

/// The accounts an attack on the main pool could touch: its state, vaults,
/// mints, the series, the trader's and keeper's wallets, the venue.
pub fn pool_accounts(s: &Scene) -> Vec<Pubkey> {
    let k = &s.w.m.keys;
    let v = &s.w.m.venue;
    vec![
        k.pool,
        k.greek_cache,
        k.quote_vault,
        k.hedge_vault,
        k.lp_mint,
        s.call.series,
        s.call.option_mint,
        s.trader.quote,
        s.trader_options,
        s.keeper.quote,
        s.w.lp.quote,
        s.w.lp.lp,
        v.venue_pool,
        v.base_vault,
        v.quote_vault,
    ]
}

/// Run `attempt`, require its exact error, and prove nothing in `keys` moved.
pub async fn refused_and_unchanged(
    bank: &mut Bank,
    keys: &[Pubkey],
    ixs: &[Instruction],
    signers: &[&solana_sdk::signature::Keypair],
    code: u32,
) {
    let before = state_of(bank, keys).await;
    expect_code(bank.process(ixs, signers).await, code);
    let after = state_of(bank, keys).await;
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        assert_eq!(b, a, "account {} changed although the transaction failed", keys[i]);
    }
}

/// Quote base units as USDC for printing.
pub fn usdc(x: i128) -> f64 {
    x as f64 / USDC as f64
}

/// What one LP share is worth now, as the exact fraction (NAV + virtual
/// quote) / (supply + virtual shares), NAV at the mark rounded down.
pub async fn share_value(w: &mut World) -> (i128, i128) {
    use options_amm::constants::{VIRTUAL_LP_SHARES, VIRTUAL_QUOTE};
    let nav = mark_nav(w).await;
    let supply = w.bank.mint_supply(&w.m.keys.lp_mint).await.unwrap() as i128;
    (nav + VIRTUAL_QUOTE as i128, supply + VIRTUAL_LP_SHARES as i128)
}

/// a/b >= c/d for positive denominators, exactly.
pub fn at_least(after: (i128, i128), before: (i128, i128)) -> bool {
    after.0 * before.1 >= before.0 * after.1
}
