#!/bin/sh
# Runs libFuzzer targets for a bounded time each and reports, per target,
# the executions, executions per second (wall clock, as libFuzzer counts
# them, and per CPU second: the machine may be shared), the coverage
# (libFuzzer's "cov:", edges reached) and the findings.
#
# Usage: tools/run-fuzz.sh BUILD_DIR SECONDS_PER_TARGET [TARGET...]
#
# Each target starts from its committed seeds (tests/fuzz/corpus/TARGET/,
# copied into BUILD_DIR/corpus/TARGET/, where what it finds to keep grows)
# and its saved regressions.  An input slower than FUZZ_TIMEOUT seconds
# (default 25) counts as a finding.  FUZZ_FLAGS adds libFuzzer options (e.g.
# -entropic=0: its bookkeeping of every edge an input hits is a third of the
# time of the mmio target, whose inputs hit thousands).  A finding is left in BUILD_DIR/findings/
# with the log; keep it as a regression input by copying it, with a name
# that says what it found, to tests/fuzz/regressions/TARGET/.
set -eu
build=$1
secs=$2
shift 2
targets=${*:-"mmio gtt cfg cmd types ioreq xlcfg control trace"}
timeout=${FUZZ_TIMEOUT:-25}
# Seconds of CPU the shell's children used so far (user + system), from the "times"
# builtin; it must run in this shell (a subshell's children are its own), so into a file.
children_cpu() {
	tail -1 "$build/findings/.times" | awk '{
		t = 0
		for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] }
		print t
	}'
}
mkdir -p "$build/findings"
total_found=0
printf '%-8s %12s %8s %10s %8s %9s\n' target executions exec/s exec/cpu-s edges findings
for t in $targets; do
	corpus="$build/corpus/$t"
	mkdir -p "$corpus"
	cp -n tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
	log="$build/findings/$t.log"
	rm -f "$build/findings/$t-"*
	# CPU time of the run: the shell's children's time (the "times" builtin), before and after.
	times >"$build/findings/.times"
	before=$(children_cpu)
	"$build/tests/fuzz/fuzz-$t" -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=4096 \
		-timeout="$timeout" -artifact_prefix="$build/findings/$t-" ${FUZZ_FLAGS:-} \
		"$corpus" tests/fuzz/regressions/"$t" \
		>"$log" 2>&1 || true
	times >"$build/findings/.times"
	cpu=$(awk -v a="$before" -v b="$(children_cpu)" 'BEGIN { print b - a }')
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	# The last status line's "cov:" (edges), e.g. "#123 DONE cov: 1639 ft: ...".
	edges=$(grep -E '^#[0-9]+' "$log" | sed -n 's/.* cov: \([0-9]*\).*/\1/p' | tail -1)
	cpurate=$(awk -v n="${execs:-0}" -v c="${cpu:-0}" \
		'BEGIN { if (c > 0) printf "%d", n / c; else print "?" }')
	found=$(find "$build/findings" -maxdepth 1 -name "$t-*" -type f | wc -l)
	total_found=$((total_found + found))
	printf '%-8s %12s %8s %10s %8s %9s\n' "$t" "${execs:-?}" "${rate:-?}" "$cpurate" \
		"${edges:-?}" "$found"
	if [ "$found" -ne 0 ]; then
		grep -m1 -E 'fuzz invariant broken|ERROR: [A-Za-z]+Sanitizer|ERROR: libFuzzer|runtime error' \
			"$log" | sed 's/^/         /' || true
	fi
done
if [ "$total_found" -ne 0 ]; then
	echo "findings in $build/findings/ (inputs and the .log of each target)"
	exit 1
fi
