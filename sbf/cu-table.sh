#!/usr/bin/env bash
# Regenerate sbf/cu-table.md: compute units per instruction at 1, 4, 8, 16 and 24 (the cap) live
# series, measured on the SBF builds (tests/src/bin/cu_table.rs has the scenario).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
sbf/build.sh
SBF_OUT_DIR=$TARGET_DIR/deploy cargo run -q -p options-amm-tests --bin cu_table -- --out sbf/cu-table.md
