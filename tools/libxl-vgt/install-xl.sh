#!/bin/sh
# SPDX-License-Identifier: MIT
# Puts the vgt-aware xl that tools/libxl-vgt/build-xl.sh built in place, or
# goes back to Debian's.
#
#   tools/libxl-vgt/install-xl.sh OUT_DIR            `xl` becomes the vgt-aware xl
#   tools/libxl-vgt/install-xl.sh OUT_DIR --beside   only /usr/lib/vgt-xl/xl
#   tools/libxl-vgt/install-xl.sh --stock            Debian's xl again
#
# The build lives in /usr/lib/vgt-xl (xl and the libraries it loads through
# its run path); no packaged file is overwritten.  Without --beside,
# Debian's /usr/lib/xen-4.17/bin/xl, which /usr/sbin/xl runs, is diverted
# with dpkg-divert to xl.stock and replaced by a link, so package upgrades
# keep their hands off it and --stock puts it back.  Run as root.
set -eu
prefix=/usr/lib/vgt-xl
stock=/usr/lib/xen-4.17/bin/xl
say() { echo "install-xl: $*"; }
die() { say "$*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: install-xl.sh OUT_DIR [--beside] | --stock"
[ "$(id -u)" = 0 ] || die "must run as root"

diverted() { dpkg-divert --list "$stock" | grep -q .; }

if [ "$1" = --stock ]; then
	if diverted; then
		rm -f "$stock"
		dpkg-divert --quiet --rename --remove "$stock"
		say "$stock is Debian's xl again"
	fi
	rm -rf "$prefix"
	say "removed $prefix"
	exit 0
fi

out=$1
[ -x "$out/root$prefix/xl" ] || die "no build in $out (run tools/libxl-vgt/build-xl.sh $out first)"
built=$(cat "$out/VERSION" 2>/dev/null || echo unknown)
installed=$(dpkg-query -W -f '${Version}' xen-utils-4.17 2>/dev/null || echo none)
[ "$built" = "$installed" ] ||
	say "note: built from xen $built; the installed tools are $installed (same 4.17 interfaces)"

# A new tree first, then swapped in: a running xl keeps its files.
rm -rf "$prefix.new"
cp -a "$out/root$prefix" "$prefix.new"
rm -rf "$prefix"
mv "$prefix.new" "$prefix"
say "installed $prefix/xl"
if [ "${2:-}" = --beside ]; then
	exit 0
fi
[ -e "$stock" ] || diverted || die "$stock is missing: is xen-utils-4.17 installed?"
diverted || dpkg-divert --quiet --rename --add --divert "$stock.stock" "$stock"
ln -sf "$prefix/xl" "$stock"
say "xl is now the vgt-aware xl (Debian's is $stock.stock; --stock puts it back)"
