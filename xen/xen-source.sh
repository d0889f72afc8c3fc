# SPDX-License-Identifier: MIT
# Sourced by xen/build-xen.sh and tools/libxl-vgt/build-xl.sh: fetches
# Debian 12's Xen 4.17 source package through a private apt sources list
# (deb-src of Debian's mirrors), so the host's apt configuration is
# untouched; apt checks the downloads against the mirrors' signed indexes.
#
#   xen_source_fetch WORK    sets $xen_version; WORK/xen_<version>.dsc exists
#   xen_source_unpack WORK DIR   a fresh unpacked tree in DIR
#   xen_source_patches PATCHDIR  prints the patches PATCHDIR/series lists, in
#                                order (for a build's stamp)
#   xen_source_apply PATCHDIR    applies them to the tree in the current directory
#
# The installed hypervisor's own version is tried first (its toolstack
# matches it exactly), then the mirrors' newest: a security update's source
# can be missing from the pool while its index still names it.  Callers
# define say().

xen_source_fetch() {
	_w=$1
	mkdir -p "$_w/apt/lists/partial" "$_w/apt/cache/archives/partial"
	cat > "$_w/apt/sources.list" <<EOS
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian-security bookworm-security main
EOS
	_opts="-o Dir::Etc::SourceList=$_w/apt/sources.list -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists=$_w/apt/lists -o Dir::Cache=$_w/apt/cache -o APT::Sandbox::User=root"
	# shellcheck disable=SC2086
	apt-get -q $_opts update > "$_w/apt-update.log" 2>&1 ||
		{ say "apt-get update failed:"; tail -n 5 "$_w/apt-update.log"; return 1; }
	_installed=$(dpkg-query -W -f '${Version}' xen-hypervisor-4.17-amd64 2>/dev/null || true)
	# shellcheck disable=SC2086
	_listed=$(apt-cache $_opts showsrc xen 2>/dev/null | sed -n 's/^Version: //p' | sort -rV)
	xen_version=""
	_tried=" "
	for _v in $_installed $_listed; do
		case $_tried in *" $_v "*) continue ;; esac
		_tried="$_tried$_v "
		[ -e "$_w/xen_${_v#*:}.dsc" ] && { xen_version=$_v; break; }
		# shellcheck disable=SC2086
		if (cd "$_w" && apt-get -q $_opts source --download-only "xen=$_v") \
			> "$_w/apt-source.log" 2>&1; then
			xen_version=$_v
			break
		fi
		say "source of xen $_v is not on the mirror"
	done
	[ -n "$xen_version" ] || { say "no source of xen 4.17 could be fetched"; return 1; }
}

xen_source_unpack() {
	rm -rf "$2"
	dpkg-source -q -x "$1/xen_${xen_version#*:}.dsc" "$2" > "$1/unpack.log" 2>&1 ||
		{ say "dpkg-source failed:"; tail -n 5 "$1/unpack.log"; return 1; }
}

# The patch files PATCHDIR/series names, one per line ('#' lines are comments).
_xen_series() {
	[ -f "$1/series" ] || return 0
	grep -v '^#' "$1/series"
}

xen_source_patches() {
	for _p in $(_xen_series "$1"); do cat "$1/$_p"; done
}

xen_source_apply() {
	for _p in $(_xen_series "$1"); do
		patch -p1 --no-backup-if-mismatch -s < "$1/$_p" ||
			{ say "patch $_p does not apply to xen $xen_version"; return 1; }
		say "applied $_p"
	done
}
