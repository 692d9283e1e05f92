#![allow(deprecated)] // solana-program-test marks its API "unstable" from 4.0; 3.1 is what we pin.
//! Shared harness for the integration tests. The bank with both programs
//! executed natively comes from `oamm_sdk::bank` (one set of entry shims for
//! the tests, the demo and the app); the venue's own test helpers derive
//! its addresses independently of the SDK, as a cross-check.
pub use oamm_sdk::bank::program_test;

pub mod venue;
