#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""xl-vgt end to end on one machine: real configs, vgtd with simulated
guests, and a stand-in `xl` that keeps a domain table and a log of what it
was asked to do.

    check_xl_vgt.py XL_VGT VGTD VGTCTL CONFIG_DIR

Checks that a good config creates the domain paused, attaches, then
unpauses; that a bad value stops before any domain exists; and that a
vGPU vgtd refuses destroys the half-made domain with vgtd's reason.
Prints TAP.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

XL_VGT, VGTD, VGTCTL, CONFIG = sys.argv[1:5]
results = []

FAKE_XL = r'''#!/bin/sh
# A stand-in for xl: domains are lines "ID NAME STATE" in $XL_STATE.
log() { echo "$*" >> "$XL_LOG"; }
log "$@"
state="$XL_STATE"; touch "$state"
case "$1" in
create)
	shift; paused=running
	while [ $# -gt 0 ]; do
		case "$1" in -p) paused=paused ;; -*) ;; *) cfg="$1" ;; esac
		shift
		[ -n "$cfg" ] && break
	done
	name=$(sed -n 's/^name *= *"\(.*\)".*/\1/p' "$cfg")
	case "$name" in fail*) echo "libxl: error: cannot create $name" >&2; exit 3 ;; esac
	if grep -q " $name " "$state"; then echo "domain $name exists" >&2; exit 3; fi
	id=$(( $(wc -l < "$state") + 5 ))
	echo "$id $name $paused" >> "$state" ;;
domid)
	id=$(awk -v n="$2" '$2 == n { print $1 }' "$state")
	[ -n "$id" ] || { echo "no domain $2" >&2; exit 1; }
	echo "$id" ;;
unpause)
	sed -i "s/^$2 \(.*\) paused$/$2 \1 running/" "$state" ;;
destroy)
	sed -i "/^$2 /d" "$state" ;;
*) exit 1 ;;
esac
'''


def check(name, cond, detail=""):
    results.append(bool(cond))
    print(("ok" if cond else "not ok") + " %d - %s" % (len(results), name))
    if not cond and detail:
        for line in str(detail).splitlines():
            print("# " + line)


def main():
    tmp = tempfile.mkdtemp(prefix="xl-vgt-test-")
    sock = os.path.join(tmp, "vgtd.sock")
    xl = os.path.join(tmp, "xl")
    with open(xl, "w") as f:
        f.write(FAKE_XL)
    os.chmod(xl, 0o755)
    env = dict(os.environ, XL=xl, XL_LOG=os.path.join(tmp, "xl.log"),
               XL_STATE=os.path.join(tmp, "xl.state"), VGTD_SOCKET=sock)

    def run(*args):
        p = subprocess.run([XL_VGT] + list(args), capture_output=True, text=True, env=env,
                           timeout=120)
        return p.returncode, p.stdout, p.stderr

    def xl_log():
        try:
            with open(env["XL_LOG"]) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def domains():
        try:
            with open(env["XL_STATE"]) as f:
                return [l.split() for l in f if l.strip()]
        except FileNotFoundError:
            return []

    def vgpus():
        p = subprocess.run([VGTCTL, "--socket", sock, "--json", "list"], capture_output=True,
                           text=True, timeout=60)
        return {d["domid"]: d for d in json.loads(p.stdout)["domains"]}

    def cfg(name, body):
        path = os.path.join(tmp, name + ".cfg")
        with open(path, "w") as f:
            f.write('name = "%s"\ntype = "pvh"\nmemory = 512\nkernel = "/k"\n%s' % (name, body))
        return path

    # vgtd is not running yet: nothing may be created.
    rc, out, err = run("create", os.path.join(CONFIG, "xl", "domu1-hvm.cfg"))
    check("without vgtd nothing is created", rc == 1 and "is vgtd running" in err
          and not xl_log(), err)

    log = open(os.path.join(tmp, "vgtd.log"), "w")
    daemon = subprocess.Popen([VGTD, "--transport", "sim", "--socket", sock,
                               "--set", "sim_frames=4"], stderr=log)
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    try:
        # The shipped examples: HVM with a type, PVH with sizes, PVH primary.
        for name in ["domu1-hvm", "domu2-pvh", "domu3-pvh"]:
            before = len(xl_log())
            rc, out, err = run("create", os.path.join(CONFIG, "xl", name + ".cfg"))
            calls = [l.split()[0] + (" -p" if " -p " in " %s " % l else "")
                     for l in xl_log()[before:]]
            check("create %s: paused, attached, unpaused" % name,
                  rc == 0 and calls == ["create -p", "domid", "unpause"], (out, err, calls))
        doms = {d[1]: d for d in domains()}
        check("the three domains run", all(doms[n][2] == "running" for n in
                                           ["vgt-domu1", "vgt-domu2", "vgt-domu3"]), doms)
        v = vgpus()
        ids = {n: int(doms[n][0]) for n in doms}
        check("each has the vGPU its config asks for",
              v[ids["vgt-domu1"]]["type"] == "vgt-64" and
              v[ids["vgt-domu2"]]["low"]["mb"] == 64 and v[ids["vgt-domu2"]]["high"]["mb"] == 384 and
              v[ids["vgt-domu3"]]["type"] == "vgt-128" and v[ids["vgt-domu3"]]["weight"] == 8 and
              v[ids["vgt-domu3"]]["foreground"], v)

        # A bad value: refused before xl is asked for anything.
        before = len(xl_log())
        rc, out, err = run("create", cfg("badval", "vgt = 1\nvgt_low_gm_sz = 64M\n"))
        check("a malformed value stops before any domain exists",
              rc == 1 and "badval.cfg:6" in err and len(xl_log()) == before, err)
        rc, out, err = run("create", cfg("badfence", "vgt = 1\nvgt_low_gm_sz = 64\n"
                                         "vgt_high_gm_sz = 64\nvgt_fence_sz = 33\n"))
        check("an out-of-range value is named",
              rc == 1 and "vgt_fence_sz" in err and len(xl_log()) == before, err)
        rc, out, err = run("create", os.path.join(tmp, "missing.cfg"))
        check("a missing config is named", rc == 1 and "missing.cfg" in err, err)
        rc, out, err = run("create", cfg("ovr", "vgt = 1\n"), "vgt_type=vgt-32")
        check("vgt overrides on the command line are refused", rc == 2 and "config file" in err,
              err)

        # vgtd refuses the vGPU: the paused domain is destroyed again, with vgtd's reason.
        for name, body, reason in [
                ("toobig", 'vgt = 1\nvgt_type = "vgt-256"\n', "left"),
                ("unknown", 'vgt = 1\nvgt_type = "vgt-9000"\n', "unknown vGPU type")]:
            before = len(xl_log())
            rc, out, err = run("create", cfg(name, body))
            calls = [l.split()[0] for l in xl_log()[before:]]
            check("%s: creation fails with vgtd's reason" % name,
                  rc == 1 and reason in err and "destroying" in err, err)
            check("%s: the half-made domain is gone" % name,
                  calls[0] == "create" and calls[-1] == "destroy" and
                  name not in [d[1] for d in domains()], calls)
        # xl itself fails: no attach is attempted.
        n = len(vgpus())
        rc, out, err = run("create", cfg("failing", "vgt = 1\n"))
        check("a failing xl create attaches nothing", rc == 1 and len(vgpus()) == n, err)

        # A config without vgt=1 goes straight through.
        before = len(xl_log())
        rc, out, err = run("create", cfg("plain", ""))
        calls = xl_log()[before:]
        check("a config without vgt is created as usual", rc == 0 and len(calls) == 1 and
              "-p" not in calls[0].split(), calls)

        # Destroy returns the vGPU's resources; the name can be created again.
        did = ids["vgt-domu1"]
        rc, out, err = run("destroy", "vgt-domu1")
        check("destroy releases the vGPU", rc == 0 and did not in vgpus() and
              "vgt-domu1" not in [d[1] for d in domains()], err)
        rc, out, err = run("create", os.path.join(CONFIG, "xl", "domu1-hvm.cfg"))
        check("and the domain can be created again", rc == 0 and
              any(x["type"] == "vgt-64" for x in vgpus().values()), err)
        rc, out, err = run("destroy", "no-such-domain")
        check("destroying an unknown domain is an error", rc == 1, err)

        rc, out, err = run("check", os.path.join(CONFIG, "xl", "dom0.cfg"))
        check("check reads dom0's keys", rc == 0 and "served by domain 1" in out, out)
        rc, out, err = run("create", os.path.join(CONFIG, "xl", "dom0.cfg"))
        check("a vGPU served by another domain is refused clearly", rc == 1 and
              "vgt_backend" in err, err)

        # attach/detach: a domain that already runs (dom0, in the driver-domain
        # deployment) gets and gives back a vGPU; xl creates nothing.
        with open(env["XL_STATE"], "a") as f:
            f.write("3 running-guest running\n")
        before = len(xl_log())
        rc, out, err = run("attach", cfg("running-guest", 'vgt = 1\nvgt_type = "vgt-64"\n'))
        check("attach gives a running domain its vGPU", rc == 0 and 3 in vgpus() and
              vgpus()[3]["type"] == "vgt-64" and
              [l.split()[0] for l in xl_log()[before:]] == ["domid"], (out, err))
        rc, out, err = run("attach", cfg("running-guest", "vgt = 1\n"))
        check("a second attach is refused with vgtd's reason", rc == 1 and
              "gets no vGPU" in err and vgpus()[3]["type"] == "vgt-64", err)
        rc, out, err = run("attach", cfg("not-running", "vgt = 1\n"))
        check("attach to a domain that does not run is refused",
              rc == 1 and "no running domain not-running" in err, err)
        rc, out, err = run("attach", cfg("running-guest", ""))
        check("attach without vgt=1 is refused", rc == 1 and "vgt=1 is not set" in err, err)
        rc, out, err = run("detach", "running-guest")
        check("detach releases the vGPU and leaves the domain",
              rc == 0 and 3 not in vgpus() and ["3", "running-guest", "running"] in domains(),
              (out, err))
        rc, out, err = run("detach", "running-guest")
        check("detaching twice says there is no vGPU", rc == 1 and "has no vGPU" in err, err)
    finally:
        daemon.send_signal(signal.SIGTERM)
        rc = daemon.wait(timeout=60)
        check("vgtd stops cleanly", rc == 0)
    print("1..%d" % len(results))
    return 1 if results.count(False) else 0


if __name__ == "__main__":
    sys.exit(main())
