#!/bin/sh
# SPDX-License-Identifier: MIT
# Fetches xenalyze, Xen's trace analyzer, from Debian's xen-utils-common
# package without installing it (the binary links only libc), so that the
# tests can check that Xen's own tools read vgt's traces.
#
#   tools/fetch-xenalyze.sh [CACHE_DIR]      (default: build-deps)
#
# Leaves CACHE_DIR/xenalyze and prints its absolute path; does nothing but
# print it when it is already there.  Works as root or not: when apt's
# package lists are missing or stale (a fresh machine, a container), it
# reads the system's sources into a private folder instead of touching the
# system's.  Exits non-zero with the reason when it cannot (no apt, no
# network).
set -eu

cache=${1:-build-deps}
pkg=xen-utils-common

say() { echo "fetch-xenalyze: $*" >&2; }

mkdir -p "$cache" || { say "cannot create $cache"; exit 1; }
cache=$(cd "$cache" && pwd)
out="$cache/xenalyze"
if [ -x "$out" ]; then
	echo "$out"
	exit 0
fi

for tool in apt-get dpkg-deb tar; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		say "$tool not found: this needs a Debian-based system (apt and dpkg)"
		exit 1
	fi
done

tmp=$(mktemp -d "$cache/.fetch-xenalyze.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# As root, apt downloads as its _apt user, which may not reach this folder.
aptopts=""
if [ "$(id -u)" -eq 0 ]; then
	aptopts="-o APT::Sandbox::User=root"
fi

download() {
	# shellcheck disable=SC2086  # $aptopts and "$@" are lists of options
	(cd "$tmp/deb" && apt-get -q $aptopts "$@" download "$pkg") >>"$tmp/log" 2>&1
}

mkdir -p "$tmp/deb"
if ! download; then
	# No lists (or stale ones): read the system's sources into a private state.
	mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
	set -- -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache"
	# shellcheck disable=SC2086
	if ! apt-get -q $aptopts "$@" update >>"$tmp/log" 2>&1 || ! download "$@"; then
		say "cannot download $pkg with apt-get (no network, or no Debian sources?); apt said:"
		grep -E '^(E|W|Err):' "$tmp/log" | tail -n 8 >&2 || tail -n 8 "$tmp/log" >&2
		exit 1
	fi
fi

deb=$(find "$tmp/deb" -name "${pkg}_*.deb" | head -n 1)
if [ -z "$deb" ]; then
	say "apt-get reported success but left no ${pkg}_*.deb"
	exit 1
fi
mkdir -p "$tmp/root"
if ! dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/root" ./usr/bin/xenalyze 2>>"$tmp/log" ||
	[ ! -f "$tmp/root/usr/bin/xenalyze" ]; then
	say "$(basename "$deb") has no usr/bin/xenalyze"
	exit 1
fi
chmod 755 "$tmp/root/usr/bin/xenalyze"
mv "$tmp/root/usr/bin/xenalyze" "$out"
echo "$out"
