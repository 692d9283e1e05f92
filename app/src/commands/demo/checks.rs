//! The books checked after every demo step: vaults against the pool's
//! accounting, mints against open interest and the cache.
use super::*;

impl World {
    /// The book-keeping invariants, each counted: vaults hold exactly what
    /// the books say; each series' option supply equals its open interest
    /// and, while live, the cache's net short in the series' own slot; a
    /// settled series' reserve covers what its holders can still claim and
    /// the pool's reserve is the sum of them; live counts agree.
    pub(super) async fn check_books(&mut self) -> Result<()> {
        let mut failed = Vec::new();
        let mut checks = 0u64;
        let mut check = |ok: bool, what: String| {
            checks += 1;
            if !ok {
                failed.push(what);
            }
        };
        let (bank, m) = parts(&mut self.b, &self.pool)?;
        let pool = m.pool(bank).await.map_err(bank_err)?;
        let qv = bank.token_balance(&m.keys.quote_vault).await.map_err(bank_err)?;
        let hv = bank.token_balance(&m.keys.hedge_vault).await.map_err(bank_err)?;
        check(qv == pool.quote_balance, format!("quote vault holds {qv}, the books say {}", pool.quote_balance));
        check(hv == pool.hedge_balance, format!("hedge vault holds {hv}, the books say {}", pool.hedge_balance));
        let cache = m.cache(bank).await.map_err(bank_err)?;
        let (mut owed, mut live) = (0u64, 0usize);
        for ds in &self.series {
            let supply = bank.mint_supply(&ds.keys.option_mint).await.map_err(bank_err)?;
            if bank.account(&ds.keys.series).await.map_err(bank_err)?.is_none() {
                // closed: only ever once nothing is outstanding
                check(
                    ds.record.closed && supply == 0,
                    format!("{}: series account gone with {supply} options outstanding", ds.label),
                );
                continue;
            }
            let s: Series = m.series(bank, &ds.keys).await.map_err(bank_err)?;
            check(
                supply == s.open_interest,
                format!("{}: option supply {supply} != open interest {}", ds.label, s.open_interest),
            );
            match s.state {
                SeriesState::Live => {
                    live += 1;
                    let e = cache.entries.get(s.cache_index as usize);
                    check(
                        e.is_some_and(|e| e.series == ds.keys.series && e.net_short == s.open_interest),
                        format!(
                            "{}: greek cache slot {} does not hold its open interest {}",
                            ds.label, s.cache_index, s.open_interest
                        ),
                    );
                }
                SeriesState::Settled => {
                    owed += s.payout_remaining;
                    let claim = redemption(s.payoff_per_contract(), s.open_interest, self.d).unwrap_or(u64::MAX);
                    check(
                        s.payout_remaining >= claim,
                        format!("{}: reserve {} < what holders can claim {claim}", ds.label, s.payout_remaining),
                    );
                }
            }
        }
        check(
            pool.reserved_payouts == owed,
            format!("reserved payouts {} != owed by settled series {owed}", pool.reserved_payouts),
        );
        check(
            cache.live_count() == live,
            format!("greek cache counts {} live series, there are {live}", cache.live_count()),
        );
        check(
            pool.live_series as usize == live,
            format!("pool counts {} live series, there are {live}", pool.live_series),
        );
        self.invariant_checks += checks;
        self.invariant_violations += failed.len() as u64;
        for what in failed {
            if self.invariant_failures.len() < KEEP_FAILURES {
                self.invariant_failures.push(format!("step {}: {what}", self.step));
            }
        }
        Ok(())
    }
}
