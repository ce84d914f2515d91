#!/bin/sh
# tests/bench/bench.sh: measure chapter 1's and chapter 2's httpd beside nginx (and, for
# chapter 1, python's http.server).
#
# `make bench` runs this. It is a measurement, not a test: `make test` never runs it,
# and it never fails because a number is low. It exits non-zero only when it cannot
# measure at all (no ab, no httpd).
#
# What it does, in one run:
#   1. prints the machine and the exact configuration of every server;
#   2. makes a temporary document root with a 1 KiB and a 1 MiB file, served only on
#      127.0.0.1, every server on a free port;
#   chapter 1 (SECTION=1), a connection per request:
#   3. serves it with chapter 1's httpd, with nginx (one worker, sendfile off, a
#      generated config) and with `python3 -m http.server`;
#   4. runs ab (ApacheBench) `-n 5000 -c 1` and `-n 20000 -c 32` on both files,
#      ROUNDS times (default 3), the servers interleaved within each round so that
#      noise on the machine hits all of them alike, and reports the median run;
#   5. checks that httpd does not fall over under `ab -r -n 5000 -c 256`, and counts
#      the sockets left in TIME_WAIT by httpd's -c 32 run;
#   chapter 2 (SECTION=2), keep-alive:
#   6. serves it with chapter 2's httpd (a process per connection), chapter 1's httpd,
#      and two nginx, both sendfile off: one worker, and `worker_processes auto`;
#   7. runs `ab -k -c 1`, `ab -k -c 32` and `wrk -t2 -c64 -d10s` on both files, and
#      `ab -c 32` without keep-alive on the 1 KiB file, interleaved, medians of ROUNDS;
#   8. prints the lesson in numbers (keep-alive against chapter 1) and the issue's
#      targets, met or missed;
#   9. prints aligned tables and writes a Markdown copy, plus every raw ab and wrk
#      output, to tests/bench/results/ (git-ignored).
# A reference server that is not installed is skipped with a note, and so is wrk.
# Everything it starts, it stops, also on Ctrl-C.
#
# Environment:
#   SECTION=1|2|all  which chapter's part to run (default all: both, one after the other)
#   QUICK=1          small request counts, for a smoke run (about a minute)
#   ROUNDS=N         runs per measurement, the median is reported (default 3)
#   MAX_RUN_SECS=S   cap on one ab run (default 60): a slower server gets fewer
#                    requests in that run, and the table says so
#   HTTPD=PATH       chapter 1's server (default chapters/01-http-close/httpd)
#   HTTPD2=PATH      chapter 2's server (default chapters/02-keep-alive/httpd)
#
# POSIX sh: runs under dash, bash, and macOS's sh.

set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
HTTPD=${HTTPD:-$top/chapters/01-http-close/httpd}
HTTPD2=${HTTPD2:-$top/chapters/02-keep-alive/httpd}
QUICK=${QUICK:-0}
ROUNDS=${ROUNDS:-3}
MAX_RUN_SECS=${MAX_RUN_SECS:-60}
SECTION=${SECTION:-all}
results=$here/results

case $SECTION in
all | both | '1 2' | 1,2 | 12) do1=1 do2=1 ;;
1) do1=1 do2=0 ;;
2) do1=0 do2=1 ;;
*) printf 'bench: SECTION must be 1, 2 or all (got "%s")\n' "$SECTION" >&2; exit 2 ;;
esac

if [ "$QUICK" = 1 ]; then
    N_C1=200 N_C32=1000 N_BIG_C1=100 N_BIG_C32=200 N_FALL=500
    N_K_SMALL=2000 N_K_BIG=100 N_NOK=1000 WRK_SECS=2
else
    N_C1=5000 N_C32=20000 N_BIG_C1=5000 N_BIG_C32=20000 N_FALL=5000
    # ab -k on the 1 MiB file: 5000, not 50000, requests (50000 would be 50 GiB a run,
    # half a minute each, 12 minutes in all): still hundreds of milliseconds of
    # steady state per run.
    N_K_SMALL=50000 N_K_BIG=5000 N_NOK=20000 WRK_SECS=10
fi
# Chapter 2's httpd: -n and -c above anything the bench asks for (at most 64 clients at
# once, every request of a run on one connection), -t far above any pause within a run.
CH2_MAX_REQUESTS=1000000
CH2_MAX_CHILDREN=256
CH2_IDLE_SECS=30

say() { printf '%s\n' "$*"; }
note() { printf '  note: %s\n' "$*"; }

# ---------------------------------------------------------------- prerequisites

if ! command -v ab >/dev/null 2>&1; then
    cat >&2 <<'EOF'
bench: ab (ApacheBench) is not installed, and it does the measuring. Install it:
  Debian/Ubuntu:  sudo apt-get install apache2-utils
  Fedora/RHEL:    sudo dnf install httpd-tools
  Arch:           sudo pacman -S apache
  macOS:          ab ships with macOS (/usr/sbin/ab); or: brew install httpd
then run `make bench` again.
EOF
    exit 1
fi
# Both parts need chapter 1's server: chapter 2's part measures it beside chapter 2's.
if [ ! -x "$HTTPD" ]; then
    say "bench: $HTTPD is not built; run \`make ch1\` (or \`make bench\`) first" >&2
    exit 1
fi
if [ "$do2" = 1 ] && [ ! -x "$HTTPD2" ]; then
    say "bench: $HTTPD2 is not built; run \`make ch2\` (or \`make bench\`) first" >&2
    exit 1
fi
case $ROUNDS in '' | *[!0-9]* | 0) say "bench: ROUNDS must be a positive number" >&2; exit 2 ;; esac
case $MAX_RUN_SECS in '' | *[!0-9]* | 0) say "bench: MAX_RUN_SECS must be a positive number" >&2; exit 2 ;; esac
have_wrk=
command -v wrk >/dev/null 2>&1 && have_wrk=1

# ---------------------------------------------------------------- cleanup

# Every server we start is remembered here and stopped on any exit, Ctrl-C included.
# (Background jobs of a non-interactive shell ignore SIGINT, so Ctrl-C alone would
# leave them running: the trap sends them SIGTERM.)
tmp=
server_pids=
client_pid=

# The process and its children (nginx's master and its workers, chapter 2's parent and
# its per-connection children), by pid, never by name.
children_of() {
    ps -A -o pid= -o ppid= 2>/dev/null | awk -v p="$1" '$2 == p { print $1 }'
}

stop_pid() {
    pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kids=$(children_of "$pid")
    kill -TERM "$pid" 2>/dev/null
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    for k in $kids; do
        kill -0 "$k" 2>/dev/null && kill -KILL "$k" 2>/dev/null
    done
    return 0
}

# Stop the servers started so far (at the end of a part), and forget them.
stop_servers() {
    for p in $server_pids; do
        stop_pid "$p"
    done
    server_pids=
}

cleanup() {
    if [ -n "$client_pid" ]; then
        kill -TERM "$client_pid" 2>/dev/null
        wait "$client_pid" 2>/dev/null
        client_pid=
    fi
    stop_servers
    [ -n "$tmp" ] && rm -rf "$tmp"
    tmp=
}
trap cleanup EXIT
trap 'say ""; say "bench: interrupted, stopping the servers"; exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX") || exit 1
# Readable by all: run as root, nginx's worker drops to "nobody" and must reach the files.
chmod 755 "$tmp"
docroot=$tmp/www
mkdir "$docroot"
dd if=/dev/urandom of="$docroot/1k.bin" bs=1024 count=1 2>/dev/null
dd if=/dev/urandom of="$docroot/1m.bin" bs=1024 count=1024 2>/dev/null
chmod 755 "$docroot"
chmod 644 "$docroot/1k.bin" "$docroot/1m.bin"

stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p "$results" || exit 1
raw=$results/bench-$stamp
mkdir -p "$raw" || exit 1
md=$results/bench-$stamp.md
: >"$md"
runs=$raw/runs.tsv
notes=$raw/notes.tsv
runs2=$raw/ch2-runs.tsv
notes2=$raw/ch2-notes.tsv
: >"$runs"
: >"$notes"
: >"$runs2"
: >"$notes2"
start_time=$(date +%s)

# ---------------------------------------------------------------- the machine

os_name() {
    if [ -r /etc/os-release ]; then
        (. /etc/os-release && printf '%s' "${PRETTY_NAME:-$NAME}")
    elif command -v sw_vers >/dev/null 2>&1; then
        printf 'macOS %s' "$(sw_vers -productVersion)"
    else
        uname -s
    fi
}
cpu_model() {
    m=
    if [ -r /proc/cpuinfo ]; then
        m=$(awk -F': *' '/^(model name|Hardware|cpu model|Processor)[ \t]*:/ { print $2; exit }' /proc/cpuinfo)
    fi
    [ -z "$m" ] && m=$(sysctl -n machdep.cpu.brand_string 2>/dev/null)
    printf '%s' "${m:-unknown CPU}"
}
cpu_cores() {
    getconf _NPROCESSORS_ONLN 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo '?'
}
kernel_somaxconn() {
    cat /proc/sys/net/core/somaxconn 2>/dev/null || sysctl -n kern.ipc.somaxconn 2>/dev/null || echo '?'
}
# Linux counts connections refused because a listen queue was full; other systems: '-'.
listen_overflows() {
    if [ -r /proc/net/netstat ]; then
        awk '$1 == "TcpExt:" { if (!h) { for (i = 2; i <= NF; i++) col[$i] = i; h = 1 }
                                else { print $(col["ListenOverflows"]) + 0; exit } }' /proc/net/netstat
    else
        echo -
    fi
}

cores=$(cpu_cores)
machine="$(cpu_model), $cores cores, $(os_name), $(uname -srm)"
somaxconn=$(kernel_somaxconn)
ab_version=$(ab -V 2>&1 | sed -n 's/^This is ApacheBench, Version \([^ ]*\).*/\1/p')
wrk_version=
[ -n "$have_wrk" ] && wrk_version=$(wrk -v 2>&1 | sed -n '1s/^wrk \([^ ]*\).*/\1/p')
httpd_flags=$(sed -n 's/^\(CC=.*\)$/\1/p' "$top/.build-flags" 2>/dev/null)
say "machine: $machine"
say "date:    $(date -u '+%Y-%m-%d %H:%M UTC'); the clients and the servers share the machine over loopback"
if [ "$QUICK" = 1 ]; then
    say "mode:    QUICK=1 (smoke run: small counts, numbers not meaningful)"
fi
say ""

# ---------------------------------------------------------------- helpers for both parts

# Run a client (ab, wrk): run_client OUTFILE COMMAND...; returns its exit status. It runs
# in the background while the shell waits for it: a client in the foreground may catch
# Ctrl-C itself (wrk prints its results and exits 0), and then the shell would carry on.
# This way the trap runs at once, and cleanup stops the client too.
run_client() {
    client_out=$1
    shift
    "$@" >"$client_out" 2>&1 &
    client_pid=$!
    wait "$client_pid"
    client_rc=$?
    client_pid=
    return $client_rc
}

# Wait until `ab -n 1` gets the 1 KiB file whole from $1, for up to 10 s.
wait_ready() {
    url=$1
    pid=$2
    i=0
    while [ $i -lt 100 ]; do
        kill -0 "$pid" 2>/dev/null || return 1
        if ab -n 1 "$url/1k.bin" 2>/dev/null | grep -q '^Document Length: *1024 bytes'; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# The backlog a listening socket really has (ss shows it as Send-Q), where ss exists.
real_backlog() {
    command -v ss >/dev/null 2>&1 || return 0
    ss -ltnH "sport = :$1" 2>/dev/null | awk 'NR == 1 { print $3 }'
}

# Start one of our servers on port 0: start_ours OUTFILE COMMAND...; it prints its real
# port on its first line. Sets started_pid and started_port; returns 1 if it does not
# start or does not serve the test file.
start_ours() {
    out=$1
    shift
    "$@" >"$out" 2>/dev/null &
    started_pid=$!
    server_pids="$server_pids $started_pid"
    started_port=
    i=0
    while [ $i -lt 100 ] && [ -z "$started_port" ] && kill -0 "$started_pid" 2>/dev/null; do
        started_port=$(sed -n '1s|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$out")
        [ -z "$started_port" ] && sleep 0.1
        i=$((i + 1))
    done
    [ -n "$started_port" ] && wait_ready "http://127.0.0.1:$started_port" "$started_pid"
}

# nginx, everything inside DIR so it needs no root: start_nginx DIR WORKERS EXTRA [LOG],
# where EXTRA is more lines for the http block (each starting with a newline), or
# empty, and LOG the access_log setting (default off).
# Sets started_pid and started_port, or returns 1 (the error log is in DIR).
nginx_version=
eflag=
if command -v nginx >/dev/null 2>&1; then
    nginx_version=$(nginx -v 2>&1 | sed -n 's|.*nginx/\([^ ]*\).*|\1|p')
    if nginx -h 2>&1 | grep -q -- '-e filename'; then
        eflag=1
    fi
fi
start_nginx() {
    ngx=$1 workers=$2 extra=$3 access_log=${4:-off}
    mkdir "$ngx"
    chmod 755 "$ngx"
    started_port=
    tries=0
    while [ $tries -lt 10 ] && [ -z "$started_port" ]; do
        tries=$((tries + 1))
        # Below Linux's ephemeral range (32768-60999), so ab's own ports never collide.
        port=$(od -An -N2 -tu2 /dev/urandom | awk '{ print 20000 + $1 % 12000 }')
        cat >"$ngx/nginx.conf" <<EOF
worker_processes $workers;
daemon off;
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
events {
    worker_connections 1024;
}
http {
    access_log $access_log;
    sendfile off;$extra
    default_type application/octet-stream;
    client_body_temp_path $ngx/client_body;
    proxy_temp_path $ngx/proxy;
    fastcgi_temp_path $ngx/fastcgi;
    uwsgi_temp_path $ngx/uwsgi;
    scgi_temp_path $ngx/scgi;
    server {
        listen 127.0.0.1:$port;
        root $docroot;
    }
}
EOF
        if [ -n "$eflag" ]; then
            nginx -p "$ngx" -e "$ngx/error.log" -c "$ngx/nginx.conf" >"$ngx/stdout" 2>&1 &
        else
            nginx -p "$ngx" -c "$ngx/nginx.conf" >"$ngx/stdout" 2>&1 &
        fi
        started_pid=$!
        if wait_ready "http://127.0.0.1:$port" "$started_pid"; then
            started_port=$port
            server_pids="$server_pids $started_pid"
        else
            stop_pid "$started_pid" # most likely the port was taken: try another
        fi
    done
    [ -n "$started_port" ]
}

# Rotate the order of the servers each round, so none always runs first or last.
rotate() {
    k=$1
    shift
    while [ "$k" -gt 0 ]; do
        first=$1
        shift
        set -- "$@" "$first"
        k=$((k - 1))
    done
    echo "$@"
}

# Sockets in TIME_WAIT on loopback: prints "TOTAL ON_PORT TOOL", or "n/a".
time_wait_count() {
    if command -v ss >/dev/null 2>&1; then
        ss -tan state time-wait 2>/dev/null | awk -v p="$1" '
            $1 !~ /^[0-9]+$/ { next }                         # the header
            $3 ~ /^(127\.|\[::1\]|::1|\[::ffff:127\.)/ {
                n++; port = $3; sub(/.*:/, "", port); if (port == p) m++ }
            END { print n + 0, m + 0, "ss" }'
    elif command -v netstat >/dev/null 2>&1; then
        # Linux: 127.0.0.1:8001; macOS and the BSDs: 127.0.0.1.8001. The state comes last.
        netstat -an 2>/dev/null | awk -v p="$1" '
            $1 ~ /^tcp/ && $NF == "TIME_WAIT" && $4 ~ /^(127\.|::1|\[::1\])/ {
                n++; port = $4; sub(/.*[:.]/, "", port); if (port == p) m++ }
            END { print n + 0, m + 0, "netstat" }'
    else
        echo n/a
    fi
}

# ================================================================ chapter 1

servers=
httpd_port='' httpd_pid='' nginx_port='' nginx_pid='' python_port='' python_pid=''
tw_count='' tw_round=''

ch1_servers() {
    say "== chapter 1: httpd (iterative, HTTP/1.0, a connection per request) vs nginx vs python http.server"
    say ""
    say "client:  ab ${ab_version:-?} ($(command -v ab)), without -k: one connection per request"
    say ""

    # httpd: port 0, and the real port from its first line.
    if ! start_ours "$tmp/httpd.out" "$HTTPD" -b 127.0.0.1 -p 0 -d "$docroot"; then
        say "bench: httpd did not start or does not serve the test file" >&2
        exit 1
    fi
    httpd_pid=$started_pid
    httpd_port=$started_port
    servers=httpd
    somaxconn_h=$(printf '#include <sys/socket.h>\nSOMAXCONN\n' | ${CC:-cc} -E -P - 2>/dev/null | awk 'NF { v = $0 } END { print v }')
    say "httpd:   $HTTPD -b 127.0.0.1 -p 0 -d DOCROOT 2>/dev/null (port $httpd_port)"
    say "         iterative (one connection at a time), HTTP/1.0, closes after each response"
    httpd_backlog=$(real_backlog "$httpd_port")
    if [ -z "$httpd_backlog" ]; then # no ss (macOS): the smaller of what we ask and the cap
        case "${somaxconn_h:-x} ${somaxconn:-x}" in
        *[!0-9\ ]*) ;;
        *) httpd_backlog=$somaxconn_h
           [ "$somaxconn" -lt "$somaxconn_h" ] && httpd_backlog=$somaxconn ;;
        esac
    fi
    say "         listen(SOMAXCONN${somaxconn_h:+ = $somaxconn_h}), kernel cap somaxconn = $somaxconn${httpd_backlog:+, effective backlog $httpd_backlog}"
    say "         access log on stderr, to /dev/null; built with: ${httpd_flags:-unknown flags}"
    case $httpd_flags in *SANITIZE=1*)
        note "httpd is built with SANITIZE=1: its numbers are not representative (make clean; make)" ;;
    esac
    say ""

    # nginx: one worker, sendfile off, everything inside $tmp/nginx so it needs no root.
    nginx_port=
    if command -v nginx >/dev/null 2>&1; then
        if start_nginx "$tmp/nginx" 1 ""; then
            nginx_pid=$started_pid
            nginx_port=$started_port
            servers="$servers nginx"
            nginx_backlog=$(real_backlog "$nginx_port")
            say "nginx:   nginx ${nginx_version:-?} ($(command -v nginx)) -p TMP -c TMP/nginx.conf (port $nginx_port)"
            say "         master + 1 worker, sendfile off, access_log off, default listen backlog${nginx_backlog:+ (real: $nginx_backlog)}"
            say "         keepalive settings are irrelevant: ab without -k sends HTTP/1.0 requests and nginx closes"
            say "         the generated TMP/nginx.conf:"
            sed "s|$tmp|TMP|g; s|^|           |" "$tmp/nginx/nginx.conf"
        else
            say "nginx:   installed, but would not start (error log below); skipped, so no 'vs nginx' ratios"
            sed 's/^/           /' "$tmp/nginx/error.log" "$tmp/nginx/stdout" 2>/dev/null | tail -n 5
        fi
    else
        say "nginx:   not installed; skipped, so no 'vs nginx' ratios (apt-get install nginx / dnf install nginx / brew install nginx)"
    fi
    say ""

    # python3 -m http.server: port 0, the real port from its first line (-u: unbuffered).
    python_port=
    if command -v python3 >/dev/null 2>&1; then
        (cd "$docroot" && exec python3 -u -m http.server --bind 127.0.0.1 0) >"$tmp/python.out" 2>/dev/null &
        python_pid=$!
        server_pids="$server_pids $python_pid"
        i=0
        while [ $i -lt 100 ] && [ -z "$python_port" ] && kill -0 "$python_pid" 2>/dev/null; do
            python_port=$(sed -n '1s/.* port \([0-9][0-9]*\).*/\1/p' "$tmp/python.out")
            [ -z "$python_port" ] && sleep 0.1
            i=$((i + 1))
        done
        if [ -n "$python_port" ] && wait_ready "http://127.0.0.1:$python_port" "$python_pid"; then
            servers="$servers python"
            python_info=$(python3 -c 'import platform, http.server as h
cls = getattr(h, "ThreadingHTTPServer", h.HTTPServer)
print("%s %s, %s (listen backlog %d), handler %s" % (platform.python_implementation(),
      platform.python_version(), cls.__name__, cls.request_queue_size,
      h.SimpleHTTPRequestHandler.protocol_version))' 2>/dev/null)
            python_backlog=$(real_backlog "$python_port")
            say "python:  python3 -u -m http.server --bind 127.0.0.1 0, in DOCROOT, stderr to /dev/null (port $python_port)"
            say "         ${python_info:-version unknown}${python_backlog:+; real backlog $python_backlog}"
        else
            stop_pid "$python_pid"
            python_port=
            say "python:  python3 -m http.server would not start; skipped"
        fi
    else
        say "python:  python3 not installed; skipped"
    fi
    say ""
}

url_of() {
    case $1 in
    httpd) printf 'http://127.0.0.1:%s' "$httpd_port" ;;
    nginx) printf 'http://127.0.0.1:%s' "$nginx_port" ;;
    python) printf 'http://127.0.0.1:%s' "$python_port" ;;
    esac
}
pid_of() {
    case $1 in
    httpd) printf '%s' "$httpd_pid" ;;
    nginx) printf '%s' "$nginx_pid" ;;
    python) printf '%s' "$python_pid" ;;
    esac
}

# The measurements: id, label, file, concurrency, requests, the issue's target ratio
# of httpd's requests/s to nginx's.
tests="s1 s32 b1 b32"
test_info() {
    case $1 in
    s1) echo "1 KiB -c 1|1k.bin|1|$N_C1|0.7" ;;
    s32) echo "1 KiB -c 32|1k.bin|32|$N_C32|0.7" ;;
    b1) echo "1 MiB -c 1|1m.bin|1|$N_BIG_C1|0.8" ;;
    b32) echo "1 MiB -c 32|1m.bin|32|$N_BIG_C32|0.8" ;;
    esac
}

# One ab run; appends a line to $runs (and to $notes if something happened):
# test server round requested completed req/s mean_ms p99_ms failed non2xx aborted capped
# overflows max_ms
run_ab() {
    t=$1 srv=$2 round=$3 file=$4 conc=$5 n=$6 extra=$7
    out=$raw/$t-$srv-$round.txt
    csv=$raw/$t-$srv-$round.csv
    rm -f "$csv"
    if ! kill -0 "$(pid_of "$srv")" 2>/dev/null; then
        printf '%s\t%s\t%s\n' "$t" "$srv" "round $round: the server is no longer running" >>"$notes"
    fi
    before=$(listen_overflows)
    # -t before -n: stop after MAX_RUN_SECS or n requests, whichever comes first.
    # shellcheck disable=SC2086
    run_client "$out" ab -q $extra -e "$csv" -t "$MAX_RUN_SECS" -n "$n" -c "$conc" "$(url_of "$srv")/$file"
    rc=$?
    after=$(listen_overflows)
    # ab -e: the percentiles with decimals. ab computes p99 from one past the last
    # sample when there are 50 or fewer requests; then the maximum stands in for it.
    pct=$(awk -F, '$1 == "98" { p98 = $2 } $1 == "99" { p99 = $2 } $1 == "100" { p100 = $2 }
        END { if (p100 != "") print (p99 + 0 < p98 + 0 ? p100 : p99), p100 }' "$csv" 2>/dev/null)
    p99=${pct% *}
    pmax=${pct#* }
    awk -v t="$t" -v s="$srv" -v r="$round" -v n="$n" -v rc="$rc" -v p99="${p99:--}" -v pmax="${pmax:--}" \
        -v ovf="$before $after" -v runs="$runs" -v notes="$notes" '
        /^Complete requests:/ { done = $3 }
        /^Failed requests:/ { failed = $3 }
        /^ *\(Connect: [0-9]+, Receive/ { why = $0; sub(/^ */, "", why) }
        /^Non-2xx responses:/ { non2xx = $3 }
        /^Requests per second:/ { rps = $4 }
        /^Time per request:/ && !/across/ { mean = $4 }
        /^Total of [0-9]+ requests completed/ { total = $3 }
        { if (msg == "" && match($0, /apr_[a-z_]+: .*|Test aborted.*|ab: .*/)) msg = substr($0, RSTART, RLENGTH) }
        END {
            split(ovf, o, " ")
            overflows = (o[1] == "-" || o[2] == "-") ? "-" : o[2] - o[1]
            aborted = (rc != 0 || rps == "") ? 1 : 0
            if (done == "") done = (total == "" ? 0 : total)
            if (failed == "") failed = 0
            if (non2xx == "") non2xx = 0
            capped = (!aborted && done + 0 < n + 0) ? 1 : 0
            printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t, s, r, n, done,
                aborted ? "-" : rps, aborted ? "-" : mean, aborted ? "-" : p99, failed, non2xx,
                aborted, capped, overflows, aborted ? "-" : pmax >> runs
            if (aborted)
                printf "%s\t%s\tround %s: ab aborted after %d of %d requests: %s\n", t, s, r, done, n,
                    (msg == "" ? "exit status " rc : msg) >> notes
            if (failed + 0 > 0 && why != "")
                printf "%s\t%s\tround %s: %d failed %s\n", t, s, r, failed, why >> notes
        }' "$out"
}

ch1_measure() {
    for t in $tests; do
        printf '%s|%s\n' "$t" "$(test_info "$t")"
    done | tr '|' '\t' >"$raw/tests.tsv"
    nservers=$(echo $servers | wc -w)
    total_runs=$((ROUNDS * 4 * nservers))
    say "measuring: $ROUNDS rounds x 4 measurements x $nservers server(s) = $total_runs ab runs (each capped at $MAX_RUN_SECS s),"
    say "then the -c 256 check; a full run takes about 5 minutes on a 2-core machine"
    done_runs=0
    round=1
    while [ $round -le "$ROUNDS" ]; do
        order=$(rotate $(((round - 1) % nservers)) $servers)
        for t in $tests; do
            info=$(test_info "$t")
            label=${info%%|*}
            rest=${info#*|}
            file=${rest%%|*}
            rest=${rest#*|}
            conc=${rest%%|*}
            rest=${rest#*|}
            n=${rest%%|*}
            for srv in $order; do
                done_runs=$((done_runs + 1))
                printf '  [%d/%d] round %d, %-12s %-6s ab -n %s -c %s\n' "$done_runs" "$total_runs" \
                    "$round" "$label," "$srv" "$n" "$conc"
                run_ab "$t" "$srv" "$round" "$file" "$conc" "$n" ""
                # For chapter 2's book: how many connections httpd, which closes first,
                # still remembers right after its -c 32 run (the last round's count).
                if [ "$t" = s32 ] && [ "$srv" = httpd ]; then
                    tw_count=$(time_wait_count "$httpd_port")
                    tw_round=$round
                fi
            done
        done
        round=$((round + 1))
    done

    # The fall-over check: far more clients than an iterative server serves at once; they
    # wait in the listen queue. -r: count receive errors instead of stopping at the first.
    # shellcheck disable=SC3045 # ulimit -n: not in POSIX, but in every sh this runs under
    fds=$(ulimit -n 2>/dev/null)
    case $fds in
    '' | *[!0-9]*) ;;
    *) [ "$fds" -lt 300 ] && note "ulimit -n is $fds: ab needs about 260 descriptors for -c 256 (ulimit -n 1024)" ;;
    esac
    say "  [check] httpd, 1 KiB, ab -r -n $N_FALL -c 256"
    run_ab fall httpd 1 1k.bin 256 "$N_FALL" "-r"
    fall_out=$raw/fall-httpd-1.txt
}

# Medians per (measurement, server) and the table, as text (mode=text) or Markdown.
report() {
    awk -F'\t' -v mode="$1" -v servers="$servers" -v rounds="$ROUNDS" -v cap="$MAX_RUN_SECS" -v q="'" '
    function median(list,    a, k, i, j, x) {
        k = split(list, a, " ")
        if (k == 0) return ""
        for (i = 2; i <= k; i++) {          # insertion sort, numeric
            x = a[i]
            for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]
            a[j + 1] = x
        }
        return a[int((k + 1) / 2)]          # the lower middle for an even count
    }
    function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "-" : sprintf("%.2fx", a / b) }
    function cellfmt(c, width) { return (c <= 2 ? "%-" : "%") width "s" }
    FILENAME ~ /tests\.tsv$/ { ntests++; tid[ntests] = $1; label[$1] = $2; target[$1] = $6; next }
    FILENAME ~ /runs\.tsv$/ {
        key = $1 SUBSEP $2
        runs[key]++; req[key] = $4
        if ($13 != "-") ovf[key] += $13
        if ($11 == 1) { aborted[key]++; next }
        rps[key] = rps[key] " " $6; mean[key] = mean[key] " " $7
        if ($8 != "-") p99[key] = p99[key] " " $8
        if ($14 != "-") pmax[key] = pmax[key] " " $14
        failed[key] += $9 + $10
        if ($12 == 1) { capped[key]++; if (mindone[key] == "" || $5 + 0 < mindone[key]) mindone[key] = $5 }
        next
    }
    $1 != "fall" { nnotes++; nt_t[nnotes] = $1; nt_s[nnotes] = $2; nt_x[nnotes] = $3 }   # notes.tsv
    END {
        nsrv = split(servers, srv, " ")
        hdr = "measurement|server|requests|req/s|vs nginx|mean ms|vs nginx|p99 ms|max ms|failed"
        nrows = 0
        for (i = 1; i <= ntests; i++) {
            t = tid[i]
            nk = t SUBSEP "nginx"
            nr = median(rps[nk]); nm = median(mean[nk])
            first = 1
            for (s = 1; s <= nsrv; s++) {
                key = t SUBSEP srv[s]
                if (!(key in runs)) continue
                r = median(rps[key]); m = median(mean[key]); p = median(p99[key])
                x = median(pmax[key])
                fl = failed[key] + 0
                if (aborted[key]) fl = fl " +" aborted[key] "/" runs[key] " aborted"
                n = req[key]
                if (capped[key]) { n = mindone[key] "-" req[key] "*"; anycap = 1 }
                row[++nrows] = (first ? label[t] : "") "|" srv[s] "|" n "|" \
                    (r == "" ? "-" : sprintf("%.1f", r)) "|" ratio(r, nr) "|" \
                    (m == "" ? "-" : sprintf("%.3f", m)) "|" ratio(m, nm) "|" \
                    (p == "" ? "-" : sprintf("%.2f", p)) "|" (x == "" ? "-" : sprintf("%.1f", x)) "|" fl
                first = 0
                group[nrows] = i
                med_rps[key] = r
                fails[key] = failed[key] + aborted[key]
            }
        }
        nc = split(hdr, h, "|")
        if (mode == "md") {
            line = "|"; sep = "|"
            for (c = 1; c <= nc; c++) { line = line " " h[c] " |"; sep = sep (c <= 2 ? "---|" : "---:|") }
            print line; print sep
            for (j = 1; j <= nrows; j++) {
                split(row[j], cell, "|"); line = "|"
                for (c = 1; c <= nc; c++) line = line " " cell[c] " |"
                print line
            }
        } else {
            for (c = 1; c <= nc; c++) w[c] = length(h[c])
            for (j = 1; j <= nrows; j++) {
                split(row[j], cell, "|")
                for (c = 1; c <= nc; c++) if (length(cell[c]) > w[c]) w[c] = length(cell[c])
            }
            line = ""; rule = ""
            for (c = 1; c <= nc; c++) {
                line = line (c > 1 ? "  " : "") sprintf(cellfmt(c, w[c]), h[c])
                rule = rule (c > 1 ? "  " : "") sprintf("%" w[c] "s", "")
            }
            gsub(/ /, "-", rule)
            print line; print rule
            for (j = 1; j <= nrows; j++) {
                if (j > 1 && group[j] != group[j - 1]) print ""
                split(row[j], cell, "|"); line = ""
                for (c = 1; c <= nc; c++) line = line (c > 1 ? "  " : "") sprintf(cellfmt(c, w[c]), cell[c])
                sub(/ +$/, "", line)
                print line
            }
        }
        pre = (mode == "md") ? "- " : "  "
        ind = (mode == "md") ? "  " : "    "
        print ""
        print pre "every figure is the median of " rounds " runs. mean ms is ab" q "s \"Time per request\""
        print ind "(mean), the time one client waits for one response (concurrency x elapsed / requests),"
        print ind "not the \"across all concurrent requests\" figure. p99 ms, max ms: the 99th percentile"
        print ind "and the slowest request of a run (ab -e); a max far above p99 is a request that waited"
        print ind "for a retransmitted SYN (a full listen queue: 1 s, then 3 s, 7 s)."
        print pre "vs nginx: the figure divided by nginx" q "s (req/s: higher is better; mean ms: lower is better)."
        print pre "failed: ab" q "s \"Failed requests\" plus \"Non-2xx responses\", summed over all runs; a run that ab"
        print ind "aborted (a socket error, without -r) is counted apart and left out of the medians."
        if (anycap)
            print pre "*: some runs hit the " cap " s cap (MAX_RUN_SECS) and completed fewer requests (min-max shown)."
        for (i = 1; i <= ntests; i++)
            for (j = 1; j <= nnotes; j++)
                if (nt_t[j] == tid[i])
                    print pre label[nt_t[j]] ", " nt_s[j] ": " nt_x[j]
        for (i = 1; i <= ntests; i++)
            for (s = 1; s <= nsrv; s++) {
                key = tid[i] SUBSEP srv[s]
                if (ovf[key] > 0)
                    print pre label[tid[i]] ", " srv[s] ": " ovf[key] " connections overflowed its listen queue" \
                        " (kernel ListenOverflows, all runs)"
            }
        # The issue targets, for information: reported, never tuned for.
        print ""
        print (mode == "md" ? "Targets from the issue (information, not a test):" : "targets from the issue (information, not a test):")
        if (mode == "md") print ""
        for (i = 1; i <= ntests; i++) {
            t = tid[i]
            h1 = med_rps[t SUBSEP "httpd"]; n1 = med_rps[t SUBSEP "nginx"]; p1 = med_rps[t SUBSEP "python"]
            if (h1 == "") {
                printf "%s%-12s no httpd figure (every run aborted)\n", pre, label[t] ":"
                continue
            }
            s1 = (n1 == "") ? "no nginx figure" : \
                sprintf("%.2fx nginx (>= %sx: %s)", h1 / n1, target[t], h1 / n1 >= target[t] ? "met" : "MISSED")
            s2 = (p1 == "" || p1 + 0 == 0) ? "no python figure" : \
                sprintf("%.1fx python (>= 3x: %s)", h1 / p1, h1 / p1 >= 3 ? "met" : "MISSED")
            f1 = fails[t SUBSEP "httpd"] + 0
            s3 = sprintf("%d failed (0: %s)", f1, f1 == 0 ? "met" : "MISSED")
            printf "%s%-12s httpd %s, %s, %s\n", pre, label[t] ":", s1, s2, s3
        }
    }' "$raw/tests.tsv" "$runs" "$notes"
}

# The fall-over check, from ab's own output.
fall_report() {
    pre=$1 ind=$2
    awk -F'\t' '$1 == "fall"' "$runs" | {
        IFS='	' read -r _ _ _ n completed rps mean p99 failed non2xx aborted _ ovf pmax
        why=$(sed -n 's/^ *(\(Connect: .*\))$/\1/p' "$fall_out")
        if [ "$aborted" = 1 ]; then
            printf '%shttpd ABORTED after %s of %s requests: %s\n' "$pre" "$completed" "$n" \
                "$(awk -F'\t' '$1 == "fall" { print $3 }' "$notes" | head -n 1)"
        else
            printf '%shttpd, 1 KiB, ab -r -n %s -c 256: %s completed, %s failed%s, %s non-2xx;\n' \
                "$pre" "$n" "$completed" "$failed" "${why:+ ($why)}" "$non2xx"
            printf '%s%s req/s, mean %s ms, p99 %s ms, max %s ms; listen-queue overflows: %s\n' \
                "$ind" "$rps" "$mean" "$p99" "$pmax" "$ovf"
            if [ "$failed" = 0 ] && [ "$non2xx" = 0 ]; then
                printf '%sno fall-over: every request answered\n' "$ind"
            else
                printf '%sFELL OVER: see %s\n' "$ind" "$fall_out"
            fi
        fi
        printf '%sthe waiting clients queue in the kernel: listen(SOMAXCONN), capped at somaxconn = %s%s\n' \
            "$ind" "$somaxconn" "${httpd_backlog:+; effective backlog $httpd_backlog}"
        case ${httpd_backlog:-x} in
        *[!0-9]*) ;;
        *) if [ "$httpd_backlog" -lt 256 ]; then
            printf '%sa backlog under 256 cannot hold every waiting client: expect SYN retransmits (1 s, 3 s, ...)\n' "$ind"
        fi ;;
        esac
    }
}

# The TIME_WAIT count taken right after httpd's 1 KiB -c 32 run, for chapter 2's book.
time_wait_report() {
    pre=$1 ind=$2
    range=$(tr -s ' \t' '-' </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
    case ${tw_count:-n/a} in
    n/a)
        printf "%sTIME_WAIT right after httpd's 1 KiB -c 32 run: n/a (neither ss nor netstat)\n" "$pre" ;;
    *)
        # shellcheck disable=SC2086 # "TOTAL ON_PORT TOOL"
        set -- $tw_count
        printf "%sTIME_WAIT on loopback right after httpd's 1 KiB -c 32 run (round %s): %s sockets, %s on httpd's port (%s)\n" \
            "$pre" "$tw_round" "$1" "$2" "$3"
        printf "%shttpd closes first, so it holds each closed connection in TIME_WAIT (60 s on Linux); that run alone\n" "$ind"
        printf "%sopened %s connections%s\n" "$ind" "$N_C32" \
            "${range:+, from client ports $range (a SYN from a reused port ends the TIME_WAIT of that port early)}" ;;
    esac
}

ch1_report() {
    elapsed=$(($(date +%s) - start_time))
    say ""
    say "results (ab, loopback, $machine):"
    say ""
    report text
    say ""
    say "no fall-over check:"
    fall_report "  " "    "
    say ""
    time_wait_report "" "  "
    say ""
    say "bench time: $((elapsed / 60)) min $((elapsed % 60)) s; raw ab output: $raw/"

    {
        say "# httpd (chapter 1) vs nginx vs python http.server"
        say ""
        say "- machine: $machine"
        quick_note=
        [ "$QUICK" = 1 ] && quick_note="; QUICK=1 smoke run, numbers not meaningful"
        say "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); bench time $((elapsed / 60)) min $((elapsed % 60)) s$quick_note"
        say "- client: ab ${ab_version:-?}, without -k (one connection per request), on the same machine over loopback"
        say "- httpd: \`$HTTPD -b 127.0.0.1 -p 0\`, iterative, listen(SOMAXCONN), ${httpd_flags:-unknown flags}"
        [ -n "$nginx_port" ] && say "- nginx ${nginx_version:-?}: master + 1 worker, sendfile off, access_log off (config: bench-$stamp/nginx.conf)"
        [ -n "$python_port" ] && say "- python: \`python3 -m http.server --bind 127.0.0.1\`, ${python_info:-?}"
        say ""
        report md
        say ""
        say "No fall-over check:"
        say ""
        fall_report "- " "  "
        say ""
        time_wait_report "- " "  "
        say ""
    } >>"$md"
    [ -n "$nginx_port" ] && sed "s|$tmp|TMP|g" "$tmp/nginx/nginx.conf" >"$raw/nginx.conf"
}

# ================================================================ chapter 2

servers2=
ch2_port='' ch2_pid='' c1_port='' c1_pid='' ngx1_port='' ngx1_pid='' ngxa_port='' ngxa_pid=''
ngx_workers_auto=
ngx_keepalive="keepalive_requests $CH2_MAX_REQUESTS; keepalive_timeout ${CH2_IDLE_SECS}s"
# Logging alike: chapter 2 holds its access log and writes it in pieces of up to 16 KiB
# (common/log.h) to stderr, here /dev/null; nginx does the same with these settings.
ngx_log="/dev/null combined buffer=16k flush=1s"
fork_port='' fork_pid=''
ngx1_conf='' ngxa_conf=''

ch2_servers() {
    say "== chapter 2: httpd (keep-alive, a process per connection) vs chapter 1 vs nginx"
    say ""
    say "clients: ab ${ab_version:-?}; with -k it sends HTTP/1.0 + Connection: Keep-Alive and keeps each client's"
    say "         connection for the whole run (where the server agrees); without -k, a connection per request"
    if [ -n "$have_wrk" ]; then
        say "         wrk ${wrk_version:-?} ($(command -v wrk)): HTTP/1.1, persistent connections, -t2 -c64 -d${WRK_SECS}s --latency"
    else
        say "         wrk: not installed, so the wrk rows are skipped (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk)"
    fi
    say ""

    ch2_flags="-n $CH2_MAX_REQUESTS -c $CH2_MAX_CHILDREN -t $CH2_IDLE_SECS"
    # shellcheck disable=SC2086
    if ! start_ours "$tmp/ch2.out" "$HTTPD2" -b 127.0.0.1 -p 0 -d "$docroot" $ch2_flags; then
        say "bench: chapter 2's httpd did not start or does not serve the test file" >&2
        exit 1
    fi
    ch2_pid=$started_pid
    ch2_port=$started_port
    servers2=ch2
    say "ch2:        $HTTPD2 -b 127.0.0.1 -p 0 -d DOCROOT $ch2_flags 2>/dev/null (port $ch2_port)"
    say "            a process per connection (fork), at most $CH2_MAX_CHILDREN at once; HTTP/1.1, keep-alive for up to"
    say "            $CH2_MAX_REQUESTS requests per connection, $CH2_IDLE_SECS s idle: above anything the bench asks (64 clients at most)"
    say "            access log held, written in 16 KiB pieces to stderr = /dev/null; built with: ${httpd_flags:-unknown flags}"

    if ! start_ours "$tmp/ch1.out" "$HTTPD" -b 127.0.0.1 -p 0 -d "$docroot"; then
        say "bench: chapter 1's httpd did not start or does not serve the test file" >&2
        exit 1
    fi
    c1_pid=$started_pid
    c1_port=$started_port
    servers2="$servers2 ch1"
    say "ch1:        $HTTPD -b 127.0.0.1 -p 0 -d DOCROOT 2>/dev/null (port $c1_port)"
    say "            iterative, HTTP/1.0, Connection: close after each response: ab -k and wrk reconnect"
    case $httpd_flags in *SANITIZE=1*)
        note "built with SANITIZE=1: the numbers are not representative (make clean; make)" ;;
    esac

    # The ceiling of chapter 2's model: tests/bench/forkd.c, a fork per connection and
    # nothing else (no checks, limits, timeouts or log). Not part of the lesson.
    if ${CC:-cc} -O2 -o "$tmp/forkd" "$here/forkd.c" 2>"$tmp/forkd.build" &&
        start_ours "$tmp/forkd.out" "$tmp/forkd" "$docroot"; then
        fork_pid=$started_pid
        fork_port=$started_port
        servers2="$servers2 fork"
        say "fork:       tests/bench/forkd.c, built here with ${CC:-cc} -O2 (port $fork_port): NOT part of the lesson, a"
        say "            ceiling: fork per connection, keep-alive, GET of a file in DOCROOT, no checks, no log"
    else
        say "fork:       tests/bench/forkd.c did not build or start; skipped"
        sed 's/^/            /' "$tmp/forkd.build" 2>/dev/null | tail -n 3
    fi

    if command -v nginx >/dev/null 2>&1; then
        extra="
    keepalive_requests $CH2_MAX_REQUESTS;
    keepalive_timeout ${CH2_IDLE_SECS}s;"
        if start_nginx "$tmp/nginx-1w" 1 "$extra" "$ngx_log"; then
            ngx1_pid=$started_pid
            ngx1_port=$started_port
            servers2="$servers2 nginx-1w"
            ngx1_conf="nginx ${nginx_version:-?}, worker_processes 1, sendfile off, $ngx_keepalive"
            say "nginx-1w:   nginx ${nginx_version:-?} ($(command -v nginx)) -p TMP -c TMP/nginx.conf (port $ngx1_port)"
            say "            master + 1 worker, sendfile off, access_log $ngx_log"
            say "            (held and written in 16 KiB pieces, as ch2 holds its log), $ngx_keepalive (as ch2's -n, -t);"
            say "            the generated TMP/nginx.conf:"
            sed "s|$tmp|TMP|g; s|^|              |" "$tmp/nginx-1w/nginx.conf"
        else
            say "nginx-1w:   would not start (error log below); skipped"
            sed 's/^/            /' "$tmp/nginx-1w/error.log" "$tmp/nginx-1w/stdout" 2>/dev/null | tail -n 5
        fi
        if start_nginx "$tmp/nginx-auto" auto "$extra" "$ngx_log"; then
            ngxa_pid=$started_pid
            ngxa_port=$started_port
            servers2="$servers2 nginx-auto"
            ngx_workers_auto=$(children_of "$ngxa_pid" | wc -l | tr -d ' ')
            ngxa_conf="nginx ${nginx_version:-?}, worker_processes auto ($ngx_workers_auto workers here), otherwise as nginx-1w"
            say "nginx-auto: the same config but \`worker_processes auto\` (and its own TMP dir): master + $ngx_workers_auto workers,"
            say "            one per core, as ch2 uses every core with a process per connection (port $ngxa_port)"
        else
            say "nginx-auto: would not start (error log below); skipped"
            sed 's/^/            /' "$tmp/nginx-auto/error.log" "$tmp/nginx-auto/stdout" 2>/dev/null | tail -n 5
        fi
    else
        say "nginx:      not installed; skipped, so no 'vs nginx' ratios (apt-get install nginx / dnf install nginx / brew install nginx)"
    fi
    say ""
}

url2_of() {
    case $1 in
    ch2) printf 'http://127.0.0.1:%s' "$ch2_port" ;;
    ch1) printf 'http://127.0.0.1:%s' "$c1_port" ;;
    fork) printf 'http://127.0.0.1:%s' "$fork_port" ;;
    nginx-1w) printf 'http://127.0.0.1:%s' "$ngx1_port" ;;
    nginx-auto) printf 'http://127.0.0.1:%s' "$ngxa_port" ;;
    esac
}
pid2_of() {
    case $1 in
    ch2) printf '%s' "$ch2_pid" ;;
    ch1) printf '%s' "$c1_pid" ;;
    fork) printf '%s' "$fork_pid" ;;
    nginx-1w) printf '%s' "$ngx1_pid" ;;
    nginx-auto) printf '%s' "$ngxa_pid" ;;
    esac
}

# The measurements: id, label, tool, file, concurrency, requests (ab) or seconds (wrk),
# ab's keep-alive flag.
tests2="ks1 ks32 ws64 kb1 kb32 wb64 cs32"
test2_info() {
    case $1 in
    ks1) echo "1 KiB ab -k -c 1|ab|1k.bin|1|$N_K_SMALL|-k" ;;
    ks32) echo "1 KiB ab -k -c 32|ab|1k.bin|32|$N_K_SMALL|-k" ;;
    ws64) echo "1 KiB wrk -c 64|wrk|1k.bin|64|$WRK_SECS|" ;;
    kb1) echo "1 MiB ab -k -c 1|ab|1m.bin|1|$N_K_BIG|-k" ;;
    kb32) echo "1 MiB ab -k -c 32|ab|1m.bin|32|$N_K_BIG|-k" ;;
    wb64) echo "1 MiB wrk -c 64|wrk|1m.bin|64|$WRK_SECS|" ;;
    cs32) echo "1 KiB ab -c 32|ab|1k.bin|32|$N_NOK|" ;;
    esac
}

# One ab or wrk run; appends to $runs2 (and to $notes2 if something happened):
# test server round tool requested completed req/s mean_ms p99_ms max_ms failed non2xx
# socket_errors keepalive_requests aborted capped
run2() {
    t=$1 srv=$2 round=$3 tool=$4 file=$5 conc=$6 n=$7 kflag=$8
    out=$raw/ch2-$t-$srv-$round.txt
    csv=$raw/ch2-$t-$srv-$round.csv
    url="$(url2_of "$srv")/$file"
    if ! kill -0 "$(pid2_of "$srv")" 2>/dev/null; then
        printf '%s\t%s\t%s\n' "$t" "$srv" "round $round: the server is no longer running" >>"$notes2"
    fi
    if [ "$tool" = wrk ]; then
        run_client "$out" wrk -t2 -c"$conc" -d"${n}s" --latency "$url"
        rc=$?
        awk -v t="$t" -v s="$srv" -v r="$round" -v rc="$rc" -v runs="$runs2" -v notes="$notes2" '
            function ms(v) {                        # wrk prints 812.00us, 1.27ms, 2.01s, 1.00m
                if (v ~ /us$/) return v / 1000
                if (v ~ /ms$/) return v + 0
                if (v ~ /m$/) return v * 60000
                if (v ~ /h$/) return v * 3600000
                return v * 1000
            }
            $1 == "Latency" && $2 ~ /^[0-9]/ { mean = ms($2); max = ms($4) }
            $1 == "99%" { p99 = ms($2) }
            / requests in / { done = $1 }
            /^ *Socket errors:/ { gsub(/,/, ""); se = $4 + $6 + $8 + $10
                                  sed = "connect " $4 ", read " $6 ", write " $8 ", timeout " $10 }
            /^ *Non-2xx or 3xx responses:/ { non2xx = $NF }
            /^Requests\/sec:/ { rps = $2 }
            { if (msg == "" && /[Ee]rror|unable|failed/) msg = $0 }
            END {
                aborted = (rc != 0 || rps == "" || done + 0 == 0) ? 1 : 0
                printf "%s\t%s\t%s\twrk\t-\t%d\t%s\t%s\t%s\t%s\t0\t%d\t%d\t-\t%d\t0\n", t, s, r, done,
                    aborted ? "-" : rps, aborted ? "-" : sprintf("%.3f", mean),
                    (aborted || p99 == "") ? "-" : sprintf("%.3f", p99),
                    aborted ? "-" : sprintf("%.3f", max), non2xx, se, aborted >> runs
                if (aborted)
                    printf "%s\t%s\tround %s: wrk failed (exit status %s): %s\n", t, s, r, rc,
                        (msg == "" ? "no requests completed" : msg) >> notes
                if (se > 0)
                    printf "%s\t%s\tround %s: socket errors: %s\n", t, s, r, sed >> notes
            }' "$out"
        return
    fi
    rm -f "$csv"
    # shellcheck disable=SC2086
    run_client "$out" ab -q $kflag -e "$csv" -t "$MAX_RUN_SECS" -n "$n" -c "$conc" "$url"
    rc=$?
    pct=$(awk -F, '$1 == "98" { p98 = $2 } $1 == "99" { p99 = $2 } $1 == "100" { p100 = $2 }
        END { if (p100 != "") print (p99 + 0 < p98 + 0 ? p100 : p99), p100 }' "$csv" 2>/dev/null)
    p99=${pct% *}
    pmax=${pct#* }
    awk -v t="$t" -v s="$srv" -v r="$round" -v n="$n" -v rc="$rc" -v p99="${p99:--}" -v pmax="${pmax:--}" \
        -v kflag="$kflag" -v runs="$runs2" -v notes="$notes2" '
        /^Complete requests:/ { done = $3 }
        /^Failed requests:/ { failed = $3 }
        /^ *\(Connect: [0-9]+, Receive/ { why = $0; sub(/^ */, "", why) }
        /^Non-2xx responses:/ { non2xx = $3 }
        /^Keep-Alive requests:/ { kept = $3 }
        /^Requests per second:/ { rps = $4 }
        /^Time per request:/ && !/across/ { mean = $4 }
        /^Total of [0-9]+ requests completed/ { total = $3 }
        { if (msg == "" && match($0, /apr_[a-z_]+: .*|Test aborted.*|ab: .*/)) msg = substr($0, RSTART, RLENGTH) }
        END {
            aborted = (rc != 0 || rps == "") ? 1 : 0
            if (done == "") done = (total == "" ? 0 : total)
            if (failed == "") failed = 0
            if (non2xx == "") non2xx = 0
            if (kflag == "") kept = "-"; else if (kept == "") kept = 0
            capped = (!aborted && done + 0 < n + 0) ? 1 : 0
            printf "%s\t%s\t%s\tab\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t-\t%s\t%s\t%s\n", t, s, r, n, done,
                aborted ? "-" : rps, aborted ? "-" : mean, aborted ? "-" : p99, aborted ? "-" : pmax,
                failed, non2xx, kept, aborted, capped >> runs
            if (aborted)
                printf "%s\t%s\tround %s: ab aborted after %d of %d requests: %s\n", t, s, r, done, n,
                    (msg == "" ? "exit status " rc : msg) >> notes
            if (failed + 0 > 0 && why != "")
                printf "%s\t%s\tround %s: %d failed %s\n", t, s, r, failed, why >> notes
        }' "$out"
}

ch2_measure() {
    for t in $tests2; do
        info=$(test2_info "$t")
        case $info in *"|wrk|"*) [ -n "$have_wrk" ] || continue ;; esac
        printf '%s|%s\n' "$t" "$info"
    done | tr '|' '\t' >"$raw/ch2-tests.tsv"
    active=$(cut -f1 "$raw/ch2-tests.tsv" | tr '\n' ' ')
    nservers=$(echo $servers2 | wc -w)
    ntests=$(echo $active | wc -w)
    total_runs=$((ROUNDS * ntests * nservers))
    say "measuring: $ROUNDS rounds x $ntests measurements x $nservers server(s) = $total_runs runs (ab capped at $MAX_RUN_SECS s);"
    say "a full run takes about 7 minutes on a 2-core machine"
    done_runs=0
    round=1
    while [ $round -le "$ROUNDS" ]; do
        order=$(rotate $(((round - 1) % nservers)) $servers2)
        for t in $active; do
            info=$(test2_info "$t")
            label=${info%%|*}
            rest=${info#*|}
            tool=${rest%%|*}
            rest=${rest#*|}
            file=${rest%%|*}
            rest=${rest#*|}
            conc=${rest%%|*}
            rest=${rest#*|}
            n=${rest%%|*}
            kflag=${rest#*|}
            for srv in $order; do
                done_runs=$((done_runs + 1))
                if [ "$tool" = wrk ]; then
                    cmd="wrk -t2 -c$conc -d${n}s"
                else
                    cmd="ab${kflag:+ $kflag} -n $n -c $conc"
                fi
                printf '  [%d/%d] round %d, %-18s %-10s %s\n' "$done_runs" "$total_runs" \
                    "$round" "$label," "$srv" "$cmd"
                run2 "$t" "$srv" "$round" "$tool" "$file" "$conc" "$n" "$kflag"
            done
        done
        round=$((round + 1))
    done
}

# System calls per request on a kept connection: strace -f -c attached to chapter 2's
# parent (and so its children) while ab -k -c 1 fetches the 1 KiB file 2,000 times.
# The per-connection calls (accept, fork, ...) are spread over the 2,000 requests.
# Sets syscalls2 to the summary line, or to why there is none.
CALLS_N=2000
ch2_syscalls() {
    syscalls2=
    if ! command -v strace >/dev/null 2>&1; then
        syscalls2="strace is not installed (Linux: apt-get install strace); skipped"
        return
    fi
    strace -f -c -o "$raw/ch2-strace.txt" -p "$ch2_pid" 2>"$tmp/strace.err" &
    strace_pid=$!
    sleep 1 # strace needs a moment to attach; a bench, not a test
    ab -q -k -n "$CALLS_N" -c 1 "http://127.0.0.1:$ch2_port/1k.bin" >"$raw/ch2-strace-ab.txt" 2>&1
    sleep 0.3
    kill -INT "$strace_pid" 2>/dev/null
    wait "$strace_pid" 2>/dev/null
    syscalls2=$(awk -v n="$CALLS_N" '
        $NF == "total" { total = $4 }        # % time, seconds, usecs/call, calls, [errors,] name
        $1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" {
            calls = $4; name = $NF
            if (calls / n >= 0.005) list = list sprintf("%s%s %.2f", (list == "" ? "" : ", "), name, calls / n)
        }
        END {
            if (total == "") exit 1
            printf "%.2f per request (%s): at most 8: %s", total / n, list, (total / n <= 8 ? "met" : "MISSED")
        }' "$raw/ch2-strace.txt" 2>/dev/null) ||
        syscalls2="strace could not attach ($(head -n 1 "$tmp/strace.err")); skipped"
}

# Medians per (measurement, server), the table, the lesson and the targets, as text
# (mode=text) or Markdown (mode=md).
report2() {
    awk -F'\t' -v mode="$1" -v servers="$servers2" -v rounds="$ROUNDS" -v cap="$MAX_RUN_SECS" -v q="'" \
        -v ngx1conf="$ngx1_conf" -v ngxaconf="$ngxa_conf" -v havewrk="${have_wrk:-0}" '
    function median(list,    a, k, i, j, x) {
        k = split(list, a, " ")
        if (k == 0) return ""
        for (i = 2; i <= k; i++) {
            x = a[i]
            for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]
            a[j + 1] = x
        }
        return a[int((k + 1) / 2)]
    }
    function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "-" : sprintf("%.2fx", a / b) }
    function cellfmt(c, width) { return (c <= 2 ? "%-" : "%") width "s" }
    function verdict(ok) { return ok ? "met" : "MISSED" }
    # "0.93x nginx-1w (met), 0.61x nginx-auto (MISSED)" for a higher-is-better figure
    function vs_both(v, t, want, lower,    s, k, n, x, out) {
        out = ""
        for (k = 1; k <= 2; k++) {
            n = (k == 1) ? "nginx-1w" : "nginx-auto"
            x = (lower ? med_mean[t SUBSEP n] : med_rps[t SUBSEP n])
            if (x == "" || x + 0 == 0) continue
            out = out (out == "" ? "" : ", ") sprintf("%.2fx %s (%s)", v / x, n,
                verdict(lower ? v / x <= want : v / x >= want))
        }
        return out == "" ? "no nginx figure" : out
    }
    FILENAME ~ /tests\.tsv$/ { ntests++; tid[ntests] = $1; label[$1] = $2; tool[$1] = $3; conc[$1] = $5
                               amount[$1] = $6; kf[$1] = $7; next }
    FILENAME ~ /runs\.tsv$/ {
        key = $1 SUBSEP $2
        runs[key]++; req[key] = $5
        if ($15 == 1) { aborted[key]++; next }
        rps[key] = rps[key] " " $7; mean[key] = mean[key] " " $8; done[key] = done[key] " " $6
        donesum[key] += $6
        if ($9 != "-") p99[key] = p99[key] " " $9
        if ($10 != "-") {
            pmax[key] = pmax[key] " " $10
            if (worst[key] == "" || $10 + 0 > worst[key] + 0) worst[key] = $10
        }
        failed[key] += $11; non2xx[key] += $12
        if ($13 != "-") { sockerr[key] += $13; wrkrow[key] = 1 }
        if ($14 != "-") { kept[key] += $14; keptof[key] += $6 }
        if ($16 == 1) { capped[key]++; if (mindone[key] == "" || $6 + 0 < mindone[key]) mindone[key] = $6 }
        next
    }
    { nnotes++; nt_t[nnotes] = $1; nt_s[nnotes] = $2; nt_x[nnotes] = $3 }   # notes
    END {
        nsrv = split(servers, srv, " ")
        hdr = "measurement|server|requests|req/s|vs 1w|vs auto|mean ms|vs 1w|vs auto|p99 ms|max ms|failed|non-2xx|sock err"
        nrows = 0
        for (i = 1; i <= ntests; i++) {
            t = tid[i]
            first = 1
            for (s = 1; s <= nsrv; s++) {
                key = t SUBSEP srv[s]
                if (!(key in runs)) continue
                med_rps[key] = median(rps[key]); med_mean[key] = median(mean[key])
            }
            r1 = med_rps[t SUBSEP "nginx-1w"]; m1 = med_mean[t SUBSEP "nginx-1w"]
            ra = med_rps[t SUBSEP "nginx-auto"]; ma = med_mean[t SUBSEP "nginx-auto"]
            for (s = 1; s <= nsrv; s++) {
                key = t SUBSEP srv[s]
                if (!(key in runs)) continue
                r = med_rps[key]; m = med_mean[key]; p = median(p99[key]); x = median(pmax[key])
                fl = failed[key] + 0
                if (aborted[key]) fl = fl " +" aborted[key] "/" runs[key] " aborted"
                if (tool[t] == "wrk") n = median(done[key])
                else n = req[key]
                if (capped[key]) { n = mindone[key] "-" req[key] "*"; anycap = 1 }
                row[++nrows] = (first ? label[t] : "") "|" srv[s] "|" n "|" \
                    (r == "" ? "-" : sprintf("%.1f", r)) "|" ratio(r, r1) "|" ratio(r, ra) "|" \
                    (m == "" ? "-" : sprintf("%.3f", m)) "|" ratio(m, m1) "|" ratio(m, ma) "|" \
                    (p == "" ? "-" : sprintf("%.2f", p)) "|" (x == "" ? "-" : sprintf("%.1f", x)) "|" \
                    fl "|" (non2xx[key] + 0) "|" (tool[t] == "wrk" ? sockerr[key] + 0 : "-")
                first = 0
                group[nrows] = i
            }
        }
        pre = (mode == "md") ? "- " : "  "
        ind = (mode == "md") ? "  " : "    "
        # Each reference and its configuration, beside the ratio columns that use it.
        if (ngx1conf != "") print pre "vs 1w:   divided by nginx-1w" q "s figure;   nginx-1w   = " ngx1conf
        if (ngxaconf != "") print pre "vs auto: divided by nginx-auto" q "s figure; nginx-auto = " ngxaconf
        if (ngx1conf == "" && ngxaconf == "") print pre "no nginx: no ratios"
        print ""
        nc = split(hdr, h, "|")
        if (mode == "md") {
            line = "|"; sep = "|"
            for (c = 1; c <= nc; c++) { line = line " " h[c] " |"; sep = sep (c <= 2 ? "---|" : "---:|") }
            print line; print sep
            for (j = 1; j <= nrows; j++) {
                split(row[j], cell, "|"); line = "|"
                for (c = 1; c <= nc; c++) line = line " " cell[c] " |"
                print line
            }
        } else {
            for (c = 1; c <= nc; c++) w[c] = length(h[c])
            for (j = 1; j <= nrows; j++) {
                split(row[j], cell, "|")
                for (c = 1; c <= nc; c++) if (length(cell[c]) > w[c]) w[c] = length(cell[c])
            }
            line = ""; rule = ""
            for (c = 1; c <= nc; c++) {
                line = line (c > 1 ? "  " : "") sprintf(cellfmt(c, w[c]), h[c])
                rule = rule (c > 1 ? "  " : "") sprintf("%" w[c] "s", "")
            }
            gsub(/ /, "-", rule)
            print line; print rule
            for (j = 1; j <= nrows; j++) {
                if (j > 1 && group[j] != group[j - 1]) print ""
                split(row[j], cell, "|"); line = ""
                for (c = 1; c <= nc; c++) line = line (c > 1 ? "  " : "") sprintf(cellfmt(c, w[c]), cell[c])
                sub(/ +$/, "", line)
                print line
            }
        }
        print ""
        print pre "req/s, mean ms, p99 ms, max ms: the median of " rounds " runs. ab: \"Requests per second\", \"Time per"
        print ind "request\" (mean: the time one client waits for one response), p99 and max from ab -e."
        print ind "wrk: \"Requests/sec\", and its latency Avg, 99% and Max. wrk rows: requests = the median count"
        print ind "done in the run" q "s time. ab -c 32 without -k: a connection per request, as in chapter 1."
        print pre "failed: ab" q "s \"Failed requests\"; non-2xx: ab" q "s \"Non-2xx responses\", wrk" q "s \"Non-2xx or 3xx"
        print ind "responses\"; sock err: wrk" q "s \"Socket errors\" (connect + read + write + timeout); all three"
        print ind "summed over the " rounds " runs. An aborted run is counted apart and left out of the medians."
        if (anycap)
            print pre "*: some runs hit the " cap " s cap (MAX_RUN_SECS) and completed fewer requests (min-max shown)."
        if (havewrk != 1)
            print pre "wrk is not installed: its rows are skipped (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk)."
        # How many requests ab really sent on a kept connection ("Keep-Alive requests").
        for (i = 1; i <= ntests; i++) {
            t = tid[i]
            if (kf[t] == "") continue
            s1 = ""
            for (s = 1; s <= nsrv; s++) {
                key = t SUBSEP srv[s]
                if (keptof[key] > 0) s1 = s1 (s1 == "" ? "" : ", ") srv[s] " " sprintf("%.0f%%", 100 * kept[key] / keptof[key])
            }
            if (s1 != "") print pre label[t] ": ab " q "Keep-Alive requests" q ": " s1
        }
        for (i = 1; i <= ntests; i++)
            for (j = 1; j <= nnotes; j++)
                if (nt_t[j] == tid[i])
                    print pre label[nt_t[j]] ", " nt_s[j] ": " nt_x[j]

        # The lesson of the chapter, in numbers.
        k2 = med_rps["ks32" SUBSEP "ch2"]; c1 = med_rps["cs32" SUBSEP "ch1"]; c2 = med_rps["cs32" SUBSEP "ch2"]
        print ""
        print (mode == "md" ? "The lesson in numbers (1 KiB, 32 clients at once):" : "the lesson in numbers (1 KiB, 32 clients at once):")
        if (mode == "md") print ""
        if (c1 != "") printf "%schapter 1, a connection per request (ab -c 32):    %9.1f req/s\n", pre, c1
        if (c2 != "") printf "%schapter 2, a connection per request (ab -c 32):    %9.1f req/s%s\n", pre, c2, \
            (c1 != "" ? sprintf(" = %.2fx chapter 1 (a fork per connection)", c2 / c1) : "")
        if (k2 != "") printf "%schapter 2, keep-alive (ab -k -c 32):               %9.1f req/s%s\n", pre, k2, \
            (c1 != "" ? sprintf(" = %.2fx chapter 1", k2 / c1) : "")
        if (k2 == "" || c1 == "") print pre "(a figure is missing: every run aborted)"

        # The issue targets, for information: reported, never tuned for.
        print ""
        print (mode == "md" ? "Targets from the issues (information, not a test; \"nginx\" is each reference):" : \
                              "targets from the issues (information, not a test; \"nginx\" is each reference):")
        if (mode == "md") print ""
        v = med_rps["ks32" SUBSEP "ch2"]
        printf "%s1 KiB ab -k -c 32 >= 1.0x nginx: %s\n", pre, (v == "" ? "no ch2 figure" : "ch2 " vs_both(v, "ks32", 1.0, 0))
        v = med_rps["ks1" SUBSEP "ch2"]
        printf "%s1 KiB ab -k -c 1 >= 1.0x nginx: %s\n", pre, (v == "" ? "no ch2 figure" : "ch2 " vs_both(v, "ks1", 1.0, 0))
        for (i = 1; i <= ntests; i++) {
            t = tid[i]
            if (tool[t] != "wrk") continue
            key = t SUBSEP "ch2"
            v = med_rps[key]
            if (v == "") { printf "%s%s >= 0.6x nginx: no ch2 figure\n", pre, label[t]; continue }
            pct = donesum[key] > 0 ? 100 * sockerr[key] / donesum[key] : 0
            want = (label[t] ~ /^1 KiB/) ? 0.9 : 0.6
            printf "%s%s >= %.1fx nginx, <= 0.1%% socket errors, no non-2xx: ch2 %s;\n", pre, label[t], want, vs_both(v, t, want, 0)
            printf "%s%d socket errors in %d requests = %.3f%% (%s), %d non-2xx (%s)\n", ind, sockerr[key], donesum[key], \
                pct, verdict(pct <= 0.1), non2xx[key], verdict(non2xx[key] + 0 == 0)
        }
        s1 = ""
        for (i = 1; i <= ntests; i++) {
            t = tid[i]
            if (label[t] !~ /^1 MiB/) continue
            v = med_rps[t SUBSEP "ch2"]
            printf "%s%s >= 0.8x nginx: %s\n", pre, label[t], (v == "" ? "no ch2 figure" : "ch2 " vs_both(v, t, 0.8, 0))
        }
        for (i = 1; i <= ntests; i++) {
            t = tid[i]
            if (!(tool[t] == "ab" && kf[t] != "" && conc[t] == 1)) continue
            key = t SUBSEP "ch2"
            v = med_mean[key]
            if (v == "") { printf "%s%s mean latency: no ch2 figure\n", pre, label[t]; continue }
            printf "%s%s mean latency <= 3x nginx" q "s, never near 40 ms: ch2 %.3f ms = %s;\n", pre, label[t], v, \
                vs_both(v, t, 3, 1)
            printf "%sslowest request in %d runs %.1f ms, p99 %.2f ms (every request under %d ms: %s)\n", ind, \
                runs[key] - aborted[key], worst[key], median(p99[key]), label[t] ~ /^1 KiB/ ? 10 : 30, \
                verdict(worst[key] + 0 < (label[t] ~ /^1 KiB/ ? 10 : 30))
        }
        if (k2 != "" && c1 != "")
            printf "%schapter 2 keep-alive >= 2.5x chapter 1, 1 KiB -c 32: %.2fx (%s)\n", pre, k2 / c1, verdict(k2 / c1 >= 2.5)
        else
            printf "%schapter 2 keep-alive >= 2.5x chapter 1, 1 KiB -c 32: a figure is missing\n", pre
    }' "$raw/ch2-tests.tsv" "$runs2" "$notes2"
}

ch2_report() {
    elapsed2=$(($(date +%s) - start2))
    say ""
    say "results, chapter 2 (ab and wrk, loopback, $machine):"
    say ""
    report2 text
    say ""
    say "system calls on a kept connection (ch2, strace -f -c, ab -k -n $CALLS_N -c 1, 1 KiB): $syscalls2"
    say ""
    say "chapter 2 bench time: $((elapsed2 / 60)) min $((elapsed2 % 60)) s; raw ab and wrk output: $raw/ch2-*"
    {
        say "# httpd (chapter 2, keep-alive) vs chapter 1 vs nginx"
        say ""
        say "- machine: $machine"
        quick_note=
        [ "$QUICK" = 1 ] && quick_note="; QUICK=1 smoke run, numbers not meaningful"
        say "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); chapter 2 bench time $((elapsed2 / 60)) min $((elapsed2 % 60)) s$quick_note"
        say "- clients: ab ${ab_version:-?} (-k: HTTP/1.0 keep-alive), ${have_wrk:+wrk ${wrk_version:-?} -t2 -c64 -d${WRK_SECS}s --latency, }on the same machine over loopback"
        say "- ch2: \`$HTTPD2 -b 127.0.0.1 -p 0 -n $CH2_MAX_REQUESTS -c $CH2_MAX_CHILDREN -t $CH2_IDLE_SECS\`, a process per connection, ${httpd_flags:-unknown flags}"
        say "- ch1: \`$HTTPD -b 127.0.0.1 -p 0\`, iterative, HTTP/1.0, closes after each response"
        [ -n "$ngx1_port" ] && say "- nginx-1w: $ngx1_conf, access_log $ngx_log (config: bench-$stamp/nginx-1w.conf)"
        [ -n "$ngxa_port" ] && say "- nginx-auto: $ngxa_conf (config: bench-$stamp/nginx-auto.conf)"
        say ""
        report2 md
        say ""
        say "System calls on a kept connection (ch2, \`strace -f -c\`, \`ab -k -n $CALLS_N -c 1\`, 1 KiB): $syscalls2"
    } >>"$md"
    [ -n "$ngx1_port" ] && sed "s|$tmp|TMP|g" "$tmp/nginx-1w/nginx.conf" >"$raw/nginx-1w.conf"
    [ -n "$ngxa_port" ] && sed "s|$tmp|TMP|g" "$tmp/nginx-auto/nginx.conf" >"$raw/nginx-auto.conf"
}

# ================================================================ the run

if [ "$do1" = 1 ]; then
    ch1_servers
    ch1_measure
    stop_servers # before the report: chapter 2's part gets the machine to itself
    ch1_report
    [ "$do2" = 1 ] && say ""
fi
if [ "$do2" = 1 ]; then
    start2=$(date +%s)
    ch2_servers
    ch2_syscalls
    ch2_measure
    stop_servers
    ch2_report
fi
total=$(($(date +%s) - start_time))
say ""
say "total bench time: $((total / 60)) min $((total % 60)) s"
say "markdown:   $md"
exit 0
