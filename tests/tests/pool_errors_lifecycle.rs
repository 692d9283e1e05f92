//! The options program's refusals, part 3: a series' life — listing it,
//! settling it, redeeming and closing it — and LP withdrawals the pool
//! cannot pay now (past solvency, or past the quote in the vault while the
//! hedge holds the rest). Each case expects its exact error code and proves
//! the refused transaction changed nothing.
#[macro_use]
mod common;

use options_amm::constants::MAX_SERIES_LIFETIME_S;

use anchor_lang::prelude::Pubkey;
use common::*;
use oamm_sdk::ix::{self, data};
use oamm_sdk::market::{Actor, Market, MarketConfig};
use oamm_sdk::pda::SeriesKeys;
use oamm_sdk::pyth::PriceObservation;
use options_amm::constants::{MAX_BOARDS, MAX_LIVE_SERIES};
use options_amm::error::OptionsError;
use options_amm::manager::nav::Balances;
use options_amm::manager::solvency::{headroom, max_quote_out, positions};
use options_amm::manager::{lp, settlement};
use options_amm::state::{Kind, SeriesState};
use options_math::units::Rounding;
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use solana_sdk::signature::Signer;

const EXPIRY: i64 = T0 + 7 * DAY;

/// An update published at `publish_time` whose predecessor was published at `prev`.
fn update(w: &World, price_e8: i64, publish_time: i64, prev: i64) -> PriceObservation {
    with(PriceObservation::new(w.m.feed_id, price_e8, publish_time), |u| u.prev_publish_time = prev)
}

// ------------------------------------------------------------- withdrawals

/// What the program will let leave now and the LP units that pay at most
/// that: the same plain functions the handler runs, on copied state.
async fn can_leave(w: &mut World) -> (u64, u64, u64) {
    let (pool, cache, seen) = observed(w).await;
    let s = seen.spot;
    let now = w.bank.now();
    let r = &pool.params.risk;
    let positions = positions(&cache, now, r);
    let room =
        headroom(Balances::of(&pool), s, r.max_move_bps, r.solvency_reserve_bps, &positions, pool.decimals()).unwrap();
    let solvent_max = max_quote_out(room, r.solvency_reserve_bps);
    let cash = pool.quote_balance - pool.reserved_payouts;
    let nav = expected_nav(w, Rounding::Down).await;
    let supply = w.bank.mint_supply(&w.m.keys.lp_mint).await.unwrap();
    let n = solvent_max.min(cash);
    (n, lp::shares_for_quote(n, nav, supply), solvent_max)
}

#[tokio::test]
async fn a_withdrawal_past_solvency_is_refused_with_the_amount_that_can_leave_and_that_amount_can() {
    // 10,000 USDC behind 100 short 150 calls: at +30% they owe 4,500
    let mut w = world_with(MarketConfig::default(), 10_000 * USDC).await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 100 * SOL, u64::MAX).await.unwrap();
    let all_lp = balance(&mut w.bank, w.lp.lp).await;
    let (n, m, solvent_max) = can_leave(&mut w).await;
    assert!(
        solvent_max < w.m.pool(&mut w.bank).await.unwrap().quote_balance,
        "solvency, not the vault, is the limit here"
    );
    assert!(expected_withdrawal(&mut w, all_lp).await > n);

    let mine = vec![call.series, t.quote];
    let all = watch(&w, &mine);
    refused!(
        w.bank,
        all.clone(),
        code(OptionsError::WithdrawalExceedsSolvency),
        w.m.withdraw(&mut w.bank, &w.lp, all_lp, 0).await
    );

    // the fewest LP units that would pay more than N are refused...
    let mut over = m;
    while expected_withdrawal(&mut w, over).await <= n {
        over += 1;
    }
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::WithdrawalExceedsSolvency),
        w.m.withdraw(&mut w.bank, &w.lp, over, 0).await
    );
    // ...and M, the LP units the refusal names, goes through paying at most N
    let pay = expected_withdrawal(&mut w, m).await;
    assert!(pay <= n && pay > 0);
    let q0 = balance(&mut w.bank, w.lp.quote).await;
    w.m.withdraw(&mut w.bank, &w.lp, m, pay).await.unwrap();
    assert_eq!(balance(&mut w.bank, w.lp.quote).await - q0, pay);
    assert!(can_leave(&mut w).await.2 < USDC, "the pool is now at its solvency limit");
    check_books(&mut w, &[call]).await;
}

/// 10,000 USDC behind 50 short 150 calls, hedged: the rebalance turned
/// about 4,000 USDC of the vault into underlying.
async fn hedged_pool() -> (World, SeriesKeys, Actor, Actor) {
    let mut w = world_with(MarketConfig::default(), 10_000 * USDC).await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 50 * SOL, u64::MAX).await.unwrap();
    let keeper = w.m.new_actor(&mut w.bank, 0).await.unwrap();
    w.m.rebalance(&mut w.bank, &keeper).await.unwrap();
    assert!(w.m.pool(&mut w.bank).await.unwrap().hedge_balance > 20 * SOL);
    (w, call, t, keeper)
}

#[tokio::test]
async fn a_solvent_withdrawal_larger_than_the_quote_in_the_vault_is_insufficient_quote() {
    let (mut w, call, t, keeper) = hedged_pool().await;
    let all_lp = balance(&mut w.bank, w.lp.lp).await;
    let (n, m, solvent_max) = can_leave(&mut w).await;
    let pool = w.m.pool(&mut w.bank).await.unwrap();
    assert_eq!(n, pool.quote_balance, "the vault, not solvency, is the limit here");
    assert!(solvent_max > n);

    let mine = vec![call.series, t.quote, keeper.quote];
    let all = watch(&w, &mine);
    refused!(
        w.bank,
        all,
        code(OptionsError::InsufficientQuoteInVault),
        w.m.withdraw(&mut w.bank, &w.lp, all_lp, 0).await
    );

    let pay = expected_withdrawal(&mut w, m).await;
    assert!(pay <= n && pay > 0);
    let q0 = balance(&mut w.bank, w.lp.quote).await;
    w.m.withdraw(&mut w.bank, &w.lp, m, pay).await.unwrap();
    assert_eq!(balance(&mut w.bank, w.lp.quote).await - q0, pay);
    check_books(&mut w, &[call]).await;
}

#[tokio::test]
async fn redemptions_and_sales_the_vault_cannot_pay_wait_for_the_rebalance_that_sells_the_hedge() {
    let (mut w, call, mut t, keeper) = hedged_pool().await;
    // a later call the trader holds and will sell back after the rally
    let later = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY + 7 * DAY, Kind::Call).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &later, 5 * SOL, u64::MAX).await.unwrap();
    // a rally to 300 by expiry: 50 x 150 USDC owed, more than the vault holds
    w.bank.set_time(EXPIRY + 30);
    w.m.post_price(&mut w.bank, 300_00000000);
    w.m.settle(&mut w.bank, &call).await.unwrap();
    let pool = w.m.pool(&mut w.bank).await.unwrap();
    let series = w.m.series(&mut w.bank, &call).await.unwrap();
    let payout = settlement::redemption(series.payoff_per_contract(), 50 * SOL, pool.decimals()).unwrap();
    assert_eq!(payout, 7_500 * USDC);
    assert!(payout > pool.quote_balance, "vault {} < payout {payout}", pool.quote_balance);

    let mut mine = wallet(&mut w, &mut t, &[call, later]).await;
    mine.push(keeper.quote);
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::InsufficientQuoteInVault),
        w.m.redeem(&mut w.bank, &mut t, &call, 50 * SOL).await
    );
    // all the quote left is owed to settled holders: none of it can buy options back
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::InsufficientQuoteInVault),
        w.m.sell(&mut w.bank, &mut t, &later, 5 * SOL, 0).await
    );

    // arbitrage brings the venue to the oracle; the rebalance sells the hedge into quote
    let arb = w.m.new_actor(&mut w.bank, 0).await.unwrap();
    w.m.align_venue(&mut w.bank, &arb).await.unwrap();
    w.m.rebalance(&mut w.bank, &keeper).await.unwrap();
    let q0 = balance(&mut w.bank, t.quote).await;
    w.m.redeem(&mut w.bank, &mut t, &call, 50 * SOL).await.unwrap();
    assert_eq!(balance(&mut w.bank, t.quote).await - q0, payout);
    w.m.sell(&mut w.bank, &mut t, &later, 5 * SOL, 0).await.unwrap();
    check_books(&mut w, &[call, later]).await;
}

/// The refusal's log line, as the handler formats it.
fn limit_line(n: u64, m: u64) -> String {
    format!("At most {n} quote base units ({m} LP base units) can be withdrawn now")
}

const CHILD: &str = "POOL_ERRORS_LOG_CHILD";

/// Child half of the test below: both refusals, each followed by the line
/// the handler must have logged just before it.
async fn refusals_with_their_expected_lines() {
    let mut w = world_with(MarketConfig::default(), 10_000 * USDC).await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 100 * SOL, u64::MAX).await.unwrap();
    let (n, m, _) = can_leave(&mut w).await;
    let all_lp = balance(&mut w.bank, w.lp.lp).await;
    let r = w.m.withdraw(&mut w.bank, &w.lp, all_lp, 0).await;
    print_program_logs(&r);
    expect_err(r, OptionsError::WithdrawalExceedsSolvency);
    println!("EXPECTED solvency: {}", limit_line(n, m));

    let (mut w, ..) = hedged_pool().await;
    let (n, m, _) = can_leave(&mut w).await;
    let all_lp = balance(&mut w.bank, w.lp.lp).await;
    let r = w.m.withdraw(&mut w.bank, &w.lp, all_lp, 0).await;
    print_program_logs(&r);
    expect_err(r, OptionsError::InsufficientQuoteInVault);
    println!("EXPECTED vault: {}", limit_line(n, m));
}

/// On the SBF builds `msg!` lands in the transaction's log messages (as on a
/// cluster), not on stdout: print those lines so the parent finds them in
/// the same place either way.
fn print_program_logs(r: &oamm_sdk::bank::BankResult<()>) {
    if let Err(e) = r {
        for line in e.logs().iter().filter_map(|l| l.strip_prefix("Program log: ")) {
            println!("{line}");
        }
    }
}

/// Natively a program's `msg!` never reaches the transaction's log
/// messages: solana-msg's `sol_log` prints to stdout. So the test
/// runs its scenario in a child process of this very test binary and reads
/// the child's stdout, where the handler's line must precede each refusal.
#[tokio::test]
async fn a_refused_withdrawal_logs_exactly_how_much_can_leave_now() {
    if std::env::var_os(CHILD).is_some() {
        return refusals_with_their_expected_lines().await;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "a_refused_withdrawal_logs_exactly_how_much_can_leave_now",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "child failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    for tag in ["EXPECTED solvency: ", "EXPECTED vault: "] {
        let at = lines.iter().position(|l| l.starts_with(tag)).unwrap_or_else(|| panic!("no {tag:?} in:\n{stdout}"));
        let expected = &lines[at][tag.len()..];
        let logged = lines[..at]
            .iter()
            .rev()
            .find(|l| l.starts_with("At most "))
            .unwrap_or_else(|| panic!("nothing logged before {tag:?}:\n{stdout}"));
        assert_eq!(*logged, expected, "{tag}");
    }
}

// -------------------------------------------------------------- settlement

#[tokio::test]
async fn settlement_needs_expiry_and_the_first_fully_trusted_update_after_it_inside_the_window() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let put = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Put).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 2 * SOL, u64::MAX).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &put, 2 * SOL, u64::MAX).await.unwrap();
    let window = w.m.pool(&mut w.bank).await.unwrap().params.oracle.settlement_window_s as i64;
    let mut mine = wallet(&mut w, &mut t, &[call, put]).await;
    mine.push(w.m.oracle);
    let p = 160_00000000;

    w.bank.set_time(EXPIRY - 1);
    w.m.post_price(&mut w.bank, p);
    refused!(w.bank, watch(&w, &mine), code(OptionsError::SeriesNotExpired), w.m.settle(&mut w.bank, &call).await);

    w.bank.set_time(EXPIRY + window + 60);
    let refusals = [
        (
            "published a second before expiry",
            update(&w, p, EXPIRY - 1, EXPIRY - 2),
            OptionsError::SettlementPriceBeforeExpiry,
        ),
        // a later tick of the window, picked for its price
        (
            "a later update than the first after expiry",
            update(&w, p, EXPIRY + 300, EXPIRY + 299),
            OptionsError::SettlementPriceNotFirstAfterExpiry,
        ),
        (
            "the first after expiry, but past the window",
            update(&w, p, EXPIRY + window + 1, EXPIRY - 1),
            OptionsError::SettlementPriceOutsideWindow,
        ),
        (
            "another feed",
            with(update(&w, p, EXPIRY, EXPIRY - 1), |u| u.feed_id = [0x42; 32]),
            OptionsError::OracleFeedMismatch,
        ),
        (
            "partially verified",
            with(update(&w, p, EXPIRY, EXPIRY - 1), |u| {
                u.verification = VerificationLevel::Partial { num_signatures: 5 }
            }),
            OptionsError::OracleNotFullyVerified,
        ),
        (
            "confidence 5%",
            with(update(&w, p, EXPIRY, EXPIRY - 1), |u| u.conf = p as u64 / 20),
            OptionsError::OracleConfidenceTooWide,
        ),
        (
            "a zero price",
            with(update(&w, p, EXPIRY, EXPIRY - 1), |u| {
                u.price = 0;
                u.conf = 0;
            }),
            OptionsError::OracleNonPositivePrice,
        ),
    ];
    for (what, u, expected) in refusals {
        eprintln!("settle with an update {what}");
        w.m.post_observation(&mut w.bank, &u);
        refused!(w.bank, watch(&w, &mine), code(expected), w.m.settle(&mut w.bank, &call).await);
    }

    // both ends of the window are inside it; the price's age does not matter here
    let first = update(&w, p, EXPIRY, EXPIRY - 1);
    w.m.post_observation(&mut w.bank, &first);
    w.m.settle(&mut w.bank, &put).await.unwrap();
    let last = update(&w, p, EXPIRY + window, EXPIRY - 1);
    w.m.post_observation(&mut w.bank, &last);
    w.m.settle(&mut w.bank, &call).await.unwrap();
    let s = w.m.series(&mut w.bank, &call).await.unwrap();
    assert_eq!((s.state, s.payout_remaining), (SeriesState::Settled, 20 * USDC));
    refused!(w.bank, watch(&w, &mine), code(OptionsError::SeriesAlreadySettled), w.m.settle(&mut w.bank, &call).await);
    check_books(&mut w, &[call, put]).await;
}

#[tokio::test]
async fn a_settled_series_cannot_be_traded() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 2 * SOL, u64::MAX).await.unwrap();
    w.bank.set_time(EXPIRY + 30);
    w.m.post_price(&mut w.bank, 150_00000000);
    w.m.settle(&mut w.bank, &call).await.unwrap();
    let mine = wallet(&mut w, &mut t, &[call]).await;
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::SeriesNotLive),
        w.m.buy(&mut w.bank, &mut t, &call, SOL, u64::MAX).await
    );
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::SeriesNotLive),
        w.m.sell(&mut w.bank, &mut t, &call, SOL, 0).await
    );
    check_books(&mut w, &[call]).await;
}

// ------------------------------------------------------ redeem and close

#[tokio::test]
async fn redemption_needs_a_settled_series_a_real_amount_and_the_holders_own_accounts() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let call160 = w.m.list_series(&mut w.bank, 160 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 2 * SOL, u64::MAX).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call160, SOL, u64::MAX).await.unwrap();
    let mut mine = wallet(&mut w, &mut t, &[call, call160]).await;
    let options = w.m.option_account(&mut w.bank, &mut t, &call).await.unwrap();
    let options160 = w.m.option_account(&mut w.bank, &mut t, &call160).await.unwrap();

    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::SeriesNotSettled),
        w.m.redeem(&mut w.bank, &mut t, &call, SOL).await
    );
    // expired is not settled
    w.bank.set_time(EXPIRY + 30);
    w.m.post_price(&mut w.bank, 170_00000000);
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::SeriesNotSettled),
        w.m.redeem(&mut w.bank, &mut t, &call, SOL).await
    );
    w.m.settle(&mut w.bank, &call).await.unwrap();
    w.m.settle(&mut w.bank, &call160).await.unwrap();

    refused!(w.bank, watch(&w, &mine), code(OptionsError::ZeroAmount), w.m.redeem(&mut w.bank, &mut t, &call, 0).await);
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::InsufficientFunds),
        w.m.redeem(&mut w.bank, &mut t, &call, 2 * SOL + 1).await
    );
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::InsufficientFunds),
        w.m.redeem(&mut w.bank, &mut t, &call, u64::MAX).await
    );

    let other = Market::create(&mut w.bank, &MarketConfig::default()).await.unwrap();
    let other_call = other.list_series(&mut w.bank, 150 * USDC, EXPIRY + DAY, Kind::Call).await.unwrap();
    let thief = w.m.new_actor(&mut w.bank, 0).await.unwrap();
    mine.extend([other.keys.quote_vault, other_call.series, thief.quote]);
    let k = w.m.keys;
    let redeem = |holder: Pubkey| ix::redeem(holder, &k, &call, options, t.quote);
    let cases = [
        (
            "the other pool's quote vault",
            with(redeem(t.pubkey()), |a| a.quote_vault = other.keys.quote_vault),
            OptionsError::WrongQuoteVault,
            false,
        ),
        (
            "a series of the other pool",
            with(redeem(t.pubkey()), |a| a.series = other_call.series),
            OptionsError::WrongPool,
            false,
        ),
        // burn the cheap 160s, be paid as the 150s
        (
            "the 160 call's mint and tokens on the 150 call",
            with(redeem(t.pubkey()), |a| {
                a.option_mint = call160.option_mint;
                a.holder_options = options160;
            }),
            OptionsError::WrongOptionMint,
            false,
        ),
        (
            "payout into an underlying account",
            with(redeem(t.pubkey()), |a| a.holder_quote = t.underlying),
            OptionsError::WrongTokenMint,
            false,
        ),
        (
            "the holder's options, signed by a thief",
            with(redeem(thief.pubkey()), |a| a.holder_quote = thief.quote),
            OptionsError::WrongTokenOwner,
            true,
        ),
    ];
    for (what, acc, expected, by_thief) in cases {
        eprintln!("redeem with {what}");
        let signer = if by_thief { &thief.key } else { &t.key };
        refused!(
            w.bank,
            watch(&w, &mine),
            code(expected),
            w.bank.process(&[ix::ix(acc, data::Redeem { contracts: SOL })], &[signer]).await
        );
    }

    let q0 = balance(&mut w.bank, t.quote).await;
    w.m.redeem(&mut w.bank, &mut t, &call, 2 * SOL).await.unwrap();
    assert_eq!(balance(&mut w.bank, t.quote).await - q0, 40 * USDC);
    check_books(&mut w, &[call, call160]).await;
}

#[tokio::test]
async fn a_series_closes_only_settled_and_fully_redeemed_and_only_to_the_admin() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 2 * SOL, u64::MAX).await.unwrap();
    let stranger = w.bank.funded_keypair(1).await.unwrap();
    let mut mine = wallet(&mut w, &mut t, &[call]).await;
    mine.extend([w.m.admin.pubkey(), stranger.pubkey()]);

    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::SeriesNotSettled),
        w.m.close_series(&mut w.bank, &call).await
    );
    w.bank.set_time(EXPIRY + 30);
    w.m.post_price(&mut w.bank, 155_00000000);
    w.m.settle(&mut w.bank, &call).await.unwrap();
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::SeriesHasOpenInterest),
        w.m.close_series(&mut w.bank, &call).await
    );
    w.m.redeem(&mut w.bank, &mut t, &call, SOL).await.unwrap();
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::SeriesHasOpenInterest),
        w.m.close_series(&mut w.bank, &call).await
    );
    w.m.redeem(&mut w.bank, &mut t, &call, SOL).await.unwrap();

    // close is permissionless, so the rent's destination is the only thing to steal
    let steal = ix::ix(ix::close_series(&w.m.keys, &call, stranger.pubkey()), data::CloseSeries {});
    refused!(w.bank, watch(&w, &mine), code(OptionsError::Unauthorized), w.bank.process(&[steal], &[]).await);
    let other = Market::create(&mut w.bank, &MarketConfig::default()).await.unwrap();
    let other_call = other.list_series(&mut w.bank, 150 * USDC, EXPIRY + DAY, Kind::Call).await.unwrap();
    mine.push(other_call.series);
    let cross = ix::ix(ix::close_series(&w.m.keys, &other_call, w.m.admin.pubkey()), data::CloseSeries {});
    refused!(w.bank, watch(&w, &mine), code(OptionsError::WrongPool), w.bank.process(&[cross], &[]).await);

    w.m.close_series(&mut w.bank, &call).await.unwrap();
    assert!(w.bank.account(&call.series).await.unwrap().is_none());
    check_books(&mut w, &[call]).await;
}

// ----------------------------------------------------------- create_series

#[tokio::test]
async fn create_series_refuses_expiries_inside_the_cutoff_or_past_five_years_and_invalid_strikes() {
    let mut w = world().await;
    let now = w.bank.now();
    let cutoff = w.m.pool(&mut w.bank).await.unwrap().params.risk.trading_cutoff_s as i64;
    let list =
        |strike: u64, expiry: i64| (strike, expiry, SeriesKeys::derive(&w.m.keys.pool, expiry, strike, Kind::Call));
    let cases = [
        ("expiring exactly at now + cut-off", list(150 * USDC, now + cutoff), OptionsError::ExpiryTooSoon),
        ("already expired", list(150 * USDC, now - 1), OptionsError::ExpiryTooSoon),
        // a series the pricer could not value would stop every instruction
        // that reprices the pool (regression: one 100 years out bricked it)
        (
            "one second past the 5-year lifetime",
            list(150 * USDC, now + MAX_SERIES_LIFETIME_S + 1),
            OptionsError::ExpiryTooFar,
        ),
        ("101 years out", list(150 * USDC, now + 101 * 365 * DAY), OptionsError::ExpiryTooFar),
        ("strike 0", list(0, EXPIRY), OptionsError::InvalidStrike),
        // options-math prices strikes up to 2^40 quote units
        ("strike one base unit above 2^40 USDC", list((1u64 << 40) * USDC + 1, EXPIRY), OptionsError::InvalidStrike),
        ("strike u64::MAX", list(u64::MAX, EXPIRY), OptionsError::InvalidStrike),
    ];
    for (what, (strike, expiry, s), expected) in cases {
        eprintln!("list a series {what}");
        refused!(
            w.bank,
            watch(&w, &[s.series, s.option_mint]),
            code(expected),
            w.m.list_series(&mut w.bank, strike, expiry, Kind::Call).await.map(|_| ())
        );
    }
    // the edges themselves
    w.m.list_series(&mut w.bank, 150 * USDC, now + cutoff + 1, Kind::Call).await.unwrap();
    w.m.list_series(&mut w.bank, 150 * USDC, now + MAX_SERIES_LIFETIME_S, Kind::Call).await.unwrap();
    // and a 5-year series does not stop the pool: it prices, the pool refreshes
    w.m.refresh(&mut w.bank).await.unwrap();
    w.m.list_series(&mut w.bank, (1u64 << 40) * USDC, EXPIRY, Kind::Call).await.unwrap();
}

#[tokio::test]
async fn listing_the_same_series_twice_is_refused_and_the_first_survives() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 2 * SOL, u64::MAX).await.unwrap();
    let all = watch(&w, &[call.series, call.option_mint]);
    let before = snapshot(&mut w.bank, &all).await;
    // the series PDA already holds a series: creation refuses it by name
    expect_err(
        w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.map(|_| ()),
        OptionsError::AccountAlreadyExists,
    );
    assert_unchanged(&mut w.bank, &all, &before).await;
    assert_eq!(w.m.series(&mut w.bank, &call).await.unwrap().open_interest, 2 * SOL);
}

#[tokio::test]
async fn the_live_series_cap_is_enforced_and_reached_before_the_cache_can_fill() {
    let mut w = world().await;
    let mut params = w.m.pool(&mut w.bank).await.unwrap().params;
    params.risk.max_live_series = 2;
    w.m.update_params(&mut w.bank, params.clone()).await.unwrap();
    w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Put).await.unwrap();
    let s = SeriesKeys::derive(&w.m.keys.pool, EXPIRY, 160 * USDC, Kind::Call);
    refused!(
        w.bank,
        watch(&w, &[s.series, s.option_mint]),
        code(OptionsError::TooManyLiveSeries),
        w.m.list_series(&mut w.bank, 160 * USDC, EXPIRY, Kind::Call).await.map(|_| ())
    );

    // at the largest cap allowed (MAX_LIVE_SERIES, below the cache's 32
    // slots: the compute budget binds first) the cap stops the next series,
    // and a cap above it is refused
    let mut above = params.clone();
    above.risk.max_live_series = MAX_LIVE_SERIES + 1;
    refused!(
        w.bank,
        watch(&w, &[]),
        code(OptionsError::InvalidRiskParams),
        w.m.update_params(&mut w.bank, above).await
    );
    params.risk.max_live_series = MAX_LIVE_SERIES;
    w.m.update_params(&mut w.bank, params).await.unwrap();
    let mut listed = 2;
    'fill: for day in 1..=MAX_BOARDS as i64 {
        for strike in [140, 150, 160] {
            if listed == MAX_LIVE_SERIES as usize {
                break 'fill;
            }
            if day == 7 && strike == 150 {
                continue; // listed above
            }
            w.m.list_series(&mut w.bank, strike * USDC, T0 + day * DAY, Kind::Call).await.unwrap();
            listed += 1;
        }
    }
    assert_eq!(w.m.cache(&mut w.bank).await.unwrap().live_count(), MAX_LIVE_SERIES as usize);
    let s = SeriesKeys::derive(&w.m.keys.pool, EXPIRY, 170 * USDC, Kind::Call);
    refused!(
        w.bank,
        watch(&w, &[s.series, s.option_mint]),
        code(OptionsError::TooManyLiveSeries),
        w.m.list_series(&mut w.bank, 170 * USDC, EXPIRY, Kind::Call).await.map(|_| ())
    );
}

#[tokio::test]
async fn a_seventeenth_distinct_expiry_is_refused() {
    let mut w = world().await;
    let mut params = w.m.pool(&mut w.bank).await.unwrap().params;
    params.risk.max_live_series = MAX_LIVE_SERIES;
    w.m.update_params(&mut w.bank, params).await.unwrap();
    for day in 1..=MAX_BOARDS as i64 {
        w.m.list_series(&mut w.bank, 150 * USDC, T0 + day * DAY, Kind::Call).await.unwrap();
    }
    let late = T0 + (MAX_BOARDS as i64 + 1) * DAY;
    let s = SeriesKeys::derive(&w.m.keys.pool, late, 150 * USDC, Kind::Call);
    refused!(
        w.bank,
        watch(&w, &[s.series, s.option_mint]),
        code(OptionsError::TooManyExpiries),
        w.m.list_series(&mut w.bank, 150 * USDC, late, Kind::Call).await.map(|_| ())
    );
    // an existing expiry still takes new strikes
    w.m.list_series(&mut w.bank, 160 * USDC, T0 + DAY, Kind::Call).await.unwrap();
}
