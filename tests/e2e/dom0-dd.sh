#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs in dom0 of the driver-domain stage (from /init), on the FLASK
# hypervisor with vgt's patches: vgtd runs in its own domain of type
# vgt_dd_t and dom0, a PVH domain, is one of its four clients: it asks for
# its own vGPU (xl-vgt attach), rescans PCI, finds it at 00:02.0 and draws
# on it with the reference driver in user space (refdrv-sysfs).  Then
# dom0's toolstack (xl-vgt, vgt_backend = that domain) asks the driver
# domain for three guests' vGPUs through xenstore (g4 hostile) and reads
# what the guests and the driver domain report.  Then the driver domain is
# killed and another started: it takes over from the dead one (vgt's
# hypervisor patch 0004), dom0 and two guests are attached to it again,
# find their vGPU reset, and draw again.  (That a driver domain of the
# ordinary type serves nobody is checked in the FLASK stage, whose PV dom0
# is steadier under emulation than this stage's PVH one.)
. /dom0-lib.sh
# dom0_render CHECK LOG: the reference driver draws on dom0's own vGPU
# from user space; its last line is the check's detail.
dom0_render() {
	if timeout 300 refdrv-sysfs --frames $FRAMES $GPU > "$2" 2>&1; then
		pass "$1" "$(tail -n 1 "$2")"
	else
		fail "$1" "$(tail -n 1 "$2")"
		sed 's/^/  refdrv-sysfs: /' "$2"
	fi
}
FRAMES=4
DDLOG=/var/log/xen/console/guest-vgt-dd.log

xen_tools_up
stall_report 560
check enforcing "FLASK is enforcing" [ "$(xl getenforce 2>/dev/null)" = Enforcing ]
check dom0-pvh "dom0 is a $(cat /sys/hypervisor/guest_type 2>/dev/null) domain" \
	[ "$(cat /sys/hypervisor/guest_type 2>/dev/null)" = PVH ]

if xl create -p /guest/dd/vgt-dd.cfg > /tmp/create-dd.log 2>&1; then
	dd=$(xl domid vgt-dd)
	pass create-dd "the driver domain: domain $dd, $(xl list -Z | awk '/vgt-dd/ { print $NF }')"
	# It watches @releaseDomain to learn of its guests' deaths.
	xenstore-chmod @releaseDomain n0 r"$dd"
	xl unpause vgt-dd
else
	fail create-dd "$(tail -n 2 /tmp/create-dd.log)"
fi
if wait_dd ready 120; then
	pass dd-ready "vgtd answers in the driver domain"
else
	fail dd-ready "vgtd answers in the driver domain"
	tail -n 20 $DDLOG | sed 's/^/  dd: /'
fi

# Dom0's own vGPU.  The driver domain claims 00:02.0 of dom0 (vgt's
# hypervisor patches route dom0's config cycles for it to vgtd rather than
# vPCI); dom0 finds the function by rescanning and, with no kernel driver
# for it, draws from user space through sysfs.
GPU=/sys/bus/pci/devices/0000:00:02.0
echo 4 > /proc/sys/vm/nr_hugepages
sed "s/^vgt_backend.*/vgt_backend = ${dd:-1}/" /guest/dd/dom0.cfg > /tmp/dom0.cfg
timeout 60 xl-vgt attach /tmp/dom0.cfg > /tmp/attach-dom0.log 2>&1
check attach-dom0 "$(tail -n 1 /tmp/attach-dom0.log)" \
	[ -n "$(xenstore-read /local/domain/${dd:-1}/backend/vgt/0/vgpu 2>/dev/null)" ]
echo 1 > /sys/bus/pci/rescan
check dom0-rescan "dom0 finds a $(cat $GPU/vendor 2>/dev/null):$(cat $GPU/device 2>/dev/null) (class $(cat $GPU/class 2>/dev/null)) at 00:02.0" \
	[ "$(cat $GPU/vendor 2>/dev/null)" = 0x8086 ]
dmesg | grep -a '0000:00:02.0' | tail -n 8 | sed 's/^/  dom0 kernel: /'
dom0_render dom0-render /tmp/refdrv-dom0.log

# Xen left the function to vgtd (patch 0003), and drawing on it (BAR
# sizing, decoding switched on) did not make vPCI touch dom0's p2m there.
check dom0-not-vpci "$(xl dmesg | grep -a 'd0 0000:00:02.0: emulated' | head -n 1 | sed 's/^(XEN) //')" \
	sh -c "xl dmesg | grep -aq 'd0 0000:00:02.0: emulated by an ioreq server, not vPCI' &&
	       ! xl dmesg | grep -aq 'Failed to identity'"

# The guests, each given its vGPU by the driver domain's vgtd.
for g in g1 g3 g4; do
	# g1 and g3 will outlive the driver domain: they wait for it to come back.
	{ if [ $g = g4 ]; then cat /guest/$g.cfg
	  else sed 's/^cmdline = "\(.*\)"/cmdline = "\1 survive_restart"/' /guest/$g.cfg; fi
	  echo "vgt_backend = ${dd:-0}"; } > /tmp/$g.cfg
	if create_cfg /tmp/$g.cfg $g; then
		pass create-$g "$(tail -n 1 /tmp/create-$g.log)"
	else
		fail create-$g "$(tail -n 1 /tmp/create-$g.log)"
	fi
done
# A request the driver domain must refuse: the domain is not left behind.
{ grep -v '^vgt_low_gm_sz' /guest/g2.cfg; echo "vgt_backend = ${dd:-0}"
  echo "vgt_low_gm_sz = 2048"; } > /tmp/g2-big.cfg
timeout 60 xl-vgt create /tmp/g2-big.cfg > /tmp/create-g2-big.log 2>&1
rc=$?
check refused-g2 "a vGPU too big is refused: $(grep 'gets no vGPU' /tmp/create-g2-big.log)" \
	[ $rc != 0 -a -n "$(grep 'gets no vGPU' /tmp/create-g2-big.log)" ]
check no-half-domain "the refused domain is gone" sh -c '! xl domid vgt-e2e-g2 >/dev/null 2>&1'
for g in g1 g3 g4; do
	check guest-$g-finished "its driver ran to the end, served from the driver domain" \
		wait_guest_done $g 240
done

# Screens and containment, as the driver domain's vgtd sees them.
# screen_ok D: the driver domain's screenshot of domain D is the frame of
# the scene of the vGPU it reported for D (each vGPU's scene is its own).
screen_ok() {
	vgpu=$(dd_lines "vgpu $1 " | cut -d' ' -f4)
	[ -n "$vgpu" ] || return 1
	expected-frame 320 240 $((FRAMES - 1)) "$vgpu" /tmp/expected-$vgpu.png || return 1
	[ "$(dd_lines "screen $1 " | cut -d' ' -f4)" = "$(sha256sum < /tmp/expected-$vgpu.png | cut -d' ' -f1)" ]
}
xenstore-write /local/domain/${dd:-1}/data/report 1
wait_dd reported 240
for g in g1 g3; do
	d=$(xl domid vgt-e2e-$g)
	check screen-$g "the driver domain's screenshot of dom$d is the frame it drew" screen_ok $d
	check clean-$g "dom$d not in failsafe" [ "$(dd_lines "failsafe $d " | cut -d' ' -f4)" = false ]
done
check screen-dom0 "the driver domain's screenshot of dom0 is the frame dom0 drew" screen_ok 0
check clean-dom0 "dom0 not in failsafe" [ "$(dd_lines "failsafe 0 " | cut -d' ' -f4)" = false ]
d4=$(xl domid vgt-e2e-g4)
check hostile-failsafe "the hostile dom$d4 is in failsafe" \
	[ "$(dd_lines "failsafe $d4 " | cut -d' ' -f4)" = true ]
# Each of its attacks ran on a reset, working vGPU: each was stopped by its
# own check, under its own reason, and nothing else was raised.
reason() { n=$(dd_lines "errors $d4 $1 " | cut -d' ' -f5 | tail -n 1); echo "${n:-0}"; }
for r in cmd gtt_range gtt_frame; do
	check hostile-$r "the hostile dom$d4's $r count is $(reason $r)" [ "$(reason $r)" -ge 1 ]
done
check hostile-no-other "no other reason: $(reason guest_errors) errors in all" \
	[ "$(( $(reason cmd) + $(reason gtt_range) + $(reason gtt_frame) ))" = "$(reason guest_errors)" ]
dd_lines stats | sed 's/^/  /'
ioreqs=$(dd_lines stats | sed -n 's/.*: \([0-9]*\) mmio, \([0-9]*\) pio, \([0-9]*\) cfg.*/\1 \2 \3/p' |
	awk '{ n += $1 + $2 + $3 } END { print n + 0 }')

# ---- The driver domain is killed and another takes over ----------------------------------
# The hostile guest is not served again.  Dom0, g1 and g3 keep their dead
# mediator's ioreq servers (an access now waits) until the new vgtd,
# asked for their vGPUs again, destroys them and serves them afresh.
xl destroy vgt-e2e-g4
xl destroy vgt-dd
check dd-killed "the driver domain is gone" sh -c '! xl domid vgt-dd >/dev/null 2>&1'
sed -e 's/^name = .*/name = "vgt-dd2"/' -e 's/vgt_guests=4/vgt_guests=3/' /guest/dd/vgt-dd.cfg \
	> /tmp/vgt-dd2.cfg
DDLOG=/var/log/xen/console/guest-vgt-dd2.log
old_dd=${dd:-1}
old_ioreqs=$ioreqs
if xl create -p /tmp/vgt-dd2.cfg > /tmp/create-dd2.log 2>&1; then
	dd=$(xl domid vgt-dd2)
	xenstore-chmod @releaseDomain n0 r"$dd"
	xl unpause vgt-dd2
	check dd-restarted "a new driver domain: domain $dd" wait_dd ready 120
else
	fail dd-restarted "$(tail -n 2 /tmp/create-dd2.log)"
fi
sed "s/^vgt_backend.*/vgt_backend = ${dd:-1}/" /guest/dd/dom0.cfg > /tmp/dom0.cfg
for g in g1 g3; do sed -i "s/^vgt_backend.*/vgt_backend = ${dd:-1}/" /tmp/$g.cfg; done
reattach() {
	timeout 60 xl-vgt attach /tmp/$1.cfg > /tmp/reattach-$1.log 2>&1
	rc=$?
	check reattach-$1 "$(tail -n 1 /tmp/reattach-$1.log)" [ $rc = 0 ]
}
reattach dom0
# Dom0 finds its function reset: it lets the kernel place it again.
echo 1 > $GPU/remove
echo 1 > /sys/bus/pci/rescan
dom0_render restart-dom0-render /tmp/refdrv-dom0-2.log
reattach g1
reattach g3
for g in g1 g3; do
	check restart-$g "$g drew again on its reset vGPU" wait_until 180 guest_redone $g
done
xenstore-write /local/domain/${dd:-1}/data/report 1
wait_dd reported 240
for c in dom0 g1 g3; do
	d=0
	[ $c = dom0 ] || d=$(xl domid vgt-e2e-$c)
	check restart-screen-$c "after the restart, the new driver domain's screenshot of dom$d is the frame it drew" \
		screen_ok $d
done
check restart-took-over "the new vgtd destroyed the dead one's ioreq servers of all three" \
	[ "$(dd_lines "stats" | grep -c 'took over from a dead device model')" = 3 ]
check restart-no-crash "no domain crashed: $(xl list | awk 'NR > 1 { printf "%s(%s) ", $1, $5 }')" \
	sh -c "! xl list | awk 'NR > 1 && \$5 ~ /c/' | grep -q ."
check restart-dead-dd-freed "nothing holds the dead driver domain (d$old_dd) any more" \
	sh -c "! xl list | grep -q '(null)'"
dd_lines stats | sed 's/^/  after restart: /'

# One goes through the protocol (released before the domain dies), the
# others by dying (@releaseDomain in the driver domain).
d1=$(xl domid vgt-e2e-g1)
xl-vgt destroy vgt-e2e-g1 > /tmp/destroy-g1.log 2>&1
check detach-g1 "xl-vgt destroy released dom$d1's vGPU through xenstore first" \
	[ -z "$(xenstore-ls /local/domain/${dd:-0}/backend/vgt/$d1 2>/dev/null)" ]
xl destroy vgt-e2e-g3
timeout 30 xl-vgt detach Domain-0 > /tmp/detach-dom0.log 2>&1
check detach-dom0 "dom0's vGPU released through xenstore: $(tail -n 1 /tmp/detach-dom0.log)" \
	[ -z "$(xenstore-ls /local/domain/${dd:-0}/backend/vgt/0 2>/dev/null)" ]
check dd-release "the driver domain released every vGPU" wait_dd "released all" 30
check backend-clean "no request left in the driver domain's backend directory" \
	[ -z "$(xenstore-list /local/domain/${dd:-0}/backend/vgt 2>/dev/null)" ]
xl dmesg | grep -a 'avc:  denied' | tail -n 5 | sed 's/^/  xen: /'
tail -n 14 $DDLOG | sed 's/^/  dd: /'
xl destroy vgt-dd2

check_no_crashes
stall_report_off
accelerated=$(grep -cE 'RESULT: dom0/(dom0-render|create-g[0-9]) PASS' /tmp/results.log)
matched=$(grep -c 'RESULT: dom0/screen-[a-z0-9]* PASS' /tmp/results.log)
contained=$(grep -c 'RESULT: dom0/hostile-failsafe PASS' /tmp/results.log)
again=$(grep -cE 'RESULT: dom0/restart-(dom0-render|g[0-9]) PASS' /tmp/results.log)
rematched=$(grep -c 'RESULT: dom0/restart-screen-[a-z0-9]* PASS' /tmp/results.log)
echo "SUMMARY: $accelerated accelerated domains (dom0 among them) served by vgtd in driver domain $old_dd, $old_ioreqs ioreqs handled there, $matched screens matched, $contained of 1 hostile guest contained; driver domain $old_dd killed, driver domain ${dd:-?} took over: $again of 3 clients drew again, $rematched screens matched; $(up) s since dom0 booted"
say "dom0 test done"
