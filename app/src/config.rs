//! Solana CLI conventions: `--url` monikers, defaults from
//! ~/.config/solana/cli/config.yml, keypair files.
use anyhow::{bail, Context, Result};
use solana_sdk::signature::Keypair;
use std::path::{Path, PathBuf};

/// The cluster URL for a moniker or URL; `None` uses the Solana CLI
/// config's json_rpc_url, else localnet.
pub fn resolve_url(arg: Option<&str>) -> Result<String> {
    let raw = match arg {
        Some(u) => u.to_string(),
        None => match cli_config() {
            Some(c) => c.json_rpc_url,
            None => return Ok("http://127.0.0.1:8899".into()),
        },
    };
    let url = match raw.as_str() {
        "localnet" | "l" | "localhost" => "http://127.0.0.1:8899".to_string(),
        "devnet" | "d" => "https://api.devnet.solana.com".to_string(),
        "testnet" | "t" => "https://api.testnet.solana.com".to_string(),
        "mainnet-beta" | "m" | "mainnet" => "https://api.mainnet-beta.solana.com".to_string(),
        other => other.to_string(),
    };
    match url::Url::parse(&url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(url),
        _ => bail!("`{raw}` is not a cluster: use localnet, devnet, testnet, mainnet-beta or an http(s) URL"),
    }
}

fn cli_config() -> Option<solana_cli_config::Config> {
    let path = solana_cli_config::CONFIG_FILE.as_ref()?;
    if !Path::new(path).exists() {
        return None;
    }
    solana_cli_config::Config::load(path).ok()
}

/// The keypair file: `--keypair`, else the CLI config's, else ~/.config/solana/id.json.
pub fn keypair_path(arg: Option<&Path>) -> PathBuf {
    if let Some(p) = arg {
        return p.to_path_buf();
    }
    if let Some(c) = cli_config() {
        return PathBuf::from(c.keypair_path);
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    home.join(".config/solana/id.json")
}

pub fn load_keypair(path: &Path) -> Result<Keypair> {
    if !path.exists() {
        bail!(
            "no keypair at {}: create one with `solana-keygen new -o {}` or pass --keypair",
            path.display(),
            path.display()
        );
    }
    solana_keypair::read_keypair_file(path)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("{} is not a keypair file (a JSON array of 64 bytes)", path.display()))
}
