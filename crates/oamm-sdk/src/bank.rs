//! An in-process bank: solana-program-test with the options program and the
//! spot venue executed natively (the same code that is deployed), SPL Token
//! as its real BPF program, and Pyth price accounts the caller writes.
//!
//! Time is the caller's: every transaction runs in a fresh slot whose Clock
//! carries `now()`, so identical transactions never collide and tests can
//! move time to the second.
use crate::pyth::{price_update_account, PriceObservation};
use anchor_lang::prelude::{AccountDeserialize, AccountInfo, Clock, Pubkey};
use anchor_lang::solana_program::entrypoint::ProgramResult;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::solana_program::system_instruction;
use options_amm::state::GreekCache;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_program_test::{processor, BanksClientError, ProgramTest, ProgramTestContext};
use solana_sdk::account::{Account, AccountSharedData};
use solana_sdk::instruction::InstructionError;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{Transaction, TransactionError};

// Anchor 1.x's generated `entry` wants one lifetime for all three arguments;
// the runtime keeps all three alive for the whole call.
fn options_amm_entry(id: &Pubkey, accs: &[AccountInfo], data: &[u8]) -> ProgramResult {
    unsafe {
        options_amm::entry(
            std::mem::transmute::<&Pubkey, &Pubkey>(id),
            std::mem::transmute::<&[AccountInfo], &[AccountInfo]>(accs),
            std::mem::transmute::<&[u8], &[u8]>(data),
        )
    }
}

fn spot_venue_entry(id: &Pubkey, accs: &[AccountInfo], data: &[u8]) -> ProgramResult {
    unsafe {
        spot_venue::entry(
            std::mem::transmute::<&Pubkey, &Pubkey>(id),
            std::mem::transmute::<&[AccountInfo], &[AccountInfo]>(accs),
            std::mem::transmute::<&[u8], &[u8]>(data),
        )
    }
}

/// Both programs registered to run natively.
pub fn program_test() -> ProgramTest {
    // solana-program-test logs every instruction at debug level unless told
    // otherwise; a user who wants that sets RUST_LOG themselves
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let mut pt = ProgramTest::new("options_amm", options_amm::ID, processor!(options_amm_entry));
    pt.add_program("spot_venue", spot_venue::ID, processor!(spot_venue_entry));
    pt
}

/// Why a transaction failed: the runtime error, the custom program error
/// code if there is one (Anchor: 6000 + variant index), and the logs.
#[derive(Debug, thiserror::Error)]
#[error("transaction failed: {err:?} (custom code {code:?})")]
pub struct TxFailure {
    pub err: TransactionError,
    pub code: Option<u32>,
    pub logs: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum BankError {
    #[error(transparent)]
    Failed(#[from] TxFailure),
    #[error("bank client: {0}")]
    Client(#[from] BanksClientError),
    #[error("account {0} does not exist")]
    MissingAccount(Pubkey),
    #[error("account {0} cannot be decoded: {1}")]
    Decode(Pubkey, String),
    #[error("cannot sign the transaction: {0}")]
    Signing(String),
}

impl BankError {
    /// The custom program error code, if the transaction failed with one.
    pub fn code(&self) -> Option<u32> {
        match self {
            BankError::Failed(f) => f.code,
            _ => None,
        }
    }

    pub fn logs(&self) -> &[String] {
        match self {
            BankError::Failed(f) => &f.logs,
            _ => &[],
        }
    }
}

pub type BankResult<T> = Result<T, BankError>;

/// A transaction signed by the payer and whichever of `signers` the
/// message needs (extra keypairs are ignored rather than a panic in
/// `Transaction::sign`); a missing signature is an error, not a panic.
pub fn signed(
    ixs: &[Instruction],
    payer: &Keypair,
    signers: &[&Keypair],
    blockhash: solana_sdk::hash::Hash,
) -> BankResult<Transaction> {
    let mut tx = Transaction::new_with_payer(ixs, Some(&payer.pubkey()));
    let required = &tx.message.account_keys[..tx.message.header.num_required_signatures as usize];
    let mut keys: Vec<&Keypair> = vec![payer];
    keys.extend(signers.iter().copied().filter(|k| k.pubkey() != payer.pubkey() && required.contains(&k.pubkey())));
    tx.try_sign(&keys, blockhash).map_err(|e| BankError::Signing(e.to_string()))?;
    Ok(tx)
}

/// What the runtime reported for the last transaction `Bank::process` sent.
#[derive(Clone, Debug, Default)]
pub struct TxRecord {
    /// Compute units the whole transaction consumed (real metering when the
    /// programs run as SBF, i.e. with `SBF_OUT_DIR` set; near zero natively).
    pub compute_units: u64,
    /// The program logs, as a cluster's transaction metadata carries them.
    pub logs: Vec<String>,
}

pub struct Bank {
    pub ctx: ProgramTestContext,
    now: i64,
    slot: u64,
    /// Every transaction starts with a compute-budget instruction, as a
    /// client's do: asking for this many units, or when None for what
    /// `budget::limit_for` asks (the runtime's default without one is
    /// 200,000 per instruction, less than a buy needs on the SBF build at 8
    /// live series). Errors report instruction indexes of the caller's
    /// instructions, as if the budget instruction were not there.
    pub compute_unit_limit: Option<u32>,
    pub last: TxRecord,
    /// With `keep_history`, every transaction's record in order.
    pub keep_history: bool,
    pub history: Vec<TxRecord>,
}

impl Bank {
    /// Start a bank whose clock reads `now`.
    pub async fn start(now: i64) -> Bank {
        let ctx = program_test().start_with_context().await;
        let slot = ctx.banks_client.get_root_slot().await.expect("root slot");
        Bank {
            ctx,
            now,
            slot,
            compute_unit_limit: None,
            last: TxRecord::default(),
            keep_history: false,
            history: Vec::new(),
        }
    }

    pub fn payer(&self) -> &Keypair {
        &self.ctx.payer
    }

    pub fn now(&self) -> i64 {
        self.now
    }

    /// Move the clock (forward or back) for the next transactions.
    pub fn set_time(&mut self, unix_timestamp: i64) {
        self.now = unix_timestamp;
    }

    pub fn advance(&mut self, seconds: i64) {
        self.now += seconds;
    }

    /// A fresh slot with our clock: unique blockhash per transaction.
    async fn next_slot(&mut self) -> BankResult<()> {
        self.slot += 1;
        self.ctx.warp_to_slot(self.slot).expect("warp forward");
        let mut clock: Clock = self.ctx.banks_client.get_sysvar().await?;
        clock.unix_timestamp = self.now;
        self.ctx.set_sysvar(&clock);
        Ok(())
    }

    /// Run one transaction (payer = the bank's payer, plus `signers`).
    pub async fn process(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> BankResult<()> {
        self.next_slot().await?;
        // a caller that brings its own compute-budget instruction keeps it
        // (two would be refused as duplicates)
        let add_budget = !ixs.iter().any(|ix| solana_compute_budget_interface::check_id(&ix.program_id));
        let limit = self.compute_unit_limit.unwrap_or_else(|| crate::budget::limit_for(ixs));
        let budget = add_budget.then(|| ComputeBudgetInstruction::set_compute_unit_limit(limit));
        let all: Vec<Instruction> = budget.into_iter().chain(ixs.iter().cloned()).collect();
        let tx = signed(&all, &self.ctx.payer, signers, self.ctx.last_blockhash)?;
        let out = self.ctx.banks_client.process_transaction_with_metadata(tx).await?;
        let (compute_units, logs) =
            out.metadata.map(|m| (m.compute_units_consumed, m.log_messages)).unwrap_or_default();
        self.last = TxRecord { compute_units, logs: logs.clone() };
        if self.keep_history {
            self.history.push(self.last.clone());
        }
        match out.result {
            Ok(()) => Ok(()),
            Err(err) => {
                // the caller's instruction i is the transaction's i + 1
                let err = match err {
                    TransactionError::InstructionError(i, e) if add_budget && i > 0 => {
                        TransactionError::InstructionError(i - 1, e)
                    }
                    other => other,
                };
                let code = match &err {
                    TransactionError::InstructionError(_, InstructionError::Custom(c)) => Some(*c),
                    _ => None,
                };
                Err(TxFailure { err, code, logs }.into())
            }
        }
    }

    pub fn set_account(&mut self, key: &Pubkey, account: Account) {
        self.ctx.set_account(key, &AccountSharedData::from(account));
    }

    /// Write (or overwrite) a Pyth price account.
    pub fn set_price(&mut self, key: &Pubkey, o: &PriceObservation) {
        self.set_account(key, price_update_account(o));
    }

    pub async fn account(&mut self, key: &Pubkey) -> BankResult<Option<Account>> {
        Ok(self.ctx.banks_client.get_account(*key).await?)
    }

    /// Decode an Anchor account.
    pub async fn anchor<T: AccountDeserialize>(&mut self, key: &Pubkey) -> BankResult<T> {
        let acc = self.account(key).await?.ok_or(BankError::MissingAccount(*key))?;
        T::try_deserialize(&mut acc.data.as_slice()).map_err(|e| BankError::Decode(*key, e.to_string()))
    }

    /// Decode the zero-copy greek cache.
    pub async fn greek_cache(&mut self, key: &Pubkey) -> BankResult<Box<GreekCache>> {
        let acc = self.account(key).await?.ok_or(BankError::MissingAccount(*key))?;
        let body = acc
            .data
            .get(8..8 + core::mem::size_of::<GreekCache>())
            .ok_or_else(|| BankError::Decode(*key, "short".into()))?;
        Ok(Box::new(bytemuck::pod_read_unaligned(body)))
    }

    pub async fn token_balance(&mut self, account: &Pubkey) -> BankResult<u64> {
        let acc = self.account(account).await?.ok_or(BankError::MissingAccount(*account))?;
        let t = spl_token::state::Account::unpack(&acc.data).map_err(|e| BankError::Decode(*account, e.to_string()))?;
        Ok(t.amount)
    }

    pub async fn mint_supply(&mut self, mint: &Pubkey) -> BankResult<u64> {
        let acc = self.account(mint).await?.ok_or(BankError::MissingAccount(*mint))?;
        let m = spl_token::state::Mint::unpack(&acc.data).map_err(|e| BankError::Decode(*mint, e.to_string()))?;
        Ok(m.supply)
    }

    pub async fn lamports(&mut self, key: &Pubkey) -> BankResult<u64> {
        Ok(self.account(key).await?.map(|a| a.lamports).unwrap_or(0))
    }

    /// A new keypair funded with `sol` SOL for fees and rent.
    pub async fn funded_keypair(&mut self, sol: u64) -> BankResult<Keypair> {
        let k = Keypair::new();
        let ix = system_instruction::transfer(&self.ctx.payer.pubkey(), &k.pubkey(), sol * 1_000_000_000);
        self.process(&[ix], &[]).await?;
        Ok(k)
    }

    /// A new SPL mint with `authority` as mint authority.
    pub async fn create_mint(&mut self, authority: &Pubkey, decimals: u8) -> BankResult<Pubkey> {
        let mint = Keypair::new();
        let rent = self.ctx.banks_client.get_rent().await?;
        let ixs = [
            system_instruction::create_account(
                &self.ctx.payer.pubkey(),
                &mint.pubkey(),
                rent.minimum_balance(spl_token::state::Mint::LEN),
                spl_token::state::Mint::LEN as u64,
                &spl_token::ID,
            ),
            spl_token::instruction::initialize_mint2(&spl_token::ID, &mint.pubkey(), authority, None, decimals)
                .expect("initialize_mint2"),
        ];
        self.process(&ixs, &[&mint]).await?;
        Ok(mint.pubkey())
    }

    /// A new SPL token account of `mint` owned by `owner`.
    pub async fn create_token_account(&mut self, mint: &Pubkey, owner: &Pubkey) -> BankResult<Pubkey> {
        let account = Keypair::new();
        let rent = self.ctx.banks_client.get_rent().await?;
        let ixs = [
            system_instruction::create_account(
                &self.ctx.payer.pubkey(),
                &account.pubkey(),
                rent.minimum_balance(spl_token::state::Account::LEN),
                spl_token::state::Account::LEN as u64,
                &spl_token::ID,
            ),
            spl_token::instruction::initialize_account3(&spl_token::ID, &account.pubkey(), mint, owner)
                .expect("initialize_account3"),
        ];
        self.process(&ixs, &[&account]).await?;
        Ok(account.pubkey())
    }

    pub async fn mint_to(&mut self, mint: &Pubkey, authority: &Keypair, to: &Pubkey, amount: u64) -> BankResult<()> {
        let ix = spl_token::instruction::mint_to(&spl_token::ID, mint, to, &authority.pubkey(), &[], amount)
            .expect("mint_to");
        self.process(&[ix], &[authority]).await
    }

    pub async fn transfer_tokens(
        &mut self,
        from: &Pubkey,
        to: &Pubkey,
        owner: &Keypair,
        amount: u64,
    ) -> BankResult<()> {
        let ix =
            spl_token::instruction::transfer(&spl_token::ID, from, to, &owner.pubkey(), &[], amount).expect("transfer");
        self.process(&[ix], &[owner]).await
    }
}

/// SPL Token's interface crate, as anchor-spl re-exports it.
pub use anchor_spl::token::spl_token;
