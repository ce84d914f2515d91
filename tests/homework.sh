#!/bin/sh
# homework.sh: the homework runner behind `make homework`.
#
#   make homework            every unit exercise and stage, in teaching order
#   make homework CH=1       one chapter
#   make homework EX=1.2     one unit exercise, with the compiler's and the tests' output
#   make homework EX=1.s3    one stage, the same way
#   make homework-verify     (maintainers, CI) everything must FAIL as shipped, and every
#                            planted wrong answer (tests/NN-*/homework/mutants/) must fail
#
# Each chapter's exercises/exercises.h lists, in teaching order, two kinds of work:
#  - unit exercises ("Exercise 1.3: percent_decode() in exercises/percent_decode.c"):
#    one function, compiled on its own with the C library and linked with its Check
#    tests from tests/NN-*/homework/hw_<name>.c;
#  - stages ("Stage 1.s3: serves files"): the learner's whole program, built from every
#    .c file in exercises/ (tests/homework.mk), started on port 0 and tested over
#    loopback by tests/NN-*/stages/ the way a client would use it.
# It prints a line per item, the first problem in plain words, a progress bar and
# "homework: N passed, M failed", and exits non-zero until everything passes.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/tests/build/homework
CC=${CC:-cc}
HW_CFLAGS=${HW_CFLAGS:--std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wpedantic -g}
export CC HW_CFLAGS
CHECK_CFLAGS=$(pkg-config --cflags check)
CHECK_LIBS=$(pkg-config --libs check)

chapter=""
exercise=""
verify=0
while [ $# -gt 0 ]; do
    case $1 in
    --chapter) chapter=$2; shift 2 ;;
    --exercise) exercise=$2; shift 2 ;;
    --verify) verify=1; shift ;;
    *) echo "usage: $0 [--chapter N] [--exercise N.M|N.sK] [--verify]" >&2; exit 2 ;;
    esac
done
[ -n "$exercise" ] && chapter=${exercise%%.*}
# CH=01-http-close works as well as CH=1.
case $chapter in
[0-9]*-*) chapter=${chapter%%-*} ;;
esac
chapter=${chapter#0}

tmp=$BUILD/run
mkdir -p "$tmp"

# Every test process group a stage started (tests/harness/stage.c notes them here):
# on Ctrl-C, or when we end, nothing of the learner's is left running.
PGROUPS=$tmp/pgroups
: >"$PGROUPS"
stop_everything() {
    while read -r group; do
        kill -KILL -- "-$group" 2>/dev/null
    done <"$PGROUPS"
    : >"$PGROUPS"
}
trap 'stop_everything; echo; echo "homework: stopped"; exit 130' INT TERM
trap 'stop_everything' EXIT

# The work, from the comments in each exercises.h, in order, one per line:
#   unit  <TAB> id <TAB> function <TAB> file <TAB> chapter folder <TAB> book section
#   stage <TAB> id <TAB> title    <TAB> -    <TAB> chapter folder <TAB> book section
list_work() {
    for header in "$ROOT"/chapters/*/exercises/exercises.h; do
        [ -f "$header" ] || continue
        folder=$(basename "$(dirname "$(dirname "$header")")")
        awk -v folder="$folder" '
            function read_line() {
                getline
                r = $0; sub(/^ \* Read: /, "", r)
                return r
            }
            /^\/\* Exercise [0-9]+\.[0-9]+: [a-z_0-9]+\(\) in exercises\/[a-z_0-9]+\.c/ {
                id = $3; sub(":", "", id)
                fn = $4; sub(/\(\)/, "", fn)
                file = $6
                printf "unit\t%s\t%s\t%s\t%s\t%s\n", id, fn, file, folder, read_line()
            }
            /^\/\* Stage [0-9]+\.s[0-9]+: / {
                id = $3; sub(":", "", id)
                title = $0; sub(/^\/\* Stage [0-9]+\.s[0-9]+: /, "", title)
                printf "stage\t%s\t%s\t-\t%s\t%s\n", id, title, folder, read_line()
            }' "$header"
    done
}

# Build one unit exercise's test program from src (the learner's file, or a planted
# wrong answer) into bin. On failure, returns 1 with the compiler's messages in log.
build_unit() { # function folder src bin log
    obj=${4}.o
    if ! $CC $HW_CFLAGS -I"$ROOT/chapters/$2/exercises" -c "$3" -o "$obj" >"$5" 2>&1; then
        return 1
    fi
    # harness.c: a test may start the project's own servers (exercise 4.1 does).
    $CC $HW_CFLAGS $CHECK_CFLAGS -I"$ROOT/tests/harness" -I"$ROOT/chapters/$2/exercises" \
        -DPROJECT_ROOT="\"$ROOT\"" -DEXERCISE_TCASE="hw_$1" -o "$4" \
        "$ROOT/tests/harness/homework_main.c" "$ROOT/tests/harness/homework.c" \
        "$ROOT/tests/harness/harness.c" "$ROOT/tests/$2/homework/hw_$1.c" "$obj" \
        $CHECK_LIBS >>"$5" 2>&1
}

# Build a chapter's program from exercises/ and its stage tests, once per run.
# Sets program (the learner's binary) and returns 1 with the messages in log.
built_folders=""
build_program() { # folder log
    program=$BUILD/$1/$(make -s -f "$ROOT/tests/homework.mk" CHAPTER="$1" print-program)
    case " $built_folders " in
    *" $1:ok "*) return 0 ;;
    *" $1:failed "*) cp "$BUILD/$1/program.build" "$2"; return 1 ;;
    esac
    mkdir -p "$BUILD/$1"
    if make -s -B -f "$ROOT/tests/homework.mk" CHAPTER="$1" FROM=exercises \
        OUTDIR="$BUILD/$1" >"$BUILD/$1/program.build" 2>&1 &&
        make -s -C "$ROOT/tests" "build/stages_$1" >>"$BUILD/$1/program.build" 2>&1; then
        built_folders="$built_folders $1:ok"
        cp "$BUILD/$1/program.build" "$2"
        return 0
    fi
    built_folders="$built_folders $1:failed"
    cp "$BUILD/$1/program.build" "$2"
    return 1
}

# Check's verbose lines for failures look like
#   path/hw_x.c:42:F:1.3 percent_decode:test_name:0: message
# Print "test_name<TAB>message" for each failed or errored test.
failures() {
    sed -n -E 's/^[^:]*:[0-9]+:[FE]:[^:]*:([^:]*):[0-9]+: (.*)$/\1\t\2/p' "$1"
}

# The state of a run from its verbose output: done, not started, failing, crashed, hung.
judge() { # output-file passed(0/1)
    if [ "$2" = 1 ]; then
        echo done
        return
    fi
    fails=$(failures "$1")
    real=$(printf '%s\n' "$fails" | grep -v "	not started" | head -n 1)
    if [ -z "$real" ] && ! grep -q ':P:' "$1"; then
        echo "not started"
        return
    fi
    [ -n "$real" ] || real=$(printf '%s\n' "$fails" | head -n 1)
    case $real in
    *"Received signal"* | *crashed*) echo crashed ;;
    *"timeout expired"* | *"no answer in"* | *"did not exit within"* | \
        *"neither answered nor closed"* | *"got nothing in"* | *"nothing in 5 s"* | \
        *"nothing moved for"*) echo hung ;;
    *) echo failing ;;
    esac
}

# The first real failure's "test<TAB>message".
first_failure() {
    fails=$(failures "$1")
    real=$(printf '%s\n' "$fails" | grep -v "	not started" | head -n 1)
    [ -n "$real" ] || real=$(printf '%s\n' "$fails" | head -n 1)
    printf '%s' "$real"
}

run_unit() { # id function file folder -> sets state, detail
    log=$tmp/$1.build
    out=$tmp/$1.out
    : >"$out"
    detail=""
    mkdir -p "$BUILD/$4"
    if ! build_unit "$2" "$4" "$ROOT/chapters/$4/$3" "$BUILD/$4/hw_$2" "$log"; then
        state="build error"
        detail=$(grep -E 'error|undefined reference|Undefined symbols' "$log" | head -n 5)
    elif [ "$verify" = 1 ]; then
        if CK_VERBOSITY=verbose HOMEWORK_VERIFY=1 "$BUILD/$4/hw_$2" >"$out" 2>&1; then
            state="fails as shipped"
        else
            state="PASSES SOME TESTS AS SHIPPED"
            detail=$(grep -E ':P:' "$out" | head -n 3)
        fi
    else
        ok=0
        CK_VERBOSITY=verbose "$BUILD/$4/hw_$2" >"$out" 2>&1 && ok=1
        state=$(judge "$out" $ok)
        detail=$(first_failure "$out")
    fi
}

run_stage() { # id folder -> sets state, detail, stderr_tail
    log=$tmp/$1.build
    out=$tmp/$1.out
    errdir=$tmp/$1.stderr
    : >"$out"
    rm -rf "$errdir"
    mkdir -p "$errdir"
    detail=""
    stderr_tail=""
    if ! build_program "$2" "$log"; then
        state="build error"
        detail=$(grep -E 'error|undefined reference|Undefined symbols|No rule' "$log" | head -n 5)
        return
    fi
    ok=0
    if [ "$verify" = 1 ]; then
        STAGE_PROGRAM=$program STAGE_STDERR_DIR=$errdir STAGE_PGROUPS=$PGROUPS \
            CK_RUN_CASE=$1 CK_VERBOSITY=verbose HOMEWORK_VERIFY=1 \
            "$ROOT/tests/build/stages_$2" >"$out" 2>&1 && ok=1
        stop_everything
        if [ $ok = 1 ]; then
            state="fails as shipped"
        else
            state="PASSES AS SHIPPED"
            detail=$(grep -E ':P:|passes against' "$out" | head -n 3)
        fi
        return
    fi
    STAGE_PROGRAM=$program STAGE_STDERR_DIR=$errdir STAGE_PGROUPS=$PGROUPS \
        CK_RUN_CASE=$1 CK_VERBOSITY=verbose "$ROOT/tests/build/stages_$2" >"$out" 2>&1 &&
        ok=1
    stop_everything
    state=$(judge "$out" $ok)
    [ "$state" = "not started" ] && state=failing # a stage has no TODO value to return
    detail=$(first_failure "$out")
    newest=$(ls -t "$errdir" 2>/dev/null | grep -v '^server-ended$' | head -n 1)
    [ -n "$newest" ] && stderr_tail=$(tail -n 12 "$errdir/$newest")
    # The server died under the test (tests/harness/stage.c noted how): say so first.
    if [ "$ok" = 0 ] && [ -s "$errdir/server-ended" ]; then
        read -r how number <"$errdir/server-ended"
        if [ "$how" = signal ]; then
            state=crashed
            detail="$(printf '%s' "$detail" | cut -f1)	your server crashed (signal $number, SIG$(kill -l "$number" 2>/dev/null)) while the test talked to it; the test then saw: $(printf '%s' "$detail" | cut -f2-)"
        else
            detail="$(printf '%s' "$detail" | cut -f1)	your server exited (status $number) while the test talked to it; the test then saw: $(printf '%s' "$detail" | cut -f2-)"
        fi
    fi
}

bar() { # passed total
    width=30
    filled=$(($1 * width / ($2 > 0 ? $2 : 1)))
    line=""
    i=0
    while [ $i -lt $width ]; do
        if [ $i -lt $filled ]; then line="$line#"; else line="$line."; fi
        i=$((i + 1))
    done
    printf '[%s] %d/%d\n' "$line" "$1" "$2"
}

passed=0
failed=0
first=""
list=$(list_work)
[ -n "$list" ] || { echo "no exercises found under chapters/*/exercises/" >&2; exit 1; }

current_folder=""
tab=$(printf '\t')
while IFS="$tab" read -r kind id name file folder read; do
    [ -n "$chapter" ] && [ "${id%%.*}" != "$chapter" ] && continue
    [ -n "$exercise" ] && [ "$id" != "$exercise" ] && continue
    if [ "$folder" != "$current_folder" ]; then
        echo "Homework for $folder (edit chapters/$folder/exercises/):"
        current_folder=$folder
    fi
    stderr_tail=""
    if [ "$kind" = unit ]; then
        run_unit "$id" "$name" "$file" "$folder"
        label="$name()"
    else
        run_stage "$id" "$folder"
        label="stage: $name"
        file="exercises/$(basename "$program").c"
    fi

    if [ "$state" = done ] || [ "$state" = "fails as shipped" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
    case $state in
    done | "fails as shipped") hint="" ;;
    *) hint="  read ${read#*section }" ;;
    esac
    printf '  %-5s %-46.46s %-12s%s\n' "$id" "$label" "$state" "$hint"

    if [ -n "$exercise" ]; then # one item: show everything
        [ -s "$log" ] && { echo "--- compiler output"; cat "$log"; }
        [ -s "$out" ] && { echo "--- test output"; cat "$out"; }
        [ -n "$stderr_tail" ] && { echo "--- your server's stderr (last lines)"; printf '%s\n' "$stderr_tail"; }
    fi
    if [ -z "$first" ] && [ "$state" != done ] && [ "$state" != "fails as shipped" ]; then
        first="$kind$tab$id$tab$name$tab$file$tab$folder$tab$read$tab$state"
        first_detail=$detail
        first_stderr=$stderr_tail
    fi
done <<EOF_LIST
$list
EOF_LIST

total=$((passed + failed))
if [ "$total" -eq 0 ]; then
    echo "nothing matches${chapter:+ chapter $chapter}${exercise:+ exercise $exercise};" \
        "the exercises and stages are:" $(printf '%s\n' "$list" | cut -f2) >&2
    exit 2
fi

# Planted wrong answers: each must fail its exercise's tests (verify only).
if [ "$verify" = 1 ] && [ -z "$exercise" ]; then
    echo "Planted wrong answers (tests/*/homework/mutants/), each must be rejected:"
    for mutant in "$ROOT"/tests/*/homework/mutants/*.c; do
        [ -f "$mutant" ] || continue
        folder=$(basename "$(dirname "$(dirname "$(dirname "$mutant")")")")
        [ -n "$chapter" ] && [ "${folder%%-*}" != "$(printf '%02d' "$chapter")" ] && continue
        base=$(basename "$mutant" .c)
        fn=${base%%.*}
        bin=$BUILD/mutants/$folder/$base
        mkdir -p "$(dirname "$bin")"
        if ! build_unit "$fn" "$folder" "$mutant" "$bin" "$tmp/mutant.build"; then
            state="DOES NOT BUILD"
        elif "$bin" >"$tmp/mutant.out" 2>&1; then
            state="PASSES (the tests miss this mistake)"
        else
            state=rejected
        fi
        if [ "$state" = rejected ]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            [ -n "$first" ] || first="mutant$tab$base$tab$fn$tab${mutant#"$ROOT"/}$tab$folder$tab-$tab$state"
        fi
        printf '  %-48s %s\n' "$folder/$base" "$state"
    done
    total=$((passed + failed))
fi

if [ -n "$first" ]; then
    IFS="$tab" read -r kind id name file folder read state <<EOF_FIRST
$first
EOF_FIRST
    echo
    if [ "$verify" = 1 ]; then
        echo "$id: $state"
        printf '%s\n' "$first_detail" | sed 's/^/    /'
    elif [ "$kind" = stage ]; then
        echo "Next: stage $id, $name ($state)"
        case $state in
        "build error")
            echo "    Your program does not compile or link (every .c in exercises/):"
            printf '%s\n' "$first_detail" | sed 's/^/      /' ;;
        *)
            echo "    Test $(printf '%s' "$first_detail" | cut -f1) says:"
            echo "      $(printf '%s' "$first_detail" | cut -f2-)" ;;
        esac
        if [ -n "$first_stderr" ]; then
            echo "    Your server's stderr ended with:"
            printf '%s\n' "$first_stderr" | sed 's/^/      | /'
        fi
        echo "    Edit: chapters/$folder/$file"
        echo "    Read: $read"
        [ -n "$exercise" ] || echo "    Details: make homework EX=$id"
    else
        echo "Next: exercise $id, $name() ($state)"
        case $state in
        "not started")
            echo "    It still returns its TODO value. Write the function, then run this again." ;;
        "build error")
            echo "    Your file does not compile (or no longer defines $name()):"
            printf '%s\n' "$first_detail" | sed 's/^/      /' ;;
        crashed)
            echo "    A test crashed inside your code: $(printf '%s' "$first_detail" | cut -f2)"
            echo "    Likely cause: a NULL or out-of-bounds pointer, or writing past the end of out." ;;
        hung)
            echo "    A test did not finish within its time limit (test $(printf '%s' "$first_detail" | cut -f1))."
            echo "    Likely cause: a loop that never ends; check that every loop moves forward." ;;
        failing)
            echo "    Test $(printf '%s' "$first_detail" | cut -f1) says:"
            echo "      $(printf '%s' "$first_detail" | cut -f2-)" ;;
        esac
        echo "    Edit: chapters/$folder/$file, function $name()"
        echo "    Read: $read"
        [ -n "$exercise" ] || echo "    Details: make homework EX=$id"
    fi
fi
echo
bar "$passed" "$total"
if [ "$verify" = 1 ]; then
    echo "homework-verify: $passed passed, $failed failed"
else
    echo "homework: $passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
