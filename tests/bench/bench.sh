#!/bin/sh
# tests/bench/bench.sh: measure chapter 1's httpd beside nginx and python's http.server.
#
# `make bench` runs this. It is a measurement, not a test: `make test` never runs it,
# and it never fails because a number is low. It exits non-zero only when it cannot
# measure at all (no ab, no httpd).
#
# What it does, in one run:
#   1. prints the machine and the exact configuration of every server;
#   2. makes a temporary document root with a 1 KiB and a 1 MiB file, and serves it
#      with httpd, with nginx (one worker, sendfile off, a generated config on a free
#      loopback port) and with `python3 -m http.server`, all bound to 127.0.0.1;
#   3. runs ab (ApacheBench) `-n 5000 -c 1` and `-n 20000 -c 32` on both files,
#      ROUNDS times (default 3), the servers interleaved within each round so that
#      noise on the machine hits all of them alike, and reports the median run;
#   4. checks that httpd does not fall over under `ab -r -n 5000 -c 256`;
#   5. prints an aligned table and writes a Markdown copy, plus every raw ab output,
#      to tests/bench/results/ (git-ignored).
# A reference server that is not installed is skipped with a note. Everything it
# starts, it stops, also on Ctrl-C.
#
# Environment:
#   QUICK=1          small request counts, for a smoke run (under a minute)
#   ROUNDS=N         runs per measurement, the median is reported (default 3)
#   MAX_RUN_SECS=S   cap on one ab run (default 60): a slower server gets fewer
#                    requests in that run, and the table says so
#   HTTPD=PATH       the server to measure (default chapters/01-http-close/httpd)
#
# POSIX sh: runs under dash, bash, and macOS's sh.

set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
HTTPD=${HTTPD:-$top/chapters/01-http-close/httpd}
QUICK=${QUICK:-0}
ROUNDS=${ROUNDS:-3}
MAX_RUN_SECS=${MAX_RUN_SECS:-60}
results=$here/results

if [ "$QUICK" = 1 ]; then
    N_C1=200 N_C32=1000 N_BIG_C1=100 N_BIG_C32=200 N_FALL=500
else
    N_C1=5000 N_C32=20000 N_BIG_C1=5000 N_BIG_C32=20000 N_FALL=5000
fi

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
if [ ! -x "$HTTPD" ]; then
    say "bench: $HTTPD is not built; run \`make ch1\` (or \`make bench\`) first" >&2
    exit 1
fi
case $ROUNDS in '' | *[!0-9]* | 0) say "bench: ROUNDS must be a positive number" >&2; exit 2 ;; esac
case $MAX_RUN_SECS in '' | *[!0-9]* | 0) say "bench: MAX_RUN_SECS must be a positive number" >&2; exit 2 ;; esac

# ---------------------------------------------------------------- cleanup

# Every server we start is remembered here and stopped on any exit, Ctrl-C included.
# (Background jobs of a non-interactive shell ignore SIGINT, so Ctrl-C alone would
# leave them running: the trap sends them SIGTERM.)
tmp=
server_pids=

# The process and its children (nginx's master and its worker), by pid, never by name.
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

cleanup() {
    for p in $server_pids; do
        stop_pid "$p"
    done
    server_pids=
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
runs=$raw/runs.tsv
notes=$raw/notes.tsv
: >"$runs"
: >"$notes"
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
say "machine: $machine"
say "date:    $(date -u '+%Y-%m-%d %H:%M UTC'); ab and the servers share the machine over loopback"
ab_version=$(ab -V 2>&1 | sed -n 's/^This is ApacheBench, Version \([^ ]*\).*/\1/p')
say "client:  ab ${ab_version:-?} ($(command -v ab)), without -k: one connection per request"
if [ "$QUICK" = 1 ]; then
    say "mode:    QUICK=1 (smoke run: small counts, numbers not meaningful)"
fi
say ""

# ---------------------------------------------------------------- the servers

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

servers=

# httpd: port 0, and the real port from its first line.
httpd_flags=$(sed -n 's/^\(CC=.*\)$/\1/p' "$top/.build-flags" 2>/dev/null)
"$HTTPD" -b 127.0.0.1 -p 0 -d "$docroot" >"$tmp/httpd.out" 2>/dev/null &
httpd_pid=$!
server_pids="$server_pids $httpd_pid"
i=0
httpd_port=
while [ $i -lt 100 ] && [ -z "$httpd_port" ] && kill -0 "$httpd_pid" 2>/dev/null; do
    httpd_port=$(sed -n '1s|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/httpd.out")
    [ -z "$httpd_port" ] && sleep 0.1
    i=$((i + 1))
done
if [ -z "$httpd_port" ] || ! wait_ready "http://127.0.0.1:$httpd_port" "$httpd_pid"; then
    say "bench: httpd did not start or does not serve the test file" >&2
    exit 1
fi
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
    ngx=$tmp/nginx
    mkdir "$ngx"
    chmod 755 "$ngx"
    nginx_version=$(nginx -v 2>&1 | sed -n 's|.*nginx/\([^ ]*\).*|\1|p')
    eflag=
    if nginx -h 2>&1 | grep -q -- '-e filename'; then
        eflag=1
    fi
    tries=0
    while [ $tries -lt 10 ] && [ -z "$nginx_port" ]; do
        tries=$((tries + 1))
        # Below Linux's ephemeral range (32768-60999), so ab's own ports never collide.
        port=$(od -An -N2 -tu2 /dev/urandom | awk '{ print 20000 + $1 % 12000 }')
        cat >"$ngx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
events {
    worker_connections 1024;
}
http {
    access_log off;
    sendfile off;
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
        nginx_pid=$!
        if wait_ready "http://127.0.0.1:$port" "$nginx_pid"; then
            nginx_port=$port
            server_pids="$server_pids $nginx_pid"
        else
            stop_pid "$nginx_pid" # most likely the port was taken: try another
        fi
    done
    if [ -n "$nginx_port" ]; then
        servers="$servers nginx"
        nginx_backlog=$(real_backlog "$nginx_port")
        say "nginx:   nginx ${nginx_version:-?} ($(command -v nginx)) -p TMP -c TMP/nginx.conf (port $nginx_port)"
        say "         master + 1 worker, sendfile off, access_log off, default listen backlog${nginx_backlog:+ (real: $nginx_backlog)}"
        say "         keepalive settings are irrelevant: ab without -k sends HTTP/1.0 requests and nginx closes"
        say "         the generated TMP/nginx.conf:"
        sed "s|$tmp|TMP|g; s|^|           |" "$ngx/nginx.conf"
    else
        say "nginx:   installed, but would not start (error log below); skipped, so no 'vs nginx' ratios"
        sed 's/^/           /' "$ngx/error.log" "$ngx/stdout" 2>/dev/null | tail -n 5
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

# ---------------------------------------------------------------- measuring

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
    ab -q $extra -e "$csv" -t "$MAX_RUN_SECS" -n "$n" -c "$conc" "$(url_of "$srv")/$file" >"$out" 2>&1
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

elapsed=$(($(date +%s) - start_time))

# ---------------------------------------------------------------- the report

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

say ""
say "results (ab, loopback, $machine):"
say ""
report text
say ""
say "no fall-over check:"
fall_report "  " "    "
say ""
say "bench time: $((elapsed / 60)) min $((elapsed % 60)) s; raw ab output: $raw/"

md=$results/bench-$stamp.md
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
} >"$md"
[ -n "$nginx_port" ] && sed "s|$tmp|TMP|g" "$tmp/nginx/nginx.conf" >"$raw/nginx.conf"
say "markdown:   $md"
exit 0
