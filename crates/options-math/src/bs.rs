//! European Black-Scholes(-Merton) price and greeks in fixed point.
//!
//! All intermediate values are 64-fractional-bit raws (`fx`); inputs are
//! taken exactly from `I80F48` and results are rounded to the nearest
//! `I80F48`. Two divisions (1/S and (1/sqrt T)/vol, each one 128-by-64-bit
//! division on normalised mantissas) and one Newton 1/sqrt(T); everything
//! else multiplies (see `fx` for what each costs on SBF).
//!
//! Supported domain (anything else is a clean `MathError`, never a panic):
//! 0 < spot, strike <= 2^40; vol in (0, 10]; |rate|, |yield| <= 1;
//! t_years <= 100. t_years <= 0 means expired: the price is the intrinsic
//! value, delta is 1/0 (1/2 exactly at the money), the other greeks are 0.
use crate::fx::{self, mul, ONE};
use crate::kernels::{exp_raw, ln_raw, norm_pdf_raw, normal_tail_raw};
use crate::{MathError, I80F48};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OptionKind {
    Call,
    Put,
}

/// Price and greeks per one unit of underlying. Units: delta per unit of
/// spot, gamma per unit of spot squared, vega per 1.00 of vol, theta per
/// year (calendar decay, negative for a long option), rho per 1.00 of rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Greeks {
    pub price: I80F48,
    pub delta: I80F48,
    pub gamma: I80F48,
    pub vega: I80F48,
    pub theta: I80F48,
    pub rho: I80F48,
}

/// Largest spot or strike accepted (2^40 ~ 1.1e12 quote units).
pub const MAX_PRICE_INPUT: I80F48 = I80F48::from_bits(1i128 << (40 + 48));
/// Largest volatility accepted (1000%).
pub const MAX_VOL: I80F48 = I80F48::from_bits(10i128 << 48);
/// Largest time to expiry accepted, in years.
pub const MAX_T_YEARS: I80F48 = I80F48::from_bits(100i128 << 48);
/// Largest |rate| and |dividend yield| accepted (100% a year).
pub const MAX_RATE: I80F48 = I80F48::from_bits(1i128 << 48);

/// Black-Scholes price and greeks of a European option (no dividends).
pub fn price_and_greeks(
    kind: OptionKind,
    spot: I80F48,
    strike: I80F48,
    t_years: I80F48,
    vol: I80F48,
    rate: I80F48,
) -> Result<Greeks, MathError> {
    price_and_greeks_with_yield(kind, spot, strike, t_years, vol, rate, I80F48::ZERO)
}

/// Black-Scholes-Merton with a continuous dividend (or foreign-rate) yield.
pub fn price_and_greeks_with_yield(
    kind: OptionKind,
    spot: I80F48,
    strike: I80F48,
    t_years: I80F48,
    vol: I80F48,
    rate: I80F48,
    dividend_yield: I80F48,
) -> Result<Greeks, MathError> {
    // the book's own steps: a single call is a one-series book
    validate(spot, strike, t_years, vol, rate, dividend_yield)?;
    mark!(1);
    let at = SpotTerms::new(spot)?;
    mark!(2);
    let time = TimeTerms::new(t_years)?;
    mark!(3);
    match priced(&at, &time, strike, vol, rate, dividend_yield)? {
        Priced::Expired(call, put) => Ok(if kind == OptionKind::Call { call } else { put }),
        // one kind's greeks only: bit for bit that kind from `call_and_put`
        Priced::Live(c) => c.greeks(kind, c.curvature(at.inv_s)?),
    }
}

/// Call and put together: they share every expensive step (two ln, two exp,
/// two CDFs), so a straddle or a parity check costs one evaluation.
pub fn call_and_put(
    spot: I80F48,
    strike: I80F48,
    t_years: I80F48,
    vol: I80F48,
    rate: I80F48,
) -> Result<(Greeks, Greeks), MathError> {
    call_and_put_with_yield(spot, strike, t_years, vol, rate, I80F48::ZERO)
}

fn validate(
    spot: I80F48,
    strike: I80F48,
    t_years: I80F48,
    vol: I80F48,
    rate: I80F48,
    dividend_yield: I80F48,
) -> Result<(), MathError> {
    // the usual case in six unsigned compares: x - 1 wraps negative and
    // zero inputs past any bound
    let positive_within = |x: I80F48, max: I80F48| (x.to_bits() as u128).wrapping_sub(1) < max.to_bits() as u128;
    let magnitude_within = |x: I80F48| x.unsigned_abs() <= MAX_RATE.unsigned_abs();
    if positive_within(spot, MAX_PRICE_INPUT)
        && positive_within(strike, MAX_PRICE_INPUT)
        && positive_within(vol, MAX_VOL)
        && t_years <= MAX_T_YEARS
        && magnitude_within(rate)
        && magnitude_within(dividend_yield)
    {
        return Ok(());
    }
    // which rule a refused input breaks, in the order the errors are documented
    if spot <= 0 {
        return Err(MathError::NonPositiveSpot);
    }
    if strike <= 0 {
        return Err(MathError::NonPositiveStrike);
    }
    if vol <= 0 {
        return Err(MathError::NonPositiveVol);
    }
    if spot > MAX_PRICE_INPUT
        || strike > MAX_PRICE_INPUT
        || vol > MAX_VOL
        || t_years > MAX_T_YEARS
        || rate.unsigned_abs() > MAX_RATE.unsigned_abs()
        || dividend_yield.unsigned_abs() > MAX_RATE.unsigned_abs()
    {
        return Err(MathError::InputOutOfRange);
    }
    Ok(())
}

fn expired(spot: i128, strike: i128) -> (Greeks, Greeks) {
    let zero = I80F48::ZERO;
    let call_delta = match spot.cmp(&strike) {
        core::cmp::Ordering::Greater => ONE,
        core::cmp::Ordering::Equal => ONE / 2,
        core::cmp::Ordering::Less => 0,
    };
    let g = |price: i128, delta: i128| Greeks {
        price: fx::to_api(price),
        delta: fx::to_api(delta),
        gamma: zero,
        vega: zero,
        theta: zero,
        rho: zero,
    };
    (g((spot - strike).max(0), call_delta), g((strike - spot).max(0), call_delta - ONE))
}

/// What the value of either kind needs: d1, d2, the discounted forward and
/// strike and the four normal probabilities (two tail evaluations).
struct Core {
    t: i128,
    sigma: i128,
    r: i128,
    q: i128,
    rsqrt_t: i128,
    sqrt_t: i128,
    inv_sd: i128,
    d1: i128,
    carry: i128,
    s_fwd: i128,
    k_disc: i128,
    n_d1: i128,
    n_neg_d1: i128,
    n_d2: i128,
    n_neg_d2: i128,
}

/// a x b, skipping the multiply when b is exactly one (e^0 for a zero rate
/// or yield): `mul(a, ONE)` rounds to a itself, so the result is the same
/// bit for bit, for one wide multiply less.
fn mul_unless_one(a: i128, b: i128) -> Result<i128, MathError> {
    if b == ONE {
        Ok(a)
    } else {
        mul(a, b)
    }
}

/// N(x) and N(-x) from one tail evaluation Q(|x|) (the same values
/// `norm_cdf_raw(x)` and `norm_cdf_neg_raw(x)` return, bit for bit).
fn cdf_pair(x: i128) -> Result<(i128, i128), MathError> {
    let q = normal_tail_raw(x.checked_abs().ok_or(MathError::Overflow)?)?;
    Ok(match x.cmp(&0) {
        core::cmp::Ordering::Greater => (ONE - q, q),
        core::cmp::Ordering::Less => (q, ONE - q),
        core::cmp::Ordering::Equal => (ONE - q, ONE - q),
    })
}

/// The shared part of every live (t > 0) evaluation; `Err` never hides a
/// result the full kernel would return. Inlined: the struct is large, and
/// returned through memory it costs SBF a copy per field.
#[inline(always)]
fn core(
    s: i128,
    ln_s: i128,
    k: i128,
    time: &TimeTerms,
    vol: I80F48,
    rate: I80F48,
    dividend_yield: I80F48,
) -> Result<Core, MathError> {
    let TimeTerms { t, rsqrt_t, sqrt_t, .. } = *time;
    let sigma = fx::from_validated(vol);
    let r = fx::from_validated(rate);
    let q = fx::from_validated(dividend_yield);
    mark!(10);

    // 1/(sigma sqrt T) = (1/sqrt T) / sigma from the exact inputs: the
    // normalised division and rsqrt keep full relative precision even for
    // small sigma^2 T.
    let inv_sd = fx::div(rsqrt_t, sigma)?;
    mark!(11);
    let sd = mul(sigma, sqrt_t)?;
    mark!(12);

    // d1 = (ln(S/K) + (r - q + sigma^2/2) T) / (sigma sqrt T)
    // ln S - ln K rather than ln(K * (1/S)): 1/S at 64 fractional bits keeps
    // only ~47 significant bits when S ~ 1e5, which would cost delta ~10 ulp.
    let ln_s_over_k = ln_s - ln_raw(k)?;
    mark!(13);
    let drift = mul(r - q + (mul(sigma, sigma)? >> 1), t)?;
    mark!(14);
    // When sigma sqrt T is tiny, d1 can leave the internal range; N() is
    // saturated far before that, so saturate d1 instead of failing.
    let moneyness = ln_s_over_k + drift;
    let d1 = mul(moneyness, inv_sd).unwrap_or(if moneyness >= 0 { 64 * ONE } else { -64 * ONE });
    let d2 = d1 - sd;
    mark!(15);

    // e^0 is exactly ONE: no exponential for a zero rate or yield
    let discount = if r == 0 { ONE } else { exp_raw(-mul(r, t)?)? }; // e^{-rT}
    let carry = if q == 0 { ONE } else { exp_raw(-mul(q, t)?)? }; // e^{-qT}
    mark!(16);
    let s_fwd = mul_unless_one(s, carry)?; // S e^{-qT}
    let k_disc = mul_unless_one(k, discount)?; // K e^{-rT}
    mark!(17);
    let (n_d1, n_neg_d1) = cdf_pair(d1)?;
    mark!(18);
    let (n_d2, n_neg_d2) = cdf_pair(d2)?;
    mark!(19);
    Ok(Core { t, sigma, r, q, rsqrt_t, sqrt_t, inv_sd, d1, carry, s_fwd, k_disc, n_d1, n_neg_d1, n_d2, n_neg_d2 })
}

impl Core {
    /// The value's two legs: (S e^{-qT} N(d1), K e^{-rT} N(d2)) for a call,
    /// (S e^{-qT} N(-d1), K e^{-rT} N(-d2)) for a put. Theta and rho are
    /// these legs times the rate, the yield and T.
    fn legs(&self, kind: OptionKind) -> Result<(i128, i128), MathError> {
        Ok(match kind {
            OptionKind::Call => (mul(self.s_fwd, self.n_d1)?, mul(self.k_disc, self.n_d2)?),
            OptionKind::Put => (mul(self.s_fwd, self.n_neg_d1)?, mul(self.k_disc, self.n_neg_d2)?),
        })
    }

    fn price_of(kind: OptionKind, (spot_leg, strike_leg): (i128, i128)) -> i128 {
        // Rounding can push a deep-OTM price a hair below zero; clamp.
        match kind {
            OptionKind::Call => spot_leg - strike_leg,
            OptionKind::Put => strike_leg - spot_leg,
        }
        .max(0)
    }

    fn price(&self, kind: OptionKind) -> Result<i128, MathError> {
        Ok(Self::price_of(kind, self.legs(kind)?))
    }

    fn delta(&self, kind: OptionKind) -> Result<i128, MathError> {
        match kind {
            OptionKind::Call => mul_unless_one(self.n_d1, self.carry),
            OptionKind::Put => Ok(-mul_unless_one(self.n_neg_d1, self.carry)?),
        }
    }

    /// phi(d1), S e^{-qT} phi(d1), gamma and vega (shared by both kinds).
    /// (1/S given: a book priced at one spot computes it once, and a wide
    /// product per series is cheaper on SBF than a division.)
    fn curvature(&self, inv_s: i128) -> Result<(i128, i128, i128, i128), MathError> {
        let pdf_d1 = norm_pdf_raw(self.d1)?;
        mark!(40);
        let s_pdf = mul(self.s_fwd, pdf_d1)?;
        mark!(41);
        let gamma = mul(mul(mul_unless_one(pdf_d1, self.carry)?, self.inv_sd)?, inv_s)?;
        mark!(42);
        let vega = mul(s_pdf, self.sqrt_t)?;
        mark!(43);
        Ok((pdf_d1, s_pdf, gamma, vega))
    }

    /// Every greek of one kind, from `curvature`'s (shared by both kinds).
    fn greeks(&self, kind: OptionKind, curvature: (i128, i128, i128, i128)) -> Result<Greeks, MathError> {
        let (_, s_pdf, gamma, vega) = curvature;
        // sigma / (2 sqrt T) = sigma * rsqrt(T) / 2
        let decay = -mul(s_pdf, mul(self.sigma, self.rsqrt_t)? >> 1)?;
        let legs = self.legs(kind)?;
        let (spot_leg, strike_leg) = legs;
        // theta = decay -+ r K e^{-rT} N(+-d2) +- q S e^{-qT} N(+-d1) and
        // rho = +-T K e^{-rT} N(+-d2), from the value's own legs; a zero rate
        // or yield (the usual yield) costs no multiply
        let rate_term = if self.r == 0 { 0 } else { mul(self.r, strike_leg)? };
        let yield_term = if self.q == 0 { 0 } else { mul(self.q, spot_leg)? };
        let t_strike_leg = mul(self.t, strike_leg)?;
        mark!(31);
        let (theta, rho) = match kind {
            OptionKind::Call => (decay - rate_term + yield_term, t_strike_leg),
            OptionKind::Put => (decay + rate_term - yield_term, -t_strike_leg),
        };
        mark!(32);
        let price = Self::price_of(kind, legs);
        mark!(33);
        Ok(Greeks {
            price: fx::to_api(price),
            delta: fx::to_api(self.delta(kind)?),
            gamma: fx::to_api(gamma),
            vega: fx::to_api(vega),
            theta: fx::to_api(theta),
            rho: fx::to_api(rho),
        })
    }
}

/// What a book of options needs per series: value, delta, gamma and vega of
/// one kind, bit for bit the fields `price_and_greeks` returns, without the
/// other kind, theta and rho.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BookGreeks {
    pub price: I80F48,
    pub delta: I80F48,
    pub gamma: I80F48,
    pub vega: I80F48,
}

/// Price, delta, gamma and vega of one option (no dividends): the fields of
/// `price_and_greeks` at lower cost.
pub fn book_greeks(
    kind: OptionKind,
    spot: I80F48,
    strike: I80F48,
    t_years: I80F48,
    vol: I80F48,
    rate: I80F48,
) -> Result<BookGreeks, MathError> {
    validate(spot, strike, t_years, vol, rate, I80F48::ZERO)?;
    book_greeks_at(&SpotTerms::new(spot)?, &TimeTerms::new(t_years)?, kind, strike, vol, rate)
}

/// The parts of a pricing call that depend on spot alone (ln S and 1/S):
/// a book priced at one spot computes them once, not once per series.
#[derive(Clone, Copy, Debug)]
pub struct SpotTerms {
    spot: I80F48,
    s: i128,
    ln_s: i128,
    inv_s: i128,
}

impl SpotTerms {
    /// Inlined: returned through memory it costs SBF a copy per field.
    #[inline(always)]
    pub fn new(spot: I80F48) -> Result<SpotTerms, MathError> {
        if spot <= 0 {
            return Err(MathError::NonPositiveSpot);
        }
        if spot > MAX_PRICE_INPUT {
            return Err(MathError::InputOutOfRange);
        }
        let s = fx::from_validated(spot);
        Ok(SpotTerms { spot, s, ln_s: ln_raw(s)?, inv_s: fx::recip(s)? })
    }
}

/// The parts of a pricing call that depend on time to expiry alone (1/sqrt T
/// by Newton and sqrt T from it, about 650 CU on SBF): every series of one
/// expiry priced at one instant shares them.
#[derive(Clone, Copy, Debug)]
pub struct TimeTerms {
    t_years: I80F48,
    t: i128,
    rsqrt_t: i128,
    sqrt_t: i128,
}

impl TimeTerms {
    /// Expired (t_years <= 0) terms are valid and price at intrinsic.
    /// Inlined, as `SpotTerms::new`.
    #[inline(always)]
    pub fn new(t_years: I80F48) -> Result<TimeTerms, MathError> {
        if t_years > MAX_T_YEARS {
            return Err(MathError::InputOutOfRange);
        }
        if t_years <= 0 {
            return Ok(TimeTerms { t_years, t: 0, rsqrt_t: 0, sqrt_t: 0 });
        }
        let t = fx::from_validated(t_years);
        let rsqrt_t = fx::rsqrt(t)?;
        Ok(TimeTerms { t_years, t, rsqrt_t, sqrt_t: mul(t, rsqrt_t)? })
    }
}

/// An evaluation at precomputed spot and time terms: intrinsic values once
/// expired, else the shared core.
enum Priced {
    Expired(Greeks, Greeks),
    Live(Core),
}

#[inline(always)]
fn priced(
    at: &SpotTerms,
    time: &TimeTerms,
    strike: I80F48,
    vol: I80F48,
    rate: I80F48,
    dividend_yield: I80F48,
) -> Result<Priced, MathError> {
    // the caller has validated these inputs
    let k = fx::from_validated(strike);
    if time.t_years <= 0 {
        let (call, put) = expired(at.s, k);
        return Ok(Priced::Expired(call, put));
    }
    Ok(Priced::Live(core(at.s, at.ln_s, k, time, vol, rate, dividend_yield)?))
}

/// `book_greeks` at a spot and a time to expiry whose terms are already
/// computed (a book prices many series at one spot, several per expiry):
/// bit for bit the same result.
pub fn book_greeks_at(
    at: &SpotTerms,
    time: &TimeTerms,
    kind: OptionKind,
    strike: I80F48,
    vol: I80F48,
    rate: I80F48,
) -> Result<BookGreeks, MathError> {
    validate(at.spot, strike, time.t_years, vol, rate, I80F48::ZERO)?;
    match priced(at, time, strike, vol, rate, I80F48::ZERO)? {
        Priced::Expired(call, put) => {
            let g = if kind == OptionKind::Call { call } else { put };
            Ok(BookGreeks { price: g.price, delta: g.delta, gamma: g.gamma, vega: g.vega })
        }
        Priced::Live(c) => {
            let (_, _, gamma, vega) = c.curvature(at.inv_s)?;
            Ok(BookGreeks {
                price: fx::to_api(c.price(kind)?),
                delta: fx::to_api(c.delta(kind)?),
                gamma: fx::to_api(gamma),
                vega: fx::to_api(vega),
            })
        }
    }
}

/// The value alone (bit for bit `price_and_greeks`'s price), at precomputed
/// terms: for valuations that need no greeks (an LP flow's second mark).
pub fn price_only_at(
    at: &SpotTerms,
    time: &TimeTerms,
    kind: OptionKind,
    strike: I80F48,
    vol: I80F48,
    rate: I80F48,
) -> Result<I80F48, MathError> {
    validate(at.spot, strike, time.t_years, vol, rate, I80F48::ZERO)?;
    match priced(at, time, strike, vol, rate, I80F48::ZERO)? {
        Priced::Expired(call, put) => Ok(if kind == OptionKind::Call { call.price } else { put.price }),
        Priced::Live(c) => Ok(fx::to_api(c.price(kind)?)),
    }
}

/// Both kinds with a dividend yield; the kernel every other entry point uses.
pub fn call_and_put_with_yield(
    spot: I80F48,
    strike: I80F48,
    t_years: I80F48,
    vol: I80F48,
    rate: I80F48,
    dividend_yield: I80F48,
) -> Result<(Greeks, Greeks), MathError> {
    validate(spot, strike, t_years, vol, rate, dividend_yield)?;
    let at = SpotTerms::new(spot)?;
    match priced(&at, &TimeTerms::new(t_years)?, strike, vol, rate, dividend_yield)? {
        Priced::Expired(call, put) => Ok((call, put)),
        Priced::Live(c) => {
            let curvature = c.curvature(at.inv_s)?;
            Ok((c.greeks(OptionKind::Call, curvature)?, c.greeks(OptionKind::Put, curvature)?))
        }
    }
}
