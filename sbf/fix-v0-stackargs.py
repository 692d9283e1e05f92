#!/usr/bin/env python3
"""Move SBPF v0 outgoing stack-argument stores into the callee's frame.

sbpf-linker 0.2.6 rewrites LLVM 23's stack arguments (calls with more than five
arguments) into a caller store `*(r10 + off) = x` and a callee load
`x = *(r10 + off - 4096)`, which assumes contiguous 4 KiB frames. The runtime
(agave 3.1, solana-program-test 3.1.12) runs SBPF v0 with a 4 KiB gap between
frames: callee r10 = caller r10 + 8192, callee frame = [caller r10 + 4096,
caller r10 + 8192). The caller's store lands in the gap ("Access violation in
stack frame"). Adding 4096 to every positive-offset store through r10 makes it
land at the bottom of the callee's frame, exactly where the callee's unchanged
load reads. Positive-offset loads through r10 would mean another pattern: they
are counted and make the script fail.

usage: fix-v0-stackargs.py IN.so OUT.so
"""
import struct
import sys

STORES = {0x62, 0x6A, 0x72, 0x7A, 0x63, 0x6B, 0x73, 0x7B}  # st{w,h,b,dw} imm, stx{w,h,b,dw} reg
LOADS = {0x61, 0x69, 0x71, 0x79}  # ldx{w,h,b,dw}
LDDW = 0x18  # 16-byte instruction
GAP = 4096


def text_section(elf: bytes):
    """(file offset, size) of .text from the ELF64 little-endian section headers."""
    assert elf[:4] == b"\x7fELF" and elf[4] == 2 and elf[5] == 1, "not an ELF64 LE file"
    shoff = struct.unpack_from("<Q", elf, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    strtab_off = struct.unpack_from("<Q", elf, shoff + shstrndx * shentsize + 0x18)[0]
    for i in range(shnum):
        sh = shoff + i * shentsize
        name_off = struct.unpack_from("<I", elf, sh)[0]
        end = elf.index(b"\0", strtab_off + name_off)
        if elf[strtab_off + name_off : end] == b".text":
            off, size = struct.unpack_from("<QQ", elf, sh + 0x18)
            return off, size
    raise SystemExit("no .text section")


def main():
    src, dst = sys.argv[1], sys.argv[2]
    data = bytearray(open(src, "rb").read())
    off, size = text_section(data)
    patched = bad = 0
    i = off
    while i < off + size:
        op, regs = data[i], data[i + 1]
        dst_reg, src_reg = regs & 0xF, regs >> 4
        disp = struct.unpack_from("<h", data, i + 2)[0]
        if op == LDDW:
            i += 16
            continue
        if op in STORES and dst_reg == 10 and disp > 0:
            if disp + GAP > 0x7FFF:
                raise SystemExit(f"{src}: store offset {disp} at {i:#x} cannot be moved by {GAP}")
            struct.pack_into("<h", data, i + 2, disp + GAP)
            patched += 1
        if op in LOADS and src_reg == 10 and disp >= 0:
            bad += 1
        i += 8
    open(dst, "wb").write(data)
    print(f"{src}: moved {patched} outgoing stack-argument stores by {GAP}; positive r10 loads: {bad}")
    if bad:
        raise SystemExit("positive-offset r10 loads found: the stack-argument pattern changed, check sbpf-linker")


if __name__ == "__main__":
    main()
