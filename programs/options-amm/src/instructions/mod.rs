// Each file's `handler` is called by its module path from lib.rs; the globs
// export the Accounts types, which Anchor's macros look up at the crate root.
#![allow(ambiguous_glob_reexports)]

pub mod accept_admin;
pub mod apply_pool_params;
pub mod buy;
pub mod cancel_pool_params;
pub mod close_series;
pub mod create_series;
pub mod deposit;
pub mod initialize_pool;
pub mod propose_admin;
pub mod propose_pool_params;
pub mod rebalance;
pub mod redeem;
pub mod refresh_greeks;
pub mod sell;
pub mod set_guardian;
pub mod set_paused;
pub mod settle_series;
pub mod trade;
pub mod update_pool_params;
pub mod withdraw;

pub use accept_admin::*;
pub use apply_pool_params::*;
pub use cancel_pool_params::*;
pub use close_series::*;
pub use create_series::*;
pub use deposit::*;
pub use initialize_pool::*;
pub use propose_admin::*;
pub use propose_pool_params::*;
pub use rebalance::*;
pub use redeem::*;
pub use refresh_greeks::*;
pub use set_guardian::*;
pub use set_paused::*;
pub use settle_series::*;
pub use trade::*;
pub use update_pool_params::*;
pub use withdraw::*;
