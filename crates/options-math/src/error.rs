/// Why a maths call refused its inputs. Never a panic: the program maps these
/// to Anchor errors and the client prints them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathError {
    /// Spot price must be > 0.
    NonPositiveSpot,
    /// Strike must be > 0.
    NonPositiveStrike,
    /// Volatility must be > 0.
    NonPositiveVol,
    /// An input is outside the supported domain (too large, or a rate/vol/time
    /// beyond what the kernels are proven for).
    InputOutOfRange,
    /// An intermediate or result does not fit the fixed-point format.
    Overflow,
}

impl core::fmt::Display for MathError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            MathError::NonPositiveSpot => "spot must be greater than zero",
            MathError::NonPositiveStrike => "strike must be greater than zero",
            MathError::NonPositiveVol => "volatility must be greater than zero",
            MathError::InputOutOfRange => "input outside the supported range",
            MathError::Overflow => "result does not fit the fixed-point format",
        })
    }
}

// core::error::Error (Rust 1.81+, no_std): lets clients `?` it into their error types.
impl core::error::Error for MathError {}
