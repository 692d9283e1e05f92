//! `oamm price`: Black-Scholes price and greeks from the very functions the
//! program calls (options-math), for one option or a JSON-lines batch.
use crate::OutputFormat;
use anyhow::{bail, Context};
use fixed::types::I80F48;
use options_math::{price_and_greeks, Greeks, OptionKind};
use serde_json::{json, Map, Value};
use std::io::{BufRead, BufWriter, Write};

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Call,
    Put,
}

impl From<Kind> for OptionKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Call => OptionKind::Call,
            Kind::Put => OptionKind::Put,
        }
    }
}

#[derive(clap::Args, Debug)]
#[command(after_help = "Numbers are read as exact decimals into I80F48 (48 fractional bits).\n\
Batch mode reads JSON lines from stdin, e.g.\n  \
{\"spot\": \"100\", \"strike\": \"105\", \"t_years\": \"0.25\", \"vol\": \"0.6\", \"rate\": \"0.03\", \"kind\": \"call\"}\n\
and writes one JSON line per input: price and greeks, or {\"error\": \"...\"}.")]
pub struct PriceArgs {
    /// Read JSON lines from stdin instead of the flags below.
    #[arg(long, conflicts_with_all = ["spot", "strike", "t_years", "vol", "kind"])]
    batch: bool,
    /// Spot price of the underlying, in quote units.
    #[arg(long, value_parser = parse_fixed, allow_hyphen_values = true, required_unless_present = "batch")]
    spot: Option<I80F48>,
    /// Strike price, in quote units.
    #[arg(long, value_parser = parse_fixed, allow_hyphen_values = true, required_unless_present = "batch")]
    strike: Option<I80F48>,
    /// Time to expiry in years (365-day years); 0 or less means expired.
    #[arg(long = "t-years", value_parser = parse_fixed, allow_hyphen_values = true, required_unless_present = "batch")]
    t_years: Option<I80F48>,
    /// Volatility as a fraction a year (0.8 = 80%).
    #[arg(long, value_parser = parse_fixed, allow_hyphen_values = true, required_unless_present = "batch")]
    vol: Option<I80F48>,
    /// Continuously compounded risk-free rate (0.03 = 3%).
    #[arg(long, value_parser = parse_fixed, allow_hyphen_values = true, default_value = "0")]
    rate: I80F48,
    /// Option kind.
    #[arg(long, value_enum, required_unless_present = "batch")]
    kind: Option<Kind>,
}

fn parse_fixed(s: &str) -> Result<I80F48, String> {
    I80F48::from_str(s.trim()).map_err(|e| format!("`{s}` is not a decimal number ({e})"))
}

fn greeks_json(g: &Greeks) -> Map<String, Value> {
    let mut m = Map::new();
    for (name, v) in [
        ("price", g.price),
        ("delta", g.delta),
        ("gamma", g.gamma),
        ("vega", g.vega),
        ("theta", g.theta),
        ("rho", g.rho),
    ] {
        m.insert(name.into(), Value::String(v.to_string()));
    }
    m
}

pub fn run(args: PriceArgs, output: OutputFormat) -> anyhow::Result<()> {
    if args.batch {
        let stdin = std::io::stdin();
        let stdout = std::io::stdout();
        return run_batch(stdin.lock(), &mut BufWriter::new(stdout.lock()));
    }
    // clap guarantees these are present without --batch
    let (spot, strike, t_years, vol, kind) = match (args.spot, args.strike, args.t_years, args.vol, args.kind) {
        (Some(s), Some(k), Some(t), Some(v), Some(kind)) => (s, k, t, v, kind),
        _ => bail!("--spot, --strike, --t-years, --vol and --kind are required (or use --batch)"),
    };
    let g = price_and_greeks(kind.into(), spot, strike, t_years, vol, args.rate)
        .map_err(|e| anyhow::anyhow!("cannot price this option: {e}"))?;
    match output {
        OutputFormat::Json => {
            let mut m = Map::new();
            m.insert("kind".into(), json!(if kind == Kind::Call { "call" } else { "put" }));
            for (name, v) in
                [("spot", spot), ("strike", strike), ("t_years", t_years), ("vol", vol), ("rate", args.rate)]
            {
                m.insert(name.into(), Value::String(v.to_string()));
            }
            m.extend(greeks_json(&g));
            println!("{}", Value::Object(m));
        }
        OutputFormat::Table => {
            let kind = if kind == Kind::Call { "call" } else { "put" };
            println!("European {kind}: spot {spot}, strike {strike}, {t_years} years, vol {vol}, rate {}", args.rate);
            for (name, v, unit) in [
                ("price", g.price, "quote per unit of underlying"),
                ("delta", g.delta, "per unit of spot"),
                ("gamma", g.gamma, "per unit of spot squared"),
                ("vega", g.vega, "per 1.00 of vol"),
                ("theta", g.theta, "per year"),
                ("rho", g.rho, "per 1.00 of rate"),
            ] {
                println!("  {name:<6} {:>28}  {unit}", v.to_string());
            }
        }
    }
    Ok(())
}

/// One JSON line in, one out. A bad line yields `{"error": ...}` and the
/// batch goes on; only unreadable input (I/O error, invalid UTF-8) fails.
pub fn run_batch(input: impl BufRead, out: &mut impl Write) -> anyhow::Result<()> {
    for (n, line) in input.lines().enumerate() {
        let line = line.with_context(|| format!("reading line {} of the batch input", n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let result = match price_line(&line) {
            Ok(m) => Value::Object(m),
            Err(e) => json!({ "line": n + 1, "error": e }),
        };
        writeln!(out, "{result}")?;
    }
    out.flush()?;
    Ok(())
}

fn price_line(line: &str) -> Result<Map<String, Value>, String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("not valid JSON: {e}"))?;
    let obj = v.as_object().ok_or("expected a JSON object")?;
    let field = |name: &str, default: Option<&str>| -> Result<I80F48, String> {
        let text = match obj.get(name) {
            Some(Value::String(s)) => s.clone(),
            // A JSON number arrives as an f64; its shortest decimal form is
            // what was typed for any number with <= 15 significant digits.
            Some(Value::Number(n)) => n.to_string(),
            Some(other) => return Err(format!("`{name}` must be a decimal string or number, got {other}")),
            None => match default {
                Some(d) => d.to_string(),
                None => return Err(format!("missing field `{name}`")),
            },
        };
        parse_fixed(&text).map_err(|e| format!("`{name}`: {e}"))
    };
    let kind = match obj.get("kind").and_then(Value::as_str) {
        Some("call") => OptionKind::Call,
        Some("put") => OptionKind::Put,
        _ => return Err("`kind` must be \"call\" or \"put\"".into()),
    };
    let g = price_and_greeks(
        kind,
        field("spot", None)?,
        field("strike", None)?,
        field("t_years", None)?,
        field("vol", None)?,
        field("rate", Some("0"))?,
    )
    .map_err(|e| format!("cannot price this option: {e}"))?;
    let mut m = greeks_json(&g);
    if let Some(id) = obj.get("id") {
        m.insert("id".into(), id.clone());
    }
    Ok(m)
}
