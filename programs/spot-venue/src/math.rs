//! Constant-product pricing and LP share maths as pure functions, so every
//! rounding decision can be tested without a bank.
//!
//! All intermediates are u128 with checked arithmetic. Every division rounds
//! in the pool's favour: traders and liquidity providers receive floors and
//! pay ceilings, so no sequence of calls can extract value from rounding.

use crate::error::VenueError;

/// Fees are expressed in basis points of the input amount.
pub const BPS_DENOMINATOR: u64 = 10_000;

/// The highest fee a pool may charge (10%). Anything near 100% would make
/// every swap a donation and is almost certainly a units mistake.
pub const MAX_FEE_BPS: u16 = 1_000;

/// LP units created by the first deposit that are never minted to anyone.
/// They keep the LP supply, and hence the reserves, from ever returning to
/// zero, which defeats the first-depositor share-inflation attack and keeps
/// the price defined for the pool's whole life.
pub const MINIMUM_LIQUIDITY: u64 = 1_000;

type MathResult<T> = core::result::Result<T, VenueError>;

/// The result of pricing one swap against the tracked reserves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SwapOutcome {
    /// Tokens of the source mint the trader pays, fee included.
    pub amount_in: u64,
    /// Tokens of the destination mint the trader receives.
    pub amount_out: u64,
    /// The part of `amount_in` that did not move the curve (source mint);
    /// it stays in the reserves, which is how LPs earn it.
    pub fee: u64,
    pub reserve_in_after: u64,
    pub reserve_out_after: u64,
}

/// Result of a deposit: what the provider pays and the LP units minted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deposit {
    pub amount_base: u64,
    pub amount_quote: u64,
    /// LP units minted to the provider.
    pub lp_minted: u64,
    /// LP units created but kept out of circulation (first deposit only).
    pub lp_locked: u64,
}

/// Result of a withdrawal: what the provider receives for burning LP units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Withdrawal {
    pub amount_base: u64,
    pub amount_quote: u64,
}

fn to_u64(x: u128) -> MathResult<u64> {
    u64::try_from(x).map_err(|_| VenueError::MathOverflow)
}

fn mul(a: u128, b: u128) -> MathResult<u128> {
    a.checked_mul(b).ok_or(VenueError::MathOverflow)
}

fn ceil_div(num: u128, den: u128) -> u128 {
    // den > 0 at every call site; written without `num + den - 1` so it
    // cannot overflow for num near u128::MAX.
    num / den + u128::from(!num.is_multiple_of(den))
}

fn validate_fee(fee_bps: u16) -> MathResult<u128> {
    if fee_bps > MAX_FEE_BPS {
        return Err(VenueError::FeeTooHigh);
    }
    Ok(u128::from(BPS_DENOMINATOR - u64::from(fee_bps)))
}

/// The input the curve sees after the fee: floor(amount_in * (10_000 - fee_bps) / 10_000).
/// Flooring charges the trader the rounding dust as extra fee.
pub fn input_after_fee(amount_in: u64, fee_bps: u16) -> MathResult<u64> {
    let keep_bps = validate_fee(fee_bps)?;
    to_u64(mul(u128::from(amount_in), keep_bps)? / u128::from(BPS_DENOMINATOR))
}

/// Exact-input swap:
/// out = floor(reserve_out * in_after_fee / (reserve_in + in_after_fee)).
/// The floor rounds against the trader; the whole `amount_in` (fee
/// included) is added to the input reserve.
pub fn swap_exact_in(reserve_in: u64, reserve_out: u64, amount_in: u64, fee_bps: u16) -> MathResult<SwapOutcome> {
    if amount_in == 0 {
        return Err(VenueError::ZeroAmount);
    }
    if reserve_in == 0 || reserve_out == 0 {
        return Err(VenueError::EmptyPool);
    }
    let in_after_fee = input_after_fee(amount_in, fee_bps)?;
    let numerator = mul(u128::from(reserve_out), u128::from(in_after_fee))?;
    let denominator = u128::from(reserve_in) + u128::from(in_after_fee);
    // < reserve_out because reserve_in > 0, so the output reserve never empties.
    let amount_out = to_u64(numerator / denominator)?;
    if amount_out == 0 {
        return Err(VenueError::OutputRoundsToZero);
    }
    Ok(SwapOutcome {
        amount_in,
        amount_out,
        fee: amount_in - in_after_fee,
        reserve_in_after: reserve_in.checked_add(amount_in).ok_or(VenueError::MathOverflow)?,
        reserve_out_after: reserve_out - amount_out,
    })
}

/// Exact-output swap: the smallest `amount_in` (fee included) for which
/// `swap_exact_in` would pay at least `amount_out`. The trader receives
/// exactly `amount_out`; any surplus of the rounding stays in the pool.
///
/// Curve input needed: x = ceil(amount_out * reserve_in / (reserve_out - amount_out)),
/// the least x with floor(reserve_out * x / (reserve_in + x)) >= amount_out.
/// Then amount_in = ceil(x * 10_000 / (10_000 - fee_bps)), the least amount
/// whose fee-floored part is >= x. Both ceilings round against the trader.
pub fn swap_exact_out(reserve_in: u64, reserve_out: u64, amount_out: u64, fee_bps: u16) -> MathResult<SwapOutcome> {
    if amount_out == 0 {
        return Err(VenueError::ZeroAmount);
    }
    if reserve_in == 0 || reserve_out == 0 {
        return Err(VenueError::EmptyPool);
    }
    if amount_out >= reserve_out {
        return Err(VenueError::InsufficientReserve);
    }
    let keep_bps = validate_fee(fee_bps)?;
    let curve_in = ceil_div(mul(u128::from(amount_out), u128::from(reserve_in))?, u128::from(reserve_out - amount_out));
    let amount_in = to_u64(ceil_div(mul(curve_in, u128::from(BPS_DENOMINATOR))?, keep_bps))?;
    let in_after_fee = input_after_fee(amount_in, fee_bps)?;
    Ok(SwapOutcome {
        amount_in,
        amount_out,
        fee: amount_in - in_after_fee,
        reserve_in_after: reserve_in.checked_add(amount_in).ok_or(VenueError::MathOverflow)?,
        reserve_out_after: reserve_out - amount_out,
    })
}

/// floor(sqrt(n)) by Newton's method from an over-estimate; integer only.
pub fn isqrt(n: u128) -> u64 {
    if n < 2 {
        return n as u64;
    }
    // 2^ceil(bits/2) >= sqrt(n): Newton then decreases monotonically to the floor.
    let bits = 128 - n.leading_zeros();
    let mut x: u128 = 1u128 << bits.div_ceil(2);
    loop {
        let y = (x + n / x) / 2;
        if y >= x {
            // floor(sqrt(u128::MAX)) = u64::MAX, so this always fits.
            return x as u64;
        }
        x = y;
    }
}

/// LP units for a deposit of at most `max_base` and `max_quote`.
///
/// First deposit (both reserves zero): floor(sqrt(base * quote)) units, of
/// which MINIMUM_LIQUIDITY are locked; the full amounts are taken.
///
/// Later deposits, with T = lp_supply + MINIMUM_LIQUIDITY the LP units
/// outstanding: lp = min(floor(max_base * T / reserve_base),
/// floor(max_quote * T / reserve_quote)); the provider pays
/// ceil(lp * reserve / T) of each side, never more than the maximum. Minting
/// floors and charging ceilings both round against the provider, so a
/// deposit never dilutes existing LPs.
pub fn deposit(
    reserve_base: u64,
    reserve_quote: u64,
    lp_supply: u64,
    max_base: u64,
    max_quote: u64,
) -> MathResult<Deposit> {
    if max_base == 0 || max_quote == 0 {
        return Err(VenueError::ZeroAmount);
    }
    if reserve_base == 0 && reserve_quote == 0 {
        let lp_total = isqrt(mul(u128::from(max_base), u128::from(max_quote))?);
        if lp_total <= MINIMUM_LIQUIDITY {
            return Err(VenueError::InitialLiquidityTooSmall);
        }
        return Ok(Deposit {
            amount_base: max_base,
            amount_quote: max_quote,
            lp_minted: lp_total - MINIMUM_LIQUIDITY,
            lp_locked: MINIMUM_LIQUIDITY,
        });
    }
    if reserve_base == 0 || reserve_quote == 0 {
        // Unreachable through the program (reserves never return to zero
        // once seeded); refuse rather than price against an empty side.
        return Err(VenueError::EmptyPool);
    }
    let outstanding = u128::from(lp_supply) + u128::from(MINIMUM_LIQUIDITY);
    let by_base = mul(u128::from(max_base), outstanding)? / u128::from(reserve_base);
    let by_quote = mul(u128::from(max_quote), outstanding)? / u128::from(reserve_quote);
    let lp_minted = to_u64(by_base.min(by_quote))?;
    if lp_minted == 0 {
        return Err(VenueError::DepositTooSmall);
    }
    lp_supply.checked_add(lp_minted).ok_or(VenueError::MathOverflow)?;
    let lp = u128::from(lp_minted);
    // lp <= max * T / reserve, so ceil(lp * reserve / T) <= max: both fit.
    let amount_base = to_u64(ceil_div(mul(lp, u128::from(reserve_base))?, outstanding))?;
    let amount_quote = to_u64(ceil_div(mul(lp, u128::from(reserve_quote))?, outstanding))?;
    Ok(Deposit { amount_base, amount_quote, lp_minted, lp_locked: 0 })
}

/// Tokens paid out for burning `lp_amount` of the `lp_supply` minted units:
/// floor(reserve * lp_amount / (lp_supply + MINIMUM_LIQUIDITY)) of each side,
/// flooring against the provider. Because the locked units are never
/// burnable, each output is strictly below its reserve.
pub fn withdraw(reserve_base: u64, reserve_quote: u64, lp_supply: u64, lp_amount: u64) -> MathResult<Withdrawal> {
    if lp_amount == 0 {
        return Err(VenueError::ZeroAmount);
    }
    if lp_amount > lp_supply {
        return Err(VenueError::InsufficientBalance);
    }
    let outstanding = u128::from(lp_supply) + u128::from(MINIMUM_LIQUIDITY);
    let lp = u128::from(lp_amount);
    let amount_base = to_u64(mul(u128::from(reserve_base), lp)? / outstanding)?;
    let amount_quote = to_u64(mul(u128::from(reserve_quote), lp)? / outstanding)?;
    // Defensive: unreachable through the program. Deposits and withdrawals
    // both round so that sqrt(reserve_base * reserve_quote) never falls below
    // the LP units outstanding, so one unit always claims at least one token
    // of the larger reserve.
    if amount_base == 0 && amount_quote == 0 {
        return Err(VenueError::WithdrawalTooSmall);
    }
    Ok(Withdrawal { amount_base, amount_quote })
}

/// Decimals of the LP mint: an LP unit is sqrt(base unit * quote unit), so
/// its decimals are the mean of the two (rounded down).
pub fn lp_decimals(base_decimals: u8, quote_decimals: u8) -> u8 {
    ((u16::from(base_decimals) + u16::from(quote_decimals)) / 2) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(e: VenueError) -> u32 {
        e as u32
    }

    fn err<T: core::fmt::Debug>(r: MathResult<T>) -> u32 {
        code(r.expect_err("expected an error"))
    }

    #[test]
    fn exact_in_hand_computed() {
        // in_after_fee = floor(1_000 * 9_970 / 10_000) = 997
        // out = floor(2_000_000 * 997 / (1_000_000 + 997)) = floor(1_994_000_000 / 1_000_997) = 1_992
        let o = swap_exact_in(1_000_000, 2_000_000, 1_000, 30).unwrap();
        assert_eq!(
            o,
            SwapOutcome {
                amount_in: 1_000,
                amount_out: 1_992,
                fee: 3,
                reserve_in_after: 1_001_000,
                reserve_out_after: 1_998_008,
            }
        );
    }

    #[test]
    fn exact_in_fee_floor_charges_dust() {
        // 999 * 9_970 / 10_000 = 996.003 -> 996: the trader pays 3 fee, not 2.997.
        assert_eq!(input_after_fee(999, 30).unwrap(), 996);
        assert_eq!(input_after_fee(1, 30).unwrap(), 0);
        assert_eq!(input_after_fee(u64::MAX, 0).unwrap(), u64::MAX);
    }

    #[test]
    fn exact_out_hand_computed() {
        // curve_in = ceil(1_992 * 1_000_000 / (2_000_000 - 1_992)) = ceil(1_992_000_000 / 1_998_008) = 997
        // amount_in = ceil(997 * 10_000 / 9_970) = 1_000
        let o = swap_exact_out(1_000_000, 2_000_000, 1_992, 30).unwrap();
        assert_eq!(o.amount_in, 1_000);
        assert_eq!(o.fee, 3);
        assert_eq!(o.reserve_in_after, 1_001_000);
        assert_eq!(o.reserve_out_after, 1_998_008);
        // 999 would buy only floor(2e6 * 996 / 1_000_996) = 1_990 < 1_992.
        assert_eq!(swap_exact_in(1_000_000, 2_000_000, 999, 30).unwrap().amount_out, 1_990);
    }

    #[test]
    fn zero_amounts_rejected() {
        assert_eq!(err(swap_exact_in(10, 10, 0, 30)), code(VenueError::ZeroAmount));
        assert_eq!(err(swap_exact_out(10, 10, 0, 30)), code(VenueError::ZeroAmount));
        assert_eq!(err(deposit(0, 0, 0, 0, 5)), code(VenueError::ZeroAmount));
        assert_eq!(err(deposit(0, 0, 0, 5, 0)), code(VenueError::ZeroAmount));
        assert_eq!(err(withdraw(10, 10, 10, 0)), code(VenueError::ZeroAmount));
    }

    #[test]
    fn empty_pool_rejected() {
        assert_eq!(err(swap_exact_in(0, 0, 10, 30)), code(VenueError::EmptyPool));
        assert_eq!(err(swap_exact_in(10, 0, 10, 30)), code(VenueError::EmptyPool));
        assert_eq!(err(swap_exact_out(0, 10, 1, 30)), code(VenueError::EmptyPool));
        assert_eq!(err(deposit(10, 0, 5, 10, 10)), code(VenueError::EmptyPool));
    }

    #[test]
    fn output_rounding_to_zero_rejected() {
        // 1 unit in at 30 bps is all fee.
        assert_eq!(err(swap_exact_in(1_000, 1_000, 1, 30)), code(VenueError::OutputRoundsToZero));
        // Deep input reserve, shallow output reserve.
        assert_eq!(err(swap_exact_in(1_000_000, 10, 1_000, 0)), code(VenueError::OutputRoundsToZero));
    }

    #[test]
    fn exact_out_must_leave_reserve() {
        assert_eq!(err(swap_exact_out(100, 100, 100, 30)), code(VenueError::InsufficientReserve));
        assert_eq!(err(swap_exact_out(100, 100, 101, 30)), code(VenueError::InsufficientReserve));
        assert!(swap_exact_out(100, 100, 99, 30).is_ok());
    }

    #[test]
    fn overflow_reported_not_wrapped() {
        // Input reserve plus the trade exceeds u64.
        assert_eq!(err(swap_exact_in(u64::MAX - 5, u64::MAX, 10, 0)), code(VenueError::MathOverflow));
        assert_eq!(err(swap_exact_in(2, u64::MAX, u64::MAX, 0)), code(VenueError::MathOverflow));
        // Buying all but one unit of a shallow side against a deep one needs
        // more input than a u64 can hold.
        assert_eq!(err(swap_exact_out(u64::MAX / 2, 1_000, 999, 30)), code(VenueError::MathOverflow));
        // The largest pools still price: u128 intermediates never overflow for u64 inputs.
        let o = swap_exact_in(u64::MAX / 2, u64::MAX, u64::MAX / 4, 0).unwrap();
        assert!(o.amount_out > 0);
    }

    #[test]
    fn fee_validation() {
        assert_eq!(err(input_after_fee(10, MAX_FEE_BPS + 1)), code(VenueError::FeeTooHigh));
        assert_eq!(err(swap_exact_in(10, 10, 10, 10_000)), code(VenueError::FeeTooHigh));
        assert_eq!(err(swap_exact_out(10, 10, 1, u16::MAX)), code(VenueError::FeeTooHigh));
        assert_eq!(input_after_fee(10_000, MAX_FEE_BPS).unwrap(), 9_000);
    }

    #[test]
    fn isqrt_edges() {
        assert_eq!(isqrt(0), 0);
        assert_eq!(isqrt(1), 1);
        assert_eq!(isqrt(2), 1);
        assert_eq!(isqrt(3), 1);
        assert_eq!(isqrt(4), 2);
        assert_eq!(isqrt(99), 9);
        assert_eq!(isqrt(100), 10);
        assert_eq!(isqrt(u128::MAX), u64::MAX);
        let m = u128::from(u64::MAX);
        assert_eq!(isqrt(m * m), u64::MAX);
        assert_eq!(isqrt(m * m - 1), u64::MAX - 1);
    }

    #[test]
    fn first_deposit_locks_minimum() {
        // sqrt(4_000_000 * 1_000_000) = 2_000_000
        let d = deposit(0, 0, 0, 4_000_000, 1_000_000).unwrap();
        assert_eq!(
            d,
            Deposit { amount_base: 4_000_000, amount_quote: 1_000_000, lp_minted: 1_999_000, lp_locked: 1_000 }
        );
        // sqrt(1_000 * 1_000) = 1_000: nothing left after the lock.
        assert_eq!(err(deposit(0, 0, 0, 1_000, 1_000)), code(VenueError::InitialLiquidityTooSmall));
        assert_eq!(deposit(0, 0, 0, 1_001, 1_001).unwrap().lp_minted, 1);
    }

    #[test]
    fn later_deposit_pro_rata_against_provider() {
        // T = 1_999_000 + 1_000 = 2_000_000; by_base = 1_000 * 2e6 / 4e6 = 500,
        // by_quote = 300 * 2e6 / 1e6 = 600 -> lp = 500;
        // base = ceil(500 * 4e6 / 2e6) = 1_000; quote = ceil(500 * 1e6 / 2e6) = 250.
        let d = deposit(4_000_000, 1_000_000, 1_999_000, 1_000, 300).unwrap();
        assert_eq!((d.amount_base, d.amount_quote, d.lp_minted, d.lp_locked), (1_000, 250, 500, 0));
        // Rounding: reserves 3 and 7 with T = 1_001 (supply 1). Deposit max 1/5:
        // by_base = 1 * 1001 / 3 = 333, by_quote = 5 * 1001 / 7 = 715 -> 333;
        // base = ceil(333 * 3 / 1001) = 1, quote = ceil(333 * 7 / 1001) = ceil(2.3286) = 3.
        let d = deposit(3, 7, 1, 1, 5).unwrap();
        assert_eq!((d.amount_base, d.amount_quote, d.lp_minted), (1, 3, 333));
        assert_eq!(err(deposit(4_000_000, 1_000_000, 1_999_000, 1, 1)), code(VenueError::DepositTooSmall));
    }

    #[test]
    fn withdraw_floors() {
        // T = 2_000_000; 500 LP -> floor(4e6 * 500 / 2e6) = 1_000 base, 250 quote.
        assert_eq!(
            withdraw(4_000_000, 1_000_000, 1_999_000, 500).unwrap(),
            Withdrawal { amount_base: 1_000, amount_quote: 250 }
        );
        // 3 LP of T = 2e6 against a 1e6 quote reserve: 1.5 -> 1.
        assert_eq!(withdraw(4_000_000, 1_000_000, 1_999_000, 3).unwrap().amount_quote, 1);
        // 1 LP: 2 base, 0 quote; allowed, the provider's min_quote_out guards this.
        assert_eq!(
            withdraw(4_000_000, 1_000_000, 1_999_000, 1).unwrap(),
            Withdrawal { amount_base: 2, amount_quote: 0 }
        );
        assert_eq!(err(withdraw(100, 100, 10, 1)), code(VenueError::WithdrawalTooSmall));
        assert_eq!(err(withdraw(100, 100, 10, 11)), code(VenueError::InsufficientBalance));
        // Burning every minted unit still leaves the locked share behind.
        let w = withdraw(4_000_000, 1_000_000, 1_999_000, 1_999_000).unwrap();
        assert_eq!((w.amount_base, w.amount_quote), (3_998_000, 999_500));
    }

    #[test]
    fn lp_decimals_is_mean() {
        assert_eq!(lp_decimals(9, 6), 7);
        assert_eq!(lp_decimals(6, 6), 6);
        assert_eq!(lp_decimals(255, 255), 255);
    }

    fn k(a: u64, b: u64) -> u128 {
        u128::from(a) * u128::from(b)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn isqrt_is_floor(n in any::<u128>()) {
            let r = u128::from(isqrt(n));
            prop_assert!(r * r <= n);
            let r1 = r + 1;
            // (r+1)^2 > n, checked without overflowing u128.
            prop_assert!(r1.checked_mul(r1).is_none_or(|sq| sq > n));
        }

        #[test]
        fn exact_in_never_lowers_k_and_never_drains(
            reserve_in in 1u64..=u64::MAX / 2,
            reserve_out in 1u64..,
            amount_in in 1u64..=u64::MAX / 2,
            fee_bps in 0u16..=MAX_FEE_BPS,
        ) {
            if let Ok(o) = swap_exact_in(reserve_in, reserve_out, amount_in, fee_bps) {
                prop_assert!(o.amount_out < reserve_out);
                prop_assert!(k(o.reserve_in_after, o.reserve_out_after) >= k(reserve_in, reserve_out));
                prop_assert_eq!(o.reserve_in_after, reserve_in + amount_in);
                prop_assert_eq!(o.reserve_out_after, reserve_out - o.amount_out);
                // The fee is at least the nominal fee (floor of the kept part).
                prop_assert!(u128::from(o.fee) * 10_000 >= u128::from(amount_in) * u128::from(fee_bps));
            }
        }

        #[test]
        fn exact_out_is_the_least_sufficient_input(
            reserve_in in 1u64..=1u64 << 40,
            reserve_out in 2u64..=1u64 << 40,
            out_frac in 1u64..1_000_000,
            fee_bps in 0u16..=MAX_FEE_BPS,
        ) {
            let amount_out = ((u128::from(reserve_out - 1) * u128::from(out_frac)) / 1_000_000).max(1) as u64;
            let o = swap_exact_out(reserve_in, reserve_out, amount_out, fee_bps).unwrap();
            prop_assert_eq!(o.amount_out, amount_out);
            // Paying amount_in as an exact-input swap buys at least amount_out...
            let got = swap_exact_in(reserve_in, reserve_out, o.amount_in, fee_bps).unwrap().amount_out;
            prop_assert!(got >= amount_out);
            // ...and one unit less does not.
            match swap_exact_in(reserve_in, reserve_out, o.amount_in - 1, fee_bps) {
                Ok(less) => prop_assert!(less.amount_out < amount_out),
                Err(e) => prop_assert!(matches!(e, VenueError::ZeroAmount | VenueError::OutputRoundsToZero)),
            }
            prop_assert!(k(o.reserve_in_after, o.reserve_out_after) >= k(reserve_in, reserve_out));
        }

        #[test]
        fn round_trip_never_profits(
            reserve_in in 1_000u64..=1u64 << 50,
            reserve_out in 1_000u64..=1u64 << 50,
            amount_in in 1u64..=1u64 << 50,
            fee_bps in 0u16..=MAX_FEE_BPS,
        ) {
            if let Ok(there) = swap_exact_in(reserve_in, reserve_out, amount_in, fee_bps) {
                if let Ok(back) = swap_exact_in(there.reserve_out_after, there.reserve_in_after, there.amount_out, fee_bps) {
                    prop_assert!(back.amount_out <= amount_in);
                }
            }
        }

        #[test]
        fn deposit_then_withdraw_never_profits(
            reserve_base in 1_000u64..=1u64 << 50,
            reserve_quote in 1_000u64..=1u64 << 50,
            lp_supply in 1u64..=1u64 << 50,
            max_base in 1u64..=1u64 << 50,
            max_quote in 1u64..=1u64 << 50,
        ) {
            if let Ok(d) = deposit(reserve_base, reserve_quote, lp_supply, max_base, max_quote) {
                prop_assert!(d.amount_base <= max_base && d.amount_quote <= max_quote);
                let rb = reserve_base + d.amount_base;
                let rq = reserve_quote + d.amount_quote;
                let supply = lp_supply + d.lp_minted;
                if let Ok(w) = withdraw(rb, rq, supply, d.lp_minted) {
                    prop_assert!(w.amount_base <= d.amount_base);
                    prop_assert!(w.amount_quote <= d.amount_quote);
                }
                // Existing LPs are not diluted: reserve per outstanding unit never falls.
                let t0 = u128::from(lp_supply) + u128::from(MINIMUM_LIQUIDITY);
                let t1 = u128::from(supply) + u128::from(MINIMUM_LIQUIDITY);
                prop_assert!(u128::from(rb) * t0 >= u128::from(reserve_base) * t1);
                prop_assert!(u128::from(rq) * t0 >= u128::from(reserve_quote) * t1);
            }
        }

        /// Why WithdrawalTooSmall cannot happen on-chain: once
        /// reserve_base * reserve_quote >= T^2 (true after the first
        /// deposit, T = sqrt floor), deposits and withdrawals keep it so,
        /// and then burning any positive amount pays something.
        #[test]
        fn reserves_keep_covering_the_lp_units_outstanding(
            reserve_base in 1_000u64..=1u64 << 50,
            reserve_quote in 1_000u64..=1u64 << 50,
            supply_frac in 0u64..=1_000_000,
            max_base in 1u64..=1u64 << 50,
            max_quote in 1u64..=1u64 << 50,
            burn_frac in 1u64..=1_000_000,
        ) {
            let covered = |rb: u64, rq: u64, supply: u64| {
                let t = u128::from(supply) + u128::from(MINIMUM_LIQUIDITY);
                u128::from(rb) * u128::from(rq) >= t * t
            };
            let most = isqrt(u128::from(reserve_base) * u128::from(reserve_quote)) - MINIMUM_LIQUIDITY;
            let lp_supply = ((u128::from(most) * u128::from(supply_frac)) / 1_000_000) as u64;
            prop_assert!(covered(reserve_base, reserve_quote, lp_supply));
            let (mut rb, mut rq, mut supply) = (reserve_base, reserve_quote, lp_supply);
            if let Ok(d) = deposit(rb, rq, supply, max_base, max_quote) {
                rb += d.amount_base;
                rq += d.amount_quote;
                supply += d.lp_minted;
                prop_assert!(covered(rb, rq, supply));
            }
            let burn = ((u128::from(supply) * u128::from(burn_frac)) / 1_000_000) as u64;
            if burn > 0 {
                let w = withdraw(rb, rq, supply, burn).unwrap();
                prop_assert!(covered(rb - w.amount_base, rq - w.amount_quote, supply - burn));
            }
        }

        #[test]
        fn withdraw_never_drains(
            reserve_base in 1u64..,
            reserve_quote in 1u64..,
            lp_supply in 1u64..,
            frac in 1u64..=1_000_000,
        ) {
            let lp_amount = ((u128::from(lp_supply) * u128::from(frac)) / 1_000_000).max(1) as u64;
            if let Ok(w) = withdraw(reserve_base, reserve_quote, lp_supply, lp_amount) {
                prop_assert!(w.amount_base < reserve_base);
                prop_assert!(w.amount_quote < reserve_quote);
            }
        }
    }
}
