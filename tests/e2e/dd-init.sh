#!/bin/sh
# SPDX-License-Identifier: MIT
# /init of the driver domain in the driver-domain stage: brings up what a
# domain needs to act for others (privcmd unrestricted, as a driver domain
# has no xenstore target) and starts vgtd on gensim with the Xen transport,
# which answers the vGPU requests dom0's toolstack writes into this
# domain's xenstore home.  It reports on its console, which dom0 reads:
# "DD: ..." lines.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t tmpfs tmpfs /run; mkdir -p /run/vgt /tmp
for m in xen-evtchn xen-gntdev xen-gntalloc xenfs; do insmod /lib/modules/$m.ko; done
insmod /lib/modules/xen-privcmd.ko unrestricted=1
mount -t xenfs xenfs /proc/xen
want=$(sed -n 's/.*vgt_guests=\([0-9]*\).*/\1/p' /proc/cmdline)
SOCK=/run/vgt/vgtd.sock
vgtd --transport xen --socket $SOCK > /tmp/vgtd.log 2>&1 &
VGTD=$!
i=0
while ! vgtctl --socket $SOCK version >/dev/null 2>&1 && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
if kill -0 $VGTD 2>/dev/null; then
	echo "DD: ready, expecting ${want:-?} guests"
else
	echo "DD: vgtd failed"
	sed 's/^/DD: vgtd: /' /tmp/vgtd.log
fi

[ "${want:-1}" = 0 ] && while :; do sleep 10; done

# The guests this domain serves, as vgtd lists them.
served() { vgtctl --socket $SOCK list 2>/dev/null | awk 'NR > 1 { print $1 }'; }
# Dom0 says when every client has drawn (data/report in this domain's
# xenstore home, the part dom0 and this domain share); each one's screen
# and state are reported then.
i=0
while [ $i -lt 400 ] && [ -z "$(xenstore-read data/report 2>/dev/null)" ]; do
	sleep 1; i=$((i + 1))
done
for d in $(served); do
	vgtctl --socket $SOCK stats "$d" | sed "s/^/DD: stats $d: /"
	vgtctl --socket $SOCK --json stats "$d" > /tmp/stats.json 2>&1
	echo "DD: failsafe $d $(sed -n 's/.*"failsafe":\([a-z]*\).*/\1/p' /tmp/stats.json)"
	echo "DD: vgpu $d $(sed -n 's/.*"vgpu":\([0-9]*\).*/\1/p' /tmp/stats.json)"
	for k in cmd gtt_range gtt_frame guest_errors; do
		echo "DD: errors $d $k $(sed -n "s/.*\"$k\":\([0-9]*\).*/\1/p" /tmp/stats.json)"
	done
	vgtctl --socket $SOCK screenshot "$d" /tmp/screen.png > /dev/null 2>&1
	echo "DD: screen $d $(sha256sum < /tmp/screen.png | cut -d' ' -f1)"
done
echo "DD: reported"
# Each vGPU is released when its domain dies (@releaseDomain).
while [ -n "$(served)" ]; do sleep 0.5; done
echo "DD: released all"
sed 's/^/DD: vgtd: /' /tmp/vgtd.log | tail -n 12
while :; do sleep 10; done
