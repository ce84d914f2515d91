#!/bin/sh
# fuzz.sh: build the fuzz targets with clang's libFuzzer and run each for a while.
#
#   sh tests/fuzz/fuzz.sh              (what `make fuzz` runs)
#   FUZZ_SECONDS=300                   how long each target runs (default 60)
#   FUZZ_TARGETS="fuzz_framing ..."    only these targets (default: all of them)
#   FUZZ_CC=clang-15                   another clang
#
# Each target starts from its seed corpus (tests/fuzz/corpus/NAME, read only) and
# keeps what it learns in tests/fuzz/build/corpus/NAME (git-ignored), so a second
# run goes on where the first stopped. A crash, a sanitizer report, a failed property
# or a time-out is saved as tests/fuzz/build/crashes/NAME-crash-* and fails the run;
# README.md in this folder says what to do with it.
#
# Without a clang that has libFuzzer (common on a learner's laptop: Apple's clang has
# none), it explains and exits 0: fuzzing is a maintainer's tool, not a test. Under
# CI=true the same is a failure, so CI can never skip it without saying so.
set -u
here=$(cd "$(dirname "$0")" && pwd)
cd "$here" || exit 1

FUZZ_CC=${FUZZ_CC:-clang}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TARGETS=${FUZZ_TARGETS:-$(ls fuzz_*.c | sed 's/\.c$//')}

# Longest input per target: a little over the limits each one is about.
max_len() {
    case "$1" in
    fuzz_framing) echo 40000 ;;      # past the reader's 32 KiB, so it must compact
    fuzz_chat_lines) echo 12000 ;;   # several times the 4 KiB input buffer
    fuzz_request_line) echo 9000 ;;  # HTTP_MAX_REQUEST_LINE is 8192
    fuzz_target_path) echo 5000 ;;   # PATH_MAX is 4096
    fuzz_ws_frames) echo 70000 ;;    # past a 64 KiB message, so 1009 is reached
    fuzz_ws_handshake) echo 4096 ;;  # a few headers with long values
    fuzz_send_body) echo 9000 ;;     # past the 4 KiB line buffer twice, 8 long lines
    *) echo 2048 ;;
    esac
}

unavailable() {
    echo "fuzz: $1"
    echo "fuzz: libFuzzer comes with clang (Debian/Ubuntu: apt-get install clang"
    echo "      libclang-rt-dev; Fedora: dnf install clang compiler-rt; macOS: brew"
    echo "      install llvm, then FUZZ_CC=\$(brew --prefix llvm)/bin/clang)."
    if [ "${CI:-}" = true ]; then
        echo "fuzz: CI=true: a missing tool is a failure"
        exit 1
    fi
    echo "fuzz: skipped (nothing was fuzzed). The corpus still runs in make test."
    exit 0
}

command -v "$FUZZ_CC" >/dev/null 2>&1 || unavailable "no $FUZZ_CC here"
probe_dir=$(mktemp -d "${TMPDIR:-/tmp}/hvs-fuzz-probe-XXXXXX") || exit 1
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
    >"$probe_dir/probe.c"
if ! "$FUZZ_CC" -fsanitize=fuzzer,address,undefined -o "$probe_dir/probe" \
    "$probe_dir/probe.c" >"$probe_dir/log" 2>&1; then
    sed 's/^/    /' "$probe_dir/log" | head -n 5
    rm -rf "$probe_dir"
    unavailable "$FUZZ_CC cannot link -fsanitize=fuzzer,address,undefined"
fi
rm -rf "$probe_dir"

echo "== building the fuzz targets with $FUZZ_CC"
make -s FUZZ_CC="$FUZZ_CC" targets || exit 1

mkdir -p build/corpus build/crashes build/logs build/tmp
# The targets' scratch files (fuzz_target_path's document root) go here, so that a
# crash, which skips the clean-up, leaves nothing in /tmp.
export TMPDIR="$here/build/tmp"
status=0
summary=""
for target in $FUZZ_TARGETS; do
    [ -x "build/libfuzzer/$target" ] || { echo "fuzz: no target $target"; exit 2; }
    mkdir -p "build/corpus/$target"
    dict=""
    [ -f "$target.dict" ] && dict="-dict=$target.dict"
    log="build/logs/$target.log"
    echo "== $target: ${FUZZ_SECONDS}s"
    # -close_fd_mask=2: the chapter code under test may print (chatd's "dropping ...");
    # libFuzzer and the sanitizers still report on their own copy of stderr.
    "build/libfuzzer/$target" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
        -rss_limit_mb=2048 -max_len="$(max_len "$target")" -close_fd_mask=2 \
        -print_final_stats=1 -artifact_prefix="build/crashes/$target-" $dict \
        "build/corpus/$target" "corpus/$target" >"$log" 2>&1
    rc=$?
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    echo "   $last"
    if [ $rc -ne 0 ]; then
        status=1
        echo "   FAILED (exit status $rc): the report, from $log:"
        grep -E 'ERROR|SUMMARY|property failed|Test unit written|runtime error' "$log" |
            head -n 8 | sed 's/^/     /'
        summary="$summary$target: FAILED\n"
    else
        summary="$summary$target: ok   $(echo "$last" |
            sed -E 's/.*(cov: [0-9]+ ft: [0-9]+).*(exec\/s: [0-9]+).*/\1 \2/')\n"
    fi
done
echo "== fuzz summary (${FUZZ_SECONDS}s each)"
printf '%b' "$summary" | sed 's/^/   /'
if [ $status -ne 0 ]; then
    echo "fuzz: a target failed; tests/fuzz/README.md says how to reproduce and keep it"
fi
exit $status
