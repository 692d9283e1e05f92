//! The compute-unit proxy: how many wide (an operand at or above one) and
//! narrow multiplications and how many 128-by-64-bit divisions one
//! price+greeks call performs. Needs `--features op-count`; the counts are
//! printed (`--nocapture`) and bounded so a regression fails. The real cost
//! is metered on SBF by `sbf/kernel-bench.sh`.
use fixed::types::I80F48;
use options_math::{op_count, price_and_greeks, OptionKind};

#[test]
fn price_and_greeks_operation_counts() {
    let f = I80F48::from_num::<f64>;
    let mut worst = (0, 0, 0);
    for (s, k, t, v) in [(150.0, 160.0, 7.0 / 365.0, 0.8), (0.05, 0.07, 1.5, 2.5), (90000.0, 60000.0, 0.0002, 0.1)] {
        op_count::reset();
        price_and_greeks(OptionKind::Call, f(s), f(k), f(t), f(v), f(0.03)).unwrap();
        let (wide, narrow, divisions) = op_count::read();
        println!("S={s} K={k} T={t} vol={v}: {wide} wide + {narrow} narrow multiplications, {divisions} divisions");
        worst = (worst.0.max(wide), worst.1.max(narrow), worst.2.max(divisions));
    }
    assert!(worst.0 + worst.1 > 50, "counter not counting: {worst:?}");
    assert!(worst.0 + worst.1 < 220, "price+greeks got more expensive: {worst:?}");
    assert!(worst.2 <= 2, "more divisions than 1/(vol sqrt T) and 1/S: {worst:?}");
}
