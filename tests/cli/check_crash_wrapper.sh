#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/e2e/crash-wrapper.sh under busybox's sh, as in the stage's images
# (the system's sh where busybox is not installed):
# exit statuses pass through, TERM reaches the program, and a crash (and
# only a crash) is reported (TAP).
wrapper=$(cd "$(dirname "$0")/../e2e" && pwd)/crash-wrapper.sh
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/bin"
cat > "$dir/bin/prog" <<'PROG'
#!/bin/sh
case $1 in
status) exit "$2" ;;
segv) kill -SEGV $$ ;;
abrt) kill -ABRT $$ ;;
term) trap 'echo got-term > "$2"; exit 0' TERM; while :; do sleep 0.05; done ;;
esac
PROG
chmod +x "$dir/bin/prog"
cp "$wrapper" "$dir/prog"
export VGT_WRAPPED_BIN="$dir/bin" VGT_CRASH_REPORT="$dir/report"
n=0 bad=0
shell="sh"
command -v busybox > /dev/null && shell="busybox sh"
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; bad=$((bad + 1)); fi; }
echo "1..6"
$shell "$dir/prog" status 0; rc=$?
ok $([ $rc = 0 ] && [ ! -e "$dir/report" ]; echo $?) "exit 0 passes through, nothing reported"
$shell "$dir/prog" status 3; rc=$?
ok $([ $rc = 3 ] && [ ! -e "$dir/report" ]; echo $?) "exit 3 passes through, nothing reported (got $rc)"
$shell "$dir/prog" segv 2>/dev/null; rc=$?
ok $([ $rc = 139 ] && grep -q 'VGT CRASH: prog died of signal 11' "$dir/report"; echo $?) "SIGSEGV reported (exit $rc)"
rm -f "$dir/report"
$shell "$dir/prog" abrt 2>/dev/null; rc=$?
ok $([ $rc = 134 ] && grep -q 'VGT CRASH: prog died of signal 6' "$dir/report"; echo $?) "SIGABRT reported (exit $rc)"
rm -f "$dir/report"
$shell "$dir/prog" term "$dir/term" & pid=$!
sleep 0.5
kill $pid; wait $pid; rc=$?
ok $([ $rc = 0 ] && grep -q got-term "$dir/term"; echo $?) "TERM reaches the program, its exit 0 passes through (got $rc)"
ok $([ ! -e "$dir/report" ]; echo $?) "a TERM is no crash"
[ $bad = 0 ]
