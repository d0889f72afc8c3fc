#!/usr/bin/env python3
"""Totals the cases of one or more meson test runs.

TAP programs (the cmocka suites) count one per case; a stage that ends with
'NAME: N passed, N failed' lines (the end-to-end stage on Xen) counts what
those lines say; other tests count one each. A TAP program that died before
reporting all its cases, or a stage that failed with no failure counted,
counts as one more failure. Ends with the line 'N passed, N failed'."""
import json
import re
import sys


def count(logfile):
    passed = failed = 0
    for line in open(logfile, encoding="utf-8"):
        t = json.loads(line)
        ok_result = t["result"] in ("OK", "EXPECTEDFAIL")
        out = t.get("stdout") or ""
        plan = re.search(r"^1\.\.(\d+)$", out, re.M)
        stages = re.findall(r"^[a-z0-9-]+: (\d+) passed, (\d+) failed$", out, re.M)
        if stages:
            p = sum(int(a) for a, _ in stages)
            f = sum(int(b) for _, b in stages)
            if not ok_result and f == 0:
                f = 1
            passed += p
            failed += f
        elif plan:
            p = len(re.findall(r"^ok \d+", out, re.M))
            f = len(re.findall(r"^not ok \d+", out, re.M))
            if not ok_result and f == 0:
                f = 1
            elif p + f < int(plan.group(1)):
                f += 1
            passed += p
            failed += f
        elif ok_result:
            passed += 1
        else:
            failed += 1
        if not ok_result:
            print(f"  FAILED: {t['name']} ({t['result']})")
    return passed, failed


def main():
    total_p = total_f = 0
    for log in sys.argv[1:]:
        p, f = count(log)
        print(f"{log}: {p} passed, {f} failed")
        total_p += p
        total_f += f
    print(f"{total_p} passed, {total_f} failed")
    return 1 if total_f or not total_p else 0


if __name__ == "__main__":
    sys.exit(main())
