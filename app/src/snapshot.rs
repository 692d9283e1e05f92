//! A pool as of now: its accounts fetched, the oracle read, and the greek
//! cache repriced with the program's own functions, so every number the
//! client shows (NAV, quotes, the rebalance it predicts) is what the program
//! would compute in a transaction sent now.
use crate::backend::Backend;
use anchor_lang::{AccountDeserialize, Discriminator};
use anyhow::{anyhow, bail, Context, Result};
use oamm_sdk::pda::{PoolKeys, SeriesKeys};
use options_amm::error::OptionsError;
use options_amm::manager::hedge::{current_band, plan_capped, RebalancePlan};
use options_amm::manager::limits::{self, Exposure, Room};
use options_amm::manager::nav::{lp_nav, pool_nav, Balances, LpFlow};
use options_amm::manager::solvency::{headroom, max_quote_out, min_stressed_surplus, positions};
use options_amm::manager::{require_settled_expiries, trade};
use options_amm::oracle::{read_price, to_fixed, Freshness};
use options_amm::state::{GreekCache, Pool, PriceMemory, Series, SeriesState};
use options_math::amm::{Side, TradeQuote};
use options_math::hedge::Band;
use options_math::units::Rounding;
use options_math::I80F48;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use solana_sdk::pubkey::Pubkey;

pub struct PoolSnapshot {
    pub keys: PoolKeys,
    pub pool: Pool,
    /// Repriced at `spot` and `now`.
    pub cache: Box<GreekCache>,
    pub spot: I80F48,
    /// Seconds since the oracle price was published.
    pub price_age_s: i64,
    /// Why a transaction would be refused at this price, if it would.
    pub oracle_problem: Option<String>,
    pub now: i64,
    pub price_account: Pubkey,
    pub lp_supply: u64,
    /// The pool's price memory with this update recorded (as the program
    /// would store it), and the price range LP flows and trades see.
    pub memory: PriceMemory,
    pub lo: I80F48,
    pub hi: I80F48,
    /// The venue's per-call hedge cap, when the venue pool was readable.
    pub venue_cap: Option<u64>,
}

/// One expiry's exposure, its caps (vega, cash gamma) and the room left;
/// quote base units (per 1.00 of vol, per 1% move).
#[derive(Clone, Copy, Debug)]
pub struct ExpiryLimits {
    pub exposure: Exposure,
    pub caps: (I80F48, I80F48),
    pub room: Room,
}

impl ExpiryLimits {
    pub fn json(&self, quote_decimals: u8) -> serde_json::Value {
        let q = |x: I80F48| x.to_num::<f64>() / 10f64.powi(quote_decimals as i32);
        serde_json::json!({
            "net_vega": q(self.exposure.vega), "vega_cap": q(self.caps.0),
            "net_cash_gamma": q(self.exposure.cash_gamma), "cash_gamma_cap": q(self.caps.1),
            "room_contracts_base": self.room.contracts,
        })
    }

    /// "N contracts (vega a / b, cash gamma c / d)" for tables.
    pub fn describe(&self, d: options_math::units::Decimals) -> String {
        let q = |x: I80F48| x.to_num::<f64>() / 10f64.powi(d.quote as i32);
        let fits = if self.room.contracts == u64::MAX {
            "any number of".to_string()
        } else {
            crate::amounts::format_units(self.room.contracts, d.underlying)
        };
        format!(
            "{fits} contracts still fit (net vega {:.0} of {:.0} per 1.00 vol, cash gamma {:.0} of {:.0} per 1% move)",
            q(self.exposure.vega),
            q(self.caps.0),
            q(self.exposure.cash_gamma),
            q(self.caps.1)
        )
    }
}

pub struct SeriesInfo {
    pub key: Pubkey,
    pub series: Series,
}

impl SeriesInfo {
    pub fn keys(&self) -> SeriesKeys {
        SeriesKeys { series: self.key, option_mint: self.series.option_mint }
    }
}

/// Every pool of the program.
pub async fn pools(b: &mut Backend) -> Result<Vec<(Pubkey, Pool)>> {
    let mut out = Vec::new();
    for (key, acc) in b.program_accounts(&b.program_id(), Pool::DISCRIMINATOR, None).await? {
        if let Ok(p) = Pool::try_deserialize(&mut acc.data.as_slice()) {
            out.push((key, p));
        }
    }
    Ok(out)
}

/// `--pool`, or the only pool there is.
pub async fn pick_pool(b: &mut Backend, arg: Option<Pubkey>) -> Result<Pubkey> {
    if let Some(p) = arg {
        return Ok(p);
    }
    let all = pools(b).await?;
    match all.len() {
        0 => bail!("no options pool found on {}: create one with `oamm pool create` or pass --pool", b.name()),
        1 => Ok(all[0].0),
        n => bail!(
            "{n} pools found on {}: choose one with --pool ({})",
            b.name(),
            all.iter().map(|(k, _)| k.to_string()).collect::<Vec<_>>().join(", ")
        ),
    }
}

impl PoolSnapshot {
    pub async fn load(b: &mut Backend, pool_key: Pubkey) -> Result<PoolSnapshot> {
        let pool: Pool = b.anchor(&pool_key, "options pool").await?;
        let keys = PoolKeys {
            pool: pool_key,
            underlying_mint: pool.underlying_mint,
            quote_mint: pool.quote_mint,
            greek_cache: pool.greek_cache,
            lp_mint: pool.lp_mint,
            quote_vault: pool.quote_vault,
            hedge_vault: pool.hedge_vault,
        };
        let mut cache = b.greek_cache(&pool.greek_cache).await?;
        let now = b.now().await?;
        let price_account = b.price_account(&pool.params.oracle.feed_id);
        let update: PriceUpdateV2 = b
            .anchor(&price_account, "Pyth price update")
            .await
            .with_context(|| format!("reading the pool's oracle (Pyth feed 0x{})", hex(&pool.params.oracle.feed_id)))?;
        let msg = &update.price_message;
        let spot = to_fixed(msg.price, msg.exponent).map_err(|e| anyhow!("oracle price unusable: {e}"))?;
        let oracle_problem =
            read_price(&update, &pool.params.oracle, Freshness::Current { now }).err().map(|e| e.to_string());
        cache
            .relax_surface(now, pool.params.vol.relax_half_life_s)
            .map_err(|e| anyhow!("cannot relax the pool's vol surface: {e}"))?;
        cache
            .refresh(spot, now, pool.params.vol.rate(), pool.decimals())
            .map_err(|e| anyhow!("cannot price the pool's series: {e}"))?;
        let lp_supply = b.mint_supply(&pool.lp_mint).await?;
        let mut memory = pool.price_memory;
        let window = pool.params.oracle.max_price_age_s as i64;
        let oracle_problem =
            oracle_problem.or_else(|| memory.observe(spot, msg.publish_time, window).err().map(|e| e.to_string()));
        let (lo, hi) = if oracle_problem.is_none() { memory.range() } else { (spot, spot) };
        let venue_cap = b
            .anchor::<spot_venue::state::VenuePool>(&pool.params.hedge.venue_pool, "venue pool")
            .await
            .ok()
            .map(|v| options_amm::venue::hedge_cap(&v));
        Ok(PoolSnapshot {
            keys,
            pool,
            cache,
            spot,
            price_age_s: now - msg.publish_time,
            oracle_problem,
            now,
            price_account,
            lp_supply,
            memory,
            lo,
            hi,
            venue_cap,
        })
    }

    /// Fails with the oracle's problem if a transaction would be refused for it.
    pub fn require_fresh_oracle(&self) -> Result<()> {
        match &self.oracle_problem {
            None => Ok(()),
            Some(p) => bail!("the oracle price cannot be used now ({p}); it is {} s old", self.price_age_s),
        }
    }

    pub fn nav(&self, rounding: Rounding) -> i128 {
        pool_nav(&self.pool, &self.cache, rounding).unwrap_or(i128::MIN)
    }

    /// A series' expiry under the per-expiry caps, as a trade now would be
    /// checked: the board's |net vega| and |net cash gamma|, the caps at
    /// the current NAV, and the room left (contracts of this series that
    /// still fit). None for a settled series or an unpriceable pool.
    pub fn expiry_limits(&self, series: &SeriesInfo) -> Option<ExpiryLimits> {
        if series.series.state != SeriesState::Live {
            return None;
        }
        let slot = series.series.cache_index as usize;
        let d = self.pool.decimals();
        let exposure = limits::board_exposure(&self.cache, self.cache.entries[slot].board, self.spot, d).ok()?;
        let nav = u64::try_from(self.nav(Rounding::Down)).ok()?;
        let caps = self.pool.params.risk.board_caps(nav);
        let unit = limits::per_base_unit(&self.cache, slot, self.spot, d).ok()?;
        Some(ExpiryLimits { exposure, caps, room: limits::room(exposure, unit, caps) })
    }

    /// The NAV a deposit or withdrawal sent now is priced at (the program's
    /// `lp_nav`: worse IV, worse end of the recent prices, locked fees).
    pub fn lp_nav(&self, flow: LpFlow) -> i128 {
        lp_nav(&self.pool, &self.cache, self.spot, self.lo, self.hi, self.now, flow).unwrap_or(i128::MIN)
    }

    /// Quote per LP token (whole units), at the withdrawal NAV.
    pub fn nav_per_share(&self) -> f64 {
        let nav = self.nav(Rounding::Down).max(0) as f64 + options_amm::constants::VIRTUAL_QUOTE as f64;
        nav / (self.lp_supply as f64 + options_amm::constants::VIRTUAL_LP_SHARES as f64)
    }

    pub fn headroom(&self) -> i128 {
        let r = &self.pool.params.risk;
        headroom(
            Balances::of(&self.pool),
            self.spot,
            r.max_move_bps,
            r.solvency_reserve_bps,
            &positions(&self.cache, self.now, &self.pool.params.risk),
            self.pool.decimals(),
        )
        .unwrap_or(i128::MIN)
    }

    /// Quote that can be withdrawn now: solvency and cash both permitting.
    pub fn can_withdraw_now(&self) -> u64 {
        let cash = self.pool.quote_balance.saturating_sub(self.pool.reserved_payouts);
        max_quote_out(self.headroom(), self.pool.params.risk.solvency_reserve_bps).min(cash)
    }

    /// Share of pool assets the worst stress scenario would consume.
    pub fn utilisation(&self) -> f64 {
        let d = self.pool.decimals();
        let assets = self.pool.quote_balance as f64
            + d.quote_value(self.spot, self.pool.hedge_balance, Rounding::Down).unwrap_or(0) as f64;
        let worst = min_stressed_surplus(
            Balances::of(&self.pool),
            self.spot,
            self.pool.params.risk.max_move_bps,
            &positions(&self.cache, self.now, &self.pool.params.risk),
            d,
        )
        .unwrap_or(0) as f64;
        if assets <= 0.0 {
            0.0
        } else {
            (1.0 - worst / assets).clamp(0.0, 1.0)
        }
    }

    /// The rebalance the program would do now, or why none is due.
    pub fn rebalance_plan(&self) -> Result<RebalancePlan, anchor_lang::error::Error> {
        require_settled_expiries(&self.cache, self.now)?;
        plan_capped(&self.pool, &self.cache, self.spot, self.now, self.venue_cap.unwrap_or(u64::MAX))
    }

    /// The no-trade band the pool's policy uses now, each side in
    /// underlying base units (the program's own `current_band`; zero when
    /// the policy cannot be evaluated, e.g. at a stale price).
    pub fn band(&self) -> Band {
        current_band(&self.pool, &self.cache, self.spot, self.now)
            .unwrap_or(Band { below: I80F48::ZERO, above: I80F48::ZERO })
    }

    /// Price a trade exactly as the program will: the same function on a
    /// copy of the state.
    pub fn quote(&self, series: &SeriesInfo, side: Side, contracts: u64) -> Result<TradeQuote> {
        if series.series.state != SeriesState::Live {
            bail!("series {} is settled: it can no longer be traded (redeem it instead)", series.key);
        }
        require_settled_expiries(&self.cache, self.now).map_err(|e| anyhow!("{}", program_error_line(&e)))?;
        let mut cache = self.cache.clone();
        let slot = series.series.cache_index as usize;
        let kind = GreekCache::entry_kind(&cache.entries[slot]).into();
        let priced_at = trade::trade_spot(kind, side, self.lo, self.hi);
        trade::execute(&self.pool, &mut cache, slot, side, contracts, self.spot, priced_at, self.now).map_err(|e| {
            let line = program_error_line(&e);
            let cap_codes =
                [OptionsError::BoardVegaCapExceeded, OptionsError::BoardCashGammaCapExceeded].map(u32::from);
            match (&e, self.expiry_limits(series)) {
                (anchor_lang::error::Error::AnchorError(a), Some(l)) if cap_codes.contains(&a.error_code_number) => {
                    anyhow!("{line}; this expiry now: {}", l.describe(self.pool.decimals()))
                }
                _ => anyhow!("{line}"),
            }
        })
    }

    /// Every series of this pool (live and settled), by expiry, strike, kind.
    pub async fn series(&self, b: &mut Backend) -> Result<Vec<SeriesInfo>> {
        let mut out = Vec::new();
        for (key, acc) in b.program_accounts(&b.program_id(), Series::DISCRIMINATOR, Some((8, self.keys.pool))).await? {
            if let Ok(series) = Series::try_deserialize(&mut acc.data.as_slice()) {
                out.push(SeriesInfo { key, series });
            }
        }
        out.sort_by_key(|s| (s.series.expiry, s.series.strike_quote, s.series.kind.seed()));
        Ok(out)
    }

    /// A series by address or by its index in `series list`.
    pub async fn find_series(&self, b: &mut Backend, id: &str) -> Result<SeriesInfo> {
        let all = self.series(b).await?;
        if let Ok(i) = id.parse::<usize>() {
            let n = all.len();
            return all
                .into_iter()
                .nth(i)
                .ok_or_else(|| anyhow!("no series #{i}: this pool has {n} (see `oamm series list`)"));
        }
        let key: Pubkey = id.parse().map_err(|_| anyhow!("`{id}` is neither a series index nor an address"))?;
        all.into_iter()
            .find(|s| s.key == key)
            .ok_or_else(|| anyhow!("unknown series {key} in pool {} (see `oamm series list`)", self.keys.pool))
    }
}

/// An Anchor error as one line: the name and message for our codes.
pub fn program_error_line(e: &anchor_lang::error::Error) -> String {
    match e {
        anchor_lang::error::Error::AnchorError(a) => crate::errors::explain_code(a.error_code_number),
        other => other.to_string(),
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn parse_feed_id(s: &str) -> Result<[u8; 32]> {
    let h = s.trim().trim_start_matches("0x");
    if h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!("`{s}` is not a Pyth feed id (64 hex digits, e.g. 0xef0d8b6f...)");
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&h[2 * i..2 * i + 2], 16)?;
    }
    Ok(out)
}
