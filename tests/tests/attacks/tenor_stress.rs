//! The solvency stress and long-dated, high-vol series (issue 12, attack
//! 5). With one flat +-30% stress for every expiry, a one-year 80%-vol ATM
//! call used about 0.7 USDC of headroom, so a 500k pool could write about
//! 690k of them and a doubling of spot would lose ~534k. The stress now
//! moves each series by max(max_move, 2 sigma (1 + 25%) sqrt(tau)): the
//! pool stops writing where it could still pay a 2-sigma year.
use super::support::*;
use crate::common::*;
use options_amm::error::OptionsError;
use options_amm::state::Kind;

#[tokio::test]
async fn a_pool_cannot_write_more_long_dated_calls_than_it_could_pay_after_a_doubling() {
    let mut w = world().await;
    // trades do not move the IV here: the solvency check, not the delta
    // band, is what stops the buyer
    let mut params = w.m.pool(&mut w.bank).await.unwrap().params;
    params.vol.standard_size = u64::MAX;
    w.m.change_params(&mut w.bank, params).await.unwrap();
    let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 365 * DAY, Kind::Call).await.unwrap();
    let mut buyer = w.m.new_actor(&mut w.bank, 50_000_000 * USDC).await.unwrap();
    let start = balance(&mut w.bank, buyer.quote).await;
    let (mut written, mut clip) = (0u64, 100 * SOL);
    while clip >= SOL {
        match w.m.buy(&mut w.bank, &mut buyer, &call, clip, u64::MAX).await {
            Ok(()) => written += clip,
            Err(e) => {
                assert_eq!(e.code(), Some(code(OptionsError::SolvencyCheckFailed)), "{e}");
                clip /= 2;
            }
        }
    }
    let paid = start - balance(&mut w.bank, buyer.quote).await;
    let pool = w.m.pool(&mut w.bank).await.unwrap();
    // spot doubles to 300 by expiry: each call pays 150
    let owed = written as i128 / SOL as i128 * 150 * USDC as i128;
    let assets = pool.quote_balance as i128 + pool.hedge_balance as i128 * 300 * USDC as i128 / SOL as i128;
    let buyer_pnl = owed - paid as i128;
    println!(
        "1-year 150 calls at 80% IV on a 500k pool: {} written for {:.0} USDC; at 300 the pool owes {:.0} against {:.0} of assets; buyer P&L {:+.0} USDC",
        written / SOL,
        usdc(paid as i128),
        usdc(owed),
        usdc(assets),
        usdc(buyer_pnl)
    );
    assert!(written > 0, "some long-dated calls can be written");
    assert!(assets >= owed, "the pool pays a doubling in full");
}
