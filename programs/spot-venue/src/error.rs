//! Errors a caller can act on. Codes are 6000 + the variant's position: keep
//! the order stable (clients and the options program match on the numbers),
//! append new variants at the end.
use anchor_lang::prelude::*;

#[error_code]
pub enum VenueError {
    /// 6000
    #[msg("Amount is zero: pass a positive amount (token base units)")]
    ZeroAmount,
    /// 6001
    #[msg("Slippage bound exceeded: the pool price moved; re-quote and retry, or widen minimum_amount_out / maximum_amount_in / min_*_out")]
    SlippageExceeded,
    /// 6002
    #[msg("Amount too large: the result does not fit in 64 bits; trade a smaller amount")]
    MathOverflow,
    /// 6003
    #[msg("Fee too high: fee_bps must be at most 1000 (10%)")]
    FeeTooHigh,
    /// 6004
    #[msg("Base and quote mints are the same: a pool needs two different mints")]
    IdenticalMints,
    /// 6005
    #[msg("Pool has no liquidity: add liquidity before swapping")]
    EmptyPool,
    /// 6006
    #[msg("Swap output rounds to zero: the input is too small to buy one unit after the fee; send a larger amount_in")]
    OutputRoundsToZero,
    /// 6007
    #[msg("Requested output is not below the pool's reserve: ask for less than reserve_out")]
    InsufficientReserve,
    /// 6008
    #[msg("user_source holds a mint this pool does not trade: pass a token account of the pool's base or quote mint")]
    SourceMintNotInPool,
    /// 6009
    #[msg("user_destination must hold the pool's other mint (quote when paying base, base when paying quote)")]
    DestinationMintMismatch,
    /// 6010
    #[msg("vault_source must be this pool's vault for the mint you pay in (venue_pool.base_vault or quote_vault)")]
    WrongVaultSource,
    /// 6011
    #[msg(
        "vault_destination must be this pool's vault for the mint you receive (venue_pool.base_vault or quote_vault)"
    )]
    WrongVaultDestination,
    /// 6012
    #[msg("First deposit too small: sqrt(amount_base * amount_quote) must exceed the 1000 locked LP units")]
    InitialLiquidityTooSmall,
    /// 6013
    #[msg("Deposit too small to mint one LP unit at the current reserves: deposit more")]
    DepositTooSmall,
    /// 6014
    #[msg("Withdrawal too small: burning this many LP units pays out nothing; burn more")]
    WithdrawalTooSmall,
    /// 6015
    #[msg("Token balance too low for this amount: fund the account or lower the amount")]
    InsufficientBalance,
}
