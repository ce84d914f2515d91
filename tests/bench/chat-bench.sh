#!/bin/sh
# chat-bench.sh: `make bench-chat`. Starts chapter 3's chatd on a free loopback port
# and runs the load generator (tests/bench/chat_load.c) through three scenarios:
#   (a) 50 clients, 5 senders of 1000-byte lines at 500/s each
#   (b) the same plus one client that never reads (it must be dropped, nobody stalls)
#   (c) 100 clients, 10 senders of 64-byte lines at 1000/s each
# A measurement, not a test: it prints what chat_load reports and never fails on a
# number. Everything it starts, it stops.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
chatd=$top/chapters/03-select-chat/chatd
load=$top/tests/bench/chat_load
[ -x "$chatd" ] && [ -x "$load" ] || { echo "build first: make bench-chat" >&2; exit 1; }

out=$(mktemp)
"$chatd" -p 0 -m 200 >"$out" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$out"' EXIT INT TERM
i=0
while ! grep -q listening "$out" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
port=$(sed -n 's/.*:\([0-9]*\)\/$/\1/p' "$out")
[ -n "$port" ] || { echo "chatd did not start" >&2; exit 1; }

echo "machine: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //'), $(getconf _NPROCESSORS_ONLN 2>/dev/null) cores, $(uname -sr)"
echo "chatd pid $pid on port $port"
echo; echo "(a) 50 clients, 5 senders, 1000-byte lines at 500/s each"
"$load" -p "$port" -P "$pid" -c 50 -s 5 -l 1000 -r 500
echo; echo "(b) as (a), plus one client that never reads"
"$load" -p "$port" -P "$pid" -c 50 -s 5 -l 1000 -r 500 -S 1
echo; echo "(c) 100 clients, 10 senders, 64-byte lines at 1000/s each"
"$load" -p "$port" -P "$pid" -c 100 -s 10 -l 64 -r 1000
