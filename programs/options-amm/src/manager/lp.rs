//! LP shares at NAV per share, with a virtual offset (see
//! `VIRTUAL_LP_SHARES`) so the first depositor cannot inflate the share
//! price. Both directions round down: fewer shares minted, less quote paid.
use crate::constants::{VIRTUAL_LP_SHARES, VIRTUAL_QUOTE};
use options_math::MathError;

/// LP shares minted for `amount` quote at `nav` (>= 0) and `supply`.
pub fn shares_for_deposit(amount: u64, nav: u64, supply: u64) -> Result<u64, MathError> {
    let num = (amount as u128).checked_mul(supply as u128 + VIRTUAL_LP_SHARES as u128).ok_or(MathError::Overflow)?;
    let shares = num / (nav as u128 + VIRTUAL_QUOTE as u128);
    u64::try_from(shares).map_err(|_| MathError::Overflow)
}

/// Quote paid for burning `shares` at `nav` (>= 0) and `supply`.
pub fn quote_for_shares(shares: u64, nav: u64, supply: u64) -> Result<u64, MathError> {
    let num = (shares as u128).checked_mul(nav as u128 + VIRTUAL_QUOTE as u128).ok_or(MathError::Overflow)?;
    let quote = num / (supply as u128 + VIRTUAL_LP_SHARES as u128);
    u64::try_from(quote).map_err(|_| MathError::Overflow)
}

/// The most shares whose redemption pays at most `quote` (for "this much
/// can leave now" messages).
pub fn shares_for_quote(quote: u64, nav: u64, supply: u64) -> u64 {
    let num = quote as u128 * (supply as u128 + VIRTUAL_LP_SHARES as u128);
    (num / (nav as u128 + VIRTUAL_QUOTE as u128)).min(u64::MAX as u128) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn first_deposit_mints_one_share_per_quote_unit() {
        assert_eq!(shares_for_deposit(1_000_000_000, 0, 0), Ok(1_000_000_000));
        assert_eq!(quote_for_shares(1_000_000_000, 1_000_000_000, 1_000_000_000), Ok(1_000_000_000));
    }

    #[test]
    fn donation_inflation_attack_does_not_pay() {
        // Attacker deposits 1 base unit, then donates 10_000 USDC to the NAV
        // (e.g. by trading at a loss to the pool); a victim deposits 5_000 USDC.
        let attacker_shares = shares_for_deposit(1, 0, 0).unwrap();
        let donation = 10_000_000_000u64;
        let nav = 1 + donation;
        let victim_shares = shares_for_deposit(5_000_000_000, nav, attacker_shares).unwrap();
        assert!(victim_shares > 0, "victim is not rounded to zero");
        let supply = attacker_shares + victim_shares;
        let nav = nav + 5_000_000_000;
        let attacker_out = quote_for_shares(attacker_shares, nav, supply).unwrap();
        let victim_out = quote_for_shares(victim_shares, nav, supply).unwrap();
        assert!(attacker_out < donation, "attacker recovers {attacker_out} of a {donation} donation");
        // the victim loses at most one share's worth (the price is ~10_000.7
        // base units a share here), i.e. 0.01 USDC on 5,000
        assert!(victim_out >= 5_000_000_000 - 10_001, "victim gets {victim_out}");
    }

    proptest! {
        #[test]
        fn deposit_then_withdraw_never_returns_more(amount in 1u64..1u64 << 50, nav in 0u64..1u64 << 50, supply in 0u64..1u64 << 50) {
            let shares = shares_for_deposit(amount, nav, supply).unwrap();
            let back = quote_for_shares(shares, nav + amount, supply + shares).unwrap();
            prop_assert!(back <= amount, "deposited {amount}, withdrew {back}");
        }

        #[test]
        fn shares_for_quote_never_overpays(quote in 0u64..1u64 << 50, nav in 0u64..1u64 << 50, supply in 0u64..1u64 << 50) {
            let s = shares_for_quote(quote, nav, supply);
            prop_assert!(quote_for_shares(s, nav, supply).unwrap() <= quote);
        }
    }
}
