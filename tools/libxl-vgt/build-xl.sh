#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds xl and libxl from Debian 12's Xen 4.17 source package with vgt's
# patch series (tools/libxl-vgt/patches/series), so that `xl create`
# itself reads the vgt= keys and asks vgtd for the vGPU.
#
#   tools/libxl-vgt/build-xl.sh OUT_DIR
#
# Only what xl needs is built: the tools' headers, libraries and xl.  The
# result is a private tree, OUT_DIR/root/usr/lib/vgt-xl: xl and the
# libraries it loads (found through their run path, so the packaged
# libraries and every other Xen tool are left alone).  Every other path
# (scripts, state, the device model) is Debian's.
# tools/libxl-vgt/install-xl.sh puts it in place.  A build is reused while
# the source version, the patches and these scripts are unchanged.
# Needs the packages of `tools/install-deps.sh e2e`.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$out/work
prefix=/usr/lib/vgt-xl
say() { echo "build-xl: $*"; }

. "$src/xen/xen-source.sh"
xen_source_fetch "$work"
version=$xen_version

patches=$src/tools/libxl-vgt/patches
stamp=$( (echo "$version"; cat "$src/tools/libxl-vgt/build-xl.sh" "$src/xen/xen-source.sh"
	  xen_source_patches "$patches") | sha256sum | cut -d' ' -f1)
if [ -x "$out/root$prefix/xl" ] && [ "$(cat "$out/STAMP" 2>/dev/null)" = "$stamp" ]; then
	say "xl $version with vgt's patches: up to date ($out/root$prefix/xl)"
	exit 0
fi

t0=$(date +%s)
rm -f "$out/STAMP"
xen_source_unpack "$work" "$work/src"
cd "$work/src"
xen_source_apply "$patches"

# Debian's source carries no generated configure scripts; its own build
# regenerates them the same way.
log=$work/build.log
{ ./autogen.sh && cp /usr/share/misc/config.sub /usr/share/misc/config.guess .; } > "$log" 2>&1 ||
	{ say "autogen failed:"; tail -n 10 "$log"; exit 1; }
# Debian's paths (debian/rules), but the libraries in a private directory
# that xl's run path names; what xl does not need is left out.
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
xv=$(echo "$version" | sed 's/^[0-9]*://; s/^\([0-9]*\.[0-9]*\).*/\1/')
if ! ./configure --prefix=/usr --libdir=$prefix --enable-rpath --includedir=$prefix/include \
	--with-libexec-libdir-suffix=/"$multiarch" --with-libexec-leaf-dir=xen-"$xv" \
	--sysconfdir=/etc --localstatedir=/var --disable-stubdom --disable-docs \
	--disable-qemu-traditional --disable-rombios --disable-seabios --disable-ipxe \
	--disable-ovmf --disable-ocamltools --disable-golang --disable-xsmpolicy --disable-pvshim \
	--disable-monitors --with-system-qemu=/usr/libexec/xen-qemu-system-i386 \
	--with-system-seabios=/usr/share/seabios/bios-256k.bin >> "$log" 2>&1; then
	say "configure failed:"
	tail -n 10 "$log"
	exit 1
fi
jobs=$(nproc 2>/dev/null || echo 2)
# shellcheck disable=SC2086
if ! { make -C tools/include && make -j"$jobs" -C tools subdir-all-libs &&
       make -j"$jobs" -C tools subdir-all-xl; } >> "$log" 2>&1; then
	say "the build failed:"
	grep -E 'error:|Error [0-9]' "$log" | head -n 20
	exit 1
fi

# The private tree: xl and the shared libraries it loads.
rm -rf "$out/root"
mkdir -p "$out/root$prefix"
cp tools/xl/xl "$out/root$prefix/xl"
for lib in tools/libs/*/lib*.so.*.*; do
	cp "$lib" "$out/root$prefix/"
done
# The soname links, as ldconfig would make them.
(cd "$out/root$prefix" && for f in lib*.so.*.*; do
	so=$(objdump -p "$f" | sed -n 's/^ *SONAME *//p')
	[ -n "$so" ] && [ ! -e "$so" ] && ln -s "$f" "$so"
done; true)
# Every library xl needs from the build must be in the tree.
for so in $(objdump -p "$out/root$prefix/xl" "$out/root$prefix"/lib*.so.*.* |
	    sed -n 's/^ *NEEDED *\(libx[el].*\)/\1/p' | sort -u); do
	[ -e "$out/root$prefix/$so" ] || { say "$so is missing from the build"; exit 1; }
done
objdump -p "$out/root$prefix/xl" | grep -q "RUNPATH *$prefix\$" ||
	{ say "xl has no run path to $prefix"; exit 1; }
echo "$version" > "$out/VERSION"
echo "$stamp" > "$out/STAMP"
say "xl $version with vgt's patches built in $(( $(date +%s) - t0 )) s: $out/root$prefix/xl"
