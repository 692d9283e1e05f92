//! `oamm quote`, `buy`, `sell`, `positions`.
use super::series::kind_name;
use super::wallet_token_account;
use crate::amounts::{format_units, parse_units};
use crate::backend::Backend;
use crate::output::{kv, Report};
use crate::snapshot::{pick_pool, PoolSnapshot, SeriesInfo};
use anyhow::{bail, Result};
use oamm_sdk::ix;
use options_amm::manager::settlement::redemption;
use options_amm::manager::solvency::payoff;
use options_amm::state::SeriesState;
use options_math::amm::{Side, TradeQuote};
use options_math::units::Rounding;
use options_math::I80F48;
use serde_json::json;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signer::Signer;

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SideArg {
    Buy,
    Sell,
}

#[derive(clap::Args, Debug)]
pub struct QuoteArgs {
    /// Series address or its # in `oamm series list`.
    pub series: String,
    /// Contracts (units of underlying, e.g. 2.5).
    pub contracts: String,
    #[arg(value_enum)]
    pub side: SideArg,
}

#[derive(clap::Args, Debug)]
pub struct TradeArgs {
    /// Series address or its # in `oamm series list`.
    pub series: String,
    /// Contracts (units of underlying, e.g. 2.5).
    pub contracts: String,
    /// Slippage allowed over the quote, in bps (ignored with an explicit bound).
    #[arg(long, default_value_t = 50)]
    pub slippage_bps: u16,
    /// Explicit bound in quote units: most to pay (buy) or least to receive (sell).
    #[arg(long)]
    pub limit: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct PositionsArgs {
    /// Whose positions (default: your wallet).
    #[arg(long)]
    pub owner: Option<Pubkey>,
}

fn quote_json(q: &TradeQuote, dq: u8) -> serde_json::Value {
    json!({
        "premium": q.premium, "fee": q.fee, "total": q.total,
        "premium_display": format_units(q.premium, dq), "fee_display": format_units(q.fee, dq), "total_display": format_units(q.total, dq),
        "option_fee": q.option_fee.to_string(), "spot_fee": q.spot_fee.to_string(),
        "vega_fee": q.vega_fee.to_string(), "hedge_fee": q.hedge_fee,
        "iv_after": q.iv.trade_iv.to_string(), "base_iv_after": q.iv.base_iv.to_string(), "skew_after": q.iv.skew.to_string(),
        "price_per_contract": q.greeks.price.to_string(), "delta": q.greeks.delta.to_string(),
        "open_interest_after": q.net_short_after,
    })
}

fn quote_rows(q: &TradeQuote, side: Side, dq: u8) -> Vec<(&'static str, String)> {
    let part = |x: I80F48| format!("{:.6}", x.to_num::<f64>() / 10f64.powi(dq as i32));
    let hedge = if q.hedge_fee >= 0 {
        format_units(q.hedge_fee as u64, dq)
    } else {
        format!("-{} (discount: the trade removes gamma)", format_units(q.hedge_fee.unsigned_abs(), dq))
    };
    vec![
        ("premium", format_units(q.premium, dq)),
        ("  option fee", part(q.option_fee)),
        ("  spot fee", part(q.spot_fee)),
        ("  vega fee", part(q.vega_fee)),
        ("  hedge-cost fee", hedge),
        ("fees (total, rounded up, at least the minimum)", format_units(q.fee, dq)),
        ("IV after trade", format!("{:.2}%", 100.0 * q.iv.trade_iv.to_num::<f64>())),
        ("price per contract", format!("{:.6}", q.greeks.price.to_num::<f64>())),
        (if side == Side::Buy { "total to pay" } else { "total to receive" }, format_units(q.total, dq)),
    ]
}

async fn load(b: &mut Backend, pool: Option<Pubkey>, series: &str) -> Result<(PoolSnapshot, SeriesInfo)> {
    let key = pick_pool(b, pool).await?;
    let s = PoolSnapshot::load(b, key).await?;
    let x = s.find_series(b, series).await?;
    Ok((s, x))
}

pub async fn quote(b: &mut Backend, pool: Option<Pubkey>, a: QuoteArgs) -> Result<Report> {
    let (s, x) = load(b, pool, &a.series).await?;
    let contracts = parse_units(&a.contracts, s.pool.underlying_decimals, "contracts")?;
    let side = if a.side == SideArg::Buy { Side::Buy } else { Side::Sell };
    let q = s.quote(&x, side, contracts)?;
    let mut json = quote_json(&q, s.pool.quote_decimals);
    json["series"] = json!(x.key.to_string());
    json["side"] = json!(if side == Side::Buy { "buy" } else { "sell" });
    json["contracts"] = json!(contracts);
    json["oracle_ok"] = json!(s.oracle_problem.is_none());
    let mut rows = quote_rows(&q, side, s.pool.quote_decimals);
    if let Some(l) = s.expiry_limits(&x) {
        json["expiry_limits"] = l.json(s.pool.quote_decimals);
        rows.push(("this expiry now", l.describe(s.pool.decimals())));
    }
    if let Some(p) = &s.oracle_problem {
        rows.push(("warning", format!("a trade now would be refused: {p}")));
    }
    Ok(Report { json, table: kv(&rows) })
}

pub async fn trade(b: &mut Backend, pool: Option<Pubkey>, a: TradeArgs, side: Side) -> Result<Report> {
    let (s, x) = load(b, pool, &a.series).await?;
    s.require_fresh_oracle()?;
    let (du, dq) = (s.pool.underlying_decimals, s.pool.quote_decimals);
    let contracts = parse_units(&a.contracts, du, "contracts")?;
    if contracts == 0 {
        bail!("contracts must be greater than zero");
    }
    let q = s.quote(&x, side, contracts)?;
    let limit = match &a.limit {
        Some(l) => parse_units(l, dq, "limit")?,
        None => {
            let slip = a.slippage_bps as u128;
            match side {
                Side::Buy => ((q.total as u128 * (10_000 + slip)).div_ceil(10_000)) as u64,
                Side::Sell => ((q.total as u128 * (10_000 - slip.min(10_000))) / 10_000) as u64,
            }
        }
    };
    let (quote_acc, create_quote) = wallet_token_account(b, &s.pool.quote_mint).await?;
    let (options_acc, create_options) = wallet_token_account(b, &x.series.option_mint).await?;
    let owner = b.wallet().pubkey();
    if side == Side::Buy && b.token_balance(&quote_acc).await? < limit.min(q.total) {
        bail!("your quote account {quote_acc} holds less than the {} this costs", format_units(q.total, dq));
    }
    if side == Side::Sell && b.token_balance(&options_acc).await? < contracts {
        bail!("you hold fewer than {} contracts of this series", format_units(contracts, du));
    }
    let mut ixs: Vec<_> = create_quote.into_iter().chain(create_options).collect();
    let accounts = ix::trade(owner, &s.keys, &x.keys(), s.price_account, quote_acc, options_acc);
    ixs.push(match side {
        Side::Buy => ix::ix(accounts, ix::data::Buy { contracts, max_total_cost: limit }),
        Side::Sell => ix::ix(accounts, ix::data::Sell { contracts, min_total_proceeds: limit }),
    });
    let before = b.token_balance(&quote_acc).await?;
    let sig = b.send(&ixs, &[]).await?;
    let after = b.token_balance(&quote_acc).await?;
    let moved = before.abs_diff(after);
    let mut json = quote_json(&q, dq);
    json["series"] = json!(x.key.to_string());
    json["contracts"] = json!(contracts);
    json["limit"] = json!(limit);
    json["quote_moved"] = json!(moved);
    json["signature"] = json!(sig);
    let mut rows = quote_rows(&q, side, dq);
    rows.push((if side == Side::Buy { "paid" } else { "received" }, format_units(moved, dq)));
    rows.push(("signature", sig));
    Ok(Report { json, table: kv(&rows) })
}

pub async fn positions(b: &mut Backend, pool: Option<Pubkey>, a: PositionsArgs) -> Result<Report> {
    let key = pick_pool(b, pool).await?;
    let s = PoolSnapshot::load(b, key).await?;
    let owner = a.owner.unwrap_or_else(|| b.wallet().pubkey());
    let series = s.series(b).await?;
    let accounts = b.token_accounts(&owner).await?;
    let d = s.pool.decimals();
    let mut rows = Vec::new();
    let mut table = format!(
        "{:<44}  {:<4}  {:>10}  {:>12}  {:>14}  {:>14}\n",
        "series", "kind", "strike", "held", "mark value", "pays if settled now"
    );
    let (mut total_value, mut total_payoff) = (0u64, 0u64);
    for x in &series {
        let held: u64 = accounts.iter().filter(|(_, t)| t.mint == x.series.option_mint).map(|(_, t)| t.amount).sum();
        if held == 0 {
            continue;
        }
        let sr = &x.series;
        let (value, pays) = match sr.state {
            SeriesState::Live => {
                let e = &s.cache.entries[sr.cache_index as usize];
                let value = d.quote_value(e.value.get(), held, Rounding::Down).unwrap_or(0);
                let intrinsic = payoff(sr.kind.into(), sr.strike(), s.spot);
                (value, d.quote_value(intrinsic, held, Rounding::Down).unwrap_or(0))
            }
            SeriesState::Settled => {
                let p = redemption(sr.payoff_per_contract(), held, d).unwrap_or(0);
                (p, p)
            }
        };
        total_value += value;
        total_payoff += pays;
        table += &format!(
            "{:<44}  {:<4}  {:>10}  {:>12}  {:>14}  {:>14}\n",
            x.key.to_string(),
            kind_name(sr.kind),
            format_units(sr.strike_quote, d.quote),
            format_units(held, d.underlying),
            format_units(value, d.quote),
            format_units(pays, d.quote)
        );
        rows.push(json!({ "series": x.key.to_string(), "kind": kind_name(sr.kind), "strike_quote": sr.strike_quote, "expiry": sr.expiry,
                          "held": held, "value": value, "payoff_now": pays, "settled": sr.state == SeriesState::Settled }));
    }
    let lp: u64 = accounts.iter().filter(|(_, t)| t.mint == s.pool.lp_mint).map(|(_, t)| t.amount).sum();
    let lp_value = (lp as f64 * s.nav_per_share()) as u64;
    table += &format!(
        "total mark value {}, pays if settled now {}\n",
        format_units(total_value, d.quote),
        format_units(total_payoff, d.quote)
    );
    if lp > 0 {
        table +=
            &format!("LP tokens {} (worth ~{} at NAV)\n", format_units(lp, d.quote), format_units(lp_value, d.quote));
    }
    Ok(Report {
        json: json!({ "owner": owner.to_string(), "options": rows, "total_value": total_value, "total_payoff_now": total_payoff,
                      "lp_tokens": lp, "lp_value": lp_value }),
        table,
    })
}
