//! `oamm`: the options AMM client.
use anyhow::Result;
use clap::{Parser, Subcommand};
use oamm::backend::{Backend, Rpc};
use oamm::commands::{demo, events, keeper, lp, migrate, pool, series, settle, trade};
use oamm::{config, price, simulate, OutputFormat};
use solana_sdk::pubkey::Pubkey;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "oamm", version, about = "Options AMM on Solana: price, trade, provide liquidity, keep, simulate")]
struct Cli {
    /// Output format: human-readable table or stable JSON for scripts.
    #[arg(long, short = 'o', global = true, value_enum, default_value = "table")]
    output: OutputFormat,
    /// Cluster: localnet, devnet, testnet, mainnet-beta or a URL
    /// [default: the Solana CLI config's json_rpc_url, else localnet].
    #[arg(long, short = 'u', global = true)]
    url: Option<String>,
    /// Keypair file that signs and pays [default: the Solana CLI config's, else ~/.config/solana/id.json].
    #[arg(long, short = 'k', global = true)]
    keypair: Option<PathBuf>,
    /// Options pool address (needed only when the program has several pools).
    #[arg(long, global = true)]
    pool: Option<Pubkey>,
    /// Address of the options program [default: the id it was built with].
    #[arg(long, global = true)]
    program_id: Option<Pubkey>,
    /// Pyth price account to read [default: the sponsored feed account for the pool's feed id].
    #[arg(long, global = true)]
    price_account: Option<Pubkey>,
    /// Priority fee, micro-lamports per compute unit, or `auto`: the median
    /// fee recent blocks paid for the accounts a transaction writes, at most
    /// 100,000 (none when nobody paid one).
    #[arg(long, global = true, default_value = "auto")]
    priority_fee: oamm::backend::rpc::PriorityFee,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Black-Scholes price and greeks from the on-chain maths (one option or a JSON-lines batch).
    Price(price::PriceArgs),
    /// Hedge-policy backtest on shared random paths (Monte Carlo).
    Simulate(simulate::SimulateArgs),
    /// Random traders against the pool, with and without the hedge-cost fee, on the same seeded flow.
    Flow(simulate::flow::FlowArgs),
    /// The main job with nothing installed: an LP, traders, a keeper and settlement on an embedded bank; report + chart.
    Demo(demo::DemoArgs),
    /// Create, show and list options pools.
    #[command(subcommand)]
    Pool(pool::PoolCommand),
    /// Create and list option series.
    #[command(subcommand)]
    Series(series::SeriesCommand),
    /// What a trade would cost or pay now (premium, fees, IV after the trade).
    Quote(trade::QuoteArgs),
    /// Buy options the pool writes.
    Buy(trade::TradeArgs),
    /// Sell options back to the pool.
    Sell(trade::TradeArgs),
    /// A wallet's option tokens, their value and what they pay if settled now.
    Positions(trade::PositionsArgs),
    /// Provide or withdraw liquidity.
    #[command(subcommand)]
    Lp(lp::LpCommand),
    /// Settle an expired series at its post-expiry oracle price.
    Settle {
        /// Series address or its # in `oamm series list`.
        series: String,
    },
    /// Create what a config file describes and is missing (pool, venue pool, series); safe to re-run.
    Migrate(migrate::MigrateArgs),
    /// Keep the pools: rebalance when the hedge policy says it would trade, settle expired series (a daemon).
    Keeper(keeper::KeeperArgs),
    /// The options program's events in one transaction, decoded from its logs.
    Events {
        /// The transaction's signature.
        signature: String,
    },
    /// Redeem settled options for their payoff.
    Redeem {
        /// Series address or its # in `oamm series list`.
        series: String,
        /// Contracts to redeem, or "all".
        #[arg(default_value = "all")]
        contracts: String,
    },
}

impl Command {
    /// Commands that only read can run without a wallet file.
    fn signs(&self) -> bool {
        !matches!(
            self,
            Command::Pool(pool::PoolCommand::Show | pool::PoolCommand::List)
                | Command::Series(series::SeriesCommand::List)
                | Command::Quote(_)
                | Command::Positions(trade::PositionsArgs { owner: Some(_) })
                | Command::Keeper(keeper::KeeperArgs { dry_run: true, .. })
                | Command::Events { .. }
        )
    }
}

fn connect(cli: &Cli) -> Result<Backend> {
    let url = config::resolve_url(cli.url.as_deref())?;
    let path = config::keypair_path(cli.keypair.as_deref());
    let wallet = if cli.command.signs() || path.exists() {
        config::load_keypair(&path)?
    } else {
        solana_sdk::signature::Keypair::new()
    };
    let mut rpc = Rpc::new(url, wallet, cli.price_account, cli.program_id.unwrap_or(options_amm::ID));
    rpc.priority_fee = cli.priority_fee;
    Ok(Backend::Rpc(Box::new(rpc)))
}

async fn run(cli: Cli) -> Result<()> {
    let output = cli.output;
    let report = match cli.command {
        Command::Price(args) => return price::run(args, output),
        Command::Simulate(args) => return simulate::run(args, output),
        Command::Flow(args) => return simulate::flow::run(args, output),
        Command::Demo(args) => demo::run(args).await?,
        _ => {
            let mut b = connect(&cli)?;
            let pool = cli.pool;
            match cli.command {
                Command::Pool(c) => pool::run(&mut b, c, pool).await?,
                Command::Series(c) => series::run(&mut b, c, pool).await?,
                Command::Quote(a) => trade::quote(&mut b, pool, a).await?,
                Command::Buy(a) => trade::trade(&mut b, pool, a, options_math::amm::Side::Buy).await?,
                Command::Sell(a) => trade::trade(&mut b, pool, a, options_math::amm::Side::Sell).await?,
                Command::Positions(a) => trade::positions(&mut b, pool, a).await?,
                Command::Lp(c) => lp::run(&mut b, pool, c).await?,
                Command::Migrate(a) => migrate::run(&mut b, a).await?,
                Command::Keeper(a) => keeper::run(&mut b, pool, a).await?,
                Command::Settle { series } => settle::settle(&mut b, pool, &series).await?,
                Command::Redeem { series, contracts } => settle::redeem(&mut b, pool, &series, &contracts).await?,
                Command::Events { signature } => events::run(&mut b, &signature).await?,
                Command::Price(_) | Command::Simulate(_) | Command::Flow(_) | Command::Demo(_) => {
                    unreachable!("handled above")
                }
            }
        }
    };
    report.print(output);
    Ok(())
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
