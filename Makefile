# HTTP vs. Sockets in C: the top-level Makefile.
#
#   make                 build every chapter
#   make test            build everything and run every test suite (alias: make check)
#   make homework        check your homework: CH=1 for one chapter, EX=1.3 for one exercise
#   make run             measure the three styles side by side (compare --quick)
#   make ch1             build one chapter (also: make 01-http-close)
#   make bench           measure chapters 1 and 2 against nginx and python (needs ab, and
#                        wrk for some rows; SECTION=1 or 2 for one part; not a test)
#   make bench-chat      chapter 3's chatd under load (tests/bench/chat_load.c; not a test)
#   make bench-push      chapter 5's pushd under load on all its transports
#                        (tests/bench/push_load.c; not a test; fails on a missed target)
#   make fuzz            fuzz the parsers with clang's libFuzzer, FUZZ_SECONDS each (default
#                        60; tests/fuzz/README.md); without libFuzzer it says so, exits 0
#   make lint            static checks: clang-format, cppcheck, clang-tidy (.clang-tidy);
#                        a missing tool is explained and skipped (tests/lint.sh)
#   make clean           remove everything built
#
# Add SANITIZE=1 for AddressSanitizer and UndefinedBehaviorSanitizer, CC=clang for
# another compiler; either change rebuilds everything. `make test VALGRIND=1` runs the
# servers under valgrind's memcheck (slow: about 7 minutes; tests/harness/harness.c).

include common/build.mk

# VALGRIND=1 (on the command line or in the environment) reaches the test harness, and
# Check's time limits and the tests' waits stretch to match valgrind's pace.
ifeq ($(VALGRIND),1)
ifeq ($(SANITIZE),1)
$(error VALGRIND=1 and SANITIZE=1 do not mix: valgrind cannot run sanitized programs)
endif
export VALGRIND
export CK_TIMEOUT_MULTIPLIER ?= 10
endif

CHAPTERS := $(patsubst chapters/%/Makefile,%,$(wildcard chapters/*/Makefile))

all: $(CHAPTERS)

common:
	$(MAKE) -C common

$(CHAPTERS): common
	$(MAKE) -C chapters/$@

# Short names: ch1 for 01-http-close, and so on.
$(foreach c,$(CHAPTERS),$(eval ch$(patsubst 0%,%,$(firstword $(subst -, ,$(c)))): $(c)))

test check: all
	@sh tests/need-check.sh
	$(MAKE) -C tests suites
	@sh tests/run-suites.sh

# The homework is built from your exercises/ (and, from chapter 2 on, the parts of
# common/ its exercises.h names), with the same compiler and warnings as everything
# else. It needs the project built: exercise 4.1 and the stages talk to its servers.
HOMEWORK_ENV = CC='$(CC)' HW_CFLAGS='$(STD_FLAGS) $(WARN_FLAGS) $(SAN_FLAGS) -g'

homework: all
	@sh tests/need-check.sh
	@$(HOMEWORK_ENV) sh tests/homework.sh $(if $(CH),--chapter $(CH)) $(if $(EX),--exercise $(EX))

homework-verify: all
	@sh tests/need-check.sh
	@$(HOMEWORK_ENV) sh tests/homework.sh --verify

# The project's main job: the three styles measured side by side, in about 6 s (5.7 s
# measured on a 2-core Xeon VM).
run: all
	@chapters/04-comparison/compare --quick --svg chapters/04-comparison/compare.svg

bench: all
	@sh tests/bench/bench.sh

fuzz:
	@sh tests/fuzz/fuzz.sh

lint:
	@LINT_STD_FLAGS='$(STD_FLAGS)' sh tests/lint.sh

bench-chat: all
	$(MAKE) -C chapters/03-select-chat bench
	@sh tests/bench/chat-bench.sh

bench-push: all
	$(MAKE) -C chapters/05-web-push bench
	@sh tests/bench/push-bench.sh

clean:
	$(MAKE) -C common clean
	$(foreach c,$(CHAPTERS),$(MAKE) -C chapters/$(c) clean;)
	$(MAKE) -C tests clean
	rm -f $(FLAGS_STAMP)

.PHONY: all common $(CHAPTERS) test check homework homework-verify run bench bench-chat bench-push \
	fuzz lint \
	clean \
	$(foreach c,$(CHAPTERS),ch$(patsubst 0%,%,$(firstword $(subst -, ,$(c)))))
