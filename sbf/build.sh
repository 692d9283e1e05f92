#!/usr/bin/env bash
# Build both on-chain programs to SBF:
#   target/deploy/options_amm.so  (programs/options-amm)
#   target/deploy/spot_venue.so   (programs/spot-venue)
# With Solana's platform-tools on PATH (`cargo build-sbf`), that is used. Otherwise the
# upstream route (no platform-tools needed; see sbf/README.md): installs what is missing
# (pinned in sbf/versions.env), then builds with nightly rustc + LLVM 23, a patched std for
# os = "solana" and sbpf-linker, to SBPF v0 ELFs that solana-program-test 3.1 loads.
# Idempotent: a second run only re-links what changed.
#   SBF_UPSTREAM=1  force the upstream route even where cargo build-sbf exists
#   SBF_JOBS=N      cargo -j (default: cargo's)
#   SBF_PROGRAMS    "package:lib ..." to build instead (sbf/kernel-bench.sh: the kernel probe)
#   SBF_FEATURES    cargo --features for those (the probe's `profile`)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. sbf/versions.env
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
DEPLOY=$TARGET_DIR/deploy
PROGRAMS=${SBF_PROGRAMS:-"options-amm:options_amm spot-venue:spot_venue"}   # package:lib
start=$(date +%s)
mkdir -p "$DEPLOY"

report() {
  echo "sbf/build.sh: done in $(( $(date +%s) - start )) s ($1)"
  for p in $PROGRAMS; do
    f=$DEPLOY/${p#*:}.so
    printf '  %-40s %10s bytes\n' "${f#$ROOT/}" "$(stat -c %s "$f")"
  done
}

if [ -z "${SBF_UPSTREAM:-}" ] && cargo build-sbf --version > /dev/null 2>&1; then
  for p in $PROGRAMS; do
    cargo build-sbf --manifest-path "programs/${p%%:*}/Cargo.toml" --sbf-out-dir "$DEPLOY"
  done
  report "cargo build-sbf"
  exit 0
fi

# --- 1. pinned tools -------------------------------------------------------------------
SBF_DIR=$TARGET_DIR/sbf
if ! rustup run "$SBF_NIGHTLY" rustc --version > /dev/null 2>&1 \
   || [ ! -d "$(rustup run "$SBF_NIGHTLY" rustc --print sysroot)/lib/rustlib/src/rust/library" ] \
   || [ ! -x "$(rustup run "$SBF_NIGHTLY" rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin/opt" ]; then
  echo "sbf/build.sh: installing $SBF_NIGHTLY (+ rust-src, llvm-tools)"
  rustup toolchain install "$SBF_NIGHTLY" --profile minimal -c rust-src -c llvm-tools
fi
NIGHTLY_SYSROOT=$(rustup run "$SBF_NIGHTLY" rustc --print sysroot)

# sbpf-linker goes to a versioned folder outside target/ (it survives `cargo clean`; a
# cold install compiles for about 10 minutes on 2 cores) and not on PATH.
TOOLS=${SBF_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/oamm-sbf}/sbpf-linker-$SBPF_LINKER_VERSION
SBPF_LINKER=$TOOLS/bin/sbpf-linker
if ! "$SBPF_LINKER" --version 2> /dev/null | grep -qx "sbpf-linker $SBPF_LINKER_VERSION"; then
  echo "sbf/build.sh: installing sbpf-linker $SBPF_LINKER_VERSION into $TOOLS"
  nice -n 10 cargo "+$SBF_NIGHTLY" install sbpf-linker --version "$SBPF_LINKER_VERSION" --locked \
    --root "$TOOLS" --force
fi
mkdir -p "$SBF_DIR"
ln -sfn "$SBPF_LINKER" "$SBF_DIR/sbpf-linker"   # for sbf/stack-frames.py

# --- 2. the toolchain with a patched std ------------------------------------------------
# A private copy of the nightly sysroot (hard links where possible) whose rust-src carries
# sbf/std-solana-os.patch; cargo's -Z build-std takes std's source from rustc's sysroot.
TC=$SBF_DIR/toolchain
stamp="$SBF_NIGHTLY $(sha256sum sbf/std-solana-os.patch | cut -d' ' -f1)"
if [ "$(cat "$TC/.sbf-stamp" 2> /dev/null)" != "$stamp" ]; then
  echo "sbf/build.sh: preparing ${TC#$ROOT/} (toolchain copy + patched std)"
  rm -rf "$TC" "$TC.tmp"
  cp -al "$NIGHTLY_SYSROOT" "$TC.tmp" 2> /dev/null || { rm -rf "$TC.tmp"; cp -a "$NIGHTLY_SYSROOT" "$TC.tmp"; }
  rm -rf "$TC.tmp/lib/rustlib/src/rust"
  cp -r "$NIGHTLY_SYSROOT/lib/rustlib/src/rust" "$TC.tmp/lib/rustlib/src/rust"
  patch -p1 -s -d "$TC.tmp/lib/rustlib/src/rust" < sbf/std-solana-os.patch
  echo "$stamp" > "$TC.tmp/.sbf-stamp"
  mv "$TC.tmp" "$TC"
fi
[ "$("$TC/bin/rustc" --print sysroot)" = "$TC" ] || { echo "rustc copy does not see its own sysroot" >&2; exit 1; }

# --- 3. build ---------------------------------------------------------------------------
# A change to the link steps or the pins re-links the programs (cargo does not track them).
link_stamp=$(cat sbf/link-wrapper.sh sbf/fix-v0-stackargs.py sbf/versions.env | sha256sum | cut -d' ' -f1)
OUT=$TARGET_DIR/bpfel-solana/release
if [ "$(cat "$SBF_DIR/link.stamp" 2> /dev/null)" != "$link_stamp" ]; then
  # the linked .so lives in build/<package>/<hash>/out/ (cargo's newer build-dir layout) or
  # deps/ (older); a missing one makes cargo run rustc and the linker again for that crate
  for p in $PROGRAMS; do
    rm -f "$OUT/build/${p%%:*}/"*/out/lib${p#*:}.so "$OUT/deps/lib${p#*:}"*.so "$OUT/lib${p#*:}.so"
  done
fi

unset RUSTUP_TOOLCHAIN RUSTFLAGS CARGO_ENCODED_RUSTFLAGS
export RUSTC=$TC/bin/rustc
export RUSTFLAGS="-C target-cpu=$SBF_CPU"   # target units only (cross build): build scripts stay host
export RUSTC_BOOTSTRAP_SYNTHETIC_TARGET=1   # std's build script: a synthetic target may build std
export CARGO_TARGET_BPFEL_SOLANA_LINKER=$ROOT/sbf/link-wrapper.sh
export SBF_SBPF_LINKER=$SBPF_LINKER SBF_TOOLCHAIN=$TC SBF_WORK=$SBF_DIR/link SBF_ARCH SBF_CPU
for p in $PROGRAMS; do
  # one package per cargo run: built together, spot-venue's features would unify with the
  # `cpi` (no entrypoint) that options-amm asks for
  SBF_PROGRAM=${p#*:} nice -n 10 "$TC/bin/cargo" build --release --locked ${SBF_JOBS:+-j $SBF_JOBS} \
    --target "$ROOT/sbf/bpfel-solana.json" -Z json-target-spec -Z build-std=std,panic_abort \
    --target-dir "$TARGET_DIR" -p "${p%%:*}" ${SBF_FEATURES:+--features "$SBF_FEATURES"}
  so=$OUT/lib${p#*:}.so
  [ "$(head -c 4 "$so" | od -An -c | tr -d ' ')" = '177ELF' ] || { echo "$so is not an ELF (stub?)" >&2; exit 1; }
  cp "$so" "$DEPLOY/${p#*:}.so"
done
echo "$link_stamp" > "$SBF_DIR/link.stamp"
report "upstream LLVM + sbpf-linker $SBPF_LINKER_VERSION, SBPF $SBF_ARCH"
