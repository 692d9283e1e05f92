//! The demo's keeper: predict with the program's own plan, rebalance only
//! when it says one is due, and record what the rebalance did.
use super::*;

impl World {
    /// The keeper: predict with the program's plan; rebalance only when due.
    pub(super) async fn keeper_step(&mut self, when: &'static str) -> Result<bool> {
        let s = self.snapshot().await?;
        let p = match s.rebalance_plan() {
            Ok(p) => p,
            // not due, cooling down, or nothing the pool can afford: a keeper waits
            Err(_) => return Ok(false),
        };
        // would more cash have bought more? Then the buy was limited by the
        // quote not owed to holders (the same plan on a copy with more quote)
        let cash_limited = p.side == HedgeSide::BuyUnderlying && {
            let mut rich = s.pool.clone();
            rich.quote_balance = rich.quote_balance.saturating_add(u64::MAX / 4);
            plan_capped(&rich, &s.cache, s.spot, s.now, s.venue_cap.unwrap_or(u64::MAX))
                .map(|r| r.underlying > p.underlying)
                .unwrap_or(false)
        };
        let delta_before = I80F48::from_num(s.pool.hedge_balance) - p.target;
        let (bank, m) = parts(&mut self.b, &self.pool)?;
        let k0 = bank.token_balance(&self.keeper.quote).await.map_err(bank_err)?;
        if let Err(e) = m.rebalance(bank, &self.keeper).await {
            let line = bank_err(e).to_string();
            self.mismatch(format!("a rebalance the plan said was due failed: {line}"));
            return Ok(false);
        }
        let k1 = bank.token_balance(&self.keeper.quote).await.map_err(bank_err)?;
        let reward = k1.saturating_sub(k0);
        let a = self.snapshot().await?;
        let (q0, q1) = (s.pool.quote_balance, a.pool.quote_balance);
        let (h0, h1) = (s.pool.hedge_balance, a.pool.hedge_balance);
        let fair = |u: u64| self.d.quote_value(s.spot, u, Rounding::Down).unwrap_or(0) as i64;
        let (side, token_in, amount_in, token_out, amount_out, cost) = match p.side {
            HedgeSide::BuyUnderlying => {
                let paid = q0.saturating_sub(q1).saturating_sub(reward);
                let got = h1.saturating_sub(h0);
                ("buy_underlying", "quote", paid, "underlying", got, paid as i64 - fair(got))
            }
            HedgeSide::SellUnderlying => {
                let sold = h0.saturating_sub(h1);
                let got = (q1 + reward).saturating_sub(q0);
                ("sell_underlying", "underlying", sold, "quote", got, fair(sold) - got as i64)
            }
        };
        let moved = if p.side == HedgeSide::BuyUnderlying { amount_out } else { amount_in };
        if moved != p.underlying {
            self.mismatch(format!("the rebalance moved {moved} underlying base units, the plan said {}", p.underlying));
        }
        let delta_after = I80F48::from_num(h1) - a.cache.target_hedge();
        let inside_band = delta_after.abs() <= p.band;
        let cap = if p.underlying == self.max_trade {
            Some("max_trade")
        } else if Some(p.underlying) == s.venue_cap {
            Some("venue_depth")
        } else if p.funds_payouts {
            Some("funds_payouts")
        } else if cash_limited {
            Some("cash")
        } else {
            None
        };
        self.rebalances.push(RebalanceRecord {
            step: self.step,
            day: day_of(s.now),
            when,
            side,
            oracle_price: f(s.spot),
            hedge_before: h0,
            hedge_after: h1,
            target: f(p.target),
            band: f(p.band),
            delta_before: f(delta_before),
            delta_after: f(delta_after),
            token_in,
            amount_in,
            token_out,
            amount_out,
            quote_bound: p.quote_bound,
            keeper_reward: reward,
            cost,
            inside_band,
            cap,
        });
        Ok(true)
    }
}
