#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`vgt trace dump` and `vgt trace import` on trace files written byte by byte.

    check_trace_files.py VGT XENALYZE

XENALYZE is the path of Debian's xenalyze (tools/fetch-xenalyze.sh), or ""
when it is not available: its checks are then skipped.

Every file here is built with struct in xentrace's exact layout: windows of
a CPU-change record {cpu, byte count} and that many bytes of t_rec records
(header: event | words << 28 | TSC flag << 31, the TSC as lo/hi, the
words).  Checks that a good vgt trace dumps every event with the right
decoding and that the filters work; that truncated, corrupted, empty,
random and foreign files give exit 1 with a one-line reason and never a
crash; that a Xen capture of a guest's I/O imports into exactly the
expected MMIO/PIO stream with the right counts; and that Xen's own
analyzer reads vgt traces.  Prints TAP, one line per check.
"""
import os
import random
import re
import struct
import subprocess
import sys
import tempfile

VGT = sys.argv[1]
XENALYZE = sys.argv[2] if len(sys.argv) > 2 else ""
FORMATS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "config",
                       "xentrace-formats")
results = []


def check(name, cond, detail=""):
    results.append(bool(cond))
    print(("ok" if cond else "not ok") + " %d - %s" % (len(results), name))
    if not cond and detail:
        for line in str(detail).splitlines()[:40]:
            print("# " + line)


def skip(name, why):
    results.append(True)
    print("ok %d - %s # SKIP %s" % (len(results), name, why))


# ---- xentrace's layout -------------------------------------------------------------------

CPU_CHANGE = 0x0001F003
LOST_RECORDS = 0x0001F001
WRAP_BUFFER = 0x0001F002
TRC_64_FLAG = 0x100
IOPORT_READ, IOMEM_READ = 0x00082016, 0x00082017
IOPORT_WRITE, IOMEM_WRITE = 0x00082216, 0x00082217
HVM_VMENTRY, HVM_VMEXIT, HVM_CPUID = 0x00081001, 0x00081002, 0x0008200E
SCHED_RUNSTATE, SCHED_SWITCH = 0x00021001, 0x0002800A


def rec(event, words=(), tsc=None):
    """One t_rec: header, the TSC (lo, hi) if given, then the words."""
    words = list(words)
    assert len(words) <= 7
    hdr = (event & 0x0FFFFFFF) | len(words) << 28 | (1 << 31 if tsc is not None else 0)
    out = struct.pack("<I", hdr)
    if tsc is not None:
        out += struct.pack("<II", tsc & 0xFFFFFFFF, tsc >> 32)
    return out + struct.pack("<%dI" % len(words), *words)


def window(cpu, body, count=None):
    """What xentrace writes per buffer window: {cpu, byte count}, then the bytes."""
    return struct.pack("<III", CPU_CHANGE | 2 << 28, cpu, len(body) if count is None else count) + body


# ---- vgt's events (xen/trace/vgt_trace_events.h) ------------------------------------------

C = 0x0004F000
EV = {
    "meta": C | 0x000, "mmio-read": C | 0x001, "mmio-write": C | 0x002, "gtt-write": C | 0x003,
    "cfg-read": C | 0x004, "cfg-write": C | 0x005, "pio-read": C | 0x006, "pio-write": C | 0x007,
    "ram-write": C | 0x008, "aperture-write": C | 0x009, "gmem-read": C | 0x00A,
    "vgpu-create": C | 0x010, "vgpu-destroy": C | 0x011, "vgpu-reset": C | 0x012,
    "step": C | 0x013, "time": C | 0x014, "digest": C | 0x015, "foreground": C | 0x016,
    "submit": C | 0x020, "audit": C | 0x021, "shadow": C | 0x022, "sched-in": C | 0x023,
    "sched-out": C | 0x024, "ctx-save": C | 0x025, "ctx-restore": C | 0x026, "irq": C | 0x027,
    "failsafe": C | 0x028, "engine-reset": C | 0x029, "complete": C | 0x02A,
}
MAGIC = 0x54544756
NOBODY = 0xFFFFFFFF


def bytes_words(data):
    """Up to 16 bytes as the four little-endian data words of a memory record."""
    data = data.ljust(16, b"\0")
    return list(struct.unpack("<4I", data))


# Every event, as the mediator records it: (event name, words, domid or None).
GOOD = [
    ("meta", [MAGIC, 1, 1], None),
    ("vgpu-create", [1, 64, 256, 4, 2, 64, 32], 1),
    ("vgpu-create", [2, 128, 384, 4, 4, 96, 32], 2),
    ("foreground", [1], 1),
    ("cfg-read", [1, 2, 0x0, 0x8086], 1),
    ("cfg-write", [1, 4, 0x10, 0xF0000000], 1),
    ("mmio-write", [1, 0 << 8 | 4, 0x2030, 0x40, 0], 1),
    ("mmio-read", [1, 0 << 8 | 4, 0x2034, 0x38, 0], 1),
    ("mmio-read", [2, 0 << 8 | 4, 0x2030, 0x10, 0], 2),
    ("mmio-write", [2, 0 << 8 | 8, 0x100000, 0x00FFF001, 0x00100000], 2),
    ("mmio-write", [1, 2 << 8 | 4, 0x1000, 0xDEADBEEF, 0], 1),
    ("gtt-write", [1, 0 << 8 | 4, 0x200000 + 4 * 5, 0x12345001, 0], 1),
    ("pio-write", [1, 4, 0, 0x2030], 1),
    ("pio-read", [1, 4, 4, 0x40], 1),
    ("ram-write", [1 | 4 << 16, 0x04001000, 0] + bytes_words(b"\xde\xad\xbe\xef"), 1),
    ("aperture-write", [1 | 16 << 16, 0x2000, 0] + bytes_words(bytes(range(16))), 1),
    ("gmem-read", [2 | 8 << 16, 0x06000000, 1] + bytes_words(b"\x00\x00\x00\x18\x00\x00\x00\x05"), 2),
    ("step", [1000, 0, 12, 0], None),
    ("time", [1000000, 0], None),
    ("submit", [1, 0, 0x0, 0x40], 1),
    ("audit", [1, 0, 0, 16], 1),
    ("shadow", [1, 0, 16, 1], 1),
    ("submit", [2, 2, 0x100, 0x140], 2),
    ("audit", [2, 2, (-22) & 0xFFFFFFFF, 0], 2),
    ("failsafe", [2, 8], 2),
    ("sched-in", [1, 0], 1),
    ("ctx-restore", [1, 0], 1),
    ("sched-out", [1, 0, 250000, 0], 1),
    ("ctx-save", [1, 0], 1),
    ("complete", [1, 0, 0x40], 1),
    ("irq", [1, 0xFEE00000, 0x4021], 1),
    ("engine-reset", [2, 2], 2),
    ("digest", [NOBODY, 0], None),
    ("digest", [1, 1, 0x89ABCDEF, 0x01234567], 1),
    ("digest", [1, 4, 0, 0], 1),
    ("vgpu-reset", [2], 2),
    ("vgpu-destroy", [2], 2),
    ("foreground", [NOBODY], None),
]

# Lines pinned exactly (index into GOOD: the line).
GOOD_LINES = {
    0: "   0.000001000  -       meta            version 1 flags 0x1 (deterministic)",
    1: "   0.000002000  d1      vgpu-create     low 64 MiB, high 256 MiB, 4 fences, weight 2, "
       "RAM 32 MiB at 64 MiB",
    4: "   0.000005000  d1      cfg-read        cfg 0x000/2 = 0x8086",
    6: "   0.000007000  d1      mmio-write      bar0 0x002030/4 RCS_TAIL = 0x00000040",
    7: "   0.000008000  d1      mmio-read       bar0 0x002034/4 RCS_HEAD = 0x00000038",
    9: "   0.000010000  d2      mmio-write      bar0 0x100000/8 FENCE_REG = 0x0010000000fff001",
    10: "   0.000011000  d1      mmio-write      bar2 0x001000/4 = 0xdeadbeef",
    11: "   0.000012000  d1      gtt-write       bar0 0x200014/4 gtt[5] = 0x12345001",
    12: "   0.000013000  d1      pio-write       bar4 0x00/4 MMIO_INDEX = 0x00002030",
    14: "   0.000015000  d1      ram-write       0x04001000 4 bytes: de ad be ef",
    15: "   0.000016000  d1      aperture-write  bar2 0x00002000 16 bytes: 00 01 02 03 04 05 06 07 "
        "08 09 0a 0b 0c 0d 0e 0f",
    16: "   0.000017000  d2      gmem-read       0x106000000 8 bytes: 00 00 00 18 00 00 00 05",
    17: "   0.000018000  -       step            budget 1000, executed 12",
    18: "   0.000019000  -       time            +1000000 ns",
    20: "   0.000021000  d1      audit           RCS ok, 16 dwords",
    23: "   0.000024000  d2      audit           BCS refused: Invalid argument (-22), 0 dwords",
    24: "   0.000025000  d2      failsafe        command refused by the audit (8)",
    27: "   0.000028000  d1      sched-out       RCS 250000 ns",
    30: "   0.000031000  d1      irq             MSI 0xfee00000 data 0x4021",
    32: "   0.000033000  -       digest          request",
    33: "   0.000034000  d1      digest          vregs 0x0123456789abcdef",
    36: "   0.000037000  d2      vgpu-destroy",
    37: "   0.000038000  -       foreground      nobody",
}


def good_trace():
    """GOOD in two windows (CPUs 0 and 1), TSC i microseconds for record i."""
    recs = [rec(EV[name], words, tsc=(i + 1) * 1000) for i, (name, words, _) in enumerate(GOOD)]
    half = len(recs) // 2
    w0 = window(0, b"".join(recs[:half]))
    return w0 + window(1, b"".join(recs[half:])), len(w0), half


def run(*args, timeout=60):
    try:
        p = subprocess.run([VGT, "trace"] + [str(a) for a in args], capture_output=True, text=True,
                           timeout=timeout, errors="replace")
    except subprocess.TimeoutExpired:
        return -999, "", "timed out"
    return p.returncode, p.stdout, p.stderr


def no_crash(rc, err):
    return rc >= 0 and "Sanitizer" not in err and "Segmentation" not in err and "runtime error" not in err


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


# ---- Checks --------------------------------------------------------------------------------


def check_good(tmp):
    data, w0len, half = good_trace()
    path = write(os.path.join(tmp, "good.trace"), data)
    rc, out, err = run("dump", path)
    lines = out.splitlines()
    check("good trace: exit 0, nothing on stderr", rc == 0 and err == "", "rc %d\n%s" % (rc, err))
    check("good trace: one line per record", len(lines) == len(GOOD), out)
    names = [ln[14:].split()[1] if len(ln[14:].split()) > 1 else "" for ln in lines]
    want = [name for name, _, _ in GOOD]
    check("good trace: every event type is named", names == want and set(want) == set(EV),
          "\n".join("%s != %s" % (a, b) for a, b in zip(names, want) if a != b))
    bad = ["line %d:\n  got  '%s'\n  want '%s'" % (i, lines[i] if i < len(lines) else None, line)
           for i, line in GOOD_LINES.items() if i >= len(lines) or lines[i] != line]
    check("good trace: lines decoded exactly (%d pinned)" % len(GOOD_LINES), not bad, "\n".join(bad))
    check("good trace: no line says 'short record' or 'xen'",
          lines and not any("short record" in ln or " xen " in ln for ln in lines), out)

    def dump_lines(*args):
        rc, out, err = run("dump", path, *args)
        return rc, out.splitlines(), err

    rc, got, err = dump_lines("--domain", "2")
    want = [i for i, (_, _, d) in enumerate(GOOD) if d == 2]
    check("filter --domain 2: exactly domain 2's records",
          rc == 0 and len(got) == len(want) and all("  d2  " in ln for ln in got), "\n".join(got) + err)
    rc, got, err = dump_lines("--event", "mmio-read,gtt-write")
    check("filter --event a,b: only those events",
          rc == 0 and len(got) == 3 and all(("mmio-read" in ln) != ("gtt-write" in ln) for ln in got),
          "\n".join(got) + err)
    rc, got, err = dump_lines("--event", "submit", "--event", "complete")
    check("filter --event repeated", rc == 0 and len(got) == 3, "\n".join(got) + err)
    rc, got, err = dump_lines("--event", "0x0004f016")
    check("filter --event by numeric id", rc == 0 and len(got) == 2 and all("foreground" in ln for ln in got),
          "\n".join(got) + err)
    rc, got, err = dump_lines("--domain", "1", "--event", "mmio-write")
    check("filters combine", rc == 0 and len(got) == 2 and all("d1" in ln and "mmio-write" in ln for ln in got),
          "\n".join(got) + err)
    by_name = dump_lines("--reg", "RCS_TAIL")
    by_off = dump_lines("--reg", "0x2030")
    by_lower = dump_lines("--reg", "rcs_tail")
    check("filter --reg NAME: the accesses to that register",
          by_name[0] == 0 and len(by_name[1]) == 2 and all("0x002030/4 RCS_TAIL" in ln for ln in by_name[1]),
          "\n".join(by_name[1]) + by_name[2])
    check("filter --reg by offset and any case: the same", by_off[1] == by_name[1] and by_lower[1] == by_name[1],
          "\n".join(by_off[1] + by_lower[1]))
    rc, got, err = dump_lines("--reg", "FENCE_REG")
    check("filter --reg on a 64-bit register", rc == 0 and len(got) == 1 and "FENCE_REG" in got[0], "\n".join(got))
    rc, got, err = dump_lines("--reg", "0x200014")
    check("filter --reg on a GTT offset", rc == 0 and len(got) == 1 and "gtt[5]" in got[0], "\n".join(got))
    for args, what in ((["--event", "nosuch"], "nosuch"), (["--reg", "NOSUCH_REG"], "NOSUCH_REG"),
                       (["--domain", "x"], "--domain"), (["--bogus"], ""), ([path], "")):
        rc, out, err = run("dump", path, *args)
        check("dump %s: usage error (2), says why" % " ".join(args),
              rc == 2 and what in err and out == "" and no_crash(rc, err), "rc %d\n%s" % (rc, err))
    rc, out, err = run("dump")
    check("dump without a file: usage error", rc == 2 and "usage" in err, err)
    rc, out, err = run("dump", "--help")
    check("dump --help: exit 0, lists the events", rc == 0 and "gtt-write" in out and "engine-reset" in out, out)
    return data, w0len, half


def check_bad_files(tmp, good, w0len, half):
    recs_w0 = half
    body = b"".join(rec(EV[n], w, tsc=1000) for n, w, _ in GOOD[:4])
    last = len(body) - len(rec(EV["foreground"], [1], tsc=1000))
    xen_only = window(0, rec(LOST_RECORDS, [5, 0, 100, 0], tsc=100) + rec(HVM_VMENTRY, [], tsc=200) +
                      rec(IOMEM_READ, [0xFED00000, 1]))
    cases = [
        # name, bytes, reason, offset of the reason, records dumped before it
        ("cut inside a record", good[:-6],
         "window longer than the rest of the file (truncated?)", w0len, recs_w0),
        ("cut inside a window header", good[:w0len + 6], "truncated record", w0len, recs_w0),
        ("cut inside a record header", good[:w0len + 2], "truncated record header", w0len, recs_w0),
        ("window length longer than the file", window(0, body, len(body) + 100),
         "window longer than the rest of the file (truncated?)", 0, 0),
        ("a record past its window's end", window(0, body, len(body) - 4),
         "a record runs past the end of its window", 12 + last, 3),
        ("no CPU-change record first", body, "not a xentrace file (no CPU-change record first)", 0, 0),
        ("CPU above 255", window(256, body), "CPU number above 255", 0, 0),
        ("garbage after a window", good[:w0len] + b"\x11" * 16,
         "expected a CPU-change record between windows", w0len, recs_w0),
    ]
    for name, data, reason, off, nrec in cases:
        path = write(os.path.join(tmp, "bad.trace"), data)
        rc, out, err = run("dump", path)
        want = "vgt trace: %s: offset %d: %s" % (path, off, reason)
        check("%s: exit 1, one line '...offset %d: %s'" % (name, off, reason),
              rc == 1 and err.strip() == want and no_crash(rc, err), "rc %d\ngot  %s\nwant %s" % (rc, err, want))
        check("%s: the %d records before it are dumped" % (name, nrec), len(out.splitlines()) == nrec, out)

    path = write(os.path.join(tmp, "empty.trace"), b"")
    rc, out, err = run("dump", path)
    check("empty file: exit 1, one line saying so",
          rc == 1 and out == "" and len(err.strip().splitlines()) == 1 and "empty" in err and no_crash(rc, err), err)

    rng = random.Random(20240531)
    for i in range(8):
        data = bytes(rng.getrandbits(8) for _ in range(rng.choice([3, 64, 4096])))
        path = write(os.path.join(tmp, "random.trace"), data)
        rc, out, err = run("dump", path)
        check("random bytes #%d (%d bytes): exit 1, one line with an offset" % (i, len(data)),
              rc == 1 and len(err.strip().splitlines()) == 1 and re.search(r": offset \d+: ", err) and
              no_crash(rc, err), "rc %d\n%s" % (rc, err))

    path = write(os.path.join(tmp, "xen.trace"), xen_only)
    rc, out, err = run("dump", path)
    lines = out.splitlines()
    check("foreign Xen capture: exit 1, one line 'not a vgt trace ... see vgt trace import'",
          rc == 1 and err.strip() == "vgt trace: %s: not a vgt trace (no vgt records); see vgt trace import" % path
          and no_crash(rc, err), "rc %d\n%s" % (rc, err))
    check("foreign Xen capture: its records are still dumped, as xen EVENT [words]",
          lines == ["   0.000000100  xen     0x0001f001      [0x00000005 0x00000000 0x00000064 0x00000000]",
                    "   0.000000200  xen     0x00081001      []",
                    "                xen     0x00082017      [0xfed00000 0x00000001]"], out)

    rc, out, err = run("dump", os.path.join(tmp, "no-such.trace"))
    check("a missing file: exit 1, says so", rc == 1 and "No such file" in err and no_crash(rc, err), err)
    rc, out, err = run("dump", tmp)
    check("a directory: exit 1, one line", rc == 1 and len(err.strip().splitlines()) == 1 and no_crash(rc, err), err)


BAR0, BAR2, BAR4 = 0xF0000000, 0x400000000, 0xC000


def io_records():
    """A Xen capture of a guest's I/O, in the windows xentrace writes.

    Returns the file and, in file order, what each record should become:
    ('mmio'|'pio', expected dump text) or a skip reason.
    """
    def m32(ev, addr, data=None):
        return rec(ev, [addr] if data is None else [addr, data])

    def m64(ev, addr, data=None):
        words = [addr & 0xFFFFFFFF, addr >> 32]
        if data is not None:
            words += [data & 0xFFFFFFFF, data >> 32]
        return rec(ev | TRC_64_FLAG, words)

    a = [  # CPU 0
        (rec(LOST_RECORDS, [3, 1 | 0 << 16, 0x1000, 0], tsc=0x2000), "other"),
        (rec(SCHED_RUNSTATE, [1 << 16 | 0, 0x01], tsc=0x2100), "other"),
        (rec(HVM_VMEXIT, [0x30, 0xFFFF8000], tsc=0x2200), "other"),
        (m32(IOMEM_WRITE, BAR0 + 0x2030, 0x40), ("mmio", "mmio-write      bar0 0x002030/4 RCS_TAIL = 0x00000040")),
        (rec(HVM_VMENTRY, [], tsc=0x2300), "other"),
        (rec(HVM_VMEXIT, [0x30, 0xFFFF8010], tsc=0x2400), "other"),
        (m32(IOMEM_READ, BAR0 + 0x2034, 0x38), ("mmio", "mmio-read       bar0 0x002034/4 RCS_HEAD = 0x00000038")),
        (m32(IOMEM_WRITE, BAR0 + 0x200000 + 4 * 7, 0x12345001),
         ("mmio", "gtt-write       bar0 0x20001c/4 gtt[7] = 0x12345001")),
        (m32(IOMEM_WRITE, BAR0 + 0x78000), "nodata"),
        (m32(IOMEM_READ, 0xFED00000, 1), "outside"),
        (m32(IOPORT_WRITE, BAR4 + 0, 0x2030), ("pio", "pio-write       bar4 0x00/4 MMIO_INDEX = 0x00002030")),
        (m32(IOPORT_READ, BAR4 + 4, 0x38), ("pio", "pio-read        bar4 0x04/4 MMIO_DATA = 0x00000038")),
        (m32(IOPORT_READ, 0x3F8, 0x41), "outside"),
    ]
    b = [  # CPU 1: the aperture above 4 GiB, so Xen logs the 64-bit form
        (rec(SCHED_SWITCH, [0, 1, 2, 3], tsc=0x2500), "other"),
        (m64(IOMEM_WRITE, BAR2 + 0x1000, 0xDEADBEEF), ("mmio", "mmio-write      bar2 0x001000/4 = 0xdeadbeef")),
        (m64(IOMEM_READ, BAR2 + 0x1000, 0xDEADBEEF), ("mmio", "mmio-read       bar2 0x001000/4 = 0xdeadbeef")),
        (m64(IOMEM_READ, BAR2 + 0x2000), "nodata"),
        (m32(IOPORT_WRITE, BAR4 + 4), "nodata"),
        (m64(IOMEM_WRITE, 0x500000000, 1), "outside"),
        (rec(HVM_CPUID, [1, 2, 3, 4, 5]), "other"),
    ]
    c1 = [  # CPU 0 again, a window that wrapped around Xen's buffer: the end of it ...
        (m32(IOMEM_READ, BAR0 + 0x44018, 0x1), ("mmio", "mmio-read       bar0 0x044018/4 GTIIR = 0x00000001")),
    ]
    c2 = [  # ... and its start, after the padding Xen put where a record did not fit
        (m32(IOMEM_WRITE, BAR0 + 0x44018, 0x1), ("mmio", "mmio-write      bar0 0x044018/4 GTIIR = 0x00000001")),
        (rec(HVM_VMENTRY, [], tsc=0x2600), "other"),
    ]
    # Xen's padding: as big as the space left (here 36 bytes: TSC and 6 stale words).
    pad36 = rec(WRAP_BUFFER, [0xA5A5A5A5] * 6, tsc=0x2580)
    pad4 = rec(WRAP_BUFFER)
    assert len(pad36) == 36
    data = (window(0, b"".join(r for r, _ in a)) +
            window(1, b"".join(r for r, _ in b) + pad4) +
            window(0, b"".join(r for r, _ in c1) + pad36 + b"".join(r for r, _ in c2)))
    return data, [k for _, k in a + b + c1 + c2]


def check_import(tmp):
    data, kinds = io_records()
    cap = write(os.path.join(tmp, "capture.xentrace"), data)
    out_path = os.path.join(tmp, "imported.trace")
    rc, out, err = run("import", cap, out_path, "--bar0", hex(BAR0), "--bar2", hex(BAR2), "--bar4", hex(BAR4))
    check("import: exit 0", rc == 0 and no_crash(rc, err), "rc %d\n%s%s" % (rc, out, err))

    def count(pattern):
        m = re.search(pattern, out)
        return int(m.group(1)) if m else None

    conv = [k for k in kinds if isinstance(k, tuple)]
    want = {
        "read": len(kinds), "converted": len(conv),
        "mmio": sum(1 for k in conv if k[0] == "mmio"), "pio": sum(1 for k in conv if k[0] == "pio"),
        "nodata": kinds.count("nodata"), "outside": kinds.count("outside"), "other": kinds.count("other"),
        "malformed": 0,
    }
    got = {
        "read": count(r"(\d+) records read"), "converted": count(r"(\d+) converted"),
        "mmio": count(r"converted \((\d+) MMIO"), "pio": count(r"MMIO, (\d+) PIO"),
        "nodata": count(r"(\d+) skipped: no data"), "outside": count(r"(\d+) skipped: address outside"),
        "other": count(r"(\d+) skipped: other"), "malformed": count(r"(\d+) skipped: malformed"),
    }
    check("import: summary counts (read %(read)d, converted %(converted)d, no data %(nodata)d, "
          "outside %(outside)d, other %(other)d)" % want, got == want, "got  %s\nwant %s\n%s" % (got, want, out))
    check("import: warns that Xen lost 3 records", "Xen lost 3 records" in err, err)
    check("import: no partial file left", not os.path.exists(out_path + ".part"))

    rc, dump, derr = run("dump", out_path)
    lines = dump.splitlines()
    head = ["                -       meta            version 1 flags 0x2 (imported)",
            "                d1      vgpu-create     low 64 MiB, high 256 MiB, 4 fences, weight 2, "
            "RAM 32 MiB at 64 MiB"]
    stream = ["                d1      " + k[1] for k in conv]
    check("import: the dump is meta, vgpu-create, then exactly the MMIO/PIO stream",
          rc == 0 and derr == "" and lines == head + stream,
          "rc %d %s\n" % (rc, derr) + "\n".join("got  %s\nwant %s" % (a, b) for a, b in
                                                 zip(lines + [""] * 40, head + stream) if a != b))

    out2 = os.path.join(tmp, "imported2.trace")
    rc, out, err = run("import", cap, out2, "--bar0", str(BAR0), "--size", "2", "--domid", "7", "--type", "vgt-128")
    rc2, dump, derr = run("dump", out2)
    lines = dump.splitlines()
    check("import --size 2 --domid 7 --type vgt-128: BAR0 only, values cut to 2 bytes",
          rc == 0 and rc2 == 0 and len(lines) == 2 + 5 and
          lines[1] == "                d7      vgpu-create     low 128 MiB, high 384 MiB, 4 fences, weight 4, "
                      "RAM 32 MiB at 64 MiB" and
          lines[2] == "                d7      mmio-write      bar0 0x002030/2 RCS_TAIL = 0x0040",
          "rc %d/%d\n%s%s\n%s" % (rc, rc2, out, err, dump))

    nomatch = os.path.join(tmp, "nomatch.trace")
    rc, out, err = run("import", cap, nomatch, "--bar0", "0x80000000")
    check("import with no record in the BARs: exit 1, says so, writes nothing",
          rc == 1 and "no IOMEM or IOPORT record" in err and not os.path.exists(nomatch) and
          not os.path.exists(nomatch + ".part"), "rc %d\n%s" % (rc, err))
    bad = write(os.path.join(tmp, "bad-capture"), data[:-10])
    rc, out, err = run("import", bad, nomatch, "--bar0", hex(BAR0))
    check("import of a truncated capture: exit 1 with the offset, writes nothing",
          rc == 1 and re.search(r"vgt trace: .*: offset \d+: ", err) and not os.path.exists(nomatch) and
          no_crash(rc, err), "rc %d\n%s" % (rc, err))
    rc, out, err = run("import", os.path.join(tmp, "random.trace"), nomatch, "--bar0", hex(BAR0))
    check("import of random bytes: exit 1", rc == 1 and no_crash(rc, err) and not os.path.exists(nomatch), err)
    rc, out, err = run("import", os.path.join(tmp, "nosuch"), nomatch, "--bar0", hex(BAR0))
    check("import of a missing file: exit 1", rc == 1 and "No such file" in err, err)
    for args, what in (([cap, nomatch], "--bar0"), ([cap, nomatch, "--bar0", "0xf0100000"], "aligned"),
                       ([cap, nomatch, "--bar0", hex(BAR0), "--size", "3"], "--size"),
                       ([cap, nomatch, "--bar0", hex(BAR0), "--type", "vgt-999"], "vgt-64"),
                       ([cap, "--bar0", hex(BAR0)], "usage")):
        rc, out, err = run("import", *args)
        check("import %s: usage error (2), says why" % " ".join(os.path.basename(a) for a in args),
              rc == 2 and what in err and not os.path.exists(nomatch), "rc %d\n%s" % (rc, err))
    return out_path


def check_xenalyze(tmp, good, imported):
    if XENALYZE and not os.access(XENALYZE, os.X_OK):
        check("xenalyze is there (make deps fetches it: tools/fetch-xenalyze.sh)", False, XENALYZE)
        return
    # Xen's own reader on the synthetic capture: its layout is xentrace's.
    if XENALYZE:
        cap = write(os.path.join(tmp, "capture-xa.xentrace"), io_records()[0])
        p = subprocess.run([XENALYZE, "-a", cap], capture_output=True, text=True, timeout=60, errors="replace")
        check("xenalyze -a reads the synthetic capture, records after the wrap padding included",
              p.returncode == 0 and (p.stdout + p.stderr).count("[ f0044018 1 ]") == 2,
              "rc %d\n%s" % (p.returncode, (p.stdout + p.stderr)[-3000:]))
    else:
        skip("xenalyze -a reads the synthetic capture", "no xenalyze (tools/fetch-xenalyze.sh)")
    xa_paths = [("the good vgt trace (by hand)", write(os.path.join(tmp, "good-xa.trace"), good), len(GOOD)),
                ("the imported trace", imported, None)]
    for what, path, nvgt in xa_paths:
        for opt in ("-s", "-a"):
            if not XENALYZE:
                skip("xenalyze %s reads %s" % (opt, what), "no xenalyze (tools/fetch-xenalyze.sh)")
                continue
            try:
                p = subprocess.run([XENALYZE, opt, path], capture_output=True, text=True, timeout=60,
                                   errors="replace")
                rc, out = p.returncode, p.stdout + p.stderr
            except subprocess.TimeoutExpired:
                rc, out = -999, "timed out"
            ok = rc == 0
            if ok and opt == "-a" and nvgt is not None:
                # Every record of vgt's class is dumped by Xen's tool.
                ok = len(re.findall(r"\b4f0[0-9a-f]{2}\(4:f:", out)) == nvgt
            check("xenalyze %s reads %s (exit 0)" % (opt, what), ok, "rc %d\n%s" % (rc, out[-3000:]))


def check_formats():
    if not os.path.exists(FORMATS):
        skip("config/xentrace-formats covers every vgt event", "not found next to the tests")
        return
    defs = {}
    with open(FORMATS) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            key, fmt = line.rstrip("\n").split(None, 1)
            defs[int(key, 0)] = fmt
    args = {"cpu": 0, "tsc": 1, "reltsc": 2, "event": 3}
    args.update({str(i): i for i in range(1, 8)})
    bad = []
    for name, ev in EV.items():
        try:
            defs[ev] % args
        except Exception as e:  # noqa: BLE001 - any failure of the format is the finding
            bad.append("%s (0x%08x): %r" % (name, ev, e))
    check("config/xentrace-formats: a working line for every vgt event and nothing else",
          not bad and set(defs) == set(EV.values()), "\n".join(bad) + "\n%s" % sorted(set(defs) ^ set(EV.values())))


def main():
    tmp = tempfile.mkdtemp(prefix="vgt-trace-test-")
    good, w0len, half = check_good(tmp)
    check_bad_files(tmp, good, w0len, half)
    imported = check_import(tmp)
    check_xenalyze(tmp, good, imported)
    check_formats()
    print("1..%d" % len(results))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
