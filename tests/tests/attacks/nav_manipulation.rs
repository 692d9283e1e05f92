//! NAV manipulation through the volatility surface: trades move the
//! surface the pool quotes at; they must not move the value LPs enter and
//! leave at.
use super::support::*;
use crate::common::*;
use oamm_sdk::ix::{self, data};
use options_amm::state::Kind;

/// Found by this suite: when the pool marked its book at the trading
/// surface, a trade moved NAV by itself, so buying to lift IV, depositing at
/// the low NAV, selling back and withdrawing took +7,700 USDC from the LPs
/// at one clock tick and one oracle price. The book is now marked at a mark
/// IV no trade moves within the second: the attacker must end with no more
/// than it started with.
#[tokio::test]
async fn buying_to_lift_iv_around_a_deposit_does_not_extract_lp_value() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * DAY, Kind::Call).await.unwrap();
    // the pool's existing book on this board: 1,000 calls other traders bought
    let mut others = w.m.new_actor(&mut w.bank, 1_000_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut others, &call, 1_000 * SOL, u64::MAX).await.unwrap();

    let mut attacker = w.m.new_actor(&mut w.bank, 6_000_000 * USDC).await.unwrap();
    let options = w.m.option_account(&mut w.bank, &mut attacker, &call).await.unwrap();
    let start = balance(&mut w.bank, attacker.quote).await;
    let (n, d) = (200 * SOL, 5_000_000 * USDC);
    let trade = ix::trade(attacker.pubkey(), &w.m.keys, &call, w.m.oracle, attacker.quote, options);
    let deposit = ix::deposit(attacker.pubkey(), &w.m.keys, w.m.oracle, attacker.quote, attacker.lp);
    // one transaction: buy (IV up, NAV down), deposit at the low NAV, sell (IV back down)
    w.bank
        .process(
            &[
                ix::ix(trade, data::Buy { contracts: n, max_total_cost: u64::MAX }),
                ix::ix(deposit, data::Deposit { quote_amount: d, min_lp_out: 0 }),
                ix::ix(trade, data::Sell { contracts: n, min_total_proceeds: 0 }),
            ],
            &[&attacker.key],
        )
        .await
        .unwrap();
    // same second, same oracle price: withdraw everything
    let lp = balance(&mut w.bank, attacker.lp).await;
    w.m.withdraw(&mut w.bank, &attacker, lp, 0).await.unwrap();
    let pnl = balance(&mut w.bank, attacker.quote).await as i128 - start as i128;
    println!("vol-surface NAV sandwich: attacker P&L {:.2} USDC", usdc(pnl));
    assert!(pnl <= 0, "the attacker extracted {:.2} USDC from the LPs", usdc(pnl));
}
