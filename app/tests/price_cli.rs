//! `oamm price` driven as a user drives it: the binary, its flags, stdin and
//! exit codes. The numbers must equal options-math's to the bit.
use fixed::types::I80F48;
use options_math::{price_and_greeks, OptionKind};
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

fn oamm(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oamm"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run oamm");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn fx(s: &str) -> I80F48 {
    I80F48::from_str(s).unwrap()
}

fn field(v: &Value, name: &str) -> I80F48 {
    fx(v[name].as_str().unwrap_or_else(|| panic!("`{name}` missing or not a string in {v}")))
}

#[test]
fn json_output_equals_the_library_to_the_bit() {
    let (code, out, err) = oamm(
        &[
            "price",
            "--spot",
            "100",
            "--strike",
            "105",
            "--t-years",
            "0.25",
            "--vol",
            "0.6",
            "--rate",
            "0.03",
            "--kind",
            "call",
            "--output",
            "json",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    let g = price_and_greeks(OptionKind::Call, fx("100"), fx("105"), fx("0.25"), fx("0.6"), fx("0.03")).unwrap();
    assert_eq!(field(&v, "price"), g.price);
    assert_eq!(field(&v, "delta"), g.delta);
    assert_eq!(field(&v, "gamma"), g.gamma);
    assert_eq!(field(&v, "vega"), g.vega);
    assert_eq!(field(&v, "theta"), g.theta);
    assert_eq!(v["kind"], "call");
}

#[test]
fn table_output_names_every_greek() {
    let (code, out, _) =
        oamm(&["price", "--spot", "150", "--strike", "140", "--t-years", "0.1", "--vol", "0.8", "--kind", "put"], "");
    assert_eq!(code, 0);
    for name in ["price", "delta", "gamma", "vega", "theta", "rho"] {
        assert!(out.lines().any(|l| l.trim_start().starts_with(name)), "no `{name}` row in:\n{out}");
    }
}

#[test]
fn batch_prices_good_lines_and_reports_bad_ones_without_stopping() {
    let input = concat!(
        "{\"spot\": \"100\", \"strike\": \"105\", \"t_years\": \"0.25\", \"vol\": \"0.6\", \"rate\": \"0.03\", \"kind\": \"call\"}\n",
        "not json\n",
        "\n",
        "{\"spot\": \"0\", \"strike\": \"105\", \"t_years\": \"0.25\", \"vol\": \"0.6\", \"kind\": \"call\"}\n",
        "{\"spot\": 150, \"strike\": 160, \"t_years\": 0.5, \"vol\": 0.8, \"kind\": \"put\", \"id\": \"x\"}\n",
        "{\"spot\": \"150\", \"t_years\": \"0.5\", \"vol\": \"0.8\", \"kind\": \"put\"}\n",
    );
    let (code, out, err) = oamm(&["price", "--batch"], input);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 5, "one output per non-empty input line:\n{out}");

    let g = price_and_greeks(OptionKind::Call, fx("100"), fx("105"), fx("0.25"), fx("0.6"), fx("0.03")).unwrap();
    assert_eq!(field(&lines[0], "price"), g.price);
    assert!(lines[1]["error"].as_str().unwrap().contains("not valid JSON"));
    assert!(lines[2]["error"].as_str().unwrap().contains("spot must be greater than zero"), "{}", lines[2]);
    // plain JSON numbers are parsed from their decimal text, exactly as strings are
    let p = price_and_greeks(OptionKind::Put, fx("150"), fx("160"), fx("0.5"), fx("0.8"), I80F48::ZERO).unwrap();
    assert_eq!(field(&lines[3], "price"), p.price);
    assert_eq!(lines[3]["id"], "x");
    assert!(lines[4]["error"].as_str().unwrap().contains("missing field `strike`"), "{}", lines[4]);
}

#[test]
fn batch_fails_only_on_unreadable_input() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oamm"))
        .args(["price", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"{\"spot\": \"1\"}\n\xff\xfe\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("reading line 2"));
}

#[test]
fn bad_flags_give_one_clear_error_and_nonzero_exit() {
    let (code, _, err) =
        oamm(&["price", "--spot", "abc", "--strike", "1", "--t-years", "1", "--vol", "1", "--kind", "call"], "");
    assert_ne!(code, 0);
    assert!(err.contains("`abc` is not a decimal number"), "{err}");
    let (code, _, err) =
        oamm(&["price", "--spot", "100", "--strike", "100", "--t-years", "1", "--vol", "-0.5", "--kind", "call"], "");
    assert_ne!(code, 0);
    assert!(err.contains("volatility must be greater than zero"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
