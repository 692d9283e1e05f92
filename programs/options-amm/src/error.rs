//! Every way an instruction can refuse, with a message that says what to do.
//! Codes are 6000 + the variant's index: append new variants at the end so
//! clients' code tables stay valid.
use anchor_lang::prelude::*;
use options_math::MathError;

#[error_code]
pub enum OptionsError {
    // --- authority and configuration (6000..)
    #[msg("Only the pool admin may do this: sign with the admin key")]
    Unauthorized,
    #[msg("Oracle parameters invalid: max price age 1..=3600 s, max confidence 1..=1000 bps, settlement window 1..=86400 s")]
    InvalidOracleParams,
    #[msg("Volatility parameters invalid: need 0 < min <= initial <= max for base IV (<= 1000%) and skew, standard size > 0, rate <= 100%")]
    InvalidVolParams,
    #[msg("Fee parameters invalid: the vega fee coefficient must fit the fixed-point format at the quote's decimals")]
    InvalidFeeParams,
    #[msg("Risk parameters invalid: min delta < 5000 bps, max move 1..=9000 bps, reserve < 10000 bps, caps > 0, live series 1..=32, stress sigmas <= 60000 bps, vol shock <= 10000 bps")]
    InvalidRiskParams,
    #[msg("Hedge parameters invalid: band > 0, WW cost 1..=1000 bps and risk aversion > 0, slippage > 0, reward fixed <= cap, cooldown >= the oracle's max price age")]
    InvalidHedgeParams,
    #[msg("Mint decimals above 18 are not supported")]
    UnsupportedDecimals,
    #[msg("Underlying and quote mints must differ")]
    SameMint,

    // --- pause (6008..)
    #[msg("Trading is paused on this pool: try again when the admin unpauses it")]
    TradingPaused,
    #[msg("Deposits and withdrawals are paused on this pool")]
    LpPaused,
    #[msg("Rebalancing is paused on this pool")]
    RebalancePaused,

    // --- accounts (6011..)
    #[msg("Wrong quote vault for this pool")]
    WrongQuoteVault,
    #[msg("Wrong hedge (underlying) vault for this pool")]
    WrongHedgeVault,
    #[msg("Wrong LP mint for this pool")]
    WrongLpMint,
    #[msg("Wrong greek cache for this pool")]
    WrongGreekCache,
    #[msg("This series belongs to another pool")]
    WrongPool,
    #[msg("Wrong option mint for this series")]
    WrongOptionMint,
    #[msg("Token account has the wrong mint for this instruction")]
    WrongTokenMint,
    #[msg("Token account is not owned by the signer")]
    WrongTokenOwner,
    #[msg("The greek cache does not hold this series at its recorded slot")]
    CacheEntryMismatch,

    // --- oracle (6020..)
    #[msg("Price update is for another Pyth feed than this pool's")]
    OracleFeedMismatch,
    #[msg("Price update is not fully verified by Wormhole guardians: post a fully verified update")]
    OracleNotFullyVerified,
    #[msg("Price update is older than the pool's max price age: post a fresh Pyth update")]
    OracleStale,
    #[msg("Price confidence interval is wider than the pool allows: wait for a calmer market")]
    OracleConfidenceTooWide,
    #[msg("Oracle price is zero or negative")]
    OracleNonPositivePrice,
    #[msg("Oracle price exponent is outside the supported range (-18..=18)")]
    OracleExponentOutOfRange,

    // --- series (6026..)
    #[msg("Expiry must be in the future and after the trading cut-off")]
    ExpiryTooSoon,
    #[msg("Strike must be greater than zero")]
    InvalidStrike,
    #[msg("Greek cache is full: settle expired series first")]
    GreekCacheFull,
    #[msg("Too many distinct live expiries: settle an expiry first")]
    TooManyExpiries,
    #[msg("The pool's live-series cap is reached: settle or raise max_live_series")]
    TooManyLiveSeries,
    #[msg("Series is not live (settled or closed)")]
    SeriesNotLive,

    // --- trading (6032..)
    #[msg("Amount must be greater than zero")]
    ZeroAmount,
    #[msg("Amount is too large for the pool's fixed-point maths")]
    AmountTooLarge,
    #[msg("Trading on this series has stopped: it is past the cut-off before expiry")]
    PastTradingCutoff,
    #[msg("Opening trades are refused for this strike: its delta is outside the pool's band")]
    DeltaOutOfBand,
    #[msg("Open interest cap for this series would be exceeded: trade fewer contracts")]
    OpenInterestCapExceeded,
    #[msg("Trade refused: the pool could not pay its options in a stress scenario afterwards")]
    SolvencyCheckFailed,
    #[msg("Trade refused: it would leave more unhedgeable (net short put) delta than the pool allows")]
    UnhedgedDeltaCapExceeded,
    #[msg("Price moved past your bound: re-quote and retry, or widen your slippage")]
    SlippageExceeded,
    #[msg("You cannot sell more contracts than the pool has written on this series")]
    SellExceedsOpenInterest,
    #[msg("Pricing failed for these inputs")]
    PricingFailed,
    #[msg("Pool NAV is not positive: deposits, withdrawals and trades are stopped until it recovers")]
    PoolInsolvent,

    // --- LP (6043..)
    #[msg("Withdrawal too large: the pool must stay solvent afterwards (see the logged amount that can leave now)")]
    WithdrawalExceedsSolvency,
    #[msg("Not enough quote in the vault: the hedge holds it; a rebalance will free it")]
    InsufficientQuoteInVault,
    #[msg("Deposit too small: it would mint zero LP tokens")]
    DepositTooSmall,

    // --- settlement (6046..)
    #[msg("Series has not expired yet")]
    SeriesNotExpired,
    #[msg("Settlement needs a price published at or after expiry")]
    SettlementPriceBeforeExpiry,
    #[msg("Settlement price was published after the settlement window: use one from inside the window")]
    SettlementPriceOutsideWindow,
    #[msg("Series is already settled")]
    SeriesAlreadySettled,
    #[msg("Series is not settled yet: call settle_series first")]
    SeriesNotSettled,
    #[msg("Series still has option tokens outstanding: they must all be redeemed before closing")]
    SeriesHasOpenInterest,

    // --- wallets (6052..)
    #[msg("Your token account holds less than this amount")]
    InsufficientFunds,

    // --- rebalance (6053..)
    #[msg("Rebalance not due: the hedge is inside the policy's band (nothing changed, no fee paid)")]
    RebalanceNotDue,
    #[msg("Rebalance cooldown: the pool rebalanced too recently; try after the cooldown")]
    RebalanceCooldown,
    #[msg("Wrong venue program: the pool only swaps on its configured venue")]
    WrongVenueProgram,
    #[msg("Wrong venue pool: the pool only swaps on its configured venue pool")]
    WrongVenuePool,
    #[msg("Wrong venue vault for the configured venue pool")]
    WrongVenueVault,
    #[msg("The venue cannot fill this swap (empty pool or not enough reserve)")]
    VenueCannotFill,

    // --- settlement, continued (6059..)
    #[msg("Settlement needs the Pyth update covering expiry (prev_publish_time < expiry), or one published within 30 s of it: post that update (Hermes serves it by timestamp)")]
    SettlementPriceNotFirstAfterExpiry,
    #[msg("Expiry too far out: a series may run at most 5 years from listing")]
    ExpiryTooFar,
    #[msg("This account already exists (the pool or series was created before)")]
    AccountAlreadyExists,

    // --- oracle time and settlement integrity (6063..)
    #[msg("This price update is older than one the pool has already used: pass the pool's latest update or a newer one (post a fresh update from Hermes if the on-chain one is stale)")]
    OracleUpdateOlderThanPool,
    #[msg("A series of this pool is past expiry and not settled: settle it first (settle_series with the update covering expiry; it can go in the same transaction)")]
    ExpiredSeriesUnsettled,

    // --- governance (6064..)
    #[msg("Fee above the program's hard bound: option fee at most 1000 bps of the premium, spot fee at most 100 bps of the notional")]
    FeeAboveBound,
    #[msg("Swap slippage bound above the program's hard bound of 500 bps")]
    SlippageAboveBound,
    #[msg("Keeper reward above the program's hard bound: at most 50 bps of the swap's notional")]
    KeeperRewardAboveBound,
    #[msg("Timelock out of bounds: between 3600 s (1 hour) and 2592000 s (30 days)")]
    TimelockOutOfBounds,
    #[msg("This change is more than a tightening of the risk caps or a new hedge schedule: propose it (propose_pool_params) and apply it once the pool's timelock has passed")]
    ChangeNeedsTimelock,
    #[msg("No parameter change is pending: propose one first")]
    NoPendingChange,
    #[msg("The pool's timelock has not passed for the pending change: apply it at or after its eta")]
    TimelockNotElapsed,
    #[msg("Only the proposed admin may accept the admin role: sign with that key")]
    NotPendingAdmin,
    #[msg("The guardian may only add pause flags: only the admin can lift a pause")]
    GuardianCannotUnpause,
    #[msg("Only the pool admin or its guardian may do this: sign with one of them")]
    NotAdminOrGuardian,
    #[msg("This trade would take its expiry's net vega past the pool's per-expiry cap: trade fewer contracts (the program log and `oamm quote` say how many still fit) or another expiry")]
    BoardVegaCapExceeded,
    #[msg("This trade would take its expiry's net cash gamma past the pool's per-expiry cap: trade fewer contracts (the program log and `oamm quote` say how many still fit) or another expiry")]
    BoardCashGammaCapExceeded,
}

impl OptionsError {
    /// Every variant in code order, for clients that turn a code back into
    /// a name and a message.
    pub const ALL: [OptionsError; 76] = [
        OptionsError::Unauthorized,
        OptionsError::InvalidOracleParams,
        OptionsError::InvalidVolParams,
        OptionsError::InvalidFeeParams,
        OptionsError::InvalidRiskParams,
        OptionsError::InvalidHedgeParams,
        OptionsError::UnsupportedDecimals,
        OptionsError::SameMint,
        OptionsError::TradingPaused,
        OptionsError::LpPaused,
        OptionsError::RebalancePaused,
        OptionsError::WrongQuoteVault,
        OptionsError::WrongHedgeVault,
        OptionsError::WrongLpMint,
        OptionsError::WrongGreekCache,
        OptionsError::WrongPool,
        OptionsError::WrongOptionMint,
        OptionsError::WrongTokenMint,
        OptionsError::WrongTokenOwner,
        OptionsError::CacheEntryMismatch,
        OptionsError::OracleFeedMismatch,
        OptionsError::OracleNotFullyVerified,
        OptionsError::OracleStale,
        OptionsError::OracleConfidenceTooWide,
        OptionsError::OracleNonPositivePrice,
        OptionsError::OracleExponentOutOfRange,
        OptionsError::ExpiryTooSoon,
        OptionsError::InvalidStrike,
        OptionsError::GreekCacheFull,
        OptionsError::TooManyExpiries,
        OptionsError::TooManyLiveSeries,
        OptionsError::SeriesNotLive,
        OptionsError::ZeroAmount,
        OptionsError::AmountTooLarge,
        OptionsError::PastTradingCutoff,
        OptionsError::DeltaOutOfBand,
        OptionsError::OpenInterestCapExceeded,
        OptionsError::SolvencyCheckFailed,
        OptionsError::UnhedgedDeltaCapExceeded,
        OptionsError::SlippageExceeded,
        OptionsError::SellExceedsOpenInterest,
        OptionsError::PricingFailed,
        OptionsError::PoolInsolvent,
        OptionsError::WithdrawalExceedsSolvency,
        OptionsError::InsufficientQuoteInVault,
        OptionsError::DepositTooSmall,
        OptionsError::SeriesNotExpired,
        OptionsError::SettlementPriceBeforeExpiry,
        OptionsError::SettlementPriceOutsideWindow,
        OptionsError::SeriesAlreadySettled,
        OptionsError::SeriesNotSettled,
        OptionsError::SeriesHasOpenInterest,
        OptionsError::InsufficientFunds,
        OptionsError::RebalanceNotDue,
        OptionsError::RebalanceCooldown,
        OptionsError::WrongVenueProgram,
        OptionsError::WrongVenuePool,
        OptionsError::WrongVenueVault,
        OptionsError::VenueCannotFill,
        OptionsError::SettlementPriceNotFirstAfterExpiry,
        OptionsError::ExpiryTooFar,
        OptionsError::AccountAlreadyExists,
        OptionsError::OracleUpdateOlderThanPool,
        OptionsError::ExpiredSeriesUnsettled,
        OptionsError::FeeAboveBound,
        OptionsError::SlippageAboveBound,
        OptionsError::KeeperRewardAboveBound,
        OptionsError::TimelockOutOfBounds,
        OptionsError::ChangeNeedsTimelock,
        OptionsError::NoPendingChange,
        OptionsError::TimelockNotElapsed,
        OptionsError::NotPendingAdmin,
        OptionsError::GuardianCannotUnpause,
        OptionsError::NotAdminOrGuardian,
        OptionsError::BoardVegaCapExceeded,
        OptionsError::BoardCashGammaCapExceeded,
    ];

    pub fn from_code(code: u32) -> Option<OptionsError> {
        code.checked_sub(anchor_lang::error::ERROR_CODE_OFFSET).and_then(|i| Self::ALL.get(i as usize).copied())
    }
}

/// Map a maths refusal to the program's error.
pub fn math_err(e: MathError) -> Error {
    match e {
        MathError::Overflow => OptionsError::AmountTooLarge.into(),
        _ => OptionsError::PricingFailed.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_table_is_in_code_order() {
        for (i, e) in OptionsError::ALL.iter().enumerate() {
            assert_eq!(u32::from(*e), 6000 + i as u32, "{}", e.name());
            assert_eq!(OptionsError::from_code(6000 + i as u32).map(|x| x.name()), Some(e.name()));
        }
        assert!(OptionsError::from_code(5999).is_none());
        assert!(OptionsError::from_code(6000 + OptionsError::ALL.len() as u32).is_none());
    }
}
