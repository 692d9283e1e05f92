//! European Black-Scholes price and greeks. (Being written: see issue 2.)
use crate::{MathError, I80F48};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    Call,
    Put,
}

/// Price and greeks per one unit of underlying. Units: vega per 1.00 of vol,
/// theta per year, rho per 1.00 of rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Greeks {
    pub price: I80F48,
    pub delta: I80F48,
    pub gamma: I80F48,
    pub vega: I80F48,
    pub theta: I80F48,
    pub rho: I80F48,
}

pub fn price_and_greeks(
    kind: OptionKind,
    spot: I80F48,
    strike: I80F48,
    t_years: I80F48,
    vol: I80F48,
    rate: I80F48,
) -> Result<Greeks, MathError> {
    let _ = (kind, spot, strike, t_years, vol, rate);
    unimplemented!("issue 2: kernels in progress")
}
