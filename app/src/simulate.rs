//! `oamm simulate`: the hedge-policy lab. Which rebalancing rule hedges a
//! short options book most cheaply for a given P&L risk? Every policy runs
//! on the same seeded paths, with the program's own greeks and hedge
//! decisions (options-math); see the hedge-lab crate for the model.
use crate::OutputFormat;
use anyhow::{bail, Context};
use hedge_lab::book::LegSpec;
use hedge_lab::engine::DpSettings;
use hedge_lab::validate::{engine_paths, run_validation, Gate, Tolerances, ValidationConfig};
use hedge_lab::{run_sweep, BookKind, CostModel, Family, LabConfig, Market, PathModel, SweepReport};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

mod chart;
pub mod flow;

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BookArg {
    /// Call and put at the starting spot.
    Straddle,
    /// Call at delta +0.25 and put at delta -0.25.
    Strangle25,
    /// Straddles over three expiries: 500 @150 in 2 days, 1,000 @150 in 7 days, 500 @140 and 500 @160
    /// in 14 days (--contracts, --days and --spot do not change it; --leg gives any other).
    MultiExpiry,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelArg {
    /// Geometric Brownian motion.
    Gbm,
    /// Merton jump-diffusion (total variance still vol^2).
    Merton,
}

#[derive(clap::Args, Debug)]
#[command(after_help = "Every policy hedges the same paths; each is swept over its parameter and compared on its \
Pareto frontier (mean hedging cost vs P&L std) at matched P&L std levels.\n\
Costs per hedge trade: --fixed-cost + --fee-bps of notional + constant-product price impact on a venue worth \
--venue-tvl.\n\
The adaptive policies (whalley-wilmott, cost-benefit, expiry-aware) are compared with every other policy at \
each matched std, with bootstrap standard errors over paths, on every seed of --seeds.\n\
Examples:\n  oamm simulate\n  oamm simulate --book multi-expiry\n  \
oamm simulate --leg straddle:500@150:2 --leg call:1000@160:14\n  \
oamm simulate --fixed-cost 10 --retrace 0.7\n  oamm simulate --fixed-cost 0.25 --venue-tvl 50000000\n  \
oamm simulate --model merton --jump-intensity 20 --jump-std 0.05\n  oamm simulate --validate --output json")]
pub struct SimulateArgs {
    /// The book the pool is short.
    #[arg(long, value_enum, default_value = "straddle")]
    book: BookArg,
    /// Contracts per leg (one contract = one unit of underlying).
    #[arg(long, default_value_t = 1000)]
    contracts: u64,
    /// Days to expiry.
    #[arg(long, default_value_t = 7.0, allow_hyphen_values = true)]
    days: f64,
    /// A leg of a custom book, KIND:CONTRACTS@STRIKE:DAYS (KIND straddle, call or put), repeatable;
    /// replaces --book, --contracts and --days. E.g. --leg straddle:500@150:2 --leg put:300@140:14
    #[arg(long = "leg", value_parser = parse_leg)]
    legs: Vec<LegSpec>,
    /// Spot at the start, quote per unit of underlying.
    #[arg(long, default_value_t = 150.0, allow_hyphen_values = true)]
    spot: f64,
    /// Annual volatility, a fraction (0.8 = 80%): the options' implied vol and the paths' total vol.
    #[arg(long, default_value_t = 0.8, allow_hyphen_values = true)]
    vol: f64,
    /// Continuously compounded risk-free rate, a fraction a year.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    rate: f64,
    /// Path model.
    #[arg(long, value_enum, default_value = "gbm")]
    model: ModelArg,
    /// Merton: expected jumps per year.
    #[arg(long, default_value_t = 20.0, allow_hyphen_values = true)]
    jump_intensity: f64,
    /// Merton: standard deviation of one jump in log-spot.
    #[arg(long, default_value_t = 0.05, allow_hyphen_values = true)]
    jump_std: f64,
    /// Minutes between hedge decisions (a keeper's polling interval).
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    step_minutes: f64,
    /// Monte Carlo paths.
    #[arg(long, default_value_t = 2000)]
    paths: usize,
    /// Seeds of the paths, comma-separated: each runs the whole sweep on its own paths (the same seed
    /// gives the same numbers).
    #[arg(long, alias = "seed", value_delimiter = ',', default_value = "1,2")]
    seeds: Vec<u64>,
    /// Bootstrap resamples of the paths behind each saving's standard error.
    #[arg(long, default_value_t = 200)]
    bootstrap: usize,
    /// Proportional fee per hedge trade, basis points of notional.
    #[arg(long, default_value_t = 30.0, allow_hyphen_values = true)]
    fee_bps: f64,
    /// Fixed cost per hedge transaction, quote (network fee + keeper's fixed reward).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    fixed_cost: f64,
    /// Value of the constant-product venue the hedge trades on, quote, both sides; 0 = no price impact.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    venue_tvl: f64,
    /// The program's band floor, units of underlying (applies to every policy).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    min_band: f64,
    /// The program's largest trade per rebalance, units of underlying; 0 = unlimited.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    max_trade: f64,
    /// Edge policies (threshold-to-edge and the adaptive bands) trade this fraction of the way from the
    /// band edge back to the target: 0 = to the edge; ~0.7 pays with a fixed cost per trade.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    retrace: f64,
    /// The cost-benefit band's terminal factor c in c x cost / (risk aversion x S x sigma^2 x tau).
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    terminal: f64,
    /// Time step of the dynamic-programming bound (dp-optimal), minutes; its decisions are this coarse.
    #[arg(long, default_value_t = 5.0, allow_hyphen_values = true)]
    dp_step_minutes: f64,
    /// Trinomial sub-steps per DP step (finer spot lattice; 3 is converged at 5-minute steps).
    #[arg(long, default_value_t = 3)]
    dp_substeps: usize,
    /// Proportional cost the Whalley-Wilmott band is computed with, bps [default: --fee-bps, or 30 if that is 0].
    #[arg(long, allow_hyphen_values = true)]
    ww_cost_bps: Option<f64>,
    /// Points in each policy's parameter sweep.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u16).range(8..=64))]
    sweep_points: u16,
    /// P&L std levels to compare costs at, percent of the premium.
    #[arg(long, value_delimiter = ',', default_value = "10,12.5,15,20,25,30")]
    std_levels_pct: Vec<f64>,
    /// Policies to run, comma-separated [default: all]: threshold-to-target, threshold-to-edge,
    /// time-interval, price-move, whalley-wilmott, cost-benefit, expiry-aware, dp-optimal (the bound:
    /// proportional costs only, left out by default when --fixed-cost or --venue-tvl is set).
    #[arg(long, value_delimiter = ',', value_parser = parse_family)]
    policies: Vec<Family>,
    /// Where to write the frontier chart (SVG).
    #[arg(long, default_value = "hedge-frontiers.svg")]
    chart: PathBuf,
    /// Do not write the chart.
    #[arg(long)]
    no_chart: bool,
    /// First check the simulator against four closed forms (Derman-Kamal, Leland at --fee-bps or 30,
    /// constant-product LVR on --venue-tvl or 10,000,000, clock-vs-band variance x trades); exit
    /// non-zero if one fails. The gates use an ATM straddle of this size and life at r = 0.
    #[arg(long)]
    validate: bool,
    /// Paths of the validation gates (the costlier gates use a fraction).
    #[arg(long, default_value_t = 10_000)]
    validation_paths: usize,
}

fn parse_leg(s: &str) -> Result<LegSpec, String> {
    s.parse().map_err(|e: hedge_lab::LabError| e.to_string())
}

fn parse_family(s: &str) -> Result<Family, String> {
    Family::from_name(s.trim()).ok_or_else(|| {
        let names: Vec<_> = Family::ALL.iter().map(|f| f.name()).collect();
        format!("unknown policy `{s}` (one of: {})", names.join(", "))
    })
}

impl SimulateArgs {
    fn lab_config(&self, seed: u64) -> LabConfig {
        let market = Market { spot: self.spot, vol: self.vol, rate: self.rate };
        let legs = match (self.book, self.legs.is_empty()) {
            (_, false) => self.legs.clone(),
            (BookArg::MultiExpiry, true) => LegSpec::multi_expiry_book(),
            _ => Vec::new(),
        };
        LabConfig {
            market,
            book_kind: match self.book {
                BookArg::Straddle => BookKind::Straddle,
                BookArg::Strangle25 => BookKind::Strangle25,
                BookArg::MultiExpiry => BookKind::Legs,
            },
            contracts: self.contracts,
            days: self.days,
            legs,
            model: match self.model {
                ModelArg::Gbm => PathModel::Gbm,
                ModelArg::Merton => {
                    PathModel::Merton { intensity_per_year: self.jump_intensity, jump_std: self.jump_std }
                }
            },
            costs: CostModel {
                fixed_per_trade: self.fixed_cost,
                fee_bps: self.fee_bps,
                venue_tvl: self.venue_tvl,
                venue_spot: self.spot,
            },
            step_minutes: self.step_minutes,
            paths: self.paths,
            seed,
            min_band: self.min_band,
            max_trade: self.max_trade,
            retrace: self.retrace,
            terminal: self.terminal,
            bootstrap: self.bootstrap,
            ww_cost_bps: self.ww_cost_bps,
            sweep_points: self.sweep_points as usize,
            std_levels: self.std_levels_pct.iter().map(|p| p / 100.0).collect(),
            families: if !self.policies.is_empty() {
                self.policies.clone()
            } else if self.fixed_cost > 0.0 || self.venue_tvl > 0.0 {
                Family::ALL.into_iter().filter(|f| *f != Family::DpOptimal).collect()
            } else {
                Family::ALL.to_vec()
            },
            dp: DpSettings {
                step_minutes: self.dp_step_minutes,
                spot_substeps: self.dp_substeps,
                ..DpSettings::default()
            },
        }
    }

    fn validation_config(&self) -> ValidationConfig {
        ValidationConfig {
            market: Market { spot: self.spot, vol: self.vol, rate: 0.0 },
            contracts: self.contracts,
            days: self.days,
            fee_bps: if self.fee_bps > 0.0 { self.fee_bps } else { 30.0 },
            venue_tvl: if self.venue_tvl > 0.0 { self.venue_tvl } else { 10_000_000.0 },
            step_minutes: self.step_minutes,
            seed: self.seeds.first().copied().unwrap_or(1),
            paths: self.validation_paths,
            tolerances: Tolerances::ISSUE,
        }
    }
}

pub fn run(args: SimulateArgs, output: OutputFormat) -> anyhow::Result<()> {
    let started = Instant::now();
    if args.seeds.is_empty() {
        bail!("--seeds needs at least one seed");
    }
    if !args.no_chart {
        // fail before a long run, not after it
        std::fs::File::create(&args.chart)
            .with_context(|| format!("cannot write the chart to {}", args.chart.display()))?;
    }
    let mut total = (args.paths * args.seeds.len()) as u64;
    if args.validate {
        total += engine_paths(args.validation_paths);
    }
    // indicatif draws only on a terminal: on a pipe or in a test it prints nothing.
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:32}] {pos}/{len} paths, {elapsed} (eta {eta})")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let tick = || bar.inc(1);

    let gates = if args.validate {
        bar.set_message("validating");
        Some(run_validation(&args.validation_config(), &tick)?)
    } else {
        None
    };
    let mut runs = Vec::new();
    for &seed in &args.seeds {
        bar.set_message(format!("seed {seed}"));
        runs.push(run_sweep(&args.lab_config(seed), &tick)?);
    }
    bar.finish_and_clear();
    let report = &runs[0];

    let chart = if args.no_chart {
        None
    } else {
        chart::write_svg(report, &args.chart)
            .with_context(|| format!("cannot write the chart to {}", args.chart.display()))?;
        Some(args.chart.clone())
    };
    let elapsed_s = started.elapsed().as_secs_f64();
    match output {
        OutputFormat::Json => {
            let v = json!({
                "book": report.book,
                "model": report.model,
                "costs": report.costs,
                "paths": report.paths,
                "seeds": args.seeds,
                "step_minutes": report.step_minutes,
                "decision_steps": report.decision_steps,
                "min_band": report.min_band,
                "max_trade": report.max_trade,
                "retrace": report.retrace,
                "terminal": report.terminal,
                "bootstrap": report.bootstrap,
                "runs": runs.iter().map(|r| json!({
                    "seed": r.seed,
                    "policies": r.policies,
                    "matched": r.matched,
                })).collect::<Vec<_>>(),
                "validation": gates.as_deref().unwrap_or(&[]),
                "chart": chart.as_ref().map(|p| p.display().to_string()),
                "elapsed_s": elapsed_s,
            });
            println!("{v}");
        }
        OutputFormat::Table => {
            if let Some(g) = &gates {
                print_gates(g);
            }
            print_report(&runs);
            if let Some(p) = &chart {
                println!("chart (seed {}): {}", report.seed, p.display());
            }
            println!(
                "{} seeds x {} paths x {} policy settings in {elapsed_s:.1} s",
                runs.len(),
                report.paths,
                point_count(report)
            );
        }
    }
    if let Some(g) = &gates {
        let failed: Vec<&str> = g.iter().filter(|g| !g.passed).map(|g| g.name.as_str()).collect();
        if !failed.is_empty() {
            bail!("validation failed: {}", failed.join(", "));
        }
    }
    Ok(())
}

fn point_count(r: &SweepReport) -> usize {
    r.policies.iter().map(|p| p.points.len()).sum()
}

fn pct(x: f64, of: f64) -> String {
    format!("{:.2}%", 100.0 * x / of)
}

fn print_gates(gates: &[Gate]) {
    println!("Validation (the simulator against closed forms)");
    println!("  {:<34} {:>12} {:>12} {:>8} {:>6}  result", "gate", "measured", "formula", "ratio", "tol");
    for g in gates {
        println!(
            "  {:<34} {:>12.2} {:>12.2} {:>8.4} {:>5.0}%  {}",
            g.name,
            g.measured,
            g.formula,
            g.ratio,
            g.tolerance * 100.0,
            if g.passed { "pass" } else { "FAIL" }
        );
    }
    println!();
}

fn print_report(runs: &[SweepReport]) {
    let r = &runs[0];
    let b = &r.book;
    let strikes: Vec<String> = b.strikes.iter().map(|k| format!("{k:.2}")).collect();
    if b.legs.is_empty() {
        let kind = match b.kind {
            BookKind::Straddle => "ATM straddles",
            BookKind::Strangle25 => "25-delta strangles",
            BookKind::Legs => "legs",
        };
        println!(
            "Short {} {kind} (strikes {}), {} days; spot {}, vol {}%, rate {}%",
            b.contracts,
            strikes.join("/"),
            b.expiry_days,
            b.spot,
            b.vol * 100.0,
            b.rate * 100.0
        );
    } else {
        let legs: Vec<String> = b
            .legs
            .iter()
            .map(|l| {
                let kind = match (l.calls, l.puts) {
                    (true, true) => "straddles",
                    (true, false) => "calls",
                    _ => "puts",
                };
                format!("{} {kind} @{} in {} d", l.contracts, l.strike, l.days)
            })
            .collect();
        println!("Short {}; spot {}, vol {}%, rate {}%", legs.join(", "), b.spot, b.vol * 100.0, b.rate * 100.0);
    }
    let model = match r.model {
        PathModel::Gbm => "GBM".to_string(),
        PathModel::Merton { intensity_per_year, jump_std } => {
            format!("Merton ({intensity_per_year} jumps/yr, jump std {jump_std})")
        }
    };
    let impact = if r.costs.venue_tvl > 0.0 {
        format!("constant-product venue of {:.0} quote", r.costs.venue_tvl)
    } else {
        "no price impact".into()
    };
    let seeds: Vec<String> = runs.iter().map(|r| r.seed.to_string()).collect();
    println!(
        "{} {model} paths per seed (seeds {}), a decision every {} min ({} steps); costs: {} bps fee, {} fixed per \
         trade, {impact}; edge trades retrace {} of the band",
        r.paths,
        seeds.join(", "),
        r.step_minutes,
        r.decision_steps,
        r.costs.fee_bps,
        r.costs.fixed_per_trade,
        r.retrace
    );
    println!(
        "Premium collected {:.2} quote; book vega {:.1} quote per 1.00 of vol, gamma {:.3} underlying per unit of spot",
        b.premium, b.vega, b.gamma
    );
    for p in &r.policies {
        println!();
        println!("{} (seed {}, sweeping {}, {})", p.name, r.seed, p.param_name, p.param_unit);
        println!(
            "  {:>12} {:>10} {:>8} {:>10} {:>8} {:>10} {:>9}  frontier",
            "param", "mean cost", "%prem", "std P&L", "%prem", "CVaR95", "trades"
        );
        for (i, pt) in p.points.iter().enumerate() {
            println!(
                "  {:>12} {:>10.1} {:>8} {:>10.1} {:>8} {:>10.1} {:>9.1}  {}",
                format_param(pt.param),
                pt.mean_cost,
                pct(pt.mean_cost, b.premium),
                pt.std_pnl,
                pct(pt.std_pnl, b.premium),
                pt.cvar95,
                pt.trades,
                if p.frontier.contains(&i) { "*" } else { "" }
            );
        }
    }
    if runs.len() > 1 {
        println!();
        println!("(the other seeds' sweep points are in --output json)");
    }
    let names: Vec<&str> = r.policies.iter().map(|p| p.name).collect();
    for run in runs {
        println!();
        println!(
            "Mean hedging cost at matched P&L std, seed {} (quote; - = the policy's frontier does not reach that std)",
            run.seed
        );
        print!("  {:>9}", "std");
        for n in &names {
            print!(" {n:>20}");
        }
        println!();
        for m in &run.matched {
            print!("  {:>8.1}%", m.std_level * 100.0);
            for n in &names {
                let cell = match m.costs.get(n).copied().flatten() {
                    Some(c) => format!("{c:.1} ({})", pct(c, b.premium)),
                    None => "-".into(),
                };
                print!(" {cell:>20}");
            }
            println!();
        }
    }
    let adaptive: Vec<&str> =
        names.iter().copied().filter(|n| Family::from_name(n).is_some_and(|f| f.is_adaptive())).collect();
    // versus every fixed rule, and WW (the adaptive band the others refine)
    for versus in names.iter().copied().filter(|n| !adaptive.contains(n) || *n == Family::WhalleyWilmott.name()) {
        let rows: Vec<&str> = adaptive.iter().copied().filter(|a| *a != versus).collect();
        if rows.is_empty() {
            continue;
        }
        println!();
        println!(
            "Saving vs {versus} at matched std, % (1 - cost / cost_{versus}) +- bootstrap standard error, by seed"
        );
        print!("  {:>9}", "std");
        for a in &rows {
            print!(" {a:>32}");
        }
        println!();
        for (level, m) in r.matched.iter().enumerate() {
            print!("  {:>8.1}%", m.std_level * 100.0);
            for a in &rows {
                let cells: Vec<String> = runs
                    .iter()
                    .map(|run| {
                        let s = run.matched[level].savings.iter().find(|s| s.policy == *a && s.versus == versus);
                        match s.and_then(|s| s.pct.map(|p| (p, s.se_pct))) {
                            Some((p, Some(se))) => format!("{p:.1}+-{se:.1}"),
                            Some((p, None)) => format!("{p:.1}"),
                            None => "-".into(),
                        }
                    })
                    .collect();
                print!(" {:>32}", cells.join(" | "));
            }
            println!();
        }
    }
    println!();
}

fn format_param(x: f64) -> String {
    if x != 0.0 && (x.abs() < 0.01 || x.abs() >= 1e5) {
        format!("{x:.3e}")
    } else {
        format!("{x:.4}")
    }
}
