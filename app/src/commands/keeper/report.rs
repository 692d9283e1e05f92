//! What the keeper reports: per tick (rebalances, settlements, skips,
//! failures by kind) and over a run, as JSON and as a table.
use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// Pool, series or oracle state could not be read (RPC down, bad account).
    Read,
    /// A transaction did not get through (RPC error, not a program refusal).
    Send,
    /// The program refused a rebalance (e.g. another keeper was first).
    RebalanceRefused,
    /// The program refused a settlement.
    SettleRefused,
}

impl FailureKind {
    pub const ALL: [FailureKind; 4] =
        [FailureKind::Read, FailureKind::Send, FailureKind::RebalanceRefused, FailureKind::SettleRefused];

    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Read => "read",
            FailureKind::Send => "send",
            FailureKind::RebalanceRefused => "rebalance_refused",
            FailureKind::SettleRefused => "settle_refused",
        }
    }

    /// Failures of the connection, not of the pool: the loop backs off.
    pub fn is_transport(self) -> bool {
        matches!(self, FailureKind::Read | FailureKind::Send)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Failure {
    pub pool: Option<String>,
    pub kind: FailureKind,
    /// The program's error code, when the program refused.
    pub code: Option<u32>,
    pub message: String,
}

/// A rebalance sent (or, dry-run, that would be sent).
#[derive(Clone, Debug, Serialize)]
pub struct RebalanceAction {
    pub pool: String,
    /// "buy" or "sell" (underlying).
    pub side: &'static str,
    /// Underlying the plan buys or sells, base units.
    pub underlying: u64,
    /// Buy: the most quote it may cost; sell: the least it must return.
    pub quote_bound: u64,
    /// What actually moved (0 in a dry run): paid in, received out.
    pub amount_in: u64,
    pub amount_out: u64,
    pub hedge_before: u64,
    pub hedge_after: u64,
    /// hedge - target, underlying base units.
    #[serde(serialize_with = "fixed_str")]
    pub delta_before: I80F48,
    #[serde(serialize_with = "fixed_str")]
    pub delta_after: I80F48,
    #[serde(serialize_with = "fixed_str")]
    pub band: I80F48,
    /// Quote base units the keeper received.
    pub reward: u64,
    pub quote_decimals: u8,
    pub funds_payouts: bool,
    /// None in a dry run.
    pub signature: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SettleAction {
    pub pool: String,
    pub series: String,
    #[serde(serialize_with = "fixed_str")]
    pub price: I80F48,
    /// Quote reserved for holders (0 in a dry run).
    pub reserved: u64,
    pub signature: Option<String>,
}

/// An action that was due but not sent, and why.
#[derive(Clone, Debug, Serialize)]
pub struct Skip {
    pub pool: String,
    /// "rebalance" or "settle".
    pub action: &'static str,
    /// rebalance: oracle, venue_price, paused, plan; settle: settlement_price
    pub reason: &'static str,
    pub message: String,
}

/// What one tick did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TickReport {
    pub pools: usize,
    pub rebalances: Vec<RebalanceAction>,
    pub settlements: Vec<SettleAction>,
    pub skipped: Vec<Skip>,
    pub failures: Vec<Failure>,
}

impl TickReport {
    /// Did the connection fail (so the loop should back off)?
    pub fn transport_failed(&self) -> bool {
        self.failures.iter().any(|f| f.kind.is_transport())
    }

    pub(super) fn fail(&mut self, pool: Option<Pubkey>, kind: FailureKind, err: &anyhow::Error) {
        let code = err.downcast_ref::<TxRefused>().and_then(|t| t.code);
        let message = format!("{err:#}");
        let pool_s = pool.map(|p| p.to_string());
        error!(pool = pool_s.as_deref().unwrap_or("-"), kind = kind.as_str(), code, "{message}");
        metrics::counter!(FAILURES, "kind" => kind.as_str()).increment(1);
        self.failures.push(Failure { pool: pool_s, kind, code, message });
    }

    pub(super) fn skip(&mut self, pool: Pubkey, action: &'static str, reason: &'static str, message: String) {
        warn!(pool = %pool, action, reason, "due but not sent: {message}");
        metrics::counter!(SKIPS, "action" => action, "reason" => reason).increment(1);
        self.skipped.push(Skip { pool: pool.to_string(), action, reason, message });
    }
}

/// Totals of a keeper run: the command's output.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RunSummary {
    pub ticks: u64,
    pub dry_run: bool,
    pub rebalances: u64,
    pub settlements: u64,
    /// Dry run: what would have been sent.
    pub would_rebalance: u64,
    pub would_settle: u64,
    pub skipped: u64,
    pub failures: u64,
    pub failures_by_kind: BTreeMap<&'static str, u64>,
    /// Keeper rewards received, quote base units (summed over pools).
    pub reward: u64,
    /// Decimals of the quote the rewards were paid in (None if pools differ or no reward).
    pub reward_decimals: Option<u8>,
    /// Stopped by Ctrl-C.
    pub interrupted: bool,
    /// A second Ctrl-C abandoned a tick mid-way.
    pub abandoned_tick: bool,
    /// The first failure's message (for `--once`).
    #[serde(skip)]
    pub first_failure: Option<String>,
}

impl RunSummary {
    pub fn absorb(&mut self, r: &TickReport) {
        for a in &r.rebalances {
            if a.signature.is_some() {
                self.rebalances += 1;
                if a.reward > 0 {
                    self.reward_decimals = match (self.reward, self.reward_decimals) {
                        (0, _) => Some(a.quote_decimals),
                        (_, Some(d)) if d == a.quote_decimals => Some(d),
                        _ => None,
                    };
                    self.reward += a.reward;
                }
            } else {
                self.would_rebalance += 1;
            }
        }
        for s in &r.settlements {
            if s.signature.is_some() {
                self.settlements += 1;
            } else {
                self.would_settle += 1;
            }
        }
        self.skipped += r.skipped.len() as u64;
        for f in &r.failures {
            self.record_failure(f.kind, &f.message);
        }
    }

    pub(super) fn record_failure(&mut self, kind: FailureKind, message: &str) {
        self.failures += 1;
        *self.failures_by_kind.entry(kind.as_str()).or_default() += 1;
        if self.first_failure.is_none() {
            self.first_failure = Some(message.to_string());
        }
    }

    pub fn report(&self) -> Report {
        let reward = match self.reward_decimals {
            Some(d) => format_units(self.reward, d),
            None if self.reward == 0 => "0".into(),
            None => format!("{} (quote base units)", self.reward),
        };
        let mut line = format!(
            "keeper: {} tick{}, {} rebalance{}, {} settlement{}, {} failure{}, reward {reward}",
            self.ticks,
            plural(self.ticks),
            self.rebalances,
            plural(self.rebalances),
            self.settlements,
            plural(self.settlements),
            self.failures,
            plural(self.failures),
        );
        if self.dry_run {
            line += &format!(
                " (dry run: would have sent {} rebalance(s), {} settlement(s))",
                self.would_rebalance, self.would_settle
            );
        }
        if self.skipped > 0 {
            line += &format!("; {} due action(s) not sent (see the log)", self.skipped);
        }
        if self.abandoned_tick {
            line += "; last tick abandoned";
        }
        line.push('\n');
        Report { json: json!(self), table: line }
    }
}

pub(super) fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

pub(super) fn fixed_str<S: serde::Serializer>(x: &I80F48, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&x.to_string())
}
