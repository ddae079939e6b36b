#!/usr/bin/env bash
# Scheduler failover time: two `conveyor serve` on one database; the active scheduler is
#   (1) killed with SIGKILL (a process of this machine: the standby sees it gone), and
#   (2) stopped with SIGSTOP (alive but silent, as a hung process or a host cut off: the lease must expire),
# each ROUNDS times; prints the time from the signal to the standby holding the lease (from the
# lease row's holder and epoch), with the default --lease-timeout (12 s) unless LEASE_TIMEOUT is set.
#
#   Benchmarks/failover.sh [ROUNDS] [sqlite|postgres://…]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
bin=${CONVEYOR_BIN:-$(swift build --show-bin-path)/conveyor}
work=$(mktemp -d /tmp/conveyor-failover.XXXXXX)
db=${2:-$work/conveyor.sqlite}
[ "$db" = sqlite ] && db=$work/conveyor.sqlite
timeout=${LEASE_TIMEOUT:-12}
pids=()
cleanup() { for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null; kill -9 "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
"$bin" db migrate --db "$db" >/dev/null
start() { "$bin" serve --db "$db" --port 0 --lease-timeout "$timeout" --jobs "$work/jobs" >>"$work/serve.log" 2>&1 & pids+=($!); }
lease() { "$bin" scheduler status --db "$db" --json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["pid"], d["epoch"]) if d else print("- -")'; }
now() { date +%s.%N; }
start; start
until [ "$(lease)" != "- -" ]; do sleep 0.1; done
for kind in KILL STOP; do
  for _ in $(seq "$rounds"); do
    read -r pid epoch < <(lease)
    sleep 3   # a few heartbeats
    t0=$(now)
    kill -"$kind" "$pid"
    while read -r p e < <(lease); [ "$e" = "$epoch" ]; do sleep 0.05; done
    t1=$(now)
    printf 'failover after SIG%s: %.2f s (pid %s → %s)\n' "$kind" "$(echo "$t1 - $t0" | bc)" "$pid" "$p"
    if [ "$kind" = STOP ]; then kill -CONT "$pid"; sleep 2; fi   # it must find its lease lost and stand by
    kill -0 "$pid" 2>/dev/null || start
  done
done
grep -c "lost its lease" "$work/serve.log" | sed 's/^/schedulers that found their lease lost when continued: /'
