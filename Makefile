# The whole project: the common library, one program per chapter, the tests, and the targets a
# student, an instructor or CI wants. GNU make; `make help` lists the targets.
#
#   make            build build/libcommon.a, bin/<slug> for every chapter, the test runner
#   make run        install what is missing, build, run every chapter's --quick demonstration
#   make run CH=neuron   one chapter's full default demonstration
#   make check      install what is missing, build, run every Check suite (alias: make test)
#   make parity     tests/parity/*.py against numpy/torch/sklearn/xgboost/gensim
#   make bench      tools/bench/<slug> for every chapter that has one
#   make sanitize   everything under ASan+UBSan in build/san: the checks, every --quick demo, tests/cli
#   make interrupt  SIGINT/SIGTERM, --resume equal to an uninterrupted run, divergence (CH=slug)
#   make student    the student tree of the exercises: build/student/ and build/student.tar.gz
#   make grade      the autograder: this tree, or STUDENT=path against this tree's tests
#   make kit-test   proves the kit: stubs fail their own exercise only, the solutions pass
#   make fuzz       libFuzzer on every file parser, FUZZ_SECONDS=30 each (tests/fuzz/README.md)
#   make valgrind   every --quick demo and the checks under memcheck (slow)
#   make determinism  every --quick demo twice with one seed: identical logs and checkpoints
#   make doctor     what is installed and what is missing
#   make guides     the Chinese guides match their English READMEs (tools/check-guides)
#   make notebooks  executes notebooks/*.ipynb headless into build/notebooks/ (fails on any error)
#   make notebooks-update   the same, rewriting the committed notebooks with their new outputs
#   make doc-commands   runs every command shown in a README or a notebook (tests/docs/commands)
#   make deps       install what is missing (tools/install-deps --parity)
#   make format     clang-format over the tree;  make clean

SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

BUILD ?= build
BIN ?= bin
CC ?= cc
PYTHON ?= /usr/bin/python3

# ---- flags --------------------------------------------------------------------------------
CFLAGS ?= -O2 -g
# -fopenmp-simd: `#pragma omp simd` marks loops with independent iterations (no threads, no
# OpenMP runtime). -fno-math-errno: sqrt and friends need not set errno, so loops that call them
# can be vectorized (Adam's update); results are unchanged, every value is still IEEE-rounded.
CFLAGS += -std=c11 -fopenmp-simd -fno-math-errno -Wall -Wextra -D_GNU_SOURCE -MMD -MP
ifeq ($(WERROR),1)
CFLAGS += -Werror
endif
ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

# GSL's headers and library from pkg-config; its BLAS is OpenBLAS's CBLAS when OpenBLAS is
# installed (much faster dgemm), otherwise GSL's own reference gslcblas.
GSL_CFLAGS := $(shell pkg-config --cflags gsl 2>/dev/null)
GSL_LDIRS := $(shell pkg-config --libs-only-L gsl 2>/dev/null)
OPENBLAS_LIBS := $(shell pkg-config --libs openblas 2>/dev/null)
ifneq ($(OPENBLAS_LIBS),)
BLAS_LIBS := $(OPENBLAS_LIBS)
BLAS_NAME := openblas
CPPFLAGS += -DCM_OPENBLAS
else
BLAS_LIBS := -lgslcblas
BLAS_NAME := gslcblas
endif
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

CPPFLAGS += -Icommon $(GSL_CFLAGS)
LDLIBS := $(GSL_LDIRS) -lgsl $(BLAS_LIBS) -lm -pthread

# ---- sources ------------------------------------------------------------------------------
COMMON_SRC := $(wildcard common/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
LIBCOMMON := $(BUILD)/libcommon.a

CHAPTER_DIRS := $(sort $(patsubst %/,%,$(dir $(wildcard chapters/*/main.c))))
# chapters/00-neuron -> neuron
slug = $(shell echo $(notdir $(1)) | sed 's/^[0-9]*-//')
SLUGS := $(foreach d,$(CHAPTER_DIRS),$(call slug,$(d)))
PROGRAMS := $(addprefix $(BIN)/,$(SLUGS))

# Every chapter's code except main.c also links into the test runner.
CHAPTER_LIB_SRC := $(filter-out %/main.c,$(foreach d,$(CHAPTER_DIRS),$(wildcard $(d)/*.c)))
CHAPTER_LIB_OBJ := $(CHAPTER_LIB_SRC:%.c=$(BUILD)/%.o)

TEST_SRC := $(wildcard tests/test_*.c)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o) $(BUILD)/tests/check_main.o $(BUILD)/tests/testutil.o
TEST_RUNNER := $(BUILD)/tests/check_all
# Small C drivers that parity scripts call: tests/parity/<name>.c -> build/tests/parity/<name>
PARITY_SRC := $(wildcard tests/parity/*.c)
PARITY_BIN := $(PARITY_SRC:tests/parity/%.c=$(BUILD)/tests/parity/%)
SUITES_DEF := $(BUILD)/tests/suites.def

.PHONY: all run check test check-only parity bench sanitize doctor deps clean format help tour cli \
        guides student grade kit-test interrupt notebooks notebooks-update doc-commands

all: $(LIBCOMMON) $(PROGRAMS) $(TEST_RUNNER) $(PARITY_BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIBCOMMON): $(COMMON_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# bin/<slug> from chapters/NN-<slug>/*.c
define program_rule
$(BIN)/$(call slug,$(1)): $(patsubst %.c,$(BUILD)/%.o,$(wildcard $(1)/*.c)) $(LIBCOMMON)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach d,$(CHAPTER_DIRS),$(eval $(call program_rule,$(d))))

# The test runner: one Check SRunner holding every suite. Each tests/test_*.c defines one or
# more `Suite *suite_<name>(void)`; the list is collected from the sources.
$(SUITES_DEF): $(TEST_SRC)
	@mkdir -p $(@D)
	@$(if $(TEST_SRC),grep -ho 'Suite \*suite_[a-z0-9_]*(void)' $(TEST_SRC),true) | sed 's/Suite \*suite_\(.*\)(void)/SUITE(\1)/' > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp

$(BUILD)/tests/check_main.o: tests/check_main.c $(SUITES_DEF)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -I$(BUILD)/tests $(CHECK_CFLAGS) $(CFLAGS) -c $< -o $@

# tests/test_<slug>*.c sees its own chapter's headers (-iquote: only for #include "..."), so
# that chapters may reuse plain header names (data.h, train.h) without one hiding another.
define chapter_test_inc
$(BUILD)/tests/test_$(subst -,_,$(call slug,$(1))).o: CHAPTER_INC := -iquote $(1)
$(BUILD)/tests/test_$(subst -,_,$(call slug,$(1)))_%.o: CHAPTER_INC := -iquote $(1)
endef
$(foreach d,$(CHAPTER_DIRS),$(eval $(call chapter_test_inc,$(d))))

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CHAPTER_INC) $(CHECK_CFLAGS) $(CFLAGS) -c $< -o $@

$(TEST_RUNNER): $(TEST_OBJ) $(CHAPTER_LIB_OBJ) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

.SECONDARY: $(PARITY_BIN:%=%.o)
$(BUILD)/tests/parity/%: $(BUILD)/tests/parity/%.o $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The header dependencies (-MMD) of exactly this build's objects (not build/san's when BUILD=build).
ALL_OBJ := $(COMMON_OBJ) $(foreach d,$(CHAPTER_DIRS),$(patsubst %.c,$(BUILD)/%.o,$(wildcard $(d)/*.c))) \
           $(TEST_OBJ) $(PARITY_BIN:%=%.o)
-include $(ALL_OBJ:.o=.d)

# ---- what people run ----------------------------------------------------------------------
deps:
	@tools/install-deps --parity

# The tour: every chapter's --quick demonstration, one summary line each.
run:
	@tools/install-deps
	@$(MAKE) --no-print-directory all
ifdef CH
	@$(BIN)/$(CH)
else
	@$(MAKE) --no-print-directory tour
endif

tour: all
	@tools/tour $(BIN) $(SLUGS)

# `make check SUITE=common_npy` runs one suite (Check's CK_RUN_SUITE).
check test:
	@tools/install-deps
	@$(MAKE) --no-print-directory check-only

check-only: all
	@CM_BIN_DIR=$(BIN) $(if $(SUITE),CK_RUN_SUITE=$(SUITE)) $(TEST_RUNNER)

# The bad invocations of every program (tests/cli/run).
cli: all
	@tests/cli/run $(BIN) $(SLUGS)

# SIGINT/SIGTERM write a checkpoint and exit 130/143, --resume equals the uninterrupted run,
# divergence exits 3 (tests/reliability/interrupt; `make interrupt CH=rnn` for one chapter).
interrupt: all
	@tests/reliability/interrupt $(BIN) $(CH)

# Each chapter's Chinese guide against its English README (fenced blocks, code, links).
guides:
	@$(PYTHON) tools/check-guides

parity: all
	@tools/install-deps --parity
	@CM_BIN_DIR=$(BIN) CM_BUILD_DIR=$(BUILD) tools/run-parity $(PYTHON)

bench: all
	@for s in $(SLUGS); do \
	  if [ -x tools/bench/$$s ]; then CM_BIN_DIR=$(BIN) tools/bench/$$s || exit 1; fi; done

# Everything again under AddressSanitizer and UndefinedBehaviorSanitizer: any report fails.
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1:allocator_may_return_null=1 \
           UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 CK_TIMEOUT_MULTIPLIER=10
sanitize:
	@$(MAKE) --no-print-directory SAN=1 BUILD=build/san BIN=build/san/bin all
	@$(SAN_ENV) CM_BIN_DIR=build/san/bin build/san/tests/check_all
	@$(SAN_ENV) tools/tour build/san/bin $(SLUGS)
	@$(SAN_ENV) tests/reliability/interrupt build/san/bin
	@$(SAN_ENV) tests/cli/run build/san/bin $(SLUGS) >build/san/cli.log 2>&1; st=$$?; \
	  grep -v '^PASS ' build/san/cli.log; exit $$st
	@echo "sanitize: no reports"

doctor:
	@tools/install-deps --doctor

# ---- the exercises (README.md, "Setting and grading the exercises") ---------------------------
# The student tree: every BEGIN/END EXERCISE region stubbed, no solution in it (tools/student).
student:
	@tools/student --out $(BUILD)/student --tarball $(BUILD)/student.tar.gz
	@tools/student --check $(BUILD)/student

# The autograder: builds, runs the Check test cases named after the exercises (tools/grade);
# report, TAP and XML in $(BUILD)/grade/. STUDENT=path grades a student's tree.
grade:
	@tools/install-deps
	@tools/grade $(if $(STUDENT),--student $(STUDENT)) --out $(BUILD)/grade $(if $(STRICT),--strict)

kit-test: all
	@tests/kit/run

# The notebooks, executed headless by Debian's jupyter nbconvert (tools/install-deps --notebooks).
# `make notebooks` writes the executed copies to build/notebooks/ and leaves the committed ones
# alone; `make notebooks-update` rewrites the committed ones with fresh outputs (commit them).
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
NBCONVERT := PYDEVD_DISABLE_FILE_VALIDATION=1 jupyter nbconvert --execute --to notebook \
             --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=600 \
             --ExecutePreprocessor.record_timing=False
notebooks: all
	@tools/install-deps --notebooks
	@mkdir -p $(BUILD)/notebooks
	@for nb in $(NOTEBOOKS); do \
	  start=$$(date +%s); \
	  $(NBCONVERT) --output-dir $(BUILD)/notebooks $$nb > $(BUILD)/notebooks/$$(basename $$nb .ipynb).log 2>&1 \
	    || { cat $(BUILD)/notebooks/$$(basename $$nb .ipynb).log; echo "notebooks: $$nb FAILED"; exit 1; }; \
	  echo "notebooks: $$nb ran in $$(( $$(date +%s) - start )) s -> $(BUILD)/notebooks/$$(basename $$nb)"; \
	done
	@echo "notebooks: $(words $(NOTEBOOKS)) notebook(s) ran without an error"

notebooks-update: all
	@tools/install-deps --notebooks
	@for nb in $(NOTEBOOKS); do echo "notebooks-update: $$nb"; $(NBCONVERT) --inplace $$nb || exit 1; done

# Every command shown in a ```-fenced block of a README*.md and in the notebooks' run("...")
# calls must run (the rule and the short list of exceptions are in tests/docs/commands).
doc-commands: all
	@$(PYTHON) tests/docs/commands

format:
	clang-format -i $$(find common chapters tests tools -name '*.[ch]')

clean:
	rm -rf build bin out

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

# ---- fuzzing (tests/fuzz/README.md) -----------------------------------------------------------
# libFuzzer targets tests/fuzz/<target>.c -> build/fuzz/<target>, built with clang and
# -fsanitize=fuzzer,address,undefined against the common library and the chapters' code compiled
# the same way. `make fuzz FUZZ_SECONDS=N` runs each target N seconds from its seed corpus
# (tests/fuzz/corpus/<target>, copied to build/fuzz/corpus/<target> where new inputs go) and fails
# on the first crash, leak or sanitizer report (the input is left in build/fuzz/crash-<target>-*).
# `make fuzz-build` only builds; FUZZ_TARGETS=npy,csv runs a few.
FUZZ_CC ?= clang
comma := ,
FUZZ_SECONDS ?= 30
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -std=c11 -fopenmp-simd -fno-math-errno -D_GNU_SOURCE -MMD -MP $(FUZZ_FLAGS) \
               -fsanitize=fuzzer-no-link
FUZZ_SRC := $(filter-out tests/fuzz/fuzz_util.c,$(wildcard tests/fuzz/*.c))
FUZZ_NAMES := $(FUZZ_SRC:tests/fuzz/%.c=%)
FUZZ_BIN := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/%)
FUZZ_LIB_OBJ := $(COMMON_SRC:%.c=$(FUZZ_BUILD)/%.o) $(CHAPTER_LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_LIB := $(FUZZ_BUILD)/libfuzzed.a

.PHONY: fuzz fuzz-build
$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c $< -o $@

# The fuzz targets include the chapters' headers by plain name (rnn.h, vectors.h, model.h):
# every chapter directory is on their quoted include path, the chapter's own first.
$(FUZZ_BUILD)/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) -iquote tests/fuzz $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_BIN): $(FUZZ_BUILD)/%: $(FUZZ_BUILD)/tests/fuzz/%.o $(FUZZ_BUILD)/tests/fuzz/fuzz_util.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	@tests/fuzz/run $(FUZZ_BUILD) $(FUZZ_SECONDS) $(if $(FUZZ_TARGETS),$(subst $(comma), ,$(FUZZ_TARGETS)),$(FUZZ_NAMES))

-include $(wildcard $(FUZZ_BUILD)/tests/fuzz/*.d)

# ---- valgrind and determinism (tests/RELIABILITY.md) ------------------------------------------
# make valgrind: every --quick demonstration and the Check runner under memcheck (slow: tens of
# minutes; VALGRIND_ONLY=tour or =check runs one half). make determinism: every --quick
# demonstration twice with one seed (byte-identical logs and checkpoints) and once with another.
.PHONY: valgrind determinism
valgrind: all
	@tests/reliability/valgrind $(BIN) $(TEST_RUNNER) $(if $(CH),$(CH),$(SLUGS))

determinism: all
	@tests/reliability/determinism $(BIN) $(SLUGS)
