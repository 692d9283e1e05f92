// The globs re-export Anchor's generated `__client_accounts_*` modules,
// which `#[program]` expects beside each Accounts struct. Every file's
// `handler` is called by its full path, so the clashing name is harmless.
#![allow(ambiguous_glob_reexports)]

pub mod add_liquidity;
pub mod create_pool;
pub mod remove_liquidity;
pub mod swap;
pub mod swap_exact_out;

pub use add_liquidity::*;
pub use create_pool::*;
pub use remove_liquidity::*;
pub use swap::*;
