//! First-depositor LP inflation: the first depositor mints one share for
//! one quote unit, then inflates the share price so a later deposit rounds
//! down to (almost) nothing. Two defences: NAV is computed from the books,
//! not vault balances, so a plain donation does not move it at all; and
//! the virtual offset (1e6 phantom shares and quote) makes any NAV the
//! attacker does add (fees paid to the pool) mostly the phantom's.
use super::support::*;
use crate::common::*;
use oamm_sdk::market::MarketConfig;
use options_amm::constants::VIRTUAL_LP_SHARES;
use options_amm::error::OptionsError;
use options_amm::state::Kind;

#[tokio::test]
async fn a_donation_to_the_quote_vault_does_not_move_the_share_price() {
    let mut w = world_with(MarketConfig::default(), 0).await;
    let attacker = w.m.new_actor(&mut w.bank, 1_000_001 * USDC).await.unwrap();
    let victim = w.m.new_actor(&mut w.bank, 10_000 * USDC).await.unwrap();
    w.m.deposit(&mut w.bank, &attacker, 1, 0).await.unwrap();
    assert_eq!(balance(&mut w.bank, attacker.lp).await, 1, "one share for one quote unit");
    // a million USDC straight into the vault, around the program
    let donation = 1_000_000 * USDC;
    w.bank.transfer_tokens(&attacker.quote, &w.m.keys.quote_vault, &attacker.key, donation).await.unwrap();

    let deposit = 10_000 * USDC;
    w.m.deposit(&mut w.bank, &victim, deposit, 0).await.unwrap();
    let shares = balance(&mut w.bank, victim.lp).await;
    assert_eq!(shares, deposit, "the victim buys in at the books' price, 1:1, blind to the donation");
    w.m.withdraw(&mut w.bank, &victim, shares, 0).await.unwrap();
    let back = balance(&mut w.bank, victim.quote).await;
    // the attacker's one share is worth the one unit left in the books, and
    // even that cannot leave: the 5% solvency reserve of one unit rounds up
    // to one unit. The donation is stranded outside the books.
    expect_err(w.m.withdraw(&mut w.bank, &attacker, 1, 0).await, OptionsError::WithdrawalExceedsSolvency);
    let attacker_net = balance(&mut w.bank, attacker.quote).await as i128 - 1_000_001 * USDC as i128;
    println!("first depositor, vault donation of {donation}: victim deposited {deposit}, withdrew {back}; attacker net {attacker_net}");
    assert_eq!(back, deposit);
    assert_eq!(attacker_net, -(donation as i128) - 1);
    let pool = w.m.pool(&mut w.bank).await.unwrap();
    assert_eq!(
        balance(&mut w.bank, w.m.keys.quote_vault).await,
        pool.quote_balance + donation,
        "the donation sits outside the books"
    );
}

#[tokio::test]
async fn inflating_nav_through_fees_costs_the_attacker_a_million_times_what_the_victim_loses() {
    let mut w = world_with(MarketConfig::default(), 0).await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * DAY, Kind::Call).await.unwrap();
    let mut attacker = w.m.new_actor(&mut w.bank, 1_000 * USDC).await.unwrap();
    let victim = w.m.new_actor(&mut w.bank, 10_000 * USDC).await.unwrap();
    w.m.deposit(&mut w.bank, &attacker, 1, 0).await.unwrap();
    // First line of defence: the per-expiry caps scale with NAV, so a
    // one-unit pool cannot write even one base unit of an option.
    expect_err(w.m.buy(&mut w.bank, &mut attacker, &call, 1, u64::MAX).await, OptionsError::BoardVegaCapExceeded);
    // With the caps as loose as they go (after the timelock), the second: the
    // virtual offset.
    let mut params = w.m.pool(&mut w.bank).await.unwrap().params;
    params.risk.max_board_vega_bps = u16::MAX;
    params.risk.max_board_cash_gamma_bps = u16::MAX;
    w.m.propose_params(&mut w.bank, params.clone()).await.unwrap();
    w.bank.advance(params.governance.timelock_s as i64);
    w.m.post_price(&mut w.bank, w.m.spot_e8);
    w.m.apply_params(&mut w.bank).await.unwrap();
    let start = balance(&mut w.bank, attacker.quote).await + 1;
    // the only way to add NAV the books count: fees. The smallest trades fit
    // the one-unit pool's solvency and each pays the 0.01 USDC minimum fee.
    let mut donated_rounds = 0;
    for _ in 0..200 {
        w.m.buy(&mut w.bank, &mut attacker, &call, 1, u64::MAX).await.unwrap();
        w.m.sell(&mut w.bank, &mut attacker, &call, 1, 0).await.unwrap();
        donated_rounds += 1;
    }
    let value = share_value(&mut w).await;
    println!(
        "first depositor, after {donated_rounds} fee-paying round trips: one share = {:.6} quote units",
        value.0 as f64 / value.1 as f64
    );

    // the fees unlock (a withdrawal counts them only after FEE_UNLOCK_S)
    w.bank.advance(options_amm::constants::FEE_UNLOCK_S);
    w.m.post_price(&mut w.bank, w.m.spot_e8);
    let value = share_value(&mut w).await;
    // the victim's deposit is an awkward size, one unit short of a whole share multiple
    let deposit = 10_000 * USDC - 1;
    let shares = expected_shares(&mut w, deposit).await;
    assert!(shares > 0);
    w.m.deposit(&mut w.bank, &victim, deposit, shares).await.unwrap();
    let worth = expected_withdrawal(&mut w, shares).await;
    w.m.withdraw(&mut w.bank, &victim, shares, worth).await.unwrap();
    let victim_loss = deposit as i128 - worth as i128;
    // the attacker's single share may or may not be worth a whole unit after rounding
    if let Err(e) = w.m.withdraw(&mut w.bank, &attacker, 1, 0).await {
        let allowed = [code(OptionsError::ZeroAmount), code(OptionsError::WithdrawalExceedsSolvency)];
        assert!(e.code().is_some_and(|c| allowed.contains(&c)), "{e}");
    }
    let attacker_loss = start as i128 - balance(&mut w.bank, attacker.quote).await as i128;
    println!("first depositor, fee inflation: attacker spent {attacker_loss} quote units, victim lost {victim_loss} (one share is worth {:.3})", value.0 as f64 / value.1 as f64);
    // the victim loses less than one share's value (rounding), the attacker ~10^6 times that
    assert!(victim_loss * value.1 <= value.0 + value.1, "victim lost {victim_loss}, more than one share");
    assert!(
        attacker_loss >= victim_loss * VIRTUAL_LP_SHARES as i128 / 2,
        "inflation was cheap: {attacker_loss} vs {victim_loss}"
    );
}

#[tokio::test]
async fn a_donation_to_the_hedge_vault_is_taken_into_the_books_by_the_next_rebalance_for_every_lp() {
    // Unlike the quote vault, the hedge vault's book is reset from the vault
    // balance after each swap (rebalance.rs), so donated underlying becomes
    // NAV at the next rebalance, shared pro rata, the phantom shares included.
    let mut s = scene().await;
    let mut t = s.w.m.new_actor(&mut s.w.bank, 100_000 * USDC).await.unwrap();
    s.w.m.buy(&mut s.w.bank, &mut t, &s.call, 40 * SOL, u64::MAX).await.unwrap();
    let donor = s.w.m.new_actor(&mut s.w.bank, 0).await.unwrap();
    s.w.bank.mint_to(&s.w.m.keys.underlying_mint, &s.w.m.mint_authority, &donor.underlying, 10 * SOL).await.unwrap();
    s.w.bank.transfer_tokens(&donor.underlying, &s.w.m.keys.hedge_vault, &donor.key, 10 * SOL).await.unwrap();
    let before = s.w.m.pool(&mut s.w.bank).await.unwrap();
    assert_eq!(balance(&mut s.w.bank, s.w.m.keys.hedge_vault).await, before.hedge_balance + 10 * SOL);
    s.w.m.rebalance(&mut s.w.bank, &s.keeper).await.unwrap();
    let after = s.w.m.pool(&mut s.w.bank).await.unwrap();
    let vault = balance(&mut s.w.bank, s.w.m.keys.hedge_vault).await;
    assert_eq!(after.hedge_balance, vault, "the donation is now in the books");
    check_books(&mut s.w, &[s.call]).await;
}
