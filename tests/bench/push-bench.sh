#!/bin/sh
# push-bench.sh: `make bench-push`. Runs chapter 5's pushd under the load of issue 12
# with the load generator (tests/bench/push_load.c), which starts a fresh pushd for
# every run (port 0, -m 200: the second scenario's room holds 102 members):
#   (1) 100 members, 50 WebSocket, 25 SSE, 25 raw; 5 senders (2 WebSocket, 2 raw,
#       1 SSE by POST /send) at 500 lines/s each for 10 s
#   (2) the same plus one WebSocket and one SSE member that never read: pushd must
#       drop them, and the others still get everything
# Each scenario runs RUNS times (default 3) and reports the medians. A measurement,
# not a test (make test never runs it); the exit status is 1 when a target of the
# issue is missed, and a line says which.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
pushd=$top/chapters/05-web-push/pushd
load=$top/tests/bench/push_load
runs=${RUNS:-3}
if [ ! -x "$pushd" ] || [ ! -x "$load" ]; then
    echo "build first: make bench-push" >&2
    exit 1
fi

model=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')
echo "machine: ${model:-unknown CPU}, $(getconf _NPROCESSORS_ONLN 2>/dev/null) cores, $(uname -sr)"
echo "targets: 100% delivered in order, p99 under 30 ms, pushd peak RSS under 32 MiB"
# The machine may be busy with other work: say how busy, before and after.
loadavg() { [ -r /proc/loadavg ] && echo "load average (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg)"; }
loadavg
status=0
echo; echo "(1) 100 members, 5 senders at 500 lines/s for 10 s"
"$load" -s "$pushd" -n "$runs" || status=1
echo; echo "(2) as (1), plus a WebSocket and an SSE member that never read"
"$load" -s "$pushd" -n "$runs" -N || status=1
loadavg
echo
if [ $status -eq 0 ]; then echo "bench-push: every target met"; else echo "bench-push: a target was MISSED (see above)"; fi
exit $status
