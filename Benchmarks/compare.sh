#!/usr/bin/env bash
# Every hot path beside the floor of its own stack, in one run on this machine (issue 21):
#
#   Benchmarks/compare.sh [SECONDS]          (default 5 s per HTTP figure; under 5 minutes once built)
#
# - HTTP, with wrk (Debian's package) at -t1 -c32 against a release `conveyor serve --floor-routes`
#   on a seeded conditions database: /floor (the HTTP floor), /floor/authenticated (the same behind a
#   token), a one-name conditions lookup and a full tag (both behind a token), /healthz, /readyz.
# - The store and the executor (bench-floors): SELECT 1 through ConveyorStore, a one-row read,
#   spawning /bin/true, and chains and fan-outs of 50 and 200 local tasks through the scheduler.
#   PostgreSQL too when $CONVEYOR_BENCH_POSTGRES_URL is set.
# Prints each figure with its floor and their ratio, with the CPU model, the commit and the date.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-5}
command -v wrk >/dev/null || { echo "compare: wrk is missing (apt-get install wrk)" >&2; exit 1; }

(cd "$here" && swift build -c release --product conveyor >/dev/null && swift build -c release --product seed-conditions >/dev/null \
  && swift build -c release --product bench-floors >/dev/null)
bin="$here/.build/release"
work=$(mktemp -d /tmp/conveyor-compare.XXXXXX)
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; commit $(git -C "$here" rev-parse --short HEAD); $(date -u +%Y-%m-%d)"
token=$("$bin/seed-conditions" "$work/bench.sqlite")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin/conveyor" serve --db "$work/bench.sqlite" --port "$port" --no-scheduler --floor-routes --log-level error >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

# Requests per second of one path (a printf template: %d takes a run number) under wrk.
rps() {
  local path=$1 auth=$2
  cat > "$work/req.lua" <<LUA
counter = 0
request = function()
  counter = counter + 1
  local headers = {}
  if "$auth" == "yes" then headers["Authorization"] = "Bearer $token" end
  return wrk.format("GET", string.format("$path", (counter * 7919) % 10000), headers)
end
LUA
  local first
  first=$(printf "$path" 1)
  curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port$first" >/dev/null
  wrk -t 1 -c 32 -d "${seconds}s" -s "$work/req.lua" "http://127.0.0.1:$port/" | awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "errors " $0 > "/dev/stderr"}'
}

floor=$(rps "/floor" no)
auth=$(rps "/floor/authenticated" yes)
name=$(rps "/api/v1/globaltags/bench_published/payloads?exp=10&run=%d&name=Payload250" yes)
full=$(rps "/api/v1/globaltags/bench_published/payloads?exp=10&run=%d" yes)
healthz=$(rps "/healthz" no)
readyz=$(rps "/readyz" no)

row() { awk -v w="$1" -v m="$2" -v f="$3" -v fl="$4" -v t="$5" 'BEGIN { printf "%-44s %12.0f/s  %-28s %12.0f/s  %6.2f  %s\n", w, m, f, fl, m / fl, t }'; }
echo
printf "%-44s %14s  %-28s %14s  %6s  %s\n" "what" "measured" "floor" "floor" "ratio" "target"
row "HTTP: /floor/authenticated" "$auth" "/floor (HTTP floor)" "$floor" ""
row "HTTP: one-name conditions lookup" "$name" "/floor/authenticated" "$auth" "≥ 0.50"
row "HTTP: full tag (500 names)" "$full" "/floor/authenticated" "$auth" "≥ 2000/s"
row "HTTP: /healthz (liveness, no SQL)" "$healthz" "/floor (HTTP floor)" "$floor" "≈ 1"
row "HTTP: /readyz (a database round trip)" "$readyz" "/floor (HTTP floor)" "$floor" ""
kill $server 2>/dev/null || true
wait $server 2>/dev/null || true
server=""

echo
"$bin/bench-floors" "$work/floors.sqlite" "${CONVEYOR_BENCH_POSTGRES_URL:-}" 3 50,200 2>&1 | grep -v '^0x'
