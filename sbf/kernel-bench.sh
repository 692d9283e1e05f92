#!/usr/bin/env bash
# Compute units of the pricing kernels on SBF against solmath 0.2.0, over a 64-case grid:
# builds the probe program (sbf/kernel-probe) with sbf/build.sh's toolchain, runs one
# transaction per call in solana-program-test's bank (tests/src/bin/kernel_cu.rs), checks
# every SBF result against the native one bit for bit, writes sbf/kernel-cu.md.
# Exits 1 on a mismatch or when a case is over the issue-14 targets:
#   worst price + greeks <= 10,000 CU and <= 0.5x solmath on every case.
# KERNEL_BENCH_ARGS="" runs without the limits (to measure a work in progress).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
# --profile: instead, the stage-by-stage cost of three cases (the probe built with marks).
if [ "${1:-}" = "--profile" ]; then
  SBF_PROGRAMS="kernel-probe:kernel_probe" SBF_FEATURES=profile sbf/build.sh > /dev/null
  SBF_OUT_DIR=$TARGET_DIR/deploy cargo run -q -p options-amm-tests --bin kernel_cu -- --profile
  # leave the deploy folder with the unmarked probe
  SBF_PROGRAMS="kernel-probe:kernel_probe" sbf/build.sh > /dev/null
  exit
fi
SBF_PROGRAMS="kernel-probe:kernel_probe" sbf/build.sh
SBF_OUT_DIR=$TARGET_DIR/deploy cargo run -q -p options-amm-tests --bin kernel_cu -- \
  --out sbf/kernel-cu.md ${KERNEL_BENCH_ARGS---max-greeks-cu 10000 --max-solmath-ratio 0.5}
