//! `oamm migrate <config.toml>`: bring a cluster to what a config file
//! describes, creating only what is missing, so it is safe to re-run:
//! - the spot-venue pool the options pool hedges on (empty: liquidity is
//!   the operator's to add);
//! - the options pool (with the file's parameters), or, if it exists and
//!   the wallet is its admin, its parameters updated where they differ;
//! - every listed series that does not exist yet (expired or past the
//!   trading cut-off are skipped and said so).
use super::series::{kind_name, parse_expiry};
use crate::amounts::parse_units;
use crate::backend::Backend;
use crate::output::Report;
use crate::pool_config::{self, ConfigFile};
use anyhow::{anyhow, bail, Context, Result};
use oamm_sdk::ix;
use oamm_sdk::pda::{PoolKeys, SeriesKeys, VenueKeys};
use options_amm::state::{Kind, Pool};
use serde_json::json;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signer::Signer;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct MigrateArgs {
    /// Config file: [pool] mints and feed, parameter sections, [[series]] list.
    pub config: PathBuf,
    /// Say what would be done; send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

fn say(what: &str, detail: String, actions: &mut Vec<serde_json::Value>) {
    actions.push(json!({ "action": what, "detail": detail }));
}

fn pubkey(field: &str, v: &Option<String>) -> Result<Pubkey> {
    let s = v.as_ref().ok_or_else(|| anyhow!("[pool] needs `{field}`"))?;
    s.parse().map_err(|_| anyhow!("[pool] `{field}` = `{s}` is not a public key"))
}

pub async fn run(b: &mut Backend, a: MigrateArgs) -> Result<Report> {
    let cfg: ConfigFile = pool_config::load(&a.config)?;
    let underlying = pubkey("underlying_mint", &cfg.pool.underlying_mint)?;
    let quote = pubkey("quote_mint", &cfg.pool.quote_mint)?;
    let program = b.program_id();
    // the pool this wallet creates (or created) for the pair: each creator has its own
    let keys = PoolKeys::derive_for(&program, underlying, quote, b.wallet().pubkey());
    let venue = VenueKeys::derive(underlying, quote);
    let venue_pool = match &cfg.pool.venue_pool {
        Some(v) => v.parse().map_err(|_| anyhow!("[pool] `venue_pool` = `{v}` is not a public key"))?,
        None => venue.venue_pool,
    };
    let feed_id = match &cfg.pool.feed_id {
        Some(f) => crate::snapshot::parse_feed_id(f)?,
        None => oamm_sdk::market::SOL_USD_FEED_ID,
    };
    let params = cfg.pool_params(oamm_sdk::market::default_params(feed_id, venue_pool))?;
    let wallet = b.wallet().pubkey();
    let mut actions: Vec<serde_json::Value> = Vec::new();

    // the venue pool, when the pool hedges on this program's default venue
    if venue_pool == venue.venue_pool && b.account(&venue.venue_pool).await?.is_none() {
        let fee_bps = cfg.venue.fee_bps.unwrap_or(30);
        say("create venue pool", format!("{} (fee {fee_bps} bps, no liquidity)", venue.venue_pool), &mut actions);
        if !a.dry_run {
            b.send(&[ix::venue_ix(ix::venue_create_pool(wallet, &venue), ix::venue_data::CreatePool { fee_bps })], &[])
                .await
                .context("creating the venue pool")?;
        }
    }

    match b.account(&keys.pool).await? {
        None => {
            say("create pool", keys.pool.to_string(), &mut actions);
            if !a.dry_run {
                b.send(
                    &[ix::ix(ix::initialize_pool(wallet, &keys), ix::data::InitializePool { params: params.clone() })],
                    &[],
                )
                .await
                .context("creating the options pool")?;
            }
        }
        Some(acc) => {
            let pool = <Pool as anchor_lang::AccountDeserialize>::try_deserialize(&mut acc.data.as_slice())
                .map_err(|_| anyhow!("{} exists but is not an options pool", keys.pool))?;
            if pool.params == params {
                say("keep pool", format!("{} (parameters already as configured)", keys.pool), &mut actions);
            } else if pool.admin != wallet {
                say(
                    "skip parameter update",
                    format!("parameters differ but only the admin {} can change them", pool.admin),
                    &mut actions,
                );
            } else {
                let now = b.now().await?;
                // a tightening applies at once; anything else waits the pool's
                // timelock: proposed on one run, applied by a run after its eta
                let (action, detail, instruction) = if params.is_immediate_change_from(&pool.params) {
                    let update =
                        ix::ix(ix::admin_params(wallet, &keys), ix::data::UpdatePoolParams { params: params.clone() });
                    ("update pool parameters", keys.pool.to_string(), Some(update))
                } else if pool.has_pending_change() && pool.pending_params == params {
                    if now >= pool.pending_eta {
                        let apply = ix::ix(ix::apply_params(wallet, &keys), ix::data::ApplyPoolParams {});
                        ("apply pool parameters", format!("{} (timelock passed)", keys.pool), Some(apply))
                    } else {
                        let wait = format!(
                            "{} (proposed; can be applied from {}: run again then)",
                            keys.pool, pool.pending_eta
                        );
                        ("wait for the timelock", wait, None)
                    }
                } else {
                    let eta = now + pool.params.governance.timelock_s as i64;
                    let propose = ix::ix(
                        ix::propose_params(wallet, &keys),
                        ix::data::ProposePoolParams { params: params.clone() },
                    );
                    let detail = format!(
                        "{} (not only a tightening: applies after the pool's {} s timelock, from {eta}; run again then)",
                        keys.pool, pool.params.governance.timelock_s
                    );
                    ("propose pool parameters", detail, Some(propose))
                };
                say(action, detail, &mut actions);
                if let (Some(instruction), false) = (instruction, a.dry_run) {
                    b.send(&[instruction], &[]).await.with_context(|| format!("{action} failed"))?;
                }
            }
        }
    }

    let now = b.now().await?;
    let quote_decimals = match b.account(&quote).await? {
        Some(m) => crate::backend::spl_token_account::unpack_mint(&m.data)?.decimals,
        None => bail!("quote mint {quote} does not exist on {}", b.name()),
    };
    for (i, s) in cfg.series.iter().enumerate() {
        let strike_quote =
            parse_units(&s.strike, quote_decimals, "strike").with_context(|| format!("[[series]] #{i}"))?;
        let expiry = parse_expiry(&s.expiry, now).with_context(|| format!("[[series]] #{i}"))?;
        let kind = match s.kind.as_str() {
            "call" => Kind::Call,
            "put" => Kind::Put,
            other => bail!("[[series]] #{i}: kind `{other}` must be \"call\" or \"put\""),
        };
        let sk = SeriesKeys::derive_for(&program, &keys.pool, expiry, strike_quote, kind);
        let label = format!("{} {} expiring {}", kind_name(kind), s.strike, super::series::rfc3339(expiry));
        if b.account(&sk.series).await?.is_some() {
            say("keep series", label, &mut actions);
        } else if expiry - params.risk.trading_cutoff_s as i64 <= now {
            say("skip series", format!("{label}: expired or past the trading cut-off"), &mut actions);
        } else {
            say("create series", format!("{label} at {}", sk.series), &mut actions);
            if !a.dry_run {
                let data = ix::data::CreateSeries { strike_quote, expiry, kind };
                b.send(&[ix::ix(ix::create_series(wallet, &keys, &sk), data)], &[])
                    .await
                    .with_context(|| format!("creating series {label}"))?;
            }
        }
    }
    let table = actions
        .iter()
        .map(|x| format!("{:<24} {}\n", x["action"].as_str().unwrap_or(""), x["detail"].as_str().unwrap_or("")))
        .collect::<String>()
        + if a.dry_run { "(dry run: nothing was sent)\n" } else { "" };
    Ok(Report { json: json!({ "pool": keys.pool.to_string(), "dry_run": a.dry_run, "actions": actions }), table })
}
