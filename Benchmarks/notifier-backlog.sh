#!/usr/bin/env bash
# The notifier over a backlog: N open problem reports for S shifters (run_quality) in an SQLite
# database, then `conveyor notify cycle` three times against an SMTP server on 127.0.0.1:PORT
# (scripts/smtp start DIR PORT), beside the floor of the same process listing the inbox.
#   Benchmarks/notifier-backlog.sh [N=2000] [S=20] [PORT=2525]
set -euo pipefail
n=${1:-2000}
shifters=${2:-20}
port=${3:-2525}
bin=${CONVEYOR_BIN:-$(cd "$(dirname "$0")/.." && swift build --show-bin-path)/conveyor}
work=$(mktemp -d /tmp/conveyor-notifier.XXXXXX)
trap 'rm -rf "$work"' EXIT
export CONVEYOR_DB=$work/c.sqlite
"$bin" runs add 8:1 >/dev/null
for i in $(seq 1 "$shifters"); do
  "$bin" user add "s$i" --role expert >/dev/null 2>&1
  "$bin" user set "s$i" --email "s$i@bench.test" --responsibilities run_quality >/dev/null
done
python3 - "$work/c.sqlite" "$n" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1]); now = int(time.time() * 1e6)
db.executemany("INSERT INTO notes(subject_kind, subject, kind, author, at, text) VALUES ('run', '8:1', 'problem', 'bench', ?, ?)",
               [(now - i * 1_000_000, f"problem {i}") for i in range(int(sys.argv[2]))])
db.commit()
PY
echo "notifications: {base_url: http://c.test, smtp: {host: 127.0.0.1, port: $port, from: c@bench.test}}" > "$work/p.yaml"
echo "$(date -u +%F) $(git -C "$(dirname "$0")" rev-parse --short HEAD) $(lscpu | sed -n 's/^Model name: *//p')"
for i in 1 2 3; do /usr/bin/time -f "  cycle $i: %e s, %M KB" "$bin" notify cycle --people "$work/p.yaml"; done
/usr/bin/time -f "  floor (conveyor inbox, same process start and store): %e s" "$bin" inbox > /dev/null
"$bin" notify outbox | head -1
