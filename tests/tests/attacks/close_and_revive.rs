//! Closing and reviving: `close_series` hands the account back to the system
//! program with no data, so a later instruction in the SAME transaction, or
//! a revived (re-funded) account in a later one, is not a series any more.
//! A closed series cannot be settled, redeemed or closed again, and its
//! option mint (SPL mints cannot be closed) stays with zero supply under
//! the pool's authority; the expired tuple cannot be listed anew.
use super::support::*;
use crate::common::*;
use anchor_lang::error::ErrorCode as AnchorCode;
use anchor_lang::prelude::Rent;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::solana_program::system_instruction;
use oamm_sdk::ix::{self, data};
use oamm_sdk::Instruction;
use options_amm::error::OptionsError;
use options_amm::state::Kind;
use solana_sdk::instruction::InstructionError;
use solana_sdk::signature::Signer;
use solana_sdk::transaction::TransactionError;

/// A scene whose call settled out of the money and was fully redeemed: it can be closed.
async fn closable() -> Scene {
    let mut s = scene().await;
    s.w.bank.set_time(EXPIRY + 10);
    s.w.m.post_price(&mut s.w.bank, 140_00000000);
    s.w.m.settle(&mut s.w.bank, &s.call).await.unwrap();
    s.w.m.redeem(&mut s.w.bank, &mut s.trader, &s.call, 5 * SOL).await.unwrap();
    s
}

fn close(s: &Scene) -> Instruction {
    ix::ix(ix::close_series(&s.w.m.keys, &s.call, s.w.m.admin.pubkey()), data::CloseSeries {})
}

/// The transaction failed at instruction `index` with Anchor error `e`.
#[track_caller]
fn failed_at(r: oamm_sdk::bank::BankResult<()>, index: u8, e: AnchorCode) {
    match r {
        Err(oamm_sdk::bank::BankError::Failed(f)) => {
            assert_eq!(
                f.err,
                TransactionError::InstructionError(index, InstructionError::Custom(e.into())),
                "logs:\n{}",
                f.logs.join("\n")
            )
        }
        other => panic!("expected instruction {index} to fail with {e:?}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_series_closed_earlier_in_the_transaction_cannot_be_used_later_in_it() {
    let mut s = closable().await;
    let keys = pool_accounts(&s);
    let tr = &s.trader;
    let redeem = ix::ix(
        ix::redeem(tr.pubkey(), &s.w.m.keys, &s.call, s.trader_options, tr.quote),
        data::Redeem { contracts: 1 },
    );
    let settle = ix::ix(ix::settle_series(&s.w.m.keys, &s.call, s.w.m.oracle), data::SettleSeries {});
    let rent = Rent::default().minimum_balance(8 + <options_amm::state::Series as anchor_lang::Space>::INIT_SPACE);
    let payer = s.w.bank.payer().pubkey();
    let revive = system_instruction::transfer(&payer, &s.call.series, rent);

    let cases: Vec<(Vec<Instruction>, u8, AnchorCode)> = vec![
        // closed: zero lamports, system-owned
        (vec![close(&s), close(&s)], 1, AnchorCode::AccountNotInitialized),
        (vec![close(&s), settle.clone()], 1, AnchorCode::AccountNotInitialized),
        (vec![close(&s), redeem.clone()], 1, AnchorCode::AccountNotInitialized),
        // closed and re-funded in the same transaction: lamports, but the system program's
        (vec![close(&s), revive.clone(), redeem.clone()], 2, AnchorCode::AccountOwnedByWrongProgram),
        (vec![close(&s), revive, close(&s)], 2, AnchorCode::AccountOwnedByWrongProgram),
    ];
    for (ixs, index, e) in cases {
        let before = state_of(&mut s.w.bank, &keys).await;
        failed_at(s.w.bank.process(&ixs, &[&s.trader.key]).await, index, e);
        assert_eq!(
            before,
            state_of(&mut s.w.bank, &keys).await,
            "the whole transaction rolled back, the close included"
        );
    }
}

#[tokio::test]
async fn a_closed_and_refunded_series_is_not_revived() {
    let mut s = closable().await;
    let pool0 = s.w.m.pool(&mut s.w.bank).await.unwrap();
    s.w.m.close_series(&mut s.w.bank, &s.call).await.unwrap();
    assert!(s.w.bank.account(&s.call.series).await.unwrap().is_none());
    // anyone re-funds the address with a series' rent
    let payer = s.w.bank.payer().pubkey();
    let rent = Rent::default().minimum_balance(8 + <options_amm::state::Series as anchor_lang::Space>::INIT_SPACE);
    s.w.bank.process(&[system_instruction::transfer(&payer, &s.call.series, rent)], &[]).await.unwrap();
    let keys = pool_accounts(&s);
    let tr = &s.trader;
    let redeem = ix::ix(
        ix::redeem(tr.pubkey(), &s.w.m.keys, &s.call, s.trader_options, tr.quote),
        data::Redeem { contracts: 1 },
    );
    let settle = ix::ix(ix::settle_series(&s.w.m.keys, &s.call, s.w.m.oracle), data::SettleSeries {});
    let wrong_owner = anchor(AnchorCode::AccountOwnedByWrongProgram);
    refused_and_unchanged(&mut s.w.bank, &keys, &[redeem], &[&s.trader.key], wrong_owner).await;
    refused_and_unchanged(&mut s.w.bank, &keys, &[settle], &[], wrong_owner).await;
    let c = close(&s);
    refused_and_unchanged(&mut s.w.bank, &keys, &[c], &[], wrong_owner).await;
    assert_eq!(s.w.m.pool(&mut s.w.bank).await.unwrap().reserved_payouts, pool0.reserved_payouts);

    // the option mint outlives the series: zero supply, the pool its only authority
    let mint = s.w.bank.account(&s.call.option_mint).await.unwrap().unwrap();
    let mint = anchor_spl::token::spl_token::state::Mint::unpack(&mint.data).unwrap();
    assert_eq!(mint.supply, 0);
    assert_eq!(mint.mint_authority, Some(s.w.m.keys.pool).into());
    // listing the same tuple again: a series closes only after its expiry,
    // so the listing is refused on the expiry before any account is touched
    // (and the surviving mint would refuse it with AccountAlreadyExists)
    let again = s.w.m.list_series(&mut s.w.bank, 150 * USDC, EXPIRY, Kind::Call).await.map(|_| ());
    expect_err(again, OptionsError::ExpiryTooSoon);
}

#[tokio::test]
async fn a_series_closes_only_when_settled_and_fully_redeemed() {
    let mut s = scene().await;
    let keys = pool_accounts(&s);
    let c = close(&s);
    refused_and_unchanged(&mut s.w.bank, &keys, &[c], &[], code(OptionsError::SeriesNotSettled)).await;
    s.w.bank.set_time(EXPIRY + 10);
    s.w.m.post_price(&mut s.w.bank, 160_00000000);
    s.w.m.settle(&mut s.w.bank, &s.call).await.unwrap();
    s.w.m.redeem(&mut s.w.bank, &mut s.trader, &s.call, 4 * SOL).await.unwrap();
    // one contract still out: closing would release its 10 USDC reserve to the LPs
    let c = close(&s);
    refused_and_unchanged(&mut s.w.bank, &keys, &[c], &[], code(OptionsError::SeriesHasOpenInterest)).await;
    s.w.m.redeem(&mut s.w.bank, &mut s.trader, &s.call, SOL).await.unwrap();
    s.w.m.close_series(&mut s.w.bank, &s.call).await.unwrap();
    check_books(&mut s.w, &[s.call]).await;
}
