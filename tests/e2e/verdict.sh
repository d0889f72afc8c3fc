# SPDX-License-Identifier: MIT
# Sourced by xen-e2e.sh (and its test, tests/cli/check_verdict.sh).
# The emulated machine itself faulting, the only reason a stage run is
# repeated: a vCPU reset by a triple fault (Xen's "Triple fault" line; the
# guests' code is the same in every run, and dom0's were traced to Xen's
# emulation of RDTSC under QEMU's SVM, tests/e2e/README.md), a process of
# Debian's in dom0 crashing (xenstored, busybox: pointers corrupted in SSE
# registers), or dom0 freezing whole: it did not finish and did not even
# print its stall report, which a timer in dom0 prints at 300 s whatever
# the test is doing.  Never repeated, whatever else happened: a crash of a
# vgt program (crash-wrapper.sh's "VGT CRASH" line, or the kernel's
# segfault line naming one), a guest error in a guest that is not hostile
# (a failed clean-* check), or a dom0 that was alive but did not finish
# (vgt stalled: its stall report is there).
# vgt_failure LOG: prints why the run in LOG failed through vgt, if it did.
vgt_failure() {
	if grep -aq "VGT CRASH" "$1"; then
		echo "a vgt program crashed: $(tr -d '\r' < "$1" | grep -a -m1 -o 'VGT CRASH.*')"
	elif grep -aqE '(vgtd|vgtctl|xl-vgt|vgt|refdrv-sysfs|expected-frame)\[[0-9]+\]:? (segfault at|trap)' "$1"; then
		echo "a vgt program crashed"
	elif grep -aqE 'RESULT: [a-z0-9]+/clean-[a-z0-9]+ FAIL .*guest_errors [1-9]' "$1"; then
		echo "a guest that is not hostile made a guest error"
	elif grep -aq "DOM0 STALL" "$1" && ! grep -aq "DOM0: done" "$1"; then
		echo "dom0 was alive and the stage did not finish"
	else
		return 1
	fi
}
# emulator_fault LOG: prints how the emulated machine faulted in LOG, if it did.
emulator_fault() {
	if grep -aq "Triple fault" "$1"; then
		echo "a vCPU triple-faulted: $(tr -d '\r' < "$1" | grep -a -m1 'Triple fault')"
	elif grep -aq "segfault at" "$1"; then
		echo "a process of Debian's in dom0 crashed: $(tr -d '\r' < "$1" | grep -a -m1 'segfault at')"
	elif ! grep -aq "DOM0: done" "$1"; then
		echo "dom0 froze: no end and no stall report"
	else
		return 1
	fi
}
