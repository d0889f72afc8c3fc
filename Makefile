# vgt: thin wrapper around meson.  `make` builds, `make demo` runs the main
# job, `make check` runs the whole test suite (plain, ASan+UBSan and TSan
# builds, then the end-to-end stage on real Xen).
BUILD     ?= build
SANBUILD  ?= build-san
TSANBUILD ?= build-tsan
FUZZBUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
# The suites that run several threads at once, repeated under ThreadSanitizer.
TSAN_TESTS = refdrv gensim-cs cli-demo-threaded cli-demo-domains cli-soak-json cli-vgtd xen-ioreq \
	xs-protocol
DEMO_PNG  ?= vgt-demo.png
DEMO_SCREENS ?= vgt-demo-screens
MESON_OPTS ?=

.PHONY: all deps demo check check-fast check-xen bench fuzz clean regression-traces

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

$(SANBUILD)/build.ninja:
	CC=clang meson setup $(SANBUILD) -Dbuildtype=debug -Db_sanitize=address,undefined \
		-Db_lundef=false -Dc_args=-fno-sanitize-recover=all $(MESON_OPTS)

$(TSANBUILD)/build.ninja:
	CC=clang meson setup $(TSANBUILD) -Dbuildtype=debug -Db_sanitize=thread -Db_lundef=false \
		$(MESON_OPTS)

$(FUZZBUILD)/build.ninja:
	CC=clang meson setup $(FUZZBUILD) -Dfuzzing=true -Dbuildtype=debugoptimized -Db_sanitize=address,undefined \
		-Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link $(MESON_OPTS)

deps:
	tools/install-deps.sh $(DEPS_E2E)
	tools/fetch-xenalyze.sh build-deps

# Every libFuzzer target for FUZZ_SECONDS (default 60) each.
fuzz: deps
	$(MAKE) $(FUZZBUILD)/build.ninja
	ninja -C $(FUZZBUILD)
	tools/run-fuzz.sh $(FUZZBUILD) $(FUZZ_SECONDS)

demo: deps
	$(MAKE) all
	mkdir -p $(DEMO_SCREENS)
	$(BUILD)/linux-vgt/vgt demo --png $(DEMO_PNG) --screenshots $(DEMO_SCREENS)

bench: deps
	$(MAKE) all
	$(BUILD)/linux-vgt/vgt bench gensim

# The plain and ASan+UBSan builds run every suite, the TSan build the
# threaded ones, and the plain build the end-to-end stage on real Xen under
# QEMU (tests/e2e/); the summary prints a line per build, then counts each
# distinct check once (passed only if it passed in every build that ran it).
# `make check-fast` leaves the end-to-end stage out, for quick local loops;
# `make check-xen` runs only that stage.
DEPS_E2E ?=
check: DEPS_E2E = e2e
check-xen: DEPS_E2E = e2e

check-fast check: deps
	$(MAKE) all
	$(MAKE) $(SANBUILD)/build.ninja $(TSANBUILD)/build.ninja
	ninja -C $(SANBUILD)
	ninja -C $(TSANBUILD)
	-meson test -C $(BUILD) --print-errorlogs --num-processes 2 --no-suite e2e
	-ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		meson test -C $(SANBUILD) --print-errorlogs --num-processes 2 --timeout-multiplier 4 \
		--no-suite e2e
	-TSAN_OPTIONS=halt_on_error=1 meson test -C $(TSANBUILD) --print-errorlogs \
		--num-processes 2 --timeout-multiplier 4 $(TSAN_TESTS)
	$(if $(filter check,$@),-meson test -C $(BUILD) --print-errorlogs --suite e2e --logbase testlog-e2e)
	tests/summarize.py plain=$(BUILD)/meson-logs/testlog.json \
		asan+ubsan=$(SANBUILD)/meson-logs/testlog.json tsan=$(TSANBUILD)/meson-logs/testlog.json \
		$(if $(filter check,$@),xen=$(BUILD)/meson-logs/testlog-e2e.json)

check-xen: deps
	$(MAKE) all
	meson test -C $(BUILD) --print-errorlogs --suite e2e --logbase testlog-e2e

# Re-records the committed traces in tests/regression/ (only when a change of
# behaviour is intended; `make check` replays them and shows what differs).
REGRESSION_SCENARIOS = demo reset hostile-gtt hostile-batch hostile-lri hostile-tail
regression-traces: all
	for s in $(REGRESSION_SCENARIOS); do \
		$(BUILD)/linux-vgt/vgt trace record $$s tests/regression/$$s.trace --frames 2 || exit 1; \
	done

clean:
	rm -rf $(BUILD) $(SANBUILD) $(TSANBUILD) $(FUZZBUILD) $(DEMO_PNG) $(DEMO_SCREENS)
