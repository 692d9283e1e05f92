//! Arbitrary CPI: the program only ever calls SPL Token, the system program
//! and the pool's configured venue. A keeper or trader who passes another
//! program in any of those places (Token-2022, the venue in the token slot,
//! a program they wrote) is refused before any call is made.
use super::support::*;
use crate::common::*;
use anchor_lang::error::ErrorCode as AnchorCode;
use anchor_lang::prelude::Pubkey;
use oamm_sdk::ix::{self, data};
use oamm_sdk::Instruction;
use options_amm::error::OptionsError;
use options_amm::state::Kind;
use solana_sdk::signature::{Keypair, Signer};

/// Programs an attacker would put in the token-program slot.
fn fake_token_programs() -> [Pubkey; 4] {
    [anchor_spl::token_2022::ID, spot_venue::ID, options_amm::ID, Pubkey::new_unique()]
}

#[tokio::test]
async fn only_spl_token_is_accepted_as_the_token_program() {
    let mut s = scene().await;
    let mut t = s.w.m.new_actor(&mut s.w.bank, 100_000 * USDC).await.unwrap();
    s.w.m.buy(&mut s.w.bank, &mut t, &s.call, 40 * SOL, u64::MAX).await.unwrap(); // a rebalance is due
    let keys = pool_accounts(&s);
    let (m, tr, lp, k) = (&s.w.m, &s.trader, &s.w.lp, &s.keeper);
    let invalid = anchor(AnchorCode::InvalidProgramId);
    for fake in fake_token_programs() {
        let mut d = ix::deposit(lp.pubkey(), &m.keys, m.oracle, lp.quote, lp.lp);
        d.token_program = fake;
        let mut w = ix::withdraw(lp.pubkey(), &m.keys, m.oracle, lp.lp, lp.quote);
        w.token_program = fake;
        let mut t = ix::trade(tr.pubkey(), &m.keys, &s.call, m.oracle, tr.quote, s.trader_options);
        t.token_program = fake;
        let mut r = ix::rebalance(k.pubkey(), &m.keys, m.oracle, k.quote, &m.venue);
        r.token_program = fake;
        let cases: Vec<(Instruction, &Keypair)> = vec![
            (ix::ix(d, data::Deposit { quote_amount: USDC, min_lp_out: 0 }), &lp.key),
            (ix::ix(w, data::Withdraw { lp_amount: USDC, min_quote_out: 0 }), &lp.key),
            (ix::ix(t, data::Buy { contracts: SOL, max_total_cost: u64::MAX }), &tr.key),
            (ix::ix(t, data::Sell { contracts: SOL, min_total_proceeds: 0 }), &tr.key),
            (ix::ix(r, data::Rebalance {}), &k.key),
        ];
        for (c, signer) in cases {
            refused_and_unchanged(&mut s.w.bank, &keys, &[c], &[signer], invalid).await;
        }
    }

    // redeem and the admin's create_series (token and system program slots)
    s.w.bank.set_time(EXPIRY + 10);
    s.w.m.post_price(&mut s.w.bank, 160_00000000);
    s.w.m.settle(&mut s.w.bank, &s.call).await.unwrap();
    let fresh = oamm_sdk::pda::SeriesKeys::derive(&s.w.m.keys.pool, EXPIRY + 7 * DAY, 150 * USDC, Kind::Call);
    let list = || data::CreateSeries { strike_quote: 150 * USDC, expiry: EXPIRY + 7 * DAY, kind: Kind::Call };
    let (m, tr) = (&s.w.m, &s.trader);
    for fake in fake_token_programs() {
        let mut r = ix::redeem(tr.pubkey(), &m.keys, &s.call, s.trader_options, tr.quote);
        r.token_program = fake;
        refused_and_unchanged(&mut s.w.bank, &keys, &[ix::ix(r, data::Redeem { contracts: SOL })], &[&tr.key], invalid)
            .await;
        let mut c = ix::create_series(m.admin.pubkey(), &m.keys, &fresh);
        c.token_program = fake;
        refused_and_unchanged(&mut s.w.bank, &keys, &[ix::ix(c, list())], &[&m.admin], invalid).await;
        let mut c = ix::create_series(m.admin.pubkey(), &m.keys, &fresh);
        c.system_program = fake;
        refused_and_unchanged(&mut s.w.bank, &keys, &[ix::ix(c, list())], &[&m.admin], invalid).await;
    }
}

#[tokio::test]
async fn the_rebalance_swaps_only_on_the_configured_venue_program() {
    let mut s = scene().await;
    let mut t = s.w.m.new_actor(&mut s.w.bank, 100_000 * USDC).await.unwrap();
    s.w.m.buy(&mut s.w.bank, &mut t, &s.call, 40 * SOL, u64::MAX).await.unwrap();
    let keys = pool_accounts(&s);
    let k = &s.keeper;
    // SPL Token (would move the vaults directly), the options program itself
    // (re-entrancy), Token-2022, a program of the attacker's
    for fake in [anchor_spl::token::ID, options_amm::ID, anchor_spl::token_2022::ID, Pubkey::new_unique()] {
        let mut a = ix::rebalance(k.pubkey(), &s.w.m.keys, s.w.m.oracle, k.quote, &s.w.m.venue);
        a.venue_program = fake;
        refused_and_unchanged(
            &mut s.w.bank,
            &keys,
            &[ix::ix(a, data::Rebalance {})],
            &[&k.key],
            code(OptionsError::WrongVenueProgram),
        )
        .await;
    }
    // the genuine venue program, but the pool's own vaults posing as the venue's
    let mut a = ix::rebalance(k.pubkey(), &s.w.m.keys, s.w.m.oracle, k.quote, &s.w.m.venue);
    (a.venue_base_vault, a.venue_quote_vault) = (s.w.m.keys.hedge_vault, s.w.m.keys.quote_vault);
    refused_and_unchanged(
        &mut s.w.bank,
        &keys,
        &[ix::ix(a, data::Rebalance {})],
        &[&k.key],
        code(OptionsError::WrongVenueVault),
    )
    .await;
}
