//! Compute units per instruction at 1, 4, 8, 16 and 32 (the cap) live
//! series, one expiry each (16 at most), and 16 series on 4 expiries, on the
//! SBF builds (`sbf/cu-table.sh` builds them and runs this with
//! `SBF_OUT_DIR` set; natively the bank meters nothing useful, so this
//! refuses to run without it). Each figure is the whole transaction's
//! consumption (compute-budget instruction and CPIs included: what a
//! client's compute-unit limit must cover), the worst over every call the
//! scenario makes at that book size.
//!
//! The book is built to be expensive: every series is open (the pool is
//! short each one, so every loop does its full work), half are puts, the
//! expiries spread from 2 days to 2 years (long-dated ones carry stress
//! moves past 100%, which adds kinks to the stress test), and ten minutes
//! pass between the trades and the LP flows so the mark and trading IVs
//! differ (an LP flow then prices each series twice).
//!
//! The `rebalance` row runs the delta-threshold policy (the narrowest band
//! allowed, so the book is always due a hedge); the three rows after it
//! run the same book under Whalley-Wilmott and under the cost-benefit band
//! (issue 17) without and with the expiry-aware allowances, each a buy and
//! a sell after a 10% price move. Their risk aversion is set so high that
//! the band is the pool's floor and every move trades: the arithmetic is
//! the same at any risk aversion, and with it every early expiry's
//! allowance is smaller than its delta, so every bucket stays in the core
//! band (its most expensive path).
//!
//! Usage: cu_table [--out FILE]   (markdown; stdout when no file is given)
use oamm_sdk::bank::{Bank, BankResult};
use oamm_sdk::ix::{self, data};
use oamm_sdk::market::{Actor, Market, MarketConfig};
use oamm_sdk::pda::SeriesKeys;
use options_amm::error::OptionsError;
use options_amm::state::{HedgePolicyConfig, Kind};
use solana_sdk::signature::Signer;
use std::collections::BTreeMap;
use std::fmt::Write as _;

const USDC: u64 = 1_000_000;
const SOL: u64 = 1_000_000_000;
const T0: i64 = 1_800_000_000;
const DAY: i64 = 86_400;
/// The most a transaction may ask for.
const MAX_TX_CU: u32 = 1_400_000;
/// (live series, distinct expiries), up to the program's cap,
/// MAX_LIVE_SERIES (32). One expiry per series is the worst case (nothing
/// is shared between series); 16 series on 4 expiries is a more usual book.
const SIZES: [(usize, usize); 6] = [(1, 1), (4, 4), (8, 8), (16, 16), (16, 4), (32, 16)];
const REBALANCE_WW: &str = "rebalance, Whalley-Wilmott";
const REBALANCE_CB_FLAT: &str = "rebalance, cost-benefit";
const REBALANCE_CB: &str = "rebalance, cost-benefit (expiry-aware)";
const BUY_HEDGE_FEE: &str = "buy, with the hedge-cost fee (Whalley-Wilmott pool)";
const ROWS: [&str; 25] = [
    "initialize_pool",
    "update_pool_params",
    "set_paused",
    "create_series",
    "deposit",
    "withdraw",
    "buy",
    "buy after refresh_greeks",
    BUY_HEDGE_FEE,
    "sell",
    "refresh_greeks",
    "rebalance",
    REBALANCE_WW,
    REBALANCE_CB_FLAT,
    REBALANCE_CB,
    "settle_series",
    "redeem",
    "close_series",
    "venue swap",
    "propose_pool_params",
    "apply_pool_params",
    "cancel_pool_params",
    "set_guardian",
    "propose_admin",
    "accept_admin",
];

/// Worst CU seen per instruction name.
#[derive(Default)]
struct Meter(BTreeMap<&'static str, u64>);

/// Recorded when the transaction ran out of its 1.4M units.
const OVER: u64 = u64::MAX;

impl Meter {
    /// Record the last transaction's CU under `name`. A run out of compute
    /// is recorded as over the cap (the instruction changed nothing, and the
    /// scenario goes on); any other failure stops the measurement.
    fn take(&mut self, name: &'static str, r: BankResult<()>, bank: &Bank) {
        let cu = match r {
            Ok(()) => bank.last.compute_units,
            Err(e)
                if e.logs()
                    .iter()
                    .any(|l| l.contains("exceeded CUs meter") || l.contains("Computational budget exceeded")) =>
            {
                OVER
            }
            Err(e) => panic!("{name}: {e}\n{}", e.logs().join("\n")),
        };
        let e = self.0.entry(name).or_default();
        *e = (*e).max(cu);
    }
}

/// Fail loudly: a measurement that silently skipped an instruction would
/// print a table that looks complete.
fn ok<T, E: std::fmt::Display>(what: &str, r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// The n series of the book over `expiries` expiries from 2 days to 2
/// years, calls and puts alternating, strikes within the delta band.
fn book(n: usize, expiries: usize) -> Vec<(u64, i64, Kind)> {
    let last = (expiries as i64 - 1).max(1);
    (0..n)
        .map(|i| {
            let e = (i % expiries) as i64;
            let days = 2 + (e * e * 730) / (last * last);
            let kind = if (i + i / expiries).is_multiple_of(2) { Kind::Call } else { Kind::Put };
            let strike = 144 + 3 * (i as u64 % 5);
            (strike * USDC, T0 + days * DAY + 3600, kind)
        })
        .collect()
}

async fn measure(n: usize, expiries: usize) -> Meter {
    let mut meter = Meter::default();
    let mut bank = Bank::start(T0).await;
    bank.compute_unit_limit = Some(MAX_TX_CU);
    let mut m = ok("market", Market::create(&mut bank, &MarketConfig::default()).await);
    let mut params = ok("pool", m.pool(&mut bank).await).params;
    params.risk.max_live_series = options_amm::constants::MAX_LIVE_SERIES;
    // the narrowest band the program allows, so the book is always due a hedge
    params.hedge.policy = HedgePolicyConfig::DeltaThreshold { band: params.hedge.min_band };
    meter.take("update_pool_params", m.update_params(&mut bank, params.clone()).await, &bank);
    meter.take("set_paused", m.set_paused(&mut bank, 0).await, &bank);

    let lp = ok("lp", m.new_actor(&mut bank, 20_000_000 * USDC).await);
    ok("deposit", m.deposit(&mut bank, &lp, 10_000_000 * USDC, 0).await);
    let mut series: Vec<SeriesKeys> = Vec::new();
    for (strike, expiry, kind) in book(n, expiries) {
        series.push(ok("create_series", m.list_series(&mut bank, strike, expiry, kind).await));
        meter.take("create_series", Ok(()), &bank);
    }
    let mut trader = ok("trader", m.new_actor(&mut bank, 50_000_000 * USDC).await);
    for s in &series {
        next_second(&mut bank, &mut m);
        meter.take("buy", m.buy(&mut bank, &mut trader, s, 2 * SOL, u64::MAX).await, &bank);
    }
    // the marks lag the surface the buys moved: LP flows price twice
    bank.advance(600);
    m.post_price(&mut bank, 151_00000000);
    meter.take("deposit", m.deposit(&mut bank, &lp, 1_000 * USDC, 0).await, &bank);
    next_second(&mut bank, &mut m);
    meter.take("withdraw", m.withdraw(&mut bank, &lp, 1_000 * USDC, 0).await, &bank);
    for s in &series {
        if trader_options(&mut bank, &mut m, &mut trader, s).await > 0 {
            next_second(&mut bank, &mut m);
            meter.take("sell", m.sell(&mut bank, &mut trader, s, SOL, 0).await, &bank);
        }
    }
    next_second(&mut bank, &mut m);
    meter.take("refresh_greeks", m.refresh(&mut bank).await, &bank);
    // a trade right after a refresh_greeks of the same second and update
    // (two transactions): the book is already priced, only the trade's
    // own series and the checks remain
    for s in &series {
        next_second(&mut bank, &mut m);
        meter.take("refresh_greeks", m.refresh(&mut bank).await, &bank);
        meter.take("buy after refresh_greeks", m.buy(&mut bank, &mut trader, s, SOL, u64::MAX).await, &bank);
    }
    // the hedge-cost fee is priced only under a policy with a cost model
    let mut params = ok("pool", m.pool(&mut bank).await).params;
    let threshold = params.hedge.policy;
    params.hedge.policy = HedgePolicyConfig::WhalleyWilmott { cost_bps: 30, risk_aversion_ppm: 1_000 };
    ok("policy", m.update_params(&mut bank, params.clone()).await);
    for s in &series {
        next_second(&mut bank, &mut m);
        meter.take(BUY_HEDGE_FEE, m.buy(&mut bank, &mut trader, s, SOL, u64::MAX).await, &bank);
    }
    params.hedge.policy = threshold;
    ok("policy", m.update_params(&mut bank, params).await);
    hedge(&mut bank, &mut m, &mut meter, &lp).await;
    let arb = ok("arb", m.new_actor(&mut bank, 0).await);
    edge_policy_rebalances(&mut bank, &mut m, &mut meter, &lp, &arb, n).await;

    ok("align", m.align_venue(&mut bank, &arb).await);
    bank.mint_to(&m.keys.quote_mint, &m.mint_authority, &arb.quote, 10_000 * USDC).await.unwrap();
    meter.take("venue swap", m.venue_swap(&mut bank, &arb, 10_000 * USDC, false).await, &bank);

    // the nearest expiry settles with the rest of the book live
    let expiry = book(n, expiries).iter().map(|b| b.1).min().unwrap();
    bank.set_time(expiry + 5);
    m.post_price(&mut bank, 152_00000000);
    for (k, _) in series.iter().zip(book(n, expiries)).filter(|(_, b)| b.1 == expiry) {
        meter.take("settle_series", m.settle(&mut bank, k).await, &bank);
        let held = trader_options(&mut bank, &mut m, &mut trader, k).await;
        if held > 0 {
            meter.take("redeem", m.redeem(&mut bank, &mut trader, k, held).await, &bank);
        }
        meter.take("close_series", m.close_series(&mut bank, k).await, &bank);
    }
    governance(&mut bank, &mut m, &mut meter).await;
    meter
}

/// The governance instructions: one pool account each, nothing priced.
async fn governance(bank: &mut Bank, m: &mut Market, meter: &mut Meter) {
    let mut risky = ok("pool", m.pool(bank).await).params;
    risky.fees.option_price_fee_bps += 1;
    meter.take("propose_pool_params", m.propose_params(bank, risky.clone()).await, bank);
    let admin = m.admin.insecure_clone();
    let cancel = ix::ix(ix::cancel_params(admin.pubkey(), &m.keys), data::CancelPoolParams {});
    meter.take("cancel_pool_params", bank.process(&[cancel], &[&admin]).await, bank);
    meter.take("propose_pool_params", m.propose_params(bank, risky.clone()).await, bank);
    bank.advance(risky.governance.timelock_s as i64);
    meter.take("apply_pool_params", m.apply_params(bank).await, bank);
    let next = ok("next admin", bank.funded_keypair(1).await);
    let guardian = ix::ix(ix::set_guardian(admin.pubkey(), &m.keys), data::SetGuardian { guardian: next.pubkey() });
    meter.take("set_guardian", bank.process(&[guardian], &[&admin]).await, bank);
    let propose = ix::ix(ix::propose_admin(admin.pubkey(), &m.keys), data::ProposeAdmin { proposed: next.pubkey() });
    meter.take("propose_admin", bank.process(&[propose], &[&admin]).await, bank);
    let accept = ix::ix(ix::accept_admin(next.pubkey(), &m.keys), data::AcceptAdmin {});
    meter.take("accept_admin", bank.process(&[accept], &[&next]).await, bank);
}

/// One second later, with a fresh update: the next instruction prices the
/// whole book again (nothing priced in an earlier second is reused).
fn next_second(bank: &mut Bank, m: &mut Market) {
    bank.advance(1);
    let price = m.spot_e8;
    m.post_price(bank, price);
}

async fn trader_options(bank: &mut Bank, m: &mut Market, a: &mut Actor, s: &SeriesKeys) -> u64 {
    let acct = ok("option account", m.option_account(bank, a, s).await);
    ok("balance", bank.token_balance(&acct).await)
}

/// Rebalance until the policy says the hedge is inside its band (each call
/// one cooldown apart, the price nudged so each sees a fresh update).
async fn hedge(bank: &mut Bank, m: &mut Market, meter: &mut Meter, keeper: &Actor) {
    let cooldown = ok("pool", m.pool(bank).await).params.hedge.cooldown_s as i64;
    let mut ran = 0;
    for _ in 0..4 {
        bank.advance(cooldown);
        let price = m.spot_e8;
        m.post_price(bank, price);
        match m.rebalance(bank, keeper).await {
            Err(e) if ran > 0 && e.code() == Some(OptionsError::RebalanceNotDue.into()) => break,
            r => {
                ran += 1;
                meter.take("rebalance", r, bank);
            }
        }
    }
}

/// The book's rebalance under Whalley-Wilmott and under the cost-benefit
/// band, plain and expiry-aware: for each, one after the price falls 10%
/// and one after it rises back (the venue aligned to the oracle each time,
/// a cooldown apart). Then the pool returns to the delta-threshold policy.
async fn edge_policy_rebalances(
    bank: &mut Bank,
    m: &mut Market,
    meter: &mut Meter,
    keeper: &Actor,
    arb: &Actor,
    n: usize,
) {
    let mut params = ok("pool", m.pool(bank).await).params;
    let threshold = params.hedge.policy;
    let cooldown = params.hedge.cooldown_s as i64;
    let base = m.spot_e8;
    // 1,000 per quote unit: every band is the pool's floor
    let risk_aversion_ppm = 1_000_000_000;
    let ww = HedgePolicyConfig::WhalleyWilmott { cost_bps: 30, risk_aversion_ppm };
    let cb = |expiry_aware| HedgePolicyConfig::CostBenefit {
        cost_bps: 30,
        risk_aversion_ppm,
        terminal_bps: 10_000,
        expiry_aware,
    };
    for (row, policy) in [(REBALANCE_WW, ww), (REBALANCE_CB_FLAT, cb(false)), (REBALANCE_CB, cb(true))] {
        params.hedge.policy = policy;
        ok("policy", m.update_params(bank, params.clone()).await);
        for price in [base - base / 10, base] {
            bank.advance(cooldown);
            m.post_price(bank, price);
            ok("align", m.align_venue(bank, arb).await);
            next_second(bank, m);
            match m.rebalance(bank, keeper).await {
                // a one-series book's gamma may not move its hedge past the
                // floor; from 8 series on every move must trade
                Err(e) if n < 8 && e.code() == Some(OptionsError::RebalanceNotDue.into()) => {}
                r => meter.take(row, r, bank),
            }
        }
    }
    params.hedge.policy = threshold;
    ok("policy", m.update_params(bank, params).await);
}

async fn initialize_cost() -> u64 {
    let mut bank = Bank::start(T0).await;
    bank.compute_unit_limit = Some(MAX_TX_CU);
    bank.keep_history = true;
    ok("market", Market::create(&mut bank, &MarketConfig::default()).await);
    let init = bank
        .history
        .iter()
        .find(|r| r.logs.iter().any(|l| l == "Program log: Instruction: InitializePool"))
        .expect("the initialize_pool transaction");
    init.compute_units
}

#[tokio::main]
async fn main() {
    if std::env::var_os("SBF_OUT_DIR").is_none() {
        eprintln!(
            "cu_table: SBF_OUT_DIR is not set, so the programs would run natively and meter nothing.\n\
             Run sbf/cu-table.sh (it builds the SBF programs and sets it)."
        );
        std::process::exit(2);
    }
    let out = std::env::args().skip_while(|a| a != "--out").nth(1);
    let init = initialize_cost().await;
    let mut columns = Vec::new();
    for (n, expiries) in SIZES {
        eprintln!("cu_table: {n} live series on {expiries} expiries");
        columns.push(measure(n, expiries).await);
    }
    let mut md = String::new();
    writeln!(md, "# Compute units per instruction (SBF builds)\n").unwrap();
    writeln!(
        md,
        "Generated by `sbf/cu-table.sh` (tests/src/bin/cu_table.rs): the whole transaction's CU, worst over every \
         call at that many live series (all open, expiries 2 days to 2 years, half puts, mark and trading IV \
         apart; each call in a new second, so the book is priced afresh, except the row that follows a \
         `refresh_greeks` of the same second). The cap per transaction is {}; the runtime's default without a \
         compute-budget instruction is 200,000 per instruction.\n",
        group(MAX_TX_CU as u64)
    )
    .unwrap();
    write!(md, "| instruction |").unwrap();
    for (n, expiries) in SIZES {
        if expiries < n.min(16) {
            write!(md, " {n} live, {expiries} expiries |").unwrap();
        } else {
            write!(md, " {n} live |").unwrap();
        }
    }
    writeln!(md, " client asks |").unwrap();
    writeln!(md, "|---|{}", "---:|".repeat(SIZES.len() + 1)).unwrap();
    let mut over_bound = Vec::new();
    for row in ROWS {
        let bound = client_bound(row) as u64;
        write!(md, "| {row} |").unwrap();
        for c in &columns {
            let v = if row == "initialize_pool" { Some(init) } else { c.0.get(row).copied() };
            match v {
                Some(OVER) => write!(md, " > {} |", group(MAX_TX_CU as u64)).unwrap(),
                Some(v) => write!(md, " {} |", group(v)).unwrap(),
                None => write!(md, " - |").unwrap(),
            }
            if v.is_some_and(|v| v > bound) {
                over_bound.push(row);
            }
        }
        writeln!(md, " {} |", group(bound)).unwrap();
    }
    writeln!(
        md,
        "\n\"client asks\": the compute-unit limit `oamm_sdk::budget` requests for the instruction (the \
         worst case at the cap plus 10%), which every measurement must stay under."
    )
    .unwrap();
    match out {
        Some(path) => {
            std::fs::write(&path, &md).unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
            print!("{md}");
            eprintln!("cu_table: wrote {path}");
        }
        None => print!("{md}"),
    }
    if !over_bound.is_empty() {
        eprintln!("cu_table: measured above the client's limit: {over_bound:?}; raise oamm_sdk::budget's bounds");
        std::process::exit(1);
    }
}

/// What `oamm_sdk::budget` asks for this row's instruction (the client's
/// compute-unit limit, without the budget instruction's own 1,000).
fn client_bound(row: &str) -> u32 {
    use anchor_lang::Discriminator;
    use options_amm::instruction as oi;
    let d: &[u8] = match row {
        "initialize_pool" => oi::InitializePool::DISCRIMINATOR,
        "update_pool_params" => oi::UpdatePoolParams::DISCRIMINATOR,
        "set_paused" => oi::SetPaused::DISCRIMINATOR,
        "create_series" => oi::CreateSeries::DISCRIMINATOR,
        "deposit" => oi::Deposit::DISCRIMINATOR,
        "withdraw" => oi::Withdraw::DISCRIMINATOR,
        "buy" | "buy after refresh_greeks" | BUY_HEDGE_FEE => oi::Buy::DISCRIMINATOR,
        "sell" => oi::Sell::DISCRIMINATOR,
        "refresh_greeks" => oi::RefreshGreeks::DISCRIMINATOR,
        "rebalance" | REBALANCE_WW | REBALANCE_CB_FLAT | REBALANCE_CB => oi::Rebalance::DISCRIMINATOR,
        "settle_series" => oi::SettleSeries::DISCRIMINATOR,
        "redeem" => oi::Redeem::DISCRIMINATOR,
        "close_series" => oi::CloseSeries::DISCRIMINATOR,
        "propose_pool_params" => oi::ProposePoolParams::DISCRIMINATOR,
        "apply_pool_params" => oi::ApplyPoolParams::DISCRIMINATOR,
        "cancel_pool_params" => oi::CancelPoolParams::DISCRIMINATOR,
        "set_guardian" => oi::SetGuardian::DISCRIMINATOR,
        "propose_admin" => oi::ProposeAdmin::DISCRIMINATOR,
        "accept_admin" => oi::AcceptAdmin::DISCRIMINATOR,
        _ => {
            let swap = oamm_sdk::Instruction { program_id: spot_venue::ID, accounts: vec![], data: vec![] };
            return oamm_sdk::budget::limit_for(&[swap]) - 1_000;
        }
    };
    oamm_sdk::budget::options_ix_bound(d).expect("a known instruction")
}

fn group(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
