//! Fixed-point option maths shared by the on-chain program and its client, so
//! a quote in the app equals the on-chain price to the bit.
//!
//! `no_std`, no floats: every value at the API is an `I80F48`.
#![no_std]

pub use fixed::types::I80F48;

pub mod bs;
pub mod error;

pub use bs::{price_and_greeks, Greeks, OptionKind};
pub use error::MathError;
