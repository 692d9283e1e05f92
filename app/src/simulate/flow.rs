//! `oamm flow`: a seeded flow of random traders against the pool, run with
//! and without the hedge-cost fee on the same paths and the same traders;
//! see hedge_lab::flow for the model.
use crate::OutputFormat;
use anyhow::bail;
use hedge_lab::cost::CostModel;
use hedge_lab::flow::{run_flow, FeeSetting, FlowConfig, FlowReport, PoolRules, TraderModel};
use hedge_lab::Market;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::time::Instant;

#[derive(clap::Args, Debug)]
#[command(after_help = "Every fee setting trades against the same spot paths and the same traders (arrival, side, \
series, size, vol view and edge drawn per path before the pool answers), so the differences are paired; their \
+- is the standard error of the per-path differences.\n\
Pool: the client's default parameters (surface, fees, cut-off, delta band) and every trade priced by \
options_math::amm::quote_trade; a Whalley-Wilmott rebalance every minute with the same cost and risk aversion \
the hedge fee assumes.\nExamples:\n  oamm flow\n  oamm flow --paths 50 --seeds 7\n  \
oamm flow --shares 1 --rebate-cap 0 --relax-half-life-hours 24\n  oamm flow --output json")]
pub struct FlowArgs {
    /// Monte Carlo paths per seed.
    #[arg(long, default_value_t = 200)]
    paths: usize,
    /// Seeds, comma-separated (each its own paths and traders).
    #[arg(long, alias = "seed", value_delimiter = ',', default_value = "1,2")]
    seeds: Vec<u64>,
    /// Days simulated (a step a minute).
    #[arg(long, default_value_t = 14.0, allow_hyphen_values = true)]
    days: f64,
    /// Expiries listed at the start, days, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "7,14")]
    expiries: Vec<f64>,
    /// Strikes listed per expiry (a call and a put each), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "140,150,160")]
    strikes: Vec<f64>,
    /// Spot at the start.
    #[arg(long, default_value_t = 150.0, allow_hyphen_values = true)]
    spot: f64,
    /// The paths' (GBM) volatility, also the traders' mean vol view.
    #[arg(long, default_value_t = 0.8, allow_hyphen_values = true)]
    vol: f64,
    /// LP capital at the start, quote.
    #[arg(long, default_value_t = 500_000.0, allow_hyphen_values = true)]
    capital: f64,
    /// Traders arriving per day (Poisson).
    #[arg(long, default_value_t = 100.0, allow_hyphen_values = true)]
    arrivals_per_day: f64,
    /// Probability a trader buys (else he sells back what the pool wrote).
    #[arg(long, default_value_t = 0.65, allow_hyphen_values = true)]
    buy_prob: f64,
    /// Median trade size, contracts (lognormal).
    #[arg(long, default_value_t = 5.0, allow_hyphen_values = true)]
    size_median: f64,
    /// Log-sd of the trade size.
    #[arg(long, default_value_t = 0.5, allow_hyphen_values = true)]
    size_sigma: f64,
    /// Sd of a trader's vol view around --vol.
    #[arg(long, default_value_t = 0.05, allow_hyphen_values = true)]
    vol_noise: f64,
    /// Largest edge a trader asks, a fraction of his fair value (uniform from 0).
    #[arg(long, default_value_t = 0.05, allow_hyphen_values = true)]
    max_edge: f64,
    /// Whalley-Wilmott risk aversion of the hedge policy and of the fee, 1/quote.
    #[arg(long, default_value_t = 0.001, allow_hyphen_values = true)]
    risk_aversion: f64,
    /// Cost the policy and the fee assume per swap, bps of notional.
    #[arg(long, default_value_t = 30.0, allow_hyphen_values = true)]
    hedge_cost_bps: f64,
    /// Venue fee per hedge swap, bps of notional (what hedging really costs, with the impact).
    #[arg(long, default_value_t = 30.0, allow_hyphen_values = true)]
    fee_bps: f64,
    /// Constant-product venue value, quote, both sides (0 = no price impact).
    #[arg(long, default_value_t = 6_000_000.0, allow_hyphen_values = true)]
    venue_tvl: f64,
    /// Shares of the expected hedging cost to charge, comma-separated: one run each, besides the run without the fee.
    #[arg(long, value_delimiter = ',', default_value = "1,0.5")]
    shares: Vec<f64>,
    /// Largest discount on a gamma-reducing trade, a fraction of its other fees.
    #[arg(long, default_value_t = 0.5, allow_hyphen_values = true)]
    rebate_cap: f64,
    /// Half-life of the surface's relaxation to its listing IV, hours (0 = none)
    /// [default: the client's deployed value, 24].
    #[arg(long, allow_hyphen_values = true)]
    relax_half_life_hours: Option<f64>,
}

/// The rules the client deploys a pool with, converted by the program's own functions.
pub fn default_rules() -> PoolRules {
    let p = oamm_sdk::market::default_params(oamm_sdk::market::SOL_USD_FEED_ID, Default::default());
    PoolRules {
        vol: p.vol.surface(),
        fees: p.fees.fee_params(6).expect("the default fees convert"),
        initial_base_iv: p.vol.initial_base_iv(),
        initial_skew: p.vol.initial_skew(),
        rate: p.vol.rate(),
        trading_cutoff_s: p.risk.trading_cutoff_s as i64,
        min_delta: p.risk.min_delta(),
        relax_half_life_s: p.vol.relax_half_life_s,
    }
}

impl FlowArgs {
    fn config(&self, seed: u64) -> anyhow::Result<FlowConfig> {
        let mut rules = default_rules();
        if let Some(h) = self.relax_half_life_hours {
            if !(0.0..=u32::MAX as f64 / 3600.0).contains(&h) {
                bail!("--relax-half-life-hours must be >= 0 (0 = off)");
            }
            rules.relax_half_life_s = (h * 3600.0).round() as u32;
        }
        let mut cfg = FlowConfig::standard(rules);
        cfg.market = Market { spot: self.spot, vol: self.vol, rate: 0.0 };
        cfg.horizon_days = self.days;
        cfg.expiries_days = self.expiries.clone();
        cfg.strikes = self.strikes.clone();
        cfg.capital = self.capital;
        cfg.traders = TraderModel {
            arrivals_per_day: self.arrivals_per_day,
            buy_prob: self.buy_prob,
            size_median: self.size_median,
            size_sigma: self.size_sigma,
            vol_noise: self.vol_noise,
            max_edge: self.max_edge,
            ..TraderModel::default()
        };
        cfg.hedge.cost = self.hedge_cost_bps * 1e-4;
        cfg.hedge.risk_aversion = self.risk_aversion;
        cfg.hedge.costs =
            CostModel { fixed_per_trade: 0.0, fee_bps: self.fee_bps, venue_tvl: self.venue_tvl, venue_spot: self.spot };
        cfg.settings = std::iter::once(FeeSetting { name: "no hedge fee".into(), hedge_fee: None })
            .chain(
                self.shares
                    .iter()
                    .map(|&s| FeeSetting { name: format!("share {s}"), hedge_fee: Some((s, self.rebate_cap)) }),
            )
            .collect();
        cfg.paths = self.paths;
        cfg.seed = seed;
        Ok(cfg)
    }
}

pub fn run(args: FlowArgs, output: OutputFormat) -> anyhow::Result<()> {
    let started = Instant::now();
    if args.seeds.is_empty() {
        bail!("--seeds needs at least one seed");
    }
    let bar = ProgressBar::new((args.paths * args.seeds.len()) as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg:>8} [{bar:32}] {pos}/{len} paths, {elapsed} (eta {eta})")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let tick = || bar.inc(1);
    let mut runs = Vec::new();
    for &seed in &args.seeds {
        bar.set_message(format!("seed {seed}"));
        runs.push(run_flow(&args.config(seed)?, &tick)?);
    }
    bar.finish_and_clear();
    let elapsed_s = started.elapsed().as_secs_f64();
    let cfg = args.config(args.seeds[0])?;
    match output {
        OutputFormat::Json => println!(
            "{}",
            json!({
                "market": cfg.market,
                "horizon_days": cfg.horizon_days,
                "expiries_days": cfg.expiries_days,
                "strikes": cfg.strikes,
                "capital": cfg.capital,
                "traders": cfg.traders,
                "hedge": cfg.hedge,
                "relax_half_life_s": cfg.rules.relax_half_life_s,
                "settings": cfg.settings,
                "runs": runs,
                "elapsed_s": elapsed_s,
            })
        ),
        OutputFormat::Table => {
            print_header(&cfg);
            for r in &runs {
                print_run(r);
            }
            println!(
                "{} seeds x {} paths x {} settings in {elapsed_s:.1} s",
                runs.len(),
                args.paths,
                cfg.settings.len()
            );
        }
    }
    Ok(())
}

fn print_header(cfg: &FlowConfig) {
    let t = &cfg.traders;
    println!(
        "Pool: {:.0} quote, series {:?} d x strikes {:?} (call + put), the client's default surface and fees; \
         spot {} GBM vol {:.0}%, {} d, a step a minute",
        cfg.capital,
        cfg.expiries_days,
        cfg.strikes,
        cfg.market.spot,
        cfg.market.vol * 100.0,
        cfg.horizon_days
    );
    println!(
        "Traders: {}/day, {:.0}% buyers, size median {} (log-sd {}), vol view {:.0}% +- {:.0} pts, edge U(0, {:.0}%)",
        t.arrivals_per_day,
        t.buy_prob * 100.0,
        t.size_median,
        t.size_sigma,
        cfg.market.vol * 100.0,
        t.vol_noise * 100.0,
        t.max_edge * 100.0
    );
    let h = &cfg.hedge;
    println!(
        "Hedge: Whalley-Wilmott every minute, cost {} bps, risk aversion {}, floor {} / cap {} underlying; swaps pay \
         {} bps + impact on a {:.0} quote venue; surface relaxation half-life {} s (0 = off)",
        h.cost * 1e4,
        h.risk_aversion,
        h.min_band,
        h.max_trade,
        h.costs.fee_bps,
        h.costs.venue_tvl,
        cfg.rules.relax_half_life_s
    );
    println!("Means per path (quote unless stated); LP P&L = premiums + fees - payouts + hedge P&L - hedging cost");
}

fn print_run(r: &FlowReport) {
    println!();
    println!("Seed {}: {} paths, {} steps each ({:.1} s)", r.seed, r.paths, r.steps, r.elapsed_s);
    print!("  {:<30}", "");
    for s in &r.settings {
        print!(" {:>22}", s.name);
    }
    println!();
    let row = |name: &str, f: &dyn Fn(usize) -> String| {
        print!("  {name:<30}");
        for i in 0..r.settings.len() {
            print!(" {:>22}", f(i));
        }
        println!();
    };
    let s = &r.settings;
    let delta = |i: usize, f: &dyn Fn(&hedge_lab::flow::Paired) -> (f64, f64)| match i {
        0 => "-".to_string(),
        _ => {
            let (m, se) = f(&r.paired[i - 1]);
            format!("{m:+.1} +- {se:.1}")
        }
    };
    row("LP P&L mean +- se", &|i| format!("{:.1} +- {:.1}", s[i].lp_pnl_mean, s[i].lp_pnl_se));
    row("  vs no fee (paired)", &|i| delta(i, &|p| (p.lp_pnl, p.lp_pnl_se)));
    row("LP P&L std across paths", &|i| format!("{:.1}", s[i].lp_pnl_std));
    row("worst-5% mean loss (<0: gain)", &|i| format!("{:.1}", s[i].lp_pnl_cvar95));
    row("premiums (net of buybacks)", &|i| format!("{:.1}", s[i].premiums_net));
    row("payouts at expiry", &|i| format!("{:.1}", s[i].payouts));
    row("hedge P&L", &|i| format!("{:.1}", s[i].hedge_pnl));
    row("hedging cost (fee + impact)", &|i| format!("{:.1}", s[i].hedge_cost));
    row("  vs no fee (paired)", &|i| delta(i, &|p| (p.hedge_cost, p.hedge_cost_se)));
    row("  of which in minutes w/ trades", &|i| format!("{:.1}", s[i].hedge_cost_at_trades));
    row("  fee model: int C(G) dt", &|i| format!("{:.1}", s[i].model_hedge_cost));
    row("hedge swaps", &|i| format!("{:.1}", s[i].hedge_trades));
    row("trades (buys / sells)", &|i| format!("{:.1} ({:.1} / {:.1})", s[i].trades, s[i].buys, s[i].sells));
    row("contracts (bought / sold)", &|i| {
        format!("{:.0} ({:.0} / {:.0})", s[i].contracts, s[i].contracts_bought, s[i].contracts_sold)
    });
    row("premium volume", &|i| format!("{:.0}", s[i].premium_volume));
    row("walked away (contracts)", &|i| format!("{:.1} ({:.0})", s[i].walked, s[i].walked_contracts));
    row("refused / seller, no stock", &|i| format!("{:.1} / {:.1}", s[i].refused, s[i].no_inventory));
    row("fees retained", &|i| format!("{:.1}", s[i].fees));
    row("  option part", &|i| format!("{:.1}", s[i].option_fee));
    row("  spot part", &|i| format!("{:.1}", s[i].spot_fee));
    row("  vega part", &|i| format!("{:.2}", s[i].vega_fee));
    row("  hedge part: charged", &|i| format!("{:.1}", s[i].hedge_fee_charged));
    row("  hedge part: rebated", &|i| format!("{:.1}", s[i].hedge_fee_rebated));
    row("mean net gamma (und./spot)", &|i| format!("{:.2}", s[i].mean_gamma));
    row("mean base IV", &|i| format!("{:.2}%", s[i].mean_base_iv * 100.0));
    println!("  Fee on one buy at the start (spot, listing IV), by the pool's other gamma:");
    for p in &r.probes {
        println!(
            "    {:<10} {} x {:.0} call {} d, pool gamma {:>5.2}: premium {:.2}, other fees {:.2}, hedge fee {:.2} \
             ({:.2}% of premium)",
            p.setting,
            p.contracts,
            p.strike,
            p.expiry_days,
            p.pool_gamma,
            p.premium,
            p.other_fees,
            p.hedge_fee,
            p.hedge_fee_over_premium * 100.0
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lab_runs_on_the_rules_the_client_deploys() {
        assert_eq!(default_rules(), PoolRules::program_defaults());
    }
}
