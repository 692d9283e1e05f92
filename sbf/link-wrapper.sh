#!/usr/bin/env bash
# Linker for the bpfel-solana target (rustc calls it with bpf-linker style arguments).
# Set up by sbf/build.sh, which exports:
#   SBF_PROGRAM     lib name of the program this cargo run builds (options_amm | spot_venue)
#   SBF_SBPF_LINKER path of the pinned sbpf-linker
#   SBF_TOOLCHAIN   the nightly sysroot (its lib/ holds the LLVM that sbpf-linker loads, and opt)
#   SBF_WORK        folder for the intermediate files (target/sbf/link)
#   SBF_ARCH, SBF_CPU (sbf/versions.env)
# Any other cdylib (a dependency's, e.g. spot_venue built with `cpi` for options_amm, or
# solana-zk-sdk) is never loaded on chain: it gets an empty stub.
# The program itself:
#  1. sbpf-linker with --dump-module: links and optimises the bitcode and dumps the final
#     module; its SBF conversion then fails on BPF atomic opcodes ("invalid opcode 0xdb"),
#     which is expected;
#  2. std's few internal writable statics (panic count/hook, RandomState keys) -> constants:
#     the SBF loader has no writable data section, a store to one would fault anyway;
#  3. opt -passes=lower-atomic (SBF is single-threaded and has no atomic opcodes);
#  4. sbpf-linker again on the lowered module -> SBPF $SBF_ARCH ELF;
#  5. for v0: fix-v0-stackargs.py (the runtime's 4 KiB gap between v0 stack frames).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=""; syms=""; prev=""
for a in "$@"; do
  [ "$prev" = "-o" ] && out="$a"
  [ "$prev" = "--export-symbols" ] && syms="$a"
  prev="$a"
done
[ -n "$out" ] || { echo "link-wrapper: no -o in: $*" >&2; exit 1; }
name=$(basename "$out" .so); name=${name#lib}; name=${name%-*[0-9a-f]}
if [ "$name" != "${SBF_PROGRAM:-}" ]; then
  rm -f "$out"; : > "$out"   # rm first: never truncate a file cargo hard-linked elsewhere
  exit 0
fi
: "${SBF_SBPF_LINKER:?} ${SBF_TOOLCHAIN:?} ${SBF_WORK:?} ${SBF_ARCH:?} ${SBF_CPU:?}"
export LD_LIBRARY_PATH="$SBF_TOOLCHAIN/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
llvmbin="$SBF_TOOLCHAIN/lib/rustlib/x86_64-unknown-linux-gnu/bin"
w="$SBF_WORK/$name"; rm -rf "$w"; mkdir -p "$w"
stack=--llvm-args=-bpf-stack-size=4096

"$SBF_SBPF_LINKER" "$@" "$stack" --deploy=false --dump-module "$w/dump" > "$w/pass1.log" 2>&1
echo "pass1 rc=$? (a failure on atomic opcodes is expected)" >> "$w/pass1.log"
[ -s "$w/dump/post-opt.ll" ] || { echo "link-wrapper: sbpf-linker dumped no module" >&2; cat "$w/pass1.log" >&2; exit 1; }

sed -E '/^@llvm\./!s/^(@[^ ]+ = internal (unnamed_addr )?)global /\1constant /' "$w/dump/post-opt.ll" > "$w/ro.ll"
"$llvmbin/opt" -passes=lower-atomic "$w/ro.ll" -o "$w/lowered.bc" || { echo "link-wrapper: opt failed" >&2; exit 1; }
rm -rf "$w/dump" "$w/ro.ll"   # large text files; lowered.bc is what the stack report reads
cp "$syms" "$w/symbols"

"$SBF_SBPF_LINKER" --cpu "$SBF_CPU" --arch="$SBF_ARCH" -O3 "$stack" --deploy=false \
  --export-symbols "$w/symbols" -o "$w/$name.raw.so" "$w/lowered.bc" > "$w/pass2.log" 2>&1 \
  || { echo "link-wrapper: sbpf-linker failed on the lowered module" >&2; grep -v "WARN ignoring" "$w/pass2.log" >&2; exit 1; }

if [ "$SBF_ARCH" = v0 ]; then
  python3 "$here/fix-v0-stackargs.py" "$w/$name.raw.so" "$w/$name.so" > "$w/fix.log" || { cat "$w/fix.log" >&2; exit 1; }
else
  cp "$w/$name.raw.so" "$w/$name.so"
fi
rm -f "$out"; cp "$w/$name.so" "$out"
