//! Trader-flow lab (issue 18): what the hedge-cost fee does to an LP.
//!
//! A pool lists a fixed set of series (every strike x call/put x expiry),
//! random traders arrive and trade against it at `quote_trade`'s prices or
//! walk away, the pool delta-hedges every minute with the program's
//! Whalley-Wilmott `decide`, and the series settle in cash at the path's
//! spot. Every fee setting runs on the SAME paths and the SAME traders (see
//! [`traders`]), so the differences between settings are paired: they come
//! from the pool's answers, not from sampling.
//!
//! Timeline of one path, a step a minute (k = 0..n, spot S_k):
//!   settle what expired at k (payout at S_k); relax the surface (if on);
//!   reprice the book at S_k; the traders of minute k, in order; rebalance.
//! The hedge held over [k, k+1) earns hedge x (S_(k+1) - S_k). At the end
//! nothing trades; the hedge is valued at S_n (no unwind), what is still
//! open at its cached value.
//!
//! LP P&L of a path, quote, rate 0 (no discounting):
//!   cash_n + hedge_n S_n - liability_n - capital
//!   = premiums + fees - payouts + hedge P&L - hedging cost - liability_n,
//! (the test `the_ledger_adds_up` checks the two agree), where premiums are
//! net of premiums paid to sellers, hedge P&L = sum hedge_k (S_(k+1) - S_k)
//! and hedging cost = the venue's fee and price impact on every swap.
use crate::cost::CostModel;
use crate::paths::{Market, PathGenerator, PathModel};
use crate::{config_err, Result};
use options_math::amm::relax_factor;
use options_math::amm::Side;
use options_math::I80F48;
use rayon::prelude::*;
use serde::Serialize;

pub mod pool;
pub mod report;
#[cfg(test)]
mod tests;
pub mod traders;

pub use pool::{Answer, HedgeModel, Ledger, Pool, PoolRules};
pub use report::{FlowReport, Paired, Probe, SettingSummary};
pub use traders::{Arrival, TraderModel, CONTRACT};

pub const STEP_S: i64 = 60;

/// One way of charging (or not) the hedge-cost fee.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeeSetting {
    pub name: String,
    /// (share, rebate_cap); None = no hedge-cost fee.
    pub hedge_fee: Option<(f64, f64)>,
}

#[derive(Clone, Debug)]
pub struct FlowConfig {
    /// Spot at the start, the paths' vol (also the traders' mean view), rate.
    pub market: Market,
    pub horizon_days: f64,
    pub expiries_days: Vec<f64>,
    pub strikes: Vec<f64>,
    /// LP capital at the start, quote.
    pub capital: f64,
    pub traders: TraderModel,
    pub rules: PoolRules,
    pub hedge: HedgeModel,
    pub settings: Vec<FeeSetting>,
    pub paths: usize,
    pub seed: u64,
}

impl FlowConfig {
    /// The setup with the given program rules: SOL-like spot 150 at
    /// 80% vol, 7 and 14 day expiries, strikes 140/150/160 (at 130/170 the 7-day wings sit outside the 0.15 delta band), 500,000 quote,
    /// 100 traders a day, WW at 30 bps with risk aversion 0.001, a venue of
    /// 20,000 SOL a side, and three settings: no fee, share 1 and 0.5.
    pub fn standard(rules: PoolRules) -> FlowConfig {
        let spot = 150.0;
        FlowConfig {
            market: Market { spot, vol: 0.8, rate: 0.0 },
            horizon_days: 14.0,
            expiries_days: vec![7.0, 14.0],
            strikes: vec![140.0, 150.0, 160.0],
            capital: 500_000.0,
            traders: TraderModel::default(),
            rules,
            hedge: HedgeModel {
                cost: 0.003,
                risk_aversion: 0.001,
                min_band: 0.5,
                max_trade: 100.0,
                costs: CostModel {
                    fixed_per_trade: 0.0,
                    fee_bps: 30.0,
                    venue_tvl: 2.0 * 20_000.0 * spot,
                    venue_spot: spot,
                },
            },
            settings: vec![
                FeeSetting { name: "no hedge fee".into(), hedge_fee: None },
                FeeSetting { name: "share 1".into(), hedge_fee: Some((1.0, 0.5)) },
                FeeSetting { name: "share 0.5".into(), hedge_fee: Some((0.5, 0.5)) },
            ],
            paths: 200,
            seed: 1,
        }
    }

    pub fn n_steps(&self) -> usize {
        (self.horizon_days * 1440.0).round() as usize
    }

    pub fn expiries_s(&self) -> Vec<i64> {
        self.expiries_days.iter().map(|d| (d * 86_400.0).round() as i64).collect()
    }

    pub fn check(&self) -> Result<()> {
        crate::paths::check_market(&self.market)?;
        self.traders.check()?;
        self.hedge.costs.check()?;
        if self.n_steps() == 0 || self.paths == 0 || self.settings.is_empty() {
            return config_err("--days, --paths and the fee settings must be non-empty");
        }
        if self.expiries_days.iter().any(|d| !(*d > 0.0)) || self.strikes.iter().any(|k| !(*k > 0.0)) {
            return config_err("expiries and strikes must be positive");
        }
        if !(self.capital > 0.0) || !(self.hedge.risk_aversion > 0.0) || !(0.0..1.0).contains(&self.hedge.cost) {
            return config_err("--capital and --risk-aversion must be > 0, --hedge-cost-bps in [0, 10000)");
        }
        for s in &self.settings {
            if let Some((share, cap)) = s.hedge_fee {
                if !(share >= 0.0) || !(0.0..=1.0).contains(&cap) {
                    return config_err("hedge fee: share >= 0, rebate cap in [0, 1]");
                }
            }
        }
        Ok(())
    }
}

/// One setting on one path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct PathOutcome {
    pub lp_pnl: f64,
    pub ledger: Ledger,
    /// Open at the end, at its cached value (0 when the horizon reaches the last expiry).
    pub liability: f64,
    pub buys: u32,
    pub sells: u32,
    pub contracts_bought: f64,
    pub contracts_sold: f64,
    /// Premium of every trade, both sides, quote.
    pub premium_volume: f64,
    pub walked_buys: u32,
    pub walked_sells: u32,
    pub walked_contracts: f64,
    pub refused: u32,
    pub no_inventory: u32,
    /// Hedging cost of the swaps made in a minute in which a trader traded
    /// (the hedge follows the trade's delta), a part of `ledger.hedge_cost`.
    pub hedge_cost_at_trades: f64,
    /// What the fee's model says hedging costs: the integral over the path
    /// of C(G_t) = k S (G S sigma)^2 / 2H(G) dt at the paths' vol.
    pub model_hedge_cost: f64,
    /// Time average over the minutes of the pool's net gamma (underlying per unit of spot).
    pub mean_gamma: f64,
    /// Time average of the boards' base IV (live boards).
    pub mean_base_iv: f64,
}

/// One path: its spots and traders, every setting run on them.
pub fn run_path(cfg: &FlowConfig, spots: &[f64], flow: &[Arrival]) -> Result<Vec<PathOutcome>> {
    cfg.settings.iter().map(|s| run_setting(cfg, s, spots, flow)).collect()
}

pub fn new_pool(cfg: &FlowConfig, setting: &FeeSetting) -> Pool {
    let fee = setting.hedge_fee.map(|(share, cap)| cfg.hedge.fee_params(share, cap));
    Pool::new(cfg.rules, fee, cfg.capital, &cfg.expiries_s(), &cfg.strikes)
}

/// The pool of `setting` against `flow` on `spots` (spot at each minute).
pub fn run_setting(cfg: &FlowConfig, setting: &FeeSetting, spots: &[f64], flow: &[Arrival]) -> Result<PathOutcome> {
    let mut pool = new_pool(cfg, setting);
    let relax = relax_factor(STEP_S, cfg.rules.relax_half_life_s).map_err(crate::LabError::math("relax"))?;
    let mut o = PathOutcome::default();
    let n = spots.len() - 1;
    let mut next = 0;
    let (mut gamma_sum, mut iv_sum) = (0.0, 0.0);
    let dt_years = STEP_S as f64 / pool::SECONDS_PER_YEAR as f64;
    for (k, &s) in spots.iter().enumerate() {
        let now = k as i64 * STEP_S;
        if k > 0 {
            pool.ledger.hedge_pnl += pool.hedge.to_num::<f64>() * (s - spots[k - 1]);
        }
        pool.settle_expired(now, s);
        if k == n {
            break;
        }
        if relax != I80F48::ONE {
            pool.relax(relax)?;
        }
        let spot = I80F48::from_num(s);
        pool.refresh(spot, now)?;
        let mut traded = false;
        while next < flow.len() && flow[next].step <= k {
            let a = &flow[next];
            next += 1;
            match pool.offer(a, spot, now)? {
                Answer::Traded { side, contracts, premium, .. } => {
                    traded = true;
                    let c = contracts as f64 / CONTRACT as f64;
                    o.premium_volume += premium as f64 * 1e-6;
                    match side {
                        Side::Buy => (o.buys, o.contracts_bought) = (o.buys + 1, o.contracts_bought + c),
                        Side::Sell => (o.sells, o.contracts_sold) = (o.sells + 1, o.contracts_sold + c),
                    }
                }
                Answer::Walked { side, contracts } => {
                    o.walked_contracts += contracts as f64 / CONTRACT as f64;
                    match side {
                        Side::Buy => o.walked_buys += 1,
                        Side::Sell => o.walked_sells += 1,
                    }
                }
                Answer::Refused => o.refused += 1,
                Answer::NoInventory => o.no_inventory += 1,
            }
        }
        let cost_before = pool.ledger.hedge_cost;
        pool.rebalance(&cfg.hedge, spot, now)?;
        if traded {
            o.hedge_cost_at_trades += pool.ledger.hedge_cost - cost_before;
        }
        let gamma = pool.net_gamma.to_num::<f64>() / CONTRACT as f64;
        o.model_hedge_cost += cfg.hedge.cost_rate(s, cfg.market.vol, gamma) * dt_years;
        gamma_sum += gamma;
        let live: Vec<f64> = (0..pool.base_iv.len())
            .filter(|&b| pool.series.iter().any(|x| x.board == b && !x.settled))
            .map(|b| pool.base_iv[b].to_num::<f64>())
            .collect();
        if !live.is_empty() {
            iv_sum += live.iter().sum::<f64>() / live.len() as f64;
        }
    }
    o.mean_gamma = gamma_sum / n as f64;
    o.mean_base_iv = iv_sum / n as f64;
    o.liability = pool.liability();
    o.lp_pnl = pool.ledger.cash() + pool.hedge.to_num::<f64>() * spots[n] - o.liability - cfg.capital;
    o.ledger = pool.ledger;
    Ok(o)
}

/// Spots (one a minute) and traders of path `index`.
pub fn draw_path(cfg: &FlowConfig, index: u64) -> Result<(Vec<f64>, Vec<Arrival>)> {
    let n = cfg.n_steps();
    let gen = PathGenerator::new(&cfg.market, &PathModel::Gbm, STEP_S as f64 / pool::SECONDS_PER_YEAR as f64, n)?;
    let mut spots = Vec::new();
    gen.fill(cfg.seed, index, &mut spots);
    let flow = traders::draw_flow(&cfg.traders, cfg.market.vol, cfg.seed, index, n);
    Ok((spots, flow))
}

/// Every path, every setting; `tick` after each path.
pub fn run_flow(cfg: &FlowConfig, tick: &(dyn Fn() + Sync)) -> Result<FlowReport> {
    cfg.check()?;
    let started = std::time::Instant::now();
    let per_path: Vec<Vec<PathOutcome>> = (0..cfg.paths as u64)
        .into_par_iter()
        .map(|i| {
            let (spots, flow) = draw_path(cfg, i)?;
            let out = run_path(cfg, &spots, &flow);
            tick();
            out
        })
        .collect::<Result<_>>()?;
    report::summarise(cfg, &per_path, started.elapsed().as_secs_f64())
}
