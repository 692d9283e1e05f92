//! Decimal amounts typed by users <-> integer base units, exactly: no float
//! ever touches an amount.
use anyhow::{bail, Result};

/// "2.5" with 9 decimals -> 2_500_000_000. Refuses negatives, more
/// fractional digits than the mint has, and overflow.
pub fn parse_units(text: &str, decimals: u8, what: &str) -> Result<u64> {
    let t = text.trim();
    if t.starts_with('-') {
        bail!("{what} must be positive, got `{text}`");
    }
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if int.is_empty() && frac.is_empty() || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        bail!("{what} `{text}` is not a decimal number");
    }
    if frac.len() > decimals as usize {
        bail!("{what} `{text}` has more than {decimals} decimal places");
    }
    let scale = 10u128.pow(decimals as u32);
    let int: u128 =
        if int.is_empty() { 0 } else { int.parse().map_err(|_| anyhow::anyhow!("{what} `{text}` is too large"))? };
    let frac_value: u128 =
        if frac.is_empty() { 0 } else { frac.parse::<u128>()? * 10u128.pow((decimals as usize - frac.len()) as u32) };
    let v = int.checked_mul(scale).and_then(|x| x.checked_add(frac_value));
    match v.and_then(|x| u64::try_from(x).ok()) {
        Some(v) => Ok(v),
        None => bail!("{what} `{text}` is too large"),
    }
}

/// 2_500_000_000 with 9 decimals -> "2.5".
pub fn format_units(amount: u64, decimals: u8) -> String {
    let scale = 10u64.pow(decimals as u32);
    let (int, frac) = (amount / scale, amount % scale);
    if frac == 0 {
        return int.to_string();
    }
    let s = format!("{frac:0width$}", width = decimals as usize);
    format!("{int}.{}", s.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_format_round_trip_exactly() {
        assert_eq!(parse_units("2.5", 9, "x").unwrap(), 2_500_000_000);
        assert_eq!(parse_units("0.000000001", 9, "x").unwrap(), 1);
        assert_eq!(parse_units("150", 6, "x").unwrap(), 150_000_000);
        assert_eq!(parse_units(".5", 6, "x").unwrap(), 500_000);
        assert_eq!(format_units(2_500_000_000, 9), "2.5");
        assert_eq!(format_units(150_000_000, 6), "150");
        assert_eq!(format_units(1, 6), "0.000001");
        for bad in ["-1", "1.0000001", "abc", "", ".", "1e5", "99999999999999999999"] {
            assert!(parse_units(bad, 6, "amount").is_err(), "{bad}");
        }
        assert!(parse_units("-1", 6, "amount").unwrap_err().to_string().contains("must be positive"));
    }
}
