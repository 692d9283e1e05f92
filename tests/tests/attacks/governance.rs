//! Governance: the admin's old drain paths (its own venue program, an
//! unbounded keeper reward, another feed) are refused at once and can only
//! be proposed, visible for the pool's timelock, cancellable by the
//! guardian; the guardian can pause and cancel and nothing else; an admin
//! that handed over the role keeps no power.
use super::support::expect_anchor;
use crate::common::*;
use crate::refused;
use oamm_sdk::ix::{self, data};
use options_amm::constants::{PAUSE_ALL, PAUSE_LP, PAUSE_TRADING};
use options_amm::error::OptionsError;
use options_amm::state::{Kind, PoolParams};
use solana_sdk::signature::{Keypair, Signer};

fn update(signer: &Keypair, w: &World, params: PoolParams) -> solana_sdk::instruction::Instruction {
    ix::ix(ix::admin_params(signer.pubkey(), &w.m.keys), data::UpdatePoolParams { params })
}

fn propose(signer: &Keypair, w: &World, params: PoolParams) -> solana_sdk::instruction::Instruction {
    ix::ix(ix::propose_params(signer.pubkey(), &w.m.keys), data::ProposePoolParams { params })
}

fn apply(signer: &Keypair, w: &World) -> solana_sdk::instruction::Instruction {
    ix::ix(ix::apply_params(signer.pubkey(), &w.m.keys), data::ApplyPoolParams {})
}

fn cancel(signer: &Keypair, w: &World) -> solana_sdk::instruction::Instruction {
    ix::ix(ix::cancel_params(signer.pubkey(), &w.m.keys), data::CancelPoolParams {})
}

fn pause(signer: &Keypair, w: &World, paused: u8) -> solana_sdk::instruction::Instruction {
    ix::ix(ix::set_paused(signer.pubkey(), &w.m.keys), data::SetPaused { paused })
}

/// The drain paths of a single admin key before the timelock: each edit of
/// the parameters that used to apply at once.
fn drains(p: &PoolParams) -> Vec<(&'static str, PoolParams)> {
    let mut out = Vec::new();
    let mut add = |name, f: &dyn Fn(&mut PoolParams)| {
        let mut q = p.clone();
        f(&mut q);
        out.push((name, q));
    };
    // its own program receives the pool PDA's signature with both vaults writable
    add("venue program", &|q| q.hedge.venue_program = solana_sdk::pubkey::Pubkey::new_unique());
    add("venue pool", &|q| q.hedge.venue_pool = solana_sdk::pubkey::Pubkey::new_unique());
    // every free unit of quote to the next rebalance's keeper
    add("keeper reward", &|q| {
        q.hedge.keeper_reward_fixed = u64::MAX;
        q.hedge.keeper_reward_cap = u64::MAX
    });
    // a feed the admin controls, or a cheaper asset's
    add("feed id", &|q| q.oracle.feed_id = [0xee; 32]);
    // options sold at 1% vol to a confederate
    add("vol floor", &|q| {
        q.vol.min_base_iv_bps = 100;
        q.vol.initial_base_iv_bps = 100
    });
    // no solvency cushion and no size limit
    add("risk caps loosened", &|q| {
        q.risk.max_open_interest = u64::MAX;
        q.risk.max_move_bps = 1
    });
    add("shorter timelock", &|q| q.governance.timelock_s = 3_600);
    out
}

#[tokio::test]
async fn each_drain_path_is_refused_at_once_and_waits_the_timelock_as_a_proposal() {
    let mut w = world().await;
    let p = w.m.pool(&mut w.bank).await.unwrap().params;
    let timelock = p.governance.timelock_s as i64;
    let admin = w.m.admin.insecure_clone();
    for (name, q) in drains(&p) {
        refused!(w.bank, watch(&w, &[]), code(OptionsError::ChangeNeedsTimelock), {
            let tx = update(&admin, &w, q.clone());
            w.bank.process(&[tx], &[&admin]).await
        });
        // proposed: visible in the pool with its eta, not in force
        let tx = propose(&admin, &w, q.clone());
        w.bank.process(&[tx], &[&admin]).await.unwrap();
        let pool = w.m.pool(&mut w.bank).await.unwrap();
        assert_eq!((pool.pending_params.clone(), pool.pending_eta), (q.clone(), w.bank.now() + timelock), "{name}");
        assert_eq!(pool.params, p, "{name}: in force before the timelock");
        // one second early: refused, nothing changes
        w.bank.advance(timelock - 1);
        refused!(w.bank, watch(&w, &[]), code(OptionsError::TimelockNotElapsed), {
            let tx = apply(&admin, &w);
            w.bank.process(&[tx], &[&admin]).await
        });
        // the admin (or the guardian, below) cancels: nothing left to apply
        let tx = cancel(&admin, &w);
        w.bank.process(&[tx], &[&admin]).await.unwrap();
        w.bank.advance(1);
        refused!(w.bank, watch(&w, &[]), code(OptionsError::NoPendingChange), {
            let tx = apply(&admin, &w);
            w.bank.process(&[tx], &[&admin]).await
        });
        assert_eq!(w.m.pool(&mut w.bank).await.unwrap().params, p, "{name}");
    }
    // a tightening still applies at once
    let mut tighter = p.clone();
    tighter.risk.max_open_interest /= 2;
    tighter.risk.solvency_reserve_bps += 100;
    w.m.update_params(&mut w.bank, tighter.clone()).await.unwrap();
    assert_eq!(w.m.pool(&mut w.bank).await.unwrap().params, tighter);
}

#[tokio::test]
async fn a_proposal_applies_after_the_timelock_and_a_new_one_restarts_the_clock() {
    let mut w = world().await;
    let p = w.m.pool(&mut w.bank).await.unwrap().params;
    let timelock = p.governance.timelock_s as i64;
    let admin = w.m.admin.insecure_clone();
    let mut first = p.clone();
    first.fees.option_price_fee_bps = 150;
    let mut second = p.clone();
    second.fees.option_price_fee_bps = 200;
    w.m.propose_params(&mut w.bank, first).await.unwrap();
    w.bank.advance(timelock / 2);
    // replacing the proposal restarts the clock from now
    w.m.propose_params(&mut w.bank, second.clone()).await.unwrap();
    w.bank.advance(timelock / 2 + 1);
    refused!(w.bank, watch(&w, &[]), code(OptionsError::TimelockNotElapsed), {
        let tx = apply(&admin, &w);
        w.bank.process(&[tx], &[&admin]).await
    });
    w.bank.advance(timelock / 2);
    w.m.apply_params(&mut w.bank).await.unwrap();
    let pool = w.m.pool(&mut w.bank).await.unwrap();
    assert_eq!((pool.params, pool.pending_eta), (second, 0));
    // applied once: nothing pending any more
    refused!(w.bank, watch(&w, &[]), code(OptionsError::NoPendingChange), {
        let tx = apply(&admin, &w);
        w.bank.process(&[tx], &[&admin]).await
    });
}

#[tokio::test]
async fn the_guardian_can_pause_and_cancel_and_nothing_else() {
    let mut w = world().await;
    let admin = w.m.admin.insecure_clone();
    let guardian = w.bank.funded_keypair(10).await.unwrap();
    let tx = ix::ix(ix::set_guardian(admin.pubkey(), &w.m.keys), data::SetGuardian { guardian: guardian.pubkey() });
    w.bank.process(&[tx], &[&admin]).await.unwrap();
    assert_eq!(w.m.pool(&mut w.bank).await.unwrap().guardian, guardian.pubkey());

    // pauses, one flag then another
    let tx = pause(&guardian, &w, PAUSE_TRADING);
    w.bank.process(&[tx], &[&guardian]).await.unwrap();
    let tx = pause(&guardian, &w, PAUSE_TRADING | PAUSE_LP);
    w.bank.process(&[tx], &[&guardian]).await.unwrap();
    assert_eq!(w.m.pool(&mut w.bank).await.unwrap().paused, PAUSE_TRADING | PAUSE_LP);
    // cannot lift a pause, in whole or in part
    for flags in [0, PAUSE_TRADING, PAUSE_ALL & !PAUSE_LP] {
        refused!(w.bank, watch(&w, &[]), code(OptionsError::GuardianCannotUnpause), {
            let tx = pause(&guardian, &w, flags);
            w.bank.process(&[tx], &[&guardian]).await
        });
    }
    // cannot change parameters, list, hand the role on or name another guardian
    let mut p = w.m.pool(&mut w.bank).await.unwrap().params;
    p.risk.max_open_interest /= 2; // even a tightening
    let series = oamm_sdk::pda::SeriesKeys::derive(&w.m.keys.pool, T0 + 30 * 86_400, 150 * USDC, Kind::Call);
    let attempts = [
        (update(&guardian, &w, p.clone()), OptionsError::Unauthorized),
        (propose(&guardian, &w, p.clone()), OptionsError::Unauthorized),
        (apply(&guardian, &w), OptionsError::Unauthorized),
        (
            ix::ix(ix::propose_admin(guardian.pubkey(), &w.m.keys), data::ProposeAdmin { proposed: guardian.pubkey() }),
            OptionsError::Unauthorized,
        ),
        (
            ix::ix(ix::set_guardian(guardian.pubkey(), &w.m.keys), data::SetGuardian { guardian: guardian.pubkey() }),
            OptionsError::Unauthorized,
        ),
        (
            ix::ix(
                ix::create_series(guardian.pubkey(), &w.m.keys, &series),
                data::CreateSeries { strike_quote: 150 * USDC, expiry: T0 + 30 * 86_400, kind: Kind::Call },
            ),
            OptionsError::Unauthorized,
        ),
    ];
    for (tx, e) in attempts {
        refused!(w.bank, watch(&w, &[series.series]), code(e), w.bank.process(&[tx], &[&guardian]).await);
    }
    // cancels the admin's pending change
    let mut risky = p.clone();
    risky.hedge.venue_program = guardian.pubkey();
    w.m.propose_params(&mut w.bank, risky).await.unwrap();
    let tx = cancel(&guardian, &w);
    w.bank.process(&[tx], &[&guardian]).await.unwrap();
    assert!(!w.m.pool(&mut w.bank).await.unwrap().has_pending_change());
    // the admin lifts the pause
    w.m.set_paused(&mut w.bank, 0).await.unwrap();
    assert_eq!(w.m.pool(&mut w.bank).await.unwrap().paused, 0);
    // and once removed, the guardian is nobody
    let none = solana_sdk::pubkey::Pubkey::default();
    let tx = ix::ix(ix::set_guardian(admin.pubkey(), &w.m.keys), data::SetGuardian { guardian: none });
    w.bank.process(&[tx], &[&admin]).await.unwrap();
    refused!(w.bank, watch(&w, &[]), code(OptionsError::NotAdminOrGuardian), {
        let tx = pause(&guardian, &w, PAUSE_ALL);
        w.bank.process(&[tx], &[&guardian]).await
    });
}

#[tokio::test]
async fn the_admin_role_moves_in_two_steps_and_the_old_admin_keeps_nothing() {
    let mut w = world().await;
    let old = w.m.admin.insecure_clone();
    let new = w.bank.funded_keypair(10).await.unwrap();
    let stranger = w.bank.funded_keypair(10).await.unwrap();
    let propose_admin = |by: &Keypair, w: &World, to: solana_sdk::pubkey::Pubkey| {
        ix::ix(ix::propose_admin(by.pubkey(), &w.m.keys), data::ProposeAdmin { proposed: to })
    };
    let accept = |by: &Keypair, w: &World| ix::ix(ix::accept_admin(by.pubkey(), &w.m.keys), data::AcceptAdmin {});

    // nobody can accept before a proposal, nor anyone but the proposed key after
    refused!(w.bank, watch(&w, &[]), code(OptionsError::NotPendingAdmin), {
        let tx = accept(&new, &w);
        w.bank.process(&[tx], &[&new]).await
    });
    let tx = propose_admin(&old, &w, new.pubkey());
    w.bank.process(&[tx], &[&old]).await.unwrap();
    let pool = w.m.pool(&mut w.bank).await.unwrap();
    assert_eq!((pool.admin, pool.pending_admin), (old.pubkey(), new.pubkey()), "nothing moves before the acceptance");
    refused!(w.bank, watch(&w, &[]), code(OptionsError::NotPendingAdmin), {
        let tx = accept(&stranger, &w);
        w.bank.process(&[tx], &[&stranger]).await
    });
    let tx = accept(&new, &w);
    w.bank.process(&[tx], &[&new]).await.unwrap();
    let pool = w.m.pool(&mut w.bank).await.unwrap();
    assert_eq!((pool.admin, pool.pending_admin), (new.pubkey(), solana_sdk::pubkey::Pubkey::default()));

    // the old admin: every admin instruction refused
    let mut p = pool.params.clone();
    p.risk.max_open_interest /= 2;
    let series = oamm_sdk::pda::SeriesKeys::derive(&w.m.keys.pool, T0 + 30 * 86_400, 150 * USDC, Kind::Call);
    let attempts = [
        (update(&old, &w, p.clone()), OptionsError::Unauthorized),
        (propose(&old, &w, p.clone()), OptionsError::Unauthorized),
        (apply(&old, &w), OptionsError::Unauthorized),
        (cancel(&old, &w), OptionsError::NotAdminOrGuardian),
        (pause(&old, &w, PAUSE_ALL), OptionsError::NotAdminOrGuardian),
        (propose_admin(&old, &w, old.pubkey()), OptionsError::Unauthorized),
        (
            ix::ix(ix::set_guardian(old.pubkey(), &w.m.keys), data::SetGuardian { guardian: old.pubkey() }),
            OptionsError::Unauthorized,
        ),
        (
            ix::ix(
                ix::create_series(old.pubkey(), &w.m.keys, &series),
                data::CreateSeries { strike_quote: 150 * USDC, expiry: T0 + 30 * 86_400, kind: Kind::Call },
            ),
            OptionsError::Unauthorized,
        ),
        (accept(&old, &w), OptionsError::NotPendingAdmin),
    ];
    for (tx, e) in attempts {
        refused!(w.bank, watch(&w, &[series.series]), code(e), w.bank.process(&[tx], &[&old]).await);
    }
    // the new one can
    let tx = update(&new, &w, p.clone());
    w.bank.process(&[tx], &[&new]).await.unwrap();
    assert_eq!(w.m.pool(&mut w.bank).await.unwrap().params, p);
    // a proposal withdrawn (the default key) cannot be accepted
    let tx = propose_admin(&new, &w, stranger.pubkey());
    w.bank.process(&[tx], &[&new]).await.unwrap();
    let tx = propose_admin(&new, &w, solana_sdk::pubkey::Pubkey::default());
    w.bank.process(&[tx], &[&new]).await.unwrap();
    refused!(w.bank, watch(&w, &[]), code(OptionsError::NotPendingAdmin), {
        let tx = accept(&stranger, &w);
        w.bank.process(&[tx], &[&stranger]).await
    });
}

#[tokio::test]
async fn nobody_can_squat_a_pair_each_creator_has_its_own_pool() {
    let mut w = world().await;
    // the pair already has a pool (the market's); someone else creates one too
    let other = w.bank.funded_keypair(10).await.unwrap();
    let (u, q) = (w.m.keys.underlying_mint, w.m.keys.quote_mint);
    let theirs = oamm_sdk::pda::PoolKeys::derive(u, q, other.pubkey());
    assert_ne!(theirs.pool, w.m.keys.pool);
    let params = w.m.pool(&mut w.bank).await.unwrap().params;
    let init = ix::ix(ix::initialize_pool(other.pubkey(), &theirs), data::InitializePool { params: params.clone() });
    w.bank.process(&[init], &[&other]).await.unwrap();
    let pool: options_amm::state::Pool = w.bank.anchor(&theirs.pool).await.unwrap();
    assert_eq!((pool.admin, pool.creator, pool.underlying_mint), (other.pubkey(), other.pubkey(), u));
    // and nobody can create a pool at the market's address, or at another creator's
    for target in [w.m.keys.pool, oamm_sdk::pda::PoolKeys::derive(u, q, solana_sdk::pubkey::Pubkey::new_unique()).pool]
    {
        let mut a = ix::initialize_pool(other.pubkey(), &theirs);
        a.pool = target;
        let init = ix::ix(a, data::InitializePool { params: params.clone() });
        let r = w.bank.process(&[init], &[&other]).await;
        expect_anchor(r, anchor_lang::error::ErrorCode::ConstraintSeeds);
    }
    // the market's pool is untouched and still its admin's
    assert_eq!(w.m.pool(&mut w.bank).await.unwrap().admin, w.m.admin.pubkey());
}

/// The colluding-keeper drain, measured: even after the timelock has passed
/// and the pool pays `u64::MAX` fixed with a `u64::MAX` cap, a rebalance
/// pays its keeper at most 50 bps of the swap it makes (printed).
#[tokio::test]
async fn an_unbounded_keeper_reward_pays_at_most_half_a_percent_of_the_swap() {
    let mut w = world().await;
    let mut greedy = w.m.pool(&mut w.bank).await.unwrap().params;
    greedy.hedge.keeper_reward_fixed = u64::MAX;
    greedy.hedge.keeper_reward_cap = u64::MAX;
    greedy.hedge.keeper_reward_bps = options_amm::constants::MAX_KEEPER_REWARD_BPS;
    w.m.change_params(&mut w.bank, greedy).await.unwrap(); // proposed, a day, applied
    let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * 86_400, Kind::Call).await.unwrap();
    let mut trader = w.m.new_actor(&mut w.bank, 1_000_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut trader, &call, 200 * SOL, u64::MAX).await.unwrap();
    let keeper = w.m.new_actor(&mut w.bank, 0).await.unwrap();
    let vault0 = w.bank.token_balance(&w.m.keys.quote_vault).await.unwrap();
    w.m.rebalance(&mut w.bank, &keeper).await.unwrap();
    let reward = w.bank.token_balance(&keeper.quote).await.unwrap();
    let vault1 = w.bank.token_balance(&w.m.keys.quote_vault).await.unwrap();
    // the pool bought underlying: the quote that left is the swap plus the reward
    let notional = vault0 - vault1 - reward;
    println!(
        "unbounded keeper reward: swap {:.2} USDC, keeper paid {:.2} USDC ({:.1} bps)",
        notional as f64 / USDC as f64,
        reward as f64 / USDC as f64,
        reward as f64 * 1e4 / notional as f64
    );
    assert!(notional > 1_000 * USDC, "a real hedge ran: {notional}");
    assert!(reward > 0 && reward as u128 * 10_000 <= notional as u128 * 50, "reward {reward} on {notional}");
}

/// A pending change is checked again when applied: one whose live-series
/// cap the book has outgrown since it was proposed is refused, and nothing
/// changes (the admin proposes again or lets it lapse).
#[tokio::test]
async fn a_pending_change_the_book_outgrew_is_refused_at_apply() {
    let mut w = world().await;
    let admin = w.m.admin.insecure_clone();
    let mut risky = w.m.pool(&mut w.bank).await.unwrap().params;
    risky.fees.option_price_fee_bps += 1;
    risky.risk.max_live_series = 1;
    w.m.propose_params(&mut w.bank, risky).await.unwrap();
    for strike in [140, 160] {
        w.m.list_series(&mut w.bank, strike * USDC, T0 + 7 * 86_400, Kind::Call).await.unwrap();
    }
    let timelock = w.m.pool(&mut w.bank).await.unwrap().params.governance.timelock_s as i64;
    w.bank.advance(timelock);
    refused!(w.bank, watch(&w, &[]), code(OptionsError::InvalidRiskParams), {
        let tx = apply(&admin, &w);
        w.bank.process(&[tx], &[&admin]).await
    });
    assert!(w.m.pool(&mut w.bank).await.unwrap().has_pending_change(), "still pending, not applied");
}
