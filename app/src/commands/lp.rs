//! `oamm lp deposit|withdraw`: LP tokens at NAV per share.
use super::wallet_token_account;
use crate::amounts::{format_units, parse_units};
use crate::backend::Backend;
use crate::output::{kv, Report};
use crate::snapshot::{pick_pool, PoolSnapshot};
use anyhow::{bail, Result};
use oamm_sdk::ix;
use options_amm::manager::lp;
use options_amm::manager::nav::LpFlow;
use serde_json::json;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signer::Signer;

#[derive(clap::Subcommand, Debug)]
pub enum LpCommand {
    /// Deposit quote for LP tokens.
    Deposit {
        /// Quote amount (e.g. 1000).
        amount: String,
        /// Slippage allowed on the LP tokens minted, bps.
        #[arg(long, default_value_t = 50)]
        slippage_bps: u16,
    },
    /// Burn LP tokens for quote ("all" for your whole balance).
    Withdraw {
        /// LP tokens to burn (e.g. 500), or "all".
        amount: String,
        #[arg(long, default_value_t = 50)]
        slippage_bps: u16,
    },
}

pub async fn run(b: &mut Backend, pool: Option<Pubkey>, cmd: LpCommand) -> Result<Report> {
    let key = pick_pool(b, pool).await?;
    let s = PoolSnapshot::load(b, key).await?;
    s.require_fresh_oracle()?;
    let dq = s.pool.quote_decimals;
    let (quote_acc, create_quote) = wallet_token_account(b, &s.pool.quote_mint).await?;
    let (lp_acc, create_lp) = wallet_token_account(b, &s.pool.lp_mint).await?;
    let owner = b.wallet().pubkey();
    let mut ixs: Vec<_> = create_quote.into_iter().chain(create_lp).collect();
    let (action, amount, expected, min) = match cmd {
        LpCommand::Deposit { amount, slippage_bps } => {
            let amount = parse_units(&amount, dq, "amount")?;
            if amount == 0 {
                bail!("amount must be greater than zero");
            }
            if b.token_balance(&quote_acc).await? < amount {
                bail!("your quote account {quote_acc} holds less than {}", format_units(amount, dq));
            }
            let nav = s.lp_nav(LpFlow::Deposit);
            if nav < 0 {
                bail!("the pool's NAV is negative: deposits are refused until it recovers");
            }
            let shares = lp::shares_for_deposit(amount, nav as u64, s.lp_supply)?;
            let min = (shares as u128 * (10_000 - slippage_bps.min(10_000) as u128) / 10_000) as u64;
            ixs.push(ix::ix(
                ix::deposit(owner, &s.keys, s.price_account, quote_acc, lp_acc),
                ix::data::Deposit { quote_amount: amount, min_lp_out: min },
            ));
            ("deposit", amount, shares, min)
        }
        LpCommand::Withdraw { amount, slippage_bps } => {
            let held = b.token_balance(&lp_acc).await?;
            let amount = if amount == "all" { held } else { parse_units(&amount, dq, "amount")? };
            if amount == 0 {
                bail!("nothing to withdraw: you hold no LP tokens of this pool");
            }
            if amount > held {
                bail!("you hold {} LP tokens, fewer than {}", format_units(held, dq), format_units(amount, dq));
            }
            let nav = s.lp_nav(LpFlow::Withdrawal);
            if nav <= 0 {
                bail!("the pool's NAV is not positive: withdrawals are refused until it recovers");
            }
            let out = lp::quote_for_shares(amount, nav as u64, s.lp_supply)?;
            let can = s.can_withdraw_now();
            if out > can {
                bail!(
                    "this withdrawal would pay {} but only {} can leave now (about {} LP tokens): the pool must stay solvent and keep what settled holders are owed",
                    format_units(out, dq),
                    format_units(can, dq),
                    format_units(lp::shares_for_quote(can, nav as u64, s.lp_supply), dq)
                );
            }
            let min = (out as u128 * (10_000 - slippage_bps.min(10_000) as u128) / 10_000) as u64;
            ixs.push(ix::ix(
                ix::withdraw(owner, &s.keys, s.price_account, lp_acc, quote_acc),
                ix::data::Withdraw { lp_amount: amount, min_quote_out: min },
            ));
            ("withdraw", amount, out, min)
        }
    };
    let (q0, l0) = (b.token_balance(&quote_acc).await?, b.token_balance(&lp_acc).await?);
    let sig = b.send(&ixs, &[]).await?;
    let (q1, l1) = (b.token_balance(&quote_acc).await?, b.token_balance(&lp_acc).await?);
    let after = PoolSnapshot::load(b, key).await?;
    Ok(Report {
        json: json!({ "action": action, "amount": amount, "expected": expected, "bound": min,
                      "quote_change": q1 as i128 - q0 as i128, "lp_change": l1 as i128 - l0 as i128,
                      "nav_per_lp": after.nav_per_share(), "can_withdraw_now": after.can_withdraw_now(), "signature": sig }),
        table: kv(&[
            ("quote change", format!("{:+}", (q1 as i128 - q0 as i128) as f64 / 10f64.powi(dq as i32))),
            ("LP change", format!("{:+}", (l1 as i128 - l0 as i128) as f64 / 10f64.powi(dq as i32))),
            ("NAV per LP token", format!("{:.6}", after.nav_per_share())),
            ("can withdraw now", format_units(after.can_withdraw_now(), dq)),
            ("signature", sig),
        ]),
    })
}
