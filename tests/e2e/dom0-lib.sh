# SPDX-License-Identifier: MIT
# What the dom0 scripts of the end-to-end stages share (sourced): result
# lines, waiting for the guests' results on Xen's console, bringing up
# the Xen tools and vgtd.  Every check prints "RESULT: dom0/NAME PASS|FAIL
# detail"; the host side counts them.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/usr/lib/xen-4.17/bin
SOCK=/run/vgt/vgtd.sock
up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "T+$(up)s: $*"; }
# AREA names whose results follow: dom0's, or xl's (the vgt-aware xl's checks).
AREA=dom0
pass() { echo "RESULT: $AREA/$1 PASS $2" | tee -a /tmp/results.log; }
fail() { echo "RESULT: $AREA/$1 FAIL $2" | tee -a /tmp/results.log; }
check() { name=$1; detail=$2; shift 2; if "$@"; then pass "$name" "$detail"; else fail "$name" "$detail"; return 1; fi; }

# wait_until SECONDS CMD...: runs CMD once a second until it succeeds; 1 on timeout.
wait_until() {
	wait_s=$1; shift
	waited=0
	until "$@"; do
		sleep 1; waited=$((waited + 1))
		[ $waited -ge "$wait_s" ] && return 1
	done
	return 0
}

# The guests report on Xen's console: "(dN) RESULT: gX/..." lines.
guest_lines() { xl dmesg | grep -a "RESULT: $1/" ; }
guest_done() { guest_lines "$1" | grep -q "RESULT: $1/done"; }
wait_guest_done() { wait_until "$2" guest_done "$1"; }  # name timeout
# "DD: WHAT..." lines a driver domain printed on its console (LOG, default $DDLOG).
dd_lines() { tr -d '\r' < "${2:-$DDLOG}" 2>/dev/null | grep -a "^DD: $1"; }
dd_said() { dd_lines "$@" | grep -q .; }
wait_dd() { wait_until "$2" dd_said "$1"; }  # what timeout
guest_redone() { guest_lines "$1" | grep -q "RESULT: $1/redone"; }
json_field() { # json key -> first numeric or boolean value of "key"
	sed -n "s/.*\"$2\":\([a-z0-9]*\).*/\1/p" "$1" | head -n 1
}

xen_tools_up() {
	for m in xen-evtchn xen-gntdev xen-privcmd xenfs xen-gntalloc; do
		insmod "/lib/modules/$(uname -r)/$m.ko" || say "insmod $m failed"
	done
	mount -t xenfs xenfs /proc/xen
	xenstored --pid-file=/run/xenstored.pid
	xen-init-dom0 >/dev/null
	xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console
	say "xen tools up"
}

# Starts vgtd on gensim with the Xen transport; VGTD is its pid.
vgtd_start() {
	mkdir -p /run/vgt
	vgtd --transport xen --socket $SOCK > /tmp/vgtd.log 2>&1 &
	VGTD=$!
	i=0
	while ! vgtctl --socket $SOCK version >/dev/null 2>&1 && [ $i -lt 50 ]; do
		sleep 0.2; i=$((i + 1))
	done
	check vgtd-up "vgtd serves on $SOCK with the xen transport" kill -0 $VGTD
	export VGTD_SOCKET=$SOCK
}

# create_cfg CFG NAME: xl-vgt create CFG -> 0 when created (its output in
# /tmp/create-NAME.log); tries again after a transient toolstack failure,
# showing what it saw.  create NAME: the same for /guest/NAME.cfg.
create() { create_cfg /guest/$1.cfg $1; }
create_cfg() {
	for try in 1 2 3; do
		if timeout 60 xl-vgt create $1 > /tmp/create-$2.log 2>&1; then
			[ $try = 1 ] || say "$2 created on try $try"
			return 0
		fi
		say "xl-vgt create $2 failed (try $try):"
		sed 's/^/  vgtd: /' /tmp/vgtd.log | tail -n 8
		ps | grep -E 'xenstored|xl |vgtd' | grep -v grep | sed 's/^/  ps: /'
		grep -v '^Parsing\|tsc mode' /tmp/create-$2.log | head -n 4 | sed 's/^/  create: /'
		echo "  xenstored fds: $(ls /proc/$(pidof xenstored)/fd 2>/dev/null | wc -l), xl processes: $(pidof xl | wc -w)"
		dmesg | grep -iE 'segfault|traps:|general protection|oom' | tail -n 3 | sed 's/^/  kernel: /'
		sleep 2
	done
	return 1
}

# A normal guest's screen, as vgtd's plane decoder sees it, against the
# CPU's frame of the scene of the vGPU vgtd gave that domain (expected-frame:
# each vGPU's scene has its own palette and its id drawn in), so another
# domain's screen, or memory two vGPUs share, cannot match; and its vGPU
# clean.  'matched' counts the screens that matched.
matched=0
check_screen() { # guest
	d=$(xl domid vgt-e2e-$1)
	vgtctl --socket $SOCK --json stats "$d" > /tmp/stats-$1.json
	vgpu=$(json_field /tmp/stats-$1.json vgpu)
	expected-frame 320 240 $((FRAMES - 1)) "${vgpu:-0}" /tmp/expected-$1.png
	vgtctl --socket $SOCK screenshot "$d" /tmp/$1.png > /tmp/shot-$1.log 2>&1
	if [ -n "$vgpu" ] && cmp -s /tmp/$1.png /tmp/expected-$1.png; then
		pass "screen-$1" "dom$d's screenshot is the frame it drew on vGPU $vgpu"
		matched=$((matched + 1))
	else
		fail "screen-$1" "dom$d's screenshot is not the frame of vGPU ${vgpu:-?}"
		sed 's/^/  screenshot: /' /tmp/shot-$1.log
		ls -l /tmp/$1.png /tmp/expected-$1.png | sed 's/^/  /'
		cmp /tmp/$1.png /tmp/expected-$1.png | sed 's/^/  /'
		vgtctl --socket $SOCK stats "$d" | sed 's/^/  stats: /'
	fi
	# The detail names the count: the host tells a guest error (never
	# repeated) from a guest that is gone (guest_errors ?).
	errs=$(json_field /tmp/stats-$1.json guest_errors)
	check "clean-$1" "no guest error, not in failsafe (guest_errors ${errs:-?})" \
		[ "$(json_field /tmp/stats-$1.json failsafe)" = false -a "${errs:-x}" = 0 ]
}

# stall_report SECONDS: if the stage has not ended by then, print what dom0
# sees (processes, domains, vgtd's log and each vGPU's ioreq counts), so a
# stage the host's timeout ends tells where it stood.  stall_report_off
# cancels it.
stall_report() {
	( sleep "$1"
	  echo "DOM0 STALL: still running after $1 s"
	  ps | sed 's/^/  ps: /'
	  xl list | sed 's/^/  xl: /'
	  for d in $(vgtctl --socket $SOCK list 2>/dev/null | awk 'NR > 1 { print $1 }'); do
		vgtctl --socket $SOCK stats "$d" | sed "s/^/  stats $d: /"
	  done
	  tail -n 20 /tmp/vgtd.log 2>/dev/null | sed 's/^/  vgtd: /' ) &
	STALL=$!
}
stall_report_off() { kill "$STALL" 2>/dev/null; }

# No process in dom0 or in a driver domain may have crashed, vgt's or not
# (a vgt program's crash is also a "VGT CRASH" line: crash-wrapper.sh).
check_no_crashes() {
	crashes=$(dmesg | grep -cE 'segfault at|traps:|VGT CRASH')
	dd_crashes=$(cat /var/log/xen/console/guest-vgt-dd*.log 2>/dev/null | grep -caE 'VGT CRASH|segfault at')
	check no-crashes "$crashes processes crashed in dom0, $dd_crashes in driver domains" \
		[ "$crashes" = 0 -a "$dd_crashes" = 0 ]
	dmesg | grep -A1 -E 'segfault at|traps:|VGT CRASH' | sed 's/^/  kernel: /'
	# The host reads the serial log: a driver domain's crash must reach it.
	cat /var/log/xen/console/guest-vgt-dd*.log 2>/dev/null | grep -aE 'VGT CRASH|segfault at' |
		sed 's/^/  driver domain: /'
}

# stop_vgtd: stops dom0's vgtd; it must still be running and exit cleanly.
stop_vgtd() {
	if kill -0 $VGTD 2>/dev/null; then
		kill $VGTD
		wait $VGTD
		rc=$?
		check vgtd-exit "vgtd stops cleanly (exit $rc)" [ $rc = 0 ]
	else
		wait $VGTD
		rc=$?
		fail vgtd-exit "vgtd was gone before the end (exit $rc)"
	fi
}
