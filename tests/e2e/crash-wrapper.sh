#!/bin/sh
# SPDX-License-Identifier: MIT
# Installed in the stage's images in place of each vgt program (vgtd,
# vgtctl, xl-vgt, vgt, refdrv-sysfs, expected-frame); the program itself is
# /usr/lib/vgt/bin/NAME.  It runs it, passes a TERM or INT on to it (so
# `timeout` and `kill $VGTD` reach the program), and when the program dies
# of a signal that means a crash (SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE,
# SIGSEGV) it says so in the kernel log, which the console and the host
# see: "VGT CRASH: NAME died of signal N".  The host never repeats a stage
# run that has such a line.
# (VGT_WRAPPED_BIN and VGT_CRASH_REPORT stand in for the two paths in tests.)
name=$(basename "$0")
"${VGT_WRAPPED_BIN:-/usr/lib/vgt/bin}/$name" "$@" &
child=$!
trap 'kill -TERM $child 2>/dev/null' TERM
trap 'kill -INT $child 2>/dev/null' INT
# wait returns early (above 128) when a trapped signal arrives, with the
# program still running: then wait again.  Once the program has ended, each
# wait returns its status again.
wait $child
rc=$?
while [ $rc -gt 128 ]; do
	wait $child
	again=$?
	[ $again = $rc ] && break
	rc=$again
done
case $rc in
132 | 133 | 134 | 135 | 136 | 139)
	echo "<3>VGT CRASH: $name died of signal $((rc - 128)) (args: $*)" > "${VGT_CRASH_REPORT:-/dev/kmsg}" ;;
esac
exit $rc
