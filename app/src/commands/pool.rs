//! `oamm pool create|show|list`.
use crate::amounts::format_units;
use crate::backend::Backend;
use crate::output::{kv, Report};
use crate::snapshot::{hex, parse_feed_id, pick_pool, pools, PoolSnapshot};
use anyhow::{bail, Result};
use oamm_sdk::ix;
use oamm_sdk::pda::{PoolKeys, VenueKeys};
use options_amm::state::{HedgePolicyConfig, PoolParams, SeriesState};
use options_math::units::Rounding;
use options_math::I80F48;
use serde_json::json;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signer::Signer;

#[derive(clap::Subcommand, Debug)]
pub enum PoolCommand {
    /// Create an options pool for an (underlying, quote) pair (you become its admin).
    Create(CreateArgs),
    /// NAV, LP price, balances, greeks, hedge and risk of one pool.
    Show,
    /// Every options pool of the program.
    List,
}

#[derive(clap::Args, Debug)]
pub struct CreateArgs {
    /// Mint of the underlying (what the pool hedges with).
    #[arg(long)]
    pub underlying_mint: Pubkey,
    /// Mint of the quote token (premiums, collateral, payouts).
    #[arg(long)]
    pub quote_mint: Pubkey,
    /// Pyth price feed id (hex) of underlying/quote; default SOL/USD.
    #[arg(long)]
    pub feed_id: Option<String>,
    /// Spot venue pool the rebalance swaps on (default: the spot-venue PDA for this pair).
    #[arg(long)]
    pub venue_pool: Option<Pubkey>,
    /// Pool parameters from a TOML file (any field left out keeps its default).
    #[arg(long)]
    pub config: Option<std::path::PathBuf>,
}

pub async fn run(b: &mut Backend, cmd: PoolCommand, pool: Option<Pubkey>) -> Result<Report> {
    match cmd {
        PoolCommand::Create(a) => create(b, a).await,
        PoolCommand::Show => show(b, pool).await,
        PoolCommand::List => list(b).await,
    }
}

/// The parameters a `pool create` uses: defaults for the pair, then the file.
pub fn params_for(feed_id: [u8; 32], venue_pool: Pubkey, config: Option<&std::path::Path>) -> Result<PoolParams> {
    let base = oamm_sdk::market::default_params(feed_id, venue_pool);
    match config {
        None => Ok(base),
        Some(path) => crate::pool_config::load(path)?.pool_params(base),
    }
}

async fn create(b: &mut Backend, a: CreateArgs) -> Result<Report> {
    let feed_id = match &a.feed_id {
        Some(f) => parse_feed_id(f)?,
        None => oamm_sdk::market::SOL_USD_FEED_ID,
    };
    let keys = PoolKeys::derive_for(&b.program_id(), a.underlying_mint, a.quote_mint, b.wallet().pubkey());
    if b.account(&keys.pool).await?.is_some() {
        bail!("this wallet already created a pool for this pair, at {}", keys.pool);
    }
    let venue_pool = a.venue_pool.unwrap_or(VenueKeys::derive(a.underlying_mint, a.quote_mint).venue_pool);
    let params = params_for(feed_id, venue_pool, a.config.as_deref())?;
    let admin = b.wallet().pubkey();
    let sig = b.send(&[ix::ix(ix::initialize_pool(admin, &keys), ix::data::InitializePool { params })], &[]).await?;
    Ok(Report {
        json: json!({ "pool": keys.pool.to_string(), "admin": admin.to_string(), "lp_mint": keys.lp_mint.to_string(),
                      "quote_vault": keys.quote_vault.to_string(), "hedge_vault": keys.hedge_vault.to_string(), "signature": sig }),
        table: kv(&[
            ("pool", keys.pool.to_string()),
            ("admin", admin.to_string()),
            ("lp mint", keys.lp_mint.to_string()),
            ("signature", sig),
        ]),
    })
}

fn policy_json(p: &HedgePolicyConfig) -> serde_json::Value {
    match *p {
        HedgePolicyConfig::DeltaThreshold { band } => json!({ "kind": "threshold", "band": band }),
        HedgePolicyConfig::WhalleyWilmott { cost_bps, risk_aversion_ppm } => {
            json!({ "kind": "whalley-wilmott", "cost_bps": cost_bps, "risk_aversion_ppm": risk_aversion_ppm })
        }
        HedgePolicyConfig::CostBenefit { cost_bps, risk_aversion_ppm, terminal_bps, expiry_aware } => json!({
            "kind": "cost-benefit",
            "cost_bps": cost_bps,
            "risk_aversion_ppm": risk_aversion_ppm,
            "terminal_bps": terminal_bps,
            "expiry_aware": expiry_aware,
        }),
    }
}

async fn show(b: &mut Backend, pool: Option<Pubkey>) -> Result<Report> {
    let key = pick_pool(b, pool).await?;
    let s = PoolSnapshot::load(b, key).await?;
    let series = s.series(b).await?;
    let d = s.pool.decimals();
    let (du, dq) = (d.underlying, d.quote);
    let units = |x: I80F48| x.to_num::<f64>() / 10f64.powi(du as i32);
    let nav = s.nav(Rounding::Down);
    let hedge_value = d.quote_value(s.spot, s.pool.hedge_balance, Rounding::Down).unwrap_or(0);
    let band = s.band();
    let deviation = I80F48::from_num(s.pool.hedge_balance) - s.cache.target_hedge();
    let live: Vec<_> = series.iter().filter(|x| x.series.state == SeriesState::Live).collect();
    let due = match s.rebalance_plan() {
        Ok(p) => {
            json!({ "due": true, "side": format!("{:?}", p.side), "underlying": p.underlying, "quote_bound": p.quote_bound })
        }
        Err(e) => json!({ "due": false, "reason": crate::snapshot::program_error_line(&e) }),
    };
    let json = json!({
        "pool": key.to_string(),
        "admin": s.pool.admin.to_string(),
        "governance": governance_json(&s.pool),
        "venue_program": s.pool.params.hedge.venue_program.to_string(),
        "venue_pool": s.pool.params.hedge.venue_pool.to_string(),
        "underlying_mint": s.pool.underlying_mint.to_string(),
        "quote_mint": s.pool.quote_mint.to_string(),
        "feed_id": format!("0x{}", hex(&s.pool.params.oracle.feed_id)),
        "spot": s.spot.to_string(),
        "price_age_s": s.price_age_s,
        "oracle_problem": s.oracle_problem,
        "nav": nav,
        "lp_supply": s.lp_supply,
        "nav_per_lp": s.nav_per_share(),
        "quote_balance": s.pool.quote_balance,
        "hedge_balance": s.pool.hedge_balance,
        "hedge_value": hedge_value,
        "reserved_payouts": s.pool.reserved_payouts,
        "liability": s.cache.liability.get().to_string(),
        "net_delta": s.cache.net_delta.get().to_string(),
        "net_gamma": s.cache.net_gamma.get().to_string(),
        "net_vega": s.cache.net_vega.get().to_string(),
        "target_hedge": s.cache.target_hedge().to_string(),
        "pool_delta": deviation.to_string(),
        "band": band.widest().to_string(),
        "band_below": band.below.to_string(),
        "band_above": band.above.to_string(),
        "unhedgeable_delta": s.cache.unhedgeable_delta().to_string(),
        "utilisation": s.utilisation(),
        "can_withdraw_now": s.can_withdraw_now(),
        "policy": policy_json(&s.pool.params.hedge.policy),
        "retrace_bps": s.pool.params.hedge.retrace_bps,
        "settlement": json!({
            "grace_s": s.pool.params.oracle.settlement_grace_s,
            "window_s": s.pool.params.oracle.settlement_window_s,
        }),
        "risk_quotes": json!({
            "max_board_vega_bps": s.pool.params.risk.max_board_vega_bps,
            "max_board_cash_gamma_bps": s.pool.params.risk.max_board_cash_gamma_bps,
            "hedge_fee_bps": s.pool.params.fees.hedge_fee_bps,
            "hedge_fee_active": options_amm::manager::trade::hedge_fee_params(&s.pool).ok().flatten().is_some(),
            "hedge_rebate_cap_bps": s.pool.params.fees.hedge_rebate_cap_bps,
            "relax_half_life_s": s.pool.params.vol.relax_half_life_s,
        }),
        "rebalance": due,
        "live_series": live.iter().map(|x| x.key.to_string()).collect::<Vec<_>>(),
        "paused": s.pool.paused,
        "rebalance_count": s.pool.rebalance_count,
        "total_premiums": s.pool.total_premiums,
        "total_fees": s.pool.total_fees,
        "total_keeper_rewards": s.pool.total_keeper_rewards,
    });
    let q = |x: u64| format_units(x, dq);
    let mut rows = vec![
        ("pool", key.to_string()),
        ("admin", s.pool.admin.to_string()),
        ("guardian", optional_key(&s.pool.guardian)),
        ("venue", format!("pool {} (program {})", s.pool.params.hedge.venue_pool, s.pool.params.hedge.venue_program)),
        ("timelock", format!("{} s", s.pool.params.governance.timelock_s)),
        (
            "pending change",
            if s.pool.has_pending_change() {
                format!("parameters, applicable from {} (unix s)", s.pool.pending_eta)
            } else {
                "none".into()
            },
        ),
        (
            "spot",
            format!(
                "{:.4} (published {} s ago{})",
                s.spot.to_num::<f64>(),
                s.price_age_s,
                s.oracle_problem.as_ref().map(|p| format!("; {p}")).unwrap_or_default()
            ),
        ),
        (
            "settlement",
            format!(
                "any update in the first {} s after expiry, then only the one covering expiry, up to {} s",
                s.pool.params.oracle.settlement_grace_s, s.pool.params.oracle.settlement_window_s
            ),
        ),
        ("NAV", format!("{:.2} quote", nav as f64 / 10f64.powi(dq as i32))),
        ("LP supply", q(s.lp_supply)),
        ("NAV per LP token", format!("{:.6}", s.nav_per_share())),
        ("quote balance", q(s.pool.quote_balance)),
        ("hedge balance", format!("{} underlying (worth {})", format_units(s.pool.hedge_balance, du), q(hedge_value))),
        ("reserved payouts", q(s.pool.reserved_payouts)),
        ("net delta", format!("{:.4}", units(s.cache.net_delta.get()))),
        ("net gamma", format!("{:.6}", units(s.cache.net_gamma.get()))),
        ("net vega", format!("{:.2} quote per vol", s.cache.net_vega.get().to_num::<f64>() / 10f64.powi(dq as i32))),
        ("target hedge", format!("{:.4}", units(s.cache.target_hedge()))),
        ("pool delta (hedge - target)", format!("{:.4}", units(deviation))),
        (
            "band",
            if band.below == band.above {
                format!("{:.4}", units(band.below))
            } else {
                format!("{:.4} below the target, {:.4} above", units(band.below), units(band.above))
            },
        ),
        ("unhedgeable delta", format!("{:.4}", units(s.cache.unhedgeable_delta()))),
        (
            "per-expiry caps",
            format!(
                "net vega {:.2}% of NAV per 1.00 vol, net cash gamma {:.2}% of NAV per 1% move (see `oamm series list`)",
                s.pool.params.risk.max_board_vega_bps as f64 / 100.0,
                s.pool.params.risk.max_board_cash_gamma_bps as f64 / 100.0
            ),
        ),
        ("hedge-cost fee", hedge_fee_line(&s.pool)),
        (
            "surface relaxation",
            match s.pool.params.vol.relax_half_life_s {
                0 => "off (trade-driven IV moves stay until traded back)".to_string(),
                h => format!("half-life {:.1} h toward the listing IV and skew", h as f64 / 3600.0),
            },
        ),
        ("utilisation", format!("{:.1}%", 100.0 * s.utilisation())),
        ("can withdraw now", q(s.can_withdraw_now())),
        (
            "rebalance",
            match s.rebalance_plan() {
                Ok(p) => format!("due: {:?} {} underlying", p.side, format_units(p.underlying, du)),
                Err(e) => format!("not due ({})", crate::snapshot::program_error_line(&e)),
            },
        ),
        ("live series", live.len().to_string()),
    ];
    if s.pool.paused != 0 {
        rows.push(("paused flags", s.pool.paused.to_string()));
    }
    if s.pool.pending_admin != Pubkey::default() {
        rows.push(("proposed admin", s.pool.pending_admin.to_string()));
    }
    Ok(Report { json, table: kv(&rows) })
}

/// A role's key, or "none" for the default key.
fn optional_key(k: &Pubkey) -> String {
    if *k == Pubkey::default() {
        "none".into()
    } else {
        k.to_string()
    }
}

/// Who can change the pool and what is waiting: what an LP checks first.
fn hedge_fee_line(p: &options_amm::state::Pool) -> String {
    let f = &p.params.fees;
    match options_amm::manager::trade::hedge_fee_params(p) {
        Ok(Some(_)) => format!(
            "{:.0}% of the expected hedging cost a trade's gamma adds; gamma-reducing trades get up to {:.0}% of their fees back",
            f.hedge_fee_bps as f64 / 100.0,
            f.hedge_rebate_cap_bps as f64 / 100.0
        ),
        Ok(None) if f.hedge_fee_bps == 0 => "off".to_string(),
        Ok(None) => "none: the pool's fixed-band hedge policy has no cost model (Whalley-Wilmott and cost-benefit do)"
            .to_string(),
        Err(e) => format!("unavailable ({})", crate::snapshot::program_error_line(&e)),
    }
}

fn governance_json(p: &options_amm::state::Pool) -> serde_json::Value {
    let role = |k: &Pubkey| if *k == Pubkey::default() { serde_json::Value::Null } else { json!(k.to_string()) };
    json!({
        "creator": p.creator.to_string(),
        "guardian": role(&p.guardian),
        "proposed_admin": role(&p.pending_admin),
        "timelock_s": p.params.governance.timelock_s,
        "pending_change": if p.has_pending_change() {
            json!({ "eta": p.pending_eta, "params": format!("{:?}", p.pending_params) })
        } else {
            serde_json::Value::Null
        },
    })
}

async fn list(b: &mut Backend) -> Result<Report> {
    let all = pools(b).await?;
    let json = json!(all
        .iter()
        .map(|(k, p)| json!({ "pool": k.to_string(), "underlying_mint": p.underlying_mint.to_string(),
                               "quote_mint": p.quote_mint.to_string(), "live_series": p.live_series }))
        .collect::<Vec<_>>());
    let table = if all.is_empty() {
        format!("no options pools on {}\n", b.name())
    } else {
        all.iter()
            .map(|(k, p)| {
                format!(
                    "{k}  underlying {}  quote {}  {} live series\n",
                    p.underlying_mint, p.quote_mint, p.live_series
                )
            })
            .collect()
    };
    Ok(Report { json, table })
}
