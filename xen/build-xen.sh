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
# through a private apt sources list (deb-src of Debian's mirrors), so the
# host's apt configuration is untouched; downloads are checked by apt
# against the mirrors' signed indexes.  A build is reused while the source
# version, the patches, the policy module and this script are unchanged.
# Needs the packages of `tools/install-deps.sh xen`.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$out/work
say() { echo "build-xen: $*"; }

# ---- The source package ------------------------------------------------------------------
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial"
cat > "$work/apt/sources.list" <<EOF
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian-security bookworm-security main
EOF
apt_opts="-o Dir::Etc::SourceList=$work/apt/sources.list -o Dir::Etc::SourceParts=/dev/null
	-o Dir::State::Lists=$work/apt/lists -o Dir::Cache=$work/apt/cache -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get -q $apt_opts update > "$work/apt-update.log" 2>&1 ||
	{ say "apt-get update failed:"; tail -n 5 "$work/apt-update.log"; exit 1; }
# The installed hypervisor's own version first (its toolstack matches it
# exactly), then the mirrors' newest: a security update's source can be
# missing from the pool while its index still names it.
installed=$(dpkg-query -W -f '${Version}' xen-hypervisor-4.17-amd64 2>/dev/null || true)
# shellcheck disable=SC2086
listed=$(apt-cache $apt_opts showsrc xen 2>/dev/null | sed -n 's/^Version: //p' | sort -rV)
version=""
tried=" "
cd "$work"
for v in $installed $listed; do
	case $tried in *" $v "*) continue ;; esac
	tried="$tried$v "
	[ -e "$work/xen_${v#*:}.dsc" ] && { version=$v; break; }
	# shellcheck disable=SC2086
	if apt-get -q $apt_opts source --download-only "xen=$v" > "$work/apt-source.log" 2>&1; then
		version=$v
		break
	fi
	say "source of xen $v is not on the mirror"
done
[ -n "$version" ] || { say "no source of xen 4.17 could be fetched"; exit 1; }

# ---- Is the last build still good? -------------------------------------------------------
stamp=$( (echo "$version"; cat "$src/xen/build-xen.sh" "$src/xen/flask/vgt.te";
	  [ -f "$src/xen/patches/series" ] && for p in $(grep -v '^#' "$src/xen/patches/series"); do
		cat "$src/xen/patches/$p"; done) | sha256sum | cut -d' ' -f1)
if [ -f "$out/xen" ] && [ "$(cat "$out/STAMP" 2>/dev/null)" = "$stamp" ]; then
	say "xen $version with vgt's patches and policy: up to date ($out/xen)"
	exit 0
fi

# ---- Unpack, patch, configure, build --------------------------------------------------------
t0=$(date +%s)
rm -rf "$work/src"
dpkg-source -q -x "$work/xen_${version#*:}.dsc" "$work/src" > "$work/unpack.log" 2>&1 ||
	{ say "dpkg-source failed:"; tail -n 5 "$work/unpack.log"; exit 1; }
cd "$work/src"
if [ -f "$src/xen/patches/series" ]; then
	for p in $(grep -v '^#' "$src/xen/patches/series"); do
		patch -p1 --no-backup-if-mismatch -s < "$src/xen/patches/$p" ||
			{ say "patch $p does not apply to xen $version"; exit 1; }
		say "applied $p"
	done
fi
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
