//! A whole market on the embedded bank: mints, a Pyth price account, a
//! spot-venue pool with liquidity, and an options pool, plus actors (LPs,
//! traders, keepers) with funded token accounts. Used by `oamm demo`, the
//! app's tests and the integration tests.
use crate::bank::{Bank, BankResult};
use crate::ix::{self, data, ix as oix, venue_data, venue_ix};
use crate::pda::{PoolKeys, SeriesKeys, VenueKeys};
use crate::pyth::PriceObservation;
use anchor_lang::prelude::Pubkey;
use options_amm::state::*;
use solana_sdk::signature::{Keypair, Signer};
use std::collections::HashMap;

/// SOL/USD on Pyth (hex 0xef0d8b6f...): the default feed of a demo pool.
pub const SOL_USD_FEED_ID: [u8; 32] = [
    0xef, 0x0d, 0x8b, 0x6f, 0xda, 0x2c, 0xeb, 0xa4, 0x1d, 0xa1, 0x5d, 0x40, 0x95, 0xd1, 0xda, 0x39, 0x2a, 0x0d, 0x2f,
    0x8e, 0xd0, 0xc6, 0xc7, 0xbc, 0x0f, 0x4c, 0xfa, 0xc8, 0xc2, 0x80, 0xb5, 0x6d,
];

/// Settlement grace of a new pool: Pyth's sponsored feeds push about once a
/// minute, so within 90 s of expiry one always lands and a keeper settles
/// from the feed account alone; the first settler's pick among the grace's
/// updates is worth ~0.11% of spot per contract at 80% vol (README).
pub const DEFAULT_SETTLEMENT_GRACE_S: u16 = 90;

/// Pool parameters a SOL/USDC pool can start with (Lyra v1's defaults where
/// they apply), for 9-decimal underlying and 6-decimal quote.
pub fn default_params(feed_id: [u8; 32], venue_pool: Pubkey) -> PoolParams {
    PoolParams {
        oracle: OracleParams {
            feed_id,
            max_price_age_s: 60,
            max_conf_bps: 200,
            settlement_window_s: 3600,
            settlement_grace_s: DEFAULT_SETTLEMENT_GRACE_S,
        },
        vol: VolParams {
            initial_base_iv_bps: 8000,
            initial_skew_bps: 10_000,
            min_base_iv_bps: 3500,
            max_base_iv_bps: 20_000,
            min_skew_bps: 5000,
            max_skew_bps: 15_000,
            skew_adjustment_bps: 7500,
            standard_size: 5_000_000_000,
            rate_bps: 0,
            // a one-sided day of flow fades over the next day or two; an
            // hour relaxes 2.8% of a move, so splitting an order saves little
            relax_half_life_s: 86_400,
        },
        fees: FeeConfig {
            option_price_fee_bps: 100,
            spot_price_fee_bps: 10,
            vega_fee_coef: 6_000_000,
            min_fee: 10_000,
            // half the expected hedging cost (with a cost-model hedge
            // policy): measured in `oamm flow`, the whole cost turns away
            // 16% of volume for -20% mean LP P&L, half of it -10% for -36%
            // P&L std; a gamma-reducing trade saves at most half its fees
            hedge_fee_bps: 5_000,
            hedge_rebate_cap_bps: 5_000,
        },
        risk: RiskParams {
            trading_cutoff_s: 12 * 3600,
            min_delta_bps: 1500,
            max_open_interest: 10_000_000_000_000,
            max_live_series: 16,
            max_move_bps: 3000,
            solvency_reserve_bps: 500,
            max_unhedged_delta: 2_000_000_000_000,
            stress_sigmas_bps: 20_000,
            stress_vol_shock_bps: 2_500,
            // per expiry: a 10-vol-point move costs at most 2.5% of NAV;
            // a 1% move shifts delta by at most 10% of NAV (a 10% gap costs
            // at most ~5% of NAV in gamma)
            max_board_vega_bps: 2_500,
            max_board_cash_gamma_bps: 1_000,
        },
        hedge: HedgeConfig {
            policy: HedgePolicyConfig::DeltaThreshold { band: 5_000_000_000 },
            min_band: 500_000_000,
            // at least the oracle age window: no ping-pong between two live updates
            cooldown_s: 60,
            // 100 SOL: a 20,000 SOL venue fills it well inside the 150 bps
            // bound; larger hedges split across calls
            max_trade: 100_000_000_000,
            retrace_bps: 0,
            max_slippage_bps: 150,
            venue_program: spot_venue::ID,
            venue_pool,
            keeper_reward_fixed: 50_000,
            keeper_reward_bps: 2,
            keeper_reward_cap: 2_000_000,
        },
        // a day to see a risky change coming and leave
        governance: GovernanceParams { timelock_s: 86_400 },
    }
}

#[derive(Clone, Debug)]
pub struct MarketConfig {
    pub underlying_decimals: u8,
    pub quote_decimals: u8,
    pub feed_id: [u8; 32],
    /// Oracle price, exponent -8.
    pub spot_e8: i64,
    /// None = `default_params` for this market.
    pub params: Option<PoolParams>,
    pub venue_fee_bps: u16,
    /// Venue liquidity in underlying base units; the quote side is matched at spot.
    pub venue_depth_underlying: u64,
}

impl Default for MarketConfig {
    fn default() -> Self {
        MarketConfig {
            underlying_decimals: 9,
            quote_decimals: 6,
            feed_id: SOL_USD_FEED_ID,
            spot_e8: 150_00000000,
            params: None,
            venue_fee_bps: 30,
            venue_depth_underlying: 20_000_000_000_000, // 20,000 SOL
        }
    }
}

/// A wallet with token accounts on this market's mints.
pub struct Actor {
    pub key: Keypair,
    pub quote: Pubkey,
    pub underlying: Pubkey,
    pub lp: Pubkey,
    /// Option token account per option mint.
    pub options: HashMap<Pubkey, Pubkey>,
}

impl Actor {
    pub fn pubkey(&self) -> Pubkey {
        self.key.pubkey()
    }
}

pub struct Market {
    pub admin: Keypair,
    pub mint_authority: Keypair,
    pub keys: PoolKeys,
    pub venue: VenueKeys,
    /// The Pyth price account this market reads.
    pub oracle: Pubkey,
    pub feed_id: [u8; 32],
    pub underlying_decimals: u8,
    pub quote_decimals: u8,
    /// The last price posted (exponent -8).
    pub spot_e8: i64,
    /// When the last price was published: the next update's prev_publish_time.
    pub last_publish_time: Option<i64>,
}

impl Market {
    /// Mints, oracle, venue with liquidity, options pool. The pool is empty:
    /// no LP deposit, no series.
    pub async fn create(bank: &mut Bank, cfg: &MarketConfig) -> BankResult<Market> {
        let admin = bank.funded_keypair(100).await?;
        let mint_authority = Keypair::new();
        let underlying_mint = bank.create_mint(&mint_authority.pubkey(), cfg.underlying_decimals).await?;
        let quote_mint = bank.create_mint(&mint_authority.pubkey(), cfg.quote_decimals).await?;
        let keys = PoolKeys::derive(underlying_mint, quote_mint, admin.pubkey());
        let venue = VenueKeys::derive(underlying_mint, quote_mint);
        let oracle = Pubkey::new_unique();
        let mut m = Market {
            admin,
            mint_authority,
            keys,
            venue,
            oracle,
            feed_id: cfg.feed_id,
            underlying_decimals: cfg.underlying_decimals,
            quote_decimals: cfg.quote_decimals,
            spot_e8: cfg.spot_e8,
            last_publish_time: None,
        };
        m.post_price(bank, cfg.spot_e8);

        // the spot venue, seeded at the oracle price
        let payer = bank.payer().pubkey();
        bank.process(
            &[venue_ix(ix::venue_create_pool(payer, &venue), venue_data::CreatePool { fee_bps: cfg.venue_fee_bps })],
            &[],
        )
        .await?;
        let params = cfg.params.clone().unwrap_or_else(|| default_params(cfg.feed_id, venue.venue_pool));
        bank.process(
            &[oix(ix::initialize_pool(m.admin.pubkey(), &keys), data::InitializePool { params })],
            &[&m.admin],
        )
        .await?;
        let lp = m.new_actor(bank, 0).await?;
        let quote_depth = m.quote_for(cfg.venue_depth_underlying, cfg.spot_e8);
        bank.mint_to(&underlying_mint, &m.mint_authority, &lp.underlying, cfg.venue_depth_underlying).await?;
        bank.mint_to(&quote_mint, &m.mint_authority, &lp.quote, quote_depth).await?;
        let venue_lp = bank.create_token_account(&venue.lp_mint, &lp.pubkey()).await?;
        bank.process(
            &[venue_ix(
                ix::venue_add_liquidity(lp.pubkey(), &venue, lp.underlying, lp.quote, venue_lp),
                venue_data::AddLiquidity {
                    max_amount_base: cfg.venue_depth_underlying,
                    max_amount_quote: quote_depth,
                    min_lp_out: 0,
                },
            )],
            &[&lp.key],
        )
        .await?;

        Ok(m)
    }

    /// Quote base units for `underlying_base` at an exponent -8 price (floor).
    pub fn quote_for(&self, underlying_base: u64, price_e8: i64) -> u64 {
        let v = underlying_base as u128 * price_e8 as u128 * 10u128.pow(self.quote_decimals as u32)
            / (100_000_000u128 * 10u128.pow(self.underlying_decimals as u32));
        v as u64
    }

    /// Post a fully verified price published now, chained to the previous
    /// post as a live feed's updates are (its prev_publish_time is the
    /// previous post's publish time).
    pub fn post_price(&mut self, bank: &mut Bank, price_e8: i64) {
        self.spot_e8 = price_e8;
        let now = bank.now();
        let mut o = PriceObservation::new(self.feed_id, price_e8, now);
        o.prev_publish_time = match self.last_publish_time {
            Some(t) if t < now => t,
            _ => now - 1,
        };
        self.last_publish_time = Some(now);
        bank.set_price(&self.oracle, &o);
    }

    /// Post an arbitrary observation (tests: stale, wide, partial, other feed).
    pub fn post_observation(&self, bank: &mut Bank, o: &PriceObservation) {
        bank.set_price(&self.oracle, o);
    }

    /// A funded wallet with quote, underlying and LP token accounts and
    /// `quote_amount` of quote.
    pub async fn new_actor(&self, bank: &mut Bank, quote_amount: u64) -> BankResult<Actor> {
        let key = bank.funded_keypair(10).await?;
        let owner = key.pubkey();
        let quote = bank.create_token_account(&self.keys.quote_mint, &owner).await?;
        let underlying = bank.create_token_account(&self.keys.underlying_mint, &owner).await?;
        let lp = bank.create_token_account(&self.keys.lp_mint, &owner).await?;
        if quote_amount > 0 {
            bank.mint_to(&self.keys.quote_mint, &self.mint_authority, &quote, quote_amount).await?;
        }
        Ok(Actor { key, quote, underlying, lp, options: HashMap::new() })
    }

    /// The actor's token account for a series' option mint (created on first use).
    pub async fn option_account(&self, bank: &mut Bank, actor: &mut Actor, s: &SeriesKeys) -> BankResult<Pubkey> {
        if let Some(a) = actor.options.get(&s.option_mint) {
            return Ok(*a);
        }
        let a = bank.create_token_account(&s.option_mint, &actor.pubkey()).await?;
        actor.options.insert(s.option_mint, a);
        Ok(a)
    }

    pub async fn list_series(
        &self,
        bank: &mut Bank,
        strike_quote: u64,
        expiry: i64,
        kind: Kind,
    ) -> BankResult<SeriesKeys> {
        let s = SeriesKeys::derive(&self.keys.pool, expiry, strike_quote, kind);
        bank.process(
            &[oix(
                ix::create_series(self.admin.pubkey(), &self.keys, &s),
                data::CreateSeries { strike_quote, expiry, kind },
            )],
            &[&self.admin],
        )
        .await?;
        Ok(s)
    }

    pub async fn deposit(&self, bank: &mut Bank, a: &Actor, quote_amount: u64, min_lp_out: u64) -> BankResult<()> {
        let acc = ix::deposit(a.pubkey(), &self.keys, self.oracle, a.quote, a.lp);
        bank.process(&[oix(acc, data::Deposit { quote_amount, min_lp_out })], &[&a.key]).await
    }

    pub async fn withdraw(&self, bank: &mut Bank, a: &Actor, lp_amount: u64, min_quote_out: u64) -> BankResult<()> {
        let acc = ix::withdraw(a.pubkey(), &self.keys, self.oracle, a.lp, a.quote);
        bank.process(&[oix(acc, data::Withdraw { lp_amount, min_quote_out })], &[&a.key]).await
    }

    pub async fn buy(
        &self,
        bank: &mut Bank,
        a: &mut Actor,
        s: &SeriesKeys,
        contracts: u64,
        max_total_cost: u64,
    ) -> BankResult<()> {
        let options = self.option_account(bank, a, s).await?;
        let acc = ix::trade(a.pubkey(), &self.keys, s, self.oracle, a.quote, options);
        bank.process(&[oix(acc, data::Buy { contracts, max_total_cost })], &[&a.key]).await
    }

    pub async fn sell(
        &self,
        bank: &mut Bank,
        a: &mut Actor,
        s: &SeriesKeys,
        contracts: u64,
        min_total_proceeds: u64,
    ) -> BankResult<()> {
        let options = self.option_account(bank, a, s).await?;
        let acc = ix::trade(a.pubkey(), &self.keys, s, self.oracle, a.quote, options);
        bank.process(&[oix(acc, data::Sell { contracts, min_total_proceeds })], &[&a.key]).await
    }

    pub async fn refresh(&self, bank: &mut Bank) -> BankResult<()> {
        bank.process(&[oix(ix::refresh_greeks(&self.keys, self.oracle), data::RefreshGreeks {})], &[]).await
    }

    pub async fn rebalance(&self, bank: &mut Bank, keeper: &Actor) -> BankResult<()> {
        let acc = ix::rebalance(keeper.pubkey(), &self.keys, self.oracle, keeper.quote, &self.venue);
        bank.process(&[oix(acc, data::Rebalance {})], &[&keeper.key]).await
    }

    /// Swap on the venue as an outside trader (moves the venue's price).
    pub async fn venue_swap(&self, bank: &mut Bank, a: &Actor, amount_in: u64, base_to_quote: bool) -> BankResult<()> {
        let (src, dst) = if base_to_quote { (a.underlying, a.quote) } else { (a.quote, a.underlying) };
        let acc = ix::venue_swap(a.pubkey(), &self.venue, src, dst, base_to_quote);
        bank.process(&[venue_ix(acc, venue_data::Swap { amount_in, minimum_amount_out: 0 })], &[&a.key]).await
    }

    /// Trade the venue to the oracle price, as arbitrageurs keep it on a
    /// live chain (the tests and the demo have no other traders there). The
    /// arbitrageur is minted what it needs. Client-side sizing in f64: the
    /// venue's integer maths decides the exact amounts.
    pub async fn align_venue(&self, bank: &mut Bank, arb: &Actor) -> BankResult<()> {
        let v = self.venue_pool(bank).await?;
        let (base, quote) = (v.reserve_base as f64, v.reserve_quote as f64);
        // oracle price in quote base units per underlying base unit
        let price =
            self.spot_e8 as f64 / 1e8 * 10f64.powi(self.quote_decimals as i32 - self.underlying_decimals as i32);
        let k = base * quote;
        let keep = 1.0 - v.fee_bps as f64 / 10_000.0;
        let base_target = (k / price).sqrt();
        if base_target < base * (1.0 - 1e-5) {
            // the venue is cheap: buy underlying with quote
            let quote_in = (((k * price).sqrt() - quote) / keep).ceil() as u64;
            bank.mint_to(&self.keys.quote_mint, &self.mint_authority, &arb.quote, quote_in).await?;
            self.venue_swap(bank, arb, quote_in, false).await?;
        } else if base_target > base * (1.0 + 1e-5) {
            let base_in = ((base_target - base) / keep).ceil() as u64;
            bank.mint_to(&self.keys.underlying_mint, &self.mint_authority, &arb.underlying, base_in).await?;
            self.venue_swap(bank, arb, base_in, true).await?;
        }
        Ok(())
    }

    pub async fn venue_pool(&self, bank: &mut Bank) -> BankResult<spot_venue::state::VenuePool> {
        bank.anchor(&self.venue.venue_pool).await
    }

    pub async fn settle(&self, bank: &mut Bank, s: &SeriesKeys) -> BankResult<()> {
        bank.process(&[oix(ix::settle_series(&self.keys, s, self.oracle), data::SettleSeries {})], &[]).await
    }

    pub async fn redeem(&self, bank: &mut Bank, a: &mut Actor, s: &SeriesKeys, contracts: u64) -> BankResult<()> {
        let options = self.option_account(bank, a, s).await?;
        let acc = ix::redeem(a.pubkey(), &self.keys, s, options, a.quote);
        bank.process(&[oix(acc, data::Redeem { contracts })], &[&a.key]).await
    }

    pub async fn close_series(&self, bank: &mut Bank, s: &SeriesKeys) -> BankResult<()> {
        bank.process(&[oix(ix::close_series(&self.keys, s, self.admin.pubkey()), data::CloseSeries {})], &[]).await
    }

    pub async fn set_paused(&self, bank: &mut Bank, paused: u8) -> BankResult<()> {
        bank.process(
            &[oix(ix::set_paused(self.admin.pubkey(), &self.keys), data::SetPaused { paused })],
            &[&self.admin],
        )
        .await
    }

    pub async fn update_params(&self, bank: &mut Bank, params: PoolParams) -> BankResult<()> {
        bank.process(
            &[oix(ix::admin_params(self.admin.pubkey(), &self.keys), data::UpdatePoolParams { params })],
            &[&self.admin],
        )
        .await
    }

    /// Announce a change the timelock guards.
    pub async fn propose_params(&self, bank: &mut Bank, params: PoolParams) -> BankResult<()> {
        bank.process(
            &[oix(ix::propose_params(self.admin.pubkey(), &self.keys), data::ProposePoolParams { params })],
            &[&self.admin],
        )
        .await
    }

    pub async fn apply_params(&self, bank: &mut Bank) -> BankResult<()> {
        bank.process(
            &[oix(ix::apply_params(self.admin.pubkey(), &self.keys), data::ApplyPoolParams {})],
            &[&self.admin],
        )
        .await
    }

    /// Any change (tests, set-up): at once when it may apply at once, else
    /// proposed, the bank's clock moved past the timelock, the last price
    /// posted again at the new time, and applied.
    pub async fn change_params(&mut self, bank: &mut Bank, params: PoolParams) -> BankResult<()> {
        let current = self.pool(bank).await?.params;
        if params.is_immediate_change_from(&current) {
            return self.update_params(bank, params).await;
        }
        self.propose_params(bank, params).await?;
        bank.advance(current.governance.timelock_s as i64);
        self.post_price(bank, self.spot_e8);
        self.apply_params(bank).await
    }

    pub async fn pool(&self, bank: &mut Bank) -> BankResult<Pool> {
        bank.anchor(&self.keys.pool).await
    }

    pub async fn series(&self, bank: &mut Bank, s: &SeriesKeys) -> BankResult<Series> {
        bank.anchor(&s.series).await
    }

    pub async fn cache(&self, bank: &mut Bank) -> BankResult<Box<GreekCache>> {
        bank.greek_cache(&self.keys.greek_cache).await
    }
}
