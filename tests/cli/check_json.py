#!/usr/bin/env python3
"""Runs `vgt demo --json` or `vgt bench --json` and checks what a machine
reading it relies on: the keys, their types and sane values.

usage: check_json.py VGT demo|bench|soak"""
import json
import os
import subprocess
import sys


def run(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    if p.returncode:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return json.loads(p.stdout)


def check_demo(vgt):
    doc = run([vgt, "demo", "--domains", "4", "--seconds", "0.5", "--json"])
    doms = doc["domains"]
    assert len(doms) == 4, doms
    seen = []
    for d in doms:
        for key in ("domid", "fences", "workloads_completed", "engine_share", "failsafe",
                    "low_gm", "high_gm"):
            assert key in d, (key, d)
        for gm in ("low_gm", "high_gm"):
            assert set(d[gm]) == {"base", "size"} and d[gm]["size"] > 0, d
        assert d["failsafe"] is False and d["guest_errors"] == 0, d
        assert d["frame_matches"] is True and d["stores_wrong"] == 0, d
        assert d["workloads_completed"] == d["workloads_submitted"] > 0, d
        assert 0.0 < d["engine_share"] <= 1.0, d
        seen.append((d["low_gm"]["base"], d["low_gm"]["base"] + d["low_gm"]["size"]))
    seen.sort()
    assert all(a[1] <= b[0] for a, b in zip(seen, seen[1:])), "aperture slices overlap"
    assert abs(sum(d["engine_share"] for d in doms) - 1.0) < 0.01


def check_bench(vgt):
    doc = run([vgt, "bench", "--seconds", "0.05", "--json"])
    for key in ("mediated_native_ratio", "fairness_max_deviation", "scan_mb_per_s",
                "mmio_trap_ns", "gtt_update_ns", "context_switch_us"):
        assert isinstance(doc[key], (int, float)), key
    assert set(doc["mediated_native_by_workload"]) == {"fill", "copy", "stores"}
    assert set(doc["aggregate_ratio"]) == {"1", "2", "4", "8"}
    assert doc["mediated_native_ratio"] == min(doc["mediated_native_by_workload"].values())
    assert 0 < doc["mediated_native_ratio"] < 2
    assert doc["fairness_max_deviation"] < 0.1, doc["fairness_max_deviation"]


def check_soak(vgt):
    # Under ASan, freed memory sits in quarantine and would look like growth.
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=0"
    soak = run([vgt, "soak", "--domains", "4", "--seconds", "5", "--json"], env)["soak"]
    assert soak["passed"] is True, soak
    assert soak["domains"] == 4 and soak["workloads_completed"] > 100, soak
    assert soak["starved_windows"] == 0 and soak["engine_resets"] == 0, soak


if __name__ == "__main__":
    {"demo": check_demo, "bench": check_bench, "soak": check_soak}[sys.argv[2]](sys.argv[1])
    print("ok")
