//! `--config keeper.toml`: the keeper's settings in a file (what a service
//! unit points at), every key optional. A flag on the command line wins
//! over the file, the file over the defaults.
//!
//! ```toml
//! interval_s = 10
//! metrics_addr = "127.0.0.1:9464"
//! health_addr = "127.0.0.1:9465"
//! log_format = "json"
//! ```
use super::telemetry::LogFormat;
use super::KeeperArgs;
use anyhow::{anyhow, bail, Context, Result};
use clap::ValueEnum;
use std::net::SocketAddr;

#[derive(serde::Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct KeeperConfig {
    interval_s: Option<u64>,
    metrics_addr: Option<SocketAddr>,
    health_addr: Option<SocketAddr>,
    log_format: Option<String>,
}

const KEYS: &str = "interval_s, metrics_addr, health_addr, log_format";

/// `args` with what its flags left unset taken from `text` (the file at
/// `path`, for messages).
fn merge(mut args: KeeperArgs, path: &str, text: &str) -> Result<KeeperArgs> {
    let c: KeeperConfig =
        toml::from_str(text).with_context(|| format!("{path}: not a keeper config (its keys: {KEYS})"))?;
    if c.interval_s == Some(0) {
        bail!("{path}: interval_s must be at least 1");
    }
    args.interval_s = args.interval_s.or(c.interval_s);
    args.metrics_addr = args.metrics_addr.or(c.metrics_addr);
    args.health_addr = args.health_addr.or(c.health_addr);
    if args.log_format.is_none() {
        args.log_format = match c.log_format {
            None => None,
            Some(f) => Some(
                LogFormat::from_str(&f, true)
                    .map_err(|_| anyhow!("{path}: log_format is `{f}`; use \"human\" or \"json\""))?,
            ),
        };
    }
    Ok(args)
}

impl KeeperArgs {
    /// The settings in force: flags, then `--config`'s file.
    pub fn with_config(self) -> Result<KeeperArgs> {
        let Some(path) = self.config.clone() else { return Ok(self) };
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read the keeper config {shown}"))?;
        merge(self, &shown, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        keeper: KeeperArgs,
    }

    fn args(flags: &[&str]) -> KeeperArgs {
        Cli::parse_from(std::iter::once("keeper").chain(flags.iter().copied())).keeper
    }

    #[test]
    fn the_file_fills_what_the_flags_leave_and_the_flags_win() {
        let file = "interval_s = 30\nmetrics_addr = \"127.0.0.1:9464\"\nhealth_addr = \"127.0.0.1:9465\"\nlog_format = \"json\"\n";
        let a = merge(args(&[]), "k.toml", file).unwrap();
        assert_eq!(a.interval_s, Some(30));
        assert_eq!(a.metrics_addr, Some("127.0.0.1:9464".parse().unwrap()));
        assert_eq!(a.health_addr, Some("127.0.0.1:9465".parse().unwrap()));
        assert_eq!(a.log_format, Some(LogFormat::Json));
        let a = merge(args(&["--interval-s", "5", "--log-format", "human"]), "k.toml", file).unwrap();
        assert_eq!((a.interval_s, a.log_format), (Some(5), Some(LogFormat::Human)));
        // nothing anywhere: the defaults apply later (interval 10 s, human logs)
        let a = merge(args(&[]), "k.toml", "").unwrap();
        assert_eq!((a.interval_s, a.metrics_addr, a.log_format), (None, None, None));
    }

    #[test]
    fn a_bad_file_says_what_is_wrong() {
        let e = merge(args(&[]), "k.toml", "interval = 3\n").unwrap_err();
        assert!(format!("{e:#}").contains("interval_s, metrics_addr"), "{e:#}");
        let e = merge(args(&[]), "k.toml", "interval_s = 0\n").unwrap_err();
        assert!(e.to_string().contains("at least 1"), "{e}");
        let e = merge(args(&[]), "k.toml", "log_format = \"xml\"\n").unwrap_err();
        assert!(e.to_string().contains("\"human\" or \"json\""), "{e}");
        let e = merge(args(&[]), "k.toml", "metrics_addr = \"nowhere\"\n").unwrap_err();
        assert!(format!("{e:#}").contains("k.toml"), "{e:#}");
    }
}
