#!/usr/bin/env python3
"""Totals the checks of one or more meson test runs, each check once.

Usage: summarize.py LABEL=TESTLOG.json [LABEL=TESTLOG.json ...]

The same suites run in several builds (plain, ASan+UBSan, TSan); a check is
one case of one test, identified by the test's name and the case's number,
and it passes only when it passed in every build that ran it.  TAP programs
(the cmocka suites) count one check per planned case: a case the program
never reported (it died first) fails.  A stage that ends with
'NAME: N passed, N failed' lines (the end-to-end stages on Xen) counts what
those lines say, and one more failure when it failed with none counted.
Other tests count one check each.  Prints a line per build, then the total
of distinct checks as 'N passed, N failed'; exits 1 on any failure or when
nothing ran."""
import json
import re
import sys

TAP_CASE = re.compile(r"^(ok|not ok) (\d+)", re.M)
TAP_PLAN = re.compile(r"^1\.\.(\d+)", re.M)
STAGE = re.compile(r"^([a-z0-9-]+): (\d+) passed, (\d+) failed$", re.M)


def checks_of(test):
    """Yields (check id, passed) for one test record of a meson log."""
    name = test["name"]
    ok_result = test["result"] in ("OK", "EXPECTEDFAIL")
    out = test.get("stdout") or ""
    stages = STAGE.findall(out)
    plan = TAP_PLAN.search(out)
    if stages:
        failed_any = False
        for label, p, f in stages:
            for i in range(int(p) + int(f)):
                ok = i < int(p)
                failed_any |= not ok
                yield (name, label, i), ok
        if not ok_result and not failed_any:
            yield (name, "stage failed"), False
    elif plan:
        yield from tap_checks(name, out, ok_result)
    else:
        yield (name,), ok_result


def tap_checks(name, out, ok_result):
    """The cases of a TAP program; a program running several groups prints a
    plan per group, and its cases are numbered from 1 in each."""
    plans, seen, group, plan_first = [], {}, 0, True
    for line in out.splitlines():
        m = TAP_PLAN.match(line)
        if m:
            if seen and not plans:
                plan_first = False
            if plan_first and plans:
                group += 1
            plans.append(int(m.group(1)))
            continue
        m = TAP_CASE.match(line)
        if m:
            key = (group, int(m.group(2)))
            seen[key] = seen.get(key, True) and m.group(1) == "ok"
    all_ok = all(seen.values())
    for g, planned in enumerate(plans):
        for num in range(1, planned + 1):
            yield (name, g, num), seen.pop((g, num), False)
    for (g, num), ok in seen.items():      # cases beyond a plan
        yield (name, g, num), ok
    if not ok_result and all_ok:
        yield (name, "exit"), False


def read_log(path):
    """All checks of one build: {id: passed}, and the tests that failed."""
    checks, failed_tests = {}, []
    with open(path, encoding="utf-8") as log:
        for line in log:
            test = json.loads(line)
            for cid, ok in checks_of(test):
                checks[cid] = checks.get(cid, True) and ok
            if test["result"] not in ("OK", "EXPECTEDFAIL"):
                failed_tests.append(f"{test['name']} ({test['result']})")
    return checks, failed_tests


def main(argv):
    if not argv:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    total = {}
    for arg in argv:
        label, sep, path = arg.partition("=")
        if not sep:
            label, path = arg, arg
        checks, failed_tests = read_log(path)
        p = sum(checks.values())
        print(f"{label}: {p} passed, {len(checks) - p} failed ({len(checks)} checks)")
        for t in failed_tests:
            print(f"  FAILED in {label}: {t}")
        for cid, ok in checks.items():
            total[cid] = total.get(cid, True) and ok
    passed = sum(total.values())
    failed = len(total) - passed
    print(f"distinct checks, each passed only if it passed in every build that ran it:")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
