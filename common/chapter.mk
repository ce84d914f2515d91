# common/chapter.mk: the rules every chapter's Makefile shares.
#
# A chapter's Makefile names its programs (each built from NAME.c), optionally extra
# objects linked into all of them, and includes this file:
#     PROGRAMS := httpd get
#     include ../../common/chapter.mk
include $(dir $(lastword $(MAKEFILE_LIST)))build.mk

all: $(PROGRAMS)

$(PROGRAMS): %: %.o $(CHAPTER_OBJECTS) $(LIBCOMMON)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(CHAPTER_OBJECTS) $(LIBCOMMON)

%.o: %.c $(FLAGS_STAMP)
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -c -o $@ $<

# Always ask common/ whether libcommon.a is up to date; it rebuilds only if needed.
$(LIBCOMMON): FORCE
	$(MAKE) -C $(TOP)/common

clean:
	rm -f $(PROGRAMS) *.o *.d

FORCE:
.PHONY: all clean FORCE
-include *.d
