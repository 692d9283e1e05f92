//! `oamm settle` and `oamm redeem`.
use super::wallet_token_account;
use crate::amounts::{format_units, parse_units};
use crate::backend::Backend;
use crate::output::{kv, Report};
use crate::snapshot::{pick_pool, program_error_line, PoolSnapshot};
use anyhow::{bail, Result};
use oamm_sdk::ix;
use options_amm::error::OptionsError;
use options_amm::manager::settlement::redemption;
use options_amm::oracle::{read_price, Freshness};
use options_amm::state::SeriesState;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use serde_json::json;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signer::Signer;

pub async fn settle(b: &mut Backend, pool: Option<Pubkey>, series: &str) -> Result<Report> {
    let key = pick_pool(b, pool).await?;
    let s = PoolSnapshot::load(b, key).await?;
    let x = s.find_series(b, series).await?;
    if x.series.state == SeriesState::Settled {
        bail!("series {} is already settled", x.key);
    }
    if s.now < x.series.expiry {
        bail!("series {} expires in {} s; it can be settled after expiry", x.key, x.series.expiry - s.now);
    }
    settlement_price_usable(b, &s, x.series.expiry).await?;
    let sig = b
        .send(&[ix::ix(ix::settle_series(&s.keys, &x.keys(), s.price_account), ix::data::SettleSeries {})], &[])
        .await?;
    let after: options_amm::state::Series = b.anchor(&x.key, "series").await?;
    let dq = s.pool.quote_decimals;
    Ok(Report {
        json: json!({ "series": x.key.to_string(), "settlement_price": options_math::I80F48::from_bits(after.settlement_price_bits).to_string(),
                      "payoff_per_contract": after.payoff_per_contract().to_string(), "reserved": after.payout_remaining, "signature": sig }),
        table: kv(&[
            (
                "settlement price",
                format!("{:.6}", options_math::I80F48::from_bits(after.settlement_price_bits).to_num::<f64>()),
            ),
            ("payoff per contract", format!("{:.6}", after.payoff_per_contract().to_num::<f64>())),
            ("reserved for holders", format_units(after.payout_remaining, dq)),
            ("signature", sig),
        ]),
    })
}

/// The program's own rule for a settlement price, run before sending: a
/// refusal says what the price account holds and what to do instead.
async fn settlement_price_usable(b: &mut Backend, s: &PoolSnapshot, expiry: i64) -> Result<()> {
    let update: PriceUpdateV2 = b.anchor(&s.price_account, "Pyth price update").await?;
    let oracle = &s.pool.params.oracle;
    let Err(e) = read_price(&update, oracle, Freshness::Settlement { expiry }) else {
        return Ok(());
    };
    let published = update.price_message.publish_time - expiry;
    let not_first = e == OptionsError::SettlementPriceNotFirstAfterExpiry.into();
    let what = if published < 0 {
        format!("its update was published {} s before expiry: wait for the feed's next update", -published)
    } else if !not_first {
        "fix or replace that price account".to_string()
    } else {
        format!(
            "its update was published {published} s after expiry, past the pool's {} s grace, and is not the one \
             covering expiry: post that one from Hermes (/v2/updates/price/{expiry}) through the Pyth receiver and \
             pass its account with --price-account",
            oracle.settlement_grace_s
        )
    };
    bail!("price account {} cannot settle this series ({}): {what}", s.price_account, program_error_line(&e))
}

pub async fn redeem(b: &mut Backend, pool: Option<Pubkey>, series: &str, amount: &str) -> Result<Report> {
    let key = pick_pool(b, pool).await?;
    let s = PoolSnapshot::load(b, key).await?;
    let x = s.find_series(b, series).await?;
    if x.series.state != SeriesState::Settled {
        bail!("series {} is not settled yet: run `oamm settle {}` after expiry", x.key, series);
    }
    let d = s.pool.decimals();
    let (options_acc, _) = wallet_token_account(b, &x.series.option_mint).await?;
    let held = b.token_balance(&options_acc).await?;
    let contracts = if amount == "all" { held } else { parse_units(amount, d.underlying, "contracts")? };
    if contracts == 0 || contracts > held {
        bail!("you hold {} contracts of this series", format_units(held, d.underlying));
    }
    let (quote_acc, create_quote) = wallet_token_account(b, &s.pool.quote_mint).await?;
    let pays = redemption(x.series.payoff_per_contract(), contracts, d)?;
    let owner = b.wallet().pubkey();
    let mut ixs: Vec<_> = create_quote.into_iter().collect();
    ixs.push(ix::ix(ix::redeem(owner, &s.keys, &x.keys(), options_acc, quote_acc), ix::data::Redeem { contracts }));
    let sig = b.send(&ixs, &[]).await?;
    Ok(Report {
        json: json!({ "series": x.key.to_string(), "contracts": contracts, "payout": pays, "signature": sig }),
        table: kv(&[
            ("redeemed", format_units(contracts, d.underlying)),
            ("paid", format_units(pays, d.quote)),
            ("signature", sig),
        ]),
    })
}
