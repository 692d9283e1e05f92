//! The embedded backend: an in-process bank (solana-program-test) running
//! the options program and the spot venue natively — the same code that is
//! deployed — with SPL Token as its real BPF program and Pyth price
//! accounts this app writes itself.
//!
//! BanksClient has no getProgramAccounts, so the backend remembers every
//! account any transaction it sent has touched and filters those: for what
//! this process created, that is the whole chain.
use super::KeyedAccount;
use anyhow::Result;
use oamm_sdk::bank::Bank;
use oamm_sdk::market::Market;
use oamm_sdk::Instruction;
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use std::collections::{BTreeSet, HashMap};

pub struct Embedded {
    pub bank: Bank,
    /// Signs and pays like a CLI wallet.
    pub wallet: Keypair,
    /// Markets created here, by pool address (mint authority, oracle, venue).
    pub markets: HashMap<Pubkey, Market>,
    known: BTreeSet<Pubkey>,
    sent: u64,
    /// Each sent transaction's log lines, by the signature `send` returned.
    logs: HashMap<String, Vec<String>>,
}

impl Embedded {
    /// A bank whose clock reads `now`, with a funded wallet.
    pub async fn start(now: i64) -> Result<Embedded> {
        let mut bank = Bank::start(now).await;
        let wallet = bank.funded_keypair(1_000).await?;
        Ok(Embedded { bank, wallet, markets: HashMap::new(), known: BTreeSet::new(), sent: 0, logs: HashMap::new() })
    }

    /// Remember every account of a market set up outside `send` (the SDK's
    /// `Market::create` talks to the bank directly).
    pub fn adopt(&mut self, m: Market) {
        for k in [
            m.keys.pool,
            m.keys.greek_cache,
            m.keys.lp_mint,
            m.keys.quote_vault,
            m.keys.hedge_vault,
            m.keys.underlying_mint,
            m.keys.quote_mint,
            m.venue.venue_pool,
            m.oracle,
        ] {
            self.known.insert(k);
        }
        self.markets.insert(m.keys.pool, m);
    }

    pub fn remember(&mut self, key: Pubkey) {
        self.known.insert(key);
    }

    pub fn transactions_sent(&self) -> u64 {
        self.sent
    }

    pub async fn account(&mut self, key: &Pubkey) -> Result<Option<Account>> {
        Ok(self.bank.account(key).await?)
    }

    pub async fn program_accounts(
        &mut self,
        program: &Pubkey,
        discriminator: &[u8],
        filter: Option<(usize, Pubkey)>,
    ) -> Result<Vec<KeyedAccount>> {
        let mut out = Vec::new();
        for key in self.known.clone() {
            let Some(acc) = self.bank.account(&key).await? else { continue };
            if acc.owner != *program || !acc.data.starts_with(discriminator) {
                continue;
            }
            if let Some((offset, want)) = filter {
                if acc.data.get(offset..offset + 32) != Some(want.as_ref()) {
                    continue;
                }
            }
            out.push((key, acc));
        }
        Ok(out)
    }

    pub async fn token_accounts(
        &mut self,
        owner: &Pubkey,
    ) -> Result<Vec<(Pubkey, super::spl_token_account::TokenAccount)>> {
        let mut out = Vec::new();
        for key in self.known.clone() {
            let Some(acc) = self.bank.account(&key).await? else { continue };
            if acc.owner != anchor_spl::token::ID {
                continue;
            }
            if let Ok(t) = super::spl_token_account::unpack(&acc.data) {
                if t.owner == *owner {
                    out.push((key, t));
                }
            }
        }
        Ok(out)
    }

    pub async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<String> {
        for ix in ixs {
            self.known.extend(ix.accounts.iter().map(|m| m.pubkey));
        }
        let mut all: Vec<&Keypair> = vec![&self.wallet];
        all.extend(signers.iter().copied().filter(|k| k.pubkey() != self.wallet.pubkey()));
        // the bank's payer pays; the wallet signs where the message needs it
        // (the bank adds the compute-unit limit a cluster transaction carries)
        self.bank.process(ixs, &all).await.map_err(crate::errors::from_bank)?;
        self.sent += 1;
        let signature = format!("embedded-tx-{}", self.sent);
        self.logs.insert(signature.clone(), self.bank.last.logs.clone());
        Ok(signature)
    }

    pub fn transaction_logs(&self, signature: &str) -> Result<Vec<String>> {
        self.logs
            .get(signature)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("no transaction {signature} was sent on this embedded bank"))
    }

    /// The market's oracle account for this feed (the first market using it).
    pub fn price_account(&self, feed_id: &[u8; 32]) -> Pubkey {
        self.markets.values().find(|m| &m.feed_id == feed_id).map(|m| m.oracle).unwrap_or_default()
    }
}
