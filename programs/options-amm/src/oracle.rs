//! Reading the spot price from a Pyth `PriceUpdateV2` account (posted by the
//! Pyth receiver program; Anchor's `Account<PriceUpdateV2>` has already
//! checked the owner and discriminator). Each check maps to its own error so
//! a keeper or trader knows exactly what to fix.
//!
//! Settlement takes the update that covers the expiry instant: Pyth's
//! messages carry `prev_publish_time`, and for any time t the unique update
//! with prev_publish_time < t <= publish_time is its price. Accepting any
//! update inside the settlement window would let whoever settles pick the
//! most favourable price of the window (anyone can post verified updates);
//! only updates within the pool's `settlement_grace_s` of expiry are
//! accepted without being that unique one, so a keeper can settle from a
//! feed account Pyth pushes to.
use crate::error::OptionsError;
use crate::state::params::OracleParams;
use anchor_lang::prelude::*;
use options_math::I80F48;
use pyth_solana_receiver_sdk::price_update::{PriceUpdateV2, VerificationLevel};

/// Which publish times are acceptable.
#[derive(Clone, Copy, Debug)]
pub enum Freshness {
    /// Trading, LP and hedging: no older than the pool's max price age.
    Current { now: i64 },
    /// Settlement: published in [expiry, expiry + window].
    Settlement { expiry: i64 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OraclePrice {
    /// Quote whole units per whole unit of underlying.
    pub spot: I80F48,
    pub publish_time: i64,
}

/// `price x 10^exponent` as I80F48: exact for exponent >= 0; for a negative
/// exponent one division, truncated toward zero (under 2^-48, far below a
/// quote base unit).
pub fn to_fixed(price: i64, exponent: i32) -> Result<I80F48> {
    require!(price > 0, OptionsError::OracleNonPositivePrice);
    require!((-18..=18).contains(&exponent), OptionsError::OracleExponentOutOfRange);
    let scale = I80F48::from_num(10u64.pow(exponent.unsigned_abs()));
    let p = I80F48::from_num(price);
    let v = if exponent >= 0 { p.checked_mul(scale) } else { p.checked_div(scale) };
    v.ok_or_else(|| error!(OptionsError::AmountTooLarge))
}

pub fn read_price(update: &PriceUpdateV2, params: &OracleParams, freshness: Freshness) -> Result<OraclePrice> {
    let msg = &update.price_message;
    require!(msg.feed_id == params.feed_id, OptionsError::OracleFeedMismatch);
    require!(update.verification_level == VerificationLevel::Full, OptionsError::OracleNotFullyVerified);
    match freshness {
        Freshness::Current { now } => {
            require!(msg.publish_time.saturating_add(params.max_price_age_s as i64) >= now, OptionsError::OracleStale);
        }
        Freshness::Settlement { expiry } => {
            require!(msg.publish_time >= expiry, OptionsError::SettlementPriceBeforeExpiry);
            require!(
                msg.prev_publish_time < expiry
                    || msg.publish_time <= expiry.saturating_add(params.settlement_grace_s.into()),
                OptionsError::SettlementPriceNotFirstAfterExpiry
            );
            require!(
                msg.publish_time <= expiry.saturating_add(params.settlement_window_s as i64),
                OptionsError::SettlementPriceOutsideWindow
            );
        }
    }
    require!(msg.price > 0, OptionsError::OracleNonPositivePrice);
    // conf / price <= max_conf_bps / 10^4, cross-multiplied exactly in u128
    require!(
        (msg.conf as u128) * 10_000 <= (msg.price as u128) * (params.max_conf_bps as u128),
        OptionsError::OracleConfidenceTooWide
    );
    Ok(OraclePrice { spot: to_fixed(msg.price, msg.exponent)?, publish_time: msg.publish_time })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyth_solana_receiver_sdk::price_update::PriceFeedMessage;

    fn params() -> OracleParams {
        OracleParams {
            feed_id: [9; 32],
            max_price_age_s: 60,
            max_conf_bps: 100,
            settlement_window_s: 600,
            settlement_grace_s: 30,
        }
    }

    fn update(price: i64, conf: u64, exponent: i32, publish_time: i64) -> PriceUpdateV2 {
        PriceUpdateV2 {
            write_authority: Pubkey::new_unique(),
            verification_level: VerificationLevel::Full,
            price_message: PriceFeedMessage {
                feed_id: [9; 32],
                price,
                conf,
                exponent,
                publish_time,
                prev_publish_time: publish_time - 1,
                ema_price: price,
                ema_conf: conf,
            },
            posted_slot: 1,
        }
    }

    fn code(r: Result<OraclePrice>) -> u32 {
        match r {
            Err(Error::AnchorError(e)) => e.error_code_number,
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn exponents_convert_exactly_or_within_one_ulp() {
        assert_eq!(to_fixed(15_000_000_000, -8).unwrap(), I80F48::from_num(150));
        assert_eq!(to_fixed(15, 1).unwrap(), I80F48::from_num(150));
        assert_eq!(to_fixed(150, 0).unwrap(), I80F48::from_num(150));
        let v = to_fixed(15_012_345_678, -8).unwrap();
        let exact: I80F48 = "150.12345678".parse().unwrap();
        assert!((v - exact).abs() <= I80F48::DELTA, "{v}");
    }

    #[test]
    fn each_check_has_its_own_error() {
        let p = params();
        let now = 1_000;
        let ok = read_price(&update(15_000_000_000, 1_000_000, -8, now - 60), &p, Freshness::Current { now }).unwrap();
        assert_eq!(ok.spot, I80F48::from_num(150));

        let stale = read_price(&update(15_000_000_000, 0, -8, now - 61), &p, Freshness::Current { now });
        assert_eq!(code(stale), u32::from(OptionsError::OracleStale));

        let mut wrong_feed = update(15_000_000_000, 0, -8, now);
        wrong_feed.price_message.feed_id = [8; 32];
        assert_eq!(
            code(read_price(&wrong_feed, &p, Freshness::Current { now })),
            u32::from(OptionsError::OracleFeedMismatch)
        );

        let mut partial = update(15_000_000_000, 0, -8, now);
        partial.verification_level = VerificationLevel::Partial { num_signatures: 12 };
        assert_eq!(
            code(read_price(&partial, &p, Freshness::Current { now })),
            u32::from(OptionsError::OracleNotFullyVerified)
        );

        // 1% allowed: conf 150_000_001 on 15_000_000_000 is just over
        let wide = update(15_000_000_000, 150_000_001, -8, now);
        assert_eq!(
            code(read_price(&wide, &p, Freshness::Current { now })),
            u32::from(OptionsError::OracleConfidenceTooWide)
        );
        assert!(read_price(&update(15_000_000_000, 150_000_000, -8, now), &p, Freshness::Current { now }).is_ok());

        let negative = update(-1, 0, -8, now);
        assert_eq!(
            code(read_price(&negative, &p, Freshness::Current { now })),
            u32::from(OptionsError::OracleNonPositivePrice)
        );
        let weird_exponent = update(1, 0, -19, now);
        assert_eq!(
            code(read_price(&weird_exponent, &p, Freshness::Current { now })),
            u32::from(OptionsError::OracleExponentOutOfRange)
        );
    }

    #[test]
    fn settlement_needs_a_price_from_inside_the_window() {
        let p = params();
        let expiry = 5_000;
        // the first update at or after expiry: its predecessor was published before it
        let at = |t: i64, prev: i64| {
            let mut u = update(15_000_000_000, 0, -8, t);
            u.price_message.prev_publish_time = prev;
            read_price(&u, &p, Freshness::Settlement { expiry })
        };
        assert!(at(expiry, expiry - 1).is_ok());
        assert!(at(expiry + 600, expiry - 30).is_ok(), "a gap in updates: the first one after expiry is still unique");
        assert_eq!(code(at(expiry - 1, expiry - 2)), u32::from(OptionsError::SettlementPriceBeforeExpiry));
        assert_eq!(code(at(expiry + 601, expiry - 1)), u32::from(OptionsError::SettlementPriceOutsideWindow));
        // a later update inside the window is refused: no picking the best price of the hour
        assert_eq!(code(at(expiry + 300, expiry + 299)), u32::from(OptionsError::SettlementPriceNotFirstAfterExpiry));
        assert_eq!(code(at(expiry + 31, expiry + 30)), u32::from(OptionsError::SettlementPriceNotFirstAfterExpiry));
        // within the grace any update is accepted (a keeper reading a live feed)
        assert!(at(expiry + 30, expiry + 29).is_ok());
    }

    #[test]
    fn the_pools_grace_decides_which_later_updates_settle() {
        let expiry = 1_000_000;
        let at = |grace: u16, t: i64, prev: i64| {
            let p = OracleParams { settlement_grace_s: grace, ..params() };
            let mut u = update(15_000_000_000, 0, -8, t);
            u.price_message.prev_publish_time = prev;
            read_price(&u, &p, Freshness::Settlement { expiry })
        };
        let not_first = u32::from(OptionsError::SettlementPriceNotFirstAfterExpiry);
        // a sponsored feed pushed 58 s after expiry: its previous Pythnet
        // tick is after expiry too, so only a grace of 58 s or more takes it
        assert!(at(90, expiry + 58, expiry + 57).is_ok());
        assert!(at(58, expiry + 58, expiry + 57).is_ok());
        assert_eq!(code(at(57, expiry + 58, expiry + 57)), not_first);
        assert!(at(90, expiry + 90, expiry + 89).is_ok());
        assert_eq!(code(at(90, expiry + 91, expiry + 90)), not_first);
        // grace 0: only the update covering expiry, or one published at it
        assert!(at(0, expiry, expiry - 1).is_ok());
        assert!(at(0, expiry + 400, expiry - 1).is_ok());
        assert_eq!(code(at(0, expiry + 1, expiry)), not_first);
    }
}
