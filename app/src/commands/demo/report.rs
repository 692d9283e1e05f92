//! The demo's JSON report: what each step, trade, refusal, rebalance and
//! series did, in the units the report lists.
use serde::Serialize;

/// What the JSON numbers are in (also printed in the report).
#[derive(Serialize, Debug, Clone)]
pub struct Units {
    pub quote: &'static str,
    pub underlying: &'static str,
    pub deltas: &'static str,
    pub prices: &'static str,
    pub time: &'static str,
    pub rebalance_amounts: &'static str,
}

pub(super) const UNITS: Units = Units {
    quote: "USDC base units (1e-6 USDC): nav_*, lp_*, premiums*, fees, payouts, keeper_rewards, hedge_cost, redeemed_total, final_vault_quote, trade premium/fee/total",
    underlying: "SOL base units (1e-9 SOL): hedge_before, hedge_after, final_vault_hedge, contracts",
    deltas: "SOL base units as decimals: target, band, delta_before, delta_after, max_abs_delta_after_rebalance",
    prices: "USDC per SOL: oracle_price, spot, strike, settlement_price, payoff_per_contract",
    time: "days since the start of the run: day, expiry_day",
    rebalance_amounts: "amount_in / amount_out in base units of token_in / token_out (quote = USDC, underlying = SOL)",
};

#[derive(Serialize, Debug, Clone)]
pub struct TradeRecord {
    pub step: u32,
    pub day: f64,
    pub series: String,
    pub trader: usize,
    pub side: &'static str,
    pub contracts: u64,
    pub premium: u64,
    pub fee: u64,
    /// What the trader paid (buy) or received (sell).
    pub total: u64,
    pub iv: f64,
    pub oracle_price: f64,
}

#[derive(Serialize, Debug, Clone)]
pub struct RefusedTrade {
    pub step: u32,
    pub series: String,
    pub side: &'static str,
    pub contracts: u64,
    /// The program's rule that refused it (predicted client-side with the
    /// program's own trade function, so no transaction was paid for).
    pub reason: String,
}

#[derive(Serialize, Debug, Clone)]
pub struct RebalanceRecord {
    pub step: u32,
    pub day: f64,
    /// "delta" (the policy's band was crossed) or "expiry" (right after a settlement).
    pub when: &'static str,
    pub side: &'static str,
    pub oracle_price: f64,
    pub hedge_before: u64,
    pub hedge_after: u64,
    pub target: f64,
    pub band: f64,
    pub delta_before: f64,
    pub delta_after: f64,
    pub token_in: &'static str,
    pub amount_in: u64,
    pub token_out: &'static str,
    pub amount_out: u64,
    /// The oracle-derived bound the swap had to respect (quote base units).
    pub quote_bound: u64,
    pub keeper_reward: u64,
    /// What the swap cost against the oracle price (venue fee + price
    /// impact), quote base units; negative = it did better than the oracle.
    pub cost: i64,
    /// |delta_after| <= band.
    pub inside_band: bool,
    /// Why the hedge may stop outside the band: "max_trade" (the per-call
    /// cap), "venue_depth" (the venue's per-call cap, half of depth x fee),
    /// "funds_payouts" (a sale sized to fund settled holders) or
    /// "cash" (a buy limited to the quote not owed to holders); null when
    /// nothing capped it.
    pub cap: Option<&'static str>,
}

#[derive(Serialize, Debug, Clone)]
pub struct SeriesRecord {
    pub label: String,
    pub kind: &'static str,
    pub strike: f64,
    pub expiry_day: f64,
    pub settled: bool,
    pub settlement_price: Option<f64>,
    pub payoff_per_contract: Option<f64>,
    pub open_interest_at_settlement: u64,
    pub reserved: u64,
    pub redeemed_contracts: u64,
    pub redeemed_quote: u64,
    /// Closed once fully redeemed (its reserve's rounding dust released).
    pub closed: bool,
}

/// One step of the timeline, as the chart draws it.
#[derive(Serialize, Debug, Clone)]
pub struct StepRecord {
    pub step: u32,
    pub day: f64,
    pub oracle_price: f64,
    /// NAV at the end of the step (quote base units, rounded down).
    pub nav: i64,
    pub hedge: u64,
    pub target: f64,
    /// hedge - target after the step's trades, before the keeper acted.
    pub delta_before: f64,
    /// hedge - target at the end of the step.
    pub delta_after: f64,
    /// The policy's no-trade band at the end of the step: nothing trades
    /// while -band_below <= hedge - target <= band_above (the sides differ
    /// for the expiry-aware cost-benefit policy).
    pub band_below: f64,
    pub band_above: f64,
    /// hedge - net delta, unclamped: the pool's whole exposure, including
    /// the short puts' delta the hedge vault cannot offset (it cannot go short).
    pub total_delta: f64,
    pub rebalanced: bool,
}

#[derive(Serialize, Debug, Clone)]
pub struct DemoReport {
    pub seed: u64,
    pub steps: u32,
    pub policy: String,
    pub units: Units,
    pub days: i64,
    pub spot_start: f64,
    pub spot_end: f64,
    pub path_vol: f64,
    pub series: Vec<SeriesRecord>,
    pub trades: Vec<TradeRecord>,
    pub trade_count: usize,
    pub refused_trades: Vec<RefusedTrade>,
    pub rebalances: Vec<RebalanceRecord>,
    pub max_abs_delta_after_rebalance: f64,
    pub lp_deposit: u64,
    pub nav_start: i64,
    pub nav_end: i64,
    pub lp_withdrawn: u64,
    /// LP tokens the LP still holds (what the pool's solvency rule kept in:
    /// the leftover hedge inside its band), and their value at NAV.
    pub lp_tokens_left: u64,
    pub lp_tokens_left_value: u64,
    /// lp_withdrawn + lp_tokens_left_value - lp_deposit.
    pub lp_pnl: i64,
    /// Premiums the pool took in on buys minus what it paid on buy-backs.
    pub premiums: i64,
    /// Premium turnover both ways (the pool's lifetime counter).
    pub premiums_gross: u64,
    pub fees: u64,
    /// Paid to holders of settled series (redeemed).
    pub payouts: u64,
    pub keeper_rewards: u64,
    /// Sum of the rebalances' cost against the oracle price.
    pub hedge_cost: i64,
    /// nav_end - nav_start - (premiums + fees - payouts - keeper_rewards):
    /// the hedge's trading result (swaps and the mark of what is held),
    /// including hedge_cost.
    pub hedge_pnl: i64,
    pub settled_series: usize,
    pub redeemed_total: u64,
    pub redeemed_contracts: u64,
    /// Book checks run (after every step) and how many failed: vaults ==
    /// books, option supply == open interest (and the greek cache's net
    /// short while live), reserved payouts == what settled series still owe
    /// and cover what their holders can claim, live-series counts.
    pub invariant_checks: u64,
    pub invariant_violations: u64,
    pub invariant_failures: Vec<String>,
    /// Transactions whose outcome differed from the client's prediction
    /// with the program's own functions (trade totals, rebalances due,
    /// redemption and withdrawal amounts).
    pub prediction_mismatches: u64,
    pub prediction_failures: Vec<String>,
    pub final_vault_quote: u64,
    pub final_vault_hedge: u64,
    pub final_reserved_payouts: u64,
    pub timeline: Vec<StepRecord>,
    /// Where the chart was written (null with --no-chart).
    pub chart: Option<String>,
}
