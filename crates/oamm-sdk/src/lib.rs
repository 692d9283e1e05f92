//! Client-side building blocks shared by the `oamm` app and the integration
//! tests, so both talk to the programs exactly the same way:
//! - `pda`: every program-derived address;
//! - `ix`: instructions built from the programs' own Anchor types (accounts
//!   structs and instruction data), never hand-packed bytes;
//! - `pyth`: Pyth `PriceUpdateV2` account bytes at a chosen price and time;
//! - `budget`: the compute-unit limit each transaction asks for;
//! - `bank`: an in-process bank (solana-program-test) running the options
//!   program and the spot venue natively, with SPL Token as its real BPF
//!   program.
#![allow(deprecated)] // solana-program-test marks its API "unstable" from 4.0; 3.1 is what we pin.

pub mod bank;
pub mod budget;
pub mod events;
pub mod ix;
pub mod market;
pub mod pda;
pub mod pyth;

pub use anchor_lang::prelude::Pubkey;
pub use anchor_lang::solana_program::instruction::Instruction;
