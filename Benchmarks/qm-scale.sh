#!/usr/bin/env bash
# Quality monitoring at scale (issue 18's targets): an SQLite database with RUNS runs × VARS
# monitoring variables of one processing (VARS−2 scalars, 2 histograms per run: an 8-bin hit map
# and a 48-bin mass peak) and a reference per variable, then `conveyor serve` (release) answering
# a variable's trend over 10,000 runs and a run's monitoring page, each beside the floor of the
# same server reading one run (`/api/v1/runs/8/N`) in the same run. Medians of 20 requests, curl.
# The rows are written by SQL, with the summaries an import writes beside each value (a
# histogram's mean, the verdict of its comparison): importing 20 million values through
# `conveyor qm import` would take hours and measure the import, not the reads.
#
#   Benchmarks/qm-scale.sh [RUNS=100000] [VARS=200]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
runs=${1:-100000}
vars=${2:-200}
if [ -z "${CONVEYOR_BIN:-}" ]; then (cd "$here/.." && swift build -c release --product conveyor >/dev/null); fi
conveyor=${CONVEYOR_BIN:-$here/../.build/release/conveyor}
work=$(mktemp -d /tmp/conveyor-qm-bench.XXXXXX)
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
db="$work/qm.sqlite"
"$conveyor" db migrate --db "$db" >/dev/null
token=$("$conveyor" user add bench --role expert --db "$db" 2>/dev/null | grep -o 'cvy_[A-Za-z0-9_-]*' | head -1)
started=$(date +%s)
sqlite3 "$db" <<SQL
PRAGMA synchronous = OFF;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < $runs)
INSERT INTO runs (exp, run, type, energy, magnet, start_at, stop_at, events, online_lumi, state, quality, created_at)
SELECT 8, n, 'physics', '4S', 1, n * 3600000000, n * 3600000000 + 3000000000, 20000, 10.0, 'closed', CASE WHEN n % 97 = 3 THEN 'BAD' ELSE 'GOOD' END, 0 FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < $runs),
v(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM v WHERE k < $vars - 2)
INSERT INTO qm_values (exp, run, processing, variable, version, histogram, value, error, at, actor, verdict, figure)
SELECT 8, n, 'prompt', printf('det%02d/var%03d', k % 8, k), 1, NULL, 1.0 + x / 100000.0, 0.01, 0, 'bench',
  CASE WHEN abs(x / 100000.0 - 0.005) > 0.05 THEN 'bad' WHEN abs(x / 100000.0 - 0.005) > 0.02 THEN 'warning' ELSE 'ok' END, abs(x / 100000.0 - 0.005)
FROM (SELECT n, k, abs(random()) % 1000 AS x FROM r, v);
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < $runs)
INSERT INTO qm_values (exp, run, processing, variable, version, histogram, value, error, at, actor, mean, mean_error, verdict, figure)
SELECT 8, n, 'prompt', 'cdc/hit_map', 1,
  '{"name":"cdc/hit_map","x":{"bins":8,"low":0.5,"high":8.5},"contents":[5000,5000,5000,' || (5000 - (n % 97 = 3) * 3000) || ',5000,5000,5000,5000],"entries":40000}', NULL, NULL, 0, 'bench',
  4.5, 0.0115, CASE WHEN n % 97 = 3 THEN 'bad' ELSE 'ok' END, CASE WHEN n % 97 = 3 THEN 1e-15 ELSE 1 END FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < $runs),
b(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM b WHERE i < 47),
peak(text) AS (SELECT group_concat(CAST(round(400 * exp(-0.5 * ((i - 24) / 4.0) * ((i - 24) / 4.0))) AS INTEGER), ',') FROM b)
INSERT INTO qm_values (exp, run, processing, variable, version, histogram, value, error, at, actor, mean, mean_error, verdict)
SELECT 8, n, 'prompt', 'physics/mass_peak', 1,
  '{"name":"physics/mass_peak","x":{"bins":48,"low":2.5,"high":3.7},"contents":[' || (SELECT text FROM peak) || '],"entries":4000}', NULL, NULL, 0, 'bench',
  3.1, 0.002, 'ok' FROM r;
WITH RECURSIVE v(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM v WHERE k < $vars - 2)
INSERT INTO qm_references (variable, exp, first_run, last_run, histogram, value, comparison, reason, at, actor)
SELECT printf('det%02d/var%03d', k % 8, k), 8, 1, 1000000, NULL, 1.005, 'abs:0.02,0.05', 'bench', 0, 'bench' FROM v;
INSERT INTO qm_references (variable, exp, first_run, last_run, histogram, value, comparison, reason, at, actor)
SELECT variable, 8, 1, 1000000, histogram, NULL, 'ks:0.01,0.0001', 'run 1', 0, 'bench' FROM qm_values WHERE run = 1 AND histogram IS NOT NULL;
ANALYZE;
SQL
rows=$(sqlite3 "$db" "SELECT COUNT(*) FROM qm_values")
echo "$(date -u +%F) $(git -C "$here" rev-parse --short HEAD) $(lscpu | sed -n 's/^Model name: *//p')"
echo "  seeded $rows values ($runs runs × $vars variables) in $(( $(date +%s) - started )) s, $(du -h "$db" | cut -f1)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$conveyor" serve --db "$db" --port "$port" --log-level error --no-scheduler >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

median() {
  local label=$1 path=$2
  curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path" -o "$work/last" || { echo "  $label: failed"; return; }
  for _ in $(seq 20); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path"
  done | sort -n | awk -v label="$label" -v bytes="$(wc -c < "$work/last")" '{ t[NR] = $1 } END { printf "  %-58s median %6.1f ms (min %5.1f, max %5.1f), %d bytes\n", label, t[int((NR + 1) / 2)] * 1000, t[1] * 1000, t[NR] * 1000, bytes }'
}
mid=$(( runs / 2 ))
median "floor: one run read (GET /api/v1/runs/8/$mid)" "/api/v1/runs/8/$mid"
median "trend of a scalar over 10,000 runs (API)" "/api/v1/qm/trend?variable=det07/var007&exp=8&runs=$(( mid - 5000 ))-$(( mid + 4999 ))"
median "trend of a histogram over 10,000 runs (API)" "/api/v1/qm/trend?variable=cdc/hit_map&exp=8&runs=$(( mid - 5000 ))-$(( mid + 4999 ))"
median "trend page over 10,000 runs (SVG)" "/qm/trend?variable=det07/var007&exp=8&runs=$(( mid - 5000 ))-$(( mid + 4999 ))&processing=prompt"
median "a run's monitoring, $vars variables (API)" "/api/v1/runs/8/$mid/monitoring"
median "a run's monitoring page, $vars variables" "/runs/8/$mid/monitoring"
