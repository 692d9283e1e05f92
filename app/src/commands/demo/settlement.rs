//! Expiry in the demo: settle each series of an expiry on the first price
//! after it, redeem for the holders, close what is fully redeemed.
use super::*;

impl World {
    /// Expiry `e`: at `t` (just after it) the first price published since
    /// then settles every series of that expiry; the keeper unwinds the
    /// hedge those series needed; holders redeem.
    pub(super) async fn expire(&mut self, e: i64, t: i64, price: f64) -> Result<()> {
        self.move_to(t, price).await?;
        for i in 0..self.series.len() {
            if self.series[i].expiry != e || self.series[i].record.settled {
                continue;
            }
            let keys = self.series[i].keys;
            let (bank, m) = parts(&mut self.b, &self.pool)?;
            m.settle(bank, &keys)
                .await
                .map_err(bank_err)
                .with_context(|| format!("settling {}", self.series[i].label))?;
            let s: Series = m.series(bank, &keys).await.map_err(bank_err)?;
            let r = &mut self.series[i].record;
            r.settled = true;
            r.settlement_price = Some(f(I80F48::from_bits(s.settlement_price_bits)));
            r.payoff_per_contract = Some(f(s.payoff_per_contract()));
            r.open_interest_at_settlement = s.open_interest;
            r.reserved = s.payout_remaining;
            for t in 0..self.traders.len() {
                if self.traders[t].options.contains_key(&keys.option_mint) {
                    self.pending_redemptions.push((t, i));
                }
            }
        }
        self.keeper_step("expiry").await?;
        self.redeem_pending().await?;
        Ok(())
    }

    /// Holders of settled series redeem everything; a holding the vault
    /// cannot pay yet (the quote still sits in the hedge) waits for the next
    /// rebalance.
    pub(super) async fn redeem_pending(&mut self) -> Result<()> {
        let pending = std::mem::take(&mut self.pending_redemptions);
        for (t, i) in pending {
            let keys = self.series[i].keys;
            let (bank, m) = parts(&mut self.b, &self.pool)?;
            let Some(acct) = self.traders[t].options.get(&keys.option_mint).copied() else { continue };
            let held = bank.token_balance(&acct).await.map_err(bank_err)?;
            if held == 0 {
                continue;
            }
            let s: Series = m.series(bank, &keys).await.map_err(bank_err)?;
            let expected =
                redemption(s.payoff_per_contract(), held, self.d).map_err(|e| anyhow!("redemption maths: {e:?}"))?;
            let trader = &mut self.traders[t];
            let q0 = bank.token_balance(&trader.quote).await.map_err(bank_err)?;
            match m.redeem(bank, trader, &keys, held).await {
                Ok(()) => {}
                Err(e) if is_code(&e, OptionsError::InsufficientQuoteInVault) => {
                    self.pending_redemptions.push((t, i));
                    continue;
                }
                Err(e) => {
                    let line = bank_err(e).to_string();
                    self.mismatch(format!("redeeming {} failed: {line}", self.series[i].label));
                    continue;
                }
            }
            let q1 = bank.token_balance(&trader.quote).await.map_err(bank_err)?;
            let paid = q1.saturating_sub(q0);
            if paid != expected {
                self.mismatch(format!("redeeming {} paid {paid}, expected {expected}", self.series[i].label));
            }
            let r = &mut self.series[i].record;
            r.redeemed_contracts += held;
            r.redeemed_quote += paid;
        }
        Ok(())
    }

    /// Close every fully redeemed series: its reserve's rounding dust (each
    /// redemption rounds down, the reserve rounded up) goes back to the LPs.
    pub(super) async fn close_redeemed_series(&mut self) -> Result<()> {
        for i in 0..self.series.len() {
            let keys = self.series[i].keys;
            let (bank, m) = parts(&mut self.b, &self.pool)?;
            if bank.account(&keys.series).await.map_err(bank_err)?.is_none() {
                continue;
            }
            let s: Series = m.series(bank, &keys).await.map_err(bank_err)?;
            if s.state != SeriesState::Settled || s.open_interest != 0 {
                continue;
            }
            m.close_series(bank, &keys)
                .await
                .map_err(bank_err)
                .with_context(|| format!("closing {}", self.series[i].label))?;
            self.series[i].record.closed = true;
        }
        Ok(())
    }
}
