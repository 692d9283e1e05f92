//! No-arbitrage and robustness properties of the fixed-point Black-Scholes,
//! over random inputs (proptest) and at the edges of the domain.
use fixed::types::I80F48;
use options_math::{
    book_greeks, book_greeks_at, call_and_put, kernels, price_and_greeks, price_only_at, MathError, OptionKind,
    SpotTerms, TimeTerms,
};
use proptest::prelude::*;

const ULP: I80F48 = I80F48::DELTA;

fn fx(x: f64) -> I80F48 {
    I80F48::from_num(x)
}

/// Tolerance of `n` ulp scaled like the price bar: n x max(1, S, K).
fn tol(n: i32, s: I80F48, k: I80F48) -> I80F48 {
    ULP * I80F48::from_num(n) * s.max(k).max(I80F48::ONE)
}

prop_compose! {
    fn market()(spot in -2.0f64..5.0, moneyness in 0.5f64..2.0, t in -4.2f64..0.3,
                vol in 0.05f64..3.0, rate in 0.0f64..0.1)
        -> (I80F48, I80F48, I80F48, I80F48, I80F48) {
        let s = 10f64.powf(spot);
        (fx(s), fx(s * moneyness), fx(10f64.powf(t)), fx(vol), fx(rate))
    }
}

/// Counterexamples fresh-seeded runs found, kept as fixed cases: the property
/// they broke is checked at them on every run.
#[test]
fn found_counterexamples_hold() {
    // put_call_parity_holds drew this in CI (before the tie rule below): the
    // deltas' difference came out one ulp above one
    let (s, k, t, v, r) =
        (fx(1.0), fx(0.827003842914735), fx(0.001137930806706), fx(0.809594789663095), fx(0.018571074546113));
    let (call, put) = call_and_put(s, k, t, v, r).unwrap();
    let parity = call.delta - put.delta - I80F48::ONE;
    assert!(parity == 0 || parity == ULP, "delta_C - delta_P - 1 = {parity}");
    assert!(((call.price - put.price) - (s - k * kernels::exp(-(r * t)).unwrap())).abs() <= tol(3, s, k));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The cheaper entry points the program's book uses return the full
    /// kernel's fields bit for bit (zero rates included, where they skip an
    /// exponential), and fail exactly where it fails.
    #[test]
    fn book_greeks_and_price_only_equal_the_full_kernel((s, k, t, v, r) in market(), zero_rate: bool, put: bool) {
        let r = if zero_rate { I80F48::ZERO } else { r };
        let kind = if put { OptionKind::Put } else { OptionKind::Call };
        match price_and_greeks(kind, s, k, t, v, r) {
            Ok(full) => {
                let b = book_greeks(kind, s, k, t, v, r).unwrap();
                prop_assert_eq!((b.price, b.delta, b.gamma, b.vega), (full.price, full.delta, full.gamma, full.vega));
                let (at, time) = (SpotTerms::new(s).unwrap(), TimeTerms::new(t).unwrap());
                prop_assert_eq!(book_greeks_at(&at, &time, kind, k, v, r).unwrap(), b);
                prop_assert_eq!(price_only_at(&at, &time, kind, k, v, r).unwrap(), full.price);
            }
            Err(e) => {
                prop_assert_eq!(book_greeks(kind, s, k, t, v, r).unwrap_err(), e);
            }
        }
    }

    #[test]
    fn put_call_parity_holds((s, k, t, v, r) in market()) {
        let (call, put) = call_and_put(s, k, t, v, r).unwrap();
        let k_disc = k * kernels::exp(-(r * t)).unwrap();
        let gap = (call.price - put.price) - (s - k_disc);
        // each price is within 1 ulp x scale; e^{-rT} adds K x 1 ulp
        prop_assert!(gap.abs() <= tol(3, s, k), "C - P - (S - K e^-rT) = {gap}");
        // N(d1) + N(-d1) is exactly one inside; each delta rounds to the API
        // on its own (ties away from zero), so when N(d1) sits exactly half
        // an ulp off the grid (1 in 2^16 cases) both round outward: one ulp
        let parity = call.delta - put.delta - I80F48::ONE;
        prop_assert!(parity == 0 || parity == ULP, "delta_C - delta_P - 1 = {parity}");
        prop_assert_eq!(call.gamma, put.gamma);
        prop_assert_eq!(call.vega, put.vega);
    }

    #[test]
    fn prices_respect_no_arbitrage_bounds((s, k, t, v, r) in market()) {
        let (call, put) = call_and_put(s, k, t, v, r).unwrap();
        let k_disc = k * kernels::exp(-(r * t)).unwrap();
        let eps = tol(2, s, k);
        prop_assert!(call.price >= (s - k_disc).max(I80F48::ZERO) - eps);
        prop_assert!(call.price <= s + eps);
        prop_assert!(put.price >= (k_disc - s).max(I80F48::ZERO) - eps);
        prop_assert!(put.price <= k_disc + eps);
        prop_assert!(call.delta >= 0 && call.delta <= 1, "call delta {}", call.delta);
        prop_assert!(put.delta >= -1 && put.delta <= 0, "put delta {}", put.delta);
        prop_assert!(call.gamma >= 0 && call.vega >= 0);
    }

    #[test]
    fn prices_are_monotone_in_spot_vol_and_time((s, k, t, v, r) in market(), bump in 1.001f64..1.5) {
        let b = fx(bump);
        let (c0, p0) = call_and_put(s, k, t, v, r).unwrap();
        let eps = tol(2, s * b, k);
        let (c1, p1) = call_and_put(s * b, k, t, v, r).unwrap();
        prop_assert!(c1.price >= c0.price - eps && p1.price <= p0.price + eps, "spot");
        let (c2, p2) = call_and_put(s, k, t, (v * b).min(fx(10.0)), r).unwrap();
        prop_assert!(c2.price >= c0.price - eps && p2.price >= p0.price - eps, "vol");
        // Longer time: a call is worth more for r >= 0; a put too when r = 0.
        let (c3, _) = call_and_put(s, k, t * b, v, r).unwrap();
        prop_assert!(c3.price >= c0.price - eps, "time (call)");
        let (_, p4) = call_and_put(s, k, t, v, I80F48::ZERO).unwrap();
        let (_, p5) = call_and_put(s, k, t * b, v, I80F48::ZERO).unwrap();
        prop_assert!(p5.price >= p4.price - eps, "time (put, r=0)");
    }

    #[test]
    fn arbitrary_bits_never_panic(s in any::<i128>(), k in any::<i128>(), t in any::<i128>(),
                                  v in any::<i128>(), r in any::<i128>()) {
        let b = I80F48::from_bits;
        for kind in [OptionKind::Call, OptionKind::Put] {
            // Ok or a clean error; a panic fails the test.
            if let Ok(g) = price_and_greeks(kind, b(s), b(k), b(t), b(v), b(r)) {
                prop_assert!(g.price >= 0);
            }
        }
    }
}

#[test]
fn at_and_past_expiry_the_price_is_intrinsic() {
    let (s, v, r) = (fx(105.0), fx(0.5), fx(0.05));
    for t in [I80F48::ZERO, fx(-0.25), I80F48::MIN] {
        let (call, put) = call_and_put(s, fx(100.0), t, v, r).unwrap();
        assert_eq!((call.price, call.delta), (fx(5.0), fx(1.0)));
        assert_eq!((put.price, put.delta), (fx(0.0), fx(0.0)));
        let (call, put) = call_and_put(s, fx(110.0), t, v, r).unwrap();
        assert_eq!((call.price, call.delta), (fx(0.0), fx(0.0)));
        assert_eq!((put.price, put.delta), (fx(5.0), fx(-1.0)));
        let (call, put) = call_and_put(s, s, t, v, r).unwrap();
        assert_eq!((call.price, call.delta, put.delta), (fx(0.0), fx(0.5), fx(-0.5)));
        for g in [call, put] {
            assert_eq!((g.gamma, g.vega, g.theta, g.rho), (I80F48::ZERO, I80F48::ZERO, I80F48::ZERO, I80F48::ZERO));
        }
    }
    // One ulp of time before expiry the price is already (almost) intrinsic.
    let c = price_and_greeks(OptionKind::Call, s, fx(100.0), ULP, v, r).unwrap();
    assert!((c.price - fx(5.0)).abs() < fx(1e-6), "{}", c.price);
}

#[test]
fn bad_inputs_give_specific_errors() {
    let (s, k, t, v, r) = (fx(100.0), fx(100.0), fx(0.5), fx(0.5), fx(0.01));
    let call = |s, k, t, v, r| price_and_greeks(OptionKind::Call, s, k, t, v, r);
    assert_eq!(call(I80F48::ZERO, k, t, v, r), Err(MathError::NonPositiveSpot));
    assert_eq!(call(fx(-1.0), k, t, v, r), Err(MathError::NonPositiveSpot));
    assert_eq!(call(s, I80F48::ZERO, t, v, r), Err(MathError::NonPositiveStrike));
    assert_eq!(call(s, fx(-3.0), t, v, r), Err(MathError::NonPositiveStrike));
    assert_eq!(call(s, k, t, I80F48::ZERO, r), Err(MathError::NonPositiveVol));
    assert_eq!(call(s, k, t, fx(-0.2), r), Err(MathError::NonPositiveVol));
    // overflow-size inputs
    assert_eq!(call(I80F48::MAX, k, t, v, r), Err(MathError::InputOutOfRange));
    assert_eq!(call(s, I80F48::MAX, t, v, r), Err(MathError::InputOutOfRange));
    assert_eq!(call(s, k, I80F48::MAX, v, r), Err(MathError::InputOutOfRange));
    assert_eq!(call(s, k, t, I80F48::MAX, r), Err(MathError::InputOutOfRange));
    assert_eq!(call(s, k, t, v, I80F48::MAX), Err(MathError::InputOutOfRange));
    assert_eq!(call(s, k, t, v, I80F48::MIN), Err(MathError::InputOutOfRange));
    assert_eq!(call(fx(2f64.powi(41)), k, t, v, r), Err(MathError::InputOutOfRange));
    // the largest accepted inputs still price
    let top = options_math::bs::MAX_PRICE_INPUT;
    assert!(call(top, top, options_math::bs::MAX_T_YEARS, options_math::bs::MAX_VOL, fx(1.0)).is_ok());
}
