//! The demo's simulated traders: a random buy or sell, priced first with
//! the program's own trade function.
use super::*;

impl World {
    /// One trader, one series, buy or (if they hold some) sell; priced
    /// first with the program's own trade function so a refusal costs no
    /// transaction, then sent with the quote as the slippage bound.
    pub(super) async fn random_trade(&mut self, rng: &mut ChaCha8Rng) -> Result<()> {
        let (bank, _) = parts(&mut self.b, &self.pool)?;
        let now = bank.now();
        let cutoff = self.trading_cutoff_s;
        let open: Vec<usize> = (0..self.series.len())
            .filter(|&i| !self.series[i].record.settled && now < self.series[i].expiry - cutoff)
            .collect();
        if open.is_empty() {
            return Ok(());
        }
        let i = open[rng.gen_range(0..open.len())];
        let who = rng.gen_range(0..self.traders.len());
        let contracts = rng.gen_range(1..=25u64) * SOL;
        let wants_to_sell = rng.gen_range(0..3) == 0;
        let keys = self.series[i].keys;
        let held = match self.traders[who].options.get(&keys.option_mint).copied() {
            Some(a) => {
                let (bank, _) = parts(&mut self.b, &self.pool)?;
                bank.token_balance(&a).await.map_err(bank_err)?
            }
            None => 0,
        };
        let (side, contracts) =
            if wants_to_sell && held > 0 { (Side::Sell, held.min(contracts)) } else { (Side::Buy, contracts) };
        let side_name = match side {
            Side::Buy => "buy",
            Side::Sell => "sell",
        };
        let snap = self.snapshot().await?;
        let series: Series = self.b.anchor(&keys.series, "series").await?;
        let info = SeriesInfo { key: keys.series, series };
        let q = match snap.quote(&info, side, contracts) {
            Ok(q) => q,
            Err(e) => {
                self.refused.push(RefusedTrade {
                    step: self.step,
                    series: self.series[i].label.clone(),
                    side: side_name,
                    contracts,
                    reason: e.to_string(),
                });
                return Ok(());
            }
        };
        let (bank, m) = parts(&mut self.b, &self.pool)?;
        let trader = &mut self.traders[who];
        let q0 = bank.token_balance(&trader.quote).await.map_err(bank_err)?;
        let r = match side {
            Side::Buy => m.buy(bank, trader, &keys, contracts, q.total).await,
            Side::Sell => m.sell(bank, trader, &keys, contracts, q.total).await,
        };
        if let Err(e) = r {
            let line = bank_err(e).to_string();
            self.mismatch(format!(
                "{side_name} {} {}: quoted {} but the program refused: {line}",
                contracts, self.series[i].label, q.total
            ));
            return Ok(());
        }
        let q1 = bank.token_balance(&trader.quote).await.map_err(bank_err)?;
        let paid = match side {
            Side::Buy => q0.checked_sub(q1),
            Side::Sell => q1.checked_sub(q0),
        };
        if paid != Some(q.total) {
            self.mismatch(format!(
                "{side_name} {}: quoted total {} but {:?} moved",
                self.series[i].label, q.total, paid
            ));
        }
        match side {
            Side::Buy => self.premiums_in += q.premium,
            Side::Sell => self.premiums_out += q.premium,
        }
        self.trades.push(TradeRecord {
            step: self.step,
            day: day_of(now),
            series: self.series[i].label.clone(),
            trader: who,
            side: side_name,
            contracts,
            premium: q.premium,
            fee: q.fee,
            total: q.total,
            iv: f(q.iv.trade_iv),
            oracle_price: f(snap.spot),
        });
        Ok(())
    }
}
