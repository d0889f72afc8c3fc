#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs in dom0 of the driver-domain stage (from /init), on the FLASK
# hypervisor: vgtd runs in its own domain of type vgt_dd_t and serves three
# guests' vGPUs from there (g4 hostile); dom0 only builds the domains and
# reads what the guests and the driver domain report.
. /dom0-lib.sh
FRAMES=4
DDLOG=/var/log/xen/console/guest-vgt-dd.log
dd_lines() { tr -d '\r' < $DDLOG 2>/dev/null | grep -a "^DD: $1"; }
wait_dd() { # what timeout
	i=0
	while ! dd_lines "$1" | grep -q .; do
		sleep 1; i=$((i + 1))
		[ $i -ge "$2" ] && return 1
	done
	return 0
}

xen_tools_up
check enforcing "FLASK is enforcing" [ "$(xl getenforce 2>/dev/null)" = Enforcing ]

# The guests first, paused (plain xl: the vgt keys are the driver domain's
# business here); the driver domain is told their ids and vGPU types.
targets=""
for g in g1:vgt-64 g3:vgt-32 g4:vgt-64; do
	n=${g%%:*}
	xl create -p /guest/$n.cfg > /tmp/create-$n.log 2>&1
	d=$(xl domid vgt-e2e-$n 2>/dev/null)
	check create-$n "an ordinary guest, paused: domain ${d:-none}" [ -n "$d" ]
	targets="$targets${targets:+,}${d:-0}:${g#*:}"
done
sed "s/@TARGETS@/$targets/" /guest/dd/vgt-dd.cfg > /tmp/vgt-dd.cfg
if xl create -p /tmp/vgt-dd.cfg > /tmp/create-dd.log 2>&1; then
	dd=$(xl domid vgt-dd)
	pass create-dd "the driver domain: domain $dd, $(xl list -Z | awk '/vgt-dd/ { print $NF }')"
	# It watches @releaseDomain to learn of its guests' deaths.
	xenstore-chmod @releaseDomain n0 r"$dd"
	xl unpause vgt-dd
else
	fail create-dd "$(tail -n 2 /tmp/create-dd.log)"
fi
if wait_dd "all attached" 120; then
	check dd-attach "$(dd_lines attached | wc -l) vGPUs attached in the driver domain" \
		[ "$(dd_lines attached | wc -l)" = 3 ]
	for g in g1 g3 g4; do xl unpause vgt-e2e-$g; done
	for g in g1 g3 g4; do
		check guest-$g-finished "its driver ran to the end, served from the driver domain" \
			wait_guest_done $g 120
	done
else
	fail dd-attach "the driver domain did not attach its guests"
fi
dd_lines attach-failed | sed 's/^/  /'

# Screens and containment, as the driver domain's vgtd sees them.
expected-frame 320 240 $((FRAMES - 1)) /tmp/expected.png
want=$(sha256sum < /tmp/expected.png | cut -d' ' -f1)
wait_dd reported 180
for g in g1 g3; do
	d=$(xl domid vgt-e2e-$g)
	check screen-$g "the driver domain's screenshot of dom$d is the frame it drew" \
		[ "$(dd_lines "screen $d " | cut -d' ' -f4)" = "$want" ]
	check clean-$g "dom$d not in failsafe" [ "$(dd_lines "failsafe $d " | cut -d' ' -f4)" = false ]
done
d4=$(xl domid vgt-e2e-g4)
check hostile-failsafe "the hostile dom$d4 is in failsafe" \
	[ "$(dd_lines "failsafe $d4 " | cut -d' ' -f4)" = true ]
dd_lines stats | sed 's/^/  /'

for g in g1 g3 g4; do xl destroy vgt-e2e-$g; done
check dd-release "the driver domain released every vGPU as its domain died" wait_dd "released all" 30
xl dmesg | grep -a 'avc:  denied' | tail -n 5 | sed 's/^/  xen: /'
tail -n 12 $DDLOG | sed 's/^/  dd: /'
xl destroy vgt-dd
check_no_crashes
say "dom0 test done"
