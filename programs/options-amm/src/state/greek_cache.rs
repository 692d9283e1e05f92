//! The greek cache: one zero-copy account per pool holding, for every live
//! series, its strike, expiry, the pool's net short, its IV (board base IV x
//! strike skew) and its greeks at the last refresh, plus the aggregates
//! `rebalance`, deposits and withdrawals read. One account instead of one
//! per series keeps those instructions' account lists short.
//!
//! Fixed-point fields are stored as little-endian I80F48 bits (`Fx`): the
//! layout is then the same on SBF and natively (an i128 field would be
//! 8-aligned on one and 16-aligned on the other).
use crate::constants::{MARK_IV_WINDOW_S, MAX_BOARDS, MAX_SERIES, SECONDS_PER_YEAR};
use crate::error::OptionsError;
use crate::state::series::Kind;
use anchor_lang::prelude::*;
use options_math::units::Decimals;
use options_math::{book_greeks_at, price_only_at, MathError, SpotTerms, TimeTerms, I80F48};

#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Fx {
    pub bits: [u8; 16],
}

impl Fx {
    pub fn get(&self) -> I80F48 {
        I80F48::from_le_bytes(self.bits)
    }

    pub fn set(&mut self, v: I80F48) {
        self.bits = v.to_le_bytes();
    }

    pub fn of(v: I80F48) -> Fx {
        Fx { bits: v.to_le_bytes() }
    }
}

/// One expiry: its base IV, shared by every strike listed on it.
#[zero_copy]
#[derive(Debug, Default)]
pub struct Board {
    pub expiry: i64,
    pub base_iv: Fx,
    /// What trade-driven moves of the base IV relax toward: its value when
    /// the board opened (`VolParams::relax_half_life_s`).
    pub reference_iv: Fx,
    /// When the board's surface last relaxed; 0 = not yet.
    pub relaxed_at: i64,
    /// The price the expiry settled at: the first series of the board to
    /// settle sets it and every other series of the expiry settles at it,
    /// so calls and puts cannot be settled on different updates.
    pub settlement_price: Fx,
    /// Live series on this board; 0 = the slot is free.
    pub live_series: u8,
    /// 1 once `settlement_price` is set.
    pub settled: u8,
    pub _pad: [u8; 6],
}

#[zero_copy]
#[derive(Debug, Default)]
pub struct CacheEntry {
    pub series: Pubkey,
    pub strike: Fx,
    pub skew: Fx,
    /// The skew the series was listed at: what its skew relaxes toward.
    pub reference_skew: Fx,
    /// Per contract, at the last refresh: delta, gamma (per unit of spot),
    /// vega (per 1.00 of vol), value (quote whole units).
    pub delta: Fx,
    pub gamma: Fx,
    pub vega: Fx,
    pub value: Fx,
    /// The IV the book is marked at: follows the trading IV (board base IV
    /// x skew) over MARK_IV_WINDOW_S, so a trade cannot move it at once.
    pub mark_iv: Fx,
    pub expiry: i64,
    /// Contracts the pool is short, underlying base units.
    pub net_short: u64,
    pub updated_at: i64,
    /// When `mark_iv` last moved; 0 = never (it holds the listing IV).
    pub mark_at: i64,
    pub board: u8,
    /// `Kind::seed()`.
    pub kind: u8,
    pub live: u8,
    pub _pad: [u8; 5],
}

#[account(zero_copy)]
#[derive(Debug)]
pub struct GreekCache {
    pub pool: Pubkey,
    /// Oracle spot of the last refresh.
    pub spot: Fx,
    /// sum(net_short x delta), underlying base units: the hedge the pool
    /// would hold if it could go short (target = max(0, this)).
    pub net_delta: Fx,
    /// sum(net_short x gamma), underlying base units per unit of spot.
    pub net_gamma: Fx,
    /// sum(net_short x vega), quote base units per 1.00 of vol.
    pub net_vega: Fx,
    /// sum(net_short x value): what the pool's shorts are worth, quote base units.
    pub liability: Fx,
    /// Gamma-weighted time to expiry in years (the tau of the WW band).
    pub gamma_weighted_tau: Fx,
    pub updated_at: i64,
    /// The rate (I80F48 bits; |rate| <= 1 fits) the last refresh priced at.
    pub priced_rate_bits: i64,
    pub boards: [Board; MAX_BOARDS],
    pub entries: [CacheEntry; MAX_SERIES],
}

/// The kernel terms of one pass over the book at one spot and instant,
/// computed when first needed: ln S and 1/S once, sqrt T once per board (a
/// board is one expiry).
struct BookTerms {
    spot: I80F48,
    now: i64,
    at: Option<SpotTerms>,
    times: [Option<TimeTerms>; MAX_BOARDS],
}

impl BookTerms {
    fn new(spot: I80F48, now: i64) -> BookTerms {
        BookTerms { spot, now, at: None, times: [None; MAX_BOARDS] }
    }

    /// Borrowed, not copied: the pass reads them once per series.
    fn at(&mut self, board: u8, expiry: i64) -> core::result::Result<(&SpotTerms, &TimeTerms), MathError> {
        let at = match &mut self.at {
            Some(t) => t,
            empty => empty.insert(SpotTerms::new(self.spot)?),
        };
        let time = match &mut self.times[board as usize] {
            Some(t) => t,
            empty => empty.insert(TimeTerms::new(t_years(expiry, self.now))?),
        };
        Ok((at, time))
    }
}

/// Time to expiry in years; zero or negative once expired.
pub fn t_years(expiry: i64, now: i64) -> I80F48 {
    // one truncating division; both sides are exact integers
    options_math::units::div_by_int(I80F48::from_num(expiry.saturating_sub(now)), SECONDS_PER_YEAR as u32)
}

impl GreekCache {
    pub fn entry_kind(e: &CacheEntry) -> Kind {
        Kind::from_seed(e.kind).unwrap_or(Kind::Call)
    }

    /// List a series: reuse its expiry's board or open one at `base_iv`.
    pub fn add_series(
        &mut self,
        series: Pubkey,
        strike: I80F48,
        expiry: i64,
        kind: Kind,
        base_iv: I80F48,
        skew: I80F48,
    ) -> Result<u8> {
        let slot = self.entries.iter().position(|e| e.live == 0).ok_or(OptionsError::GreekCacheFull)?;
        let board = match self.boards.iter().position(|b| b.live_series > 0 && b.expiry == expiry) {
            Some(b) => b,
            None => {
                let b = self.boards.iter().position(|b| b.live_series == 0).ok_or(OptionsError::TooManyExpiries)?;
                self.boards[b] =
                    Board { expiry, base_iv: Fx::of(base_iv), reference_iv: Fx::of(base_iv), ..Board::default() };
                b
            }
        };
        self.boards[board].live_series += 1;
        let listing_iv = self.boards[board].base_iv.get().checked_mul(skew).ok_or(OptionsError::AmountTooLarge)?;
        self.entries[slot] = CacheEntry {
            series,
            strike: Fx::of(strike),
            skew: Fx::of(skew),
            reference_skew: Fx::of(skew),
            mark_iv: Fx::of(listing_iv),
            expiry,
            board: board as u8,
            kind: kind.seed(),
            live: 1,
            ..CacheEntry::default()
        };
        Ok(slot as u8)
    }

    /// Drop a settled series; its board frees itself with its last series.
    pub fn remove_series(&mut self, slot: usize) {
        let board = self.entries[slot].board as usize;
        if self.entries[slot].live != 0 {
            self.boards[board].live_series -= 1;
        }
        self.entries[slot] = CacheEntry::default();
    }

    pub fn live_slots(&self) -> impl Iterator<Item = usize> + '_ {
        (0..MAX_SERIES).filter(move |&i| self.entries[i].live != 0)
    }

    pub fn live_count(&self) -> usize {
        self.live_slots().count()
    }

    /// The IV a series trades at: its board's base IV x its skew.
    pub fn iv(&self, slot: usize) -> Result<I80F48> {
        let e = &self.entries[slot];
        self.boards[e.board as usize]
            .base_iv
            .get()
            .checked_mul(e.skew.get())
            .ok_or_else(|| error!(OptionsError::AmountTooLarge))
    }

    /// Relax every live board's base IV and its series' skews toward their
    /// references by the time since the board last relaxed (options-math's
    /// `relax_factor`, `relax_toward`); a board relaxes at most once per
    /// second, so a trade's own impact is never relaxed within its second.
    /// Call before `refresh` so the marks follow the relaxed surface.
    pub fn relax_surface(&mut self, now: i64, half_life_s: u32) -> core::result::Result<(), MathError> {
        let mut last: Option<(i64, I80F48)> = None;
        for b in 0..MAX_BOARDS {
            let board = &mut self.boards[b];
            if board.live_series == 0 || board.relaxed_at >= now {
                continue;
            }
            // a board's first relaxation only starts its clock: it opened at
            // its reference
            let elapsed = if board.relaxed_at == 0 { 0 } else { now - board.relaxed_at };
            board.relaxed_at = now;
            // a board no trade has moved (the common case) costs no exponential
            let moved = board.base_iv.bits != board.reference_iv.bits
                || self
                    .entries
                    .iter()
                    .any(|e| e.live != 0 && e.board as usize == b && e.skew.bits != e.reference_skew.bits);
            if !moved {
                continue;
            }
            // every board relaxes at every repricing, so they share one
            // elapsed time: one exponential per instruction, not per board
            let factor = match last {
                Some((e, f)) if e == elapsed => f,
                _ => options_math::amm::relax_factor(elapsed, half_life_s)?,
            };
            last = Some((elapsed, factor));
            if factor == I80F48::ONE {
                continue;
            }
            board.base_iv.set(options_math::amm::relax_toward(board.base_iv.get(), board.reference_iv.get(), factor)?);
            for e in self.entries.iter_mut().filter(|e| e.live != 0 && e.board as usize == b) {
                e.skew.set(options_math::amm::relax_toward(e.skew.get(), e.reference_skew.get(), factor)?);
            }
        }
        Ok(())
    }

    /// Move the series' mark IV toward its trading IV: by the share of
    /// MARK_IV_WINDOW_S elapsed since it last moved (all the way after a
    /// full window), so it never moves within the second a trade happens.
    pub fn update_mark(&mut self, slot: usize, now: i64) -> core::result::Result<(), MathError> {
        let surface = self.iv(slot).map_err(|_| MathError::Overflow)?;
        let e = &mut self.entries[slot];
        let elapsed = if e.mark_at == 0 { 0 } else { now.saturating_sub(e.mark_at).clamp(0, MARK_IV_WINDOW_S) };
        if e.mark_at == 0 || elapsed > 0 {
            // one truncating division; the share is in [0, 1]
            let share = options_math::units::div_by_int(I80F48::from_num(elapsed), MARK_IV_WINDOW_S as u32);
            let mark = e.mark_iv.get();
            let moved = (surface - mark).checked_mul(share).ok_or(MathError::Overflow)?;
            e.mark_iv.set(mark + moved);
            e.mark_at = now;
        }
        Ok(())
    }

    /// Reprice one series at `spot` and `time` (the terms of the spot and of
    /// its time to expiry at `now`) at its mark IV.
    pub fn reprice(
        &mut self,
        slot: usize,
        spot: &SpotTerms,
        time: &TimeTerms,
        now: i64,
        rate: I80F48,
    ) -> core::result::Result<(), MathError> {
        let e = &mut self.entries[slot];
        let g = book_greeks_at(spot, time, Self::entry_kind(e).into(), e.strike.get(), e.mark_iv.get(), rate)?;
        e.delta.set(g.delta);
        e.gamma.set(g.gamma);
        e.vega.set(g.vega);
        e.value.set(g.price);
        e.updated_at = now;
        Ok(())
    }

    /// Reprice every live series at `spot` and recompute the aggregates.
    ///
    /// A series already priced at this second, spot and rate is skipped:
    /// its mark cannot move within the second, so repricing would write the
    /// same bits. That makes a `refresh_greeks` sent earlier in the slot
    /// (its own transaction, at the same oracle update) pay for the book's
    /// pricing, and the trade after it only for its own series.
    pub fn refresh(
        &mut self,
        spot: I80F48,
        now: i64,
        rate: I80F48,
        decimals: Decimals,
    ) -> core::result::Result<(), MathError> {
        let rate_bits = i64::try_from(rate.to_bits()).map_err(|_| MathError::InputOutOfRange)?;
        let priced_here = self.spot.get() == spot && self.priced_rate_bits == rate_bits;
        let mut terms = BookTerms::new(spot, now);
        for slot in 0..MAX_SERIES {
            let e = &self.entries[slot];
            if e.live != 0 && !(priced_here && e.updated_at == now) {
                let (board, expiry) = (e.board, e.expiry);
                self.update_mark(slot, now)?;
                let (at, time) = terms.at(board, expiry)?;
                self.reprice(slot, at, time, now, rate)?;
            }
        }
        self.spot.set(spot);
        self.updated_at = now;
        self.priced_rate_bits = rate_bits;
        self.aggregate(now, decimals)
    }

    /// Recompute the pool-level sums from the cached per-series greeks.
    pub fn aggregate(&mut self, now: i64, decimals: Decimals) -> core::result::Result<(), MathError> {
        let (mut delta, mut gamma, mut vega, mut liability) = (I80F48::ZERO, I80F48::ZERO, I80F48::ZERO, I80F48::ZERO);
        let mut gamma_tau = I80F48::ZERO;
        for e in self.entries.iter().filter(|e| e.live != 0 && e.net_short > 0) {
            let n = I80F48::from_num(e.net_short);
            let add = |acc: I80F48, x: I80F48| acc.checked_add(x).ok_or(MathError::Overflow);
            let g = n.checked_mul(e.gamma.get()).ok_or(MathError::Overflow)?;
            delta = add(delta, n.checked_mul(e.delta.get()).ok_or(MathError::Overflow)?)?;
            gamma = add(gamma, g)?;
            vega = add(vega, decimals.quote_value_fixed(e.vega.get(), n)?)?;
            liability = add(liability, decimals.quote_value_fixed(e.value.get(), n)?)?;
            let tau = t_years(e.expiry, now).max(I80F48::ZERO);
            gamma_tau = add(gamma_tau, g.checked_mul(tau).ok_or(MathError::Overflow)?)?;
        }
        self.net_delta.set(delta);
        self.net_gamma.set(gamma);
        self.net_vega.set(vega);
        self.liability.set(liability);
        let tau = if gamma > 0 { gamma_tau.checked_div(gamma).ok_or(MathError::Overflow)? } else { I80F48::ZERO };
        self.gamma_weighted_tau.set(tau);
        Ok(())
    }

    /// The book's value for an LP flow, quote base units: each series the
    /// pool is short is valued at the worse of its mark IV and its trading
    /// IV for the flow (the higher IV for a withdrawal, the lower for a
    /// deposit). A large trade moves the trading IV at once and the mark
    /// only over MARK_IV_WINDOW_S; valuing flows at the worse of the two
    /// means liquidity that arrives before such a trade and leaves after it
    /// takes none of the gap. Series whose two IVs agree use the cached
    /// value (no second pricing call).
    pub fn liability_for_lp(
        &self,
        spot: I80F48,
        now: i64,
        rate: I80F48,
        decimals: Decimals,
        withdrawal: bool,
    ) -> core::result::Result<I80F48, MathError> {
        let mut total = I80F48::ZERO;
        let mut terms = BookTerms::new(spot, now);
        for slot in self.live_slots() {
            let e = &self.entries[slot];
            if e.net_short == 0 {
                continue;
            }
            let (mark, surface) = (e.mark_iv.get(), self.iv(slot).map_err(|_| MathError::Overflow)?);
            let worse_is_surface = if withdrawal { surface > mark } else { surface < mark };
            let value = if worse_is_surface {
                let kind = Self::entry_kind(e).into();
                let (at, time) = terms.at(e.board, e.expiry)?;
                price_only_at(at, time, kind, e.strike.get(), surface, rate)?
            } else {
                e.value.get()
            };
            let v = decimals.quote_value_fixed(value, I80F48::from_num(e.net_short))?;
            total = total.checked_add(v).ok_or(MathError::Overflow)?;
        }
        Ok(total)
    }

    /// What the hedge vault should hold: sum(net_short x delta), clamped at
    /// zero because the vault cannot go short (underlying base units).
    pub fn target_hedge(&self) -> I80F48 {
        self.net_delta.get().max(I80F48::ZERO)
    }

    /// Delta the pool cannot hedge: net short puts beyond a zero hedge.
    pub fn unhedgeable_delta(&self) -> I80F48 {
        (-self.net_delta.get()).max(I80F48::ZERO)
    }
}

#[cfg(test)]
mod tests {
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
        let gc = options_math::price_and_greeks(
            options_math::OptionKind::Call,
            spot,
            fx("160"),
            t,
            fx("0.8") * fx("1.1"),
            rate,
        )
        .unwrap();
        let gp = options_math::price_and_greeks(
            options_math::OptionKind::Put,
            spot,
            fx("140"),
            t,
            fx("0.8") * fx("1.2"),
            rate,
        )
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
        let a =
            c.add_series(Pubkey::new_unique(), fx("150"), 30 * DAY, Kind::Call, fx("0.8"), fx("1")).unwrap() as usize;
        c.entries[a].net_short = 1_000_000_000;
        c.refresh(spot, now, rate, D).unwrap();
        let priced = c.entries[a].value.get();
        // a value the skip would keep: poison it and refresh at the same
        // second, spot and rate (nothing can have moved, nothing is repriced)
        c.entries[a].value.set(fx("1"));
        c.refresh(spot, now, rate, D).unwrap();
        assert_eq!(c.entries[a].value.get(), fx("1"), "same second, spot and rate: skipped");
        // a new series, another spot, another rate or a later second reprice
        let b =
            c.add_series(Pubkey::new_unique(), fx("140"), 30 * DAY, Kind::Put, fx("0.8"), fx("1")).unwrap() as usize;
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
}
