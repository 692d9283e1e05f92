//! What a flow run reports: per fee setting the means over paths, the
//! paired differences against the first setting (same paths, same
//! traders: their standard errors are those of the per-path differences),
//! and what the fee is on one typical trade.
use super::{new_pool, FlowConfig, PathOutcome, CONTRACT};
use crate::stats::{cvar_loss, std_dev};
use crate::Result;
use options_math::amm::Side;
use options_math::{OptionKind, I80F48};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SettingSummary {
    pub name: String,
    /// (share, rebate_cap); None = no hedge-cost fee.
    pub hedge_fee: Option<(f64, f64)>,
    pub lp_pnl_mean: f64,
    pub lp_pnl_std: f64,
    /// Standard error of the mean (std / sqrt(paths)).
    pub lp_pnl_se: f64,
    pub lp_pnl_cvar95: f64,
    /// Means per path from here on.
    pub premiums_net: f64,
    pub payouts: f64,
    pub hedge_pnl: f64,
    pub hedge_cost: f64,
    pub hedge_trades: f64,
    pub hedge_cost_at_trades: f64,
    pub model_hedge_cost: f64,
    pub liability_end: f64,
    pub trades: f64,
    pub buys: f64,
    pub sells: f64,
    pub contracts: f64,
    pub contracts_bought: f64,
    pub contracts_sold: f64,
    pub premium_volume: f64,
    pub walked: f64,
    pub walked_contracts: f64,
    pub refused: f64,
    pub no_inventory: f64,
    /// Fees retained, and the parts of the fees of the trades that happened.
    pub fees: f64,
    pub option_fee: f64,
    pub spot_fee: f64,
    pub vega_fee: f64,
    pub hedge_fee_charged: f64,
    pub hedge_fee_rebated: f64,
    /// Time-averaged net gamma (underlying per unit spot) and base IV.
    pub mean_gamma: f64,
    pub mean_base_iv: f64,
}

/// A setting minus the first one, path by path.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Paired {
    pub name: String,
    pub versus: String,
    pub lp_pnl: f64,
    pub lp_pnl_se: f64,
    pub hedge_cost: f64,
    pub hedge_cost_se: f64,
    pub fees: f64,
    pub premiums_net: f64,
    pub contracts: f64,
    pub premium_volume: f64,
}

/// The fee on one buy of `contracts` ATM calls of the first expiry at the
/// start (spot, listing IV), on a pool whose other gamma is `pool_gamma`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Probe {
    pub setting: String,
    pub contracts: f64,
    pub expiry_days: f64,
    pub strike: f64,
    pub pool_gamma: f64,
    pub premium: f64,
    /// Option + spot + vega parts (rounded up together).
    pub other_fees: f64,
    pub hedge_fee: f64,
    pub hedge_fee_over_premium: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlowReport {
    pub seed: u64,
    pub paths: usize,
    pub steps: usize,
    pub settings: Vec<SettingSummary>,
    pub paired: Vec<Paired>,
    pub probes: Vec<Probe>,
    pub elapsed_s: f64,
}

fn mean(x: impl Iterator<Item = f64>) -> f64 {
    let (mut s, mut n) = (0.0, 0usize);
    for v in x {
        s += v;
        n += 1;
    }
    if n == 0 {
        0.0
    } else {
        s / n as f64
    }
}

fn summary(cfg: &FlowConfig, i: usize, out: &[&PathOutcome]) -> SettingSummary {
    let m = |f: &dyn Fn(&PathOutcome) -> f64| mean(out.iter().map(|o| f(o)));
    let pnl: Vec<f64> = out.iter().map(|o| o.lp_pnl).collect();
    let std = std_dev(&pnl);
    SettingSummary {
        name: cfg.settings[i].name.clone(),
        hedge_fee: cfg.settings[i].hedge_fee,
        lp_pnl_mean: m(&|o| o.lp_pnl),
        lp_pnl_std: std,
        lp_pnl_se: std / (out.len() as f64).sqrt(),
        lp_pnl_cvar95: cvar_loss(&pnl, 0.05),
        premiums_net: m(&|o| o.ledger.premiums),
        payouts: m(&|o| o.ledger.payouts),
        hedge_pnl: m(&|o| o.ledger.hedge_pnl),
        hedge_cost: m(&|o| o.ledger.hedge_cost),
        hedge_trades: m(&|o| o.ledger.hedge_trades as f64),
        hedge_cost_at_trades: m(&|o| o.hedge_cost_at_trades),
        model_hedge_cost: m(&|o| o.model_hedge_cost),
        liability_end: m(&|o| o.liability),
        trades: m(&|o| (o.buys + o.sells) as f64),
        buys: m(&|o| o.buys as f64),
        sells: m(&|o| o.sells as f64),
        contracts: m(&|o| o.contracts_bought + o.contracts_sold),
        contracts_bought: m(&|o| o.contracts_bought),
        contracts_sold: m(&|o| o.contracts_sold),
        premium_volume: m(&|o| o.premium_volume),
        walked: m(&|o| (o.walked_buys + o.walked_sells) as f64),
        walked_contracts: m(&|o| o.walked_contracts),
        refused: m(&|o| o.refused as f64),
        no_inventory: m(&|o| o.no_inventory as f64),
        fees: m(&|o| o.ledger.fees),
        option_fee: m(&|o| o.ledger.option_fee),
        spot_fee: m(&|o| o.ledger.spot_fee),
        vega_fee: m(&|o| o.ledger.vega_fee),
        hedge_fee_charged: m(&|o| o.ledger.hedge_fee_charged),
        hedge_fee_rebated: m(&|o| o.ledger.hedge_fee_rebated),
        mean_gamma: m(&|o| o.mean_gamma),
        mean_base_iv: m(&|o| o.mean_base_iv),
    }
}

fn paired(cfg: &FlowConfig, per_path: &[Vec<PathOutcome>], i: usize) -> Paired {
    let diff = |f: &dyn Fn(&PathOutcome) -> f64| -> (f64, f64) {
        let d: Vec<f64> = per_path.iter().map(|p| f(&p[i]) - f(&p[0])).collect();
        (mean(d.iter().copied()), std_dev(&d) / (d.len() as f64).sqrt())
    };
    let (lp_pnl, lp_pnl_se) = diff(&|o| o.lp_pnl);
    let (hedge_cost, hedge_cost_se) = diff(&|o| o.ledger.hedge_cost);
    Paired {
        name: cfg.settings[i].name.clone(),
        versus: cfg.settings[0].name.clone(),
        lp_pnl,
        lp_pnl_se,
        hedge_cost,
        hedge_cost_se,
        fees: diff(&|o| o.ledger.fees).0,
        premiums_net: diff(&|o| o.ledger.premiums).0,
        contracts: diff(&|o| o.contracts_bought + o.contracts_sold).0,
        premium_volume: diff(&|o| o.premium_volume).0,
    }
}

/// The fee on a buy of `contracts` ATM calls (nearest strike to spot, first
/// expiry) at the start, on a pool whose net gamma is `pool_gamma`
/// (underlying per unit of spot) elsewhere.
pub fn probe(cfg: &FlowConfig, setting: usize, contracts: f64, pool_gamma: f64) -> Result<Probe> {
    let mut pool = new_pool(cfg, &cfg.settings[setting]);
    let spot = cfg.market.spot;
    let i = (0..pool.series.len())
        .filter(|&i| pool.series[i].board == 0 && pool.series[i].kind == OptionKind::Call)
        .min_by(|&a, &b| {
            let d = |i: usize| (pool.series[i].strike.to_num::<f64>() - spot).abs();
            d(a).total_cmp(&d(b))
        })
        .expect("a listed call");
    pool.net_gamma = I80F48::from_num(pool_gamma) * I80F48::from_num(CONTRACT);
    let q = pool.quote(i, Side::Buy, (contracts * CONTRACT as f64).round() as u64, I80F48::from_num(spot), 0)?;
    let premium = q.premium as f64 * 1e-6;
    let hedge_fee = q.hedge_fee as f64 * 1e-6;
    Ok(Probe {
        setting: cfg.settings[setting].name.clone(),
        contracts,
        expiry_days: cfg.expiries_days[0],
        strike: pool.series[i].strike.to_num(),
        pool_gamma,
        premium,
        other_fees: q.fee as f64 * 1e-6 - hedge_fee,
        hedge_fee,
        hedge_fee_over_premium: hedge_fee / premium,
    })
}

pub fn summarise(cfg: &FlowConfig, per_path: &[Vec<PathOutcome>], elapsed_s: f64) -> Result<FlowReport> {
    let settings: Vec<SettingSummary> =
        (0..cfg.settings.len()).map(|i| summary(cfg, i, &per_path.iter().map(|p| &p[i]).collect::<Vec<_>>())).collect();
    let paired = (1..cfg.settings.len()).map(|i| paired(cfg, per_path, i)).collect();
    let mut probes = Vec::new();
    for (i, s) in cfg.settings.iter().enumerate().filter(|(_, s)| s.hedge_fee.is_some()) {
        for g in [0.0, settings[0].mean_gamma, settings[i].mean_gamma] {
            let p = probe(cfg, i, 5.0, g)?;
            if !probes.iter().any(|q: &Probe| q.setting == s.name && q.pool_gamma == g) {
                probes.push(p);
            }
        }
    }
    Ok(FlowReport { seed: cfg.seed, paths: per_path.len(), steps: cfg.n_steps(), settings, paired, probes, elapsed_s })
}
