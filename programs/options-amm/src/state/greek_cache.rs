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
mod tests;
