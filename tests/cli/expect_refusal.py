#!/usr/bin/env python3
"""Runs a command that must refuse its arguments cleanly.

Usage: expect_refusal.py STATUS PATTERN -- COMMAND [ARG ...]

Passes only when COMMAND exits by itself with exit status STATUS, its
standard error matches the regular expression PATTERN, and nothing says a
sanitizer or the runtime found a fault: a crash, an abort or a sanitizer
report while parsing a bad argument is a failure, not a refusal."""
import re
import subprocess
import sys

SANITIZER = re.compile(r"(AddressSanitizer|LeakSanitizer|ThreadSanitizer|MemorySanitizer|"
                       r"UndefinedBehaviorSanitizer|runtime error:|SUMMARY: \w+Sanitizer)")


def main(argv):
    if len(argv) < 4 or argv[2] != "--":
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    want_status, pattern, cmd = int(argv[0]), argv[1], argv[3:]
    run = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                         errors="replace", timeout=60)
    err = run.stderr
    sys.stdout.write(run.stdout)
    sys.stderr.write(err)
    problems = []
    if run.returncode < 0:
        problems.append(f"killed by signal {-run.returncode}")
    elif run.returncode != want_status:
        problems.append(f"exit status {run.returncode}, want {want_status}")
    if SANITIZER.search(err) or SANITIZER.search(run.stdout):
        problems.append("a sanitizer reported a fault")
    if not re.search(pattern, err):
        problems.append(f"standard error does not match /{pattern}/")
    if problems:
        print("expect_refusal: " + "; ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
