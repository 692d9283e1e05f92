//! Settlement: what one contract pays and what the pool reserves for all of
//! them.
use crate::manager::solvency::payoff;
use options_math::units::{Decimals, Rounding};
use options_math::{MathError, OptionKind, I80F48};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settlement {
    pub payoff_per_contract: I80F48,
    /// Quote reserved for every outstanding contract, rounded up; each
    /// redemption pays floor(payoff x contracts), so the reserve always
    /// covers the sum of what holders can claim.
    pub reserve: u64,
}

pub fn settle(
    kind: OptionKind,
    strike: I80F48,
    price: I80F48,
    open_interest: u64,
    d: Decimals,
) -> Result<Settlement, MathError> {
    let payoff_per_contract = payoff(kind, strike, price);
    let reserve = d.quote_value(payoff_per_contract, open_interest, Rounding::Up)?;
    Ok(Settlement { payoff_per_contract, reserve })
}

/// What redeeming `contracts` pays, rounded down.
pub fn redemption(payoff_per_contract: I80F48, contracts: u64, d: Decimals) -> Result<u64, MathError> {
    d.quote_value(payoff_per_contract, contracts, Rounding::Down)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const D: Decimals = Decimals { underlying: 9, quote: 6 };

    #[test]
    fn itm_and_otm_payoffs() {
        let s = settle(OptionKind::Call, I80F48::from_num(150), I80F48::from_num(160), 2_500_000_000, D).unwrap();
        assert_eq!((s.payoff_per_contract, s.reserve), (I80F48::from_num(10), 25_000_000));
        let s = settle(OptionKind::Put, I80F48::from_num(150), I80F48::from_num(160), 2_500_000_000, D).unwrap();
        assert_eq!((s.payoff_per_contract, s.reserve), (I80F48::ZERO, 0));
        let s = settle(OptionKind::Put, I80F48::from_num(150), I80F48::from_num(140), 3, D).unwrap();
        assert_eq!(s.reserve, 1, "3 lamports x 10 USDC = 0.00003 USDC, reserved as 1 base unit");
        assert_eq!(redemption(s.payoff_per_contract, 3, D), Ok(0));
    }

    proptest! {
        #[test]
        fn reserve_covers_every_way_holders_can_split(parts in proptest::collection::vec(1u64..1u64 << 40, 1..20), price in 1i64..400) {
            let oi: u64 = parts.iter().sum();
            let s = settle(OptionKind::Call, I80F48::from_num(100), I80F48::from_num(price), oi, D).unwrap();
            let paid: u64 = parts.iter().map(|&c| redemption(s.payoff_per_contract, c, D).unwrap()).sum();
            prop_assert!(paid <= s.reserve);
        }
    }
}
