# HTTP vs. Sockets in C: the top-level Makefile.
#
#   make                 build every chapter
#   make test            build everything and run every test suite (alias: make check)
#   make homework        check your homework: CH=1 for one chapter, EX=1.3 for one exercise
#   make run             start the newest chapter's server (the comparison, once it exists)
#   make ch1             build one chapter (also: make 01-http-close)
#   make bench           measure chapters 1 and 2 against nginx and python (needs ab, and
#                        wrk for some rows; SECTION=1 or 2 for one part; not a test)
#   make clean           remove everything built
#
# Add SANITIZE=1 for AddressSanitizer and UndefinedBehaviorSanitizer, CC=clang for
# another compiler; either change rebuilds everything.

include common/build.mk

CHAPTERS := $(patsubst chapters/%/Makefile,%,$(wildcard chapters/*/Makefile))
# The newest chapter with a server: what `make run` starts until chapter 4 exists.
RUN_CHAPTER := 01-http-close

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

# The homework is built from your exercises/ alone (no common/), with the same compiler
# and warnings as everything else.
HOMEWORK_ENV = CC='$(CC)' HW_CFLAGS='$(STD_FLAGS) $(WARN_FLAGS) $(SAN_FLAGS) -g'

homework:
	@sh tests/need-check.sh
	@$(HOMEWORK_ENV) sh tests/homework.sh $(if $(CH),--chapter $(CH)) $(if $(EX),--exercise $(EX))

homework-verify:
	@sh tests/need-check.sh
	@$(HOMEWORK_ENV) sh tests/homework.sh --verify

run: $(RUN_CHAPTER)
	@echo "Starting chapter 1's server; try, in another terminal:"
	@echo "    curl -v http://127.0.0.1:8001/"
	@echo "    chapters/01-http-close/get -i http://127.0.0.1:8001/hello.txt"
	@echo "or open http://127.0.0.1:8001/ in a browser. Ctrl-C stops it."
	@echo "(Port 8001 taken? make run PORT=0 picks a free one.)"
	@chapters/$(RUN_CHAPTER)/httpd -p $(or $(PORT),8001)

bench: all
	@sh tests/bench/bench.sh

bench-chat: all
	$(MAKE) -C chapters/03-select-chat bench
	@sh tests/bench/chat-bench.sh

clean:
	$(MAKE) -C common clean
	$(foreach c,$(CHAPTERS),$(MAKE) -C chapters/$(c) clean;)
	$(MAKE) -C tests clean
	rm -f $(FLAGS_STAMP)

.PHONY: all common $(CHAPTERS) test check homework homework-verify run bench bench-chat clean \
	$(foreach c,$(CHAPTERS),ch$(patsubst 0%,%,$(firstword $(subst -, ,$(c)))))
