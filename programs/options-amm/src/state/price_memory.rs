//! The pool's oracle clock and price memory.
//!
//! Pyth is a pull oracle: every genuine update published within the pool's
//! `max_price_age_s` is valid at once, and the caller picks which one to
//! pass. Two defences follow:
//! - the clock: the pool keeps the publish time of the newest update it has
//!   used and refuses older ones, so oracle time never goes backwards;
//! - the memory: the lowest and highest price of the updates the pool used
//!   over (at least) the last `window_s` seconds of publish time. LP flows
//!   and trades are valued at the end of that range that is worse for the
//!   caller, so a round trip across two updates alive at the same time (buy
//!   or deposit on the older, sell or withdraw on the fresher) gets the
//!   older price back on its second leg and earns nothing.
//!
//! Two buckets of `window_s` each make that cheap: `cur` holds the prices
//! used since `bucket_start`; when an update at least `window_s` newer
//! arrives, `cur` becomes `prev` (or is dropped if it is two windows old).
//! Every price published within `window_s` of the newest one is in cur or
//! prev; at most two windows are remembered.
use crate::error::OptionsError;
use anchor_lang::prelude::*;
use options_math::I80F48;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace)]
pub struct PriceMemory {
    /// Publish time of the newest update used; 0 = none yet.
    pub last_publish_time: i64,
    /// Price of that update (I80F48 bits).
    pub last_price_bits: i128,
    /// Publish time the current bucket started at.
    pub bucket_start: i64,
    /// Price range of the current and the previous bucket (I80F48 bits;
    /// 0 = empty: prices are > 0).
    pub cur_lo_bits: i128,
    pub cur_hi_bits: i128,
    pub prev_lo_bits: i128,
    pub prev_hi_bits: i128,
}

impl PriceMemory {
    /// Record an update the pool is about to use, or refuse it if it is
    /// older than one already used.
    pub fn observe(&mut self, price: I80F48, publish_time: i64, window_s: i64) -> Result<()> {
        require!(publish_time >= self.last_publish_time, OptionsError::OracleUpdateOlderThanPool);
        let p = price.to_bits();
        if self.cur_hi_bits == 0 || publish_time >= self.bucket_start.saturating_add(window_s) {
            let keep_prev = self.cur_hi_bits != 0 && publish_time < self.bucket_start.saturating_add(2 * window_s);
            (self.prev_lo_bits, self.prev_hi_bits) =
                if keep_prev { (self.cur_lo_bits, self.cur_hi_bits) } else { (0, 0) };
            (self.cur_lo_bits, self.cur_hi_bits) = (p, p);
            self.bucket_start = publish_time;
        } else {
            self.cur_lo_bits = self.cur_lo_bits.min(p);
            self.cur_hi_bits = self.cur_hi_bits.max(p);
        }
        self.last_publish_time = publish_time;
        self.last_price_bits = p;
        Ok(())
    }

    /// Lowest and highest remembered price (both the last price if only one
    /// is remembered).
    pub fn range(&self) -> (I80F48, I80F48) {
        let (mut lo, mut hi) = (self.cur_lo_bits, self.cur_hi_bits);
        if self.prev_hi_bits != 0 {
            lo = lo.min(self.prev_lo_bits);
            hi = hi.max(self.prev_hi_bits);
        }
        (I80F48::from_bits(lo), I80F48::from_bits(hi))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fx(v: i64) -> I80F48 {
        I80F48::from_num(v)
    }

    #[test]
    fn oracle_time_never_goes_backwards() {
        let mut m = PriceMemory::default();
        m.observe(fx(150), 1_000, 60).unwrap();
        m.observe(fx(151), 1_000, 60).unwrap(); // same second: allowed
        let err = m.observe(fx(149), 999, 60).unwrap_err();
        assert_eq!(err, error!(OptionsError::OracleUpdateOlderThanPool));
        assert_eq!((m.last_publish_time, I80F48::from_bits(m.last_price_bits)), (1_000, fx(151)));
    }

    #[test]
    fn every_price_of_the_last_window_is_remembered() {
        let mut m = PriceMemory::default();
        m.observe(fx(148), 1_000, 60).unwrap();
        m.observe(fx(150), 1_059, 60).unwrap();
        assert_eq!(m.range(), (fx(148), fx(150)));
        // a window later the first bucket is the previous one: still there
        m.observe(fx(152), 1_060, 60).unwrap();
        assert_eq!(m.range(), (fx(148), fx(152)));
        m.observe(fx(151), 1_119, 60).unwrap();
        assert_eq!(m.range(), (fx(148), fx(152)));
        // two windows after 1_000 the first bucket falls out; 1_060's stays
        m.observe(fx(153), 1_120, 60).unwrap();
        assert_eq!(m.range(), (fx(151), fx(153)));
        // a long gap forgets everything before it
        m.observe(fx(140), 5_000, 60).unwrap();
        assert_eq!(m.range(), (fx(140), fx(140)));
    }

    #[test]
    fn no_price_within_the_window_of_the_newest_is_ever_lost() {
        // brute force over random publish-time steps: every observed price
        // published within window_s of the newest must be inside the range
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            seed >> 33
        };
        let mut m = PriceMemory::default();
        let mut seen: Vec<(i64, I80F48)> = Vec::new();
        let mut t = 10_000i64;
        for _ in 0..2_000 {
            t += (next() % 50) as i64;
            let p = fx(100 + (next() % 100) as i64);
            m.observe(p, t, 60).unwrap();
            seen.push((t, p));
            let (lo, hi) = m.range();
            for &(pt, pp) in seen.iter().filter(|(pt, _)| *pt >= t - 60) {
                assert!(lo <= pp && pp <= hi, "price {pp} at {pt} lost at {t}: [{lo}, {hi}]");
            }
        }
    }
}
