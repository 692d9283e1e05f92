//! Options AMM: an LP pool that writes European options, prices them with
//! fixed-point Black-Scholes (crate `options-math`) and hedges its net delta
//! on a spot venue. This file is the table of contents: one line per
//! instruction, each implemented in `instructions/`.
use anchor_lang::prelude::*;

declare_id!("DjVDovapaEzJ3GBmHBwqDjz4QCCqXUaExiJG4c5karS6");

#[program]
pub mod options_amm {}
