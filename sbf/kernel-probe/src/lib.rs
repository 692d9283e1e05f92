//! A probe for metering the pricing kernels on SBF (never deployed): each
//! instruction runs one call on the inputs in its data and returns an FNV-1a
//! checksum of every output as return data, so the bench can compare the SBF
//! result with the same call run natively, bit for bit.
//!
//! Data: mode (1 byte, padded to 16), then spot, strike, t_years, vol, rate
//! as `I80F48` bits (i128 LE), then solmath's inputs at its 1e12 scale
//! (spot, strike, rate, vol, t_years as u128 LE).
#![allow(unexpected_cfgs)] // os = "solana": the SBF target spec (sbf/bpfel-solana.json)
#[cfg(target_arch = "bpf")]
extern crate solana_compiler_builtins;

use options_math::{book_greeks, price_and_greeks, price_only_at, OptionKind, SpotTerms, TimeTerms, I80F48};

/// What one instruction measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    /// Read the inputs and fold them: the fixed cost every other mode also pays.
    Baseline = 0,
    /// `price_and_greeks`: price, delta, gamma, vega, theta, rho.
    GreeksCall = 1,
    GreeksPut = 2,
    /// `book_greeks` (what the pool's cache needs): price, delta, gamma, vega.
    BookCall = 3,
    BookPut = 4,
    /// The value alone (the LP flows' second mark), spot and time terms included.
    PriceOnlyCall = 5,
    PriceOnlyPut = 6,
    /// solmath 0.2.0 `bs_full` (call and put, all greeks) on the same inputs.
    Solmath = 7,
    /// The components, one call each: `SpotTerms::new` (ln S and 1/S),
    /// `TimeTerms::new` (1/sqrt T, sqrt T), ln, exp, the normal CDF and PDF.
    SpotTerms = 8,
    TimeTerms = 9,
    Ln = 10,
    Exp = 11,
    NormCdf = 12,
    NormPdf = 13,
}

/// The component modes, in the order the bench prints them.
pub const COMPONENTS: [Mode; 6] = [Mode::SpotTerms, Mode::TimeTerms, Mode::Ln, Mode::Exp, Mode::NormCdf, Mode::NormPdf];

pub const MODES: [Mode; 8] = [
    Mode::Baseline,
    Mode::GreeksCall,
    Mode::GreeksPut,
    Mode::BookCall,
    Mode::BookPut,
    Mode::PriceOnlyCall,
    Mode::PriceOnlyPut,
    Mode::Solmath,
];

pub const DATA_LEN: usize = 16 + 5 * 16 + 5 * 16;

/// Instruction data for one case.
pub fn encode(mode: Mode, inputs: [I80F48; 5]) -> Vec<u8> {
    let mut data = vec![0u8; 16];
    data[0] = mode as u8;
    for x in inputs {
        data.extend_from_slice(&x.to_bits().to_le_bytes());
    }
    // solmath order: spot, strike, rate, vol, t; 1e12 scale, rounded to nearest
    let [s, k, t, v, r] = inputs;
    for x in [s, k, r, v, t] {
        let scaled = (x.to_bits().max(0) as u128 * 1_000_000_000_000 + (1 << 47)) >> 48;
        data.extend_from_slice(&scaled.to_le_bytes());
    }
    data
}

struct Fnv(u64);

impl Fnv {
    fn add(&mut self, v: i128) {
        for half in [v as u64, (v >> 64) as u64] {
            self.0 = (self.0 ^ half).wrapping_mul(0x100000001b3);
        }
    }
}

fn word(data: &[u8], i: usize) -> i128 {
    let mut b = [0u8; 16];
    b.copy_from_slice(&data[16 + 16 * i..32 + 16 * i]);
    i128::from_le_bytes(b)
}

/// Whether solmath accepts the case (its refusals are cheap and say nothing
/// about its cost).
pub fn solmath_accepts(inputs: [I80F48; 5]) -> bool {
    let data = encode(Mode::Solmath, inputs);
    let y = |i: usize| word(&data, 5 + i) as u128;
    solmath::bs_full(y(0), y(1), y(2), y(3), y(4)).is_ok()
}

/// `price_and_greeks`, between the profile's reference points (feature
/// `profile`): two marks back to back (their own cost), then the call
/// between a start and an end mark.
fn greeks_marked(
    kind: OptionKind,
    [s, k, t, v, r]: [I80F48; 5],
) -> Result<options_math::Greeks, options_math::MathError> {
    #[cfg(feature = "profile")]
    [0u64, 0, 0].into_iter().for_each(|id| options_math_mark(id));
    let g = price_and_greeks(kind, s, k, t, v, r);
    #[cfg(feature = "profile")]
    options_math_mark(99);
    g
}

/// One call as the instruction makes it; the checksum of its outputs (an
/// error folds in as its own value, so a refusal must match too).
pub fn run(data: &[u8]) -> u64 {
    if data.len() != DATA_LEN {
        return 1;
    }
    let x = |i| I80F48::from_bits(word(data, i));
    let (s, k, t, v, r) = (x(0), x(1), x(2), x(3), x(4));
    let mut h = Fnv(0xcbf29ce484222325);
    let kind = |call: bool| if call { OptionKind::Call } else { OptionKind::Put };
    match data[0] {
        0 => [s, k, t, v, r].into_iter().for_each(|x| h.add(x.to_bits())),
        m @ (1 | 2) => match greeks_marked(kind(m == 1), [s, k, t, v, r]) {
            Ok(g) => [g.price, g.delta, g.gamma, g.vega, g.theta, g.rho].into_iter().for_each(|x| h.add(x.to_bits())),
            Err(e) => h.add(-(e as i128) - 1),
        },
        m @ (3 | 4) => match book_greeks(kind(m == 3), s, k, t, v, r) {
            Ok(g) => [g.price, g.delta, g.gamma, g.vega].into_iter().for_each(|x| h.add(x.to_bits())),
            Err(e) => h.add(-(e as i128) - 1),
        },
        m @ (5 | 6) => {
            let price = SpotTerms::new(s)
                .and_then(|at| TimeTerms::new(t).and_then(|time| price_only_at(&at, &time, kind(m == 5), k, v, r)));
            match price {
                Ok(p) => h.add(p.to_bits()),
                Err(e) => h.add(-(e as i128) - 1),
            }
        }
        7 => {
            let y = |i: usize| word(data, 5 + i) as u128;
            match solmath::bs_full(y(0), y(1), y(2), y(3), y(4)) {
                Ok(b) => [
                    b.call as i128,
                    b.put as i128,
                    b.call_delta,
                    b.put_delta,
                    b.gamma,
                    b.vega,
                    b.call_theta,
                    b.put_theta,
                    b.call_rho,
                    b.put_rho,
                ]
                .into_iter()
                .for_each(|x| h.add(x)),
                Err(_) => h.add(-1),
            }
        }
        // components: spot for SpotTerms and ln, t for TimeTerms, vol - 1 (a
        // moderate argument of either sign) for exp, the CDF and the PDF
        8 => h.add(core::hint::black_box(SpotTerms::new(s)).is_ok() as i128),
        9 => h.add(core::hint::black_box(TimeTerms::new(t)).is_ok() as i128),
        10 => h.add(options_math::kernels::ln(s).map_or(-1, |x| x.to_bits())),
        11 => h.add(options_math::kernels::exp(v - I80F48::ONE).map_or(-1, |x| x.to_bits())),
        12 => h.add(options_math::kernels::norm_cdf(v - I80F48::ONE).map_or(-1, |x| x.to_bits())),
        13 => h.add(options_math::kernels::norm_pdf(v - I80F48::ONE).map_or(-1, |x| x.to_bits())),
        _ => return 1,
    }
    h.0
}

/// The kernels' stage marks (feature `profile`): on SBF, each logs its id
/// and the compute units left (two syscalls, about 200 CU, which the bench
/// measures and subtracts); natively nothing.
#[cfg(feature = "profile")]
#[no_mangle]
pub extern "C" fn options_math_mark(id: u64) {
    #[cfg(target_os = "solana")]
    {
        extern "C" {
            fn sol_remaining_compute_units() -> u64;
            fn sol_log_64_(a: u64, b: u64, c: u64, d: u64, e: u64);
        }
        // SAFETY: both are runtime syscalls with plain integer arguments.
        unsafe { sol_log_64_(0x6d61726b, id, sol_remaining_compute_units(), 0, 0) }
    }
    #[cfg(not(target_os = "solana"))]
    let _ = id;
}

#[cfg(target_os = "solana")]
mod entry {
    use solana_account_info::AccountInfo;
    use solana_program_error::ProgramResult;
    use solana_pubkey::Pubkey;

    solana_program_entrypoint::entrypoint!(process);

    fn process(_program_id: &Pubkey, _accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
        solana_cpi::set_return_data(&super::run(data).to_le_bytes());
        Ok(())
    }
}
