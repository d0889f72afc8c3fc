#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs in dom0 of the FLASK stage (from /init), on the hypervisor that
# xen/build-xen.sh builds: FLASK enforcing with vgt's policy module.  Checks
# that vgt runs on it (vgtd in dom0 serving a PVH guest), that a domain of
# vgt's driver-domain type may be another domain's device model, and that
# an ordinary guest may not.
. /dom0-lib.sh
FRAMES=4

xen_tools_up
stall_report 200
check enforcing "FLASK is enforcing" [ "$(xl getenforce 2>/dev/null)" = Enforcing ]

# vgt on this hypervisor: vgtd in dom0 serves g1.
vgtd_start
if create g1; then
	pass create-g1 "$(tail -n 1 /tmp/create-g1.log)"
	check guest-g1-finished "its driver ran to the end" wait_guest_done g1 120
	check_screen g1
else
	fail create-g1 "$(tail -n 1 /tmp/create-g1.log)"
fi

# The policy: device-model rights for vgt_dd_t, none for domU_t.
xl create -p /guest/flask/target.cfg > /tmp/create-target.log 2>&1
target=$(xl domid vgt-flask-target 2>/dev/null)
check target-created "an ordinary guest to serve: domain ${target:-none}" [ -n "$target" ]
for p in dd plain; do
	sed "s/@TARGET@/${target:-0}/" /guest/flask/$p.cfg > /tmp/$p.cfg
	if xl create /tmp/$p.cfg > /tmp/create-$p.log 2>&1; then
		check "probe-$p" "the $p probe ran" wait_guest_done $p 60
	else
		fail "probe-$p" "not created: $(tail -n 1 /tmp/create-$p.log)"
	fi
done
labels=$(xl list -Z | awk '/vgt-flask-dd/ { print $NF }')
check dd-label "the driver domain runs as $labels" [ "$labels" = system_u:system_r:vgt_dd_t ]
xl dmesg | grep -a 'avc:  denied' | tail -n 3 | sed 's/^/  xen: /'

# The driver domain of the driver-domain stage, labelled as an ordinary
# guest: its vgtd runs, but the hypervisor refuses it the device-model
# rights, so a guest asking it for a vGPU is refused with the reason and
# not left behind.
PLAINLOG=/var/log/xen/console/guest-vgt-dd-plain.log
if xl create -p /guest/dd/vgt-dd-plain.cfg > /tmp/create-dd-plain.log 2>&1; then
	plain=$(xl domid vgt-dd-plain)
	xenstore-chmod @releaseDomain n0 r"$plain"
	xl unpause vgt-dd-plain
	wait_until 120 dd_said ready $PLAINLOG
	{ cat /guest/g2.cfg; echo "vgt_backend = $plain"; } > /tmp/g2-plain.cfg
	timeout 60 xl-vgt create /tmp/g2-plain.cfg > /tmp/create-g2-plain.log 2>&1
	rc=$?
	check plain-dd-refused "a domU_t driver domain serves nobody: $(grep 'gets no vGPU' /tmp/create-g2-plain.log)" \
		[ $rc != 0 -a -n "$(grep 'gets no vGPU.*not allowed to act' /tmp/create-g2-plain.log)" ]
	check plain-dd-no-domain "and the guest is not left behind" \
		sh -c '! xl domid vgt-e2e-g2 >/dev/null 2>&1'
	check plain-dd-avc "the hypervisor's refusal: $(xl dmesg | grep -a 'avc:  denied' | grep -a "source=d$plain " | head -n 1 | sed 's/.*avc:  denied *//')" \
		[ -n "$(xl dmesg | grep -a 'avc:  denied' | grep -a "source=d$plain ")" ]
	tail -n 6 $PLAINLOG | sed 's/^/  dd-plain: /'
	xl destroy vgt-dd-plain
else
	fail plain-dd-refused "$(tail -n 2 /tmp/create-dd-plain.log)"
fi
for d in vgt-e2e-g1 vgt-flask-target vgt-flask-dd vgt-flask-plain; do xl destroy $d 2>/dev/null; done
sleep 2
stop_vgtd
check_no_crashes
stall_report_off
say "dom0 test done"
