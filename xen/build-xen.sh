#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the hypervisor of vgt's driver-domain deployment: Debian 12's Xen
# 4.17 from its source package, with FLASK and vgt's policy module built in
# (xen/flask/vgt.te) and vgt's patch series applied (xen/patches/series).
#
#   xen/build-xen.sh OUT_DIR
#
# Writes OUT_DIR/xen (the ELF QEMU or a boot loader loads), OUT_DIR/xen.gz,
# OUT_DIR/xenpolicy (the same policy, to load with flask-loadpolicy or as a
# boot module), OUT_DIR/xen.config and OUT_DIR/VERSION.  The source comes
# through a private apt sources list, leaving the host's apt configuration
# untouched (xen/xen-source.sh).  A build is reused while the source
# version, the patches, the policy module and these scripts are unchanged.
# Needs the packages of `tools/install-deps.sh e2e`.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$out/work
say() { echo "build-xen: $*"; }

# ---- The source package ------------------------------------------------------------------
. "$src/xen/xen-source.sh"
xen_source_fetch "$work"
version=$xen_version

# ---- Is the last build still good? -------------------------------------------------------
stamp=$( (echo "$version"; cat "$src/xen/build-xen.sh" "$src/xen/xen-source.sh" "$src/xen/flask/vgt.te"
	  xen_source_patches "$src/xen/patches") | sha256sum | cut -d' ' -f1)
if [ -f "$out/xen" ] && [ "$(cat "$out/STAMP" 2>/dev/null)" = "$stamp" ]; then
	say "xen $version with vgt's patches and policy: up to date ($out/xen)"
	exit 0
fi

# ---- Unpack, patch, configure, build --------------------------------------------------------
t0=$(date +%s)
xen_source_unpack "$work" "$work/src"
cd "$work/src"
xen_source_apply "$src/xen/patches"
cp "$src/xen/flask/vgt.te" tools/flask/policy/modules/vgt.te
echo "vgt = on" >> tools/flask/policy/modules/modules.conf
# Debian's own configuration, plus FLASK with its policy built in.
cp /boot/xen-4.17-amd64.config xen/.config
cat >> xen/.config <<EOF
CONFIG_XSM=y
CONFIG_XSM_FLASK=y
CONFIG_XSM_FLASK_DEFAULT=y
CONFIG_XSM_FLASK_POLICY=y
EOF
make -C xen olddefconfig > "$work/build.log" 2>&1
jobs=$(nproc 2>/dev/null || echo 2)
if ! make -C xen -j"$jobs" >> "$work/build.log" 2>&1; then
	say "the build failed:"
	tail -n 20 "$work/build.log"
	exit 1
fi
for opt in CONFIG_XSM_FLASK CONFIG_XSM_FLASK_POLICY; do
	grep -q "^$opt=y" xen/.config || { say "$opt did not stay on"; exit 1; }
done
cp xen/xen "$out/xen"
gzip -9 -c xen/xen > "$out/xen.gz"
cp xen/xsm/flask/policy.bin "$out/xenpolicy"
cp xen/.config "$out/xen.config"
echo "$version" > "$out/VERSION"
echo "$stamp" > "$out/STAMP"
say "xen $version with FLASK and vgt's policy built in $(( $(date +%s) - t0 )) s: $out/xen"
