# tests/homework.mk: builds a chapter's homework program, the one way: the runner
# (tests/homework.sh) builds the learner's from exercises/, tests/Makefile builds the
# solution from solutions/.
#
#   make -f tests/homework.mk CHAPTER=01-http-close FROM=exercises OUTDIR=DIR
#
# The program is every .c file in chapters/CHAPTER/FROM/ compiled together (the
# learner's server and the unit exercises it calls), plus exactly the common/ files
# named on the " * Links:" line of chapters/CHAPTER/exercises/exercises.h, never
# libcommon.a: calling any other part of common/ is a link error, which is how the
# chapter keeps its own lesson for the learner to write. Its name is the file in
# exercises/ named like one of the chapter's own programs (httpd.c, chatd.c).
#
#   make -f tests/homework.mk CHAPTER=... print-program    prints that name
include $(dir $(lastword $(MAKEFILE_LIST)))../common/build.mk

CHAPTER_DIR := $(TOP)/chapters/$(CHAPTER)
HEADER := $(CHAPTER_DIR)/exercises/exercises.h
PROGRAM := $(firstword $(foreach f,$(wildcard $(CHAPTER_DIR)/exercises/*.c),\
	$(if $(wildcard $(CHAPTER_DIR)/$(notdir $(f))),$(basename $(notdir $(f))))))
LINKS := $(shell sed -n 's/^ \* Links: //p' '$(HEADER)' 2>/dev/null)
COMMON_FILES := $(addprefix $(TOP)/,$(filter common/%.c,$(LINKS)))
# Only a chapter that links part of common/ sees common/'s headers.
COMMON_INCLUDE := $(if $(COMMON_FILES),-I$(TOP)/common)
SOURCES := $(wildcard $(CHAPTER_DIR)/$(FROM)/*.c)

# The runner passes the compiler flags it uses for the unit exercises.
HW_CFLAGS ?= $(STD_FLAGS) $(WARN_FLAGS) $(SAN_FLAGS) $(CFLAGS)

$(OUTDIR)/$(PROGRAM): $(SOURCES) $(wildcard $(CHAPTER_DIR)/$(FROM)/*.h) $(HEADER) \
		$(COMMON_FILES) $(FLAGS_STAMP)
	@mkdir -p $(OUTDIR)
	$(CC) $(HW_CFLAGS) -I$(CHAPTER_DIR)/exercises $(COMMON_INCLUDE) \
		-DDEFAULT_ROOT='"$(CHAPTER_DIR)/www"' -o $@ $(SOURCES) $(COMMON_FILES)

print-program:
	@echo $(PROGRAM)

.PHONY: print-program
