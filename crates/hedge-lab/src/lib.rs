//! Hedge-policy lab (issue 6): when should a pool that is short options
//! rebalance its delta hedge?
//!
//! A Monte Carlo backtest: one book of short options, many seeded spot paths,
//! and every policy (and every point of its parameter sweep) hedging the SAME
//! paths, so differences between policies are not sampling noise. The book's
//! greeks come from options-math's fixed-point Black-Scholes, the very code
//! the program runs, and every hedge decision of every policy is made by
//! `options_math::hedge::decide`, the function `rebalance` calls.
//!
//! Units: spot and every money amount in quote; hedge sizes, bands and
//! trades in units of underlying; time in years unless a name says `_minutes`
//! or `_days`. Money is discounted to the start at the risk-free rate, so a
//! non-zero rate does not bias the comparison.
//!
//! The simulator proves itself against closed forms before it is believed:
//! see [`validate`].
//!
//! [`flow`] is the second lab (issue 18, behind `oamm flow`): random traders
//! against the pool at `quote_trade`'s prices, hedged by `decide`, with and
//! without the hedge-cost fee on the same seeded flow.
// `!(x > 0.0)` is deliberate throughout: unlike `x <= 0.0` it also rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod book;
pub mod cost;
pub mod dp;
pub mod engine;
pub mod flow;
pub mod paths;
pub mod policy;
pub mod stats;
pub mod sweep;
pub mod validate;

pub use book::{Book, BookKind};
pub use cost::{ConstantProduct, CostModel};
pub use engine::{Outcome, Setup};
pub use paths::{Market, PathModel};
pub use policy::{Family, Policy};
pub use sweep::{run_sweep, LabConfig, SweepReport};

/// What can stop a run. Every variant is one line a user can act on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LabError {
    /// A parameter the user gave cannot work.
    #[error("{0}")]
    Config(String),
    /// options-math refused an input (the same refusal the program would give).
    #[error("{context}: {error}")]
    Math { context: &'static str, error: options_math::MathError },
    /// A hedge trade larger than the venue can fill.
    #[error(
        "a hedge trade of {trade:.2} underlying cannot be filled by a venue holding {reserve:.2}; \
         raise --venue-tvl or cap trades with --max-trade"
    )]
    VenueTooShallow { trade: f64, reserve: f64 },
}

impl LabError {
    pub(crate) fn math(context: &'static str) -> impl Fn(options_math::MathError) -> LabError + Copy {
        move |error| LabError::Math { context, error }
    }
}

pub type Result<T> = std::result::Result<T, LabError>;

pub(crate) fn config_err<T>(msg: impl Into<String>) -> Result<T> {
    Err(LabError::Config(msg.into()))
}
