//! `oamm`: the options AMM client.
use clap::{Parser, Subcommand, ValueEnum};

mod price;
mod simulate;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
}

#[derive(Parser, Debug)]
#[command(name = "oamm", version, about = "Options AMM on Solana: price, trade, provide liquidity, keep, simulate")]
struct Cli {
    /// Output format: human-readable table or stable JSON for scripts.
    #[arg(long, short = 'o', global = true, value_enum, default_value = "table")]
    output: OutputFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Black-Scholes price and greeks from the on-chain maths (one option or a JSON-lines batch).
    Price(price::PriceArgs),
    /// Hedge-policy backtest on shared random paths (Monte Carlo).
    Simulate(simulate::SimulateArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Price(args) => price::run(args, cli.output),
        Command::Simulate(args) => simulate::run(args, cli.output),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
