//! Harness for the spot venue: its native entry shim, SPL Token set-up
//! helpers, PDA derivations and instruction builders that return Anchor's
//! client account structs, so a test can swap in a wrong account before
//! sending.
use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::solana_program::system_instruction;
use anchor_lang::{AccountDeserialize, InstructionData, ToAccountMetas};
use anchor_spl::token::spl_token;
use solana_program_test::ProgramTestContext;
use solana_sdk::instruction::InstructionError;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer as _;
#[allow(deprecated)]
use solana_sdk::transaction::{Transaction, TransactionError};
use spot_venue::state::VenuePool;

/// Every address of one venue pool, derived from its mint pair (the SDK's).
pub use oamm_sdk::pda::VenueKeys;

// ---------------------------------------------------------------- sending

/// Sends `ixs` paid by the context's payer, also signed by `signers`, and
/// returns the transaction's own error (not the transport's).
pub async fn send(
    ctx: &mut ProgramTestContext,
    ixs: &[Instruction],
    signers: &[&Keypair],
) -> std::result::Result<(), TransactionError> {
    let blockhash = ctx.banks_client.get_latest_blockhash().await.expect("latest blockhash");
    let mut all: Vec<&Keypair> = vec![&ctx.payer];
    all.extend_from_slice(signers);
    let tx = Transaction::new_signed_with_payer(ixs, Some(&ctx.payer.pubkey()), &all, blockhash);
    let outcome = ctx.banks_client.process_transaction_with_metadata(tx).await.expect("bank reachable");
    outcome.result
}

/// Sends and requires success, printing the error if not.
pub async fn send_ok(ctx: &mut ProgramTestContext, ixs: &[Instruction], signers: &[&Keypair]) {
    if let Err(e) = send(ctx, ixs, signers).await {
        panic!("transaction failed: {e:?}");
    }
}

/// The custom error code a failed single-program transaction returned at
/// instruction `index`; panics (so the test fails) on success or on any
/// other kind of error.
pub fn custom_error(result: std::result::Result<(), TransactionError>, index: u8) -> u32 {
    match result {
        Ok(()) => panic!("transaction succeeded but was expected to fail"),
        Err(TransactionError::InstructionError(i, InstructionError::Custom(code))) => {
            assert_eq!(i, index, "failed at instruction {i}, expected {index}");
            code
        }
        Err(other) => panic!("expected a custom program error, got {other:?}"),
    }
}

/// The instruction error of a failed transaction at instruction `index`,
/// for failures that are not a program's custom code; panics on success.
pub fn instruction_error(result: std::result::Result<(), TransactionError>, index: u8) -> InstructionError {
    match result {
        Ok(()) => panic!("transaction succeeded but was expected to fail"),
        Err(TransactionError::InstructionError(i, e)) => {
            assert_eq!(i, index, "failed at instruction {i}, expected {index}");
            e
        }
        Err(other) => panic!("expected an instruction error, got {other:?}"),
    }
}

/// Code of one of the venue's own errors (6000 + index).
pub fn venue_code(e: spot_venue::error::VenueError) -> u32 {
    anchor_lang::error::ERROR_CODE_OFFSET + e as u32
}

/// Code of one of Anchor's framework errors (constraints, accounts).
pub fn anchor_code(e: anchor_lang::error::ErrorCode) -> u32 {
    e as u32
}

// ------------------------------------------------------------ SPL Token

/// A classic SPL Token mint with the payer as mint authority.
pub async fn create_mint(ctx: &mut ProgramTestContext, decimals: u8) -> Pubkey {
    let mint = Keypair::new();
    let rent = ctx.banks_client.get_rent().await.expect("rent");
    let payer = ctx.payer.pubkey();
    let ixs = [
        system_instruction::create_account(
            &payer,
            &mint.pubkey(),
            rent.minimum_balance(spl_token::state::Mint::LEN),
            spl_token::state::Mint::LEN as u64,
            &spl_token::ID,
        ),
        spl_token::instruction::initialize_mint2(&spl_token::ID, &mint.pubkey(), &payer, None, decimals)
            .expect("initialize_mint2"),
    ];
    send_ok(ctx, &ixs, &[&mint]).await;
    mint.pubkey()
}

/// A fresh (non-associated) token account of `mint` owned by `owner`.
pub async fn create_token_account(ctx: &mut ProgramTestContext, mint: &Pubkey, owner: &Pubkey) -> Pubkey {
    let account = Keypair::new();
    let rent = ctx.banks_client.get_rent().await.expect("rent");
    let ixs = [
        system_instruction::create_account(
            &ctx.payer.pubkey(),
            &account.pubkey(),
            rent.minimum_balance(spl_token::state::Account::LEN),
            spl_token::state::Account::LEN as u64,
            &spl_token::ID,
        ),
        spl_token::instruction::initialize_account3(&spl_token::ID, &account.pubkey(), mint, owner)
            .expect("initialize_account3"),
    ];
    send_ok(ctx, &ixs, &[&account]).await;
    account.pubkey()
}

/// Mints `amount` base units of a mint created by `create_mint`.
pub async fn mint_to(ctx: &mut ProgramTestContext, mint: &Pubkey, to: &Pubkey, amount: u64) {
    let ix =
        spl_token::instruction::mint_to(&spl_token::ID, mint, to, &ctx.payer.pubkey(), &[], amount).expect("mint_to");
    send_ok(ctx, &[ix], &[]).await;
}

/// Plain SPL transfer signed by `owner` (used to donate straight to a vault).
pub async fn transfer(ctx: &mut ProgramTestContext, from: &Pubkey, to: &Pubkey, owner: &Keypair, amount: u64) {
    #[allow(deprecated)]
    let ix =
        spl_token::instruction::transfer(&spl_token::ID, from, to, &owner.pubkey(), &[], amount).expect("transfer");
    send_ok(ctx, &[ix], &[owner]).await;
}

pub async fn token_balance(ctx: &mut ProgramTestContext, account: &Pubkey) -> u64 {
    let acc = ctx.banks_client.get_account(*account).await.expect("bank reachable").expect("token account exists");
    spl_token::state::Account::unpack(&acc.data).expect("token account").amount
}

pub async fn token_account(ctx: &mut ProgramTestContext, account: &Pubkey) -> spl_token::state::Account {
    let acc = ctx.banks_client.get_account(*account).await.expect("bank reachable").expect("token account exists");
    spl_token::state::Account::unpack(&acc.data).expect("token account")
}

pub async fn mint_state(ctx: &mut ProgramTestContext, mint: &Pubkey) -> spl_token::state::Mint {
    let acc = ctx.banks_client.get_account(*mint).await.expect("bank reachable").expect("mint exists");
    spl_token::state::Mint::unpack(&acc.data).expect("mint")
}

pub async fn venue_pool(ctx: &mut ProgramTestContext, pool: &Pubkey) -> VenuePool {
    let acc = ctx.banks_client.get_account(*pool).await.expect("bank reachable").expect("venue pool exists");
    VenuePool::try_deserialize(&mut acc.data.as_slice()).expect("venue pool")
}

// ------------------------------------------------------ instructions

fn instruction(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction { program_id: spot_venue::ID, accounts: accounts.to_account_metas(None), data: data.data() }
}

pub fn create_pool_accounts(payer: &Pubkey, keys: &VenueKeys) -> spot_venue::accounts::CreatePool {
    spot_venue::accounts::CreatePool {
        payer: *payer,
        base_mint: keys.base_mint,
        quote_mint: keys.quote_mint,
        venue_pool: keys.venue_pool,
        base_vault: keys.base_vault,
        quote_vault: keys.quote_vault,
        lp_mint: keys.lp_mint,
        system_program: anchor_lang::system_program::ID,
        token_program: spl_token::ID,
    }
}

pub fn create_pool_ix(accounts: spot_venue::accounts::CreatePool, fee_bps: u16) -> Instruction {
    instruction(accounts, spot_venue::instruction::CreatePool { fee_bps })
}

pub fn add_liquidity_accounts(
    keys: &VenueKeys,
    provider: &Pubkey,
    provider_base: &Pubkey,
    provider_quote: &Pubkey,
    provider_lp: &Pubkey,
) -> spot_venue::accounts::AddLiquidity {
    spot_venue::accounts::AddLiquidity {
        venue_pool: keys.venue_pool,
        base_vault: keys.base_vault,
        quote_vault: keys.quote_vault,
        lp_mint: keys.lp_mint,
        provider: *provider,
        provider_base: *provider_base,
        provider_quote: *provider_quote,
        provider_lp: *provider_lp,
        token_program: spl_token::ID,
    }
}

pub fn add_liquidity_ix(
    accounts: spot_venue::accounts::AddLiquidity,
    max_amount_base: u64,
    max_amount_quote: u64,
    min_lp_out: u64,
) -> Instruction {
    instruction(accounts, spot_venue::instruction::AddLiquidity { max_amount_base, max_amount_quote, min_lp_out })
}

pub fn remove_liquidity_accounts(
    keys: &VenueKeys,
    provider: &Pubkey,
    provider_lp: &Pubkey,
    provider_base: &Pubkey,
    provider_quote: &Pubkey,
) -> spot_venue::accounts::RemoveLiquidity {
    spot_venue::accounts::RemoveLiquidity {
        venue_pool: keys.venue_pool,
        base_vault: keys.base_vault,
        quote_vault: keys.quote_vault,
        lp_mint: keys.lp_mint,
        provider: *provider,
        provider_lp: *provider_lp,
        provider_base: *provider_base,
        provider_quote: *provider_quote,
        token_program: spl_token::ID,
    }
}

pub fn remove_liquidity_ix(
    accounts: spot_venue::accounts::RemoveLiquidity,
    lp_amount: u64,
    min_base_out: u64,
    min_quote_out: u64,
) -> Instruction {
    instruction(accounts, spot_venue::instruction::RemoveLiquidity { lp_amount, min_base_out, min_quote_out })
}

/// Swap accounts for a trader paying from `user_source`; `pay_base` picks
/// the vault order (true: base in, quote out).
pub fn swap_accounts(
    keys: &VenueKeys,
    user_authority: &Pubkey,
    user_source: &Pubkey,
    user_destination: &Pubkey,
    pay_base: bool,
) -> spot_venue::accounts::Swap {
    let (vault_source, vault_destination) =
        if pay_base { (keys.base_vault, keys.quote_vault) } else { (keys.quote_vault, keys.base_vault) };
    spot_venue::accounts::Swap {
        venue_pool: keys.venue_pool,
        user_authority: *user_authority,
        user_source: *user_source,
        user_destination: *user_destination,
        vault_source,
        vault_destination,
        token_program: spl_token::ID,
    }
}

pub fn swap_ix(accounts: spot_venue::accounts::Swap, amount_in: u64, minimum_amount_out: u64) -> Instruction {
    instruction(accounts, spot_venue::instruction::Swap { amount_in, minimum_amount_out })
}

pub fn swap_exact_out_ix(accounts: spot_venue::accounts::Swap, amount_out: u64, maximum_amount_in: u64) -> Instruction {
    instruction(accounts, spot_venue::instruction::SwapExactOut { amount_out, maximum_amount_in })
}

// ------------------------------------------------------ composite set-ups

/// Creates two mints and a venue pool on them; returns its keys.
pub async fn create_venue(
    ctx: &mut ProgramTestContext,
    base_decimals: u8,
    quote_decimals: u8,
    fee_bps: u16,
) -> VenueKeys {
    let base_mint = create_mint(ctx, base_decimals).await;
    let quote_mint = create_mint(ctx, quote_decimals).await;
    create_venue_for(ctx, base_mint, quote_mint, fee_bps).await
}

/// Creates a venue pool on existing mints; returns its keys.
pub async fn create_venue_for(
    ctx: &mut ProgramTestContext,
    base_mint: Pubkey,
    quote_mint: Pubkey,
    fee_bps: u16,
) -> VenueKeys {
    let keys = VenueKeys::derive(base_mint, quote_mint);
    let ix = create_pool_ix(create_pool_accounts(&ctx.payer.pubkey(), &keys), fee_bps);
    send_ok(ctx, &[ix], &[]).await;
    keys
}

/// A wallet holding a base, a quote and an LP token account of a venue.
pub struct Trader {
    pub wallet: Keypair,
    pub base: Pubkey,
    pub quote: Pubkey,
    pub lp: Pubkey,
}

/// Creates a wallet with token accounts for the venue's three mints and
/// funds it with `base` and `quote` base units.
pub async fn fund_trader(ctx: &mut ProgramTestContext, keys: &VenueKeys, base: u64, quote: u64) -> Trader {
    let wallet = Keypair::new();
    let owner = wallet.pubkey();
    let base_account = create_token_account(ctx, &keys.base_mint, &owner).await;
    let quote_account = create_token_account(ctx, &keys.quote_mint, &owner).await;
    let lp_account = create_token_account(ctx, &keys.lp_mint, &owner).await;
    if base > 0 {
        mint_to(ctx, &keys.base_mint, &base_account, base).await;
    }
    if quote > 0 {
        mint_to(ctx, &keys.quote_mint, &quote_account, quote).await;
    }
    Trader { wallet, base: base_account, quote: quote_account, lp: lp_account }
}

/// Deposits as `provider` (must hold the amounts), requiring success.
pub async fn add_liquidity(
    ctx: &mut ProgramTestContext,
    keys: &VenueKeys,
    provider: &Trader,
    max_amount_base: u64,
    max_amount_quote: u64,
) {
    let accounts =
        add_liquidity_accounts(keys, &provider.wallet.pubkey(), &provider.base, &provider.quote, &provider.lp);
    let ix = add_liquidity_ix(accounts, max_amount_base, max_amount_quote, 0);
    send_ok(ctx, &[ix], &[&provider.wallet]).await;
}

/// A venue pool seeded with `reserve_base` / `reserve_quote` by a fresh
/// provider, which is returned with it.
pub async fn seeded_venue(
    ctx: &mut ProgramTestContext,
    fee_bps: u16,
    reserve_base: u64,
    reserve_quote: u64,
) -> (VenueKeys, Trader) {
    let keys = create_venue(ctx, 9, 6, fee_bps).await;
    let provider = fund_trader(ctx, &keys, reserve_base, reserve_quote).await;
    add_liquidity(ctx, &keys, &provider, reserve_base, reserve_quote).await;
    (keys, provider)
}
