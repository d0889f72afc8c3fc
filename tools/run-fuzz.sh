#!/bin/sh
# Runs every libFuzzer target for a bounded time and reports executions and
# findings.  Usage: tools/run-fuzz.sh BUILD_DIR SECONDS_PER_TARGET
# A finding is left in BUILD_DIR/findings/; keep it as a regression input by
# copying it, with a name that says what it found, to tests/fuzz/regressions/TARGET/.
set -eu
build=$1
secs=$2
targets="mmio gtt cfg cmd types ioreq xlcfg control trace"
mkdir -p "$build/findings"
total_found=0
printf '%-8s %14s %10s %9s\n' target executions exec/s findings
for t in $targets; do
	corpus="$build/corpus/$t"
	mkdir -p "$corpus"
	cp -n tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
	log="$build/findings/$t.log"
	"$build/tests/fuzz/fuzz-$t" -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=4096 \
		-artifact_prefix="$build/findings/$t-" "$corpus" tests/fuzz/regressions/"$t" >"$log" 2>&1 || true
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	found=$(find "$build/findings" -maxdepth 1 -name "$t-*" -type f | wc -l)
	total_found=$((total_found + found))
	printf '%-8s %14s %10s %9s\n' "$t" "${execs:-?}" "${rate:-?}" "$found"
done
if [ "$total_found" -ne 0 ]; then
	echo "findings in $build/findings/ (see the .log files)"
	exit 1
fi
