//! Compute units of one pricing call on SBF, per case of a 64-case grid, for
//! our kernels and for solmath 0.2.0's `bs_full` on the same inputs in the
//! same run (`sbf/kernel-bench.sh` builds the probe program and runs this
//! with `SBF_OUT_DIR` set). Each case is one transaction to the probe in
//! solana-program-test's bank, i.e. the runtime's own VM and meter; the
//! figures are net of the probe's fixed cost (entrypoint, input parsing,
//! return data), measured as the baseline mode on the same inputs. Every
//! SBF checksum must equal the native result of the same call bit for bit,
//! or this exits 1.
//!
//! Usage: kernel_cu [--out FILE] [--max-greeks-cu N] [--max-solmath-ratio X]
//!        kernel_cu --profile   (stage by stage; the probe built with its `profile` feature)
//! (markdown; the two limits make it exit 1 when a case is over them).
#![allow(deprecated)] // solana-program-test 3.x marks its API for agave's unstable set
use kernel_probe::{encode, run, solmath_accepts, Mode, COMPONENTS, MODES};
use options_math::I80F48;
use solana_program_test::{BanksClient, ProgramTest};
use solana_sdk::hash::Hash;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::Transaction;
use std::fmt::Write as _;

const HOUR: f64 = 1.0 / (365.0 * 24.0);

/// The grid: every combination would be 7 x 7 x 7 x 6 x 2 cases; instead 64
/// cases walk each axis with a different stride, so every value of every
/// axis appears and the combinations spread (the extreme corners are added
/// explicitly below).
fn grid() -> Vec<[f64; 5]> {
    let tenors = [HOUR, 24.0 * HOUR, 7.0 / 365.0, 30.0 / 365.0, 0.5, 1.0, 2.0];
    let vols = [0.05, 0.2, 0.5, 0.8, 1.2, 2.0, 3.0];
    let moneyness = [0.5, 0.7, 0.9, 1.0, 1.1, 1.4, 2.0]; // K/S
    let spots = [0.01, 1.0, 23.5, 150.0, 3_000.0, 65_000.0, 100_000.0];
    let rates = [0.0, 0.05];
    let mut cases: Vec<[f64; 5]> = (0..56)
        .map(|i: usize| {
            let s = spots[i % 7];
            [s, s * moneyness[(i / 7 + i) % 7], tenors[(3 * i + 1) % 7], vols[(5 * i + 2) % 7], rates[(i / 3) % 2]]
        })
        .collect();
    for (t, v) in [(HOUR, 0.05), (HOUR, 3.0), (2.0, 0.05), (2.0, 3.0)] {
        cases.push([150.0, 75.0, t, v, 0.05]);
        cases.push([150.0, 300.0, t, v, 0.0]);
    }
    cases
}

fn fixed(x: f64) -> I80F48 {
    I80F48::from_num(x)
}

struct Probe {
    banks: BanksClient,
    payer: Keypair,
    blockhash: Hash,
    id: Pubkey,
    nonce: u64,
}

impl Probe {
    /// (compute units net of nothing, checksum from the return data).
    async fn call(&mut self, data: Vec<u8>) -> anyhow::Result<(u64, u64)> {
        let (units, checksum, _) = self.call_with_logs(data).await?;
        Ok((units, checksum))
    }

    async fn call_with_logs(&mut self, data: Vec<u8>) -> anyhow::Result<(u64, u64, Vec<String>)> {
        // a distinct budget per call keeps identical transactions distinct
        self.nonce += 1;
        let budget = solana_compute_budget_interface::ComputeBudgetInstruction::set_compute_unit_limit(
            1_400_000 - self.nonce as u32,
        );
        let ix = Instruction { program_id: self.id, accounts: vec![], data };
        let tx = Transaction::new_signed_with_payer(
            &[budget, ix],
            Some(&self.payer.pubkey()),
            &[&self.payer],
            self.blockhash,
        );
        let out = self.banks.process_transaction_with_metadata(tx).await?;
        out.result?;
        let meta = out.metadata.ok_or_else(|| anyhow::anyhow!("no metadata"))?;
        let ret = meta.return_data.ok_or_else(|| anyhow::anyhow!("probe set no return data"))?;
        let checksum = u64::from_le_bytes(ret.data.as_slice().try_into()?);
        Ok((meta.compute_units_consumed, checksum, meta.log_messages))
    }
}

/// The stages between the kernels' marks (options-math feature `cu-probe`).
const STAGES: [(u64, &str); 21] = [
    (1, "validate, inputs to 64 fractional bits"),
    (2, "spot terms (ln S, 1/S)"),
    (3, "time terms (1/sqrt T, sqrt T)"),
    (10, "strike, vol, rate, yield to 64 fractional bits"),
    (11, "1/vol, 1/(vol sqrt T)"),
    (12, "vol sqrt T"),
    (13, "ln K"),
    (14, "drift"),
    (15, "d1, d2"),
    (16, "discount and carry exponentials"),
    (17, "discounted forward and strike"),
    (18, "N(d1)"),
    (19, "N(d2)"),
    (40, "pdf(d1)"),
    (41, "S pdf"),
    (42, "gamma"),
    (43, "vega"),
    (31, "theta and rho terms"),
    (32, "theta, rho"),
    (33, "price"),
    (99, "delta, rounding to I80F48, return"),
];

/// `--profile`: the worst cases' price_and_greeks call, stage by stage, from
/// the marks' log lines ("0x6d61726b, id, remaining"), net of the marks' own
/// cost (two marks back to back at the start measure it).
async fn profile(probe: &mut Probe, cases: &[[f64; 5]]) -> anyhow::Result<String> {
    let mut md = String::from("| stage |");
    let mut columns: Vec<Vec<u64>> = Vec::new();
    for [s, k, t, v, r] in cases {
        write!(md, " S={s} K={k} T={t:.4} vol={v} r={r} |")?;
        let data = encode(Mode::GreeksCall, [fixed(*s), fixed(*k), fixed(*t), fixed(*v), fixed(*r)]);
        let (_, _, logs) = probe.call_with_logs(data).await?;
        let marks: Vec<(u64, u64)> = logs
            .iter()
            .filter_map(|l| {
                let f: Vec<u64> = l
                    .strip_prefix("Program log: ")?
                    .split(", ")
                    .map(|x| u64::from_str_radix(x.trim_start_matches("0x"), 16))
                    .collect::<Result<_, _>>()
                    .ok()?;
                (f.len() == 5 && f[0] == 0x6d61726b).then_some((f[1], f[2]))
            })
            .collect();
        anyhow::ensure!(marks.len() > 3, "no stage marks in the logs: build the probe with --profile");
        let own = marks[1].1 - marks[2].1; // one mark's cost
        let mut column = Vec::new();
        for (id, _) in STAGES {
            let i = marks.iter().position(|m| m.0 == id);
            // the stage ends at its mark; it began at the mark before it
            column.push(i.map_or(0, |i| (marks[i - 1].1 - marks[i].1).saturating_sub(own)));
        }
        column.push(marks[2].1 - marks.last().unwrap().1 - own * (marks.len() as u64 - 3));
        columns.push(column);
    }
    writeln!(md, "\n|---|{}", "---:|".repeat(cases.len()))?;
    for (row, (_, name)) in STAGES.iter().enumerate() {
        write!(md, "| {name} |")?;
        for c in &columns {
            write!(md, " {} |", c[row])?;
        }
        writeln!(md)?;
    }
    write!(md, "| **total** |")?;
    for c in &columns {
        write!(md, " **{}** |", c[STAGES.len()])?;
    }
    writeln!(md)?;
    Ok(md)
}

struct Row {
    label: String,
    /// per mode, net of the baseline (the baseline itself first, gross)
    cu: Vec<u64>,
    /// per component mode, net of the baseline
    components: Vec<u64>,
    /// solmath refused the inputs: its figure is the cost of a refusal
    solmath_refused: bool,
}

/// One summary column: a row's figure, or none when it does not count.
type Column<'a> = dyn Fn(&Row) -> Option<u64> + 'a;

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

fn arg<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if std::env::var_os("SBF_OUT_DIR").is_none() {
        anyhow::bail!(
            "kernel_cu meters the SBF build of the probe: run sbf/kernel-bench.sh (it builds it and sets SBF_OUT_DIR)"
        );
    }
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let id = Pubkey::new_unique();
    let mut pt = ProgramTest::default();
    pt.prefer_bpf(true);
    pt.add_program("kernel_probe", id, None);
    let (banks, payer, blockhash) = pt.start().await;
    let mut probe = Probe { banks, payer, blockhash, id, nonce: 0 };

    if args.iter().any(|a| a == "--profile") {
        let cases = [[150.0, 75.0, 2.0, 3.0, 0.05], [1.0, 1.4, 0.5, 0.05, 0.05], [150.0, 150.0, 7.0 / 365.0, 0.8, 0.0]];
        print!("{}", profile(&mut probe, &cases).await?);
        return Ok(());
    }
    let mut rows = Vec::new();
    let mut mismatches = 0;
    for [s, k, t, v, r] in grid() {
        let inputs = [fixed(s), fixed(k), fixed(t), fixed(v), fixed(r)];
        let mut cu = Vec::new();
        for mode in MODES.into_iter().chain(COMPONENTS) {
            let data = encode(mode, inputs);
            let native = run(&data);
            let (units, checksum) = probe.call(data).await?;
            if checksum != native {
                mismatches += 1;
                eprintln!("MISMATCH {mode:?} S={s} K={k} T={t} vol={v} r={r}: SBF {checksum:#x}, native {native:#x}");
            }
            cu.push(units);
        }
        let base = cu[0];
        for c in cu.iter_mut().skip(1) {
            *c = c.saturating_sub(base);
        }
        let components = cu.split_off(MODES.len());
        let tenor = if t < 1.0 / 365.0 { format!("{:.0}h", t / HOUR) } else { format!("{:.3}y", t) };
        let label = format!("S={s} K/S={:.2} T={tenor} vol={:.0}% r={:.0}%", k / s, v * 100.0, r * 100.0);
        rows.push(Row { label, cu, components, solmath_refused: !solmath_accepts(inputs) });
    }

    let col = |m: Mode| MODES.iter().position(|x| *x == m).unwrap();
    let (gc, gp, bc, bp, pc, pp, sm) = (
        col(Mode::GreeksCall),
        col(Mode::GreeksPut),
        col(Mode::BookCall),
        col(Mode::BookPut),
        col(Mode::PriceOnlyCall),
        col(Mode::PriceOnlyPut),
        col(Mode::Solmath),
    );
    let greeks = |r: &Row| r.cu[gc].max(r.cu[gp]);
    let ratio = |r: &Row| if r.solmath_refused { None } else { Some(greeks(r) as f64 / r.cu[sm] as f64) };
    let mut md = String::new();
    writeln!(md, "# Pricing kernels: compute units per call (SBF)\n")?;
    writeln!(
        md,
        "Generated by `sbf/kernel-bench.sh` (tests/src/bin/kernel_cu.rs): one transaction per call to the probe program \
         (`sbf/kernel-probe`) in solana-program-test's bank, net of the probe's fixed cost (baseline column: entrypoint, \
         input parsing, return data). *greeks*: `price_and_greeks` (price, delta, gamma, vega, theta, rho), worse of call \
         and put; *book*: `book_greeks` (price, delta, gamma, vega: what the pool's cache computes); *price only*: \
         `price_only_at` with its spot and time terms; *solmath*: solmath 0.2.0 `bs_full` (call and put with all their \
         greeks) on the same inputs. Every SBF result equals the native one bit for bit.\n"
    )?;
    let stats = |f: &Column| {
        let v: Vec<u64> = rows.iter().filter_map(f).collect();
        (*v.iter().min().unwrap(), median(v.clone()), *v.iter().max().unwrap())
    };
    let ratios: Vec<f64> = rows.iter().filter_map(ratio).collect();
    let refused = rows.iter().filter(|r| r.solmath_refused).count();
    let rmax = ratios.iter().cloned().fold(0.0, f64::max);
    let rmin = ratios.iter().cloned().fold(f64::MAX, f64::min);
    writeln!(md, "| over {} cases | min | median | max |\n|---|---:|---:|---:|", rows.len())?;
    let columns: [(&str, &Column); 5] = [
        ("greeks", &|r: &Row| Some(greeks(r))),
        ("book", &|r: &Row| Some(r.cu[bc].max(r.cu[bp]))),
        ("price only", &|r: &Row| Some(r.cu[pc].max(r.cu[pp]))),
        ("solmath bs_full", &|r: &Row| (!r.solmath_refused).then_some(r.cu[sm])),
        ("baseline (gross)", &|r: &Row| Some(r.cu[0])),
    ];
    for (name, f) in columns {
        let (lo, mid, hi) = stats(f);
        writeln!(md, "| {name} | {lo} | {mid} | {hi} |")?;
    }
    writeln!(md, "| greeks / solmath | {rmin:.2} | | {rmax:.2} |\n")?;
    writeln!(md, "solmath refused {refused} of the cases (marked *refused*; not in the ratio).\n")?;
    writeln!(
        md,
        "Components, one call each (spot terms: ln S and 1/S, shared by a book; time terms: 1/sqrt T and sqrt T, \
         shared by an expiry; ln at S; exp, CDF and PDF at vol - 1):\n"
    )?;
    writeln!(md, "| component | min | median | max |\n|---|---:|---:|---:|")?;
    for (i, mode) in COMPONENTS.iter().enumerate() {
        let (lo, mid, hi) = stats(&|r: &Row| Some(r.components[i]));
        writeln!(md, "| {mode:?} | {lo} | {mid} | {hi} |")?;
    }
    writeln!(md)?;
    writeln!(md, "| case | greeks call | greeks put | book call | book put | price only call | price only put | solmath | greeks / solmath |")?;
    writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")?;
    for r in &rows {
        writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.label,
            r.cu[gc],
            r.cu[gp],
            r.cu[bc],
            r.cu[bp],
            r.cu[pc],
            r.cu[pp],
            if r.solmath_refused { "refused".to_string() } else { r.cu[sm].to_string() },
            ratio(r).map_or("-".to_string(), |x| format!("{x:.2}"))
        )?;
    }
    match arg::<String>(&args, "--out") {
        Some(path) => std::fs::write(&path, &md)?,
        None => print!("{md}"),
    }
    let (_, median_greeks, worst_greeks) = stats(&|r: &Row| Some(greeks(r)));
    eprintln!(
        "kernel_cu: {} cases, greeks worst {worst_greeks} CU (median {median_greeks}), greeks/solmath {rmin:.2}..{rmax:.2}, {mismatches} mismatches",
        rows.len()
    );
    let mut failed = mismatches > 0;
    if let Some(limit) = arg::<u64>(&args, "--max-greeks-cu") {
        if worst_greeks > limit {
            eprintln!("kernel_cu: worst greeks call {worst_greeks} CU is over the limit {limit}");
            failed = true;
        }
    }
    if let Some(limit) = arg::<f64>(&args, "--max-solmath-ratio") {
        if rmax > limit {
            eprintln!("kernel_cu: greeks/solmath {rmax:.2} is over the limit {limit}");
            failed = true;
        }
    }
    if failed {
        std::process::exit(1);
    }
    Ok(())
}
