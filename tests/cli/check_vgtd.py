#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""vgtd and vgtctl end to end on one machine: gensim, simulated guests.

    check_vgtd.py VGTD VGTCTL CONFIG_DIR

Starts vgtd on a private socket, attaches four domains with different
vGPUs, checks list/stats/types/screenshots, detaches and re-attaches, and
sends it refused and malformed requests: every one gets an error and the
daemon keeps serving.  Prints TAP, one line per check.
"""
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib

VGTD, VGTCTL, CONFIG = sys.argv[1], sys.argv[2], sys.argv[3]
VGT = sys.argv[4] if len(sys.argv) > 4 else None
results = []


def check(name, cond, detail=""):
    results.append(bool(cond))
    print(("ok" if cond else "not ok") + " %d - %s" % (len(results), name))
    if not cond and detail:
        for line in str(detail).splitlines():
            print("# " + line)


def ctl(sock, *args, user=None):
    kw = {}
    if user is not None:
        def drop():
            os.setgid(user)
            os.setuid(user)
        kw["preexec_fn"] = drop
    p = subprocess.run([VGTCTL, "--socket", sock] + list(args), capture_output=True, text=True,
                       timeout=60, **kw)
    return p.returncode, p.stdout, p.stderr


def ctl_json(sock, *args):
    rc, out, err = ctl(sock, "--json", *args)
    if rc != 0:
        raise RuntimeError("vgtctl %s: %s" % (" ".join(args), err))
    return json.loads(out)


def raw(sock, data, read=True):
    """Sends raw bytes; returns (status, body) of the first answer, or None."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(sock)
    s.sendall(data)
    if not read:
        s.close()
        return None
    buf = b""
    try:
        while b"\n" not in buf:
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
        if b"\n" not in buf:
            return None
        hdr, rest = buf.split(b"\n", 1)
        status, n = hdr.decode().split()
        n = int(n)
        while len(rest) < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
        return status, rest[:n].decode(errors="replace")
    finally:
        s.close()


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(33)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    if zlib.crc32(head[12:29]) != struct.unpack(">I", head[29:33])[0]:
        return None
    return struct.unpack(">II", head[16:24])


def wait_screens(sock, domids, secs=60):
    deadline = time.time() + secs
    pending = set(domids)
    while pending and time.time() < deadline:
        for d in list(pending):
            st = ctl_json(sock, "stats", str(d))
            if st["sim"]["screen_matches"]:
                pending.discard(d)
        time.sleep(0.1)
    return pending


def main():
    tmp = tempfile.mkdtemp(prefix="vgtd-test-")
    os.chmod(tmp, 0o755)    # an ordinary user may reach the socket; vgtd must refuse it
    sock = os.path.join(tmp, "run", "vgtd.sock")
    conf = os.path.join(tmp, "vgtd.conf")
    with open(os.path.join(CONFIG, "vgtd.conf")) as f:
        shipped = f.read()
    # The shipped config with the test's socket; 0666 so that the peer-credential
    # check itself (not only the file mode) is what refuses an ordinary user.
    # Traces go to a directory of the test's (resolved: no symbolic link on the way).
    traces = os.path.join(os.path.realpath(tmp), "traces")
    with open(conf, "w") as f:
        f.write(shipped + "\ntransport = sim\nsocket = %s\nsocket_mode = 0666\nsim_frames = 8\n"
                "types = %s\ntrace_dir = %s\n" % (sock, os.path.join(CONFIG, "vgpu-types.conf"),
                                                    traces))

    p = subprocess.run([VGTD, "--config", os.path.join(CONFIG, "vgtd.conf"), "--check-config"],
                       capture_output=True, text=True)
    check("the shipped vgtd.conf is valid", p.returncode == 0, p.stderr)

    badconf = os.path.join(tmp, "bad.conf")
    for text, want in [("transport = carrier-pigeon\n", "bad.conf:1: transport"),
                       ("# fine\nsocket_mode = 0644\nsokcet = /x\n", "bad.conf:3: unknown key"),
                       ("socket_mode = 0400\n", "0600"),
                       ("gensim_memory_mb = 12\n", "128..65536"),
                       ("pci_slot = 00:40.0\n", "BUS:DEV.FN"),
                       ("allowed_uids = root\n", "numeric uids"),
                       ("trace_dir = traces\n", "bad.conf:1: trace_dir"),
                       ("trace_dir = /var/lib/../../etc\n", "'..'"),
                       ("# gensim\naperture_maddr = 0xe0000000\n",
                        "bad.conf:2: aperture_maddr = '0xe0000000': the gensim backend has no "
                        "real aperture"),
                       ("aperture_maddr = 0\nbackend = gensim\n", "bad.conf:1: aperture_maddr"),
                       ("just words\n", "key = value")]:
        with open(badconf, "w") as f:
            f.write(text)
        p = subprocess.run([VGTD, "--config", badconf], capture_output=True, text=True)
        check("config refused: %s" % text.strip().splitlines()[-1],
              p.returncode == 2 and want in p.stderr, p.stderr)
    # A backend-specific key the backend has no use for: --check-config says so too.
    with open(badconf, "w") as f:
        f.write("backend = gensim\naperture_maddr = 0xe0000000\n")
    p = subprocess.run([VGTD, "--config", badconf, "--check-config"], capture_output=True,
                       text=True)
    check("--check-config refuses aperture_maddr with gensim, naming the line",
          p.returncode == 2 and "bad.conf:2: aperture_maddr" in p.stderr
          and "gensim backend has no real aperture" in p.stderr, p.stderr)
    p = subprocess.run([VGTD, "--config", os.path.join(CONFIG, "vgtd.conf"), "--set",
                        "aperture_maddr=0xe0000000", "--check-config"],
                       capture_output=True, text=True)
    check("--set aperture_maddr with gensim is refused",
          p.returncode == 2 and "aperture_maddr" in p.stderr and "gensim" in p.stderr, p.stderr)
    p = subprocess.run([VGTD, "--config", os.path.join(CONFIG, "vgtd.conf"), "--set",
                        "gensim_memory_mb=512", "--set", "trace_dir=/srv/vgt/traces/",
                        "--check-config"], capture_output=True, text=True)
    check("gensim's own key and a trace_dir are taken", p.returncode == 0, p.stderr)
    p = subprocess.run([VGTD, "--config", os.path.join(tmp, "missing.conf")],
                       capture_output=True, text=True)
    check("a missing config file is named", p.returncode == 2 and "missing.conf" in p.stderr,
          p.stderr)
    p = subprocess.run([VGTD, "--backend", "i915"], capture_output=True, text=True)
    check("an unknown backend is refused", p.returncode == 2 and "unknown backend" in p.stderr,
          p.stderr)
    p = subprocess.run([VGTD, "--set", "types=/nonexistent", "--set", "transport=sim",
                        "--set", "socket=" + os.path.join(tmp, "t.sock")],
                       capture_output=True, text=True, timeout=30)
    check("a missing types file stops vgtd", p.returncode == 1 and "/nonexistent" in p.stderr,
          p.stderr)
    if not os.path.exists("/proc/xen/capabilities"):
        p = subprocess.run([VGTD, "--set", "transport=xen", "--set",
                            "socket=" + os.path.join(tmp, "x.sock")],
                           capture_output=True, text=True, timeout=30)
        check("without Xen the xen transport says so", p.returncode == 1 and
              "Xen control interface" in p.stderr, p.stderr)

    log = open(os.path.join(tmp, "vgtd.log"), "w+")
    daemon = subprocess.Popen([VGTD, "--config", conf], stderr=log)
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    check("vgtd creates its socket", os.path.exists(sock))
    try:
        run_checks(sock, conf, tmp, traces)
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            rc = daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            daemon.kill()
            rc = None
        check("vgtd stops cleanly on SIGTERM", rc == 0, "exit %s" % rc)
        check("its socket is removed", not os.path.exists(sock))
        log.seek(0)
        text = log.read()
        check("every vGPU was released at exit", text.count("released") >= 4, text[-2000:])
    kill_and_restart(conf, tmp)
    trace_dir_through_symlink(conf, tmp)
    failed = results.count(False)
    print("1..%d" % len(results))
    return 1 if failed else 0


def start_daemon(conf, sock, log):
    daemon = subprocess.Popen([VGTD, "--config", conf, "--socket", sock], stderr=log)
    for _ in range(200):
        if os.path.exists(sock) and ctl(sock, "version")[0] == 0:
            break
        time.sleep(0.05)
    return daemon


def kill_and_restart(conf, tmp):
    """vgtd killed under load: the next one takes over and everything is free again."""
    sock = os.path.join(tmp, "run", "restart.sock")
    log = open(os.path.join(tmp, "restart.log"), "w+")
    daemon = start_daemon(conf, sock, log)
    for d in range(4):
        ctl(sock, "attach", str(d), "vgt-64")
    busy = ctl_json(sock, "list")["domains"]
    daemon.kill()
    daemon.wait(timeout=30)
    check("four domains were running when vgtd was killed", len(busy) == 4, busy)
    check("the killed daemon left its socket behind", os.path.exists(sock))
    daemon = start_daemon(conf, sock, log)
    try:
        types = ctl_json(sock, "types")
        check("a restarted vgtd takes over the stale socket with everything free",
              types["vgpus"] == 0 and types["free"]["fences"] == 28, types["free"])
        for d in range(4):
            ctl(sock, "attach", str(d), "vgt-64")
        pending = wait_screens(sock, range(4))
        check("the domains attach again and render", not pending, pending)
    finally:
        daemon.send_signal(signal.SIGTERM)
        check("the restarted vgtd stops cleanly", daemon.wait(timeout=60) == 0)


def trace_dir_through_symlink(conf, tmp):
    """A trace directory reached through a symbolic link is refused, nothing is written."""
    real = os.path.join(tmp, "elsewhere")
    os.mkdir(real, 0o700)
    os.symlink(real, os.path.join(tmp, "linked"))
    sock = os.path.join(tmp, "run", "link.sock")
    log = open(os.path.join(tmp, "link.log"), "w+")
    daemon = subprocess.Popen([VGTD, "--config", conf, "--socket", sock, "--set",
                               "trace_dir=" + os.path.join(os.path.realpath(tmp), "linked", "t")],
                              stderr=log)
    for _ in range(200):
        if os.path.exists(sock) and ctl(sock, "version")[0] == 0:
            break
        time.sleep(0.05)
    try:
        rc, out, err = ctl(sock, "trace", "start", "x.trace")
        check("a trace directory through a symbolic link is refused",
              rc == 1 and "symbolic link" in err and "'linked'" in err, err)
        check("nothing was created through the link", os.listdir(real) == [], os.listdir(real))
    finally:
        daemon.send_signal(signal.SIGTERM)
        check("that vgtd stops cleanly", daemon.wait(timeout=60) == 0)


def trace_refusals(sock, tmp, traces):
    """trace start writes a new file in the trace directory and nowhere else."""
    outside = os.path.join(tmp, "victim.txt")
    with open(outside, "w") as f:
        f.write("precious\n")
    # Only files of the test's own are named: a daemon without the check would write there.
    for name in [os.path.join(tmp, "escape.trace"), "../escape.trace",
                 traces + "/../escape.trace", "sub/x.trace", "..", ".", traces + "/",
                 traces + "x/y.trace", outside]:
        rc, out, err = ctl(sock, "trace", "start", name)
        tracing = vgt_tracing(sock)
        with open(outside, "rb") as f:
            kept = f.read()
        check("trace start %s: refused, nothing written" % name.replace(tmp, "TMP"),
              rc == 1 and "plain file name in the trace directory " + traces in err
              and not os.path.exists(os.path.join(tmp, "escape.trace"))
              and kept == b"precious\n" and not tracing, err)
    # A symbolic link planted in the directory, to a file outside and to nothing.
    os.makedirs(traces, exist_ok=True)
    os.symlink(outside, os.path.join(traces, "planted.trace"))
    rc, out, err = ctl(sock, "trace", "start", "planted.trace")
    tracing = vgt_tracing(sock)
    with open(outside, "rb") as f:
        kept = f.read()
    check("a symbolic link planted in the trace directory is not followed",
          rc == 1 and "symbolic link" in err and kept == b"precious\n" and not tracing,
          (err, kept))
    os.symlink(os.path.join(tmp, "made-through-link"), os.path.join(traces, "dangling.trace"))
    rc, out, err = ctl(sock, "trace", "start", os.path.join(traces, "dangling.trace"))
    tracing = vgt_tracing(sock)
    check("a dangling symbolic link creates nothing where it points",
          rc == 1 and "symbolic link" in err and not os.path.exists(os.path.join(tmp, "made-through-link")) and not tracing,
          err)
    # An existing file is not truncated.
    existing = os.path.join(traces, "existing.trace")
    with open(existing, "w") as f:
        f.write("an earlier trace\n")
    rc, out, err = ctl(sock, "trace", "start", "existing.trace")
    tracing = vgt_tracing(sock)
    with open(existing, "rb") as f:
        kept = f.read()
    check("an existing trace file is refused and left as it was",
          rc == 1 and "already exists" in err and kept == b"an earlier trace\n" and not tracing,
          (err, kept))
    check("no trace runs after the refusals", not vgt_tracing(sock))
    # The directory's own full path with a plain name is fine.
    rc, out, err = ctl(sock, "trace", "start", os.path.join(traces, "full-path.trace"))
    check("trace start with the trace directory's full path", rc == 0
          and os.path.exists(os.path.join(traces, "full-path.trace")), err)
    rc, out, err = ctl(sock, "trace", "stop")
    check("and it stops", rc == 0, err)


def vgt_tracing(sock):
    """Whether vgtd records a trace: 'trace stop' says so (and stops it)."""
    return ctl(sock, "trace", "stop")[0] == 0


def run_checks(sock, conf, tmp, traces):
    rc, out, _ = ctl(sock, "version")
    check("version answers", rc == 0 and out.startswith("vgtd "), out)

    types = ctl_json(sock, "types")
    names = [t["name"] for t in types["types"]]
    check("types lists the types file", names == ["vgt-32", "vgt-64", "vgt-128", "vgt-256"], names)
    free0 = types["free"]
    fit0 = {t["name"]: t["fit"] for t in types["types"]}

    # Everything from here on is recorded, as an administrator would for a bug report.
    trace = os.path.join(traces, "vgtd.trace")
    rc, out, err = ctl(sock, "trace", "start", "vgtd.trace")
    check("trace start NAME writes into the trace directory, made 0700",
          rc == 0 and os.path.exists(trace) and trace in out
          and (os.stat(traces).st_mode & 0o777) == 0o700, (out, err))
    rc, out, err = ctl(sock, "trace", "start", "second.trace")
    check("a second trace start is refused", rc == 1 and "already" in err
          and not os.path.exists(os.path.join(traces, "second.trace")), err)

    # Four domains: dom0-sized with the display, two typed, one with sizes.
    specs = {0: "vgt-128,primary", 1: "vgt-64", 2: "vgt-64,weight=5",
             3: "low=32,high=128,fences=2,weight=3"}
    for d, spec in specs.items():
        rc, out, err = ctl(sock, "attach", str(d), spec)
        check("attach dom%d %s" % (d, spec), rc == 0 and ("domain %d:" % d) in out, err)

    lst = ctl_json(sock, "list")["domains"]
    check("list shows four domains", sorted(x["domid"] for x in lst) == [0, 1, 2, 3], lst)
    by = {x["domid"]: x for x in lst}
    check("dom0 owns the display", by[0]["foreground"] and not by[1]["foreground"])
    check("a type's weight can be overridden", by[2]["weight"] == 5 and by[1]["weight"] == 2)
    check("explicit sizes are honoured",
          by[3]["type"] == "custom" and by[3]["low"]["mb"] == 32 and by[3]["high"]["mb"] == 128
          and by[3]["fences"] == 2 and by[3]["weight"] == 3, by[3])
    slices = sorted((x["low"]["base"], x["low"]["base"] + (x["low"]["mb"] << 20)) for x in lst)
    check("aperture slices do not overlap",
          all(a[1] <= b[0] for a, b in zip(slices, slices[1:])), slices)

    pending = wait_screens(sock, specs)
    check("every guest's screen shows the frame it drew", not pending, pending)

    for d in specs:
        path = os.path.join(tmp, "dom%d.png" % d)
        rc, out, err = ctl(sock, "screenshot", str(d), path)
        check("screenshot dom%d is a 320x240 PNG" % d,
              rc == 0 and os.path.exists(path) and png_size(path) == (320, 240), err)

    st = ctl_json(sock, "stats", "1")
    check("stats counts the guest's traps and work",
          st["mmio_writes"] > 0 and st["gtt_writes"] > 0 and st["workloads_completed"] > 0
          and st["guest_errors"] == 0 and not st["failsafe"], st)
    hs = ctl_json(sock, "stats")
    check("host stats show the blitter shared", hs["vgpus"] == 4
          and hs["engines"]["bcs"]["busy_ns"] > 0, hs)
    rc, out, _ = ctl(sock, "stats")
    check("human stats", rc == 0 and "context switches" in out, out)

    types = ctl_json(sock, "types")
    fit = {t["name"]: t["fit"] for t in types["types"]}
    check("fewer vGPUs fit now", fit["vgt-256"] <= fit0["vgt-256"] and
          types["free"]["low_mb"] == free0["low_mb"] - 128 - 64 - 64 - 32, (fit, types["free"]))

    # What does not fit says what is left.
    rc, _, err = ctl(sock, "attach", "7", "low=4096,high=64")
    check("a vGPU that does not fit is refused with what is left",
          rc == 1 and ("left" in err.lower() or "free" in err.lower()), err)
    bad = [(["attach", "7", "vgt-9999"], "unknown vGPU type"),
           (["attach", "1", "vgt-32"], "already has a vGPU"),
           (["attach", "x", "vgt-32"], "not a domain id"),
           (["attach", "7", "vgt-64,low=64"], "exclude each other"),
           (["attach", "7", "low=64"], "high="),
           (["attach", "7", "low=64,high=64,weight=0"], "weight=0"),
           (["attach", "7", "vgt-64,colour=red"], "unknown key"),
           (["attach", "7"], "usage"),
           (["detach", "9"], "has no vGPU"),
           (["stats", "9"], "has no vGPU"),
           (["set-weight", "1", "101"], "1..100"),
           (["foreground", "9"], "has no vGPU"),
           (["screenshot", "9", os.path.join(tmp, "x.png")], "has no vGPU"),
           (["frobnicate"], "unknown command")]
    for args, want in bad:
        rc, out, err = ctl(sock, *args)
        check("refused: %s" % " ".join(args[:3]), rc == 1 and want in err, err)
    check("nothing changed by refused requests",
          len(ctl_json(sock, "list")["domains"]) == 4)

    rc, out, _ = ctl(sock, "set-weight", "1", "9")
    check("set-weight", rc == 0 and ctl_json(sock, "list")["domains"][1]["weight"] == 9, out)
    rc, out, _ = ctl(sock, "foreground", "2")
    lst = {x["domid"]: x for x in ctl_json(sock, "list")["domains"]}
    check("foreground moves the display", rc == 0 and lst[2]["foreground"]
          and not lst[0]["foreground"])

    rc, out, err = ctl(sock, "trace", "stop")
    check("trace stop", rc == 0, err)
    rc, out, err = ctl(sock, "trace", "stop")
    check("trace stop without a trace is refused", rc == 1, err)
    if VGT:
        p = subprocess.run([VGT, "trace", "dump", trace, "--event", "vgpu-create"],
                           capture_output=True, text=True, timeout=120)
        check("the daemon's trace holds the four attaches",
              p.returncode == 0 and len(p.stdout.strip().splitlines()) == 4, p.stdout + p.stderr)
        p = subprocess.run([VGT, "trace", "replay", trace], capture_output=True, text=True,
                           timeout=300)
        check("the daemon's trace replays (free-running: inputs only)",
              p.returncode == 0 and "free-running" in p.stdout, p.stdout + p.stderr)

    trace_refusals(sock, tmp, traces)

    # Detach returns the resources; re-attach works and the guest renders again.
    rc, out, err = ctl(sock, "detach", "1")
    check("detach dom1", rc == 0, err)
    free = ctl_json(sock, "types")["free"]
    check("dom1's aperture returned", free["low_mb"] == free0["low_mb"] - 128 - 64 - 32, free)
    rc, out, err = ctl(sock, "attach", "1", "vgt-32")
    check("re-attach dom1 with another type", rc == 0, err)
    pending = wait_screens(sock, [1])
    check("the re-attached guest renders", not pending)

    # Refused and malformed clients: the daemon answers and keeps serving.
    rc, out, err = ctl(sock, "list", user=65534)
    check("a client that is not root is refused", rc == 1 and "permission denied" in err, err)
    r = raw(sock, b"list\x01\n")
    check("a non-printable byte is refused", r and r[0] == "error" and "printable" in r[1], r)
    r = raw(sock, b"A" * 5000)
    check("an over-long request is refused", r and r[0] == "error" and "too long" in r[1], r)
    r = raw(sock, b"types", read=False)
    r = raw(sock, b"\n")
    check("an empty request is refused", r and r[0] == "error" and "empty" in r[1], r)
    r = raw(sock, b"json list extra words go on and on and on\n")
    check("too many words are refused", r and r[0] == "error", r)
    r = raw(sock, bytes(range(256)))
    check("binary garbage gets an error", r and r[0] == "error", r)
    rc, out, _ = ctl(sock, "version")
    check("the daemon still serves after all that", rc == 0 and "vgtd" in out)
    check("and still has four domains", len(ctl_json(sock, "list")["domains"]) == 4)

    # A second daemon on the same socket refuses to start.
    p = subprocess.run([VGTD, "--config", conf], capture_output=True, text=True, timeout=30)
    check("a second vgtd on the same socket refuses", p.returncode != 0 and
          "already serves" in p.stderr, p.stderr)


if __name__ == "__main__":
    sys.exit(main())
