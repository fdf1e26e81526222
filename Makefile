# tally - build, test, install.  GNU make.
#
#   make            build/libtally.a and bin/tally-*
#   make check      unit tests + bats tests; ends with "N passed, N failed"
#   make asan       the same tests on an AddressSanitizer+UBSan build
#   make valgrind   the unit tests, then every bats test's commands, under valgrind
#   make coverage   line coverage per lib area (lcov); COV=unit: unit tests only
#   make fuzz       libFuzzer harnesses (tests/fuzz), FUZZ_S=N seconds each (clang)
#   make fault      injected system-call failures, kill -9 and concurrent runs (tests/fault)
#   make slurm      the Slurm recipe on a one-node Slurm started on localhost (tests/slurm)
#   make demo       the whole pipeline on scripts/demo/
#   make bench      benchmarks against peer tools (scripts/bench)
#   make install PREFIX=/usr/local DESTDIR=    /   make uninstall
#
# O=DIR builds out of tree (objects in DIR/build, binaries in DIR/bin), so
# several builds of one checkout never step on each other.

O       ?= .
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
# lib/ by concern: core (streams, money, dates, output), cli (command
# support: all that prints or exits), and one folder per command's engine.
LIB_DIRS := core cli ingest split report forecast attribute
CPPFLAGS += -D_GNU_SOURCE $(LIB_DIRS:%=-Ilib/%)
LDLIBS  += -lcsv -ljansson -lm -pthread

BUILD   := $(O)/build
BINDIR  := $(O)/bin
LIBA    := $(BUILD)/libtally.a

LIB_SRC  := $(sort $(wildcard $(LIB_DIRS:%=lib/%/*.c)))
CMD_SRC  := $(sort $(wildcard cmd/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
BENCH_SRC:= $(sort $(wildcard scripts/bench-src/*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_LIB := tests/fuzz/common.c tests/fuzz/ingest_run.c

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_BIN  := $(CMD_SRC:cmd/%.c=$(BINDIR)/%)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN:= $(BENCH_SRC:scripts/bench-src/%.c=$(BUILD)/bench/%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_OBJ := $(FUZZ_LIB:%.c=$(BUILD)/%.o)
MANPAGES := $(sort $(wildcard man/*.[1-9]))

DEPS_STAMP := $(O)/build/.deps-ok

.PHONY: all check unit bats asan valgrind demo bench install uninstall clean deps lint format \
	fuzz fuzz-run fault slurm coverage
.SUFFIXES:
.SECONDARY:

all: $(DEPS_STAMP) $(LIBA) $(CMD_BIN)

# Install missing Debian packages once per build tree (scripts/deps does
# nothing when everything is there).
$(DEPS_STAMP): scripts/deps
	@scripts/deps
	@mkdir -p $(@D) && touch $@

deps:
	@scripts/deps

$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(BINDIR)/%: $(BUILD)/cmd/%.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/scripts/bench-src/%.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

check: all $(UNIT_BIN)
	@scripts/check --bin $(BINDIR) --unit $(BUILD)/tests

unit: all $(UNIT_BIN)
	@scripts/check --bin $(BINDIR) --unit $(BUILD)/tests --no-bats

bats: all
	@scripts/check --bin $(BINDIR) --no-unit

ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan:
	@$(MAKE) --no-print-directory O=$(O)/asan-build CFLAGS="$(ASAN_FLAGS)" LDFLAGS="$(ASAN_FLAGS)" check

# Line coverage (gcov through lcov) of lib/ per area, from a build in
# $(O)/cov-build: the whole check and the fault injection (make fault: the
# failure paths of every write, rename, lock...; its malloc points need a
# build without gcov) by default, the unit tests alone with COV=unit.  scripts/coverage prints the table; HTML in cov-build/coverage/.
COV      ?= check
COV_FLAGS := -O0 -g --coverage
coverage:
	@scripts/deps --coverage
	@rm -rf $(O)/cov-build/coverage
	@find $(O)/cov-build -name '*.gcda' -delete 2>/dev/null || true
	@$(MAKE) --no-print-directory O=$(O)/cov-build CFLAGS="$(COV_FLAGS)" LDFLAGS="--coverage" \
		$(if $(filter unit,$(COV)),unit,check) || true
	@$(if $(filter unit,$(COV)),true,TALLY_FAULT_NO_MALLOC=1 $(MAKE) --no-print-directory O=$(O)/cov-build \
		CFLAGS="$(COV_FLAGS)" LDFLAGS="--coverage" fault) || true
	@scripts/coverage $(O)/cov-build

# The unit tests under valgrind (memcheck): any error or leak fails; then
# the bats tests with every command they run by name under memcheck
# (TALLY_WRAP, tests/helpers.bash; exit 99 on an error).  ~5 minutes on
# 2 cores, so not part of .ci/run.
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
valgrind: all $(UNIT_BIN)
	@for t in $(UNIT_BIN); do \
		$(VALGRIND:99=1) $$t >/dev/null || { echo "valgrind: $$t failed"; exit 1; }; \
		echo "valgrind: $${t##*/} clean"; done
	@TALLY_WRAP="$(VALGRIND)" scripts/check --bin $(BINDIR) --no-unit

# libFuzzer harnesses, built by clang with ASan+UBSan in $(O)/fuzz-build
# and run FUZZ_S seconds each (scripts/fuzz; FUZZ="tsv csv" to choose).
# The normal build's bin/ makes the state and ledger seeds.
FUZZ_S     ?= 60
FUZZ       ?=
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
fuzz: all
	@scripts/deps --fuzz
	@$(MAKE) --no-print-directory O=$(O)/fuzz-build CC=clang CFLAGS="$(FUZZ_FLAGS)" \
		TALLY_BIN=$(abspath $(BINDIR)) fuzz-run

fuzz-run: $(FUZZ_BIN)
	@TALLY_BIN=$(TALLY_BIN) scripts/fuzz $(BUILD)/fuzz $(FUZZ_S) $(FUZZ)

$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(FUZZ_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(FUZZ_OBJ) $(LIBA) $(LDLIBS)

# tests/fault: shim.so fails the Nth write/fsync/rename/close/open/read/
# flock/malloc (LD_PRELOAD); fault.bats runs the rewriting commands under
# it at every point, kill -9s them and runs two at once.
FAULT_SHIM := $(BUILD)/fault/shim.so
$(FAULT_SHIM): tests/fault/shim.c
	@mkdir -p $(@D)
	$(CC) -shared -fPIC -O1 -g -Wall -Wextra -o $@ $< -ldl

fault: all $(FAULT_SHIM)
	@TALLY_FAULT_SHIM=$(abspath $(FAULT_SHIM)) scripts/check --bin $(BINDIR) --no-unit \
		tests/fault/*.bats

# A one-node Slurm (munged, slurmctld, slurmd) started for the test and
# stopped after it; skipped with the reason when it cannot start.
slurm: all
	@scripts/check --bin $(BINDIR) --no-unit tests/slurm/*.bats

demo: all
	@scripts/demo/run $(BINDIR)

bench: all $(BENCH_BIN)
	@scripts/bench $(BINDIR) $(BUILD)/bench

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 755 $(CMD_BIN) $(DESTDIR)$(PREFIX)/bin/
	for m in $(MANPAGES); do \
		s=$${m##*.}; install -d $(DESTDIR)$(PREFIX)/share/man/man$$s; \
		install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man$$s/; done
	install -d $(DESTDIR)$(PREFIX)/share/tally $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 share/fees.tsv $(DESTDIR)$(PREFIX)/share/tally/fees.tsv
	install -d $(DESTDIR)$(PREFIX)/share/tally/slurm
	install -m 755 scripts/slurm/map.sbatch scripts/slurm/merge.sbatch $(DESTDIR)$(PREFIX)/share/tally/slurm/
	$(BINDIR)/tally completion bash >$(DESTDIR)$(PREFIX)/share/bash-completion/completions/tally
	for b in $(CMD_SRC:cmd/%.c=%); do [ $$b = tally ] || ln -sf tally \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$b; done

uninstall:
	for b in $(CMD_SRC:cmd/%.c=%); do rm -f $(DESTDIR)$(PREFIX)/bin/$$b; done
	for m in $(MANPAGES); do s=$${m##*.}; rm -f $(DESTDIR)$(PREFIX)/share/man/man$$s/$${m##*/}; done
	for b in $(CMD_SRC:cmd/%.c=%); do rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$b; done
	rm -f $(DESTDIR)$(PREFIX)/share/tally/fees.tsv
	rm -f $(DESTDIR)$(PREFIX)/share/tally/slurm/map.sbatch $(DESTDIR)$(PREFIX)/share/tally/slurm/merge.sbatch

lint:
	cppcheck --quiet --enable=warning,performance,portability --std=c11 --error-exitcode=1 \
		--suppress=missingIncludeSystem $(LIB_DIRS:%=-Ilib/%) lib cmd tests/unit
	mandoc -Tlint -Wwarning man/*.1 man/*.7
	tests/lint/purity lib
	tests/lint/layers lib

format:
	clang-format -i lib/*/*.[ch] cmd/*.c tests/unit/*.[ch]

clean:
	rm -rf $(BUILD) $(BINDIR) asan-build fuzz-build cov-build

-include $(LIB_OBJ:.o=.d) $(CMD_SRC:cmd/%.c=$(BUILD)/cmd/%.d) $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%.d)
