//! The RPC backend: a Solana JSON-RPC node, the wallet a keypair file.
use super::KeyedAccount;
use anyhow::{anyhow, bail, Result};
use oamm_sdk::Instruction;
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::client_error::Error as ClientError;
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSendTransactionConfig, RpcTransactionConfig,
};
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
use solana_rpc_client_api::request::RpcRequest;
use solana_rpc_client_api::response::{Response, RpcKeyedAccount};
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature};
use solana_sdk::transaction::Transaction;

/// Pyth's push oracle, which keeps the sponsored price feed accounts
/// (one per feed id and shard) up to date on devnet and mainnet.
pub const PYTH_PUSH_ORACLE: Pubkey = solana_sdk::pubkey!("pythWSnswVUd12oZpeFP8e9CVaEqJg25g1Vtc2biRsT");

/// The sponsored price feed account for a feed id: PDA of the push oracle
/// with seeds [shard (u16 LE), feed id].
pub fn sponsored_feed_address(shard: u16, feed_id: &[u8; 32]) -> Pubkey {
    Pubkey::find_program_address(&[&shard.to_le_bytes(), feed_id], &PYTH_PUSH_ORACLE).0
}

/// Status polls between two sends of a transaction not yet confirmed.
const POLLS_PER_RESEND: u32 = 4;

/// The priority fee a transaction offers, micro-lamports per compute unit
/// (`--priority-fee`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriorityFee {
    Fixed(u64),
    /// The median of the nonzero fees recent blocks paid to write the
    /// transaction's writable accounts (getRecentPrioritizationFees), at
    /// most `max`; none when nobody paid one.
    Auto {
        max: u64,
    },
}

impl std::str::FromStr for PriorityFee {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "auto" => Ok(PriorityFee::Auto { max: DEFAULT_MAX_PRIORITY_FEE }),
            n => n.parse().map(PriorityFee::Fixed).map_err(|_| {
                format!("`{n}` is not a priority fee: micro-lamports per compute unit (e.g. 1000), or `auto`")
            }),
        }
    }
}

/// `auto`'s ceiling: 0.1 lamport per unit, 0.0001 SOL on a 1M-unit
/// transaction.
pub const DEFAULT_MAX_PRIORITY_FEE: u64 = 100_000;

/// The median of the nonzero fees (rounded up), or 0.
fn median_nonzero(fees: &[u64]) -> u64 {
    let mut paid: Vec<u64> = fees.iter().copied().filter(|f| *f > 0).collect();
    if paid.is_empty() {
        return 0;
    }
    paid.sort_unstable();
    let n = paid.len();
    if n % 2 == 1 {
        paid[n / 2]
    } else {
        (paid[n / 2 - 1] + paid[n / 2]).div_ceil(2)
    }
}

pub struct Rpc {
    pub url: String,
    /// Between two status polls of a sent transaction (500 ms: a resend
    /// every 2 s, as wallets do).
    pub poll_interval: std::time::Duration,
    pub priority_fee: PriorityFee,
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
        Rpc {
            url,
            client,
            wallet,
            price_account,
            program_id,
            poll_interval: std::time::Duration::from_millis(500),
            priority_fee: PriorityFee::Auto { max: DEFAULT_MAX_PRIORITY_FEE },
        }
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

    /// The owner's SPL Token accounts, by getTokenAccountsByOwner: public
    /// devnet and mainnet nodes refuse (or time out on) getProgramAccounts
    /// over the whole SPL Token program. Base64 data, so the client decodes
    /// the bytes itself rather than the node's JSON view of them.
    pub async fn token_accounts(
        &mut self,
        owner: &Pubkey,
    ) -> Result<Vec<(Pubkey, super::spl_token_account::TokenAccount)>> {
        let params = serde_json::json!([
            owner.to_string(),
            { "programId": anchor_spl::token::ID.to_string() },
            { "encoding": "base64", "commitment": "confirmed" },
        ]);
        let r: Response<Vec<RpcKeyedAccount>> =
            self.client.send(RpcRequest::GetTokenAccountsByOwner, params).await.map_err(|e| self.unreachable(e))?;
        Ok(r.value
            .into_iter()
            .filter_map(|k| {
                let key = k.pubkey.parse().ok()?;
                let data = k.account.data.decode()?;
                super::spl_token_account::unpack(&data).ok().map(|t| (key, t))
            })
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
        let fee = self.priority_fee_for(&ixs).await?;
        let mut ixs = ixs;
        if fee > 0 {
            // after the unit limit `with_limit` put first
            ixs.insert(1, solana_compute_budget_interface::ComputeBudgetInstruction::set_compute_unit_price(fee));
        }
        let ixs = &ixs[..];
        let (blockhash, last_valid_block_height) = self
            .client
            .get_latest_blockhash_with_commitment(CommitmentConfig::confirmed())
            .await
            .map_err(|e| self.unreachable(e))?;
        let tx = oamm_sdk::bank::signed(ixs, &self.wallet, signers, blockhash).map_err(|e| anyhow!("{e}"))?;
        Ok(self.send_until_confirmed(&tx, last_valid_block_height).await?.to_string())
    }

    /// The priority fee for a transaction of these instructions.
    async fn priority_fee_for(&self, ixs: &[Instruction]) -> Result<u64> {
        match self.priority_fee {
            PriorityFee::Fixed(fee) => Ok(fee),
            PriorityFee::Auto { max } => {
                let mut writable: Vec<Pubkey> =
                    ixs.iter().flat_map(|ix| ix.accounts.iter().filter(|m| m.is_writable).map(|m| m.pubkey)).collect();
                writable.sort();
                writable.dedup();
                // the node accepts at most 128 addresses
                writable.truncate(128);
                let fees =
                    self.client.get_recent_prioritization_fees(&writable).await.map_err(|e| self.unreachable(e))?;
                let fees: Vec<u64> = fees.iter().map(|f| f.prioritization_fee).collect();
                Ok(median_nonzero(&fees).min(max))
            }
        }
    }

    /// Send the signed transaction, then send it again every
    /// `POLLS_PER_RESEND` status polls until it is confirmed, fails, or its
    /// blockhash expires: a leader can drop a transaction, and RpcClient's
    /// send_and_confirm sends once and only polls.
    async fn send_until_confirmed(&self, tx: &Transaction, last_valid_block_height: u64) -> Result<Signature> {
        let refused = |e: ClientError| match e.get_transaction_error() {
            Some(t) => anyhow::Error::new(crate::errors::explain_tx_error(&t)),
            None => anyhow!("transaction failed: {e}"),
        };
        // the first send runs the node's preflight: a transaction that would
        // fail is refused now, with the program's error
        let sig = self.client.send_transaction(tx).await.map_err(refused)?;
        let resend = RpcSendTransactionConfig { skip_preflight: true, ..Default::default() };
        loop {
            for _ in 0..POLLS_PER_RESEND {
                tokio::time::sleep(self.poll_interval).await;
                let statuses = self.client.get_signature_statuses(&[sig]).await.map_err(|e| self.unreachable(e))?;
                if let Some(Some(status)) = statuses.value.first() {
                    if let Some(err) = &status.err {
                        return Err(anyhow::Error::new(crate::errors::explain_tx_error(err)));
                    }
                    if status.satisfies_commitment(CommitmentConfig::confirmed()) {
                        return Ok(sig);
                    }
                }
            }
            let height = self.client.get_block_height().await.map_err(|e| self.unreachable(e))?;
            if height > last_valid_block_height {
                bail!(
                    "transaction {sig} was not confirmed before its blockhash expired (block height {height} > \
                     {last_valid_block_height}): it did not land and now cannot; send it again"
                );
            }
            // a failed re-send (e.g. "already processed") is the status poll's to judge
            let _ = self.client.send_transaction_with_config(tx, resend).await;
        }
    }

    /// A confirmed transaction's log lines (where its events are).
    pub async fn transaction_logs(&mut self, signature: &str) -> Result<Vec<String>> {
        let sig: Signature =
            signature.parse().map_err(|_| anyhow!("`{signature}` is not a transaction signature (base58)"))?;
        let config = RpcTransactionConfig {
            encoding: None,
            commitment: Some(CommitmentConfig::confirmed()),
            max_supported_transaction_version: Some(0),
        };
        let tx = self
            .client
            .get_transaction_with_config(&sig, config)
            .await
            .map_err(|e| anyhow!("no confirmed transaction {signature} on {} ({e})", self.url))?;
        Ok(tx.transaction.meta.and_then(|m| Option::<Vec<String>>::from(m.log_messages)).unwrap_or_default())
    }

    pub async fn now(&mut self) -> Result<i64> {
        let slot = self.client.get_slot().await.map_err(|e| self.unreachable(e))?;
        let t = self.client.get_block_time(slot).await.map_err(|e| self.unreachable(e))?;
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::solana_program::program_pack::Pack;
    use base64::Engine as _;
    use oamm_sdk::bank::spl_token::state::{Account as TokenAccount, AccountState};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    type Calls = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

    /// A JSON-RPC node on localhost: each request's result is
    /// `answer(method, how many times that method was asked before, params)`;
    /// the requests, in order, are recorded as "method body".
    async fn node(
        answer: impl Fn(&str, usize, &serde_json::Value) -> serde_json::Value + Send + 'static,
    ) -> (String, Calls) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let calls: Calls = Default::default();
        let seen = calls.clone();
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                let mut request = Vec::new();
                let mut buf = [0u8; 8192];
                // headers, then as many body bytes as Content-Length says
                let body = loop {
                    let n = socket.read(&mut buf).await.unwrap();
                    request.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&request).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string())
                            })
                            .and_then(|v| v.parse::<usize>().ok())
                            .unwrap_or(0);
                        if request.len() >= end + 4 + length || n == 0 {
                            break text[end + 4..].to_string();
                        }
                    }
                };
                let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
                let method = parsed["method"].as_str().unwrap().to_string();
                let before = {
                    let mut c = seen.lock().unwrap();
                    let before = c.iter().filter(|m| m.starts_with(&method)).count();
                    c.push(format!("{method} {body}"));
                    before
                };
                let reply = serde_json::json!({ "jsonrpc": "2.0", "id": parsed["id"], "result": answer(&method, before, &parsed["params"]) })
                    .to_string();
                let http = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                    reply.len()
                );
                socket.write_all(http.as_bytes()).await.unwrap();
            }
        });
        (url, calls)
    }

    fn methods(calls: &Calls) -> Vec<String> {
        calls.lock().unwrap().iter().map(|c| c.split(' ').next().unwrap().to_string()).collect()
    }

    /// A node that confirms the transaction at the `confirm_at`-th status poll
    /// (never if None), at block height `height`.
    fn chain(confirm_at: Option<usize>, height: u64) -> impl Fn(&str, usize, &serde_json::Value) -> serde_json::Value {
        move |method, n, params| match method {
            "getLatestBlockhash" => serde_json::json!({
                "context": { "slot": 1 },
                "value": { "blockhash": solana_sdk::hash::Hash::new_from_array([3; 32]).to_string(), "lastValidBlockHeight": 150 }
            }),
            // the transaction's own signature: bytes 1..65 of the wire format
            // (a one-byte signature count, then the first signature)
            "sendTransaction" => serde_json::json!(sent_signature(params).to_string()),
            "getSignatureStatuses" => {
                let status = match confirm_at {
                    Some(at) if n + 1 >= at => serde_json::json!({
                        "slot": 9, "confirmations": null, "err": null, "status": { "Ok": null },
                        "confirmationStatus": "confirmed"
                    }),
                    _ => serde_json::Value::Null,
                };
                serde_json::json!({ "context": { "slot": 9 }, "value": [status] })
            }
            "getBlockHeight" => serde_json::json!(height),
            "getRecentPrioritizationFees" => serde_json::json!([]),
            other => panic!("unexpected RPC call {other}"),
        }
    }

    fn sent_signature(params: &serde_json::Value) -> Signature {
        let wire = base64::engine::general_purpose::STANDARD.decode(params[0].as_str().unwrap()).unwrap();
        Signature::try_from(&wire[1..65]).unwrap()
    }

    fn quick(url: String) -> Rpc {
        let mut rpc = Rpc::new(url, Keypair::new(), None, options_amm::ID);
        rpc.poll_interval = std::time::Duration::from_millis(5);
        rpc
    }

    fn memo() -> Instruction {
        Instruction { program_id: Pubkey::new_unique(), accounts: vec![], data: vec![1] }
    }

    #[tokio::test]
    async fn a_transaction_not_yet_confirmed_is_sent_again_until_it_is() {
        // confirmed at the 6th poll: after one resend (every 4 polls)
        let (url, calls) = node(chain(Some(6), 100)).await;
        let sig = quick(url).send(&[memo()], &[]).await.unwrap();
        let m = methods(&calls);
        assert_eq!(m.iter().filter(|x| *x == "sendTransaction").count(), 2, "{m:?}");
        assert_eq!(m.iter().filter(|x| *x == "getSignatureStatuses").count(), 6, "{m:?}");
        // the resend skips the preflight the first send ran
        let sends: Vec<String> =
            calls.lock().unwrap().iter().filter(|c| c.starts_with("sendTransaction")).cloned().collect();
        assert!(
            !sends[0].contains("\"skipPreflight\":true") && sends[1].contains("\"skipPreflight\":true"),
            "{sends:?}"
        );
        let first: serde_json::Value = serde_json::from_str(sends[0].split_once(' ').unwrap().1).unwrap();
        assert_eq!(sig, sent_signature(&first["params"]).to_string(), "the signature of the transaction sent");
    }

    /// The compute-unit price instruction of the first transaction sent, if any.
    fn price_sent(calls: &Calls) -> Option<u64> {
        let send = calls.lock().unwrap().iter().find(|c| c.starts_with("sendTransaction")).cloned()?;
        let body: serde_json::Value = serde_json::from_str(send.split_once(' ').unwrap().1).unwrap();
        let wire = base64::engine::general_purpose::STANDARD.decode(body["params"][0].as_str().unwrap()).unwrap();
        let tx: Transaction = bincode::deserialize(&wire).unwrap();
        let budget = solana_compute_budget_interface::id();
        tx.message.instructions.iter().find_map(|ix| {
            let program = tx.message.account_keys[ix.program_id_index as usize];
            // SetComputeUnitPrice: tag 3, then the price as u64 LE
            (program == budget && ix.data.first() == Some(&3))
                .then(|| u64::from_le_bytes(ix.data[1..9].try_into().unwrap()))
        })
    }

    #[tokio::test]
    async fn the_priority_fee_is_the_median_recent_fee_for_the_accounts_written_capped() {
        let fees = |paid: Vec<u64>| {
            let confirmed = chain(Some(1), 100);
            move |method: &str, n: usize, params: &serde_json::Value| match method {
                "getRecentPrioritizationFees" => serde_json::Value::Array(
                    paid.iter()
                        .enumerate()
                        .map(|(i, f)| serde_json::json!({ "slot": i, "prioritizationFee": f }))
                        .collect(),
                ),
                _ => confirmed(method, n, params),
            }
        };
        let written = Instruction {
            program_id: Pubkey::new_unique(),
            accounts: vec![solana_sdk::instruction::AccountMeta::new(Pubkey::new_unique(), false)],
            data: vec![1],
        };
        // auto: the median of what was paid (the zeros are blocks nobody bid in)
        let (url, calls) = node(fees(vec![0, 500, 1_500, 1_000, 0])).await;
        quick(url).send(std::slice::from_ref(&written), &[]).await.unwrap();
        assert_eq!(price_sent(&calls), Some(1_000));
        let asked =
            calls.lock().unwrap().iter().find(|c| c.starts_with("getRecentPrioritizationFees")).cloned().unwrap();
        assert!(asked.contains(&written.accounts[0].pubkey.to_string()), "asked for the written account: {asked}");
        // capped
        let (url, calls) = node(fees(vec![5_000_000])).await;
        quick(url).send(std::slice::from_ref(&written), &[]).await.unwrap();
        assert_eq!(price_sent(&calls), Some(DEFAULT_MAX_PRIORITY_FEE));
        // nobody paid: no price instruction
        let (url, calls) = node(fees(vec![0, 0])).await;
        quick(url).send(std::slice::from_ref(&written), &[]).await.unwrap();
        assert_eq!(price_sent(&calls), None);
        // fixed: no query, that price
        let (url, calls) = node(fees(vec![1])).await;
        let mut rpc = quick(url);
        rpc.priority_fee = PriorityFee::Fixed(7);
        rpc.send(&[written], &[]).await.unwrap();
        assert_eq!(price_sent(&calls), Some(7));
        assert!(!methods(&calls).iter().any(|m| m == "getRecentPrioritizationFees"));
        assert_eq!("auto".parse::<PriorityFee>(), Ok(PriorityFee::Auto { max: DEFAULT_MAX_PRIORITY_FEE }));
        assert!("cheap".parse::<PriorityFee>().unwrap_err().contains("micro-lamports"));
    }

    #[tokio::test]
    async fn events_of_a_malformed_signature_are_refused_before_asking_the_node() {
        let (url, calls) = node(|m, _, _| panic!("unexpected RPC call {m}")).await;
        let err = quick(url).transaction_logs("not-a-signature").await.unwrap_err().to_string();
        assert!(err.contains("is not a transaction signature"), "{err}");
        assert!(calls.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_transaction_that_landed_and_failed_reports_the_programs_error() {
        let confirmed = chain(Some(1), 100);
        let (url, _) = node(move |method, n, params| match method {
            "getSignatureStatuses" => serde_json::json!({ "context": { "slot": 9 }, "value": [{
                "slot": 9, "confirmations": null, "status": { "Err": { "InstructionError": [1, { "Custom": 6009 }] } },
                "err": { "InstructionError": [1, { "Custom": 6009 }] }, "confirmationStatus": "confirmed"
            }] }),
            _ => confirmed(method, n, params),
        })
        .await;
        let err = quick(url).send(&[memo()], &[]).await.unwrap_err();
        let refused = err.downcast_ref::<crate::errors::TxRefused>().expect("the program's refusal, explained");
        assert_eq!(refused.code, Some(6009), "{err}");
    }

    #[tokio::test]
    async fn a_transaction_whose_blockhash_expired_unconfirmed_is_reported_as_not_landed() {
        let (url, calls) = node(chain(None, 151)).await;
        let err = quick(url).send(&[memo()], &[]).await.unwrap_err().to_string();
        assert!(err.contains("blockhash expired") && err.contains("send it again"), "{err}");
        // one send, one round of polls, the height check; no resend past expiry
        let m = methods(&calls);
        assert_eq!(m.iter().filter(|x| *x == "sendTransaction").count(), 1, "{m:?}");
        assert_eq!(m.last().map(String::as_str), Some("getBlockHeight"), "{m:?}");
    }

    #[tokio::test]
    async fn token_accounts_ask_for_the_owners_accounts_not_every_token_account() {
        let owner = Pubkey::new_unique();
        let (key, mint) = (Pubkey::new_unique(), Pubkey::new_unique());
        let account =
            TokenAccount { mint, owner, amount: 1_234_567, state: AccountState::Initialized, ..Default::default() };
        let mut data = vec![0u8; TokenAccount::LEN];
        account.pack_into_slice(&mut data);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&data);
        let value = serde_json::json!({ "context": { "slot": 7 }, "value": [{
            "pubkey": key.to_string(),
            "account": { "lamports": 2_039_280, "owner": anchor_spl::token::ID.to_string(), "executable": false,
                         "rentEpoch": 0, "space": 165, "data": [b64, "base64"] }
        }] });
        let (url, calls) = node(move |_, _, _| value.clone()).await;
        let mut rpc = Rpc::new(url, Keypair::new(), None, options_amm::ID);
        let accounts = rpc.token_accounts(&owner).await.unwrap();
        let request = calls.lock().unwrap().join("\n");
        assert!(request.starts_with("getTokenAccountsByOwner "), "{request}");
        assert!(!request.contains("getProgramAccounts"), "{request}");
        assert!(request.contains(&owner.to_string()) && request.contains("base64"), "{request}");
        assert_eq!(accounts.len(), 1);
        assert_eq!((accounts[0].0, accounts[0].1.mint, accounts[0].1.amount), (key, mint, 1_234_567));
    }
}
