#!/bin/sh
# homework.sh: the homework runner behind `make homework`.
#
#   make homework            every exercise, in teaching order
#   make homework CH=1       one chapter
#   make homework EX=1.2     one exercise, with the compiler's and the tests' full output
#   make homework-verify     (maintainers, CI) every test must FAIL against the stubs
#
# Each exercise is a function in chapters/NN-*/exercises/<name>.c, described in that
# folder's exercises.h. The runner compiles the learner's file on its own (only the
# C library: no common/), links it with the exercise's Check tests from
# tests/NN-*/homework/hw_<name>.c, and runs them. It prints a line per exercise, the
# first problem in plain words, a progress bar and "homework: N passed, M failed",
# and exits non-zero until everything passes.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/tests/build/homework
CC=${CC:-cc}
HW_CFLAGS=${HW_CFLAGS:--std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wpedantic -g}
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
    *) echo "usage: $0 [--chapter N] [--exercise N.M] [--verify]" >&2; exit 2 ;;
    esac
done
[ -n "$exercise" ] && chapter=${exercise%%.*}
# CH=01-http-close works as well as CH=1.
case $chapter in
[0-9]*-*) chapter=${chapter%%-*} ;;
esac
chapter=${chapter#0}

# The exercises, from the comments in each exercises.h, one per line:
#   id <TAB> function <TAB> file <TAB> chapter folder <TAB> book section
list_exercises() {
    for header in "$ROOT"/chapters/*/exercises/exercises.h; do
        [ -f "$header" ] || continue
        folder=$(basename "$(dirname "$(dirname "$header")")")
        awk -v folder="$folder" '
            /^\/\* Exercise [0-9]+\.[0-9]+: [a-z_0-9]+\(\) in exercises\/[a-z_0-9]+\.c/ {
                id = $3; sub(":", "", id)
                fn = $4; sub(/\(\)/, "", fn)
                file = $6
                getline
                read = $0; sub(/^ \* Read: /, "", read)
                printf "%s\t%s\t%s\t%s\t%s\n", id, fn, file, folder, read
            }' "$header"
    done
}

# Build one exercise's test program from the learner's file. Output: the program's
# path; on failure, returns 1 with the compiler's messages in $log.
build_exercise() { # id function file folder log
    dir=$BUILD/$4
    mkdir -p "$dir"
    obj=$dir/$2.o
    bin=$dir/hw_$2
    src=$ROOT/chapters/$4/$3
    if ! $CC $HW_CFLAGS -I"$ROOT/chapters/$4/exercises" -c "$src" -o "$obj" >"$5" 2>&1; then
        return 1
    fi
    # harness.c: a test may start the project's own servers (exercise 4.1 does).
    if ! $CC $HW_CFLAGS $CHECK_CFLAGS -I"$ROOT/tests/harness" -I"$ROOT/chapters/$4/exercises" \
        -DPROJECT_ROOT="\"$ROOT\"" -DEXERCISE_TCASE="hw_$2" -o "$bin" \
        "$ROOT/tests/harness/homework_main.c" "$ROOT/tests/harness/homework.c" \
        "$ROOT/tests/harness/harness.c" "$ROOT/tests/$4/homework/hw_$2.c" "$obj" \
        $CHECK_LIBS >>"$5" 2>&1; then
        return 1
    fi
    # Warnings from the learner's own file are worth seeing even when it builds.
    return 0
}

# Check's verbose lines for failures look like
#   path/hw_x.c:42:F:1.2 percent_decode:test_name:0: message
# Print "test_name<TAB>message" for each failed or errored test.
failures() {
    sed -n -E 's/^[^:]*:[0-9]+:[FE]:[^:]*:([^:]*):[0-9]+: (.*)$/\1\t\2/p' "$1"
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
tmp=$BUILD/run
mkdir -p "$tmp"
list=$(list_exercises)
[ -n "$list" ] || { echo "no exercises found under chapters/*/exercises/" >&2; exit 1; }

current_folder=""
tab=$(printf '\t')
while IFS="$tab" read -r id fn file folder read; do
    [ -n "$chapter" ] && [ "${id%%.*}" != "$chapter" ] && continue
    [ -n "$exercise" ] && [ "$id" != "$exercise" ] && continue
    if [ "$folder" != "$current_folder" ]; then
        echo "Homework for $folder (edit chapters/$folder/exercises/):"
        current_folder=$folder
    fi
    log=$tmp/$id.build
    out=$tmp/$id.out
    : >"$out"
    detail=""
    if ! build_exercise "$id" "$fn" "$file" "$folder" "$log"; then
        state="build error"
        detail=$(grep -E 'error|undefined reference|Undefined symbols' "$log" | head -n 5)
    elif [ "$verify" = 1 ]; then
        if CK_VERBOSITY=verbose HOMEWORK_VERIFY=1 "$BUILD/$folder/hw_$fn" >"$out" 2>&1; then
            state="fails as shipped"
        else
            state="PASSES SOME TESTS AS SHIPPED"
            detail=$(grep -E ':P:' "$out" | head -n 3)
        fi
    elif CK_VERBOSITY=verbose "$BUILD/$folder/hw_$fn" >"$out" 2>&1; then
        state="done"
    else
        fails=$(failures "$out")
        real=$(printf '%s\n' "$fails" | grep -v "	not started" | head -n 1)
        if [ -z "$real" ] && ! grep -q ':P:' "$out"; then
            state="not started"
            detail=$(printf '%s\n' "$fails" | head -n 1)
        else
            [ -n "$real" ] || real=$(printf '%s\n' "$fails" | head -n 1)
            detail=$real
            case $real in
            *"Received signal"*) state="crashed" ;;
            *"timeout expired"*) state="hung" ;;
            *) state="failing" ;;
            esac
        fi
    fi

    if [ "$state" = done ] || [ "$state" = "fails as shipped" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
    case $state in
    done | "fails as shipped") hint="" ;;
    *) hint="  edit $file; read ${read#*section }" ;;
    esac
    printf '  %-5s %-24s %-12s%s\n' "$id" "$fn()" "$state" "$hint"

    if [ -n "$exercise" ]; then # one exercise: show everything
        [ -s "$log" ] && { echo "--- compiler output"; cat "$log"; }
        [ -s "$out" ] && { echo "--- test output"; cat "$out"; }
    fi
    if [ -z "$first" ] && [ "$state" != done ] && [ "$state" != "fails as shipped" ]; then
        first="$id$tab$fn$tab$file$tab$folder$tab$read$tab$state"
        first_detail=$detail
    fi
done <<EOF_LIST
$list
EOF_LIST

total=$((passed + failed))
if [ "$total" -eq 0 ]; then
    echo "no exercise matches${chapter:+ chapter $chapter}${exercise:+ exercise $exercise};" \
        "the exercises are:" $(printf '%s\n' "$list" | cut -f1) >&2
    exit 2
fi

if [ -n "$first" ]; then
    IFS="$tab" read -r id fn file folder read state <<EOF_FIRST
$first
EOF_FIRST
    echo
    if [ "$verify" = 1 ]; then
        echo "Exercise $id: $state"
        printf '%s\n' "$first_detail" | sed 's/^/    /'
    else
        echo "Next: exercise $id, $fn() ($state)"
        case $state in
        "not started")
            echo "    It still returns its TODO value. Write the function, then run this again." ;;
        "build error")
            echo "    Your file does not compile (or no longer defines $fn()):"
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
        echo "    Edit: chapters/$folder/$file, function $fn()"
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
