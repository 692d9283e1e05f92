//! Where `oamm` reads accounts and sends transactions: a Solana RPC node
//! (localnet, devnet, mainnet-beta or any URL) or an embedded bank in this
//! process (`oamm demo`, the app's tests). Commands are written once against
//! `Backend` and do not know which one they talk to.
pub mod embedded;
pub mod rpc;

use anyhow::{anyhow, Context, Result};
use oamm_sdk::Instruction;
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;

pub use embedded::Embedded;
pub use rpc::Rpc;

pub enum Backend {
    Rpc(Box<Rpc>),
    Embedded(Box<Embedded>),
}

/// A program account as getProgramAccounts returns it.
pub type KeyedAccount = (Pubkey, Account);

impl Backend {
    pub fn name(&self) -> String {
        match self {
            Backend::Rpc(r) => r.url.clone(),
            Backend::Embedded(_) => "embedded bank".into(),
        }
    }

    pub async fn account(&mut self, key: &Pubkey) -> Result<Option<Account>> {
        match self {
            Backend::Rpc(r) => r.account(key).await,
            Backend::Embedded(e) => e.account(key).await,
        }
    }

    pub async fn accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        match self {
            Backend::Rpc(r) => r.accounts(keys).await,
            Backend::Embedded(e) => {
                let mut out = Vec::with_capacity(keys.len());
                for k in keys {
                    out.push(e.account(k).await?);
                }
                Ok(out)
            }
        }
    }

    /// Accounts of `program` whose data starts with `discriminator` and,
    /// if given, holds `pubkey` at byte `offset`.
    pub async fn program_accounts(
        &mut self,
        program: &Pubkey,
        discriminator: &[u8],
        filter: Option<(usize, Pubkey)>,
    ) -> Result<Vec<KeyedAccount>> {
        match self {
            Backend::Rpc(r) => r.program_accounts(program, discriminator, filter).await,
            Backend::Embedded(e) => e.program_accounts(program, discriminator, filter).await,
        }
    }

    /// SPL token accounts owned by `owner`.
    pub async fn token_accounts(&mut self, owner: &Pubkey) -> Result<Vec<(Pubkey, spl_token_account::TokenAccount)>> {
        match self {
            Backend::Rpc(r) => r.token_accounts(owner).await,
            Backend::Embedded(e) => e.token_accounts(owner).await,
        }
    }

    /// Send one transaction signed by the wallet and `signers`; returns its signature.
    pub async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<String> {
        match self {
            Backend::Rpc(r) => r.send(ixs, signers).await,
            Backend::Embedded(e) => e.send(ixs, signers).await,
        }
    }

    /// A confirmed transaction's log lines.
    pub async fn transaction_logs(&mut self, signature: &str) -> Result<Vec<String>> {
        match self {
            Backend::Rpc(r) => r.transaction_logs(signature).await,
            Backend::Embedded(e) => e.transaction_logs(signature),
        }
    }

    /// The cluster's clock (unix seconds).
    pub async fn now(&mut self) -> Result<i64> {
        match self {
            Backend::Rpc(r) => r.now().await,
            Backend::Embedded(e) => Ok(e.bank.now()),
        }
    }

    /// The wallet that signs and pays.
    pub fn wallet(&self) -> &Keypair {
        match self {
            Backend::Rpc(r) => &r.wallet,
            Backend::Embedded(e) => &e.wallet,
        }
    }

    /// The Pyth price account for a feed.
    pub fn price_account(&self, feed_id: &[u8; 32]) -> Pubkey {
        match self {
            Backend::Rpc(r) => r.price_account.unwrap_or_else(|| rpc::sponsored_feed_address(0, feed_id)),
            Backend::Embedded(e) => e.price_account(feed_id),
        }
    }

    /// Where the options program is deployed.
    pub fn program_id(&self) -> Pubkey {
        match self {
            Backend::Rpc(r) => r.program_id,
            Backend::Embedded(_) => options_amm::ID,
        }
    }

    /// Decode an Anchor account, with an error naming what was expected.
    pub async fn anchor<T: anchor_lang::AccountDeserialize>(&mut self, key: &Pubkey, what: &str) -> Result<T> {
        let acc = self.account(key).await?.ok_or_else(|| anyhow!("no {what} account at {key}"))?;
        T::try_deserialize(&mut acc.data.as_slice()).with_context(|| format!("{key} is not a {what} account"))
    }

    pub async fn greek_cache(&mut self, key: &Pubkey) -> Result<Box<options_amm::state::GreekCache>> {
        let acc = self.account(key).await?.ok_or_else(|| anyhow!("no greek cache at {key}"))?;
        let size = core::mem::size_of::<options_amm::state::GreekCache>();
        let body = acc.data.get(8..8 + size).ok_or_else(|| anyhow!("{key} is not a greek cache account"))?;
        Ok(Box::new(bytemuck::pod_read_unaligned(body)))
    }

    pub async fn token_balance(&mut self, key: &Pubkey) -> Result<u64> {
        match self.account(key).await? {
            Some(a) => Ok(spl_token_account::unpack(&a.data).map(|t| t.amount).unwrap_or(0)),
            None => Ok(0),
        }
    }

    pub async fn mint_supply(&mut self, mint: &Pubkey) -> Result<u64> {
        let a = self.account(mint).await?.ok_or_else(|| anyhow!("no mint at {mint}"))?;
        spl_token_account::unpack_mint(&a.data).map(|m| m.supply)
    }
}

/// SPL Token account and mint layouts.
pub mod spl_token_account {
    use anchor_lang::solana_program::program_pack::Pack;
    use anyhow::{anyhow, Result};
    use oamm_sdk::bank::spl_token::state::{Account, Mint};
    use solana_sdk::pubkey::Pubkey;

    #[derive(Clone, Copy, Debug)]
    pub struct TokenAccount {
        pub mint: Pubkey,
        pub owner: Pubkey,
        pub amount: u64,
    }

    pub fn unpack(data: &[u8]) -> Result<TokenAccount> {
        let a = Account::unpack(data).map_err(|e| anyhow!("not a token account: {e}"))?;
        Ok(TokenAccount { mint: a.mint, owner: a.owner, amount: a.amount })
    }

    pub fn unpack_mint(data: &[u8]) -> Result<Mint> {
        Mint::unpack(data).map_err(|e| anyhow!("not a mint: {e}"))
    }
}
