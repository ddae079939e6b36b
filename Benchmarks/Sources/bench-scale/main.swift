import ConveyorCore
import ConveyorExecutors
import ConveyorStore
import ConveyorWorkflow
import Foundation
import Logging

// bench-scale DATABASE ELEMENTS SLOTS: one job task of ELEMENTS elements on a fake Slurm of SLOTS
// slots. The fake `sbatch` ends every element at once (it writes each element's result, as the
// job wrapper would), so what is measured is the scheduler: ticks, their time, its peak memory,
// and the batch-system calls per cycle. Prints one line per figure.
let arguments = CommandLine.arguments
guard arguments.count >= 4, let elements = Int(arguments[2]), let slots = Int(arguments[3]) else {
    print("usage: bench-scale DATABASE ELEMENTS SLOTS")
    exit(2)
}
var logger = Logger(label: "bench")
logger.logLevel = .error
let work = FileManager.default.temporaryDirectory.appendingPathComponent("bench-scale-\(UUID().uuidString.prefix(8))").path
let tools = work + "/tools"
try FileManager.default.createDirectory(atPath: tools, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: work) }
let fakes: [String: String] = [
    // Each element "runs" at once: its folder and result, as the wrapper leaves them.
    "sbatch": #"""
    #!/bin/sh
    echo "sbatch" >> "$(dirname "$0")/calls.log"
    script=$(cat)
    for a in "$@"; do case "$a" in --array=0-*) last=${a#--array=0-} ;; --chdir=*) dir=${a#--chdir=} ;; esac; done
    start=$(printf '%s\n' "$script" | sed -n 's/.*SLURM_ARRAY_TASK_ID + \([0-9]*\))).*/\1/p')
    i=0
    while [ $i -le "$last" ]; do n=$((i + start)); mkdir -p "$dir/$n" && echo 0 > "$dir/$n/result"; i=$((i + 1)); done
    n=$(cat "$(dirname "$0")/id" 2>/dev/null || echo 1000); echo $((n + 1)) > "$(dirname "$0")/id"; echo $((n + 1))
    """#,
    "squeue": "#!/bin/sh\necho squeue >> \"$(dirname \"$0\")/calls.log\"\n",
    "sacct": "#!/bin/sh\necho sacct >> \"$(dirname \"$0\")/calls.log\"\n",
    "scontrol": "#!/bin/sh\necho scontrol >> \"$(dirname \"$0\")/calls.log\"\necho 'MaxArraySize = 1000001'\n",
    "scancel": "#!/bin/sh\n",
]
for (name, text) in fakes {
    try text.write(toFile: "\(tools)/\(name)", atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(tools)/\(name)")
}
let store = try await Store.open(try StoreLocation(parsing: arguments[1]), logger: logger)
let manager = Actor(name: "bench", role: .manager)
let workflows = Workflows(store: store)
try await workflows.savePool(try Pool(name: "batch", executor: .slurm, slots: slots, options: ["commands": tools, "max_array_size": "1000001"]), by: manager)
let dag = "name: scale\ntasks:\n  - {name: reco, command: \"true\", array: \(elements), pool: batch}\n"
let id = try await workflows.submit(Data(dag.utf8), name: "scale.yaml", by: manager)
let wakeup = Wakeup()
let scheduler = Scheduler(
    store: store, executors: .standard(wakeup: wakeup),
    configuration: .init(jobRoot: work + "/jobs", pollInterval: .milliseconds(10)), wakeup: wakeup, logger: logger)
let clock = ContinuousClock()
var ticks: [Duration] = []
let start = clock.now
while true {
    let t0 = clock.now
    let activity = try await scheduler.tick()
    ticks.append(clock.now - t0)
    if activity.isIdle { break }
    if clock.now - start > .seconds(3600) { print("gave up after an hour"); break }
}
let total = clock.now - start
var usage = rusage()
getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
let calls = ((try? String(contentsOfFile: tools + "/calls.log", encoding: .utf8)) ?? "").split(separator: "\n")
let state = try await workflows.show(id).workflow.state
func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
let sorted = ticks.sorted()
print("elements: \(elements); slots: \(slots); workflow: \(state)")
print(
    String(format: "wall: %.1f s; ticks: %d; tick median %.1f ms, max %.1f ms", ms(total) / 1000, ticks.count, ms(sorted[sorted.count / 2]), ms(sorted.last!)))
print("peak memory (max RSS): \(usage.ru_maxrss / 1024) MB")
print(
    "batch calls: sbatch \(calls.filter { $0 == "sbatch" }.count), squeue \(calls.filter { $0 == "squeue" }.count), sacct \(calls.filter { $0 == "sacct" }.count) over \(ticks.count) ticks"
)
await store.close()
