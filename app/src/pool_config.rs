//! Pool configuration files (TOML), for `oamm pool create --config` and
//! `oamm migrate`. Keys are the on-chain parameter names (bps, seconds,
//! base units); anything left out keeps its default; an unknown key is an
//! error that names it, so a typo never silently falls back to a default.
use anyhow::{anyhow, bail, Context, Result};
use options_amm::state::{HedgePolicyConfig, PoolParams};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub pool: PoolSection,
    #[serde(default)]
    pub oracle: OracleSection,
    #[serde(default)]
    pub vol: VolSection,
    #[serde(default)]
    pub fees: FeeSection,
    #[serde(default)]
    pub risk: RiskSection,
    #[serde(default)]
    pub hedge: HedgeSection,
    #[serde(default)]
    pub governance: GovernanceSection,
    /// The spot-venue pool `oamm migrate` creates when it is missing.
    #[serde(default)]
    pub venue: VenueSection,
    /// Series `oamm migrate` lists (when missing).
    #[serde(default)]
    pub series: Vec<SeriesEntry>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct PoolSection {
    pub underlying_mint: Option<String>,
    pub quote_mint: Option<String>,
    /// Pyth feed id, hex.
    pub feed_id: Option<String>,
    pub venue_pool: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct OracleSection {
    pub max_price_age_s: Option<u32>,
    pub max_conf_bps: Option<u16>,
    pub settlement_window_s: Option<u32>,
    pub settlement_grace_s: Option<u16>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct VolSection {
    pub initial_base_iv_bps: Option<u32>,
    pub initial_skew_bps: Option<u32>,
    pub min_base_iv_bps: Option<u32>,
    pub max_base_iv_bps: Option<u32>,
    pub min_skew_bps: Option<u32>,
    pub max_skew_bps: Option<u32>,
    pub skew_adjustment_bps: Option<u32>,
    pub standard_size: Option<u64>,
    pub rate_bps: Option<u16>,
    /// Half-life of trade-driven IV moves back toward the listing values (0 = never; 600 s..365 d).
    pub relax_half_life_s: Option<u32>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct FeeSection {
    pub option_price_fee_bps: Option<u16>,
    pub spot_price_fee_bps: Option<u16>,
    pub vega_fee_coef: Option<u64>,
    pub min_fee: Option<u64>,
    /// Share of the expected hedging cost a trade's gamma adds, bps (10000 = all; 0 = off).
    pub hedge_fee_bps: Option<u16>,
    /// Discount cap for gamma-reducing trades, bps of their other fees.
    pub hedge_rebate_cap_bps: Option<u16>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct RiskSection {
    pub trading_cutoff_s: Option<u32>,
    pub min_delta_bps: Option<u16>,
    pub max_open_interest: Option<u64>,
    pub max_live_series: Option<u8>,
    pub max_move_bps: Option<u16>,
    pub solvency_reserve_bps: Option<u16>,
    pub max_unhedged_delta: Option<u64>,
    /// Per expiry: cap on |net vega| (quote per 1.00 vol), bps of NAV.
    pub max_board_vega_bps: Option<u16>,
    /// Per expiry: cap on |net cash gamma| (quote per 1% move), bps of NAV.
    pub max_board_cash_gamma_bps: Option<u16>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct HedgeSection {
    /// "threshold", "whalley-wilmott" or "cost-benefit".
    pub policy: Option<String>,
    /// Threshold band, underlying base units.
    pub band: Option<u64>,
    pub cost_bps: Option<u16>,
    pub risk_aversion_ppm: Option<u64>,
    /// Cost-benefit: the terminal term's factor x 10^4 (default 10000 = 1.0).
    pub terminal_bps: Option<u32>,
    /// Cost-benefit: give each earlier expiry its allowance (default false).
    pub expiry_aware: Option<bool>,
    pub min_band: Option<u64>,
    pub cooldown_s: Option<u32>,
    pub max_trade: Option<u64>,
    /// Edge policies: trade from the band edge this far back to the target, bps (0 = to the edge).
    pub retrace_bps: Option<u16>,
    pub max_slippage_bps: Option<u16>,
    pub keeper_reward_fixed: Option<u64>,
    pub keeper_reward_bps: Option<u16>,
    pub keeper_reward_cap: Option<u64>,
}

/// `[governance]`: how long a risky parameter change waits (1 h..30 d).
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct GovernanceSection {
    pub timelock_s: Option<u32>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct VenueSection {
    pub fee_bps: Option<u16>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct SeriesEntry {
    /// Strike in quote units, e.g. "150".
    pub strike: String,
    /// Unix seconds, RFC 3339 or +7d.
    pub expiry: String,
    /// "call" or "put".
    pub kind: String,
}

pub fn load(path: &Path) -> Result<ConfigFile> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
    parse(&text).with_context(|| format!("config file {}", path.display()))
}

pub fn parse(text: &str) -> Result<ConfigFile> {
    toml::from_str(text).map_err(|e| anyhow!("{}", e.to_string().trim()))
}

macro_rules! set {
    ($target:expr, $source:expr, $($field:ident),*) => {
        $( if let Some(v) = $source.$field { $target.$field = v; } )*
    };
}

impl ConfigFile {
    /// `base` with every value this file sets.
    pub fn pool_params(&self, mut p: PoolParams) -> Result<PoolParams> {
        set!(p.oracle, self.oracle, max_price_age_s, max_conf_bps, settlement_window_s, settlement_grace_s);
        if let Some(f) = &self.pool.feed_id {
            p.oracle.feed_id = crate::snapshot::parse_feed_id(f)?;
        }
        set!(
            p.vol,
            self.vol,
            initial_base_iv_bps,
            initial_skew_bps,
            min_base_iv_bps,
            max_base_iv_bps,
            min_skew_bps,
            max_skew_bps,
            skew_adjustment_bps,
            standard_size,
            rate_bps,
            relax_half_life_s
        );
        set!(
            p.fees,
            self.fees,
            option_price_fee_bps,
            spot_price_fee_bps,
            vega_fee_coef,
            min_fee,
            hedge_fee_bps,
            hedge_rebate_cap_bps
        );
        set!(
            p.risk,
            self.risk,
            trading_cutoff_s,
            min_delta_bps,
            max_open_interest,
            max_live_series,
            max_move_bps,
            solvency_reserve_bps,
            max_unhedged_delta,
            max_board_vega_bps,
            max_board_cash_gamma_bps
        );
        let h = &self.hedge;
        set!(
            p.hedge,
            h,
            min_band,
            cooldown_s,
            max_trade,
            retrace_bps,
            max_slippage_bps,
            keeper_reward_fixed,
            keeper_reward_bps,
            keeper_reward_cap
        );
        const POLICIES: &str = "\"threshold\", \"whalley-wilmott\" or \"cost-benefit\"";
        if !matches!(h.policy.as_deref(), Some("cost-benefit"))
            && (h.terminal_bps.is_some() || h.expiry_aware.is_some())
        {
            bail!("[hedge]: `terminal_bps` and `expiry_aware` belong to policy \"cost-benefit\"");
        }
        match h.policy.as_deref() {
            None => {
                if h.band.is_some() || h.cost_bps.is_some() || h.risk_aversion_ppm.is_some() {
                    bail!("[hedge]: set `policy` ({POLICIES}) together with its parameters");
                }
            }
            Some("threshold") => {
                let band = h
                    .band
                    .ok_or_else(|| anyhow!("[hedge]: policy \"threshold\" needs `band` (underlying base units)"))?;
                p.hedge.policy = HedgePolicyConfig::DeltaThreshold { band };
            }
            Some("whalley-wilmott" | "ww") => {
                let (Some(cost_bps), Some(risk_aversion_ppm)) = (h.cost_bps, h.risk_aversion_ppm) else {
                    bail!("[hedge]: policy \"whalley-wilmott\" needs `cost_bps` and `risk_aversion_ppm`");
                };
                p.hedge.policy = HedgePolicyConfig::WhalleyWilmott { cost_bps, risk_aversion_ppm };
            }
            Some("cost-benefit") => {
                let (Some(cost_bps), Some(risk_aversion_ppm)) = (h.cost_bps, h.risk_aversion_ppm) else {
                    bail!("[hedge]: policy \"cost-benefit\" needs `cost_bps` and `risk_aversion_ppm`");
                };
                p.hedge.policy = HedgePolicyConfig::CostBenefit {
                    cost_bps,
                    risk_aversion_ppm,
                    terminal_bps: h.terminal_bps.unwrap_or(10_000),
                    expiry_aware: h.expiry_aware.unwrap_or(false),
                };
            }
            Some(other) => bail!("[hedge]: unknown policy `{other}` (use {POLICIES})"),
        }
        set!(p.governance, self.governance, timelock_s);
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oamm_sdk::market::default_params;
    use solana_sdk::pubkey::Pubkey;

    fn base() -> PoolParams {
        default_params([1; 32], Pubkey::new_unique())
    }

    #[test]
    fn values_override_defaults_and_the_rest_stay() {
        let f = parse(
            "[vol]\ninitial_base_iv_bps = 9000\n[hedge]\npolicy = \"whalley-wilmott\"\ncost_bps = 30\nrisk_aversion_ppm = 1000\n\
             [[series]]\nstrike = \"150\"\nexpiry = \"+7d\"\nkind = \"call\"\n",
        )
        .unwrap();
        let p = f.pool_params(base()).unwrap();
        assert_eq!(p.vol.initial_base_iv_bps, 9000);
        assert_eq!(p.vol.standard_size, base().vol.standard_size);
        assert_eq!(p.hedge.policy, HedgePolicyConfig::WhalleyWilmott { cost_bps: 30, risk_aversion_ppm: 1000 });
        assert_eq!(f.series.len(), 1);
        assert_eq!(p.governance.timelock_s, base().governance.timelock_s);
        let p = parse("[governance]\ntimelock_s = 172800\n").unwrap().pool_params(base()).unwrap();
        assert_eq!(p.governance.timelock_s, 172_800);
    }

    #[test]
    fn the_cost_benefit_policy_and_retrace_are_read() {
        let text = "[hedge]\npolicy = \"cost-benefit\"\ncost_bps = 30\nrisk_aversion_ppm = 1000\n\
                    expiry_aware = true\nretrace_bps = 6000\n";
        let p = parse(text).unwrap().pool_params(base()).unwrap();
        assert_eq!(
            p.hedge.policy,
            HedgePolicyConfig::CostBenefit {
                cost_bps: 30,
                risk_aversion_ppm: 1000,
                terminal_bps: 10_000,
                expiry_aware: true
            }
        );
        assert_eq!(p.hedge.retrace_bps, 6000);
        let p = parse(
            "[hedge]\npolicy = \"cost-benefit\"\ncost_bps = 30\nrisk_aversion_ppm = 1000\nterminal_bps = 20000\n",
        )
        .unwrap()
        .pool_params(base())
        .unwrap();
        assert_eq!(
            p.hedge.policy,
            HedgePolicyConfig::CostBenefit {
                cost_bps: 30,
                risk_aversion_ppm: 1000,
                terminal_bps: 20_000,
                expiry_aware: false
            }
        );
        let e = parse("[hedge]\npolicy = \"cost-benefit\"\ncost_bps = 30\n").unwrap().pool_params(base()).unwrap_err();
        assert!(e.to_string().contains("needs `cost_bps` and `risk_aversion_ppm`"), "{e}");
        let e = parse("[hedge]\npolicy = \"ww\"\ncost_bps = 30\nrisk_aversion_ppm = 1\nexpiry_aware = true\n")
            .unwrap()
            .pool_params(base())
            .unwrap_err();
        assert!(e.to_string().contains("belong to policy \"cost-benefit\""), "{e}");
    }

    #[test]
    fn mistakes_are_named() {
        let e = parse("[vol]\ninitial_base_iv = 9000\n").unwrap_err().to_string();
        assert!(e.contains("unknown field") && e.contains("initial_base_iv"), "{e}");
        let e = parse("[risk]\nmax_move_bps = \"lots\"\n").unwrap_err().to_string();
        assert!(e.contains("max_move_bps") || e.contains("invalid type"), "{e}");
        let f = parse("[hedge]\npolicy = \"threshold\"\n").unwrap();
        assert!(f.pool_params(base()).unwrap_err().to_string().contains("needs `band`"));
        let f = parse("[hedge]\npolicy = \"sometimes\"\n").unwrap();
        assert!(f.pool_params(base()).unwrap_err().to_string().contains("unknown policy"));
        let f = parse("[pool]\nfeed_id = \"0x12\"\n").unwrap();
        assert!(f.pool_params(base()).unwrap_err().to_string().contains("not a Pyth feed id"));
        assert!(parse("not = [toml").is_err());
    }
}
