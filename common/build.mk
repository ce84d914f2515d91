# common/build.mk: the compiler settings every Makefile in the project shares.
#
# Included by the top-level Makefile, common/Makefile, each chapter's Makefile and
# tests/Makefile, so that `make` works the same from any folder.
#
# You may set on the command line:
#   CC=clang        another compiler
#   CFLAGS=...      optimisation and debug flags (default -O2 -g)
#   SANITIZE=1      build with AddressSanitizer and UndefinedBehaviorSanitizer
#   WERROR=1        turn warnings into errors (CI does this)
# Changing any of them rebuilds everything: see the flags stamp below.

MAKEFLAGS += --no-print-directory

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
LIBCOMMON := $(TOP)/common/libcommon.a

CFLAGS ?= -O2 -g

# Strict C11 plus POSIX.1-2008, and nothing else: what builds here builds on macOS.
STD_FLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L
ifeq ($(shell uname -s),Darwin)
# macOS hides some POSIX-adjacent names (such as SIGWINCH and NI_MAXHOST) without this.
STD_FLAGS += -D_DARWIN_C_SOURCE
endif

WARN_FLAGS := -Wall -Wextra -Wpedantic
ifeq ($(WERROR),1)
WARN_FLAGS += -Werror
endif

ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
endif

ALL_CFLAGS = $(STD_FLAGS) $(WARN_FLAGS) $(SAN_FLAGS) -I$(TOP)/common $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)

# The flags stamp: a file holding the settings the objects were built with. Every object
# depends on it, and it is rewritten only when the settings change, so `make SANITIZE=1`
# after a plain `make` rebuilds everything instead of linking stale objects.
FLAGS_STAMP := $(TOP)/.build-flags
FLAGS_NOW := CC=$(CC) CFLAGS=$(CFLAGS) LDFLAGS=$(LDFLAGS) SANITIZE=$(SANITIZE) WERROR=$(WERROR)
ifneq ($(FLAGS_NOW),$(shell cat '$(FLAGS_STAMP)' 2>/dev/null))
$(shell printf '%s\n' '$(FLAGS_NOW)' > '$(FLAGS_STAMP)')
endif
