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
    /// Legs given one by one (`LegSpec`), any strikes and expiries.
    Legs,
}

/// One strike and expiry of the book and how many calls and puts the pool
/// is short there. Grouped by strike because one `call_and_put` prices both
/// kinds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StrikeLegs {
    pub strike: I80F48,
    pub calls_contracts: I80F48,
    pub puts_contracts: I80F48,
    /// Index into `Book::expiries_years`.
    pub expiry: usize,
}

/// A leg as a user writes it: `straddle:500@150:2` is 500 straddles struck
/// at 150 expiring in 2 days (`call:`, `put:` likewise).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LegSpec {
    pub calls: bool,
    pub puts: bool,
    pub contracts: u64,
    pub strike: f64,
    pub days: f64,
}

impl std::str::FromStr for LegSpec {
    type Err = LabError;

    fn from_str(text: &str) -> Result<LegSpec> {
        let bad = || {
            LabError::Config(format!(
                "book leg {text:?} is not KIND:CONTRACTS@STRIKE:DAYS (KIND straddle, call or put), \
                 e.g. straddle:500@150:2"
            ))
        };
        let mut parts = text.trim().split(':');
        let (kind, size, days) =
            (parts.next().ok_or_else(bad)?, parts.next().ok_or_else(bad)?, parts.next().ok_or_else(bad)?);
        if parts.next().is_some() {
            return Err(bad());
        }
        let (calls, puts) = match kind {
            "straddle" => (true, true),
            "call" => (true, false),
            "put" => (false, true),
            _ => return Err(bad()),
        };
        let (contracts, strike) = size.split_once('@').ok_or_else(bad)?;
        let contracts: u64 = contracts.parse().map_err(|_| bad())?;
        let strike: f64 = strike.parse().map_err(|_| bad())?;
        let days: f64 = days.parse().map_err(|_| bad())?;
        if contracts == 0 || !(strike > 0.0) || !strike.is_finite() || !(days > 0.0) || days > 3650.0 {
            return config_err(format!(
                "book leg {text:?}: contracts must be >= 1, the strike > 0 and the expiry in (0, 3650] days"
            ));
        }
        Ok(LegSpec { calls, puts, contracts, strike, days })
    }
}

impl LegSpec {
    /// The issue-17 multi-expiry book: straddles, 500 @150 in 2 days, 1,000
    /// @150 in 7 days, 500 @140 and 500 @160 in 14 days.
    pub fn multi_expiry_book() -> Vec<LegSpec> {
        let straddle = |contracts, strike, days| LegSpec { calls: true, puts: true, contracts, strike, days };
        vec![
            straddle(500, 150.0, 2.0),
            straddle(1000, 150.0, 7.0),
            straddle(500, 140.0, 14.0),
            straddle(500, 160.0, 14.0),
        ]
    }
}

#[derive(Clone, Debug)]
pub struct Book {
    pub kind: BookKind,
    /// Contracts over all legs (a straddle counts once).
    pub contracts: u64,
    pub legs: Vec<StrikeLegs>,
    /// Distinct expiries, rising, years from the start.
    pub expiries_years: Vec<f64>,
    /// The last expiry: the lab's horizon.
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

impl BookGreeks {
    const ZERO: BookGreeks =
        BookGreeks { target: I80F48::ZERO, gamma: I80F48::ZERO, vega: I80F48::ZERO, value: I80F48::ZERO };
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
            BookKind::Straddle => vec![StrikeLegs { strike: spot, calls_contracts: n, puts_contracts: n, expiry: 0 }],
            BookKind::Strangle25 => {
                let call_k = strike_for_delta(OptionKind::Call, 0.25, spot, t, vol, rate)?;
                let put_k = strike_for_delta(OptionKind::Put, -0.25, spot, t, vol, rate)?;
                vec![
                    StrikeLegs { strike: put_k, calls_contracts: I80F48::ZERO, puts_contracts: n, expiry: 0 },
                    StrikeLegs { strike: call_k, calls_contracts: n, puts_contracts: I80F48::ZERO, expiry: 0 },
                ]
            }
            BookKind::Legs => return config_err("a book of legs is built with Book::from_legs"),
        };
        Book::finish(kind, contracts, legs, vec![expiry_years], vol, rate, spot)
    }

    /// A book of the given legs; its horizon is the last expiry.
    pub fn from_legs(specs: &[LegSpec], market: &Market) -> Result<Book> {
        check_market(market)?;
        if specs.is_empty() {
            return config_err("a book needs at least one leg");
        }
        let mut expiries: Vec<f64> = specs.iter().map(|l| l.days / 365.0).collect();
        expiries.sort_by(f64::total_cmp);
        expiries.dedup();
        let (spot, vol, rate) = (fx(market.spot, "spot")?, fx(market.vol, "vol")?, fx(market.rate, "rate")?);
        let legs = specs
            .iter()
            .map(|l| {
                let n = I80F48::from_num(l.contracts);
                let expiry = expiries.iter().position(|&e| e == l.days / 365.0).expect("listed above");
                Ok(StrikeLegs {
                    strike: fx(l.strike, "strike")?,
                    calls_contracts: if l.calls { n } else { I80F48::ZERO },
                    puts_contracts: if l.puts { n } else { I80F48::ZERO },
                    expiry,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let contracts = specs.iter().map(|l| l.contracts).sum();
        Book::finish(BookKind::Legs, contracts, legs, expiries, vol, rate, spot)
    }

    fn finish(
        kind: BookKind,
        contracts: u64,
        legs: Vec<StrikeLegs>,
        expiries_years: Vec<f64>,
        vol: I80F48,
        rate: I80F48,
        spot: I80F48,
    ) -> Result<Book> {
        let expiry_years = *expiries_years.last().expect("at least one expiry");
        let mut book = Book {
            kind,
            contracts,
            legs,
            expiries_years,
            expiry_years,
            vol,
            rate,
            premium: 0.0,
            vega: 0.0,
            gamma: 0.0,
            target: 0.0,
        };
        let g = book.greeks(spot, fx(expiry_years, "expiry")?)?;
        book.premium = g.value.to_num();
        book.vega = g.vega.to_num();
        book.gamma = g.gamma.to_num();
        book.target = g.target.to_num();
        Ok(book)
    }

    /// Target hedge, gamma, vega and value at `spot` when the book's LAST
    /// expiry is `tau_years` away (each leg's own time left follows).
    /// Expired legs count for nothing.
    pub fn greeks(&self, spot: I80F48, tau_years: I80F48) -> Result<BookGreeks> {
        let taus = self.leg_taus(tau_years)?;
        let mut out = BookGreeks::ZERO;
        for (e, tau) in taus.iter().enumerate() {
            let g = self.expiry_greeks(e, spot, *tau)?;
            out = sum(out, g).map_err(LabError::math("pricing the book"))?;
        }
        Ok(out)
    }

    /// Each expiry's time left when the last one is `tau_years` away.
    pub fn leg_taus(&self, tau_years: I80F48) -> Result<Vec<I80F48>> {
        let last = self.expiry_years;
        self.expiries_years
            .iter()
            .map(|&e| {
                if e == last {
                    return Ok(tau_years);
                }
                // an expiry that falls on this instant is expired, not 1e-18 away
                let tau = tau_years.to_num::<f64>() - (last - e);
                fx(if tau.abs() < 1e-12 { 0.0 } else { tau }, "time to expiry")
            })
            .collect()
    }

    /// The greeks of the legs of expiry `e` alone; zero once `tau_years` <= 0.
    pub fn expiry_greeks(&self, e: usize, spot: I80F48, tau_years: I80F48) -> Result<BookGreeks> {
        let mut out = BookGreeks::ZERO;
        if tau_years <= 0 {
            return Ok(out);
        }
        let err = LabError::math("pricing the book");
        for leg in self.legs.iter().filter(|l| l.expiry == e) {
            let (c, p) = call_and_put(spot, leg.strike, tau_years, self.vol, self.rate).map_err(err)?;
            let both = leg.calls_contracts + leg.puts_contracts;
            let mul = |a: I80F48, b: I80F48| a.checked_mul(b).ok_or(options_math::MathError::Overflow);
            let step = || -> std::result::Result<BookGreeks, options_math::MathError> {
                let g = BookGreeks {
                    target: mul(leg.calls_contracts, c.delta)?
                        .checked_add(mul(leg.puts_contracts, p.delta)?)
                        .ok_or(options_math::MathError::Overflow)?,
                    gamma: mul(both, c.gamma)?,
                    vega: mul(both, c.vega)?,
                    value: mul(leg.calls_contracts, c.price)?
                        .checked_add(mul(leg.puts_contracts, p.price)?)
                        .ok_or(options_math::MathError::Overflow)?,
                };
                sum(out, g)
            };
            out = step().map_err(err)?;
        }
        Ok(out)
    }

    /// What the legs of expiry `e` pay at that expiry, quote.
    pub fn payoff_of(&self, e: usize, spot: f64) -> f64 {
        self.legs
            .iter()
            .filter(|l| l.expiry == e)
            .map(|l| {
                let k: f64 = l.strike.to_num();
                l.calls_contracts.to_num::<f64>() * (spot - k).max(0.0)
                    + l.puts_contracts.to_num::<f64>() * (k - spot).max(0.0)
            })
            .sum()
    }

    /// What the whole book pays if every leg settles at `spot`, quote.
    pub fn payoff(&self, spot: f64) -> f64 {
        (0..self.expiries_years.len()).map(|e| self.payoff_of(e, spot)).sum()
    }

    pub fn strikes(&self) -> Vec<f64> {
        self.legs.iter().map(|l| l.strike.to_num()).collect()
    }
}

fn sum(a: BookGreeks, b: BookGreeks) -> std::result::Result<BookGreeks, options_math::MathError> {
    let add = |x: I80F48, y: I80F48| x.checked_add(y).ok_or(options_math::MathError::Overflow);
    Ok(BookGreeks {
        target: add(a.target, b.target)?,
        gamma: add(a.gamma, b.gamma)?,
        vega: add(a.vega, b.vega)?,
        value: add(a.value, b.value)?,
    })
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

    #[test]
    fn legs_parse_and_a_multi_expiry_book_sums_its_expiries() {
        let leg: LegSpec = "straddle:500@150:2".parse().unwrap();
        assert_eq!(leg, LegSpec { calls: true, puts: true, contracts: 500, strike: 150.0, days: 2.0 });
        assert!(!"call:10@160:7".parse::<LegSpec>().unwrap().puts);
        for bad in [
            "straddle:500@150",
            "strangle:5@150:2",
            "put:0@150:2",
            "put:5@-1:2",
            "put:5@150:0",
            "put:x@150:2",
            "put:5@150:2:1",
        ] {
            assert!(bad.parse::<LegSpec>().is_err(), "{bad}");
        }
        let m = market();
        let book = Book::from_legs(&LegSpec::multi_expiry_book(), &m).unwrap();
        assert_eq!(book.expiries_years, vec![2.0 / 365.0, 7.0 / 365.0, 14.0 / 365.0]);
        assert_eq!(book.expiry_years, 14.0 / 365.0);
        assert_eq!(book.contracts, 2500);
        // The whole book's premium is the sum of its expiries' at the start.
        let s = I80F48::from_num(150);
        let parts: f64 = (0..3)
            .map(|e| {
                let tau = I80F48::from_num(book.expiries_years[e]);
                book.expiry_greeks(e, s, tau).unwrap().value.to_num::<f64>()
            })
            .sum();
        assert!((parts - book.premium).abs() < 1e-6, "{parts} vs {book:?}");
        // 7 days before the last expiry, the 2-day leg is gone and the 7-day leg expires now.
        let later = book.greeks(s, I80F48::from_num(7.0 / 365.0)).unwrap();
        let last_only = book.expiry_greeks(2, s, I80F48::from_num(7.0 / 365.0)).unwrap();
        assert!((later.value - last_only.value).abs() < I80F48::from_num(1e-6), "{later:?} {last_only:?}");
        assert_eq!(book.payoff_of(0, 160.0), 5000.0);
        assert_eq!(book.payoff(160.0), 5000.0 + 10_000.0 + 10_000.0 + 0.0);
    }
}
