#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/e2e/verdict.sh on made-up serial logs: a stage run is repeated only
# after the emulated machine faulted, never after a crash of a vgt program,
# a guest error of a guest that is not hostile, or a vgt stall (TAP).
. "$(dirname "$0")/../e2e/verdict.sh"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
n=0
bad=0
# case WHAT WANT LINE...: WANT is "repeat" or "fail"; the lines form the log.
case_() {
	what=$1 want=$2
	shift 2
	printf '%s\n' "$@" > "$log"
	if vgt_failure "$log" > /dev/null; then
		got=fail
	elif emulator_fault "$log" > /dev/null; then
		got=repeat
	else
		got=fail
	fi
	n=$((n + 1))
	if [ "$got" = "$want" ]; then
		echo "ok $n - $what: $got"
	else
		echo "not ok $n - $what: $got, want $want"
		bad=$((bad + 1))
	fi
}
echo "1..12"
case_ "a guest triple fault" repeat "(XEN) d3v0 Triple fault - invoking HVM shutdown action 1" "DOM0: done"
case_ "dom0 froze without a stall report" repeat "DOM0: up at 10 s" "RESULT: g1/probe PASS"
case_ "xenstored crashed" repeat "[  40.1] xenstored[311]: segfault at 7f0 ip 55 sp 7ff error 4" "DOM0: done"
case_ "vgtd crashed (wrapper)" fail "(XEN) d3v0 Triple fault" "VGT CRASH: vgtd died of signal 6 (args: --transport xen)"
case_ "vgtd segfault (kernel)" fail "[  40.1] vgtd[311]: segfault at 0 ip 55 sp 7ff error 4" "DOM0: done"
case_ "xl-vgt trap (kernel)" fail "[  40.1] traps: xl-vgt[12] trap invalid opcode ip:55" "DOM0: done"
case_ "vgtctl crash in a driver domain, reported by dom0" fail \
	"  driver domain: <3>VGT CRASH: vgtctl died of signal 11 (args: list)" "(XEN) d1v0 Triple fault"
case_ "a normal guest's guest error" fail \
	"RESULT: dom0/clean-g1 FAIL no guest error, not in failsafe (guest_errors 2)" "(XEN) d2v0 Triple fault"
case_ "a normal guest gone after its triple fault" repeat \
	"RESULT: dom0/clean-g3 FAIL no guest error, not in failsafe (guest_errors ?)" "(XEN) d3v0 Triple fault"
case_ "dom0 alive but stuck" fail "DOM0 STALL: still running after 300 s" "RESULT: g5/bars PASS"
case_ "a clean run is not an emulator fault" fail "RESULT: g1/probe PASS" "DOM0: done"
case_ "the hostile guest's failsafe is no guest error of a normal guest" repeat \
	"RESULT: dom0/hostile-failsafe PASS" "(XEN) d4v0 Triple fault" "DOM0: done"
[ $bad = 0 ]
