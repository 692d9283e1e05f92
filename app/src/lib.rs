//! `oamm`, the options AMM client, as a library: the binary's commands
//! callable in-process (the app's tests drive them on the embedded bank).
pub mod amounts;
pub mod backend;
pub mod commands;
pub mod config;
pub mod errors;
pub mod output;
pub mod pool_config;
pub mod price;
pub mod simulate;
pub mod snapshot;

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
}
