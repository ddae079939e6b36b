#!/usr/bin/env bash
# Conveyor beside Luigi (3.x, a process per task), measured in one run on the same machine:
#   - a chain of 50 no-op tasks: the gap from one task's start to the next one's (median), each
#     task a shell that appends a nanosecond timestamp to a log;
#   - a fan-out of 200 such tasks on 2 slots: wall time per task.
# Conveyor runs them as local jobs with durable state (SQLite, synchronous commits); Luigi with its
# local scheduler, `worker-force-multiprocessing` (each task in a process of its own) and the same
# shell command per task.
#   Benchmarks/luigi-compare.sh [CONVEYOR_BINARY]    (Luigi is installed into $CONVEYOR_CACHE/luigi-venv)
set -euo pipefail
cd "$(dirname "$0")/.."
conveyor=${1:-$(swift build -c release --show-bin-path)/conveyor}
cache=${CONVEYOR_CACHE:-/var/cache/conveyor}
venv=$cache/luigi-venv
[ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q luigi; }
work=$(mktemp -d /tmp/conveyor-luigi.XXXXXX)
trap 'rm -rf "$work"' EXIT
stamp='date +%s%N >> LOG'

median_gap() {  # nanosecond stamps in order -> median gap in ms
  python3 - "$1" <<'PY'
import sys, statistics
t = sorted(int(x) for x in open(sys.argv[1]) if x.strip())
gaps = [(b - a) / 1e6 for a, b in zip(t, t[1:])]
print(f"{statistics.median(gaps):.1f}")
PY
}
span_per_task() {  # stamps -> (last - first) / count in ms
  python3 - "$1" <<'PY'
import sys
t = sorted(int(x) for x in open(sys.argv[1]) if x.strip())
print(f"{(t[-1] - t[0]) / 1e6 / (len(t) - 1):.1f}")
PY
}

# --- Conveyor -----------------------------------------------------------------------------------
conveyor_run() {  # NAME YAML-TASKS SLOTS
  local dir=$work/conveyor-$1
  mkdir -p "$dir"
  export CONVEYOR_DB=$dir/c.sqlite
  "$conveyor" pool add local --executor local --slots "$3" >/dev/null
  printf 'name: %s\ntasks:\n%s' "$1" "$2" > "$dir/dag.yaml"
  "$conveyor" wf submit "$dir/dag.yaml" >/dev/null
  "$conveyor" scheduler --until-idle --jobs "$dir/jobs" 2>/dev/null
  unset CONVEYOR_DB
}
chain=""
for i in $(seq 1 50); do
  chain+="  - {name: t$i, command: \"${stamp//LOG/$work/conveyor-chain.log}\"$(if [ "$i" -gt 1 ]; then echo ", depends_on: [t$((i - 1))]"; fi)}"$'\n'
done
conveyor_run chain "$chain" 2
fan="  - {name: fan, command: \"${stamp//LOG/$work/conveyor-fan.log}\", array: 200}"$'\n'
conveyor_run fan "$fan" 2

# --- Luigi --------------------------------------------------------------------------------------
cat > "$work/flow.py" <<PY
import luigi, subprocess, sys
class Step(luigi.Task):
    i = luigi.IntParameter()
    chain = luigi.BoolParameter()
    log = luigi.Parameter()
    def requires(self):
        return [Step(i=self.i - 1, chain=True, log=self.log)] if self.chain and self.i > 1 else []
    def output(self):
        return luigi.LocalTarget(f"$work/luigi-out/{self.log.split('/')[-1]}-{self.i}")
    def run(self):
        subprocess.run(["sh", "-c", "date +%s%N >> " + self.log], check=True)
        with self.output().open("w") as f: f.write("done")
if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "chain":
        tasks, workers = [Step(i=50, chain=True, log="$work/luigi-chain.log")], 1
    else:
        tasks, workers = [Step(i=i, chain=False, log="$work/luigi-fan.log") for i in range(1, 201)], 2
    luigi.build(tasks, local_scheduler=True, workers=workers, log_level="WARNING")
PY
printf '[worker]\nforce_multiprocessing = true\n' > "$work/luigi.cfg"
(cd "$work" && LUIGI_CONFIG_PATH=$work/luigi.cfg "$venv/bin/python" flow.py chain >/dev/null 2>&1)
(cd "$work" && LUIGI_CONFIG_PATH=$work/luigi.cfg "$venv/bin/python" flow.py fan >/dev/null 2>&1)

echo "| what | Conveyor | Luigi $("$venv/bin/python" -c 'import luigi; print(luigi.__version__)') |"
echo "|---|---:|---:|"
echo "| chain of 50: median gap between task starts (ms) | $(median_gap "$work/conveyor-chain.log") | $(median_gap "$work/luigi-chain.log") |"
echo "| fan-out of 200 on 2 slots: wall per task (ms) | $(span_per_task "$work/conveyor-fan.log") | $(span_per_task "$work/luigi-fan.log") |"
