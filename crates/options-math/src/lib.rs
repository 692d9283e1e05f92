//! Fixed-point option maths shared by the on-chain program and its client, so
//! a quote in the app equals the on-chain price to the bit.
//!
//! `no_std`, no floats: every value at the API is an `I80F48`; inside, the
//! kernels run on 64 fractional bits (`fx`) and never divide.
#![no_std]

pub use fixed::types::I80F48;

/// A stage boundary for the SBF profile (feature `cu-probe`; nothing otherwise).
macro_rules! mark {
    ($id:expr) => {
        #[cfg(feature = "cu-probe")]
        {
            extern "C" {
                fn options_math_mark(id: u64);
            }
            // SAFETY: the probe program defines it; it only logs.
            unsafe { options_math_mark($id) }
        }
    };
}

pub mod amm;
pub mod bs;
pub mod error;
mod fx;
pub mod hedge;
pub mod kernels;
#[allow(dead_code)] // generated tables: not every constant is used
                    // Generated tables stay one line per table (see tools/gen_tables.py).
#[rustfmt::skip]
mod tables;
pub mod units;

pub use bs::{
    book_greeks, book_greeks_at, call_and_put, price_and_greeks, price_and_greeks_with_yield, price_only_at,
    BookGreeks, Greeks, OptionKind, SpotTerms, TimeTerms,
};
pub use error::MathError;
#[cfg(feature = "op-count")]
pub use fx::op_count;
