//! ns per price+greeks call. `cargo bench -p options-math`.
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use fixed::types::I80F48;
use options_math::{call_and_put, price_and_greeks, OptionKind};

fn pricing(c: &mut Criterion) {
    let f = I80F48::from_num::<f64>;
    let (s, k, t, v, r) = (f(150.0), f(160.0), f(7.0 / 365.0), f(0.8), f(0.03));
    c.bench_function("price_and_greeks (call)", |b| {
        b.iter(|| {
            price_and_greeks(OptionKind::Call, black_box(s), black_box(k), black_box(t), black_box(v), black_box(r))
        })
    });
    c.bench_function("call_and_put (both kinds)", |b| {
        b.iter(|| call_and_put(black_box(s), black_box(k), black_box(t), black_box(v), black_box(r)))
    });
}

criterion_group!(benches, pricing);
criterion_main!(benches);
