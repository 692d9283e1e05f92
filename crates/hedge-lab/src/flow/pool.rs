//! The pool: its listed series, vol surface, greek cache, hedge and cash.
//!
//! Trades are priced by `options_math::amm::quote_trade`, the function the
//! program runs, on the inputs the program would give it: the board's base
//! IV and the series' skew, the pool's net short, the cached vega and gamma
//! per contract, the pool's |net vega| (quote base units per 1.00 of vol),
//! net gamma (underlying base units per unit of spot) and NAV, at 9/6
//! decimals. The program's trading rules that apply here are applied: the
//! 12 h cut-off, the min-delta band on buys, sells only up to the net short.
//!
//! Simplifications (the same in every run, so they do not favour a fee
//! setting): the cache is marked at the trading IV (the program's mark IV
//! follows it over an hour); the solvency stress, the open-interest cap and
//! the unhedgeable-delta cap are not checked; a sale's proceeds are not
//! limited by the vault; the hedge is valued at spot.
use super::traders::{Arrival, CONTRACT};
use crate::cost::CostModel;
use crate::{LabError, Result};
use options_math::amm::VolSurfaceParams;
use options_math::amm::{quote_trade, relax_toward, FeeParams, HedgeFeeParams, Side, TradeInputs, TradeQuote};
use options_math::bs::{book_greeks, BookGreeks};
use options_math::hedge::{decide, HedgeInputs, HedgeLimits, HedgePolicy};
use options_math::units::Decimals;
use options_math::{OptionKind, I80F48};
use serde::Serialize;

pub const SECONDS_PER_YEAR: i64 = 365 * 86_400;

/// The program's rules a pool trades under.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoolRules {
    pub vol: VolSurfaceParams,
    pub fees: FeeParams,
    pub initial_base_iv: I80F48,
    pub initial_skew: I80F48,
    pub rate: I80F48,
    pub trading_cutoff_s: i64,
    /// Buys need call delta in [min_delta, 1 - min_delta].
    pub min_delta: I80F48,
    /// Half-life of the surface's relaxation toward its listing values,
    /// seconds; 0 = none (the client deploys a day).
    pub relax_half_life_s: u32,
}

impl PoolRules {
    /// The values `oamm_sdk::market::default_params` deploys (Lyra v1's
    /// surface, fees 1% of premium + 0.1% of spot + vega 6 quote per
    /// contract, min fee 0.01, 12 h cut-off, min delta 0.15, a surface
    /// relaxing with a one-day half-life), converted the
    /// program's way (bps / 10,000, one truncating division). The app builds
    /// its rules from the SDK itself; its test checks they are these.
    pub fn program_defaults() -> PoolRules {
        let bps = |b: u64| options_math::units::div_by_int(I80F48::from_num(b), 10_000);
        PoolRules {
            vol: VolSurfaceParams {
                standard_size: 5 * CONTRACT,
                skew_adjustment: bps(7500),
                min_base_iv: bps(3500),
                max_base_iv: bps(20_000),
                min_skew: bps(5000),
                max_skew: bps(15_000),
            },
            fees: FeeParams {
                option_price_fee: bps(100),
                spot_price_fee: bps(10),
                vega_fee_coef: I80F48::from_num(6),
                min_fee: 10_000,
            },
            initial_base_iv: bps(8000),
            initial_skew: bps(10_000),
            rate: I80F48::ZERO,
            trading_cutoff_s: 12 * 3600,
            min_delta: bps(1500),
            relax_half_life_s: 86_400,
        }
    }
}

/// How the pool hedges: the WW band (the program's `decide`), and what a
/// swap costs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct HedgeModel {
    /// The policy's cost estimate (and the hedge fee's), fraction of notional.
    pub cost: f64,
    pub risk_aversion: f64,
    /// Band floor and per-call cap, units of underlying (0 = no cap).
    pub min_band: f64,
    pub max_trade: f64,
    /// What a swap really costs: venue fee and price impact.
    pub costs: CostModel,
}

impl HedgeModel {
    /// The fee's expected hedging cost rate C(G), quote a year, in f64:
    /// k S (G S sigma)^2 / 2H, H = max((1.5 k S G^2 / lambda)^(1/3), floor).
    pub fn cost_rate(&self, spot: f64, sigma: f64, gamma: f64) -> f64 {
        let k = self.cost;
        let h = (1.5 * k * spot * gamma * gamma / self.risk_aversion).cbrt().max(self.min_band);
        if !(gamma > 0.0) || !(h > 0.0) {
            return 0.0;
        }
        k * spot * (gamma * spot * sigma).powi(2) / (2.0 * h)
    }

    pub fn fee_params(&self, share: f64, rebate_cap: f64) -> HedgeFeeParams {
        HedgeFeeParams {
            cost: I80F48::from_num(self.cost),
            risk_aversion: I80F48::from_num(self.risk_aversion),
            min_band: I80F48::from_num(self.min_band),
            share: I80F48::from_num(share),
            rebate_cap: I80F48::from_num(rebate_cap),
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Series {
    pub kind: OptionKind,
    pub strike: I80F48,
    pub expiry_s: i64,
    pub board: usize,
    pub skew: I80F48,
    /// Contracts the pool wrote, base units.
    pub net_short: u64,
    /// Price and greeks per contract at the last refresh (or trade).
    pub greeks: BookGreeks,
    pub settled: bool,
}

/// Every quote amount the pool books, quote whole units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Ledger {
    pub capital: f64,
    /// Premiums received on buys minus premiums paid on sells.
    pub premiums: f64,
    /// Fees retained (each trade's premium-to-total difference).
    pub fees: f64,
    /// The fee parts of the trades that happened (unrounded; hedge part
    /// as charged/rebated).
    pub option_fee: f64,
    pub spot_fee: f64,
    pub vega_fee: f64,
    pub hedge_fee_charged: f64,
    pub hedge_fee_rebated: f64,
    /// Paid to holders at expiry.
    pub payouts: f64,
    /// Minus the notional of hedge swaps at spot (sum of -trade x S).
    pub hedge_cash: f64,
    /// Hedge gains: sum over steps of hedge x (S_next - S).
    pub hedge_pnl: f64,
    /// Venue fee and price impact of the hedge swaps.
    pub hedge_cost: f64,
    pub hedge_trades: u32,
}

impl Ledger {
    pub fn cash(&self) -> f64 {
        self.capital + self.premiums + self.fees - self.payouts + self.hedge_cash - self.hedge_cost
    }
}

/// What the pool answered a trader.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Answer {
    Traded {
        side: Side,
        contracts: u64,
        /// Premium and fee, quote base units.
        premium: u64,
        fee: u64,
    },
    /// The quote was worse than his reservation.
    Walked { side: Side, contracts: u64 },
    /// Past the cut-off everywhere, or outside the delta band.
    Refused,
    /// A seller, and the pool is short nothing he could sell.
    NoInventory,
}

pub struct Pool {
    pub series: Vec<Series>,
    pub base_iv: Vec<I80F48>,
    /// Underlying held, whole units.
    pub hedge: I80F48,
    pub ledger: Ledger,
    /// sum quote_value(vega, net_short): quote base units per 1.00 of vol.
    pub net_vega: I80F48,
    /// sum gamma x net_short: underlying base units per unit of spot.
    pub net_gamma: I80F48,
    /// sum delta x net_short: underlying base units (the hedge target, unclamped).
    pub net_delta: I80F48,
    pub rules: PoolRules,
    pub hedge_fee: Option<HedgeFeeParams>,
    pub decimals: Decimals,
}

fn math(context: &'static str) -> impl Fn(options_math::MathError) -> LabError + Copy {
    LabError::math(context)
}

impl Pool {
    /// Every kind at every strike for every expiry, all at the listing IV.
    pub fn new(
        rules: PoolRules,
        hedge_fee: Option<HedgeFeeParams>,
        capital: f64,
        expiries_s: &[i64],
        strikes: &[f64],
    ) -> Pool {
        let mut series = Vec::new();
        for (board, &expiry_s) in expiries_s.iter().enumerate() {
            for &k in strikes {
                for kind in [OptionKind::Call, OptionKind::Put] {
                    series.push(Series {
                        kind,
                        strike: I80F48::from_num(k),
                        expiry_s,
                        board,
                        skew: rules.initial_skew,
                        net_short: 0,
                        greeks: BookGreeks {
                            price: I80F48::ZERO,
                            delta: I80F48::ZERO,
                            gamma: I80F48::ZERO,
                            vega: I80F48::ZERO,
                        },
                        settled: false,
                    });
                }
            }
        }
        Pool {
            series,
            base_iv: vec![rules.initial_base_iv; expiries_s.len()],
            hedge: I80F48::ZERO,
            ledger: Ledger { capital, ..Ledger::default() },
            net_vega: I80F48::ZERO,
            net_gamma: I80F48::ZERO,
            net_delta: I80F48::ZERO,
            rules,
            hedge_fee,
            decimals: Decimals::new(9, 6).expect("9/6 decimals"),
        }
    }

    pub fn t_years(expiry_s: i64, now_s: i64) -> I80F48 {
        options_math::units::div_by_int(I80F48::from_num(expiry_s - now_s), SECONDS_PER_YEAR as u32)
    }

    pub fn trade_iv(&self, s: &Series) -> I80F48 {
        self.base_iv[s.board] * s.skew
    }

    /// Pay what every series expiring by `now_s` owes at `spot`.
    pub fn settle_expired(&mut self, now_s: i64, spot: f64) {
        for s in self.series.iter_mut().filter(|s| !s.settled && s.expiry_s <= now_s) {
            let k = s.strike.to_num::<f64>();
            let payoff = match s.kind {
                OptionKind::Call => (spot - k).max(0.0),
                OptionKind::Put => (k - spot).max(0.0),
            };
            self.ledger.payouts += payoff * s.net_short as f64 / CONTRACT as f64;
            s.net_short = 0;
            s.settled = true;
        }
    }

    /// Move the surface toward its listing values for `elapsed_s`.
    pub fn relax(&mut self, factor: I80F48) -> Result<()> {
        let (iv0, skew0) = (self.rules.initial_base_iv, self.rules.initial_skew);
        for b in self.base_iv.iter_mut() {
            *b = relax_toward(*b, iv0, factor).map_err(math("relax"))?;
        }
        for s in self.series.iter_mut() {
            s.skew = relax_toward(s.skew, skew0, factor).map_err(math("relax"))?;
        }
        Ok(())
    }

    /// Reprice the series the pool is short at `spot` and `now_s`.
    pub fn refresh(&mut self, spot: I80F48, now_s: i64) -> Result<()> {
        for i in 0..self.series.len() {
            let s = self.series[i];
            if s.settled || s.net_short == 0 {
                continue;
            }
            let iv = self.trade_iv(&s);
            let t = Self::t_years(s.expiry_s, now_s);
            self.series[i].greeks =
                book_greeks(s.kind, spot, s.strike, t, iv, self.rules.rate).map_err(math("refresh"))?;
        }
        self.aggregate()
    }

    fn aggregate(&mut self) -> Result<()> {
        let (mut vega, mut gamma, mut delta) = (I80F48::ZERO, I80F48::ZERO, I80F48::ZERO);
        for s in self.series.iter().filter(|s| !s.settled && s.net_short > 0) {
            let n = I80F48::from_num(s.net_short);
            vega += self.decimals.quote_value_fixed(s.greeks.vega, n).map_err(math("aggregate"))?;
            gamma += s.greeks.gamma * n;
            delta += s.greeks.delta * n;
        }
        (self.net_vega, self.net_gamma, self.net_delta) = (vega, gamma, delta);
        Ok(())
    }

    /// Value of what the pool is short at the cached prices, quote whole.
    pub fn liability(&self) -> f64 {
        self.series
            .iter()
            .filter(|s| !s.settled)
            .map(|s| s.greeks.price.to_num::<f64>() * s.net_short as f64 / CONTRACT as f64)
            .sum()
    }

    pub fn nav(&self, spot: f64) -> f64 {
        self.ledger.cash() + self.hedge.to_num::<f64>() * spot - self.liability()
    }

    /// Indices of the series that still trade at `now_s`.
    fn tradable(&self, now_s: i64) -> impl Iterator<Item = usize> + '_ {
        let cutoff = self.rules.trading_cutoff_s;
        (0..self.series.len()).filter(move |&i| !self.series[i].settled && now_s < self.series[i].expiry_s - cutoff)
    }

    /// The program's quote for a trade on series `i`.
    pub fn quote(&self, i: usize, side: Side, contracts: u64, spot: I80F48, now_s: i64) -> Result<TradeQuote> {
        let s = &self.series[i];
        let nav = self.nav(spot.to_num::<f64>());
        if !(nav > 0.0) {
            return crate::config_err("the pool is insolvent (NAV <= 0): raise --capital");
        }
        quote_trade(&TradeInputs {
            kind: s.kind,
            side,
            contracts,
            spot,
            strike: s.strike,
            t_years: Self::t_years(s.expiry_s, now_s),
            rate: self.rules.rate,
            base_iv: self.base_iv[s.board],
            skew: s.skew,
            net_short: s.net_short,
            series_vega: s.greeks.vega,
            series_gamma: s.greeks.gamma,
            pool_net_vega: self.net_vega,
            pool_net_gamma: self.net_gamma,
            nav: (nav * 1e6) as u64,
            decimals: self.decimals,
            vol: self.rules.vol,
            fees: self.rules.fees,
            hedge_fee: self.hedge_fee,
        })
        .map_err(math("quote_trade"))
    }

    /// A trader arrives: quote him, and book the trade if he takes it.
    pub fn offer(&mut self, a: &Arrival, spot: I80F48, now_s: i64) -> Result<Answer> {
        let (i, side, contracts) = if a.buy {
            let c: Vec<usize> = self.tradable(now_s).collect();
            if c.is_empty() {
                return Ok(Answer::Refused);
            }
            (c[a.choose(c.len())], Side::Buy, a.contracts)
        } else {
            let c: Vec<usize> = self.tradable(now_s).filter(|&i| self.series[i].net_short > 0).collect();
            if c.is_empty() {
                return Ok(Answer::NoInventory);
            }
            let i = c[a.choose(c.len())];
            (i, Side::Sell, a.contracts.min(self.series[i].net_short))
        };
        let q = self.quote(i, side, contracts, spot, now_s)?;
        let s = self.series[i];
        if side == Side::Buy {
            let call_delta = match s.kind {
                OptionKind::Call => q.greeks.delta,
                OptionKind::Put => q.greeks.delta + I80F48::ONE,
            };
            let min = self.rules.min_delta;
            if call_delta < min || call_delta > I80F48::ONE - min {
                return Ok(Answer::Refused);
            }
        }
        let t = Self::t_years(s.expiry_s, now_s);
        let fair = book_greeks(s.kind, spot, s.strike, t, I80F48::from_num(a.true_vol), self.rules.rate)
            .map_err(math("fair value"))?
            .price
            .to_num::<f64>();
        if !a.accepts(q.total, contracts, fair, self.decimals.quote) {
            return Ok(Answer::Walked { side, contracts });
        }
        self.book(i, side, &q)?;
        Ok(Answer::Traded { side, contracts, premium: q.premium, fee: q.fee })
    }

    /// Book an accepted trade: the surface, the position, the cache, the cash.
    pub fn book(&mut self, i: usize, side: Side, q: &TradeQuote) -> Result<()> {
        let board = self.series[i].board;
        self.base_iv[board] = q.iv.base_iv;
        let s = &mut self.series[i];
        s.skew = q.iv.skew;
        s.net_short = q.net_short_after;
        s.greeks = q.greeks;
        self.aggregate()?;
        let l = &mut self.ledger;
        let unit = 1e-6;
        let (premium, total) = (q.premium as f64 * unit, q.total as f64 * unit);
        match side {
            Side::Buy => {
                l.premiums += premium;
                l.fees += total - premium;
            }
            Side::Sell => {
                l.premiums -= premium;
                l.fees += premium - total;
            }
        }
        l.option_fee += q.option_fee.to_num::<f64>() * unit;
        l.spot_fee += q.spot_fee.to_num::<f64>() * unit;
        l.vega_fee += q.vega_fee.to_num::<f64>() * unit;
        if q.hedge_fee >= 0 {
            l.hedge_fee_charged += q.hedge_fee as f64 * unit;
        } else {
            l.hedge_fee_rebated += -q.hedge_fee as f64 * unit;
        }
        Ok(())
    }

    /// One rebalance: the program's `decide` with the WW band on the pool's
    /// net gamma, target = net delta clamped at 0 (the vault cannot go short).
    pub fn rebalance(&mut self, hedge: &HedgeModel, spot: I80F48, now_s: i64) -> Result<()> {
        let d = self.decimals;
        let target = d.underlying_whole(self.net_delta).map_err(math("rebalance"))?.max(I80F48::ZERO);
        let gamma = d.underlying_whole(self.net_gamma).map_err(math("rebalance"))?;
        let tau = self
            .series
            .iter()
            .filter(|s| !s.settled && s.net_short > 0)
            .map(|s| Self::t_years(s.expiry_s, now_s))
            .max()
            .unwrap_or(I80F48::ZERO);
        let policy = HedgePolicy::WhalleyWilmott {
            cost: I80F48::from_num(hedge.cost),
            risk_aversion: I80F48::from_num(hedge.risk_aversion),
        };
        let limits = HedgeLimits::new(I80F48::from_num(hedge.min_band), I80F48::from_num(hedge.max_trade));
        let inputs =
            HedgeInputs { hedge: self.hedge, target, gamma, spot, tau_years: tau, rate: self.rules.rate, buckets: &[] };
        if let Some(dec) = decide(&policy, &limits, &inputs).map_err(math("decide"))? {
            let (trade, s) = (dec.trade.to_num::<f64>(), spot.to_num::<f64>());
            self.ledger.hedge_cash -= trade * s;
            self.ledger.hedge_cost += hedge.costs.trade_cost(trade, s)?;
            self.ledger.hedge_trades += 1;
            self.hedge = dec.new_hedge;
        }
        Ok(())
    }
}
