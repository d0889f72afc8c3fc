#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).
Run it again after changing a target's input format; the seeds are committed."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def dws(*v):
    return b"".join(struct.pack("<I", x & 0xFFFFFFFF) for x in v)


# ---- commands: [mode] dwords; 0xB0B0xxxx = data buffer, 0xBA7Cxxxx = this batch
SDI, SDI_QW = 0x10400002, 0x10400003          # MI_STORE_DATA_IMM | GGTT
LRI1 = 0x11000001
SRM, LRM = 0x12400001, 0x14C00001
FLUSH_DW = 0x13004001                         # post-sync store dword
PIPE_CONTROL = 0x7A000002
BB_START, BB_END, NOOP, UIRQ = 0x18800000, 0x05000000, 0, 0x01000000
COLOR_BLT, COPY_BLT = 0x54300004, 0x54F00006  # with write RGBA
BR13 = (3 << 24) | (0xF0 << 16) | 1024
put("cmd", "stores", bytes([0]) + dws(SDI, 0, 0xB0B00000, 1, SDI_QW, 0, 0xB0B00008, 2, 3, UIRQ))
put("cmd", "registers", bytes([0]) + dws(LRI1, 0x20C0, 0x00200020, SRM, 0x2358, 0xB0B00010,
                                         LRM, 0x20C0, 0xB0B00010))
put("cmd", "pipe-control", bytes([0]) + dws(PIPE_CONTROL, (1 << 24) | (1 << 14), 0xB0B00020, 7))
put("cmd", "blits", bytes([1]) + dws(COLOR_BLT, BR13, 0, (16 << 16) | 256, 0xB0B00000, 0x00FF00FF,
                                     COPY_BLT, (3 << 24) | (0xCC << 16) | 1024, 0, (8 << 16) | 128,
                                     0xB0B04000, 0, 1024, 0xB0B00000))
put("cmd", "flush-dw", bytes([1]) + dws(FLUSH_DW, 0xB0B00030 | 4, 9))
put("cmd", "second-level", bytes([0]) + dws(BB_START | (1 << 22), 0xBA7C0010, BB_END, NOOP,
                                            SDI, 0, 0xB0B00040, 5, BB_END))
put("cmd", "ring", bytes([2]) + dws(SDI, 0, 0xB0B00000, 11, UIRQ, NOOP))
put("cmd", "chain", bytes([0]) + dws(NOOP, BB_START, 0xBA7C0000))

# ---- mmio: [op][size][offset:4][value:8]; op bit 7 picks a hot register
def rec(op, size, off, val):
    return struct.pack("<BBIQ", op, size, off, val)

ring = (rec(0x81, 0, 4, 0x10000) + rec(0x81, 0, 3, 0x3000 | 1) + rec(0x81, 0, 0, 0x40) +
        rec(0x07, 0, 0, 0))
put("mmio", "ring-setup", ring)
put("mmio", "fences", rec(0x81, 0, 16, 0x02000001) + rec(0x81, 0, 17, 0x0200F003))
put("mmio", "pvinfo", rec(0x81, 0, 20, 0) + rec(0x81, 0, 21, 1) + rec(0x81, 0, 22, 1))
put("mmio", "cfg", rec(5, 0, 0x10, 0xFFFFFFFF) + rec(4, 0, 0x10, 0) + rec(5, 1, 4, 7) +
    rec(5, 4, 0xA8, 1))
put("mmio", "odd", rec(1, 5, 0x2002, 0) + rec(0, 6, 0x2030, 0) + rec(3, 0, 0x100, 0) +
    rec(6, 0, 0, 0x4000 << 1 | 1) + rec(6, 0, 4, 0))

# ---- gtt: [sel][index:4][pte:8]
def gtt(sel, idx, pte):
    return struct.pack("<BIQ", sel, idx, pte)

put("gtt", "own", gtt(0x00, 1, 0x1001) + gtt(0x10, 2, 0x2001) + gtt(0x01, 3, 0x3001 | (0x3001 << 32)))
put("gtt", "edges", gtt(0x20, 3, 0x1001) + gtt(0x20, 4, 0x1001) + gtt(0x30, 0x7FFFF, 1))
put("gtt", "foreign-frame", gtt(0x00, 5, 0x7F00001001))

# ---- cfg: [size][offset:2][value:4]
def cfg(size, off, val):
    return struct.pack("<BHI", size, off, val)

put("cfg", "bars", cfg(0, 0x10, 0xFFFFFFFF) + cfg(0, 0x14, 0xFFFFFFFF) + cfg(0, 0x18, 0xE0000000) +
    cfg(1, 4, 7) + cfg(0, 0x20, 0xC000))
put("cfg", "msi-flr", cfg(0, 0x94, 0xFEE00000) + cfg(1, 0x98, 0x41) + cfg(1, 0x92, 1) +
    cfg(2, 0xA8, 1))

# ---- types
with open(os.path.join(HERE, "..", "..", "config", "vgpu-types.conf"), "rb") as f:
    put("types", "shipped", f.read())
put("types", "bad", b"a 1 1 0 1 1x1\nb 513 1 0 1 1x1\n")
put("types", "edge", b"abcdefghijabcdefghijabcdefghija 512 2048 32 100 4096x4096\r\n# c\n")

# ---- ioreq: [kind] + ioreq_t (even kind) or [rp:4][wp:4][n] + n buffered slots (odd kind)
IOREQ_READ, IOREQ_WRITE = 1, 0
PIO, COPY, PCI, INVAL = 0, 1, 2, 8


def ioreq(typ, dirn, addr, size, data=0, count=1, ptr=0, df=0):
    flags = 1 | (ptr << 4) | (dirn << 5) | (df << 6)   # state READY, data_is_ptr, dir, df
    return bytes([0]) + struct.pack("<QQIIIHBB", addr, data, count, size, 3, 0, flags, typ)





def buffered(rp, slots):
    out = bytes([1]) + struct.pack("<IIB", rp, rp + len(slots), len(slots))
    for typ, addr, size_log2, data in slots:
        out += struct.pack("<Q", typ | (size_log2 << 10) | ((addr & 0xFFFFF) << 12) | (data << 32))
    return out


put("ioreq", "cfg-and-bars", ioreq(PCI, IOREQ_READ, 0x10 << 32, 4) +
    ioreq(PCI, IOREQ_WRITE, (0x10 << 32) | 0x10, 4, 0xF0000000) +
    ioreq(PCI, IOREQ_WRITE, (0x10 << 32) | 4, 2, 7))
put("ioreq", "mmio", ioreq(COPY, IOREQ_READ, 0x78000, 8) + ioreq(COPY, IOREQ_WRITE, 0x70188, 4, 0x1400) +
    ioreq(COPY, IOREQ_WRITE, 0x200000 + 4 * 0x8000, 4, 0x1001))
put("ioreq", "rep-ptr", ioreq(COPY, IOREQ_WRITE, 0x200000 + 4 * 0x8000, 4, 0x1000, count=16, ptr=1) +
    ioreq(COPY, IOREQ_READ, 0x200000 + 4 * 0x800F, 4, 0x2000, count=16, ptr=1, df=1))
put("ioreq", "pio", ioreq(PIO, IOREQ_WRITE, 0xC000, 4, 0x78000) + ioreq(PIO, IOREQ_READ, 0xC004, 4) +
    ioreq(INVAL, IOREQ_READ, 0, 0))
put("ioreq", "buffered-wrap", buffered(509, [(COPY, 0x70188, 2, 0x2000), (COPY, 0x70188, 3, 0x3000),
                                             (COPY, 0x70188, 3, 0x12345678)]))
put("ioreq", "malformed", ioreq(COPY, IOREQ_READ, 0x78000, 3) + ioreq(5, IOREQ_READ, 0, 4) +
    ioreq(COPY, IOREQ_READ, 0, 4, count=0xFFFFFFFF, ptr=1) + bytes([1]) + struct.pack("<IIB", 7, 7 + 600, 0))
