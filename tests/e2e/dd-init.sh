#!/bin/sh
# SPDX-License-Identifier: MIT
# /init of the driver domain in the driver-domain stage: brings up what a
# domain needs to act for others (privcmd unrestricted, as a driver domain
# has no xenstore target), starts vgtd on gensim with the Xen transport,
# attaches the vGPUs its command line names (vgt_targets=DOMID:TYPE,...),
# and reports on its console, which dom0 reads: "DD: ..." lines.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t tmpfs tmpfs /run; mkdir -p /run/vgt /tmp
for m in xen-evtchn xen-gntdev xen-gntalloc xenfs; do insmod /lib/modules/$m.ko; done
insmod /lib/modules/xen-privcmd.ko unrestricted=1
mount -t xenfs xenfs /proc/xen
targets=$(sed -n 's/.*vgt_targets=\([0-9a-z:,-]*\).*/\1/p' /proc/cmdline | tr ',' ' ')
echo "DD: up, serving $targets"
SOCK=/run/vgt/vgtd.sock
vgtd --transport xen --socket $SOCK > /tmp/vgtd.log 2>&1 &
VGTD=$!
i=0
while ! vgtctl --socket $SOCK version >/dev/null 2>&1 && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
kill -0 $VGTD 2>/dev/null || sed 's/^/DD: vgtd: /' /tmp/vgtd.log
for t in $targets; do
	if vgtctl --socket $SOCK attach "${t%%:*}" "${t#*:}" > /tmp/attach.log 2>&1; then
		echo "DD: attached $(cat /tmp/attach.log)"
	else
		echo "DD: attach-failed ${t%%:*}: $(cat /tmp/attach.log)"
	fi
done
echo "DD: all attached"

# The guests draw their frames, then idle: wait until no workload completes
# for a few seconds, then report each guest's screen and state.
completed() {
	n=0
	for t in $targets; do
		c=$(vgtctl --socket $SOCK --json stats "${t%%:*}" 2>/dev/null |
			sed -n 's/.*"workloads_completed":\([0-9]*\).*/\1/p')
		n=$((n + ${c:-0}))
	done
	echo $n
}
last=-1 still=0 i=0
while [ $i -lt 150 ] && [ $still -lt 3 ]; do
	sleep 1; i=$((i + 1))
	n=$(completed)
	if [ "$n" -gt 0 ] && [ "$n" = "$last" ]; then still=$((still + 1)); else still=0; fi
	last=$n
done
for t in $targets; do
	d=${t%%:*}
	vgtctl --socket $SOCK stats "$d" | sed "s/^/DD: stats $d: /"
	vgtctl --socket $SOCK --json stats "$d" > /tmp/stats.json 2>&1
	echo "DD: failsafe $d $(sed -n 's/.*"failsafe":\([a-z]*\).*/\1/p' /tmp/stats.json)"
	vgtctl --socket $SOCK screenshot "$d" /tmp/screen.png > /dev/null 2>&1
	echo "DD: screen $d $(sha256sum < /tmp/screen.png | cut -d' ' -f1)"
done
echo "DD: reported"
# Each vGPU is released when its domain dies (@releaseDomain).
while [ -n "$(vgtctl --socket $SOCK list 2>/dev/null | awk 'NR > 1')" ]; do sleep 0.5; done
echo "DD: released all"
sed 's/^/DD: vgtd: /' /tmp/vgtd.log | tail -n 8
while :; do sleep 10; done
