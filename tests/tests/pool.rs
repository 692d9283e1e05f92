//! The options program's happy paths, natively in solana-program-test: LP
//! deposits and withdrawals at NAV, trading calls and puts, price moves,
//! expiry, settlement, redemption and closing, with every token movement
//! checked to the base unit and the books checked after every step.
mod common;

use common::*;
use oamm_sdk::pda::SeriesKeys;
use options_amm::state::{Kind, SeriesState};
use options_math::amm::Side;
use options_math::I80F48;

#[tokio::test]
async fn lp_shares_track_nav_through_trades_and_price_moves() {
    let mut w = world().await;
    // the first deposit mints one LP base unit per quote base unit
    assert_eq!(balance(&mut w.bank, w.lp.lp).await, 500_000 * USDC);
    let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * DAY, Kind::Call).await.unwrap();
    let mut trader = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut trader, &call, 10 * SOL, u64::MAX).await.unwrap();
    check_books(&mut w, &[call]).await;

    // a second LP buys in at the NAV the trade left, rounded for the pool
    w.bank.advance(HOUR);
    w.m.post_price(&mut w.bank, 152_00000000);
    let lp2 = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    let shares = expected_shares(&mut w, 100_000 * USDC).await;
    w.m.deposit(&mut w.bank, &lp2, 100_000 * USDC, shares).await.unwrap();
    assert_eq!(balance(&mut w.bank, lp2.lp).await, shares);
    assert_eq!(balance(&mut w.bank, lp2.quote).await, 0);
    check_books(&mut w, &[call]).await;

    // price up: the pool is short calls, NAV per share falls; the first LP
    // takes half out at exactly the withdrawal NAV
    w.bank.advance(HOUR);
    w.m.post_price(&mut w.bank, 170_00000000);
    let half = 250_000 * USDC;
    let before = balance(&mut w.bank, w.lp.quote).await;
    let expected = expected_withdrawal(&mut w, half).await;
    w.m.withdraw(&mut w.bank, &w.lp, half, expected).await.unwrap();
    let got = balance(&mut w.bank, w.lp.quote).await - before;
    assert_eq!(got, expected);
    assert!(got < half, "NAV per share fell below 1 after the rally: {got}");
    assert_eq!(balance(&mut w.bank, w.lp.lp).await, 250_000 * USDC);
    check_books(&mut w, &[call]).await;
}

#[tokio::test]
async fn traders_buy_and_sell_calls_and_puts_with_exact_token_movements() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 14 * DAY, Kind::Call).await.unwrap();
    let put = w.m.list_series(&mut w.bank, 140 * USDC, T0 + 14 * DAY, Kind::Put).await.unwrap();
    let mut a = w.m.new_actor(&mut w.bank, 10_000 * USDC).await.unwrap();
    let mut b = w.m.new_actor(&mut w.bank, 10_000 * USDC).await.unwrap();
    let vault = w.m.keys.quote_vault;

    let cases: [(&SeriesKeys, Side, u64, bool); 4] = [
        (&call, Side::Buy, 3 * SOL, true),
        (&put, Side::Buy, 2 * SOL, false),
        (&call, Side::Sell, SOL, true),
        (&put, Side::Sell, SOL / 2, false),
    ];
    for (s, side, contracts, is_a) in cases {
        let actor = if is_a { &mut a } else { &mut b };
        let options = w.m.option_account(&mut w.bank, actor, s).await.unwrap();
        let q = expected_quote(&mut w, s, side, contracts).await;
        let (quote0, opt0, vault0) = (
            balance(&mut w.bank, actor.quote).await,
            balance(&mut w.bank, options).await,
            balance(&mut w.bank, vault).await,
        );
        match side {
            Side::Buy => w.m.buy(&mut w.bank, actor, s, contracts, q.total).await.unwrap(),
            Side::Sell => w.m.sell(&mut w.bank, actor, s, contracts, q.total).await.unwrap(),
        }
        let (quote1, opt1, vault1) = (
            balance(&mut w.bank, actor.quote).await,
            balance(&mut w.bank, options).await,
            balance(&mut w.bank, vault).await,
        );
        match side {
            Side::Buy => {
                assert_eq!(quote0 - quote1, q.total, "buyer pays premium + fee");
                assert_eq!(vault1 - vault0, q.total);
                assert_eq!(opt1 - opt0, contracts, "options minted");
                assert!(q.fee >= 10_000 && q.total == q.premium + q.fee);
            }
            Side::Sell => {
                assert_eq!(quote1 - quote0, q.total, "seller receives premium - fee");
                assert_eq!(vault0 - vault1, q.total);
                assert_eq!(opt0 - opt1, contracts, "options burned");
            }
        }
        check_books(&mut w, &[call, put]).await;
    }
    let pool = w.m.pool(&mut w.bank).await.unwrap();
    assert!(pool.total_fees > 0 && pool.total_premiums > 0);
    assert_eq!(w.m.series(&mut w.bank, &call).await.unwrap().open_interest, 2 * SOL);
    assert_eq!(w.m.series(&mut w.bank, &put).await.unwrap().open_interest, 3 * SOL / 2);
}

#[tokio::test]
async fn buying_lifts_the_board_iv_and_reprices_every_strike_on_it() {
    let mut w = world().await;
    let expiry = T0 + 7 * DAY;
    let near = w.m.list_series(&mut w.bank, 150 * USDC, expiry, Kind::Call).await.unwrap();
    let other = w.m.list_series(&mut w.bank, 160 * USDC, expiry, Kind::Call).await.unwrap();
    let before = w.m.cache(&mut w.bank).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    // 25 contracts = 5 standard sizes: base IV +5 vol points
    w.m.buy(&mut w.bank, &mut t, &near, 25 * SOL, u64::MAX).await.unwrap();
    let after = w.m.cache(&mut w.bank).await.unwrap();
    let (b0, b1) = (before.boards[0].base_iv.get(), after.boards[0].base_iv.get());
    assert!(
        (b1 - b0 - "0.05".parse::<fixed::types::I80F48>().unwrap()).abs() < fixed::types::I80F48::DELTA * 8,
        "{b0} -> {b1}"
    );
    let other_slot = w.m.series(&mut w.bank, &other).await.unwrap().cache_index as usize;
    assert!(after.entries[other_slot].vega.get() > 0, "the untraded strike was repriced at the new base IV");
    assert_eq!(after.entries[other_slot].skew.get(), before.entries[other_slot].skew.get(), "its skew did not move");
}

#[tokio::test]
async fn expiry_settles_itm_and_otm_and_redemption_pays_exactly_the_payoff() {
    let mut w = world().await;
    let expiry = T0 + 7 * DAY;
    let call150 = w.m.list_series(&mut w.bank, 150 * USDC, expiry, Kind::Call).await.unwrap();
    let put160 = w.m.list_series(&mut w.bank, 160 * USDC, expiry, Kind::Put).await.unwrap();
    let put140 = w.m.list_series(&mut w.bank, 140 * USDC, expiry, Kind::Put).await.unwrap();
    let all = [call150, put160, put140];
    let mut t = w.m.new_actor(&mut w.bank, 10_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call150, 2_500_000_000, u64::MAX).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &put160, 1_500_000_000, u64::MAX).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &put140, SOL, u64::MAX).await.unwrap();
    check_books(&mut w, &all).await;

    // expiry passes; the settlement price (155) is published 30 s after it
    w.bank.set_time(expiry + 30);
    w.m.post_price(&mut w.bank, 155_00000000);
    for s in &all {
        w.m.settle(&mut w.bank, s).await.unwrap();
    }
    // 2.5 x (155 - 150) + 1.5 x (160 - 155) + 1 x 0 = 12.5 + 7.5 USDC
    let pool = w.m.pool(&mut w.bank).await.unwrap();
    assert_eq!(pool.reserved_payouts, 20 * USDC);
    assert_eq!(pool.live_series, 0);
    assert_eq!(w.m.series(&mut w.bank, &call150).await.unwrap().state, SeriesState::Settled);
    let cache = w.m.cache(&mut w.bank).await.unwrap();
    assert_eq!(
        (cache.live_count(), cache.net_delta.get()),
        (0, I80F48::ZERO),
        "settled series leave the cache and the target hedge"
    );
    check_books(&mut w, &all).await;

    let q0 = balance(&mut w.bank, t.quote).await;
    w.m.redeem(&mut w.bank, &mut t, &call150, 2_500_000_000).await.unwrap();
    assert_eq!(balance(&mut w.bank, t.quote).await - q0, 12_500_000);
    // a partial redemption, then the rest
    w.m.redeem(&mut w.bank, &mut t, &put160, SOL).await.unwrap();
    w.m.redeem(&mut w.bank, &mut t, &put160, SOL / 2).await.unwrap();
    assert_eq!(balance(&mut w.bank, t.quote).await - q0, 20_000_000);
    w.m.redeem(&mut w.bank, &mut t, &put140, SOL).await.unwrap();
    assert_eq!(balance(&mut w.bank, t.quote).await - q0, 20_000_000, "an OTM option pays nothing");
    check_books(&mut w, &all).await;
    assert_eq!(w.m.pool(&mut w.bank).await.unwrap().reserved_payouts, 0);

    // fully redeemed series close; their rent goes back to the admin
    let admin = solana_sdk::signature::Signer::pubkey(&w.m.admin);
    let lamports0 = w.bank.lamports(&admin).await.unwrap();
    let rent = w.bank.lamports(&call150.series).await.unwrap();
    w.m.close_series(&mut w.bank, &call150).await.unwrap();
    assert_eq!(w.bank.lamports(&admin).await.unwrap(), lamports0 + rent);
    assert!(w.bank.account(&call150.series).await.unwrap().is_none());
    check_books(&mut w, &all).await;
}

#[tokio::test]
async fn refresh_greeks_stores_the_pool_aggregates_at_the_oracle_price() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * DAY, Kind::Call).await.unwrap();
    let put = w.m.list_series(&mut w.bank, 145 * USDC, T0 + 7 * DAY, Kind::Put).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 4 * SOL, u64::MAX).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &put, 3 * SOL, u64::MAX).await.unwrap();
    w.bank.advance(DAY);
    w.m.post_price(&mut w.bank, 160_00000000);
    w.m.refresh(&mut w.bank).await.unwrap();
    let c = w.m.cache(&mut w.bank).await.unwrap();
    assert_eq!(c.spot.get(), spot(&w.m));
    assert_eq!(c.updated_at, w.bank.now());
    let pool = w.m.pool(&mut w.bank).await.unwrap();
    let mut expected = w.m.cache(&mut w.bank).await.unwrap();
    expected.refresh(spot(&w.m), w.bank.now(), pool.params.vol.rate(), pool.decimals()).unwrap();
    assert_eq!(c.net_delta.get(), expected.net_delta.get());
    assert_eq!(c.net_gamma.get(), expected.net_gamma.get());
    assert_eq!(c.liability.get(), expected.liability.get());
    // after the rally the calls dominate: the pool must hold underlying
    assert!(c.target_hedge() > 0 && c.unhedgeable_delta() == 0);
}

#[tokio::test]
async fn settlement_takes_the_first_update_after_expiry_not_the_best_of_the_window() {
    let mut w = world().await;
    let expiry = T0 + 2 * DAY;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, expiry, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 10_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 10 * SOL, u64::MAX).await.unwrap();
    // the feed ticks through expiry: 151 just after it, then 170 twenty minutes later
    w.bank.set_time(expiry + 5);
    w.m.post_price(&mut w.bank, 151_00000000);
    w.bank.set_time(expiry + 1200);
    w.m.post_price(&mut w.bank, 170_00000000);
    // a holder tries to settle with the later, richer update: refused
    expect_err(
        w.m.settle(&mut w.bank, &call).await,
        options_amm::error::OptionsError::SettlementPriceNotFirstAfterExpiry,
    );
    assert_eq!(w.m.series(&mut w.bank, &call).await.unwrap().state, SeriesState::Live, "nothing changed");
    // the update that covers the expiry instant (re-posted, as anyone can from Hermes) settles it
    let mut first = oamm_sdk::pyth::PriceObservation::new(w.m.feed_id, 151_00000000, expiry + 5);
    first.prev_publish_time = T0;
    w.m.post_observation(&mut w.bank, &first);
    w.m.settle(&mut w.bank, &call).await.unwrap();
    let s = w.m.series(&mut w.bank, &call).await.unwrap();
    assert_eq!(s.payoff_per_contract(), I80F48::from_num(1));
    assert_eq!(s.payout_remaining, 10 * USDC);
    check_books(&mut w, &[call]).await;
}

/// Pool and series addresses are predictable; anyone can send lamports to
/// them before they exist. That must not block creating them (Anchor 1.2's
/// `init` would fail here, on runtimes without SIMD-0312).
#[tokio::test]
async fn prefunded_addresses_block_neither_a_pool_nor_a_series() {
    use oamm_sdk::pda::{PoolKeys, SeriesKeys};
    use solana_sdk::signature::Signer;
    let mut w = world().await;
    let griefer = w.bank.funded_keypair(5).await.unwrap();
    let send = |to| anchor_lang::solana_program::system_instruction::transfer(&griefer.pubkey(), &to, 1_000_000);
    // a series about to be listed: its account and its mint, pre-funded
    let expiry = T0 + 9 * DAY;
    let s = SeriesKeys::derive(&w.m.keys.pool, expiry, 155 * USDC, Kind::Call);
    w.bank.process(&[send(s.series), send(s.option_mint)], &[&griefer]).await.unwrap();
    let listed = w.m.list_series(&mut w.bank, 155 * USDC, expiry, Kind::Call).await.unwrap();
    assert_eq!(listed, s);
    let mut t = w.m.new_actor(&mut w.bank, 10_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &s, SOL, u64::MAX).await.unwrap();
    check_books(&mut w, &[s]).await;

    // a pair not yet listed: every one of its pool's PDAs pre-funded
    let authority = solana_sdk::signature::Keypair::new();
    let underlying = w.bank.create_mint(&authority.pubkey(), 9).await.unwrap();
    let quote = w.bank.create_mint(&authority.pubkey(), 6).await.unwrap();
    let admin = w.bank.funded_keypair(10).await.unwrap();
    let k = PoolKeys::derive(underlying, quote, admin.pubkey());
    let ixs: Vec<_> = [k.pool, k.greek_cache, k.lp_mint, k.quote_vault, k.hedge_vault].into_iter().map(send).collect();
    w.bank.process(&ixs, &[&griefer]).await.unwrap();
    let params = oamm_sdk::market::default_params(w.m.feed_id, w.m.venue.venue_pool);
    let ix = oamm_sdk::ix::ix(
        oamm_sdk::ix::initialize_pool(admin.pubkey(), &k),
        oamm_sdk::ix::data::InitializePool { params },
    );
    w.bank.process(&[ix], &[&admin]).await.unwrap();
    let pool: options_amm::state::Pool = w.bank.anchor(&k.pool).await.unwrap();
    assert_eq!(pool.admin, admin.pubkey());
    assert_eq!(w.bank.token_balance(&k.quote_vault).await.unwrap(), 0, "the vault is a real token account");
}

/// Tokens burnt with SPL Token directly never reach the program: the series
/// must still close once no tokens exist, and return what nobody can claim.
#[tokio::test]
async fn a_series_whose_last_tokens_were_burnt_outside_the_program_still_closes() {
    let mut w = world().await;
    let expiry = T0 + 2 * DAY;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, expiry, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 10_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 4 * SOL, u64::MAX).await.unwrap();
    w.bank.set_time(expiry + 5);
    w.m.post_price(&mut w.bank, 160_00000000);
    w.m.settle(&mut w.bank, &call).await.unwrap();
    w.m.redeem(&mut w.bank, &mut t, &call, 3 * SOL).await.unwrap();
    // the last contract is burnt with SPL Token, not redeemed
    let acct = w.m.option_account(&mut w.bank, &mut t, &call).await.unwrap();
    let burn = oamm_sdk::bank::spl_token::instruction::burn(
        &anchor_spl::token::ID,
        &acct,
        &call.option_mint,
        &t.pubkey(),
        &[],
        SOL,
    )
    .unwrap();
    w.bank.process(&[burn], &[&t.key]).await.unwrap();
    let before = w.m.pool(&mut w.bank).await.unwrap().reserved_payouts;
    assert_eq!(before, 10 * USDC, "the burnt contract's 10 USDC is still reserved");
    w.m.close_series(&mut w.bank, &call).await.unwrap();
    assert_eq!(w.m.pool(&mut w.bank).await.unwrap().reserved_payouts, 0, "released to the pool");
}

#[tokio::test]
async fn the_bank_adds_a_compute_unit_limit_unless_the_caller_brings_one() {
    use oamm_sdk::bank::spl_token;
    use solana_compute_budget_interface::ComputeBudgetInstruction;
    let mut w = world().await;
    let lp = w.lp.key.insecure_clone();
    let other = w.m.new_actor(&mut w.bank, 0).await.unwrap();
    let transfer =
        spl_token::instruction::transfer(&spl_token::ID, &w.lp.quote, &other.quote, &w.lp.pubkey(), &[], 1).unwrap();
    // none brought: the budget's own limit (a token instruction: 50,000 + 1,000)
    w.bank.process(std::slice::from_ref(&transfer), &[&lp]).await.unwrap();
    let meter =
        |logs: &[String], limit: u64| logs.iter().any(|l| l.contains(&format!("of {} compute units", limit - 150)));
    assert!(meter(&w.bank.last.logs, 51_000), "{:?}", w.bank.last.logs);
    // the caller's own: kept, not doubled (two would be refused as duplicates)
    let own = ComputeBudgetInstruction::set_compute_unit_limit(300_000);
    w.bank.process(&[own, transfer], &[&lp]).await.unwrap();
    assert!(meter(&w.bank.last.logs, 300_000), "{:?}", w.bank.last.logs);
    assert_eq!(balance(&mut w.bank, other.quote).await, 2);
}
