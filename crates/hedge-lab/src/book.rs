//! The book the pool is short: straddles or 25-delta strangles, priced and
//! greeked with options-math's fixed-point Black-Scholes (the program's code).
use crate::paths::{check_market, Market};
use crate::{config_err, LabError, Result};
use options_math::{call_and_put, price_and_greeks, OptionKind, I80F48};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BookKind {
    /// Call and put at the spot at the start.
    Straddle,
    /// Call with delta +0.25 and put with delta -0.25 at the start.
    Strangle25,
}

/// One strike of the book and how many calls and puts the pool is short
/// there. Grouped by strike because one `call_and_put` prices both kinds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StrikeLegs {
    pub strike: I80F48,
    pub calls_contracts: I80F48,
    pub puts_contracts: I80F48,
}

#[derive(Clone, Debug)]
pub struct Book {
    pub kind: BookKind,
    pub contracts: u64,
    pub legs: Vec<StrikeLegs>,
    pub expiry_years: f64,
    pub vol: I80F48,
    pub rate: I80F48,
    /// Premium the pool collects at the start, quote.
    pub premium: f64,
    /// Book vega at the start, quote per 1.00 of vol.
    pub vega: f64,
    /// Book gamma at the start, underlying per unit of spot.
    pub gamma: f64,
    /// Target hedge at the start, underlying.
    pub target: f64,
}

/// Greeks of the book at one instant, as the program would hold them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BookGreeks {
    /// Target hedge B* = sum of short contracts x delta (can be negative:
    /// the lab lets the hedger go short the underlying).
    pub target: I80F48,
    /// Book gamma, magnitude (the pool's own is negative).
    pub gamma: I80F48,
    pub vega: I80F48,
    pub value: I80F48,
}

fn fx(x: f64, what: &'static str) -> Result<I80F48> {
    I80F48::checked_from_num(x).ok_or_else(|| LabError::Config(format!("{what} {x} does not fit I80F48")))
}

impl Book {
    pub fn new(kind: BookKind, contracts: u64, days: f64, market: &Market) -> Result<Book> {
        check_market(market)?;
        if contracts == 0 {
            return config_err("--contracts must be at least 1");
        }
        if !(days > 0.0) || days > 3650.0 {
            return config_err("--days must be in (0, 3650]");
        }
        let expiry_years = days / 365.0;
        let n = I80F48::from_num(contracts);
        let (spot, t, vol, rate) =
            (fx(market.spot, "spot")?, fx(expiry_years, "expiry")?, fx(market.vol, "vol")?, fx(market.rate, "rate")?);
        let legs = match kind {
            BookKind::Straddle => vec![StrikeLegs { strike: spot, calls_contracts: n, puts_contracts: n }],
            BookKind::Strangle25 => {
                let call_k = strike_for_delta(OptionKind::Call, 0.25, spot, t, vol, rate)?;
                let put_k = strike_for_delta(OptionKind::Put, -0.25, spot, t, vol, rate)?;
                vec![
                    StrikeLegs { strike: put_k, calls_contracts: I80F48::ZERO, puts_contracts: n },
                    StrikeLegs { strike: call_k, calls_contracts: n, puts_contracts: I80F48::ZERO },
                ]
            }
        };
        let mut book =
            Book { kind, contracts, legs, expiry_years, vol, rate, premium: 0.0, vega: 0.0, gamma: 0.0, target: 0.0 };
        let g = book.greeks(spot, t)?;
        book.premium = g.value.to_num();
        book.vega = g.vega.to_num();
        book.gamma = g.gamma.to_num();
        book.target = g.target.to_num();
        Ok(book)
    }

    /// Target hedge, gamma, vega and value at (spot, time to expiry).
    pub fn greeks(&self, spot: I80F48, tau_years: I80F48) -> Result<BookGreeks> {
        let mut out = BookGreeks { target: I80F48::ZERO, gamma: I80F48::ZERO, vega: I80F48::ZERO, value: I80F48::ZERO };
        let err = LabError::math("pricing the book");
        for leg in &self.legs {
            let (c, p) = call_and_put(spot, leg.strike, tau_years, self.vol, self.rate).map_err(err)?;
            let both = leg.calls_contracts + leg.puts_contracts;
            let mul = |a: I80F48, b: I80F48| a.checked_mul(b).ok_or(options_math::MathError::Overflow);
            let add = |a: I80F48, b: I80F48| a.checked_add(b).ok_or(options_math::MathError::Overflow);
            let step = || -> std::result::Result<BookGreeks, options_math::MathError> {
                Ok(BookGreeks {
                    target: add(
                        out.target,
                        add(mul(leg.calls_contracts, c.delta)?, mul(leg.puts_contracts, p.delta)?)?,
                    )?,
                    gamma: add(out.gamma, mul(both, c.gamma)?)?,
                    vega: add(out.vega, mul(both, c.vega)?)?,
                    value: add(out.value, add(mul(leg.calls_contracts, c.price)?, mul(leg.puts_contracts, p.price)?)?)?,
                })
            };
            out = step().map_err(err)?;
        }
        Ok(out)
    }

    /// What the pool pays at expiry, quote.
    pub fn payoff(&self, spot: f64) -> f64 {
        self.legs
            .iter()
            .map(|l| {
                let k: f64 = l.strike.to_num();
                l.calls_contracts.to_num::<f64>() * (spot - k).max(0.0)
                    + l.puts_contracts.to_num::<f64>() * (k - spot).max(0.0)
            })
            .sum()
    }

    pub fn strikes(&self) -> Vec<f64> {
        self.legs.iter().map(|l| l.strike.to_num()).collect()
    }
}

/// The strike whose Black-Scholes delta is `delta` at the start, by
/// bisection on the fixed-point delta (monotone in the strike).
fn strike_for_delta(
    kind: OptionKind,
    delta: f64,
    spot: I80F48,
    t: I80F48,
    vol: I80F48,
    rate: I80F48,
) -> Result<I80F48> {
    let s: f64 = spot.to_num();
    let width = 6.0 * vol.to_num::<f64>() * t.to_num::<f64>().sqrt();
    let (mut lo, mut hi) = (s * (-width).exp(), s * width.exp());
    // Call and put deltas both fall as the strike rises.
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        let d: f64 = price_and_greeks(kind, spot, fx(mid, "strike")?, t, vol, rate)
            .map_err(LabError::math("solving the 25-delta strike"))?
            .delta
            .to_num();
        if d > delta {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    fx(0.5 * (lo + hi), "strike")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn market() -> Market {
        Market { spot: 150.0, vol: 0.8, rate: 0.0 }
    }

    #[test]
    fn straddle_premium_and_greeks_match_the_atm_approximations() {
        let b = Book::new(BookKind::Straddle, 1000, 7.0, &market()).unwrap();
        let sd = 0.8 * (7.0f64 / 365.0).sqrt();
        // ATM straddle ~ 2 S phi(0) sigma sqrt(T) = 0.798 S sigma sqrt(T)
        let approx = 1000.0 * 0.797_884_560_8 * 150.0 * sd;
        assert!((b.premium / approx - 1.0).abs() < 0.01, "{} vs {approx}", b.premium);
        // vega ~ premium / sigma and gamma = 2 phi(d1)/(S sigma sqrt T)
        assert!((b.vega * 0.8 / b.premium - 1.0).abs() < 0.01);
        assert!((b.gamma / (2000.0 * 0.398_942_28 / (150.0 * sd)) - 1.0).abs() < 0.01, "{}", b.gamma);
        assert_eq!(b.payoff(150.0), 0.0);
        assert_eq!(b.payoff(160.0), 10_000.0);
        assert_eq!(b.payoff(140.0), 10_000.0);
    }

    #[test]
    fn strangle_strikes_have_25_delta() {
        let m = market();
        let b = Book::new(BookKind::Strangle25, 10, 7.0, &m).unwrap();
        let t = I80F48::from_num(7.0 / 365.0);
        let [put, call] = [b.legs[0], b.legs[1]];
        let cd: f64 = price_and_greeks(OptionKind::Call, I80F48::from_num(150), call.strike, t, b.vol, b.rate)
            .unwrap()
            .delta
            .to_num();
        let pd: f64 = price_and_greeks(OptionKind::Put, I80F48::from_num(150), put.strike, t, b.vol, b.rate)
            .unwrap()
            .delta
            .to_num();
        assert!((cd - 0.25).abs() < 1e-9 && (pd + 0.25).abs() < 1e-9, "{cd} {pd}");
        assert!(put.strike < 150 && call.strike > 150);
        // short a call at +0.25 and a put at -0.25: delta-neutral at the start
        assert!(b.target.abs() < 1e-6, "{}", b.target);
    }

    #[test]
    fn bad_books_are_clear_errors() {
        assert!(Book::new(BookKind::Straddle, 0, 7.0, &market()).is_err());
        assert!(Book::new(BookKind::Straddle, 10, 0.0, &market()).is_err());
        let bad = Market { vol: 0.0, ..market() };
        assert!(Book::new(BookKind::Straddle, 10, 7.0, &bad).unwrap_err().to_string().contains("--vol"));
    }
}
