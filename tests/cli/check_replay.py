#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Record and replay: determinism, divergence reports, and refusal of bad traces.

    check_replay.py VGT REGRESSION_DIR

Prints TAP.
"""
import os
import struct
import subprocess
import sys
import tempfile

VGT, REGDIR = sys.argv[1], sys.argv[2]
results = []

META, MMIO_READ, DIGEST, SUBMIT = 0x4F000, 0x4F001, 0x4F015, 0x4F020
# Every event vgt records: the regression traces together must hold each.
ALL_EVENTS = [0x4F000 + m for m in (0x000, 0x001, 0x002, 0x003, 0x004, 0x005, 0x006, 0x007,
                                    0x008, 0x009, 0x00A, 0x010, 0x011, 0x012, 0x013, 0x014,
                                    0x015, 0x020, 0x021, 0x022, 0x023, 0x024, 0x025, 0x026,
                                    0x027, 0x028, 0x029, 0x02A)]


def check(name, cond, detail=""):
    results.append(bool(cond))
    print(("ok" if cond else "not ok") + " %d - %s" % (len(results), name))
    if not cond and detail:
        for line in str(detail).splitlines()[:20]:
            print("# " + line)


def vgt(*args):
    p = subprocess.run([VGT] + list(args), capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def records(data):
    """(offset of header, event, words offset, nwords) of every record."""
    out, p = [], 0
    while p < len(data):
        hdr, cpu, n = struct.unpack_from("<III", data, p)
        p += 12
        end = p + n
        while p < end:
            h = struct.unpack_from("<I", data, p)[0]
            k, t = (h >> 28) & 7, h >> 31
            out.append((p, h & 0x0FFFFFFF, p + 4 + 8 * t, k))
            p += 4 + 8 * t + 4 * k
    return out


def sane(err):
    return "Sanitizer" not in err and "Segmentation" not in err and "Aborted" not in err


def main():
    tmp = tempfile.mkdtemp(prefix="vgt-replay-")
    a, b = os.path.join(tmp, "a.trace"), os.path.join(tmp, "b.trace")

    rc1, out, err = vgt("trace", "record", "demo", a, "--frames", "2")
    rc2, _, _ = vgt("trace", "record", "demo", b, "--frames", "2")
    check("record the demo", rc1 == 0 and rc2 == 0, err)
    with open(a, "rb") as f:
        data = f.read()
    with open(b, "rb") as f:
        check("recording is deterministic (byte for byte)", f.read() == data)
    committed = os.path.join(REGDIR, "demo.trace")
    with open(committed, "rb") as f:
        check("this build records the committed demo trace exactly", f.read() == data,
              "re-record with `make regression-traces` if the change is intended")
    rc, out, err = vgt("trace", "replay", a)
    check("round trip: replay gives identical events and digests",
          rc == 0 and "digests identical" in out, out + err)

    rc, out, err = vgt("demo", "--trace", os.path.join(tmp, "demo3.trace"), "--domains", "3",
                       "--domain-frames", "2")
    rc2, out2, err2 = vgt("trace", "replay", os.path.join(tmp, "demo3.trace"))
    check("vgt demo --trace records three domains that replay", rc == 0 and rc2 == 0,
          out + err + out2 + err2)

    seen = set()
    for name in sorted(os.listdir(REGDIR)):
        if name.endswith(".trace"):
            with open(os.path.join(REGDIR, name), "rb") as f:
                seen |= {e for _, e, _, _ in records(f.read())}
    missing = [hex(e) for e in ALL_EVENTS if e not in seen]
    check("the regression traces hold every event type", not missing, missing)

    recs = records(data)

    def tampered(pred, nth, word, name):
        buf = bytearray(data)
        hits = [r for r in recs if pred(r)]
        off = hits[nth][2] + 4 * word
        struct.pack_into("<I", buf, off, struct.unpack_from("<I", buf, off)[0] ^ 0x10)
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(buf)
        return path, hits[nth][0]

    # A value a read returned, as if the mediator had answered differently.
    path, at = tampered(lambda r: r[1] == MMIO_READ, 40, 3, "read.trace")
    rc, out, err = vgt("trace", "replay", path)
    check("a different read value stops the replay there", rc == 1 and
          ("offset %d)" % at) in err and "recorded:" in err and "replayed:" in err, err)
    # A digest of the final state.
    path, at = tampered(lambda r: r[1] == DIGEST and r[3] == 4, 0, 2, "digest.trace")
    rc, out, err = vgt("trace", "replay", path)
    check("a different digest is reported", rc == 1 and ("offset %d)" % at) in err, err)
    # A submission the mediator did not see: an output that is not reproduced.
    path, at = tampered(lambda r: r[1] == SUBMIT, 3, 3, "submit.trace")
    rc, out, err = vgt("trace", "replay", path)
    check("a different mediator event is reported", rc == 1 and "diverges" in err, err)

    # Bad files: a clear error each, never a crash.
    cases = {
        "empty": b"",
        "truncated-record": data[:1000] + data[1000:1003],
        "truncated-window": data[:len(data) // 2],
        "random": bytes((i * 131 + 7) % 251 for i in range(4096)),
        "text": b"this is not a trace\n" * 10,
    }
    # A capture from Xen alone: one window of HVM records.
    xen = b"".join(struct.pack("<III", 0x20082017, 0xFEBF0000 + 4 * i, i) for i in range(8))
    cases["foreign"] = struct.pack("<III", 0x2001F003, 0, len(xen)) + xen
    # A vgt trace of another version.
    buf = bytearray(data)
    struct.pack_into("<I", buf, recs[0][2] + 4, 99)
    cases["version"] = bytes(buf)
    # An input that names a domain that was never created.
    buf = bytearray(data)
    first_read = [r for r in recs if r[1] == MMIO_READ][0]
    struct.pack_into("<I", buf, first_read[2], 77)
    cases["nodomain"] = bytes(buf)
    want = {"foreign": "not a vgt trace", "version": "version 99", "nodomain": "no vGPU",
            "empty": "not a vgt trace"}
    for name, content in cases.items():
        path = os.path.join(tmp, name + ".trace")
        with open(path, "wb") as f:
            f.write(content)
        rc, out, err = vgt("trace", "replay", path)
        line = err.strip().splitlines()[0] if err.strip() else ""
        check("replay refuses a %s file clearly" % name, rc == 1 and sane(err) and
              line.startswith("vgt trace: ") and want.get(name, "") in err, err)
    rc, out, err = vgt("trace", "replay", os.path.join(tmp, "missing.trace"))
    check("a missing file is named", rc == 1 and "missing.trace" in err, err)
    rc, out, err = vgt("trace", "record", "nonsense", os.path.join(tmp, "x.trace"))
    check("an unknown scenario is refused", rc == 2 and "unknown scenario" in err, err)
    rc, out, err = vgt("trace", "record", "demo", "/nonexistent/dir/x.trace")
    check("an unwritable trace path is refused", rc == 1 and "/nonexistent/dir" in err, err)
    print("1..%d" % len(results))
    return 1 if results.count(False) else 0


if __name__ == "__main__":
    sys.exit(main())
