#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the bare-metal test guest (tests/e2e/guest/) with the reference
# driver linked in: freestanding x86-64, no red zone (interrupts run on the
# same stack), no SSE or x87 (no FPU state to manage), loaded at 1 MiB.
#   tests/e2e/build-guest.sh OUT
# OUT is the ELF a PVH domain boots; OUT.bzimage the same code behind
# setup.S, which an HVM domain's device model boots.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
obj=$(mktemp -d)
trap 'rm -rf "$obj"' EXIT
CC=${CC_GUEST:-gcc}
cflags="-std=c11 -O2 -g -Wall -Wextra -Werror -Wvla -Wstrict-prototypes -ffreestanding -fno-pic
	-fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables -fno-builtin -mno-red-zone
	-mno-mmx -mno-sse -mno-sse2 -mno-80387 -mgeneral-regs-only
	-I$src/linux-vgt/include -I$src/linux-vgt/refdrv"
for f in tests/e2e/guest/guest.c linux-vgt/refdrv/refdrv.c linux-vgt/refdrv/refdrv_workloads.c; do
	# shellcheck disable=SC2086
	$CC $cflags -c "$src/$f" -o "$obj/$(basename "$f" .c).o"
done
$CC -c "$src/tests/e2e/guest/head.S" -o "$obj/head.o"
# shellcheck disable=SC2086
$CC -nostdlib -static -no-pie -Wl,-T,"$src/tests/e2e/guest/guest.ld" -Wl,--build-id=none \
	-Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -o "$out" "$obj"/*.o

# The bzImage: setup.S's two sectors, then the loadable bytes from 1 MiB on.
mkdir "$obj/setup"
$CC -c "$src/tests/e2e/guest/setup.S" -o "$obj/setup/setup.o"
$CC -nostdlib -static -no-pie -Wl,--oformat=binary -Wl,-Ttext=0 -Wl,-e,0 -Wl,--build-id=none \
	-o "$obj/setup/setup.bin" "$obj/setup/setup.o"
[ "$(wc -c < "$obj/setup/setup.bin")" = 1024 ] || { echo "setup.S: not 2 sectors" >&2; exit 1; }
objcopy -O binary -R .note.Xen "$out" "$obj/payload.bin"
cat "$obj/setup/setup.bin" "$obj/payload.bin" > "$out.bzimage"
