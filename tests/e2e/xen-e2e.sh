#!/bin/sh
# SPDX-License-Identifier: MIT
# The end-to-end stages: Xen 4.17 booted under QEMU (TCG), vgtd in dom0
# serving bare-metal test guests created with xl-vgt.
#
#   tests/e2e/xen-e2e.sh BUILD_DIR [OUT_DIR [STAGE]]
#
# STAGE "dom0" (the default), on Debian 12's hypervisor: four PVH guests at
# once, one hostile, then an HVM guest beside qemu-xen; then the vgt-aware
# xl (tools/libxl-vgt/build-xl.sh, cached in VGT_XL_DIR, default
# ~/.cache/vgt/xl) creates a guest with plain `xl create` and refuses bad
# configs, its results summed apart in "xen-e2e-xl: N passed, N failed".  STAGE "flask", on
# the hypervisor xen/build-xen.sh builds (FLASK enforcing, vgt's policy):
# vgt runs there, and the policy gives device-model rights to vgt's
# driver-domain type and refuses them to an ordinary guest; the build is
# kept in XEN_FLASK_DIR (default ~/.cache/vgt/xen-flask) and reused.
# STAGE "dd", on the same hypervisor: vgtd runs in a driver domain of type
# vgt_dd_t (Debian's kernel, PV); xl-vgt in dom0 asks it through xenstore
# for three guests' vGPUs, one of them hostile, and for one it must refuse.
#
# Builds the test guest and a dom0 initramfs (busybox, the Xen tools, vgtd,
# vgtctl, xl-vgt and what they link), boots, and turns the serial log into
# pass/fail lines; ends with "xen-e2e[-flask]: N passed, N failed" and exits
# non-zero on any failure, a missing result or a timeout (printing the end
# of the log).  Needs the packages of `tools/install-deps.sh e2e`.
# Environment: XEN_E2E_TIMEOUT (s, default 600), XEN_E2E_CPU (QEMU's -cpu),
# XEN_E2E_XEN_ARGS (more Xen options), XEN_E2E_TCG_THREAD (single|multi).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
out=${2:-$build/e2e}
stage=${3:-dom0}
case $stage in
dom0) label=xen-e2e ;;
flask) label=xen-e2e-flask ;;
dd) label=xen-e2e-driver-domain ;;
*) echo "xen-e2e: unknown stage '$stage' (dom0, flask or dd)" >&2; exit 2 ;;
esac
timeout_s=${XEN_E2E_TIMEOUT:-600}
XB=/usr/lib/xen-4.17/bin
mkdir -p "$out"
out=$(cd "$out" && pwd)
t0=$(date +%s)

kernel=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | grep -v cloud | sort -V | tail -n 1 || true)
if [ -z "$kernel" ] || [ ! -e /boot/xen-4.17-amd64.gz ] || ! command -v qemu-system-x86_64 >/dev/null; then
	echo "$label: missing packages: run tools/install-deps.sh e2e" >&2
	echo "$label: 0 passed, 1 failed"
	exit 1
fi
kv=${kernel#/boot/vmlinuz-}

# ---- The test guest and the dom0 image -------------------------------------------------
"$src/tests/e2e/build-guest.sh" "$out/vgt-guest"
root=$out/dom0-root
rm -rf "$root"
mkdir -p "$root"/bin "$root"/sbin "$root"/proc "$root"/sys "$root"/dev "$root"/tmp "$root"/run \
	"$root"/etc/xen "$root"/usr/bin "$root"/usr/sbin "$root"/var/lib/xen "$root"/var/lib/xenstored \
	"$root"/var/log/xen/console "$root"/guest "$root"/lib/modules/"$kv"
# add_busybox ROOT: busybox and a link for each of its applets.
add_busybox() {
	cp /bin/busybox "$1/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ -e "$1/bin/$a" ] || ln -s busybox "$1/bin/$a"
	done
}
# add_xen_modules DIR: the kernel's Xen modules (events, grants, privcmd, xenfs) into DIR.
add_xen_modules() {
	for m in xen-evtchn xen-gntdev xen-privcmd xenfs/xenfs xen-gntalloc; do
		cp "/lib/modules/$kv/kernel/drivers/xen/$m.ko" "$1/"
	done
}
add_busybox "$root"
# add_bin ROOT FILE [PATH]: FILE into the image at ROOT (as PATH), with
# every library it loads.
add_bin() {
	r=$1 f=$2 p=${3:-$2}
	mkdir -p "$r$(dirname "$p")"
	cp -L "$f" "$r$p"
	for l in $(ldd "$f" 2>/dev/null | grep -oE '/[^ ]+'); do
		[ -e "$r$l" ] || { mkdir -p "$r$(dirname "$l")"; cp -L "$l" "$r$l"; }
	done
}
for b in $XB/xl $XB/xenstored $XB/xenconsoled $XB/xen-init-dom0 $XB/xentrace /usr/bin/xenstore \
	/usr/libexec/xen-qemu-system-i386; do
	add_bin "$root" "$b"
done
for t in /usr/bin/xenstore-*; do cp -a "$t" "$root/usr/bin/"; done
# xl cancels threads: libgcc_s must be there.
cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$root/lib/x86_64-linux-gnu/"
# HVM guests: qemu-xen (above), hvmloader, SeaBIOS, the option ROMs of QEMU's direct kernel boot.
mkdir -p "$root/usr/lib/xen-4.17/boot" "$root/usr/share/seabios" "$root/usr/share/qemu"
cp /usr/lib/xen-4.17/boot/hvmloader "$root/usr/lib/xen-4.17/boot/"
cp /usr/share/seabios/bios-256k.bin "$root/usr/share/seabios/"
for f in keymaps linuxboot.bin linuxboot_dma.bin kvmvapic.bin; do
	cp -a "/usr/share/qemu/$f" "$root/usr/share/qemu/"
done
cp -a /etc/xen/scripts "$root/etc/xen/"
cp /etc/xen/xl.conf "$root/etc/xen/"
add_xen_modules "$root/lib/modules/$kv"
# add_vgt_bin ROOT FILE: a vgt program, behind tests/e2e/crash-wrapper.sh,
# which reports its crashes in the kernel log.
add_vgt_bin() {
	add_bin "$1" "$2" "/usr/lib/vgt/bin/$(basename "$2")"
	cp "$src/tests/e2e/crash-wrapper.sh" "$1/usr/sbin/$(basename "$2")"
}
for b in linux-vgt/vgtd/vgtd tools/libxl-vgt/vgtctl tools/libxl-vgt/xl-vgt tests/expected-frame \
	linux-vgt/vgt linux-vgt/refdrv-sysfs; do
	add_vgt_bin "$root" "$build/$b"
done
ln -s /usr/lib/xen-4.17/bin/xl "$root/usr/sbin/xl"
# The dom0 stage also runs the vgt-aware xl (tools/libxl-vgt/build-xl.sh,
# built once from Debian's source and cached) beside the packaged one.
if [ "$stage" = dom0 ]; then
	xl_dir=${VGT_XL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vgt/xl}
	if "$src/tools/libxl-vgt/build-xl.sh" "$xl_dir"; then
		vx=$xl_dir/root/usr/lib/vgt-xl
		mkdir -p "$root/usr/lib/vgt-xl"
		cp -a "$vx"/. "$root/usr/lib/vgt-xl/"
		for f in "$vx"/xl "$vx"/libxen*.so.*.*; do
			for l in $(LD_LIBRARY_PATH=$vx ldd "$f" 2>/dev/null | grep -oE '/[^ ]+' | grep -v "^$vx/"); do
				[ -e "$root$l" ] || { mkdir -p "$root$(dirname "$l")"; cp -L "$l" "$root$l"; }
			done
		done
	fi
fi
cp "$out/vgt-guest" "$out/vgt-guest.bzimage" "$root/guest/"
cp "$src"/tests/e2e/guests/*.cfg "$root/guest/"
mkdir -p "$root/guest/flask" "$root/guest/dd"
cp "$src"/tests/e2e/guests-flask/*.cfg "$root/guest/flask/"
cp "$src"/tests/e2e/guests-dd/*.cfg "$root/guest/dd/"
cp "$src/config/xl/dom0.cfg" "$root/guest/dd/dom0.cfg"
cp "$src/tests/e2e/dom0-lib.sh" "$root/dom0-lib.sh"
case $stage in
dom0) cp "$src/tests/e2e/dom0-test.sh" "$root/dom0-test.sh" ;;
*) cp "$src/tests/e2e/dom0-$stage.sh" "$root/dom0-test.sh" ;;
esac

# The driver domain's image: Debian's kernel (a PV domain) and an
# initramfs with busybox, vgtd, vgtctl and the Xen modules.
if [ "$stage" != dom0 ]; then
	ddr=$out/dd-root
	rm -rf "$ddr"
	mkdir -p "$ddr"/bin "$ddr"/proc "$ddr"/sys "$ddr"/dev "$ddr"/run "$ddr"/tmp "$ddr"/lib/modules
	add_busybox "$ddr"
	mkdir -p "$ddr/usr/sbin"
	for b in linux-vgt/vgtd/vgtd tools/libxl-vgt/vgtctl; do
		add_vgt_bin "$ddr" "$build/$b"
	done
	add_bin "$ddr" /usr/bin/xenstore /usr/bin/xenstore-read
	add_xen_modules "$ddr/lib/modules"
	cp "$src/tests/e2e/dd-init.sh" "$ddr/init"
	mkdir -p "$root/dd"
	(cd "$ddr" && find . | cpio -o -H newc --quiet) > "$root/dd/dd.cpio"
	cp "$kernel" "$root/dd/vmlinuz"
fi
cat > "$root/init" <<'INIT'
#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/usr/lib/xen-4.17/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mkdir -p /dev/pts; mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run; mkdir -p /run/xen /var/run; ln -sf /run/xen /var/run/xen
echo "DOM0: up at $(cut -d' ' -f1 /proc/uptime) s"
/dom0-test.sh 2>&1
echo "DOM0: done"
sync; poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) > "$out/dom0.cpio"
xen_extra=""
qemu_cpu=max,-smap
qemu_dev=""
dom0_vcpus=2
if [ "$stage" != dom0 ]; then
	xen_dir=${XEN_FLASK_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vgt/xen-flask}
	if ! "$src/xen/build-xen.sh" "$xen_dir"; then
		echo "$label: the FLASK hypervisor did not build"
		echo "$label: 0 passed, 1 failed"
		exit 1
	fi
	cp "$xen_dir/xen" "$out/xen.elf"
	xen_extra="flask=enforcing"
	if [ "$stage" = dd ]; then
		# Dom0 is an ordinary vGPU client here, so it runs PVH, which
		# needs an IOMMU; without -rdtscp TCG's missing invariant TSC and
		# NRIP-save make Xen's instruction-length emulation kill it.
		xen_extra="$xen_extra dom0=pvh"
		qemu_cpu=max,-smap,-rdtscp
		qemu_dev="-device amd-iommu"
		# One vCPU is plenty for what this dom0 does, and it gives the
		# emulated SVM, which a PVH dom0 runs under, less to get wrong.
		dom0_vcpus=1
	fi
else
	zcat /boot/xen-4.17-amd64.gz > "$out/xen.elf"
fi
echo "$label: images built in $(( $(date +%s) - t0 )) s ($(du -h "$out/dom0.cpio" | cut -f1) initramfs)"

# Every result the stage must produce: a missing one is a failure too.
if [ "$stage" = flask ]; then
	want="dom0/enforcing dom0/vgtd-up dom0/create-g1 dom0/guest-g1-finished dom0/screen-g1
	dom0/clean-g1 dom0/target-created dom0/probe-dd dom0/probe-plain dom0/dd-label
	dom0/vgtd-exit dom0/no-crashes g1/pixels dd/dm-op plain/dm-op dom0/plain-dd-refused
	dom0/plain-dd-no-domain dom0/plain-dd-avc"
elif [ "$stage" = dd ]; then
	want="dom0/enforcing dom0/dom0-pvh dom0/create-dd dom0/dd-ready dom0/attach-dom0
	dom0/dom0-rescan dom0/dom0-render dom0/dom0-not-vpci dom0/screen-dom0 dom0/clean-dom0 dom0/detach-dom0
	dom0/create-g1 dom0/create-g3
	dom0/create-g4 dom0/refused-g2 dom0/no-half-domain dom0/guest-g1-finished
	dom0/guest-g3-finished dom0/guest-g4-finished dom0/screen-g1 dom0/screen-g3 dom0/clean-g1
	dom0/clean-g3 dom0/hostile-failsafe dom0/detach-g1 dom0/dd-release dom0/backend-clean
	dom0/no-crashes g1/pixels
	g1/msi g3/pixels g4/hostile-batch-foreign g4/hostile-gtt-outside-slice
	g4/hostile-gtt-foreign-frame g4/hostile-batch-foreign-ready g4/hostile-gtt-outside-slice-ready
	g4/hostile-gtt-foreign-frame-ready dom0/hostile-cmd dom0/hostile-gtt_range
	dom0/hostile-gtt_frame dom0/hostile-no-other dom0/dd-killed dom0/dd-restarted dom0/reattach-dom0
	dom0/reattach-g1 dom0/reattach-g3 dom0/restart-dom0-render dom0/restart-g1 dom0/restart-g3
	dom0/restart-screen-dom0 dom0/restart-screen-g1 dom0/restart-screen-g3
	dom0/restart-took-over dom0/restart-no-crash dom0/restart-dead-dd-freed g1/restart-reset
	g1/restart-init g1/restart-pixels g3/restart-reset g3/restart-init g3/restart-pixels"
else
	want="dom0/vgtd-up dom0/create-g1 dom0/create-g2 dom0/create-g3 dom0/create-g4
	dom0/guest-g1-finished dom0/guest-g2-finished dom0/guest-g3-finished dom0/guest-g4-finished
	dom0/screen-g1 dom0/screen-g2 dom0/screen-g3 dom0/clean-g1 dom0/clean-g2 dom0/clean-g3
	dom0/hostile-failsafe dom0/hostile-cmd dom0/hostile-gtt dom0/hostile-gtt-frame
	dom0/hostile-no-other dom0/destroy-releases dom0/recreate-g2
	dom0/create-g5 dom0/qemu-xen dom0/guest-g5-finished dom0/screen-g5 dom0/clean-g5
	dom0/all-released dom0/vgtd-exit dom0/no-crashes dom0/xentrace-import dom0/xentrace-replay
	g1/probe g1/init g1/blitter-frames g1/render-stores g1/pixels g1/msi
	g2/probe g2/pixels g3/probe g3/pixels g4/probe g4/hostile-batch-foreign
	g4/hostile-gtt-outside-slice g4/hostile-gtt-foreign-frame g4/hostile-batch-foreign-ready
	g4/hostile-gtt-outside-slice-ready g4/hostile-gtt-foreign-frame-ready
	g5/probe g5/init g5/blitter-frames g5/render-stores g5/pixels g5/msi
	xl/create xl/guest-finished xl/screen-x1 xl/clean-x1 xl/list-shows-vgpu xl/save-refused
	xl/destroy-releases xl/restore-refused xl/reboot xl/reboot-released xl/reboot-destroy
	xl/refused-big xl/no-half-domain-big xl/refused-nosuch
	xl/no-half-domain-nosuch xl/refused-weight0 xl/no-half-domain-weight0 xl/refused-badtype
	xl/no-half-domain-badtype x1/probe x1/pixels"
fi

# ---- Boot ------------------------------------------------------------------------------------
log=$out/serial.log
# spec-ctrl=eager-fpu: with Xen's lazy FPU switching (its default on this
# emulated AMD CPU) dom0's processes crashed now and then while HVM/PVH
# guests ran, on pointers that had passed through SSE registers (see
# tests/e2e/README.md); switched eagerly, they do not.
xen_cmd="console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=$dom0_vcpus loglvl=all
	guest_loglvl=all noreboot spec-ctrl=eager-fpu $xen_extra ${XEN_E2E_XEN_ARGS:-}"
xen_cmd=$(echo $xen_cmd)
dom0_cmd="console=hvc0 earlyprintk=xen rdinit=/init loglevel=4"
# boot_and_count: one boot of the stage; counts its results into passed and failed.
boot_and_count() {
	set +e
	timeout "$timeout_s" qemu-system-x86_64 -accel tcg,thread="${XEN_E2E_TCG_THREAD:-multi}" \
		-machine q35 -cpu "${XEN_E2E_CPU:-$qemu_cpu}" $qemu_dev -smp 2 -m 2048 \
		-nographic -nodefaults -serial stdio -no-reboot \
		-kernel "$out/xen.elf" -append "$xen_cmd" -initrd "$kernel $dom0_cmd,$out/dom0.cpio" \
		< /dev/null > "$log" 2>&1
	qemu_rc=$?
	set -e
	echo "$label: QEMU ran $(( $(date +%s) - t0 )) s in all (exit $qemu_rc)"

	# The results.
	tr -d '\r' < "$log" | grep -aoE 'RESULT: [A-Za-z0-9_./-]+ (PASS|FAIL).*' > "$out/results.txt" || true
	cat "$out/results.txt"
	tr -d '\r' < "$log" | grep -a '^SUMMARY:' || true
	# The vgt-aware xl's results (xl/, and x1/, x2/ from its guests) count
	# apart, each once: the rebooting guest x2 says the same every boot.
	passed=$(grep -v 'RESULT: x[l12]/' "$out/results.txt" | grep -c ' PASS' || true)
	failed=$(grep -v 'RESULT: x[l12]/' "$out/results.txt" | grep -c ' FAIL' || true)
	grep -oE 'RESULT: x[l12]/[^ ]+ (PASS|FAIL)' "$out/results.txt" | sort -u > "$out/results-xl.txt" || true
	xl_passed=$(grep -c ' PASS' "$out/results-xl.txt" || true)
	xl_failed=$(grep -c ' FAIL' "$out/results-xl.txt" || true)
	for w in $want; do
		if ! grep -q "RESULT: $w " "$out/results.txt"; then
			echo "RESULT: $w FAIL missing"
			case $w in
			xl/* | x1/* | x2/*) xl_failed=$((xl_failed + 1)) ;;
			*) failed=$((failed + 1)) ;;
			esac
		fi
	done
	grep -q "DOM0: done" "$log" || { echo "$label: dom0 did not finish (timeout or crash)"; failed=$((failed + 1)); }
	if [ "$failed" -ne 0 ] || [ "$xl_failed" -ne 0 ]; then
		if grep -aq "DOM0 STALL" "$log"; then
			echo "---- dom0's report of where the stage stood ----"
			tr -d '\r' < "$log" | sed -n '/^DOM0 STALL/,$p' | head -n 120
		fi
		# What the emulated machine said of any vCPU it reset: kept in the
		# test's own log, since a repeat overwrites serial.log.
		tr -d '\r' < "$log" | grep -a -A4 'Triple fault' | head -n 20
		echo "---- end of the serial log ($log) ----"
		tail -n 80 "$log"
	fi
}

# Whether a failed run may be repeated: tests/e2e/verdict.sh.
. "$src/tests/e2e/verdict.sh"

# The driver-domain stage's dom0 runs PVH, itself a guest of the emulated
# SVM, and faults far more often (tests/e2e/README.md): three repeats.
repeats_allowed=1
[ "$stage" = dd ] && repeats_allowed=3
boot_and_count
n=0
while [ $((failed + xl_failed)) -ne 0 ] && [ $n -lt $repeats_allowed ]; do
	if why=$(vgt_failure "$log"); then
		echo "$label: not repeated: $why"
		break
	fi
	why=$(emulator_fault "$log") || break
	n=$((n + 1))
	mv "$log" "$out/serial-$n.log"
	echo "$label: the emulated machine faulted ($why; log kept as serial-$n.log);" \
		"the stage runs again, and only the last run counts"
	boot_and_count
done
echo "$label: $n repeats (at most $repeats_allowed, only after the emulated machine faulted)"
echo "$label: $passed passed, $failed failed"
[ "$stage" = dom0 ] && echo "xen-e2e-xl: $xl_passed passed, $xl_failed failed"
[ $((failed + xl_failed)) -eq 0 ]
