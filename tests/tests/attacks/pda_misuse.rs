//! PDA and bump misuse, seed collisions: every account the program creates
//! sits at the canonical PDA of its seeds (anything else is ConstraintSeeds),
//! the seeds are fixed-width so no two (pool, expiry, strike, kind) tuples
//! can meet at one address, and a pool with its mints swapped is a distinct
//! pool whose series are useless against the first.
use super::support::*;
use crate::common::*;
use anchor_lang::error::ErrorCode as AnchorCode;
use anchor_lang::prelude::Pubkey;
use oamm_sdk::ix::{self, data};
use oamm_sdk::pda::{PoolKeys, SeriesKeys};
use options_amm::constants::GREEK_CACHE_SEED;
use options_amm::error::OptionsError;
use options_amm::state::{Kind, SeriesState};
use solana_sdk::signature::{Keypair, Signer};
use std::collections::HashSet;

#[tokio::test]
async fn series_and_option_mints_only_at_their_canonical_pdas() {
    let mut s = scene().await;
    let keys = pool_accounts(&s);
    let m = &s.w.m;
    let admin = m.admin.pubkey();
    let wanted = SeriesKeys::derive(&m.keys.pool, EXPIRY, 140 * USDC, Kind::Put);
    let list = || data::CreateSeries { strike_quote: 140 * USDC, expiry: EXPIRY, kind: Kind::Put };
    let seeds = anchor(AnchorCode::ConstraintSeeds);

    // the series address of another strike for these arguments
    let mut a = ix::create_series(admin, &m.keys, &wanted);
    a.series = SeriesKeys::derive(&m.keys.pool, EXPIRY, 160 * USDC, Kind::Put).series;
    let c1 = ix::ix(a, list());
    // an option mint at a plain keypair address
    let mut a = ix::create_series(admin, &m.keys, &wanted);
    a.option_mint = Keypair::new().pubkey();
    let c2 = ix::ix(a, list());
    // the option-mint PDA of another (existing) series
    let mut a = ix::create_series(admin, &m.keys, &wanted);
    a.option_mint = s.call.option_mint;
    let c3 = ix::ix(a, list());
    // the other pool's address for the same tuple
    let mut a = ix::create_series(admin, &m.keys, &wanted);
    a.series = SeriesKeys::derive(&s.other.keys.pool, EXPIRY, 140 * USDC, Kind::Put).series;
    let c4 = ix::ix(a, list());
    let mut watched = keys.clone();
    watched.extend([wanted.series, wanted.option_mint]);
    for c in [c1, c2, c3, c4] {
        refused_and_unchanged(&mut s.w.bank, &watched, &[c], &[&s.w.m.admin], seeds).await;
    }
    // the canonical pair works
    s.w.m.list_series(&mut s.w.bank, 140 * USDC, EXPIRY, Kind::Put).await.unwrap();
}

#[tokio::test]
async fn pool_accounts_only_at_canonical_bumps() {
    let mut bank = oamm_sdk::bank::Bank::start(T0).await;
    let auth = Keypair::new();
    let u = bank.create_mint(&auth.pubkey(), 9).await.unwrap();
    let q = bank.create_mint(&auth.pubkey(), 6).await.unwrap();
    let admin = bank.funded_keypair(10).await.unwrap();
    let keys = PoolKeys::derive(u, q, admin.pubkey());
    let params = oamm_sdk::market::default_params([1; 32], Pubkey::new_unique());

    // a valid (off-curve) greek-cache address at a bump below the canonical one
    let (_, canonical) = Pubkey::find_program_address(&[GREEK_CACHE_SEED, keys.pool.as_ref()], &options_amm::ID);
    let lower = (0..canonical)
        .rev()
        .find_map(|b| {
            Pubkey::create_program_address(&[GREEK_CACHE_SEED, keys.pool.as_ref(), &[b]], &options_amm::ID).ok()
        })
        .expect("some lower bump is off-curve");
    let mut a = ix::initialize_pool(admin.pubkey(), &keys);
    a.greek_cache = lower;
    let r = bank.process(&[ix::ix(a, data::InitializePool { params: params.clone() })], &[&admin]).await;
    expect_anchor(r, AnchorCode::ConstraintSeeds);
    // the pool PDA of the swapped pair
    let mut a = ix::initialize_pool(admin.pubkey(), &keys);
    a.pool = PoolKeys::derive(q, u, admin.pubkey()).pool;
    let r = bank.process(&[ix::ix(a, data::InitializePool { params: params.clone() })], &[&admin]).await;
    expect_anchor(r, AnchorCode::ConstraintSeeds);
    // another creator's pool address for the same pair: the address is the creator's own
    let mut a = ix::initialize_pool(admin.pubkey(), &keys);
    a.pool = PoolKeys::derive(u, q, Pubkey::new_unique()).pool;
    let r = bank.process(&[ix::ix(a, data::InitializePool { params: params.clone() })], &[&admin]).await;
    expect_anchor(r, AnchorCode::ConstraintSeeds);
    // a vault at a keypair address
    let mut a = ix::initialize_pool(admin.pubkey(), &keys);
    a.quote_vault = Keypair::new().pubkey();
    let r = bank.process(&[ix::ix(a, data::InitializePool { params: params.clone() })], &[&admin]).await;
    expect_anchor(r, AnchorCode::ConstraintSeeds);
    assert!(bank.account(&keys.pool).await.unwrap().is_none(), "nothing was created");
    bank.process(&[ix::ix(ix::initialize_pool(admin.pubkey(), &keys), data::InitializePool { params })], &[&admin])
        .await
        .unwrap();
}

#[tokio::test]
async fn a_pool_with_its_mints_swapped_is_distinct_and_its_series_do_not_cross() {
    let mut s = scene().await;
    let (u, q) = (s.w.m.keys.underlying_mint, s.w.m.keys.quote_mint);
    let admin = s.w.bank.funded_keypair(10).await.unwrap();
    let swapped = PoolKeys::derive(q, u, admin.pubkey());
    let params = oamm_sdk::market::default_params(s.w.m.feed_id, Pubkey::new_unique());
    s.w.bank
        .process(&[ix::ix(ix::initialize_pool(admin.pubkey(), &swapped), data::InitializePool { params })], &[&admin])
        .await
        .unwrap();
    let k = s.w.m.keys;
    let all = [
        k.pool,
        k.greek_cache,
        k.lp_mint,
        k.quote_vault,
        k.hedge_vault,
        swapped.pool,
        swapped.greek_cache,
        swapped.lp_mint,
        swapped.quote_vault,
        swapped.hedge_vault,
    ];
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), all.len(), "no account is shared between the two pools");

    // the same (expiry, strike, kind) listed on both pools: two addresses
    let theirs = SeriesKeys::derive(&swapped.pool, EXPIRY, 150 * USDC, Kind::Call);
    s.w.bank
        .process(
            &[ix::ix(
                ix::create_series(admin.pubkey(), &swapped, &theirs),
                data::CreateSeries { strike_quote: 150 * USDC, expiry: EXPIRY, kind: Kind::Call },
            )],
            &[&admin],
        )
        .await
        .unwrap();
    assert_ne!(theirs.series, s.call.series);
    assert_ne!(theirs.option_mint, s.call.option_mint);
    // and the swapped pool's series is refused by ours
    let keys = pool_accounts(&s);
    let tr = &s.trader;
    let mut a = ix::trade(tr.pubkey(), &s.w.m.keys, &s.call, s.w.m.oracle, tr.quote, s.trader_options);
    a.series = theirs.series;
    let buy = ix::ix(a, data::Buy { contracts: SOL, max_total_cost: u64::MAX });
    refused_and_unchanged(&mut s.w.bank, &keys, &[buy], &[&s.trader.key], code(OptionsError::WrongPool)).await;
}

#[test]
fn fixed_width_series_seeds_never_collide() {
    // expiry and strike are 8 little-endian bytes each and the kind one
    // byte: no two tuples concatenate to the same seed bytes. Tuples chosen
    // to collide if the encoding were variable-width or decimal text.
    let pool = Pubkey::new_unique();
    let mut seen = HashSet::new();
    for expiry in [0i64, 1, 10, 11, 256, 1 << 32, -1, i64::MAX] {
        for strike in [1u64, 10, 11, 110, 256, 1 << 32, u64::MAX] {
            for kind in [Kind::Call, Kind::Put] {
                assert!(
                    seen.insert(SeriesKeys::derive(&pool, expiry, strike, kind).series),
                    "collision at {expiry}/{strike}/{kind:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_settled_series_stays_dead_when_its_cache_slot_is_reused() {
    let mut s = scene().await;
    s.w.bank.set_time(EXPIRY + 10);
    s.w.m.post_price(&mut s.w.bank, 160_00000000);
    s.w.m.settle(&mut s.w.bank, &s.call).await.unwrap();
    let old_slot = s.w.m.series(&mut s.w.bank, &s.call).await.unwrap().cache_index;
    let fresh = s.w.m.list_series(&mut s.w.bank, 150 * USDC, EXPIRY + 7 * DAY, Kind::Call).await.unwrap();
    let fresh_state = s.w.m.series(&mut s.w.bank, &fresh).await.unwrap();
    assert_eq!(fresh_state.cache_index, old_slot, "the freed slot is reused");

    let keys = pool_accounts(&s);
    let tr = &s.trader;
    // trading or re-settling the old series through the reused slot
    let buy = ix::ix(
        ix::trade(tr.pubkey(), &s.w.m.keys, &s.call, s.w.m.oracle, tr.quote, s.trader_options),
        data::Buy { contracts: SOL, max_total_cost: u64::MAX },
    );
    refused_and_unchanged(&mut s.w.bank, &keys, &[buy], &[&s.trader.key], code(OptionsError::SeriesNotLive)).await;
    let settle = ix::ix(ix::settle_series(&s.w.m.keys, &s.call, s.w.m.oracle), data::SettleSeries {});
    refused_and_unchanged(&mut s.w.bank, &keys, &[settle], &[], code(OptionsError::SeriesAlreadySettled)).await;
    assert_eq!(s.w.m.series(&mut s.w.bank, &s.call).await.unwrap().state, SeriesState::Settled);
    // the new series in that slot trades normally
    let mut t = s.w.m.new_actor(&mut s.w.bank, 10_000 * USDC).await.unwrap();
    s.w.m.buy(&mut s.w.bank, &mut t, &fresh, SOL, u64::MAX).await.unwrap();
    check_books(&mut s.w, &[s.call, fresh]).await;
}
