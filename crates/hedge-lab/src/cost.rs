//! What one hedge trade costs: a fixed cost per transaction (network fee and
//! the keeper's fixed reward), a proportional fee, and the price impact of
//! filling it on a constant-product venue.
//!
//! The venue is a constant-product pool x * y = L^2 that arbitrageurs keep
//! at the oracle price between decisions (so its reserves at spot S are
//! x = L / sqrt(S), y = L sqrt(S)): the hedge trade pays the pool's marginal
//! price move, S q^2 / (x - q) for a buy and S q^2 / (x + q) for a sale,
//! quadratic in q to leading order. The same pool maths measures LVR in the
//! validation gate, so the gate checks the venue model the costs use.
use crate::{config_err, LabError, Result};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CostModel {
    /// Quote paid per hedge transaction regardless of size.
    pub fixed_per_trade: f64,
    /// Proportional fee on the traded notional, basis points.
    pub fee_bps: f64,
    /// Venue value (both reserves) at the starting spot, quote; 0 = no price
    /// impact (infinitely deep venue).
    pub venue_tvl: f64,
    /// Spot at which `venue_tvl` is measured (fixes the pool's L).
    pub venue_spot: f64,
}

impl CostModel {
    pub fn fee_only(fee_bps: f64) -> Self {
        CostModel { fixed_per_trade: 0.0, fee_bps, venue_tvl: 0.0, venue_spot: 1.0 }
    }

    pub fn check(&self) -> Result<()> {
        if !(self.fixed_per_trade >= 0.0) || !self.fixed_per_trade.is_finite() {
            return config_err("--fixed-cost must be >= 0");
        }
        if !(self.fee_bps >= 0.0) || self.fee_bps >= 10_000.0 {
            return config_err("--fee-bps must be in [0, 10000)");
        }
        if !(self.venue_tvl >= 0.0) || !self.venue_tvl.is_finite() {
            return config_err("--venue-tvl must be >= 0 (0 = no price impact)");
        }
        if self.venue_tvl > 0.0 && !(self.venue_spot > 0.0) {
            return config_err("the venue's reference spot must be positive");
        }
        Ok(())
    }

    /// Constant-product liquidity L = sqrt(x y), or None for no impact.
    fn liquidity(&self) -> Option<f64> {
        (self.venue_tvl > 0.0).then(|| self.venue_tvl / (2.0 * self.venue_spot.sqrt()))
    }

    pub fn has_impact(&self) -> bool {
        self.venue_tvl > 0.0
    }

    /// Cost of trading `trade` units of underlying (+ buy, - sell) at `spot`,
    /// quote, never negative.
    pub fn trade_cost(&self, trade: f64, spot: f64) -> Result<f64> {
        let size = trade.abs();
        let fee = self.fee_bps * 1e-4 * size * spot;
        let impact = match self.liquidity() {
            None => 0.0,
            Some(l) => ConstantProduct::at_price(l, spot).impact_cost(trade)?,
        };
        Ok(self.fixed_per_trade + fee + impact)
    }
}

/// A constant-product pool (no fee): reserves of underlying and quote.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConstantProduct {
    pub reserve_underlying: f64,
    pub reserve_quote: f64,
}

impl ConstantProduct {
    /// The pool of liquidity `l` (= sqrt(x y)) whose price is `price`.
    pub fn at_price(l: f64, price: f64) -> Self {
        let root = price.sqrt();
        ConstantProduct { reserve_underlying: l / root, reserve_quote: l * root }
    }

    pub fn price(&self) -> f64 {
        self.reserve_quote / self.reserve_underlying
    }

    /// Value of the reserves at an outside price, quote.
    pub fn value(&self, price: f64) -> f64 {
        self.reserve_underlying * price + self.reserve_quote
    }

    /// Quote in for `q` underlying out; the pool keeps x y constant.
    pub fn buy_underlying(&mut self, q: f64) -> Result<f64> {
        if q >= self.reserve_underlying {
            return Err(LabError::VenueTooShallow { trade: q, reserve: self.reserve_underlying });
        }
        let quote_in = self.reserve_quote * q / (self.reserve_underlying - q);
        self.reserve_underlying -= q;
        self.reserve_quote += quote_in;
        Ok(quote_in)
    }

    /// Quote out for `q` underlying in.
    pub fn sell_underlying(&mut self, q: f64) -> f64 {
        let quote_out = self.reserve_quote * q / (self.reserve_underlying + q);
        self.reserve_underlying += q;
        self.reserve_quote -= quote_out;
        quote_out
    }

    /// What a trade of `trade` underlying (+ buy) pays beyond the pool's
    /// price before it: S q^2/(x - q) for a buy, S q^2/(x + q) for a sale.
    pub fn impact_cost(&self, trade: f64) -> Result<f64> {
        let mut pool = *self;
        let price = self.price();
        if trade > 0.0 {
            Ok(pool.buy_underlying(trade)? - price * trade)
        } else {
            Ok(-trade * price - pool.sell_underlying(-trade))
        }
    }

    /// Let an arbitrageur move the pool to `price` and return the
    /// arbitrageur's profit at that price: the LP's loss-versus-rebalancing
    /// for this step.
    pub fn arbitrage_to(&mut self, price: f64) -> Result<f64> {
        let target_underlying = (self.reserve_underlying * self.reserve_quote).sqrt() / price.sqrt();
        let q = self.reserve_underlying - target_underlying;
        if q > 0.0 {
            // pool too cheap: buy underlying from it, sell outside
            Ok(q * price - self.buy_underlying(q)?)
        } else {
            let received = self.sell_underlying(-q);
            Ok(received + q * price)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fee_and_fixed_cost() {
        let c = CostModel { fixed_per_trade: 0.5, fee_bps: 30.0, venue_tvl: 0.0, venue_spot: 150.0 };
        assert!((c.trade_cost(10.0, 150.0).unwrap() - (0.5 + 4.5)).abs() < 1e-12);
        assert!((c.trade_cost(-10.0, 150.0).unwrap() - (0.5 + 4.5)).abs() < 1e-12);
    }

    #[test]
    fn impact_is_the_constant_product_formula_and_quadratic() {
        // TVL 3,000,000 at 150: x = 10,000, y = 1,500,000.
        let c = CostModel { fixed_per_trade: 0.0, fee_bps: 0.0, venue_tvl: 3_000_000.0, venue_spot: 150.0 };
        let buy = c.trade_cost(100.0, 150.0).unwrap();
        assert!((buy - 150.0 * 100.0 * 100.0 / 9_900.0).abs() < 1e-6, "{buy}");
        let sell = c.trade_cost(-100.0, 150.0).unwrap();
        assert!((sell - 150.0 * 100.0 * 100.0 / 10_100.0).abs() < 1e-6, "{sell}");
        // doubling a small trade ~quadruples the impact
        let small = c.trade_cost(1.0, 150.0).unwrap();
        let double = c.trade_cost(2.0, 150.0).unwrap();
        assert!((double / small - 4.0).abs() < 0.001);
        // at another spot the same L has x = L / sqrt(S)
        let l = 3_000_000.0 / (2.0 * 150f64.sqrt());
        let x = l / 600f64.sqrt();
        let at_600 = c.trade_cost(10.0, 600.0).unwrap();
        assert!((at_600 - 600.0 * 100.0 / (x - 10.0)).abs() < 1e-6);
        let too_big = c.trade_cost(20_000.0, 150.0).unwrap_err();
        assert!(too_big.to_string().contains("--venue-tvl"));
    }

    #[test]
    fn arbitrage_moves_the_pool_to_the_price_and_profits() {
        let mut pool = ConstantProduct::at_price(1000.0, 100.0);
        let k = pool.reserve_underlying * pool.reserve_quote;
        let v_before = pool.value(121.0);
        let profit = pool.arbitrage_to(121.0).unwrap();
        assert!((pool.price() - 121.0).abs() < 1e-9);
        assert!((pool.reserve_underlying * pool.reserve_quote / k - 1.0).abs() < 1e-12);
        // the LP's loss equals the arbitrageur's profit (no fee)
        assert!((v_before - pool.value(121.0) - profit).abs() < 1e-6);
        // closed form: x0 S' + y0 - 2 L sqrt(S') = 100*121 + 10000 - 2*1000*11
        assert!((profit - (12_100.0 + 10_000.0 - 22_000.0)).abs() < 1e-6, "{profit}");
        let back = pool.arbitrage_to(81.0).unwrap();
        assert!(back > 0.0 && (pool.price() - 81.0).abs() < 1e-9);
    }

    #[test]
    fn bad_cost_parameters_are_rejected() {
        assert!(CostModel { fee_bps: -1.0, ..CostModel::fee_only(0.0) }.check().is_err());
        assert!(CostModel { fixed_per_trade: f64::NAN, ..CostModel::fee_only(0.0) }.check().is_err());
        assert!(CostModel { venue_tvl: -5.0, ..CostModel::fee_only(0.0) }.check().is_err());
        assert!(CostModel::fee_only(30.0).check().is_ok());
    }
}
