use super::*;
use bytemuck::Zeroable;

fn fx(s: &str) -> I80F48 {
    s.parse().unwrap()
}

fn cache() -> Box<GreekCache> {
    Box::new(GreekCache::zeroed())
}

const DAY: i64 = 86_400;
const D: Decimals = Decimals { underlying: 9, quote: 6 };

#[test]
fn layout_is_the_same_on_every_target() {
    // 8-byte alignment at most, no implicit padding: SBF and x86_64 agree
    assert_eq!(core::mem::align_of::<GreekCache>(), 8);
    assert_eq!(core::mem::size_of::<CacheEntry>(), 200);
    assert_eq!(core::mem::size_of::<Board>(), 72);
    assert_eq!(core::mem::size_of::<GreekCache>(), 32 + 6 * 16 + 8 + 8 + 72 * MAX_BOARDS + 200 * MAX_SERIES);
    // the account is created by CPI: it must fit the 10,240-byte limit
    assert!(8 + core::mem::size_of::<GreekCache>() <= 10_240);
}

#[test]
fn the_surface_relaxes_toward_its_listing_values_and_the_marks_follow() {
    let mut c = cache();
    let h = 86_400u32;
    let call =
        c.add_series(Pubkey::new_unique(), fx("150"), 30 * DAY, Kind::Call, fx("0.8"), fx("1")).unwrap() as usize;
    let put =
        c.add_series(Pubkey::new_unique(), fx("140"), 30 * DAY, Kind::Put, fx("0.8"), fx("1.2")).unwrap() as usize;
    let other =
        c.add_series(Pubkey::new_unique(), fx("150"), 60 * DAY, Kind::Call, fx("0.9"), fx("1")).unwrap() as usize;
    c.entries[call].net_short = 3_000_000_000;
    // the first touch starts the clock and moves nothing
    c.relax_surface(1000, h).unwrap();
    c.refresh(fx("150"), 1000, I80F48::ZERO, D).unwrap();
    assert_eq!(c.boards[0].relaxed_at, 1000);
    // flow lifts the 30-day board and the put's skew
    c.boards[0].base_iv.set(fx("1.2"));
    c.entries[put].skew.set(fx("1.4"));
    // within the same second nothing relaxes: a trade keeps its impact
    c.relax_surface(1000, h).unwrap();
    assert_eq!((c.boards[0].base_iv.get(), c.entries[put].skew.get()), (fx("1.2"), fx("1.4")));
    // one half-life later the gaps have halved (to rounding), the
    // untouched board and skews stay where they were
    let later = 1000 + h as i64;
    c.relax_surface(later, h).unwrap();
    let near = |a: I80F48, b: &str| (a - fx(b)).abs() < fx("0.000000000001");
    assert!(near(c.boards[0].base_iv.get(), "1.0"), "{}", c.boards[0].base_iv.get());
    assert!(near(c.entries[put].skew.get(), "1.3"), "{}", c.entries[put].skew.get());
    assert_eq!(c.entries[call].skew.get(), fx("1"));
    assert_eq!(c.boards[c.entries[other].board as usize].base_iv.get(), fx("0.9"));
    // the mark then follows the relaxed surface over its window
    let mark_before = c.entries[call].mark_iv.get();
    c.refresh(fx("150"), later, I80F48::ZERO, D).unwrap();
    let mark = c.entries[call].mark_iv.get();
    assert!(mark > mark_before && mark <= c.iv(call).unwrap(), "{mark_before} -> {mark}");
    // with relaxation off nothing moves
    c.relax_surface(later + 10 * h as i64, 0).unwrap();
    assert!(near(c.boards[0].base_iv.get(), "1.0"));
}

#[test]
fn series_share_a_board_per_expiry_and_slots_are_reused() {
    let mut c = cache();
    let (iv, skew) = (fx("0.8"), fx("1"));
    let a = c.add_series(Pubkey::new_unique(), fx("100"), 10 * DAY, Kind::Call, iv, skew).unwrap();
    let b = c.add_series(Pubkey::new_unique(), fx("110"), 10 * DAY, Kind::Put, fx("0.5"), skew).unwrap();
    let d = c.add_series(Pubkey::new_unique(), fx("100"), 20 * DAY, Kind::Call, fx("0.6"), skew).unwrap();
    assert_eq!((a, b, d), (0, 1, 2));
    assert_eq!(c.entries[0].board, c.entries[1].board);
    assert_ne!(c.entries[0].board, c.entries[2].board);
    // the board keeps the IV it opened with
    assert_eq!(c.iv(1).unwrap(), iv);
    assert_eq!(c.live_count(), 3);
    c.remove_series(0);
    c.remove_series(1);
    assert_eq!(c.boards[0].live_series, 0);
    let e = c.add_series(Pubkey::new_unique(), fx("90"), 30 * DAY, Kind::Call, fx("0.9"), skew).unwrap();
    assert_eq!(e, 0, "freed slot reused");
    assert_eq!(c.iv(0).unwrap(), fx("0.9"), "freed board reopened at the new IV");
}

#[test]
fn full_cache_and_too_many_expiries_are_clean_errors() {
    let mut c = cache();
    for i in 0..MAX_BOARDS as i64 {
        c.add_series(Pubkey::new_unique(), fx("100"), (i + 1) * DAY, Kind::Call, fx("0.8"), fx("1")).unwrap();
    }
    let err = c.add_series(Pubkey::new_unique(), fx("100"), 99 * DAY, Kind::Call, fx("0.8"), fx("1")).unwrap_err();
    assert_eq!(err, error!(OptionsError::TooManyExpiries));
    for _ in MAX_BOARDS..MAX_SERIES {
        c.add_series(Pubkey::new_unique(), fx("120"), DAY, Kind::Put, fx("0.8"), fx("1")).unwrap();
    }
    let err = c.add_series(Pubkey::new_unique(), fx("130"), DAY, Kind::Put, fx("0.8"), fx("1")).unwrap_err();
    assert_eq!(err, error!(OptionsError::GreekCacheFull));
}

#[test]
fn refresh_prices_every_live_series_and_sums_exposures() {
    let mut c = cache();
    let (spot, rate, now) = (fx("150"), fx("0.03"), 0);
    let call =
        c.add_series(Pubkey::new_unique(), fx("160"), 30 * DAY, Kind::Call, fx("0.8"), fx("1.1")).unwrap() as usize;
    let put =
        c.add_series(Pubkey::new_unique(), fx("140"), 30 * DAY, Kind::Put, fx("0.8"), fx("1.2")).unwrap() as usize;
    c.entries[call].net_short = 3_000_000_000; // 3 contracts
    c.entries[put].net_short = 2_000_000_000;
    c.refresh(spot, now, rate, D).unwrap();

    let t = t_years(30 * DAY, now);
    let gc =
        options_math::price_and_greeks(options_math::OptionKind::Call, spot, fx("160"), t, fx("0.8") * fx("1.1"), rate)
            .unwrap();
    let gp =
        options_math::price_and_greeks(options_math::OptionKind::Put, spot, fx("140"), t, fx("0.8") * fx("1.2"), rate)
            .unwrap();
    assert_eq!(c.entries[call].delta.get(), gc.delta);
    assert_eq!(c.entries[put].value.get(), gp.price);
    let n = |x: u64| I80F48::from_num(x);
    assert_eq!(c.net_delta.get(), n(3_000_000_000) * gc.delta + n(2_000_000_000) * gp.delta);
    assert_eq!(c.net_gamma.get(), n(3_000_000_000) * gc.gamma + n(2_000_000_000) * gp.gamma);
    // liability in USDC base units: 3 x call + 2 x put, x 10^6 / 10^9 per base unit
    let expect = (n(3_000_000_000) * gc.price) / n(1000) + (n(2_000_000_000) * gp.price) / n(1000);
    assert!((c.liability.get() - expect).abs() <= I80F48::DELTA * 4);
    // one expiry: the gamma-weighted tau is that expiry's tau
    assert!((c.gamma_weighted_tau.get() - t).abs() <= I80F48::DELTA * 4);
    assert_eq!(c.target_hedge(), c.net_delta.get().max(I80F48::ZERO));
}

#[test]
fn a_second_refresh_in_the_same_second_reprices_only_what_could_differ() {
    let mut c = cache();
    let (spot, rate, now) = (fx("150"), fx("0.03"), 5_000);
    let a = c.add_series(Pubkey::new_unique(), fx("150"), 30 * DAY, Kind::Call, fx("0.8"), fx("1")).unwrap() as usize;
    c.entries[a].net_short = 1_000_000_000;
    c.refresh(spot, now, rate, D).unwrap();
    let priced = c.entries[a].value.get();
    // a value the skip would keep: poison it and refresh at the same
    // second, spot and rate (nothing can have moved, nothing is repriced)
    c.entries[a].value.set(fx("1"));
    c.refresh(spot, now, rate, D).unwrap();
    assert_eq!(c.entries[a].value.get(), fx("1"), "same second, spot and rate: skipped");
    // a new series, another spot, another rate or a later second reprice
    let b = c.add_series(Pubkey::new_unique(), fx("140"), 30 * DAY, Kind::Put, fx("0.8"), fx("1")).unwrap() as usize;
    c.refresh(spot, now, rate, D).unwrap();
    assert!(c.entries[b].value.get() > 0, "a series never priced is priced");
    for (s, r, t) in [(fx("151"), rate, now), (spot, fx("0.04"), now), (spot, rate, now + 1)] {
        c.entries[a].value.set(fx("1"));
        c.refresh(s, t, r, D).unwrap();
        assert_ne!(c.entries[a].value.get(), fx("1"), "spot {s}, rate {r}, now {t}: repriced");
    }
    c.refresh(spot, now + 1, rate, D).unwrap();
    assert!((c.entries[a].value.get() - priced).abs() < fx("0.01"));
}

#[test]
fn the_mark_iv_follows_the_trading_iv_over_an_hour_not_at_once() {
    let mut c = cache();
    let (spot, rate) = (fx("150"), fx("0"));
    c.add_series(Pubkey::new_unique(), fx("150"), 30 * DAY, Kind::Call, fx("0.8"), fx("1")).unwrap();
    c.refresh(spot, 1_000, rate, D).unwrap();
    assert_eq!(c.entries[0].mark_iv.get(), fx("0.8"));
    let value0 = c.entries[0].value.get();
    // a trade lifts the board's IV to 1.0: the same second, nothing moves
    c.boards[0].base_iv.set(fx("1"));
    c.refresh(spot, 1_000, rate, D).unwrap();
    assert_eq!((c.entries[0].mark_iv.get(), c.entries[0].value.get()), (fx("0.8"), value0));
    // half a window later, half way; a full window later, all the way
    c.refresh(spot, 1_000 + 1_800, rate, D).unwrap();
    assert_eq!(c.entries[0].mark_iv.get(), fx("0.9"));
    c.refresh(spot, 1_000 + 1_800 + 3_600, rate, D).unwrap();
    assert_eq!(c.entries[0].mark_iv.get(), fx("1"));
    assert!(c.entries[0].value.get() > value0);
}

#[test]
fn expired_series_mark_at_intrinsic_and_puts_make_delta_unhedgeable() {
    let mut c = cache();
    let put = c.add_series(Pubkey::new_unique(), fx("140"), DAY, Kind::Put, fx("0.8"), fx("1")).unwrap() as usize;
    c.entries[put].net_short = 1_000_000_000;
    c.refresh(fx("120"), 2 * DAY, fx("0"), D).unwrap();
    assert_eq!(c.entries[put].value.get(), fx("20"));
    assert_eq!(c.entries[put].delta.get(), fx("-1"));
    assert_eq!(c.target_hedge(), 0);
    assert_eq!(c.unhedgeable_delta(), fx("1000000000"));
    assert_eq!(c.liability.get(), fx("20000000"));
}
