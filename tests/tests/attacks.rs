//! The attack suite: one module per attack class, each test an attack on
//! the real programs in solana-program-test's bank, expecting the exact
//! error code and, where it is refused, proving that nothing changed.
//! Measurements (rounding, first-depositor inflation, rebalance sandwich,
//! oracle age window) are printed: run with `-- --nocapture` to see them.
//!
//! | class | module |
//! | --- | --- |
//! | missing signer | `missing_signer` |
//! | missing owner check (incl. a fake PriceUpdateV2) | `owner_checks` |
//! | account data matching / substitution | `account_substitution` |
//! | type cosplay | `type_cosplay` |
//! | PDA / bump misuse, seed collisions | `pda_misuse` |
//! | re-initialisation (and init griefing) | `reinitialisation` |
//! | closing and reviving | `close_and_revive` |
//! | arbitrary CPI | `arbitrary_cpi` |
//! | duplicate mutable accounts | `duplicate_accounts` |
//! | integer overflow / underflow at the extremes | `overflow` |
//! | rounding exploitation (measured) | `rounding` |
//! | first-depositor LP inflation | `first_depositor` |
//! | oracle manipulation | `oracle_manipulation` |
//! | sandwiching the rebalance swap (measured) | `rebalance_sandwich` |
//! | NAV manipulation through the vol surface (measured) | `nav_manipulation` |
//! | choosing among live oracle updates: LP and trade round trips, rebalance ping-pong (measured) | `oracle_choice` |
//! | the expiry-to-settlement window, one price per expiry (measured) | `expiry_window` |
//! | just-in-time liquidity around a large trade (measured) | `jit_liquidity` |
//! | long-dated, high-vol books against the solvency stress (measured) | `tenor_stress` |
//! | sandwiching a hedge larger than fee x depth (measured) | `rebalance_sandwich` |
//! | one admin key: venue, reward, feed and surface changes behind the timelock; guardian and admin transfer | `governance` |
//! | the hedge-cost fee's discount and the relaxing surface (measured) | `risk_quotes` |
//!
//! The modules live in `attacks/`; `#[path]` is needed because a test
//! binary's root resolves `mod x;` next to itself, not in `attacks/`.
#![allow(deprecated)] // solana-program-test marks its API "unstable" from 4.0; 3.1 is what we pin.
#[path = "attacks/account_substitution.rs"]
mod account_substitution;
#[path = "attacks/arbitrary_cpi.rs"]
mod arbitrary_cpi;
#[path = "attacks/close_and_revive.rs"]
mod close_and_revive;
mod common;
#[path = "attacks/duplicate_accounts.rs"]
mod duplicate_accounts;
#[path = "attacks/expiry_window.rs"]
mod expiry_window;
#[path = "attacks/first_depositor.rs"]
mod first_depositor;
#[path = "attacks/governance.rs"]
mod governance;
#[path = "attacks/jit_liquidity.rs"]
mod jit_liquidity;
#[path = "attacks/missing_signer.rs"]
mod missing_signer;
#[path = "attacks/nav_manipulation.rs"]
mod nav_manipulation;
#[path = "attacks/oracle_choice.rs"]
mod oracle_choice;
#[path = "attacks/oracle_manipulation.rs"]
mod oracle_manipulation;
#[path = "attacks/overflow.rs"]
mod overflow;
#[path = "attacks/owner_checks.rs"]
mod owner_checks;
#[path = "attacks/pda_misuse.rs"]
mod pda_misuse;
#[path = "attacks/rebalance_sandwich.rs"]
mod rebalance_sandwich;
#[path = "attacks/reinitialisation.rs"]
mod reinitialisation;
#[path = "attacks/risk_quotes.rs"]
mod risk_quotes;
#[path = "attacks/rounding.rs"]
mod rounding;
#[path = "attacks/support.rs"]
mod support;
#[path = "attacks/tenor_stress.rs"]
mod tenor_stress;
#[path = "attacks/type_cosplay.rs"]
mod type_cosplay;
