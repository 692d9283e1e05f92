//! Every event both programs emit, decoded from the transaction logs a
//! cluster would return ("Program data: <base64>") and checked against the
//! state it describes. Only the SBF builds (`sbf/test.sh`) emit them: natively
//! Anchor 1.2's `sol_log_data` discards its input (`black_box`), so there the
//! test checks that difference instead, and the contents are this lane's.
#![allow(deprecated)]
mod common;

use anchor_lang::{AnchorDeserialize, Discriminator};
use common::*;
use oamm_sdk::bank::Bank;
use oamm_sdk::ix::{self, data};
use oamm_sdk::market::{Market, MarketConfig};
use options_amm::events::*;
use options_amm::state::Kind;
use solana_sdk::signer::Signer as _;
use spot_venue::events::{LiquidityAdded, PoolCreated, Swapped};

/// Every event either program wrote in the transactions the bank recorded:
/// (the transaction's index in the history, the event's bytes), read with
/// the client's own decoder (`oamm_sdk::events`, which takes a line only
/// from the program that was running when it was written). Each program's
/// events are in order; types never cross programs, so `last` is exact.
fn events(bank: &Bank) -> Vec<(usize, Vec<u8>)> {
    let mut out = Vec::new();
    for (i, tx) in bank.history.iter().enumerate() {
        for program in [options_amm::ID, spot_venue::ID] {
            out.extend(oamm_sdk::events::program_data(&tx.logs, &program).into_iter().map(|b| (i, b)));
        }
    }
    out
}

/// The last event of type T, decoded.
#[track_caller]
fn last<T: Discriminator + AnchorDeserialize>(bank: &Bank) -> T {
    let all = events(bank);
    let (_, bytes) = all
        .iter()
        .rev()
        .find(|(_, b)| b.starts_with(T::DISCRIMINATOR))
        .unwrap_or_else(|| panic!("no {} event in {} events", std::any::type_name::<T>(), all.len()));
    T::try_from_slice(&bytes[8..]).expect("event decodes")
}

const EXPIRY: i64 = T0 + 7 * DAY;

#[tokio::test]
async fn every_event_decodes_from_the_logs_with_the_state_it_reports() {
    let mut bank = Bank::start(T0).await;
    bank.keep_history = true;
    let mut m = Market::create(&mut bank, &MarketConfig::default()).await.unwrap();
    let venue_pool = m.venue_pool(&mut bank).await.unwrap();
    if std::env::var_os("SBF_OUT_DIR").is_none() {
        // native execution: the known difference, so a change in it shows
        let ran = bank.history.iter().any(|tx| tx.logs.iter().any(|l| l.starts_with("Program DjVDovapa")));
        assert!(ran && events(&bank).is_empty(), "native runs now emit events: check them here too");
        println!("events: native execution emits none; their contents are checked by sbf/test.sh");
        return;
    }

    let created: PoolCreated = last(&bank);
    assert_eq!((created.pool, created.fee_bps), (m.venue.venue_pool, 30));
    let added: LiquidityAdded = last(&bank);
    assert_eq!((added.reserve_base, added.reserve_quote), (venue_pool.reserve_base, venue_pool.reserve_quote));
    let init: PoolInitialized = last(&bank);
    assert_eq!((init.pool, init.admin, init.feed_id), (m.keys.pool, m.admin.pubkey(), m.feed_id));

    let params = m.pool(&mut bank).await.unwrap().params;
    let mut tighter = params.clone();
    tighter.risk.max_open_interest /= 2;
    m.update_params(&mut bank, tighter.clone()).await.unwrap();
    let updated: PoolParamsUpdated = last(&bank);
    assert_eq!((updated.pool, updated.old, updated.new), (m.keys.pool, params, tighter.clone()));
    let mut risky = tighter.clone();
    risky.fees.option_price_fee_bps += 1;
    m.propose_params(&mut bank, risky.clone()).await.unwrap();
    let proposed: PoolParamsProposed = last(&bank);
    let eta = bank.now() + tighter.governance.timelock_s as i64;
    assert_eq!((proposed.pool, proposed.eta, proposed.old, proposed.new), (m.keys.pool, eta, tighter, risky));
    m.set_paused(&mut bank, 0).await.unwrap();
    let paused: PauseSet = last(&bank);
    assert_eq!((paused.pool, paused.paused, paused.by), (m.keys.pool, 0, m.admin.pubkey()));
    let guardian = bank.funded_keypair(10).await.unwrap();
    let set = ix::ix(ix::set_guardian(m.admin.pubkey(), &m.keys), data::SetGuardian { guardian: guardian.pubkey() });
    bank.process(&[set], &[&m.admin]).await.unwrap();
    let g: GuardianSet = last(&bank);
    assert_eq!((g.pool, g.guardian), (m.keys.pool, guardian.pubkey()));
    let cancel = ix::ix(ix::cancel_params(guardian.pubkey(), &m.keys), data::CancelPoolParams {});
    bank.process(&[cancel], &[&guardian]).await.unwrap();
    let c: PoolParamsCancelled = last(&bank);
    assert_eq!((c.pool, c.by), (m.keys.pool, guardian.pubkey()));

    let lp = m.new_actor(&mut bank, 1_000_000 * USDC).await.unwrap();
    m.deposit(&mut bank, &lp, 500_000 * USDC, 0).await.unwrap();
    let dep: Deposited = last(&bank);
    let supply = bank.mint_supply(&m.keys.lp_mint).await.unwrap();
    assert_eq!((dep.depositor, dep.quote_in, dep.lp_supply_after), (lp.pubkey(), 500_000 * USDC, supply));

    let call = m.list_series(&mut bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let sc: SeriesCreated = last(&bank);
    assert_eq!(
        (sc.series, sc.option_mint, sc.strike_quote, sc.expiry, sc.is_call),
        (call.series, call.option_mint, 150 * USDC, EXPIRY, true)
    );

    let mut trader = m.new_actor(&mut bank, 100_000 * USDC).await.unwrap();
    let before = balance(&mut bank, trader.quote).await;
    m.buy(&mut bank, &mut trader, &call, 50 * SOL, u64::MAX).await.unwrap();
    let paid = before - balance(&mut bank, trader.quote).await;
    let buy: Traded = last(&bank);
    assert!(buy.is_buy);
    assert_eq!((buy.trader, buy.contracts, buy.total, buy.premium + buy.fee), (trader.pubkey(), 50 * SOL, paid, paid));
    assert_eq!(buy.open_interest_after, m.series(&mut bank, &call).await.unwrap().open_interest);

    bank.advance(1);
    let price = m.spot_e8;
    m.post_price(&mut bank, price);
    m.refresh(&mut bank).await.unwrap();
    let g: GreeksRefreshed = last(&bank);
    let cache = m.cache(&mut bank).await.unwrap();
    assert_eq!(
        (g.net_delta_bits, g.liability_bits, g.live_series),
        (cache.net_delta.get().to_bits(), cache.liability.get().to_bits(), 1)
    );

    let keeper = m.new_actor(&mut bank, 0).await.unwrap();
    m.rebalance(&mut bank, &keeper).await.unwrap();
    let r: Rebalanced = last(&bank);
    let pool = m.pool(&mut bank).await.unwrap();
    assert!(r.bought_underlying);
    assert_eq!((r.keeper, r.hedge_before, r.hedge_after), (keeper.pubkey(), 0, pool.hedge_balance));
    assert_eq!(r.keeper_reward, balance(&mut bank, keeper.quote).await);
    let swap: Swapped = last(&bank);
    assert_eq!((swap.authority, swap.amount_out), (m.keys.pool, r.amount_out));

    let lp_before = balance(&mut bank, lp.quote).await;
    m.withdraw(&mut bank, &lp, 1_000 * USDC, 0).await.unwrap();
    let w: Withdrawn = last(&bank);
    assert_eq!(
        (w.owner, w.lp_burned, w.quote_out),
        (lp.pubkey(), 1_000 * USDC, balance(&mut bank, lp.quote).await - lp_before)
    );

    bank.set_time(EXPIRY + 5);
    m.post_price(&mut bank, 160_00000000);
    m.settle(&mut bank, &call).await.unwrap();
    let s: SeriesSettled = last(&bank);
    let series = m.series(&mut bank, &call).await.unwrap();
    assert_eq!((s.series, s.open_interest, s.reserved), (call.series, 50 * SOL, series.payout_remaining));
    assert_eq!(s.payoff_per_contract_bits, options_math::I80F48::from_num(10).to_bits());
    m.redeem(&mut bank, &mut trader, &call, 50 * SOL).await.unwrap();
    let red: Redeemed = last(&bank);
    assert_eq!((red.holder, red.contracts, red.payout), (trader.pubkey(), 50 * SOL, 500 * USDC));
    m.close_series(&mut bank, &call).await.unwrap();
    let closed: SeriesClosed = last(&bank);
    assert_eq!((closed.series, closed.released_reserve), (call.series, 0));

    // the admin role handed over, last (the steps above need the old admin)
    let next = bank.funded_keypair(10).await.unwrap();
    let propose = ix::ix(ix::propose_admin(m.admin.pubkey(), &m.keys), data::ProposeAdmin { proposed: next.pubkey() });
    bank.process(&[propose], &[&m.admin]).await.unwrap();
    let p: AdminProposed = last(&bank);
    assert_eq!((p.pool, p.admin, p.proposed), (m.keys.pool, m.admin.pubkey(), next.pubkey()));
    let accept = ix::ix(ix::accept_admin(next.pubkey(), &m.keys), data::AcceptAdmin {});
    bank.process(&[accept], &[&next]).await.unwrap();
    let a: AdminAccepted = last(&bank);
    assert_eq!((a.pool, a.old_admin, a.new_admin), (m.keys.pool, m.admin.pubkey(), next.pubkey()));

    // the client's enum decodes every options event of the run, all 17 types
    let mut seen = std::collections::BTreeSet::new();
    for tx in &bank.history {
        for e in oamm_sdk::events::options_events(&tx.logs, &options_amm::ID) {
            seen.insert(e.name());
        }
    }
    assert_eq!(seen.len(), 17, "{seen:?}");
}
