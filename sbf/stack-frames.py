#!/usr/bin/env python3
"""Largest stack frames of the SBF builds (run sbf/build.sh first).

For each program, the atomic-lowered module the link wrapper kept
(target/sbf/link/<name>/lowered.bc) is compiled to BPF assembly by sbpf-linker itself
(--emit asm: the same LLVM pipeline, CPU and flags as the shipped ELF), and each
function's frame is the largest offset below r10 it touches (direct loads/stores and
`rX = r10; rX += -N` address computations). SBF gives every frame 4,096 bytes.

usage: sbf/stack-frames.py [N]   (top N per program, default 10)
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
SBF = os.path.join(TARGET, "sbf")
PROGRAMS = ["options_amm", "spot_venue"]
FRAME = 4096


def pins():
    env = {}
    for line in open(os.path.join(ROOT, "sbf", "versions.env")):
        m = re.match(r"^([A-Z_]+)=(\S+)", line)
        if m:
            env[m.group(1)] = m.group(2)
    return env


def demangle_all(syms):
    """Rust names readable: binutils' c++filt (knows Rust v0 and legacy mangling) with the
    crate hashes dropped; without c++filt, legacy names only."""
    try:
        out = subprocess.run(["c++filt"], input="\n".join(syms), capture_output=True, text=True, check=True)
        names = out.stdout.splitlines()
        if len(names) == len(syms):
            return [re.sub(r"\[[0-9a-f]+\]", "", n) for n in names]
    except (OSError, subprocess.CalledProcessError):
        pass
    return [demangle(s) for s in syms]


def demangle(sym):
    """Rust legacy mangling (_ZN...E), hash dropped; other names unchanged."""
    if not sym.startswith("_ZN") or not sym.endswith("E"):
        return sym
    s, i, parts = sym[3:-1], 0, []
    while i < len(s) and s[i].isdigit():
        j = i
        while s[j].isdigit():
            j += 1
        n = int(s[i:j])
        parts.append(s[j : j + n])
        i = j + n
    if parts and re.fullmatch(r"h[0-9a-f]{16}", parts[-1]):
        parts.pop()
    out = "::".join(parts)
    for a, b in [("$LT$", "<"), ("$GT$", ">"), ("$RF$", "&"), ("$BP$", "*"), ("$C$", ","), ("$u20$", " "),
                 ("$u27$", "'"), ("$u5b$", "["), ("$u5d$", "]"), ("$u7b$", "{"), ("$u7d$", "}"), ("$u3b$", ";"),
                 ("$u2b$", "+"), ("$u22$", '"'), ("$LP$", "("), ("$RP$", ")"), ("..", "::")]:
        out = out.replace(a, b)
    return out


def frames(asm):
    sizes, cur, aliases = {}, None, set()
    fn_re = re.compile(r"^([\w.$]+):\s*(#.*)?$")
    types = set(re.findall(r"^\s*\.type\s+([\w.$]+),@function", asm, re.M))
    for line in asm.splitlines():
        m = fn_re.match(line)
        if m and m.group(1) in types:
            cur, aliases = m.group(1), set()
            sizes.setdefault(cur, 0)
            continue
        if cur is None:
            continue
        code = line.split("#")[0]
        best = 0
        for off in re.findall(r"\(r10 - (\d+)\)", code):
            best = max(best, int(off))
        m = re.match(r"\s*(r\d+) = r10\s*$", code)
        if m:
            aliases.add(m.group(1))
        else:
            m = re.match(r"\s*(r\d+) \+= (-?\d+)\s*$", code)
            if m and m.group(1) in aliases:
                best = max(best, -int(m.group(2)))
            m2 = re.match(r"\s*(r\d+) = ", code)
            if m2 and not m:
                aliases.discard(m2.group(1))
        sizes[cur] = max(sizes[cur], best)
    return sizes


def main():
    top = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    p = pins()
    tc = os.path.join(SBF, "toolchain")
    linker = os.path.join(SBF, "sbpf-linker")  # the link build.sh leaves to the pinned one
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(tc, "lib"))
    for name in PROGRAMS:
        w = os.path.join(SBF, "link", name)
        bc, asm_path = os.path.join(w, "lowered.bc"), os.path.join(w, name + ".s")
        if not os.path.exists(bc):
            sys.exit(f"{bc} missing: run sbf/build.sh first")
        if not os.path.exists(asm_path) or os.path.getmtime(asm_path) < os.path.getmtime(bc):
            # sbpf-linker writes the assembly, then fails to read it as an ELF: expected
            subprocess.run([linker, "--cpu", p["SBF_CPU"], f"--arch={p['SBF_ARCH']}", "-O3",
                            "--llvm-args=-bpf-stack-size=4096", "--deploy=false", "--emit", "asm",
                            "--export-symbols", os.path.join(w, "symbols"), "-o", asm_path, bc],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not os.path.exists(asm_path) or os.path.getmtime(asm_path) < os.path.getmtime(bc):
            sys.exit(f"sbpf-linker wrote no assembly for {name}")
        sizes = frames(open(asm_path).read())
        ranked = sorted(sizes.items(), key=lambda kv: -kv[1])
        over = sum(1 for _, s in ranked if s > FRAME)
        print(f"{name}: {len(sizes)} functions, largest frame {ranked[0][1]} B, "
              f"{sum(1 for _, s in ranked if s > 2048)} over 2048 B, {over} over the {FRAME} B SBF frame")
        elf = os.path.join(TARGET, "deploy", name + ".so")
        dis = subprocess.run([os.path.join(tc, "lib", "rustlib", "x86_64-unknown-linux-gnu", "bin", "llvm-objdump"),
                              "-d", "--triple=bpfel", elf], capture_output=True, text=True).stdout
        offs = [int(x, 16) for x in re.findall(r"r10 - (0x[0-9a-f]+)", dis)]
        # v0 callees read their stack arguments at the bottom of their frame (r10 - 4096 + 8k)
        args = sorted({o for o in offs if o > FRAME - 256})
        local = max([o for o in offs if o <= FRAME - 256], default=0)
        print(f"  (ELF cross-check, {os.path.relpath(elf, ROOT)}: deepest local access r10-{local}; "
              f"stack-argument slots r10-{args[-1] if args else '-'}..r10-{args[0] if args else '-'})")
        for (sym, size), name_ in zip(ranked[:top], demangle_all([s for s, _ in ranked[:top]])):
            print(f"  {size:6d}  {name_}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
