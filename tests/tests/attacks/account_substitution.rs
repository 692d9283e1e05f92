//! Account data matching / substitution: genuine accounts of the right type
//! and owner that belong to ANOTHER pool, series or mint (the second pool
//! of the scene). Each is pinned by a `has_one` or a mint/owner constraint
//! with its own error, so a keeper or trader is told exactly what is wrong.
use super::support::*;
use crate::common::*;
use oamm_sdk::ix::{self, data};
use options_amm::error::OptionsError;
use solana_sdk::signature::Signer;

#[tokio::test]
async fn another_pools_vault_lp_mint_and_cache_are_refused_in_lp_flows() {
    let mut s = scene().await;
    let keys = pool_accounts(&s);
    let (m, o, lp) = (&s.w.m, &s.other, &s.w.lp);
    let other_lp = s.w.bank.create_token_account(&o.keys.lp_mint, &lp.pubkey()).await.unwrap();
    let dep = ix::deposit(lp.pubkey(), &m.keys, m.oracle, lp.quote, lp.lp);
    let wd = ix::withdraw(lp.pubkey(), &m.keys, m.oracle, lp.lp, lp.quote);
    let deposit = |a| ix::ix(a, data::Deposit { quote_amount: USDC, min_lp_out: 0 });
    let withdraw = |a| ix::ix(a, data::Withdraw { lp_amount: USDC, min_quote_out: 0 });

    let mut cases = Vec::new();
    let mut a = dep;
    a.quote_vault = o.keys.quote_vault;
    cases.push((deposit(a), OptionsError::WrongQuoteVault));
    let mut a = dep;
    // the other pool's LP mint with an LP account of that mint: LP of the wrong pool
    (a.lp_mint, a.depositor_lp) = (o.keys.lp_mint, other_lp);
    cases.push((deposit(a), OptionsError::WrongLpMint));
    let mut a = dep;
    a.greek_cache = o.keys.greek_cache;
    cases.push((deposit(a), OptionsError::WrongGreekCache));
    let mut a = dep;
    a.depositor_lp = other_lp; // our LP minted into an account of another mint
    cases.push((deposit(a), OptionsError::WrongTokenMint));
    let mut a = dep;
    a.depositor_quote = lp.underlying; // pay with the underlying
    cases.push((deposit(a), OptionsError::WrongTokenMint));
    // the whole other pool with our cache: the pool's first has_one speaks
    let mut a = dep;
    a.pool = o.keys.pool;
    cases.push((deposit(a), OptionsError::WrongGreekCache));

    let mut a = wd;
    a.quote_vault = o.keys.quote_vault;
    cases.push((withdraw(a), OptionsError::WrongQuoteVault));
    let mut a = wd;
    (a.lp_mint, a.owner_lp) = (o.keys.lp_mint, other_lp);
    cases.push((withdraw(a), OptionsError::WrongLpMint));
    let mut a = wd;
    a.owner_quote = lp.underlying;
    cases.push((withdraw(a), OptionsError::WrongTokenMint));
    let mut a = wd;
    a.greek_cache = o.keys.greek_cache;
    cases.push((withdraw(a), OptionsError::WrongGreekCache));

    for (ixn, e) in cases {
        refused_and_unchanged(&mut s.w.bank, &keys, &[ixn], &[&s.w.lp.key], code(e)).await;
    }
}

#[tokio::test]
async fn another_pools_series_mint_and_vault_are_refused_in_trades() {
    let mut s = scene().await;
    let keys = pool_accounts(&s);
    // take the trader out of the scene so it can be borrowed mutably beside it
    let stand_in = s.w.m.new_actor(&mut s.w.bank, 0).await.unwrap();
    let mut tr = std::mem::replace(&mut s.trader, stand_in);
    // option accounts of the other pool's series and of our LP mint, owned by the trader
    let other_options = s.other.option_account(&mut s.w.bank, &mut tr, &s.other_call).await.unwrap();
    let put = s.w.m.list_series(&mut s.w.bank, 140 * USDC, EXPIRY, options_amm::state::Kind::Put).await.unwrap();
    let put_options = s.w.m.option_account(&mut s.w.bank, &mut tr, &put).await.unwrap();
    let (m, o) = (&s.w.m, &s.other);
    let base = ix::trade(tr.pubkey(), &m.keys, &s.call, m.oracle, tr.quote, s.trader_options);
    let buy = |a| ix::ix(a, data::Buy { contracts: SOL, max_total_cost: u64::MAX });
    let sell = |a| ix::ix(a, data::Sell { contracts: SOL, min_total_proceeds: 0 });

    let mut cases = Vec::new();
    let mut a = base;
    (a.series, a.option_mint, a.trader_options) = (s.other_call.series, s.other_call.option_mint, other_options);
    cases.push((buy(a), OptionsError::WrongPool));
    let mut a = base;
    a.option_mint = put.option_mint; // our series, another series' mint
    cases.push((buy(a), OptionsError::WrongOptionMint));
    let mut a = base;
    (a.option_mint, a.trader_options) = (put.option_mint, put_options);
    cases.push((sell(a), OptionsError::WrongOptionMint));
    let mut a = base;
    a.trader_options = put_options; // options of another series credited/burned
    cases.push((buy(a), OptionsError::WrongTokenMint));
    cases.push((sell(a), OptionsError::WrongTokenMint));
    let mut a = base;
    a.quote_vault = o.keys.quote_vault; // pay into the other pool
    cases.push((buy(a), OptionsError::WrongQuoteVault));
    let mut a = base;
    a.greek_cache = o.keys.greek_cache;
    cases.push((buy(a), OptionsError::WrongGreekCache));
    let mut a = base;
    a.trader_quote = tr.underlying;
    cases.push((buy(a), OptionsError::WrongTokenMint));
    // the other pool with its own cache and vault, but our series
    let mut a = base;
    (a.pool, a.greek_cache, a.quote_vault) = (o.keys.pool, o.keys.greek_cache, o.keys.quote_vault);
    cases.push((buy(a), OptionsError::WrongPool));

    for (ixn, e) in cases {
        refused_and_unchanged(&mut s.w.bank, &keys, &[ixn], &[&tr.key], code(e)).await;
    }
}

#[tokio::test]
async fn another_pools_hedge_vault_venue_and_reward_account_are_refused_in_rebalance() {
    let mut s = scene().await;
    let mut t = s.w.m.new_actor(&mut s.w.bank, 100_000 * USDC).await.unwrap();
    s.w.m.buy(&mut s.w.bank, &mut t, &s.call, 40 * SOL, u64::MAX).await.unwrap();
    let keys = pool_accounts(&s);
    let (m, o, k) = (&s.w.m, &s.other, &s.keeper);
    let base = ix::rebalance(k.pubkey(), &m.keys, m.oracle, k.quote, &m.venue);
    let rb = |a| ix::ix(a, data::Rebalance {});

    let mut cases = Vec::new();
    let mut a = base;
    a.hedge_vault = o.keys.hedge_vault;
    cases.push((rb(a), OptionsError::WrongHedgeVault));
    let mut a = base;
    a.quote_vault = o.keys.quote_vault;
    cases.push((rb(a), OptionsError::WrongQuoteVault));
    let mut a = base;
    a.keeper_quote = k.underlying; // reward paid in the wrong token
    cases.push((rb(a), OptionsError::WrongTokenMint));
    let mut a = base;
    a.venue_pool = o.venue.venue_pool;
    cases.push((rb(a), OptionsError::WrongVenuePool));
    let mut a = base;
    (a.venue_base_vault, a.venue_quote_vault) = (o.venue.base_vault, o.venue.quote_vault);
    cases.push((rb(a), OptionsError::WrongVenueVault));
    let mut a = base;
    a.greek_cache = o.keys.greek_cache;
    cases.push((rb(a), OptionsError::WrongGreekCache));
    for (ixn, e) in cases {
        refused_and_unchanged(&mut s.w.bank, &keys, &[ixn], &[&s.keeper.key], code(e)).await;
    }
}

#[tokio::test]
async fn another_pools_series_cannot_be_settled_redeemed_or_closed_against_this_pool() {
    let mut s = scene().await;
    s.w.bank.set_time(EXPIRY + 10);
    s.w.m.post_price(&mut s.w.bank, 160_00000000);
    s.other.post_price(&mut s.w.bank, 160_00000000);
    let keys = pool_accounts(&s);
    let (m, o) = (&s.w.m, &s.other);

    // settle the other pool's series through our pool: would free our cache slot
    let settle = ix::ix(ix::settle_series(&m.keys, &s.other_call, m.oracle), data::SettleSeries {});
    refused_and_unchanged(&mut s.w.bank, &keys, &[settle], &[], code(OptionsError::WrongPool)).await;
    // our series with the other pool's cache
    let mut a = ix::settle_series(&m.keys, &s.call, m.oracle);
    a.greek_cache = o.keys.greek_cache;
    refused_and_unchanged(
        &mut s.w.bank,
        &keys,
        &[ix::ix(a, data::SettleSeries {})],
        &[],
        code(OptionsError::WrongGreekCache),
    )
    .await;

    s.w.m.settle(&mut s.w.bank, &s.call).await.unwrap();
    s.other.settle(&mut s.w.bank, &s.other_call).await.unwrap();
    let tr = &s.trader;
    let base = ix::redeem(tr.pubkey(), &m.keys, &s.call, s.trader_options, tr.quote);
    let redeem = |a| ix::ix(a, data::Redeem { contracts: SOL });
    let mut a = base;
    a.series = s.other_call.series; // paid from our vault at the other series' payoff
    let mut cases = vec![(redeem(a), OptionsError::WrongPool)];
    let mut a = base;
    a.quote_vault = o.keys.quote_vault; // paid from the other pool's vault
    cases.push((redeem(a), OptionsError::WrongQuoteVault));
    let mut a = base;
    a.option_mint = s.other_call.option_mint;
    cases.push((redeem(a), OptionsError::WrongOptionMint));
    let mut a = base;
    a.holder_quote = tr.underlying;
    cases.push((redeem(a), OptionsError::WrongTokenMint));
    for (ixn, e) in cases {
        refused_and_unchanged(&mut s.w.bank, &keys, &[ixn], &[&s.trader.key], code(e)).await;
    }
    // close the other pool's (empty) series through ours: its rent would go to our admin
    let close = ix::ix(ix::close_series(&m.keys, &s.other_call, m.admin.pubkey()), data::CloseSeries {});
    refused_and_unchanged(&mut s.w.bank, &keys, &[close], &[], code(OptionsError::WrongPool)).await;
}
