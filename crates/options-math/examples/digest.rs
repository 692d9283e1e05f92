use options_math::*;
fn main() {
    let mut x: u64 = 0x1234_5678_9abc_def1;
    let mut next = || { x ^= x << 13; x ^= x >> 7; x ^= x << 17; x };
    let mut h: u64 = 0xcbf29ce484222325;
    let mut add = |v: i128| { for w in [v as u64, (v >> 64) as u64] { h = (h ^ w).wrapping_mul(0x100000001b3); } };
    let n: usize = std::env::args().nth(1).map_or(200_000, |a| a.parse().unwrap());
    for _ in 0..n {
        let u = |r: u64, lo: f64, hi: f64| lo * (hi / lo).powf((r % 1_000_000) as f64 / 1e6);
        let s = u(next(), 0.01, 1e5);
        let k = s * u(next(), 0.5, 2.0);
        let t = u(next(), 1.0 / 8760.0, 2.0);
        let v = u(next(), 0.05, 3.0);
        let r = if next() % 3 == 0 { 0.0 } else { u(next(), 0.001, 0.1) };
        let f = |x: f64| I80F48::from_num(x);
        match call_and_put(f(s), f(k), f(t), f(v), f(r)) {
            Ok((c, p)) => for g in [c, p] { for v in [g.price, g.delta, g.gamma, g.vega, g.theta, g.rho] { add(v.to_bits()) } },
            Err(e) => add(e as i128),
        }
        for x in [f(s), f(k), f(t)] {
            add(kernels::ln(x).map_or(-1, |y| y.to_bits()));
            add(kernels::exp(f(v * 10.0 - 15.0)).map_or(-1, |y| y.to_bits()));
            add(kernels::norm_cdf(f(v * 4.0 - 6.0)).map_or(-1, |y| y.to_bits()));
            add(kernels::sqrt(x).map_or(-1, |y| y.to_bits()));
        }
    }
    println!("{n} cases digest {h:#x}");
}
