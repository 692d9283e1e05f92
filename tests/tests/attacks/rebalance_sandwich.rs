//! Sandwiching the rebalance swap: an attacker moves the venue's price just
//! before the keeper's rebalance and moves it back just after. The swap's
//! bound comes from the ORACLE price and max_slippage_bps (150 here), never
//! from the venue, so the rebalance either reverts (SlippageExceeded, the
//! pool untouched) or pays at most the bound. Measured for front-runs of
//! growing size on both sides of the hedge; the table is printed.
use super::support::*;
use crate::common::*;
use oamm_sdk::market::Actor;
use options_amm::error::OptionsError;
use options_amm::manager::hedge::{HedgeSide, RebalancePlan};
use options_amm::state::Kind;
use options_math::units::Rounding;

async fn due_plan(w: &mut World) -> RebalancePlan {
    expected_plan(w).await.expect("a rebalance is due")
}

struct Outcome {
    reverted: bool,
    /// What the pool paid (buy) or gave up (sell) beyond the oracle's fair value, quote units.
    pool_loss: i128,
    /// The most the bound allowed it to lose, quote units.
    bound: i128,
    attacker_pnl: i128,
    fair: i128,
    /// Underlying the pool's swap moved (0 if it reverted).
    swapped: u64,
}

/// One sandwich: `front` base units of the attacker's trade in the venue's
/// direction that hurts the pool, the keeper's rebalance, the attacker's unwind.
async fn sandwich(side: HedgeSide, front_quote: u64, calls: u64) -> Outcome {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * DAY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 10_000_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, calls * SOL, u64::MAX).await.unwrap();
    let keeper: Actor = w.m.new_actor(&mut w.bank, 0).await.unwrap();
    if side == HedgeSide::SellUnderlying {
        // hedge first, then the calls come back: the pool must sell its hedge
        w.m.rebalance(&mut w.bank, &keeper).await.unwrap();
        w.m.sell(&mut w.bank, &mut t, &call, calls * SOL, 0).await.unwrap();
        w.bank.advance(60);
        w.m.post_price(&mut w.bank, 150_00000000);
    }
    let p = due_plan(&mut w).await;
    assert_eq!(p.side, side);
    let d = w.m.pool(&mut w.bank).await.unwrap().decimals();
    let fair = d.quote_value(spot(&w.m), p.underlying, Rounding::Down).unwrap() as i128;
    let bound = match side {
        HedgeSide::BuyUnderlying => p.quote_bound as i128 - fair,
        HedgeSide::SellUnderlying => fair - p.quote_bound as i128,
    };

    let attacker = w.m.new_actor(&mut w.bank, 0).await.unwrap();
    let price_e8 = w.m.spot_e8;
    let front_base = w.m.quote_for(SOL, price_e8); // quote per SOL, to size the base leg
    let front_base = (front_quote as u128 * SOL as u128 / front_base as u128) as u64;
    w.bank.mint_to(&w.m.keys.quote_mint, &w.m.mint_authority, &attacker.quote, front_quote).await.unwrap();
    w.bank.mint_to(&w.m.keys.underlying_mint, &w.m.mint_authority, &attacker.underlying, front_base).await.unwrap();
    let a0 = (balance(&mut w.bank, attacker.quote).await, balance(&mut w.bank, attacker.underlying).await);
    // front-run: push the venue against the pool
    if front_quote > 0 {
        match side {
            HedgeSide::BuyUnderlying => w.m.venue_swap(&mut w.bank, &attacker, front_quote, false).await.unwrap(),
            HedgeSide::SellUnderlying => w.m.venue_swap(&mut w.bank, &attacker, front_base, true).await.unwrap(),
        }
    }
    let (q0, h0) = (balance(&mut w.bank, w.m.keys.quote_vault).await, balance(&mut w.bank, w.m.keys.hedge_vault).await);
    let r = w.m.rebalance(&mut w.bank, &keeper).await;
    let (q1, h1) = (balance(&mut w.bank, w.m.keys.quote_vault).await, balance(&mut w.bank, w.m.keys.hedge_vault).await);
    let reward = balance(&mut w.bank, keeper.quote).await as i128;
    let reverted = match r {
        Ok(()) => false,
        Err(e) => {
            assert_eq!(e.code(), Some(code(OptionsError::SlippageExceeded)), "{e}");
            assert_eq!((q0, h0), (q1, h1), "a reverted rebalance moved nothing");
            true
        }
    };
    // back-run: undo the front-run trade with what the attacker now holds
    let held = (balance(&mut w.bank, attacker.quote).await, balance(&mut w.bank, attacker.underlying).await);
    match side {
        HedgeSide::BuyUnderlying if held.1 > a0.1 => {
            w.m.venue_swap(&mut w.bank, &attacker, held.1 - a0.1, true).await.unwrap()
        }
        HedgeSide::SellUnderlying if held.0 > a0.0 => {
            w.m.venue_swap(&mut w.bank, &attacker, held.0 - a0.0, false).await.unwrap()
        }
        _ => {}
    }
    let a1 = (balance(&mut w.bank, attacker.quote).await, balance(&mut w.bank, attacker.underlying).await);
    let attacker_pnl = (a1.0 as i128 - a0.0 as i128)
        + d.quote_value(spot(&w.m), a1.1.abs_diff(a0.1), Rounding::Down).unwrap() as i128
            * if a1.1 >= a0.1 { 1 } else { -1 };
    let pool_loss = if reverted {
        0
    } else {
        match side {
            HedgeSide::BuyUnderlying => {
                assert_eq!(h1 - h0, p.underlying);
                (q0 - q1) as i128 - reward - fair
            }
            HedgeSide::SellUnderlying => {
                assert_eq!(h0 - h1, p.underlying);
                fair - ((q1 as i128 + reward) - q0 as i128)
            }
        }
    };
    check_books(&mut w, &[call]).await;
    let swapped = if reverted { 0 } else { p.underlying };
    Outcome { reverted, pool_loss, bound, attacker_pnl, fair, swapped }
}

#[tokio::test]
async fn a_sandwiched_rebalance_reverts_or_loses_no_more_than_the_slippage_bound() {
    // front-runs of 0 to 100,000 USDC against a venue 3,000,000 USDC deep a side
    let sizes = [0u64, 5_000, 10_000, 15_000, 17_500, 20_000, 30_000, 100_000];
    let mut worst_bps = 0f64;
    for side in [HedgeSide::BuyUnderlying, HedgeSide::SellUnderlying] {
        println!("rebalance sandwich, pool {side:?}, bound 150 bps of the oracle value:");
        println!("  front-run USDC | rebalance | pool loss USDC (bps of fair) | bound USDC | attacker P&L USDC");
        let (mut executed, mut reverted) = (0, 0);
        for usd in sizes {
            let o = sandwich(side, usd * USDC, 40).await;
            let bps = o.pool_loss as f64 * 10_000.0 / o.fair as f64;
            println!(
                "  {usd:>14} | {:>9} | {:>12.2} ({bps:>6.1}) | {:>10.2} | {:>10.2}",
                if o.reverted { "reverted" } else { "ran" },
                usdc(o.pool_loss),
                usdc(o.bound),
                usdc(o.attacker_pnl)
            );
            assert!(
                o.pool_loss <= o.bound,
                "{side:?}, front-run {usd}: the pool lost {} > bound {}",
                o.pool_loss,
                o.bound
            );
            if o.reverted {
                reverted += 1;
            } else {
                executed += 1;
                worst_bps = worst_bps.max(bps);
            }
        }
        // the grid spans both outcomes: small pushes execute, big ones revert
        assert!(executed > 0 && reverted > 0, "{side:?}: {executed} executed, {reverted} reverted");
    }
    println!("rebalance sandwich: worst executed loss {worst_bps:.1} bps of fair value (bound 150 bps)");
}

#[tokio::test]
async fn a_large_hedge_is_capped_by_venue_depth_so_a_sandwich_of_it_loses_money() {
    // 400 ATM calls: ~200 SOL of hedge due, far above fee x depth (60 SOL on
    // this 20,000 SOL, 30 bps venue). Before the cap the pool swapped
    // max_trade (100 SOL) at once and a sandwich netted about +42 USDC; now
    // one call swaps at most half of fee x depth (30 SOL).
    println!("large-hedge sandwich (400 calls, ~200 SOL due), pool buys:");
    println!("  front-run USDC | rebalance | swapped SOL | pool loss USDC (bps of fair) | attacker P&L USDC");
    let mut best = i128::MIN;
    for usd in [0u64, 20_000, 40_000, 60_000, 80_000, 100_000, 150_000] {
        let o = sandwich(HedgeSide::BuyUnderlying, usd * USDC, 400).await;
        let bps = if o.fair > 0 { o.pool_loss as f64 * 10_000.0 / o.fair as f64 } else { 0.0 };
        println!(
            "  {usd:>14} | {:>9} | {:>11.3} | {:>12.2} ({bps:>6.1}) | {:>10.2}",
            if o.reverted { "reverted" } else { "ran" },
            o.swapped as f64 / SOL as f64,
            usdc(o.pool_loss),
            usdc(o.attacker_pnl)
        );
        assert!(o.swapped <= 30 * SOL, "one call swaps at most the venue cap");
        assert!(o.pool_loss <= o.bound);
        if usd > 0 {
            best = best.max(o.attacker_pnl);
        }
    }
    println!("  best sandwich: {:+.2} USDC (was about +42 at max_trade 100 SOL)", usdc(best));
    assert!(best <= 0, "a sandwich of the capped hedge made {best}");
}
