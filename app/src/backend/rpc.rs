//! The RPC backend: a Solana JSON-RPC node, the wallet a keypair file.
use super::KeyedAccount;
use anyhow::{anyhow, Result};
use oamm_sdk::Instruction;
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::config::{RpcAccountInfoConfig, RpcProgramAccountsConfig};
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;

/// Pyth's push oracle, which keeps the sponsored price feed accounts
/// (one per feed id and shard) up to date on devnet and mainnet.
pub const PYTH_PUSH_ORACLE: Pubkey = solana_sdk::pubkey!("pythWSnswVUd12oZpeFP8e9CVaEqJg25g1Vtc2biRsT");

/// The sponsored price feed account for a feed id: PDA of the push oracle
/// with seeds [shard (u16 LE), feed id].
pub fn sponsored_feed_address(shard: u16, feed_id: &[u8; 32]) -> Pubkey {
    Pubkey::find_program_address(&[&shard.to_le_bytes(), feed_id], &PYTH_PUSH_ORACLE).0
}

pub struct Rpc {
    pub url: String,
    pub client: RpcClient,
    pub wallet: Keypair,
    /// Overrides the sponsored feed address (e.g. a localnet clone).
    pub price_account: Option<Pubkey>,
    /// Where the options program is deployed (`--program-id`).
    pub program_id: Pubkey,
}

impl Rpc {
    pub fn new(url: String, wallet: Keypair, price_account: Option<Pubkey>, program_id: Pubkey) -> Rpc {
        let client = RpcClient::new_with_commitment(url.clone(), CommitmentConfig::confirmed());
        Rpc { url, client, wallet, price_account, program_id }
    }

    /// One line for a failed RPC call: the node, and the innermost cause
    /// once (the client's own message repeats the request two or three times).
    fn unreachable(&self, e: solana_rpc_client_api::client_error::Error) -> anyhow::Error {
        let mut cause: &dyn std::error::Error = &e;
        while let Some(next) = cause.source() {
            cause = next;
        }
        anyhow!("RPC node {} did not answer ({cause}); check --url and that the node is running", self.url)
    }

    pub async fn account(&mut self, key: &Pubkey) -> Result<Option<Account>> {
        let r = self
            .client
            .get_account_with_commitment(key, CommitmentConfig::confirmed())
            .await
            .map_err(|e| self.unreachable(e))?;
        Ok(r.value)
    }

    pub async fn accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            out.extend(self.client.get_multiple_accounts(chunk).await.map_err(|e| self.unreachable(e))?);
        }
        Ok(out)
    }

    pub async fn program_accounts(
        &mut self,
        program: &Pubkey,
        discriminator: &[u8],
        filter: Option<(usize, Pubkey)>,
    ) -> Result<Vec<KeyedAccount>> {
        let mut filters = vec![RpcFilterType::Memcmp(Memcmp::new_raw_bytes(0, discriminator.to_vec()))];
        if let Some((offset, key)) = filter {
            filters.push(RpcFilterType::Memcmp(Memcmp::new_raw_bytes(offset, key.to_bytes().to_vec())));
        }
        let config = RpcProgramAccountsConfig {
            filters: Some(filters),
            account_config: RpcAccountInfoConfig {
                commitment: Some(CommitmentConfig::confirmed()),
                ..Default::default()
            },
            ..Default::default()
        };
        // the UI-account variant the deprecation points to returns encoded
        // data we would decode straight back; this returns the bytes
        #[allow(deprecated)]
        let accounts = self.client.get_program_accounts_with_config(program, config).await;
        accounts.map_err(|e| self.unreachable(e))
    }

    pub async fn token_accounts(
        &mut self,
        owner: &Pubkey,
    ) -> Result<Vec<(Pubkey, super::spl_token_account::TokenAccount)>> {
        // token accounts: 165 bytes, owner at offset 32
        let filters = vec![
            RpcFilterType::DataSize(165),
            RpcFilterType::Memcmp(Memcmp::new_raw_bytes(32, owner.to_bytes().to_vec())),
        ];
        let config = RpcProgramAccountsConfig { filters: Some(filters), ..Default::default() };
        #[allow(deprecated)]
        let accounts = self.client.get_program_accounts_with_config(&anchor_spl::token::ID, config).await;
        let accounts = accounts.map_err(|e| self.unreachable(e))?;
        Ok(accounts
            .into_iter()
            .filter_map(|(k, a)| super::spl_token_account::unpack(&a.data).ok().map(|t| (k, t)))
            .collect())
    }

    pub async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<String> {
        // every transaction asks for the units its instructions can take at
        // the program's live-series cap (the runtime's default, 200,000 per
        // instruction, is below what a buy needs at 8 live series)
        let ixs = oamm_sdk::budget::with_limit(ixs);
        // the builders target the program's compiled-in id; a deployment
        // elsewhere (`--program-id`) gets the same instructions
        let ixs: Vec<Instruction> = ixs
            .into_iter()
            .map(|mut ix| {
                if ix.program_id == options_amm::ID {
                    ix.program_id = self.program_id;
                }
                ix
            })
            .collect();
        let ixs = &ixs[..];
        let blockhash = self.client.get_latest_blockhash().await.map_err(|e| self.unreachable(e))?;
        let tx = oamm_sdk::bank::signed(ixs, &self.wallet, signers, blockhash).map_err(|e| anyhow!("{e}"))?;
        let sig = self.client.send_and_confirm_transaction(&tx).await.map_err(|e| match e.get_transaction_error() {
            Some(t) => anyhow::Error::new(crate::errors::explain_tx_error(&t)),
            None => anyhow!("transaction failed: {e}"),
        })?;
        Ok(sig.to_string())
    }

    pub async fn now(&mut self) -> Result<i64> {
        let slot = self.client.get_slot().await.map_err(|e| self.unreachable(e))?;
        let t = self.client.get_block_time(slot).await.map_err(|e| self.unreachable(e))?;
        Ok(t)
    }
}
