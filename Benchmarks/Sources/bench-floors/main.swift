import ConveyorConditions
import ConveyorCore
import ConveyorExecutors
import ConveyorStore
import ConveyorWorkflow
import Foundation
import Logging

// bench-floors SQLITE_FILE [POSTGRES_URL] [SECONDS] [TASKS]: issue 21's floors below the store and
// the local executor, each beside what stands on it, measured in the same run:
//  - `SELECT 1` through ConveyorStore (`store.read { ping }`), one client, one after another;
//  - a store read of one row (a global tag by name: the conditions lookup's first read);
//  - spawning `/bin/true` and waiting for it (the process floor of a local job);
//  - a chain and a fan-out of TASKS (default 50,200) local `true` jobs through the scheduler on a
//    pool of 8 slots: wall time per task, and the scheduler's own CPU per task.
// Prints one line per figure: operations per second and microseconds per operation.
let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: bench-floors SQLITE_FILE [POSTGRES_URL] [SECONDS]")
    exit(2)
}
let seconds = arguments.count > 3 ? Double(arguments[3]) ?? 3 : 3
let taskCounts = (arguments.count > 4 ? arguments[4] : "50,200").split(separator: ",").compactMap { Int($0) }
var logger = Logger(label: "bench")
logger.logLevel = .error
let clock = ContinuousClock()

/// Runs `body` for `seconds` (after a short warm-up) and returns operations per second.
func rate(_ body: () async throws -> Void) async throws -> Double {
    for _ in 0..<200 { try await body() }
    let start = clock.now
    var n = 0
    while true {
        for _ in 0..<100 { try await body() }
        n += 100
        let elapsed = clock.now - start
        if elapsed > .seconds(seconds) {
            return Double(n) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
    }
}

func line(_ what: String, _ perSecond: Double, floor: Double? = nil) {
    let ratio = floor.map { String(format: "; %.2f× the floor's time", $0 / perSecond) } ?? ""
    print(String(format: "%@: %.0f/s, %.1f µs each%@", what, perSecond, 1e6 / perSecond, ratio))
}

var stores = [("sqlite", arguments[1])]
if arguments.count > 2, !arguments[2].isEmpty { stores.append(("postgresql", arguments[2])) }
let manager = Actor(name: "bench", role: .manager)
for (kind, url) in stores {
    let location = try StoreLocation(parsing: url)
    if case .sqlite(let path) = location {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    }
    let store = try await Store.open(location, logger: logger)
    let conditions = ConditionsDatabase(store: store)
    if (try? await conditions.tag(named: "floor_tag")) == nil {
        _ = try await conditions.createTag(named: "floor_tag", type: .data, description: "floor", by: manager)
    }
    let select1 = try await rate { try await store.read { try await $0.ping() } }
    line("\(kind) SELECT 1 through the store (floor)", select1)
    let oneRow = try await rate { _ = try await store.read { try await $0.globalTag(named: "floor_tag", asOf: nil) } }
    line("\(kind) one-row read (a global tag by name)", oneRow, floor: select1)
    await store.close()
}

let spawn = try await rate {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
}
line("spawning /bin/true and waiting (process floor of a local job)", spawn)

/// This process's user + system CPU seconds (the scheduler's own work, not its jobs').
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

for count in taskCounts {
    for shape in ["chain", "fan-out"] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-floors-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let store = try await Store.open(.sqlite(path: folder + "/tasks.sqlite"), logger: logger)
        let workflows = Workflows(store: store)
        try await workflows.savePool(try Pool(name: "local", executor: .local, slots: 8), by: manager)
        var yaml = "name: \(shape)\ntasks:\n"
        for i in 0..<count {
            yaml += "  - {name: t\(i), command: \"true\"\(shape == "chain" && i > 0 ? ", depends_on: [t\(i - 1)]" : "")}\n"
        }
        let id = try await workflows.submit(Data(yaml.utf8), name: "\(shape).yaml", by: manager)
        let wakeup = Wakeup()
        let scheduler = Scheduler(
            store: store, executors: .standard(wakeup: wakeup), configuration: .init(jobRoot: folder + "/jobs"), wakeup: wakeup, logger: logger)
        let cpu0 = cpuSeconds()
        let start = clock.now
        try await scheduler.run(untilIdle: true)
        let wall = clock.now - start
        let cpu = cpuSeconds() - cpu0
        let state = try await workflows.show(id).workflow.state
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        print(
            String(
                format: "%@ of %d local tasks: %.2f s, %.1f ms wall per task, %.2f ms scheduler CPU per task (%@); %.2f× the process floor's time",
                shape, count, wallSeconds, wallSeconds * 1000 / Double(count), cpu * 1000 / Double(count), "\(state)",
                (wallSeconds / Double(count)) / (1 / spawn)))
        await store.close()
        try? FileManager.default.removeItem(atPath: folder)
    }
}
