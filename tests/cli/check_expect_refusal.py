#!/usr/bin/env python3
"""expect_refusal.py must tell a clean refusal from a crash, an abort, a
sanitizer report, a wrong exit status and a wrong message (TAP)."""
import os
import subprocess
import sys

WRAPPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expect_refusal.py")
CASES = [
    ("a clean refusal passes", 0, ["2", "bad size", "--", "sh", "-c", "echo bad size >&2; exit 2"]),
    ("a segfault fails", 1, ["2", ".", "--", "sh", "-c", "echo x >&2; kill -SEGV $$"]),
    ("an abort fails", 1, ["134", ".", "--", "sh", "-c", "echo x >&2; kill -ABRT $$"]),
    ("a sanitizer report fails", 1,
     ["2", "bad", "--", "sh", "-c", "echo bad >&2; echo 'ERROR: AddressSanitizer: heap-use-after-free' >&2; exit 2"]),
    ("a UBSan runtime error fails", 1,
     ["2", "bad", "--", "sh", "-c", "echo 'x.c:1:2: runtime error: shift' >&2; echo bad >&2; exit 2"]),
    ("a wrong exit status fails", 1, ["2", "bad", "--", "sh", "-c", "echo bad >&2; exit 1"]),
    ("success fails", 1, ["2", "bad", "--", "sh", "-c", "echo bad >&2; exit 0"]),
    ("a wrong message fails", 1, ["2", "bad size", "--", "sh", "-c", "echo usage >&2; exit 2"]),
]
print(f"1..{len(CASES)}")
bad = 0
for i, (what, want, args) in enumerate(CASES, 1):
    rc = subprocess.run([sys.executable, WRAPPER] + args, capture_output=True).returncode
    ok = rc == want
    bad += not ok
    print(f"{'ok' if ok else 'not ok'} {i} - {what} (wrapper exit {rc}, want {want})")
sys.exit(1 if bad else 0)
