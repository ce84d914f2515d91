#!/bin/sh
# lint.sh: static checks over the C code (what `make lint` runs).
#
#   1. clang-format: every .c and .h in common/, chapters/ and tests/ is exactly as
#      .clang-format lays it out (a check only; `clang-format -i FILE` fixes a file).
#   2. cppcheck: common/ and chapters/ with the warning, portability and performance
#      checks. Its "style" hints (a variable's scope could be narrower, a parameter
#      could be const) are taste, not defects, so they are not asked for.
#   3. clang-tidy: the programs in common/ and chapters/ (exercises included) with the
#      checks .clang-tidy lists, each finding an error.
#
# The compiler flags are the build's own (`make lint` passes common/build.mk's
# STD_FLAGS: -std=c11 -D_POSIX_C_SOURCE=200809L, plus -D_DARWIN_C_SOURCE on macOS), so
# the tools see the code exactly as cc does. A finding that is wrong is silenced where
# it is, with the reason, in a comment naming the check: "NOLINTNEXTLINE(check)" for
# clang-tidy, "cppcheck-suppress check" for cppcheck.
#
# Environment: CLANG_FORMAT, CLANG_TIDY, CPPCHECK name other versions of the tools;
# LINT_JOBS how many files clang-tidy checks at once (default: the number of CPUs).
# A missing tool is explained and its check skipped (exit 0 if the rest is clean);
# with CI=true in the environment, a missing tool is a failure.
set -u
cd "$(dirname "$0")/.." || exit 1

CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
CLANG_TIDY=${CLANG_TIDY:-clang-tidy}
CPPCHECK=${CPPCHECK:-cppcheck}
LINT_JOBS=${LINT_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
STD_FLAGS=${LINT_STD_FLAGS:-"-std=c11 -D_POSIX_C_SOURCE=200809L"}
DEFINES=$(for flag in $STD_FLAGS; do case $flag in -D*) printf '%s ' "$flag" ;; esac; done)

# The sources, in a stable order; build folders hold nothing of ours.
all_sources=$(find common chapters tests -name '*.[ch]' ! -path '*/build/*' | sort)
# The programs' code: the chapters' own, the learner's skeletons and the solutions.
program_sources=$(find common chapters -name '*.c' | sort)

failed=""
skipped=""

# have CHECK COMMAND: is the tool there? If not, say so and remember the check.
have() {
    if command -v "$2" >/dev/null 2>&1; then
        return 0
    fi
    if [ "$1" = "$2" ]; then
        echo "   skipped: $1 is not installed"
    else
        echo "   skipped: $1 ($2) is not installed"
    fi
    skipped="$skipped $1"
    return 1
}

echo "== clang-format: is the code as .clang-format lays it out?"
if have clang-format "$CLANG_FORMAT"; then
    # shellcheck disable=SC2086 # the file names have no spaces; we split on purpose
    if "$CLANG_FORMAT" --dry-run -Werror $all_sources 2>&1; then
        echo "   $(echo "$all_sources" | wc -l | tr -d ' ') files, all formatted"
    else
        echo "   not formatted as .clang-format says: see the lines above, then run"
        echo "   $CLANG_FORMAT -i FILE. ($("$CLANG_FORMAT" --version | head -n 1); this"
        echo "   project is checked with clang-format 14, and other versions may"
        echo "   disagree on a few lines)"
        failed="$failed clang-format"
    fi
fi

echo "== cppcheck: common/ and chapters/"
if have cppcheck "$CPPCHECK"; then
    # missingIncludeSystem: cppcheck reads our headers, not libc's; it knows libc.
    # shellcheck disable=SC2086
    if "$CPPCHECK" --quiet --error-exitcode=1 --inline-suppr \
        --enable=warning,portability,performance --std=c11 \
        $DEFINES -Icommon --suppress=missingIncludeSystem \
        -j "$LINT_JOBS" common chapters 2>&1; then
        echo "   no findings"
    else
        failed="$failed cppcheck"
    fi
fi

echo "== clang-tidy: $(echo "$program_sources" | wc -l | tr -d ' ') files, the checks in .clang-tidy"
if have clang-tidy "$CLANG_TIDY"; then
    log=$(mktemp "${TMPDIR:-/tmp}/hvs-lint-XXXXXX") || exit 1
    # One file per run, LINT_JOBS at once. --quiet drops the "N warnings generated"
    # counts, which include the suppressed ones in system headers; any finding left is
    # an error (WarningsAsErrors in .clang-tidy) and fails the run.
    # A solution includes its chapter's exercises/exercises.h, found through the
    # folder beside its own (as tests/homework.mk builds it).
    # shellcheck disable=SC2016,SC2086
    if echo "$program_sources" | xargs -I{} -P "$LINT_JOBS" sh -c \
        'tidy=$1 file=$2; shift 2; exec "$tidy" --quiet "$file" -- "$@" -Icommon \
            -I"$(dirname "$file")/../exercises"' \
        sh "$CLANG_TIDY" {} $STD_FLAGS >"$log" 2>&1; then
        echo "   no findings"
    else
        grep -v -E '^[0-9]+ (warnings?|errors?) generated\.$' "$log" |
            grep -v -E '^Suppressed [0-9]+ warnings|^Use -header-filter|^Error while processing'
        failed="$failed clang-tidy"
    fi
    rm -f "$log"
fi

if [ -n "$skipped" ]; then
    echo "lint: not installed:$skipped. Debian/Ubuntu: apt-get install clang-format"
    echo "      clang-tidy cppcheck; macOS: brew install llvm cppcheck (llvm's bin/ holds"
    echo "      clang-format and clang-tidy: name them with CLANG_FORMAT=... CLANG_TIDY=...)."
fi
if [ -n "$failed" ]; then
    echo "lint: FAILED:$failed"
    exit 1
fi
if [ -n "$skipped" ] && [ "${CI:-}" = true ]; then
    echo "lint: CI=true: a missing tool is a failure"
    exit 1
fi
case $skipped in
*clang-format*cppcheck*clang-tidy*) echo "lint: nothing was checked" ;;
?*) echo "lint: clean, but only partly checked (skipped:$skipped)" ;;
*) echo "lint: clean (clang-format, cppcheck, clang-tidy)" ;;
esac
exit 0
