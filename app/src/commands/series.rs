//! `oamm series create|list`.
use crate::amounts::{format_units, parse_units};
use crate::backend::Backend;
use crate::output::{kv, Report};
use crate::snapshot::{pick_pool, PoolSnapshot};
use anyhow::{bail, Result};
use oamm_sdk::ix;
use oamm_sdk::pda::SeriesKeys;
use options_amm::state::{Kind, SeriesState};
use options_math::amm::Side;
use serde_json::json;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signer::Signer;

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum KindArg {
    Call,
    Put,
}

impl From<KindArg> for Kind {
    fn from(k: KindArg) -> Kind {
        match k {
            KindArg::Call => Kind::Call,
            KindArg::Put => Kind::Put,
        }
    }
}

#[derive(clap::Subcommand, Debug)]
pub enum SeriesCommand {
    /// List a strike/expiry/kind (pool admin only).
    Create(CreateArgs),
    /// Every series: strike, expiry, kind, IV, bid/ask for one contract, open interest.
    List,
}

#[derive(clap::Args, Debug)]
pub struct CreateArgs {
    /// Strike in quote units (e.g. 150 or 152.5).
    #[arg(long)]
    pub strike: String,
    /// Expiry: unix seconds, RFC 3339 (2027-01-22T08:00:00Z) or relative to now (+7d, +36h).
    #[arg(long, allow_hyphen_values = true)]
    pub expiry: String,
    #[arg(long, value_enum)]
    pub kind: KindArg,
}

/// An expiry as unix seconds.
pub fn parse_expiry(text: &str, now: i64) -> Result<i64> {
    let t = text.trim();
    if let Some(rel) = t.strip_prefix('+') {
        let (num, unit) = rel.split_at(rel.len().saturating_sub(1));
        let n: i64 = num.parse().map_err(|_| anyhow::anyhow!("`{text}`: expected +<number><d|h|m>, e.g. +7d"))?;
        let secs = match unit {
            "d" => 86_400,
            "h" => 3_600,
            "m" => 60,
            _ => bail!("`{text}`: the unit must be d, h or m"),
        };
        return Ok(now + n * secs);
    }
    if let Ok(unix) = t.parse::<i64>() {
        return Ok(unix);
    }
    match chrono::DateTime::parse_from_rfc3339(t) {
        Ok(dt) => Ok(dt.timestamp()),
        Err(_) => bail!("`{text}` is not an expiry: use unix seconds, RFC 3339 (2027-01-22T08:00:00Z) or +7d"),
    }
}

pub fn rfc3339(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0).map(|d| d.to_rfc3339()).unwrap_or_else(|| unix.to_string())
}

pub async fn run(b: &mut Backend, cmd: SeriesCommand, pool: Option<Pubkey>) -> Result<Report> {
    let key = pick_pool(b, pool).await?;
    match cmd {
        SeriesCommand::Create(a) => create(b, key, a).await,
        SeriesCommand::List => list(b, key).await,
    }
}

async fn create(b: &mut Backend, pool_key: Pubkey, a: CreateArgs) -> Result<Report> {
    let s = PoolSnapshot::load(b, pool_key).await?;
    let strike_quote = parse_units(&a.strike, s.pool.quote_decimals, "strike")?;
    if strike_quote == 0 {
        bail!("strike must be greater than zero");
    }
    let expiry = parse_expiry(&a.expiry, s.now)?;
    let kind: Kind = a.kind.into();
    let keys = SeriesKeys::derive_for(&b.program_id(), &pool_key, expiry, strike_quote, kind);
    if b.account(&keys.series).await?.is_some() {
        bail!("this series already exists at {}", keys.series);
    }
    let admin = b.wallet().pubkey();
    if admin != s.pool.admin {
        bail!("only the pool admin ({}) can list series; your wallet is {admin}", s.pool.admin);
    }
    let data = ix::data::CreateSeries { strike_quote, expiry, kind };
    let sig = b.send(&[ix::ix(ix::create_series(admin, &s.keys, &keys), data)], &[]).await?;
    Ok(Report {
        json: json!({ "series": keys.series.to_string(), "option_mint": keys.option_mint.to_string(),
                      "strike": a.strike, "expiry": expiry, "kind": format!("{kind:?}").to_lowercase(), "signature": sig }),
        table: kv(&[
            ("series", keys.series.to_string()),
            ("option mint", keys.option_mint.to_string()),
            ("expiry", rfc3339(expiry)),
            ("signature", sig),
        ]),
    })
}

async fn list(b: &mut Backend, pool_key: Pubkey) -> Result<Report> {
    let s = PoolSnapshot::load(b, pool_key).await?;
    let d = s.pool.decimals();
    let one = 10u64.pow(d.underlying as u32);
    let mut rows = Vec::new();
    let mut table = format!(
        "{:>3}  {:<44}  {:>10}  {:<25}  {:<4}  {:>7}  {:>12}  {:>12}  {:>12}  {:>12}  {}\n",
        "#", "series", "strike", "expiry", "kind", "IV", "bid", "ask", "open int.", "cap room", "state"
    );
    let mut expiries: Vec<(i64, String)> = Vec::new();
    for (i, x) in s.series(b).await?.iter().enumerate() {
        let sr = &x.series;
        let kind = format!("{:?}", sr.kind).to_lowercase();
        let (iv, bid, ask) = if sr.state == SeriesState::Live {
            let iv = s.cache.iv(sr.cache_index as usize).map(|v| v.to_num::<f64>()).ok();
            let bid = s.quote(x, Side::Sell, one.min(sr.open_interest).max(1)).ok().map(|q| q.total);
            let ask = s.quote(x, Side::Buy, one).ok().map(|q| q.total);
            (iv, bid, ask)
        } else {
            (None, None, None)
        };
        let state = match sr.state {
            SeriesState::Live => "live".to_string(),
            SeriesState::Settled => {
                format!("settled at {:.4}", options_math::I80F48::from_bits(sr.settlement_price_bits).to_num::<f64>())
            }
        };
        let q = |v: Option<u64>| v.map(|x| format_units(x, d.quote)).unwrap_or_else(|| "-".into());
        let limits = s.expiry_limits(x);
        let room = match limits {
            Some(l) if l.room.contracts == u64::MAX => "any".to_string(),
            Some(l) => format_units(l.room.contracts, d.underlying),
            None => "-".into(),
        };
        if let Some(l) = limits {
            if !expiries.iter().any(|(e, _)| *e == sr.expiry) {
                let q = |x: options_math::I80F48| x.to_num::<f64>() / 10f64.powi(d.quote as i32);
                expiries.push((
                    sr.expiry,
                    format!(
                        "{:<25}  net vega {:>12.2} of {:>12.2}  cash gamma {:>12.2} of {:>12.2}\n",
                        rfc3339(sr.expiry),
                        q(l.exposure.vega),
                        q(l.caps.0),
                        q(l.exposure.cash_gamma),
                        q(l.caps.1)
                    ),
                ));
            }
        }
        table += &format!(
            "{i:>3}  {:<44}  {:>10}  {:<25}  {:<4}  {:>7}  {:>12}  {:>12}  {:>12}  {:>12}  {state}\n",
            x.key.to_string(),
            format_units(sr.strike_quote, d.quote),
            rfc3339(sr.expiry),
            kind,
            iv.map(|v| format!("{:.1}%", 100.0 * v)).unwrap_or_else(|| "-".into()),
            q(bid),
            q(ask),
            format_units(sr.open_interest, d.underlying),
            room,
        );
        rows.push(json!({
            "index": i, "series": x.key.to_string(), "option_mint": sr.option_mint.to_string(),
            "strike": format_units(sr.strike_quote, d.quote), "strike_quote": sr.strike_quote, "expiry": sr.expiry, "kind": kind,
            "iv": iv, "bid_1": bid, "ask_1": ask, "open_interest": sr.open_interest, "state": state,
            "payoff_per_contract": if sr.state == SeriesState::Settled { Some(sr.payoff_per_contract().to_string()) } else { None },
            "expiry_limits": limits.map(|l| l.json(d.quote)),
        }));
    }
    if !expiries.is_empty() {
        table += "\nper-expiry limits (quote per 1.00 of vol / per 1% move; caps scale with NAV; cap room = contracts that still fit):\n";
        for (_, line) in expiries {
            table += &line;
        }
    }
    Ok(Report { json: json!(rows), table })
}

pub fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Call => "call",
        Kind::Put => "put",
    }
}
