//! Pyth `PriceUpdateV2` accounts as the Pyth receiver program writes them:
//! Anchor discriminator + borsh layout, owned by the receiver program, sized
//! `PriceUpdateV2::LEN`. The embedded bank and the tests post these at
//! chosen prices and times.
use anchor_lang::prelude::{AccountSerialize, Pubkey, Rent};
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};
use solana_sdk::account::Account;

pub use pyth_solana_receiver_sdk::ID as RECEIVER_PROGRAM_ID;

/// One price observation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PriceObservation {
    pub feed_id: [u8; 32],
    /// Price x 10^exponent is the price in quote units per underlying unit.
    pub price: i64,
    pub conf: u64,
    pub exponent: i32,
    pub publish_time: i64,
    /// The feed's previous update; settlement needs the first update at or
    /// after expiry, i.e. prev_publish_time < expiry <= publish_time.
    pub prev_publish_time: i64,
    pub verification: VerificationLevel,
}

impl PriceObservation {
    /// A fully verified observation with exponent -8 and a 0.01% confidence band.
    pub fn new(feed_id: [u8; 32], price_e8: i64, publish_time: i64) -> Self {
        PriceObservation {
            feed_id,
            price: price_e8,
            conf: (price_e8.unsigned_abs()) / 10_000,
            exponent: -8,
            publish_time,
            prev_publish_time: publish_time - 1,
            verification: VerificationLevel::Full,
        }
    }
}

pub fn price_update_data(o: &PriceObservation) -> Vec<u8> {
    let update = PriceUpdateV2 {
        write_authority: Pubkey::new_from_array([1; 32]),
        verification_level: o.verification,
        price_message: PriceFeedMessage {
            feed_id: o.feed_id,
            price: o.price,
            conf: o.conf,
            exponent: o.exponent,
            publish_time: o.publish_time,
            prev_publish_time: o.prev_publish_time,
            ema_price: o.price,
            ema_conf: o.conf,
        },
        posted_slot: 0,
    };
    let mut data = Vec::with_capacity(PriceUpdateV2::LEN);
    update.try_serialize(&mut data).expect("serialize a PriceUpdateV2");
    data.resize(PriceUpdateV2::LEN, 0);
    data
}

/// The account as the receiver program would own it.
pub fn price_update_account(o: &PriceObservation) -> Account {
    Account {
        lamports: Rent::default().minimum_balance(PriceUpdateV2::LEN),
        data: price_update_data(o),
        owner: RECEIVER_PROGRAM_ID,
        executable: false,
        rent_epoch: 0,
    }
}
