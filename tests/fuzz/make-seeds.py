#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).
Run it again after changing a target's input format; the seeds are committed."""
import glob
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
put("cmd", "registers", bytes([0]) + dws(LRI1, 0x20C0, 0x00200020, SRM, 0x20C0, 0xB0B00010,
                                         LRM, 0x20C0, 0xB0B00010))
# The render TIMESTAMP stored: the device clock runs on between inputs, so the
# replay does not expect "clock-" inputs to do the same each time.
put("cmd", "clock-timestamp", bytes([0]) + dws(SRM, 0x2358, 0xB0B00010, SRM, 0x235C, 0xB0B00014))
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


# ---- Seeds from real traffic: the committed regression traces ------------------------------
#
# tests/regression/*.trace are xentrace-format recordings of whole sessions
# (xen/trace/vgt_trace_events.h): every trapped access of each domain, what
# its CPU wrote to its RAM and aperture, each step of the device and what the
# mediator did.  Each domain's session becomes seeds of the mmio, gtt, ioreq
# and cmd targets.  The recorded domains had other slices and more RAM than
# the fuzz world's attacker, so addresses in their memory are written
# relative to it (the targets' relative flags, fuzz_env.h): low-slice
# offsets as they are, high-slice ones after the attacker's low slice; guest
# frames modulo its RAM.  Addresses outside the recorded domain's memory
# (the hostile sessions' targets) stay absolute: they must be refused
# whatever they hit.

TRACES = os.path.join(HERE, "..", "regression")
ATT_LOW = 16 << 20           # the attacker's low slice in fuzz_env.h
ATT_RAM_PAGES = 512          # its 2 MiB of RAM
GTT_OFFSET, BAR0_SIZE, PVINFO = 0x200000, 0x400000, 0x78000
CPU_CHANGE, WRAP = 0x0001F003, 0x0001F002
EV_MMIO_READ, EV_MMIO_WRITE, EV_GTT_WRITE = 0x4F001, 0x4F002, 0x4F003
EV_CFG_READ, EV_CFG_WRITE, EV_PIO_READ, EV_PIO_WRITE = 0x4F004, 0x4F005, 0x4F006, 0x4F007
EV_RAM_WRITE, EV_APERTURE_WRITE = 0x4F008, 0x4F009
EV_STEP, EV_TIME, EV_SUBMIT = 0x4F013, 0x4F014, 0x4F020
ACCESSES = (EV_MMIO_READ, EV_MMIO_WRITE, EV_GTT_WRITE, EV_CFG_READ, EV_CFG_WRITE, EV_PIO_READ,
            EV_PIO_WRITE)
ENGINE_BASE = {0: 0x2000, 2: 0x22000}      # the core's engine numbers: RCS, BCS
MMIO_SIZE_SEL = {4: 0, 8: 2, 1: 3, 2: 4}   # fuzz_mmio.c's sizes[]
MAX_APERTURE_RECORDS = 4                   # uploads are pixels: a few show the path
# Registers whose value is a graphics address: ring starts, status pages, surfaces, fences.
GM_REGISTERS = ({b + 0x38 for b in (0x2000, 0x12000, 0x1A000, 0x22000)} |
                {0x4080, 0x4180, 0x4280, 0x4380} |
                {0x7019C + 0x1000 * p for p in range(3)} | {0x70084 + 0x1000 * p for p in range(3)} |
                set(range(0x100000, 0x100100, 4)))


def trace_records(data):
    """Yields (event, words) of a xentrace file, as xen/trace/trace_file.c reads it."""
    pos, end = 0, 0
    while pos < len(data):
        if end and pos == end:
            end = 0
            continue
        hdr, = struct.unpack_from("<I", data, pos)
        n, tsc, ev = (hdr >> 28) & 7, hdr >> 31, hdr & 0x0FFFFFFF
        need = 4 + 8 * tsc + 4 * n
        if not end:
            assert ev == CPU_CHANGE and n == 2, "not a xentrace window at %d" % pos
            end = pos + need + struct.unpack_from("<I", data, pos + 8)[0]
            pos += need
            continue
        if ev != WRAP:
            yield ev, struct.unpack_from("<%dI" % n, data, pos + 4 + 8 * tsc)
        pos += need


class Session:
    """One domain's part of a trace, and where its memory was."""

    def __init__(self, name, domid):
        self.name, self.domid, self.events = name, domid, []
        self.pv = {}

    def gm_rel(self, gm):
        """An address in the recorded domain's memory as an offset into the attacker's, or None."""
        lo, lo_size = self.pv.get(0x40, 0), self.pv.get(0x44, 0)
        hi, hi_size = self.pv.get(0x48, 0), self.pv.get(0x4C, 0)
        if lo <= gm < lo + lo_size:
            return gm - lo
        if hi <= gm < hi + hi_size:
            return ATT_LOW + gm - hi
        return None

    def gm_value(self, v):
        """A register or command word that is an address in its memory: (relative word, True)."""
        rel = self.gm_rel(v & ~0xFFF & 0xFFFFFFFF)
        if rel is None or v & 0xFFFFFFFF < 0x10000:
            return v, False
        return (v & ~0xFFFFFFFF) | ((rel | (v & 0xFFF)) & 0xFFFFFFFF), True


def sessions(path):
    name = os.path.splitext(os.path.basename(path))[0]
    out = {}
    with open(path, "rb") as f:
        data = f.read()
    for ev, w in trace_records(data):
        if ev in ACCESSES or ev in (EV_RAM_WRITE, EV_APERTURE_WRITE, EV_SUBMIT):
            domid = w[0] & 0xFFFF
            s = out.setdefault(domid, Session(name, domid))
            s.events.append((ev, w))
            if ev == EV_MMIO_READ and w[1] >> 8 == 0 and PVINFO + 0x40 <= w[2] < PVINFO + 0x50:
                s.pv[w[2] - PVINFO] = w[3]
        elif ev in (EV_STEP, EV_TIME):
            for s in out.values():          # the device ran for every domain
                s.events.append((ev, w))
    return [out[d] for d in sorted(out)]


def pte_frame(pte):
    """A PTE pointing at the same guest frame modulo the attacker's RAM (flags kept)."""
    gfn = ((pte & 0xFFFFF000) | ((pte & 0x7F0) << 28)) >> 12
    return (((gfn % ATT_RAM_PAGES) << 12) | (pte & 0x80F)) & 0xFFFFFFFF


def data_words(w):
    """(address, bytes) of a RAM_WRITE or APERTURE_WRITE record."""
    n = (w[0] >> 16) & 0xFFFF
    return w[1] | (w[2] << 32), struct.pack("<4I", *w[3:7])[:n]


def mmio_seed(s):
    out = bytearray()
    ram = bytearray(ATT_RAM_PAGES * 4096)    # what the attacker's RAM holds (starts clear)
    operands = address_positions(s)          # RAM words that the GPU takes as addresses
    apertures = 0
    for ev, w in s.events:
        if ev in (EV_MMIO_READ, EV_MMIO_WRITE, EV_GTT_WRITE):
            bar, size, off, val = w[1] >> 8, w[1] & 0xFF, w[2], w[3] | (w[4] << 32)
            write = ev != EV_MMIO_READ
            op = (1 if write else 0) + (2 if bar == 2 else 0)
            raw = off
            if bar == 0 and off >= GTT_OFFSET:
                rel = s.gm_rel((off - GTT_OFFSET) // 4 << 12)
                if rel is not None:
                    op |= 0x40
                    raw = GTT_OFFSET + (rel >> 12) * 4 + (off & 3)
                if write:
                    val = pte_frame(val & 0xFFFFFFFF) | (pte_frame(val >> 32) << 32 if size == 8 else 0)
            elif bar == 2:
                rel = s.gm_rel(off)
                if rel is not None and rel < ATT_LOW:
                    op, raw = op | 0x40, rel
            elif write and off in GM_REGISTERS:
                val, moved = s.gm_value(val)
                op |= 0x20 if moved else 0
            out += struct.pack("<BBIQ", op, MMIO_SIZE_SEL.get(size, 0), raw & 0xFFFFFFFF, val)
        elif ev in (EV_CFG_READ, EV_CFG_WRITE):
            out += struct.pack("<BBIQ", 4 if ev == EV_CFG_READ else 5, MMIO_SIZE_SEL.get(w[1], 0),
                               w[2], w[3])
        elif ev in (EV_PIO_READ, EV_PIO_WRITE):
            out += struct.pack("<BBIQ", 6, MMIO_SIZE_SEL.get(w[1], 0), w[2],
                               (w[3] << 1 | 1) if ev == EV_PIO_WRITE else 0)
        elif ev == EV_RAM_WRITE:
            addr, b = data_words(w)
            for i in range(0, len(b) - len(b) % 4, 4):
                gpa = (addr + i) % len(ram)
                word, = struct.unpack_from("<I", b, i)
                if ram[gpa:gpa + 4] == b[i:i + 4]:
                    continue                 # it holds that already
                ram[gpa:gpa + 4] = b[i:i + 4]
                word, moved = s.gm_value(word) if addr + i in operands else (word, False)
                out += struct.pack("<BBIQ", 0x46 | (0x20 if moved else 0), 0, gpa, word)
        elif ev == EV_APERTURE_WRITE:
            addr, b = data_words(w)
            rel = s.gm_rel(addr)
            if rel is None or rel >= ATT_LOW or apertures >= MAX_APERTURE_RECORDS:
                continue
            apertures += 1
            for i in range(0, len(b) - len(b) % 8, 8):
                out += struct.pack("<BBIQ", 0x43, 2, rel + i, struct.unpack_from("<Q", b, i)[0])
        elif ev in (EV_STEP, EV_TIME):
            out += struct.pack("<BBIQ", 7, 0, 0, 0)
    return bytes(out)


def gtt_sel(where, size, off):
    """fuzz_gtt.c's selector: bits 5:4 where (0 low slice, 1 high, 3 absolute), bits 7:6 the
    misalignment, and the whole byte modulo 6 the access size."""
    for low in range(16):
        sel = ((off & 3) << 6) | (where << 4) | low
        if [4, 8, 4, 1, 2, 8][sel % 6] == size:
            return sel
    raise ValueError("no selector for a %d-byte write" % size)


def gtt_seed(s):
    out = bytearray()
    for ev, w in s.events:
        if ev != EV_GTT_WRITE:
            continue
        size, off, val = w[1] & 0xFF, w[2], w[3] | (w[4] << 32)
        idx = (off - GTT_OFFSET) // 4
        rel = s.gm_rel(idx << 12)
        pte = pte_frame(val & 0xFFFFFFFF) | (pte_frame(val >> 32) << 32 if size == 8 else 0)
        if rel is None:                      # absolute: the hostile write outside its slices
            out += struct.pack("<BIQ", gtt_sel(3, size, off), idx, pte)
        elif rel < ATT_LOW:
            out += struct.pack("<BIQ", gtt_sel(0, size, off), rel >> 12, pte)
        else:
            out += struct.pack("<BIQ", gtt_sel(1, size, off), (rel - ATT_LOW) >> 12, pte)
    return bytes(out)


IOREQ_SBDF = 2 << 3                          # 00:02.0, as fuzz_ioreq.c claims it
BAR2, BAR4 = 0x40000000, 0xC000             # where fuzz_ioreq.c places BAR2 and BAR4


def ioreq_sync(kind, typ, read, addr, size, data=0):
    flags = 1 | ((1 if read else 0) << 5)   # state READY, dir
    return bytes([kind]) + struct.pack("<QQIIIHBB", addr, data, 1, size, 3, 0, flags, typ)


def ioreq_seed(s):
    out = bytearray()
    for ev, w in s.events:
        if ev in (EV_MMIO_READ, EV_MMIO_WRITE, EV_GTT_WRITE):
            bar, size, off, val = w[1] >> 8, w[1] & 0xFF, w[2], w[3] | (w[4] << 32)
            read, kind = ev == EV_MMIO_READ, 0
            addr = off if bar == 0 else BAR2 + off
            if bar == 0 and off >= GTT_OFFSET:
                rel = s.gm_rel((off - GTT_OFFSET) // 4 << 12)
                if rel is not None:
                    kind, addr = kind | 2, GTT_OFFSET + (rel >> 12) * 4 + (off & 3)
                if not read:
                    val = pte_frame(val & 0xFFFFFFFF) | (pte_frame(val >> 32) << 32 if size == 8 else 0)
            elif bar == 2:
                rel = s.gm_rel(off)
                if rel is not None and rel < ATT_LOW:
                    kind, addr = kind | 2, BAR2 + rel
            elif not read and bar == 0 and off in GM_REGISTERS:
                val, moved = s.gm_value(val)
                kind |= 4 if moved else 0
            out += ioreq_sync(kind, 1, read, addr, size, 0 if read else val)
        elif ev in (EV_CFG_READ, EV_CFG_WRITE):
            out += ioreq_sync(0, 2, ev == EV_CFG_READ, IOREQ_SBDF << 32 | w[2], w[1],
                              0 if ev == EV_CFG_READ else w[3])
        elif ev in (EV_PIO_READ, EV_PIO_WRITE):
            out += ioreq_sync(0, 0, ev == EV_PIO_READ, BAR4 + w[2], w[1],
                              0 if ev == EV_PIO_READ else w[3])
    return bytes(out)


def ioreq_buffered_seed(s, limit=64):
    """Register writes below 1 MiB through the buffered ring, as Xen batches posted writes
    (not those of addresses: buffered slots have no relative form)."""
    slots = []
    for ev, w in s.events:
        if ev == EV_MMIO_WRITE and w[1] >> 8 == 0 and w[2] < 1 << 20 and w[1] & 0xFF in (1, 2, 4) \
                and w[2] not in GM_REGISTERS:
            val = w[3]
            slots.append(1 | ({1: 0, 2: 1, 4: 2}[w[1] & 0xFF] << 10) | (w[2] << 12) | (val << 32))
    out = bytearray()
    for i in range(0, min(len(slots), 4 * limit), limit):
        chunk = slots[i:i + limit]
        out += bytes([1]) + struct.pack("<IIB", i, i + len(chunk), len(chunk))
        out += b"".join(struct.pack("<Q", x) for x in chunk)
    return bytes(out)


def command_length(dw):
    """Dwords of the command whose header is @dw (Gen7: MI, 2D and 3D length fields)."""
    if dw >> 29 == 0:                        # MI: opcodes below 0x10 have no length
        return 1 if (dw >> 23) & 0x3F < 0x10 else (dw & 0x3F) + 2
    return (dw & 0xFF) + 2


def address_operands(cmd):
    """Which dwords of a command are graphics addresses (what refdrv and the demo emit)."""
    client, op = cmd[0] >> 29, (cmd[0] >> 23) & 0x3F
    if client == 0:
        return {0x31: [1], 0x20: [2], 0x24: [2], 0x29: [2], 0x26: [1]}.get(op, [])
    if client == 2:
        blt = (cmd[0] >> 22) & 0x7F
        return {0x50: [4], 0x53: [4, 7]}.get(blt, [])
    if client == 3 and cmd[0] >> 16 == 0x7A00:   # PIPE_CONTROL
        return [2]
    return []


class Replayer:
    """A domain's GTT, RAM and rings as the session builds them, and what each submission runs."""

    def __init__(self, s):
        self.s, self.gtt, self.ram, self.ring = s, {}, {}, {}

    def gpa(self, gm):
        gfn = self.gtt.get(gm >> 12)
        return None if gfn is None else (gfn << 12) + (gm & 0xFFF)

    def dword(self, gm):
        g = self.gpa(gm)
        return 0 if g is None else int.from_bytes(bytes(self.ram.get(g + i, 0) for i in range(4)), "little")

    def walk(self, gm, n, depth, out):
        """Commands from @gm (n dwords, or to MI_BATCH_BUFFER_END): (gm, dwords) of each."""
        end = gm + 4 * n if n else gm + 4 * 2048
        while gm < end:
            hdr = self.dword(gm)
            if not n and hdr == 0x05000000:
                return
            cmd = [self.dword(gm + 4 * k) for k in range(min(command_length(hdr), 16))]
            out.append((gm, cmd))
            if hdr >> 23 == 0x31 and len(cmd) > 1 and depth < 3:
                batch = []
                self.walk(cmd[1], 0, depth + 1, batch)
                out.append(("batch", cmd[1], batch))
                if not hdr & (1 << 22) and depth:
                    return                   # a chain: the rest of this buffer does not run
            gm += 4 * command_length(hdr)

    def event(self, ev, w):
        """Applies one event; for a submission returns (engine, ring commands) with batches."""
        if ev == EV_GTT_WRITE:
            for k in range(2 if w[1] & 0xFF == 8 else 1):
                pte = w[3 + k]
                idx = (w[2] - GTT_OFFSET) // 4 + k
                if pte & 1:
                    self.gtt[idx] = ((pte & 0xFFFFF000) | ((pte & 0x7F0) << 28)) >> 12
                else:
                    self.gtt.pop(idx, None)
        elif ev == EV_RAM_WRITE:
            addr, b = data_words(w)
            for i, x in enumerate(b):
                self.ram[addr + i] = x
        elif ev == EV_APERTURE_WRITE:
            addr, b = data_words(w)
            for i, x in enumerate(b):
                g = self.gpa(addr + i)
                if g is not None:
                    self.ram[g] = x
        elif ev == EV_MMIO_WRITE and w[1] >> 8 == 0:
            for e, base in ENGINE_BASE.items():
                if w[2] == base + 0x38:
                    self.ring.setdefault(e, {})["start"] = w[3]
                elif w[2] == base + 0x3C:
                    self.ring.setdefault(e, {})["size"] = (w[3] & 0x1FF000) + 0x1000
        elif ev == EV_SUBMIT and "start" in self.ring.get(w[1], {}):
            r = self.ring[w[1]]
            size, head, tail = r.get("size", 0x4000), w[2], w[3]
            cmds = []
            if tail >= head:
                self.walk(r["start"] + head, (tail - head) // 4, 0, cmds)
            else:
                self.walk(r["start"] + head, (size - head) // 4, 0, cmds)
                self.walk(r["start"], tail // 4, 0, cmds)
            return w[1], cmds
        return None


def operand_positions(cmds, out):
    """The guest-physical positions of address operands in what a submission ran."""
    for c in cmds:
        if c[0] == "batch":
            operand_positions(c[2], out)
        else:
            out.add(c[0])                    # the command's own gm, resolved below
            for k in address_operands(c[1]):
                out.add(("operand", c[0] + 4 * k))


def address_positions(s):
    """Where, in the domain's RAM, address operands of its submissions lie."""
    rp, found = Replayer(s), set()
    for ev, w in s.events:
        sub = rp.event(ev, w)
        if sub:
            gms = set()
            operand_positions(sub[1], gms)
            for g in gms:
                if isinstance(g, tuple) and rp.gpa(g[1]) is not None:
                    found.add(rp.gpa(g[1]))
    return found


def cmd_seeds(s):
    """Each batch (and ring submission) the session made, addresses as the cmd target writes them."""
    rp, seeds = Replayer(s), []

    def flatten(cmds, batch_gm, base):
        """Dwords of commands with their address operands in the target's 0xB0B0/0xBA7C forms."""
        out = []
        for gm, cmd in cmds:
            ops = address_operands(cmd)
            for k, d in enumerate(cmd[:command_length(cmd[0])]):
                if k in ops and batch_gm <= d < batch_gm + 0x10000:
                    d = 0xBA7C0000 | (d - batch_gm)
                elif k in ops and s.gm_rel(d & ~3) is not None:
                    d = 0xB0B00000 | ((d - base) & 0xFFFF)
                out.append(d)
        return out

    def data_base(cmds):
        refs = [c[1][k] for c in cmds if c[0] != "batch" for k in address_operands(c[1])
                if k < len(c[1]) and s.gm_rel(c[1][k] & ~3) is not None]
        return min(refs) & ~0xFFF if refs else 0

    for ev, w in s.events:
        sub = rp.event(ev, w)
        if not sub or sub[0] not in (0, 2):
            continue
        mode = 1 if sub[0] == 2 else 0
        ring = []
        for c in sub[1]:
            if c[0] == "batch":
                _, gm, batch = c
                plain = [x for x in batch if x[0] != "batch"]
                seeds.append(bytes([mode]) + dws(*flatten(plain, gm, data_base(plain))))
            elif c[1][0] >> 23 == 0x31:
                ring += [0, 0]                   # the ring seed runs no batch
            else:
                ring.append(c)
        flat = []
        for x in ring:
            flat += [0] if x == 0 else flatten([x], -0x20000, data_base([x]))
        seeds.append(bytes([mode | 2]) + dws(*flat))
    return seeds


def trace_seeds():
    """Writes the seeds from every regression trace; identical ones once."""
    for t in ("mmio", "gtt", "ioreq", "cmd"):
        d = os.path.join(HERE, "corpus", t)
        for f in os.listdir(d) if os.path.isdir(d) else []:
            if f.startswith("trace-"):
                os.remove(os.path.join(d, f))
    seen = set()

    def keep(target, name, data):
        if data and (target, data) not in seen:
            seen.add((target, data))
            put(target, name, data)

    for path in sorted(glob.glob(os.path.join(TRACES, "*.trace"))):
        for s in sessions(path):
            tag = "trace-%s-dom%d" % (s.name, s.domid)
            keep("mmio", tag, mmio_seed(s))
            keep("gtt", tag, gtt_seed(s))
            keep("ioreq", tag, ioreq_seed(s))
            keep("ioreq", tag + "-buffered", ioreq_buffered_seed(s))
            for i, c in enumerate(cmd_seeds(s)):
                keep("cmd", "%s-%s%d" % (tag, "ring" if c[0] & 2 else "batch", i), c)


trace_seeds()
