import ConveyorCore
import ConveyorDataTaking
import ConveyorStore
import Foundation
import Logging

// bench-prompt DATABASE RUNS FILES_PER_RUN ACTIVE [FLOOR_DATABASE]: the PromptReco handshake over a season.
//
// Seeds RUNS one-hour physics runs with FILES_PER_RUN raw files each, lets the handshake lock
// and release all but the last ACTIVE of them (on a simulated clock), then measures:
// - an idle cycle (nothing due) with RUNS tracked and ACTIVE active, p50 of 50;
// - a cycle that locks and releases one run, p50 of ACTIVE - 1 steps.
// The floor, in the same run: the same idle cycle on a database holding only the ACTIVE runs
// (FLOOR_DATABASE, an empty database of the same engine; a fresh SQLite file by default).
// A cycle that costs what is active has the same figure over a season as over its floor.
let arguments = CommandLine.arguments
guard arguments.count >= 5, let runs = Int(arguments[2]), let filesPerRun = Int(arguments[3]), let active = Int(arguments[4]), active >= 2, active < runs
else {
    print("usage: bench-prompt DATABASE RUNS FILES_PER_RUN ACTIVE   (DATABASE: an SQLite path or a postgres:// URL; ACTIVE >= 2)")
    exit(2)
}
var logger = Logger(label: "bench")
logger.logLevel = .error
let manager = Actor(name: "bench", role: .manager)
let clock = ContinuousClock()
/// The simulated clock: hours from the season's start.
enum Season {
    static let t0 = Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000)
    @Sendable static func hours(_ h: Double) -> Timestamp { Timestamp(microsecondsSinceEpoch: t0.microsecondsSinceEpoch + Int64(h * 3_600_000_000)) }
}
let hours = Season.hours
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
func p50(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
func ms(_ s: Double) -> String { String(format: "%.2f ms", s * 1000) }

/// Runs `first...last`, each an hour long, with their raw files registered at the run's end.
func seed(_ store: Store, _ first: Int, _ last: Int, filesPerRun: Int) async throws {
    for start in stride(from: first, through: last, by: 500) {
        let end = min(start + 499, last)
        try await store.write { session in
            var files: [CatalogFile] = []
            for n in start...end {
                _ = try await session.upsertRun(
                    RunRecord(
                        run: ExpRun(exp: 8, run: n), start: Season.hours(Double(n - 1)), stop: Season.hours(Double(n)), events: 1_000, onlineLuminosity: 1),
                    at: Season.hours(Double(n)), by: "daq")
                for f in 0..<filesPerRun {
                    files.append(
                        CatalogFile(
                            lfn: "/belle/raw/e0008/r\(String(format: "%05d", n))/raw_\(f).sroot", size: 1, adler32: "00000001",
                            sha256: String(repeating: "0", count: 64), events: 10, run: ExpRun(exp: 8, run: n), level: .raw))
                }
            }
            _ = try await session.registerFiles(files, at: Season.hours(Double(end)))
        }
    }
}

/// p50 of idle cycles at `moment` (nothing due).
func idle(_ prompt: PromptReco, at moment: Timestamp, times: Int = 50) async throws -> Double {
    var samples: [Double] = []
    for _ in 0..<times {
        let t = clock.now
        let result = try await prompt.cycle(at: moment)
        precondition(!result.didWork, "an idle cycle found work")
        samples.append(seconds(clock.now - t))
    }
    return p50(samples)
}

let settings = PromptSettings(delaySeconds: 48 * 3_600, lockOffsetSeconds: 1_800, closeAfterSeconds: 4 * 3_600, minimumDelaySeconds: 8 * 3_600)
let firstActive = runs - active + 1

// The floor: only the active runs.
let floorPath = FileManager.default.temporaryDirectory.appendingPathComponent("bench-prompt-floor-\(UUID().uuidString.prefix(8)).sqlite").path
let floorStore = try await Store.open(try StoreLocation(parsing: arguments.count > 5 ? arguments[5] : floorPath), logger: logger)
try await seed(floorStore, firstActive, runs, filesPerRun: filesPerRun)
let floorPrompt = PromptReco(store: floorStore)
try await floorPrompt.configure(settings, trackFrom: ExpRun(exp: 8, run: firstActive), by: manager)
// Just before the first active run locks.
let before = hours(Double(firstActive) + 47.5 - 0.01)
_ = try await floorPrompt.cycle(at: before)
let floorIdle = try await idle(floorPrompt, at: before)
await floorStore.close()
try? FileManager.default.removeItem(atPath: floorPath)

let store = try await Store.open(try StoreLocation(parsing: arguments[1]), logger: logger)
var t = clock.now
try await seed(store, 1, runs, filesPerRun: filesPerRun)
let seeding = seconds(clock.now - t)
let prompt = PromptReco(store: store)
try await prompt.configure(settings, trackFrom: ExpRun(exp: 8, run: 1), by: manager)
t = clock.now
let catchUp = try await prompt.cycle(at: before)
let catchUpSeconds = seconds(clock.now - t)
precondition(catchUp.plan.locks.count == firstActive - 1, "the season's runs lock in one cycle")
let seasonIdle = try await idle(prompt, at: before)
var steps: [Double] = []
for n in firstActive..<runs {
    let moment = hours(Double(n) + 48.01)
    let t = clock.now
    let result = try await prompt.cycle(at: moment)
    steps.append(seconds(clock.now - t))
    precondition(result.plan.locks.map(\.run.run) == [n] && result.plan.releases.map(\.run.run) == [n], "one run locked and released per step")
}
await store.close()

print(
    "bench-prompt: \(runs) runs × \(filesPerRun) raw files (\(runs * filesPerRun) files), \(active) active, on \(arguments[1].hasPrefix("postgres") ? "PostgreSQL" : "SQLite")"
)
print(
    "seeding: \(String(format: "%.1f s", seeding)); first cycle tracking, locking and releasing \(firstActive - 1) runs: \(String(format: "%.2f s", catchUpSeconds))"
)
print("idle cycle, \(runs) tracked / \(active) active: \(ms(seasonIdle)) (floor, \(active) runs only: \(ms(floorIdle)))")
print("cycle locking and releasing one run: \(ms(p50(steps))) p50 of \(steps.count), \(ms(p50(steps) / Double(active))) per active run")
