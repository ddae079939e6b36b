import ConveyorConditions
import ConveyorCore
import ConveyorStore
import Foundation
import Logging

// bench-floors SQLITE_FILE [POSTGRES_URL] [SECONDS]: issue 21's floors below the store and the
// local executor, each beside what stands on it, measured in the same run:
//  - `SELECT 1` through ConveyorStore (`store.read { ping }`), one client, one after another;
//  - a store read of one row (a global tag by name: the conditions lookup's first read);
//  - spawning `/bin/true` and waiting for it (the process floor of a local job).
// Prints one line per figure: operations per second and microseconds per operation.
let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: bench-floors SQLITE_FILE [POSTGRES_URL] [SECONDS]")
    exit(2)
}
let seconds = arguments.count > 3 ? Double(arguments[3]) ?? 3 : 3
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
