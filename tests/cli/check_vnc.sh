#!/bin/sh
# A real VNC client (vncsnapshot) connects to a running demo and gets the
# same frame as the PNG of that domain's screen.  Usage: check_vnc.sh VGT
set -eu
vgt=$1
port=${VGT_VNC_TEST_PORT:-47900}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# Two domains draw five frames each, then their screens stay for the client.
"$vgt" demo --frames 1 --domains 2 --seconds 6 --domain-frames 5 --vnc "$port" \
	--screenshots "$dir" >"$dir/demo.log" 2>&1 &
demo=$!
sleep 3
snap_ok=0
timeout 20 vncsnapshot -quiet -quality 100 127.0.0.1::$((port + 1)) "$dir/snap.jpg" || snap_ok=$?
wait "$demo" || { cat "$dir/demo.log"; exit 1; }
[ "$snap_ok" -eq 0 ] || { echo "vncsnapshot failed ($snap_ok)"; exit 1; }
# Debian's own python3 has PIL (python3-pil) to read the JPEG the client wrote.
/usr/bin/python3 - "$dir/snap.jpg" "$dir/dom1.png" <<'PY'
import sys
from PIL import Image
a = Image.open(sys.argv[1]).convert("RGB")
b = Image.open(sys.argv[2]).convert("RGB")
assert a.size == b.size, (a.size, b.size)
pa, pb = a.load(), b.load()
w, h = a.size
worst = max(abs(pa[x, y][c] - pb[x, y][c]) for y in range(h) for x in range(w) for c in range(3))
# The client saves JPEG (quality 100): allow its rounding, nothing more.
assert worst <= 8, f"the VNC frame differs from the PNG by up to {worst}"
print(f"VNC frame equals dom1.png (largest difference {worst}, JPEG rounding)")
PY
