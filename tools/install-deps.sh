#!/bin/sh
# Installs the Debian 12 packages vgt needs that are missing (non-interactive).
#   tools/install-deps.sh          build, tests, demo
#   tools/install-deps.sh e2e      also what the real-Xen end-to-end test needs
set -eu

pkgs="gcc libc6-dev make meson ninja-build pkg-config python3 libcmocka-dev libpng-dev
      libvncserver-dev clang libclang-rt-14-dev valgrind vncsnapshot python3-pil libxen-dev"
if [ "${1:-}" = e2e ]; then
	pkgs="$pkgs qemu-system-x86 xen-hypervisor-4.17-amd64 xen-utils-4.17 busybox-static
	      linux-image-amd64 cpio qemu-system-xen seabios
	      dpkg-dev checkpolicy m4 bison flex
	      autoconf autotools-dev acpica-tools python3-dev uuid-dev libncurses-dev libyajl-dev
	      zlib1g-dev liblzma-dev libzstd-dev"
fi

missing=""
for p in $pkgs; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
sudo=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root or sudo for:$missing" >&2; exit 1; }
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
