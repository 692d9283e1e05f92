#![allow(deprecated)] // solana-program-test marks its API "unstable" from 4.0; 3.1 is what we pin.
//! Shared harness for the integration tests: a solana-program-test bank with
//! the options program executed natively.
use anchor_lang::prelude::*;
use anchor_lang::solana_program::entrypoint::ProgramResult;
use solana_program_test::{processor, ProgramTest};

pub mod venue;

/// Anchor 1.x's generated `entry` wants one lifetime for all three
/// arguments; the runtime keeps all three alive for the whole call.
fn options_amm_entry(id: &Pubkey, accs: &[AccountInfo], data: &[u8]) -> ProgramResult {
    unsafe {
        options_amm::entry(
            std::mem::transmute::<&Pubkey, &Pubkey>(id),
            std::mem::transmute::<&[AccountInfo], &[AccountInfo]>(accs),
            std::mem::transmute::<&[u8], &[u8]>(data),
        )
    }
}

pub fn program_test() -> ProgramTest {
    let mut pt = ProgramTest::new("options_amm", options_amm::ID, processor!(options_amm_entry));
    pt.add_program("spot_venue", spot_venue::ID, processor!(venue::spot_venue_entry));
    pt
}
