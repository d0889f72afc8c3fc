#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs in dom0 of the end-to-end stage (from /init): brings up the Xen
# tools, starts vgtd on gensim with the Xen transport, creates the test
# guests with xl-vgt, and checks what they and vgtd report.  Every check
# prints "RESULT: dom0/NAME PASS|FAIL detail"; the host side counts them.
. /dom0-lib.sh
FRAMES=4

# What the summary reports: domains served, ioreqs vgtd handled for them,
# screens matched, attacks contained.
served=0; ioreqs=0; contained=0
count_ioreqs() { # domain name -> adds its ioreqs so far to the total
	vgtctl --socket $SOCK --json stats "$(xl domid "$1")" > /tmp/ioreqs.json 2>/dev/null || return 0
	for k in mmio pio cfg buffered; do
		n=$(sed -n "s/.*\"xen\":{.*\"$k\":\([0-9]*\).*/\1/p" /tmp/ioreqs.json)
		ioreqs=$((ioreqs + ${n:-0}))
	done
}
xen_tools_up
stall_report 300
vgtd_start
vgtctl --socket $SOCK --json types > /tmp/types0.json

# Four guests at once, each with its own vGPU sizes; g4 is hostile.
for g in g1 g2 g3 g4; do
	if create $g; then
		pass "create-$g" "$(tail -n 1 /tmp/create-$g.log)"
	else
		fail "create-$g" "$(tail -n 1 /tmp/create-$g.log)"
	fi
done
vgtctl --socket $SOCK list
say "vgtd log so far:"; sed 's/^/  vgtd: /' /tmp/vgtd.log
for g in g1 g2 g3 g4; do
	# The hostile guest resets its vGPU and starts its driver afresh
	# before each attack: it takes longest.  A wait ends when the guest is done.
	if wait_guest_done $g 240; then
		pass "guest-$g-finished" "its driver ran to the end"
	else
		fail "guest-$g-finished" "no 'done' from its driver"
		d=$(xl domid vgt-e2e-$g)
		vgtctl --socket $SOCK stats "$d" | sed 's/^/  stats: /'
		xl list
	fi
done

# Where the guests put their BARs (the same code places them alike), for the import below.
xl dmesg | grep -a 'INFO: g[0-9]/bars' | tail -n 1 > /tmp/bars.txt

for g in g1 g2 g3; do check_screen $g; done
d4=$(xl domid vgt-e2e-g4)
vgtctl --socket $SOCK --json stats "$d4" > /tmp/stats-g4.json
check hostile-failsafe "the hostile guest is in failsafe" [ "$(json_field /tmp/stats-g4.json failsafe)" = true ]
# Each attack ran on a reset, working vGPU (g4/*-ready): each must have
# been stopped by its own check, counted under its own reason, and by
# nothing else.
cmd=$(json_field /tmp/stats-g4.json cmd); range=$(json_field /tmp/stats-g4.json gtt_range)
frame=$(json_field /tmp/stats-g4.json gtt_frame); all=$(json_field /tmp/stats-g4.json guest_errors)
reasons="cmd ${cmd:-?}, gtt_range ${range:-?}, gtt_frame ${frame:-?}, all ${all:-?}"
check hostile-cmd "its foreign batch was refused by the audit ($reasons)" [ "${cmd:-0}" -ge 1 ]
check hostile-gtt "its GTT entry outside its slices was refused as such ($reasons)" \
	[ "${range:-0}" -ge 1 ]
check hostile-gtt-frame "its GTT entry for a foreign frame was refused as such ($reasons)" \
	[ "${frame:-0}" -ge 1 ]
check hostile-no-other "no other reason was raised ($reasons)" \
	[ "$(( ${cmd:-0} + ${range:-0} + ${frame:-0} ))" = "${all:-x}" ]

# Destroy a guest: its resources return; then it is created again and runs again.
d2=$(xl domid vgt-e2e-g2)
vgtctl --socket $SOCK --json types > /tmp/types4.json
count_ioreqs vgt-e2e-g2
xl-vgt destroy vgt-e2e-g2 > /dev/null 2>&1
sleep 1
vgtctl --socket $SOCK --json types > /tmp/types3.json
check destroy-releases "dom$d2's vGPU is gone and its memory free again" \
	[ "$(json_field /tmp/types3.json vgpus)" = 3 -a "$(json_field /tmp/types3.json low_mb)" -gt "$(json_field /tmp/types4.json low_mb)" ]
xl dmesg -c > /dev/null
# Xen's own tracing records the second run's MMIO (TRC_HVM_IOMEM): the capture
# is imported into a vgt trace and replayed on a fresh mediator.
xentrace -D -S 256 -s 10 -e 0x0008f000 /tmp/capture.xen > /tmp/xentrace.log 2>&1 &
XT=$!
sleep 1
if create g2; then
	check recreate-g2 "created again and ran to the end" wait_guest_done g2 90
else
	fail recreate-g2 "$(tail -n 1 /tmp/create-g2.log)"
fi
kill -INT $XT; wait $XT
bars=$(xl dmesg | grep -a 'INFO: g2/bars' | tail -n 1)
# Xen's console ring may have dropped the line by now: any guest's will do.
[ -n "$bars" ] || bars=$(cat /tmp/bars.txt)
bar0=$(echo "$bars" | sed -n 's/.* bar0 \(0x[0-9a-f]*\).*/\1/p')
bar2=$(echo "$bars" | sed -n 's/.* bar2 \(0x[0-9a-f]*\).*/\1/p')
bar4=$(echo "$bars" | sed -n 's/.* bar4 \(0x[0-9a-f]*\).*/\1/p')
say "xentrace: $(wc -c < /tmp/capture.xen) bytes; g2's BARs: $bar0 $bar2 $bar4"
vgt trace import /tmp/capture.xen /tmp/imported.trace --bar0 "$bar0" --bar2 "$bar2" \
	--bar4 "$bar4" --size 4 > /tmp/import.log 2>&1
rc=$?
sed 's/^/  import: /' /tmp/import.log
converted=$(sed -n 's/^ *\([0-9]*\) converted.*/\1/p' /tmp/import.log)
check xentrace-import "Xen's capture imported: ${converted:-0} accesses" [ $rc = 0 -a "${converted:-0}" -ge 1000 ]
vgt trace dump /tmp/imported.trace --reg 0x78000 | head -n 2 | sed 's/^/  dump: /'
vgt trace replay /tmp/imported.trace > /tmp/replay.log 2>&1
check xentrace-replay "$(tail -n 1 /tmp/replay.log)" [ $? = 0 ]

# An HVM guest beside the real device model: qemu-xen emulates its
# platform and boots it, vgtd's ioreq server serves its vGPU.
if create g5; then
	pass create-g5 "$(tail -n 1 /tmp/create-g5.log)"
	check qemu-xen "qemu-xen runs as g5's device model" pidof xen-qemu-system-i386
	if wait_guest_done g5 240; then
		pass guest-g5-finished "its driver ran to the end"
	else
		fail guest-g5-finished "no 'done' from its driver"
		grep -v '^Parsing' /var/log/xen/qemu-dm-vgt-e2e-g5.log 2>/dev/null | tail -n 8 | sed 's/^/  qemu: /'
	fi
	check_screen g5
else
	fail create-g5 "$(tail -n 1 /tmp/create-g5.log)"
	grep -v '^Parsing' /tmp/create-g5.log | tail -n 8 | sed 's/^/  create: /'
fi

# The guests go; vgtd releases everything it held.
for g in g1 g2 g3 g4 g5; do count_ioreqs vgt-e2e-$g; xl destroy vgt-e2e-$g 2>/dev/null; done
sleep 2
vgtctl --socket $SOCK --json types > /tmp/types-end.json
check all-released "every vGPU released when its domain died (@releaseDomain)" \
	[ "$(json_field /tmp/types-end.json vgpus)" = 0 ]
# ---- xl itself: the vgt-aware xl (tools/libxl-vgt/patches), plain `xl create` ----
AREA=xl
XLV=/usr/lib/vgt-xl/xl
no_vgpus() { vgtctl --socket $SOCK --json types > /tmp/types-xl.json &&
	[ "$(json_field /tmp/types-xl.json vgpus)" = 0 ]; }
served() { # domid low_mb: vgtd serves the domain a vGPU of that size
	vgtctl --socket $SOCK --json list | grep -q "\"domid\":$1,[^}]*\"low\":{[^}]*\"mb\":$2}"; }
save_refused() { # xl's exit, domid: refused with the reason, and the domain runs on with its vGPU
	[ "$1" != 0 ] && grep -q 'cannot be saved' /tmp/xl-save.log &&
		xl domid vgt-e2e-x1 > /dev/null 2>&1 && served "$2" 32; }
rebooted() { # first domid: the domain is another now, with a vGPU
	dn=$(xl domid vgt-e2e-x2 2>/dev/null) && [ "$dn" != "$1" ] && served "$dn" 32; }
not_served() { ! vgtctl --socket $SOCK --json list | grep -q "\"domid\":$1,"; }
restore_refused() { # xl's exit
	[ "$1" != 0 ] && grep -q 'cannot be restored' /tmp/xl-restore.log && no_half_domain vgt-e2e-x1; }
released() { no_vgpus && ! xenstore-exists "/local/domain/0/backend/vgt/$1"; }
refused_with() { [ "$1" != 0 ] && grep -aq -- "$2" "$3"; }
no_half_domain() { ! xl domid "$1" > /dev/null 2>&1 && no_vgpus; }
if [ -x $XLV ]; then
	if timeout 90 $XLV create /guest/x1.cfg > /tmp/xl-create-x1.log 2>&1; then
		dx=$(xl domid vgt-e2e-x1)
		check create "xl create with vgt= keys made dom$dx, served a 32 MiB vGPU" served "$dx" 32
		check guest-finished "its driver ran to the end" wait_guest_done x1 90
		check_screen x1
		$XLV list -l vgt-e2e-x1 > /tmp/xl-list.json 2>&1
		check list-shows-vgpu "xl list -l shows the vGPU's keys" \
			grep -q '"low_gm_sz": 32' /tmp/xl-list.json
		timeout 60 $XLV save vgt-e2e-x1 /tmp/x1.save > /tmp/xl-save.log 2>&1
		rc=$?
		check save-refused "$(grep -ao 'a domain with a vGPU cannot be saved[a-z ]*' /tmp/xl-save.log | head -n 1) (exit $rc); it runs on with its vGPU" \
			save_refused "$rc" "$dx"
		$XLV destroy vgt-e2e-x1 > /tmp/xl-destroy.log 2>&1
		wait_until 10 released "$dx"
		if ! check destroy-releases "xl destroy: vgtd released the vGPU, its request is gone" released "$dx"; then
			say "vGPUs: $(vgtctl --socket $SOCK --json types)"
			xenstore-ls -p /local/domain/0/backend/vgt 2>&1 | sed 's/^/  xenstore: /'
			tail -n 6 /tmp/vgtd.log | sed 's/^/  vgtd: /'
		fi
		# A save file's xl header (the config comes from x1.cfg): refused before
		# any stream is read, and no domain is left.
		printf 'Xen saved domain, xl format\n \000 \r\004\003\002\001\002\000\000\000\000\000\000\000\000\000\000\000' \
			> /tmp/x1.save
		timeout 60 $XLV restore /guest/x1.cfg /tmp/x1.save > /tmp/xl-restore.log 2>&1
		rc=$?
		check restore-refused "$(grep -ao 'a domain with a vGPU cannot be restored[a-z ]*' /tmp/xl-restore.log | head -n 1) (exit $rc), no domain left" \
			restore_refused "$rc"
	else
		fail create "$(grep -a 'error' /tmp/xl-create-x1.log | tail -n 1)"
		grep -av '^Parsing' /tmp/xl-create-x1.log | tail -n 8 | sed 's/^/  xl: /'
	fi
	# A reboot: xl destroys the domain and makes it anew from the same config;
	# the new domain gets a vGPU of its own and the old one's is released.
	if timeout 90 $XLV create /guest/x2.cfg > /tmp/xl-create-x2.log 2>&1; then
		d1=$(xl domid vgt-e2e-x2)
		check reboot "the guest asked for a reboot, xl made the domain anew, vgtd serves it" \
			wait_until 120 rebooted "$d1"
		check reboot-released "dom$d1's vGPU went with it" not_served "$d1"
		for try in 1 2 3; do
			$XLV destroy vgt-e2e-x2 > /dev/null 2>&1
			sleep 2
			xl domid vgt-e2e-x2 > /dev/null 2>&1 || break
		done
		wait_until 10 no_vgpus
		check reboot-destroy "destroyed between reboots: no domain, no vGPU left" no_half_domain vgt-e2e-x2
	else
		fail reboot "$(grep -a 'error' /tmp/xl-create-x2.log | tail -n 1)"
	fi
	# Bad configs: xl create fails with the reason and leaves no domain behind.
	for bad in big:"does not fit" nosuch:"vgt-nosuch" weight0:"vgt_weight" \
		badtype:"is not a vGPU type name"; do
		n=${bad%%:*} why=${bad#*:}
		timeout 90 $XLV create /guest/x-$n.cfg > /tmp/xl-create-$n.log 2>&1
		rc=$?
		reason=$(grep -a "refused the vGPU\|ERROR: vgt\|: vgt: " /tmp/xl-create-$n.log | head -n 1)
		check refused-$n "exit $rc: ${reason:-no reason shown}" refused_with $rc "$why" /tmp/xl-create-$n.log
		check no-half-domain-$n "no domain vgt-e2e-x-$n, no vGPU left" no_half_domain vgt-e2e-x-$n
	done
else
	fail create "no vgt-aware xl in this image (tools/libxl-vgt/build-xl.sh failed on the host)"
fi
AREA=dom0

stop_vgtd
say "vgtd log:"; tail -n 40 /tmp/vgtd.log
check_no_crashes
served=$(grep -c 'RESULT: dom0/create-g[0-9] PASS' /tmp/results.log)
contained=$(grep -cE 'RESULT: dom0/hostile-(cmd|gtt|gtt-frame) PASS' /tmp/results.log)
echo "SUMMARY: $served domains created with vGPUs, $ioreqs ioreqs handled by vgtd, $matched screens matched, $contained of 3 attacks contained, $(up) s since dom0 booted"
stall_report_off
say "dom0 test done"
