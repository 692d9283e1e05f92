#!/usr/bin/env bash
# The integration suites (package options-amm-tests: pool, pool_errors*, rebalance, attacks,
# events, venue, fuzz) and the app's tests (package oamm: commands, keeper, demo on the
# embedded bank) against the SBF builds: with SBF_OUT_DIR set, solana-program-test loads
# target/deploy/options_amm.so and spot_venue.so instead of the native processors (and
# panics if a .so is missing, so a run cannot silently fall back to native).
#   OAMM_FUZZ_CASES  fuzz sequences (default here 20; the native suite runs 200)
#   extra arguments go to cargo test, e.g. sbf/test.sh --test pool
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
sbf/build.sh
export SBF_OUT_DIR=$TARGET_DIR/deploy
export OAMM_FUZZ_CASES=${OAMM_FUZZ_CASES:-20}
log=$TARGET_DIR/sbf/test.log
start=$(date +%s)
set +e
nice -n 10 cargo test -p options-amm-tests -p oamm --no-fail-fast "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# per-test lines, not the "test result" totals: a test that re-runs its own binary as a
# child (pool_errors_lifecycle) prints the child's totals too
passed=$(grep -acE '^test \S+ \.\.\. ok$' "$log" || true)
failed=$(grep -acE '^test \S+ \.\.\. FAILED$' "$log" || true)
echo
echo "sbf/test.sh: SBF builds, ${passed:-0} passed, ${failed:-0} failed in $(( $(date +%s) - start )) s (log: ${log#$ROOT/})"
grep -aE '^test \S+ \.\.\. FAILED$' "$log" | sed -E 's/^test (\S+) .*/  failed: \1/' | sort -u || true
exit "$rc"
