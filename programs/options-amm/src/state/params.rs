//! Pool parameters: what the admin sets at `initialize_pool` and may change
//! with `update_pool_params`. Integers at the interface (bps, seconds, base
//! units) so a config file or the IDL is readable; converted to fixed point
//! where the maths needs it. `validate` is the single gate both instructions
//! pass through.
use crate::constants::{
    BPS, MAX_KEEPER_REWARD_BPS, MAX_LIVE_SERIES, MAX_OPTION_FEE_BPS, MAX_SETTLEMENT_GRACE_S, MAX_SLIPPAGE_BPS,
    MAX_SPOT_FEE_BPS, MAX_TIMELOCK_S, MIN_TIMELOCK_S,
};
use crate::error::OptionsError;
use anchor_lang::prelude::*;
use options_math::amm::{FeeParams, VolSurfaceParams};
use options_math::I80F48;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct OracleParams {
    /// Pyth price feed id (e.g. SOL/USD) the pool prices from.
    pub feed_id: [u8; 32],
    pub max_price_age_s: u32,
    /// Largest confidence / price accepted, in bps.
    pub max_conf_bps: u16,
    /// A settlement price must be published within this long after expiry.
    pub settlement_window_s: u32,
    /// Settlement accepts any update published this soon after expiry, so a
    /// keeper can settle straight from a feed account that Pyth pushes to;
    /// later, only the unique update covering expiry (prev_publish_time <
    /// expiry). The first settler chooses among the genuine updates of the
    /// grace, so it is also the bound on cherry-picking: about S sigma
    /// sqrt(grace) sqrt(2/pi) per contract held (README, "Settlement on a
    /// live cluster"). At most MAX_SETTLEMENT_GRACE_S and the window.
    pub settlement_grace_s: u16,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct VolParams {
    /// Base IV a new expiry starts at (8000 = 80%).
    pub initial_base_iv_bps: u32,
    /// Skew a new strike starts at (10000 = 1.0).
    pub initial_skew_bps: u32,
    pub min_base_iv_bps: u32,
    pub max_base_iv_bps: u32,
    pub min_skew_bps: u32,
    pub max_skew_bps: u32,
    /// Skew moves by this share of the base IV move (Lyra: 7500).
    pub skew_adjustment_bps: u32,
    /// Contracts (underlying base units) whose trade moves base IV by one vol point.
    pub standard_size: u64,
    /// Continuously compounded risk-free rate.
    pub rate_bps: u16,
    /// Trade-driven moves of base IV and skew decay toward their listing
    /// values with this half-life (0 = never; else MIN..=MAX_RELAX_HALF_LIFE_S),
    /// applied from the elapsed time whenever the pool is repriced.
    pub relax_half_life_s: u32,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct FeeConfig {
    pub option_price_fee_bps: u16,
    pub spot_price_fee_bps: u16,
    /// Quote base units per whole contract at a vega utilisation of 1.
    pub vega_fee_coef: u64,
    /// Minimum fee per trade, quote base units.
    pub min_fee: u64,
    /// Share of the expected hedging cost a trade's gamma adds over its
    /// life that the trade pays, bps (10_000 = all of it; 0 = off; at most
    /// MAX_HEDGE_FEE_BPS). Needs a hedge policy with a cost model
    /// (Whalley-Wilmott or CostBenefit); a fixed band charges nothing.
    pub hedge_fee_bps: u16,
    /// The discount a trade that removes gamma gets for the hedging it
    /// saves, at most this share of its other fees, bps (<= 10_000).
    pub hedge_rebate_cap_bps: u16,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct RiskParams {
    /// No trading this close to expiry (Lyra: 12 h).
    pub trading_cutoff_s: u32,
    /// Opening trades need the call delta in [min_delta, 1 - min_delta].
    pub min_delta_bps: u16,
    /// Cap on the pool's net short per series, contracts (base units).
    pub max_open_interest: u64,
    /// At most MAX_LIVE_SERIES (the compute budget), default 16.
    pub max_live_series: u8,
    /// Solvency stress: spot moves of up to this much either way.
    pub max_move_bps: u16,
    /// The stressed surplus must stay >= this share of pool assets.
    pub solvency_reserve_bps: u16,
    /// Cap on unhedgeable delta (net short puts beyond zero hedge), underlying base units.
    pub max_unhedged_delta: u64,
    /// Tenor- and vol-aware stress: a series' move is
    /// max(max_move, k sigma (1 + shock) sqrt(tau)); k in bps (20000 = 2 sigma).
    pub stress_sigmas_bps: u16,
    /// The vol shock on top, in bps of the IV (2500 = +25%).
    pub stress_vol_shock_bps: u16,
    /// Per expiry (board): cap on the pool's |net vega| (quote per 1.00 of
    /// vol) as bps of NAV; a trade that makes it worse past the cap is
    /// refused, one that reduces it passes. > 0.
    pub max_board_vega_bps: u16,
    /// Per expiry: cap on the pool's |net cash gamma| (Gamma S^2 / 100:
    /// the quote its delta moves per 1% move) as bps of NAV. > 0.
    pub max_board_cash_gamma_bps: u16,
}

/// When `rebalance` trades, and to where.
#[derive(AnchorSerialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum HedgePolicyConfig {
    /// Trade back to the target when |hedge - target| > band (underlying base units).
    DeltaThreshold { band: u64 },
    /// Whalley-Wilmott band from the pool's gamma; trade to the band edge.
    /// cost_bps: the venue's round-trip cost estimate; risk_aversion_ppm:
    /// lambda in 1/quote-unit, times 10^6.
    WhalleyWilmott { cost_bps: u16, risk_aversion_ppm: u64 },
    /// The cost-benefit band: max(Whalley-Wilmott, terminal x cost /
    /// (lambda S sigma^2 tau)) over the book's expiries (options-math's
    /// `HedgePolicy::CostBenefit`); trade to the crossed edge (or
    /// `retrace_bps` of the way back). cost_bps and risk_aversion_ppm as in
    /// `WhalleyWilmott`; terminal_bps: the terminal term's factor c x 10^4
    /// (10_000 = 1.0, the break-even trade; at most 1_000_000 = 100);
    /// expiry_aware: each expiry before the book's last gets its allowance
    /// (the part of its delta not worth hedging before it settles). The
    /// keeper's fixed reward (`keeper_reward_fixed`) is the fixed cost per
    /// rebalance the band allows for.
    /// Appended last: the Borsh tags of the variants above stay as they are.
    CostBenefit { cost_bps: u16, risk_aversion_ppm: u64, terminal_bps: u32, expiry_aware: bool },
}

/// Borsh as derived (a tag byte, then the variant's fields in order), out
/// of line: inlined, the third variant's parsing tipped LLVM into keeping
/// more temporaries in `Account<Pool>::try_from` on SBF (a 3,600 B frame,
/// 2,096 B before the variant; 2,064-2,912 B with this, see
/// `sbf/stack-frames.py`).
impl AnchorDeserialize for HedgePolicyConfig {
    #[inline(never)]
    fn deserialize_reader<R: borsh::io::Read>(reader: &mut R) -> borsh::io::Result<Self> {
        let de_u16 = |r: &mut R| u16::deserialize_reader(r);
        let de_u64 = |r: &mut R| u64::deserialize_reader(r);
        Ok(match u8::deserialize_reader(reader)? {
            0 => HedgePolicyConfig::DeltaThreshold { band: de_u64(reader)? },
            1 => HedgePolicyConfig::WhalleyWilmott { cost_bps: de_u16(reader)?, risk_aversion_ppm: de_u64(reader)? },
            2 => HedgePolicyConfig::CostBenefit {
                cost_bps: de_u16(reader)?,
                risk_aversion_ppm: de_u64(reader)?,
                terminal_bps: u32::deserialize_reader(reader)?,
                expiry_aware: bool::deserialize_reader(reader)?,
            },
            tag => {
                return Err(borsh::io::Error::new(
                    borsh::io::ErrorKind::InvalidData,
                    format!("Unexpected variant tag: {tag:?}"),
                ))
            }
        })
    }
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct HedgeConfig {
    pub policy: HedgePolicyConfig,
    /// Never trade inside this band (underlying base units): no dust swaps.
    pub min_band: u64,
    pub cooldown_s: u32,
    /// Largest swap per call (underlying base units); bigger hedges take several calls.
    pub max_trade: u64,
    /// Edge policies (Whalley-Wilmott, CostBenefit): how far a trade goes
    /// from the crossed band edge back toward the target, bps of that side's
    /// width (0 = to the edge, 10_000 = to the target). With a fixed cost
    /// per swap (the keeper reward), trading to the edge makes a small swap
    /// every time the hedge leaks out again. `DeltaThreshold` always trades
    /// to the target.
    pub retrace_bps: u16,
    /// Swap bound around the oracle price.
    pub max_slippage_bps: u16,
    pub venue_program: Pubkey,
    pub venue_pool: Pubkey,
    /// Keeper reward, quote base units: fixed + bps of notional, capped.
    pub keeper_reward_fixed: u64,
    pub keeper_reward_bps: u16,
    pub keeper_reward_cap: u64,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct GovernanceParams {
    /// How long a proposed change that is not a pure tightening waits
    /// before it can be applied (MIN_TIMELOCK_S..=MAX_TIMELOCK_S): the time
    /// LPs have to see it coming and leave. Changing it waits the old one.
    pub timelock_s: u32,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct PoolParams {
    pub oracle: OracleParams,
    pub vol: VolParams,
    pub fees: FeeConfig,
    pub risk: RiskParams,
    pub hedge: HedgeConfig,
    pub governance: GovernanceParams,
}

/// The most an edge policy's cost estimate may be, bps (10%).
pub const MAX_HEDGE_COST_BPS: u16 = 1000;
/// The largest terminal factor c of the cost-benefit band, x 10^4:
/// options-math's `MAX_TERMINAL` (100).
pub const MAX_TERMINAL_BPS: u32 = 1_000_000;
/// The shortest and longest surface relaxation half-life (0 = off).
pub const MIN_RELAX_HALF_LIFE_S: u32 = 600;
pub const MAX_RELAX_HALF_LIFE_S: u32 = 365 * 86_400;
/// The most a trade may be charged for the hedging it causes: twice the
/// model's expected cost.
pub const MAX_HEDGE_FEE_BPS: u16 = 20_000;

fn bps_fixed(bps: u64) -> I80F48 {
    // bps <= u32::MAX: exact numerator, one truncating division
    options_math::units::div_by_int(I80F48::from_num(bps), BPS as u32)
}

impl OracleParams {
    pub fn validate(&self) -> Result<()> {
        require!(
            (1..=3600).contains(&self.max_price_age_s)
                && (1..=1000).contains(&self.max_conf_bps)
                && (1..=86_400).contains(&self.settlement_window_s)
                && self.settlement_grace_s <= MAX_SETTLEMENT_GRACE_S
                && u32::from(self.settlement_grace_s) <= self.settlement_window_s,
            OptionsError::InvalidOracleParams
        );
        Ok(())
    }
}

impl VolParams {
    pub fn validate(&self) -> Result<()> {
        let iv_ok = 0 < self.min_base_iv_bps
            && self.min_base_iv_bps <= self.initial_base_iv_bps
            && self.initial_base_iv_bps <= self.max_base_iv_bps
            && self.max_base_iv_bps <= 100_000;
        let skew_ok = 0 < self.min_skew_bps
            && self.min_skew_bps <= self.initial_skew_bps
            && self.initial_skew_bps <= self.max_skew_bps
            && self.max_skew_bps <= 100_000;
        // trade IV = base x skew must stay inside what the pricer accepts (1000%)
        let product_ok = (self.max_base_iv_bps as u64) * (self.max_skew_bps as u64) <= 100_000 * BPS;
        require!(
            iv_ok
                && skew_ok
                && product_ok
                && self.skew_adjustment_bps <= 100_000
                && self.standard_size > 0
                && (self.rate_bps as u64) <= BPS
                && (self.relax_half_life_s == 0
                    || (MIN_RELAX_HALF_LIFE_S..=MAX_RELAX_HALF_LIFE_S).contains(&self.relax_half_life_s)),
            OptionsError::InvalidVolParams
        );
        Ok(())
    }

    pub fn surface(&self) -> VolSurfaceParams {
        VolSurfaceParams {
            standard_size: self.standard_size,
            skew_adjustment: bps_fixed(self.skew_adjustment_bps as u64),
            min_base_iv: bps_fixed(self.min_base_iv_bps as u64),
            max_base_iv: bps_fixed(self.max_base_iv_bps as u64),
            min_skew: bps_fixed(self.min_skew_bps as u64),
            max_skew: bps_fixed(self.max_skew_bps as u64),
        }
    }

    pub fn rate(&self) -> I80F48 {
        bps_fixed(self.rate_bps as u64)
    }

    pub fn initial_base_iv(&self) -> I80F48 {
        bps_fixed(self.initial_base_iv_bps as u64)
    }

    pub fn initial_skew(&self) -> I80F48 {
        bps_fixed(self.initial_skew_bps as u64)
    }
}

impl FeeConfig {
    pub fn validate(&self, quote_decimals: u8) -> Result<()> {
        require!(
            self.option_price_fee_bps <= MAX_OPTION_FEE_BPS
                && self.spot_price_fee_bps <= MAX_SPOT_FEE_BPS
                && self.hedge_fee_bps <= MAX_HEDGE_FEE_BPS,
            OptionsError::FeeAboveBound
        );
        require!(self.hedge_rebate_cap_bps as u64 <= BPS, OptionsError::InvalidFeeParams);
        // the coefficient must convert to fixed point without overflow
        require!(self.fee_params(quote_decimals).is_some(), OptionsError::InvalidFeeParams);
        Ok(())
    }

    pub fn fee_params(&self, quote_decimals: u8) -> Option<FeeParams> {
        let coef = I80F48::from_num(self.vega_fee_coef)
            .checked_div(I80F48::checked_from_num(10u128.pow(quote_decimals as u32))?)?;
        Some(FeeParams {
            option_price_fee: bps_fixed(self.option_price_fee_bps as u64),
            spot_price_fee: bps_fixed(self.spot_price_fee_bps as u64),
            vega_fee_coef: coef,
            min_fee: self.min_fee,
        })
    }
}

impl RiskParams {
    pub fn validate(&self) -> Result<()> {
        require!(
            (self.min_delta_bps as u64) < BPS / 2
                && (1..=9000).contains(&self.max_move_bps)
                && (self.solvency_reserve_bps as u64) < BPS
                && self.max_open_interest > 0
                && (1..=MAX_LIVE_SERIES).contains(&self.max_live_series)
                && self.stress_sigmas_bps <= 60_000
                && (self.stress_vol_shock_bps as u64) <= BPS
                && self.max_board_vega_bps > 0
                && self.max_board_cash_gamma_bps > 0,
            OptionsError::InvalidRiskParams
        );
        Ok(())
    }

    pub fn min_delta(&self) -> I80F48 {
        bps_fixed(self.min_delta_bps as u64)
    }

    /// The per-expiry caps at `nav` (quote base units): |net vega| (quote
    /// base units per 1.00 of vol) and |net cash gamma| (quote base units
    /// per 1% move). Rounded down: the cap never exceeds its share of NAV.
    pub fn board_caps(&self, nav: u64) -> (I80F48, I80F48) {
        let cap = |bps: u16| I80F48::from_num(((nav as u128 * bps as u128) / BPS as u128) as u64);
        (cap(self.max_board_vega_bps), cap(self.max_board_cash_gamma_bps))
    }
}

impl HedgeConfig {
    pub fn validate(&self) -> Result<()> {
        let policy_ok = match self.policy {
            HedgePolicyConfig::DeltaThreshold { band } => band > 0,
            HedgePolicyConfig::WhalleyWilmott { cost_bps, risk_aversion_ppm } => {
                (1..=MAX_HEDGE_COST_BPS).contains(&cost_bps) && risk_aversion_ppm > 0
            }
            HedgePolicyConfig::CostBenefit { cost_bps, risk_aversion_ppm, terminal_bps, expiry_aware: _ } => {
                (1..=MAX_HEDGE_COST_BPS).contains(&cost_bps)
                    && risk_aversion_ppm > 0
                    && terminal_bps <= MAX_TERMINAL_BPS
            }
        };
        require!(
            policy_ok
                && self.retrace_bps as u64 <= BPS
                && self.max_slippage_bps > 0
                && self.keeper_reward_fixed <= self.keeper_reward_cap,
            OptionsError::InvalidHedgeParams
        );
        require!(self.max_slippage_bps <= MAX_SLIPPAGE_BPS, OptionsError::SlippageAboveBound);
        require!(self.keeper_reward_bps <= MAX_KEEPER_REWARD_BPS, OptionsError::KeeperRewardAboveBound);
        Ok(())
    }
}

impl RiskParams {
    /// Every cap at least as tight as in `old` (max_live_series, a compute
    /// limit rather than a risk one, may move either way).
    pub fn is_tightening_of(&self, old: &RiskParams) -> bool {
        self.trading_cutoff_s >= old.trading_cutoff_s
            && self.min_delta_bps >= old.min_delta_bps
            && self.max_open_interest <= old.max_open_interest
            && self.max_move_bps >= old.max_move_bps
            && self.solvency_reserve_bps >= old.solvency_reserve_bps
            && self.max_unhedged_delta <= old.max_unhedged_delta
            && self.stress_sigmas_bps >= old.stress_sigmas_bps
            && self.stress_vol_shock_bps >= old.stress_vol_shock_bps
            && self.max_board_vega_bps <= old.max_board_vega_bps
            && self.max_board_cash_gamma_bps <= old.max_board_cash_gamma_bps
    }
}

impl HedgeConfig {
    /// The same venue, swap bound and keeper reward: only when and how much
    /// to hedge differs (each swap stays bounded by the slippage check
    /// against the oracle and the venue checks, so none of these can move
    /// value out of the pool).
    pub fn same_venue_and_rewards(&self, old: &HedgeConfig) -> bool {
        self.venue_program == old.venue_program
            && self.venue_pool == old.venue_pool
            && self.max_slippage_bps == old.max_slippage_bps
            && self.keeper_reward_fixed == old.keeper_reward_fixed
            && self.keeper_reward_bps == old.keeper_reward_bps
            && self.keeper_reward_cap == old.keeper_reward_cap
    }
}

impl PoolParams {
    /// Whether `self` may replace `old` at once: the oracle, the surface,
    /// the fees, the venue, the swap bound, the keeper reward and the
    /// timelock unchanged, the risk caps only tighter; the hedge schedule
    /// (policy, band, cooldown, size per call, retrace) free. Anything else
    /// waits the pool's timelock (`propose_pool_params`).
    ///
    /// The schedule includes a change to or from `CostBenefit` and any
    /// `retrace_bps`: like the other policies they decide only when and how
    /// much the pool hedges; every swap stays bounded by the oracle price
    /// and the unchanged slippage bound, the keeper reward by its unchanged
    /// fixed part and cap, and the call rate by the cooldown (>= the oracle
    /// age window) and the `min_band` floor, so none of them can move value
    /// out of the pool faster than an immediate `DeltaThreshold` change
    /// already could.
    pub fn is_immediate_change_from(&self, old: &PoolParams) -> bool {
        self.oracle == old.oracle
            && self.vol == old.vol
            && self.fees == old.fees
            && self.governance == old.governance
            && self.risk.is_tightening_of(&old.risk)
            && self.hedge.same_venue_and_rewards(&old.hedge)
    }

    pub fn validate(&self, quote_decimals: u8) -> Result<()> {
        self.oracle.validate()?;
        self.vol.validate()?;
        self.fees.validate(quote_decimals)?;
        self.risk.validate()?;
        self.hedge.validate()?;
        require!(
            (MIN_TIMELOCK_S..=MAX_TIMELOCK_S).contains(&self.governance.timelock_s),
            OptionsError::TimelockOutOfBounds
        );
        // Several genuine updates are alive for max_price_age_s: a shorter
        // cooldown lets a keeper alternate rebalances between them and
        // collect rewards for swaps that undo each other.
        require!(self.hedge.cooldown_s >= self.oracle.max_price_age_s, OptionsError::InvalidHedgeParams);
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests;
