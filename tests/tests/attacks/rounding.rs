//! Rounding exploitation: every rounding step favours the pool (shares and
//! payouts down, premiums up), so repeating the smallest operations many
//! times must not extract value. Each test MEASURES what the attacker ends
//! with against what they started with, prints it, asserts it is <= 0, and
//! checks the other LPs' share value did not fall.
use super::support::*;
use crate::common::*;
use options_amm::error::OptionsError;
use options_amm::state::Kind;

/// A pool whose share price is no longer 1:1 (fees earned, options written),
/// so share and quote amounts do not divide evenly.
async fn uneven_pool() -> Scene {
    let mut s = scene().await;
    let mut t = s.w.m.new_actor(&mut s.w.bank, 200_000 * USDC).await.unwrap();
    s.w.m.buy(&mut s.w.bank, &mut t, &s.call, 37 * SOL + 123_456_789, u64::MAX).await.unwrap();
    s
}

#[tokio::test]
async fn dust_deposits_and_full_withdrawals_repeated_extract_nothing() {
    let mut s = uneven_pool().await;
    let attacker = s.w.m.new_actor(&mut s.w.bank, 1_000 * USDC).await.unwrap();
    let start = balance(&mut s.w.bank, attacker.quote).await;
    let value0 = share_value(&mut s.w).await;
    let (mut accepted, mut too_small) = (0, 0);
    // odd sizes around the share price, each deposited then withdrawn in full
    let sizes = [1u64, 2, 3, 5, 7, 11, 999, 1_001, 999_999, 1_000_003];
    for round in 0..200 {
        let amount = sizes[round % sizes.len()];
        match s.w.m.deposit(&mut s.w.bank, &attacker, amount, 0).await {
            Ok(()) => accepted += 1,
            Err(e) => {
                // too small to mint one share: refused, nothing moved
                assert_eq!(e.code(), Some(code(OptionsError::DepositTooSmall)), "{e}");
                too_small += 1;
                continue;
            }
        }
        let shares = balance(&mut s.w.bank, attacker.lp).await;
        if let Err(e) = s.w.m.withdraw(&mut s.w.bank, &attacker, shares, 0).await {
            // worth less than one quote unit: it stays in the pool
            assert_eq!(e.code(), Some(code(OptionsError::ZeroAmount)), "{e}");
        }
    }
    let end = balance(&mut s.w.bank, attacker.quote).await;
    let left_in_lp = balance(&mut s.w.bank, attacker.lp).await;
    let extracted = end as i128 - start as i128;
    println!(
        "rounding, 200 dust deposit+withdraw rounds ({accepted} accepted, {too_small} too small): attacker extracted {extracted} quote base units ({:.6} USDC), {left_in_lp} LP units left",
        usdc(extracted)
    );
    assert!(extracted <= 0, "the attacker gained {extracted}");
    assert!(at_least(share_value(&mut s.w).await, value0), "the other LPs' share value fell");
    check_books(&mut s.w, &[s.call]).await;
}

#[tokio::test]
async fn withdrawing_in_many_tiny_pieces_pays_no_more_than_one_withdrawal() {
    let mut s = uneven_pool().await;
    let attacker = s.w.m.new_actor(&mut s.w.bank, 1_000 * USDC).await.unwrap();
    s.w.m.deposit(&mut s.w.bank, &attacker, 1_000 * USDC, 0).await.unwrap();
    let shares = balance(&mut s.w.bank, attacker.lp).await;
    let at_once = expected_withdrawal(&mut s.w, shares).await;
    let value0 = share_value(&mut s.w).await;
    let q0 = balance(&mut s.w.bank, attacker.quote).await;
    let mut zero = 0;
    for i in 0..300u64 {
        let piece = 1 + i % 3; // 1..3 share units: each worth about one quote unit
        match s.w.m.withdraw(&mut s.w.bank, &attacker, piece, 0).await {
            Ok(()) => {}
            Err(e) => {
                assert_eq!(e.code(), Some(code(OptionsError::ZeroAmount)), "{e}");
                zero += 1;
            }
        }
    }
    let rest = balance(&mut s.w.bank, attacker.lp).await;
    s.w.m.withdraw(&mut s.w.bank, &attacker, rest, 0).await.unwrap();
    let got = balance(&mut s.w.bank, attacker.quote).await - q0;
    let extracted = got as i128 - at_once as i128;
    println!(
        "rounding, 300 withdrawals of 1-3 LP units then the rest ({zero} refused as worth zero): {got} vs {at_once} in one go, extracted {extracted} quote base units"
    );
    assert!(extracted <= 0, "piecewise withdrawal paid {extracted} more than one withdrawal");
    assert!(at_least(share_value(&mut s.w).await, value0), "the other LPs' share value fell");
    check_books(&mut s.w, &[s.call]).await;
}

/// Round trips of the smallest trades: with the pool's fees, and with every
/// fee and the IV move switched off so only the rounding is left.
#[tokio::test]
async fn tiny_buy_sell_round_trips_extract_nothing_even_without_fees() {
    for fees_off in [false, true] {
        let mut s = uneven_pool().await;
        if fees_off {
            let mut p = s.w.m.pool(&mut s.w.bank).await.unwrap().params;
            p.fees.option_price_fee_bps = 0;
            p.fees.spot_price_fee_bps = 0;
            p.fees.vega_fee_coef = 0;
            p.fees.min_fee = 0;
            p.vol.standard_size = u64::MAX; // the IV does not move
            s.w.m.change_params(&mut s.w.bank, p).await.unwrap();
        }
        let mut attacker = s.w.m.new_actor(&mut s.w.bank, 1_000 * USDC).await.unwrap();
        let start = balance(&mut s.w.bank, attacker.quote).await;
        let value0 = share_value(&mut s.w).await;
        let sizes = [1u64, 2, 7, 999, 1_000_001, 123_456_789];
        let mut rounds = 0;
        for i in 0..120 {
            let c = sizes[i % sizes.len()];
            s.w.m.buy(&mut s.w.bank, &mut attacker, &s.call, c, u64::MAX).await.unwrap();
            s.w.m.sell(&mut s.w.bank, &mut attacker, &s.call, c, 0).await.unwrap();
            rounds += 1;
        }
        let extracted = balance(&mut s.w.bank, attacker.quote).await as i128 - start as i128;
        println!(
            "rounding, {rounds} buy+sell round trips of 1..123456789 contract units, fees {}: attacker extracted {extracted} quote base units ({:.6} USDC)",
            if fees_off { "off (rounding only)" } else { "on" },
            usdc(extracted)
        );
        assert!(extracted <= 0, "fees off = {fees_off}: the attacker gained {extracted}");
        assert!(at_least(share_value(&mut s.w).await, value0), "fees off = {fees_off}: the LPs' share value fell");
        check_books(&mut s.w, &[s.call]).await;
    }
}

#[tokio::test]
async fn redeeming_in_dust_pieces_pays_no_more_than_redeeming_at_once() {
    let mut w = world().await;
    let expiry = T0 + 3 * DAY;
    let put = w.m.list_series(&mut w.bank, 150 * USDC, expiry, Kind::Put).await.unwrap();
    let mut a = w.m.new_actor(&mut w.bank, 10_000 * USDC).await.unwrap();
    let mut b = w.m.new_actor(&mut w.bank, 10_000 * USDC).await.unwrap();
    let held = 3 * SOL + 333_333_333;
    w.m.buy(&mut w.bank, &mut a, &put, held, u64::MAX).await.unwrap();
    w.m.buy(&mut w.bank, &mut b, &put, held, u64::MAX).await.unwrap();
    w.bank.set_time(expiry + 5);
    w.m.post_price(&mut w.bank, 143_21987654); // a payoff with many decimals
    w.m.settle(&mut w.bank, &put).await.unwrap();
    let reserved = w.m.pool(&mut w.bank).await.unwrap().reserved_payouts;

    let (qa, qb) = (balance(&mut w.bank, a.quote).await, balance(&mut w.bank, b.quote).await);
    let mut pieces = 0;
    let mut left = held;
    for i in 0..250u64 {
        let c = [1u64, 17, 142, 999_999][(i % 4) as usize].min(left);
        w.m.redeem(&mut w.bank, &mut a, &put, c).await.unwrap();
        left -= c;
        pieces += 1;
    }
    w.m.redeem(&mut w.bank, &mut a, &put, left).await.unwrap();
    w.m.redeem(&mut w.bank, &mut b, &put, held).await.unwrap();
    let got_a = balance(&mut w.bank, a.quote).await - qa;
    let got_b = balance(&mut w.bank, b.quote).await - qb;
    println!(
        "rounding, redemption: {} pieces paid {got_a}, one redemption paid {got_b} (extracted {}), reserve {reserved}",
        pieces + 1,
        got_a as i128 - got_b as i128
    );
    assert!(got_a <= got_b, "dust redemptions paid {got_a} > {got_b}");
    assert!(got_a + got_b <= reserved, "paid out more than was reserved");
    check_books(&mut w, &[put]).await;
    // the reserve's rounding dust goes back to the LPs when the series closes
    w.m.close_series(&mut w.bank, &put).await.unwrap();
    assert_eq!(w.m.pool(&mut w.bank).await.unwrap().reserved_payouts, 0);
}
