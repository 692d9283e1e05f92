//! Missing owner check: an account with exactly the right bytes, written by
//! a program other than the one that should own it. The classic forgery is
//! a price update or a series with the numbers the attacker wants; every one
//! is refused on its owner before a byte of it is read.
use super::support::*;
use crate::common::*;
use anchor_lang::error::ErrorCode as AnchorCode;
use anchor_lang::prelude::Pubkey;
use oamm_sdk::ix::{self, data};
use oamm_sdk::pyth::{price_update_data, PriceObservation};

#[tokio::test]
async fn a_price_update_not_owned_by_the_pyth_receiver_is_refused_everywhere() {
    let mut s = scene().await;
    let mut t = s.w.m.new_actor(&mut s.w.bank, 100_000 * USDC).await.unwrap();
    s.w.m.buy(&mut s.w.bank, &mut t, &s.call, 40 * SOL, u64::MAX).await.unwrap(); // a rebalance is due
                                                                                  // a well-formed, fully verified update at a price of the attacker's choosing (1 USD)
    let o = PriceObservation::new(s.w.m.feed_id, 1_00000000, s.w.bank.now());
    let fake = forge(&mut s.w.bank, price_update_data(&o), Pubkey::new_unique());
    let keys = pool_accounts(&s);
    let (m, tr, k) = (&s.w.m, &s.trader, &s.keeper);
    let wrong_owner = anchor(AnchorCode::AccountOwnedByWrongProgram);

    // (instruction, signer: 0 none, 1 trader, 2 keeper)
    let ixs = vec![
        (
            ix::ix(
                ix::deposit(tr.pubkey(), &m.keys, fake, tr.quote, tr.lp),
                data::Deposit { quote_amount: USDC, min_lp_out: 0 },
            ),
            1,
        ),
        (
            ix::ix(
                ix::withdraw(tr.pubkey(), &m.keys, fake, tr.lp, tr.quote),
                data::Withdraw { lp_amount: 1, min_quote_out: 0 },
            ),
            1,
        ),
        (
            ix::ix(
                ix::trade(tr.pubkey(), &m.keys, &s.call, fake, tr.quote, s.trader_options),
                data::Buy { contracts: SOL, max_total_cost: u64::MAX },
            ),
            1,
        ),
        (
            ix::ix(
                ix::trade(tr.pubkey(), &m.keys, &s.call, fake, tr.quote, s.trader_options),
                data::Sell { contracts: SOL, min_total_proceeds: 0 },
            ),
            1,
        ),
        (ix::ix(ix::refresh_greeks(&m.keys, fake), data::RefreshGreeks {}), 0),
        (ix::ix(ix::rebalance(k.pubkey(), &m.keys, fake, k.quote, &m.venue), data::Rebalance {}), 2),
    ];
    for (ixn, who) in ixs {
        let signers: Vec<&solana_sdk::signature::Keypair> = match who {
            1 => vec![&s.trader.key],
            2 => vec![&s.keeper.key],
            _ => vec![],
        };
        refused_and_unchanged(&mut s.w.bank, &keys, &[ixn], &signers, wrong_owner).await;
    }

    // settlement: a post-expiry "price" of 1,000 USD that would make the calls pay 850 each
    s.w.bank.set_time(EXPIRY + 10);
    s.w.m.post_price(&mut s.w.bank, 150_00000000);
    let o = PriceObservation::new(s.w.m.feed_id, 100_000_000_000, EXPIRY + 5);
    let fake = forge(&mut s.w.bank, price_update_data(&o), Pubkey::new_unique());
    let settle = ix::ix(ix::settle_series(&s.w.m.keys, &s.call, fake), data::SettleSeries {});
    refused_and_unchanged(&mut s.w.bank, &keys, &[settle], &[], wrong_owner).await;
    // the real oracle still settles it
    s.w.m.settle(&mut s.w.bank, &s.call).await.unwrap();
}

#[tokio::test]
async fn a_forged_series_with_a_huge_payoff_cannot_be_redeemed() {
    let mut s = scene().await;
    s.w.bank.set_time(EXPIRY + 10);
    s.w.m.post_price(&mut s.w.bank, 160_00000000);
    s.w.m.settle(&mut s.w.bank, &s.call).await.unwrap();
    // the real settled series, payoff rewritten to 1,000,000 USDC per contract,
    // stored under a program the attacker controls
    let mut acc = s.w.bank.account(&s.call.series).await.unwrap().unwrap();
    let mut series: options_amm::state::Series =
        anchor_lang::AccountDeserialize::try_deserialize(&mut acc.data.as_slice()).unwrap();
    series.payoff_per_contract_bits = options_math::I80F48::from_num(1_000_000).to_bits();
    let mut bytes = Vec::new();
    anchor_lang::AccountSerialize::try_serialize(&series, &mut bytes).unwrap();
    acc.data = bytes;
    acc.owner = Pubkey::new_unique();
    let fake = Pubkey::new_unique();
    s.w.bank.set_account(&fake, acc);

    let keys = pool_accounts(&s);
    let tr = &s.trader;
    let mut acc = ix::redeem(tr.pubkey(), &s.w.m.keys, &s.call, s.trader_options, tr.quote);
    acc.series = fake;
    let redeem = ix::ix(acc, data::Redeem { contracts: SOL });
    refused_and_unchanged(
        &mut s.w.bank,
        &keys,
        &[redeem],
        &[&s.trader.key],
        anchor(AnchorCode::AccountOwnedByWrongProgram),
    )
    .await;
}

#[tokio::test]
async fn pool_cache_vault_and_mint_copies_under_another_owner_are_refused() {
    let mut s = scene().await;
    let attacker_program = Pubkey::new_unique();
    let keys = pool_accounts(&s);
    let (pool, cache, vault, lp_mint, option_mint) = (
        forge_copy(&mut s.w.bank, &s.w.m.keys.pool, attacker_program).await,
        forge_copy(&mut s.w.bank, &s.w.m.keys.greek_cache, attacker_program).await,
        forge_copy(&mut s.w.bank, &s.w.m.keys.quote_vault, attacker_program).await,
        forge_copy(&mut s.w.bank, &s.w.m.keys.lp_mint, attacker_program).await,
        forge_copy(&mut s.w.bank, &s.call.option_mint, attacker_program).await,
    );
    // a token account with the vault's exact bytes, owned by Token-2022 instead of SPL Token
    let vault_2022 = forge_copy(&mut s.w.bank, &s.w.m.keys.quote_vault, anchor_spl::token_2022::ID).await;
    let wrong_owner = anchor(AnchorCode::AccountOwnedByWrongProgram);
    let (m, tr) = (&s.w.m, &s.trader);
    let base = ix::trade(tr.pubkey(), &m.keys, &s.call, m.oracle, tr.quote, s.trader_options);
    let buy = |acc| ix::ix(acc, data::Buy { contracts: SOL, max_total_cost: u64::MAX });

    let mut cases = Vec::new();
    let mut a = base;
    a.pool = pool;
    cases.push(buy(a));
    let mut a = base;
    a.greek_cache = cache;
    cases.push(buy(a));
    let mut a = base;
    a.quote_vault = vault;
    cases.push(buy(a));
    let mut a = base;
    a.quote_vault = vault_2022;
    cases.push(buy(a));
    let mut a = base;
    a.option_mint = option_mint;
    cases.push(buy(a));
    let mut d = ix::deposit(tr.pubkey(), &m.keys, m.oracle, tr.quote, tr.lp);
    d.lp_mint = lp_mint;
    cases.push(ix::ix(d, data::Deposit { quote_amount: USDC, min_lp_out: 0 }));
    for c in cases {
        refused_and_unchanged(&mut s.w.bank, &keys, &[c], &[&s.trader.key], wrong_owner).await;
    }
}

#[tokio::test]
async fn a_venue_pool_copy_owned_by_another_program_is_refused_by_its_pinned_address() {
    let mut s = scene().await;
    let mut t = s.w.m.new_actor(&mut s.w.bank, 100_000 * USDC).await.unwrap();
    s.w.m.buy(&mut s.w.bank, &mut t, &s.call, 40 * SOL, u64::MAX).await.unwrap();
    // same bytes as the real venue pool, reserves and all, owned by someone else
    let fake = forge_copy(&mut s.w.bank, &s.w.m.venue.venue_pool, Pubkey::new_unique()).await;
    let keys = pool_accounts(&s);
    let k = &s.keeper;
    let mut acc = ix::rebalance(k.pubkey(), &s.w.m.keys, s.w.m.oracle, k.quote, &s.w.m.venue);
    acc.venue_pool = fake;
    let rb = ix::ix(acc, data::Rebalance {});
    refused_and_unchanged(
        &mut s.w.bank,
        &keys,
        &[rb],
        &[&s.keeper.key],
        code(options_amm::error::OptionsError::WrongVenuePool),
    )
    .await;
}
