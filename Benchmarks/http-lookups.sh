#!/usr/bin/env bash
# HTTP conditions lookups over loopback, load generator included (issue 3's 10k requests/s target):
# seeds a SQLite database with one PUBLISHED tag of 500 names × 2,000 IoVs, starts
# `conveyor serve` (release), and drives it with wrk (Debian's package) for each lookup kind.
#
#   Benchmarks/http-lookups.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-10}
connections=${2:-32}
command -v wrk >/dev/null || { echo "http-lookups: wrk is missing (apt-get install wrk)" >&2; exit 1; }

(cd "$here" && swift build -c release --product conveyor >/dev/null && swift build -c release --product seed-conditions >/dev/null)
conveyor="$here/.build/release/conveyor"
seed="$here/.build/release/seed-conditions"

work=$(mktemp -d /tmp/conveyor-http-bench.XXXXXX)
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
token=$("$seed" "$work/bench.sqlite")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$conveyor" serve --db "$work/bench.sqlite" --port "$port" --log-level error >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

run_wrk() {
  local label=$1 template=$2
  cat > "$work/lookup.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", string.format("$template", (counter * 7919) % 10000))
end
LUA
  # Warm the index and the caches first.
  curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port$(printf "$template" 1)" >/dev/null
  echo "== $label"
  wrk -t 1 -c "$connections" -d "${seconds}s" -s "$work/lookup.lua" "http://127.0.0.1:$port/" | grep -E "Requests/sec|Latency|requests in|Non-2xx"
}
run_wrk "one name, one tag" "/api/v1/globaltags/bench_published/payloads?exp=10&run=%d&name=Payload250"
run_wrk "full tag (500 names)" "/api/v1/globaltags/bench_published/payloads?exp=10&run=%d"
