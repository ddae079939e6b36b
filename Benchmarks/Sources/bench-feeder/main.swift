import ConveyorConditions
import ConveyorCore
import ConveyorDataTaking
import ConveyorLive
import ConveyorStore
import ConveyorWorkflow
import Foundation
import Logging

// bench-feeder DATABASE RUNS FILES_PER_RUN ACTIVE [FLOOR_DATABASE]: the live feeder over a season (issue 16).
//
// Seeds RUNS one-hour physics runs with FILES_PER_RUN raw files each. The first RUNS - ACTIVE
// are history: their run streams certified, their files handed to express. The last ACTIVE are
// closed and on their way: the first cycle hands their files to express (one request each; no
// scheduler runs them, so they stay open). Then it measures:
// - an idle cycle (nothing new) over the season, p50 of 30;
// - a cycle in which one new raw file of an active run arrives (one express request), p50 of 10;
// and the floor, in the same run: the same idle cycle on a fresh SQLite database holding only
// the ACTIVE runs (FLOOR_DATABASE, an empty database of the same engine, as a sixth argument). A cycle that costs what is active has the same figure over a season as over its floor.
let arguments = CommandLine.arguments
guard arguments.count >= 5, let runs = Int(arguments[2]), let filesPerRun = Int(arguments[3]), let active = Int(arguments[4]), active >= 1, active < runs
else {
    print("usage: bench-feeder DATABASE RUNS FILES_PER_RUN ACTIVE   (DATABASE: an SQLite path or a postgres:// URL)")
    exit(2)
}
var logger = Logger(label: "bench")
logger.logLevel = .error
let manager = Actor(name: "bench", role: .manager)
let clock = ContinuousClock()
enum Names {
    @Sendable static func hours(_ h: Double) -> Timestamp { Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000).adding(seconds: h * 3_600) }
    @Sendable static func lfn(_ run: Int, _ f: Int) -> String { "/belle/raw/e0008/r\(String(format: "%05d", run))/raw_\(f).sroot" }
}
let hours = Names.hours
let lfn = Names.lfn
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
func p50(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
func ms(_ s: Double) -> String { String(format: "%.2f ms", s * 1000) }

let configuration = """
    global:
      release: r1
      express_tags: [online]
      prompt_tags: [online]
      site: {name: KEKCC, pool: local}
      output_base: /belle/Data
      commands: {reconstruction: /bin/true}
    streams:
      - {name: physics, express: {outputs: [mdst]}, prompt_reco: {outputs: [mdst]}}

    """

/// Runs `first...last` with their files; runs below `history` get certified streams with every file expressed.
func seed(_ store: Store, _ first: Int, _ last: Int, history: Int) async throws {
    try await ConditionsDatabase(store: store).createTag(named: "online", type: .data, description: "", by: manager)
    try await ConditionsDatabase(store: store).setState(ofTag: "online", to: .running, by: manager)
    try await Workflows(store: store).savePool(try Pool(name: "local", executor: .local, slots: 1), by: manager)
    for start in stride(from: first, through: last, by: 200) {
        let end = min(start + 199, last)
        try await store.write { session in
            var files: [CatalogFile] = []
            for n in start...end {
                _ = try await session.upsertRun(
                    RunRecord(run: ExpRun(exp: 8, run: n), start: hours(Double(n - 1)), stop: hours(Double(n)), events: 1_000, onlineLuminosity: 1),
                    at: hours(Double(n)), by: "daq")
                for f in 0..<filesPerRun {
                    files.append(
                        CatalogFile(
                            lfn: lfn(n, f), size: 1, adler32: "00000001", sha256: String(repeating: "0", count: 64), events: 10, run: ExpRun(exp: 8, run: n),
                            level: .raw, replicas: [Replica(site: "KEKCC", path: lfn(n, f))]))
                }
            }
            _ = try await session.registerFiles(files, at: hours(Double(end)))
        }
    }
    try await LiveDataTaking(store: store).configure(Data(configuration.utf8), fileName: "bench.yaml", trackFrom: ExpRun(exp: 8, run: first), by: manager)
    _ = try await PromptReco(store: store).cycle(at: hours(Double(first)))
    guard history > first else { return }
    // History: certified streams, every file expressed (as the feeder leaves them).
    for start in stride(from: first, to: history, by: 200) {
        let end = min(start + 199, history - 1)
        try await store.write { session in
            for n in start...end {
                let run = ExpRun(exp: 8, run: n)
                try await session.insertLiveStream(
                    LiveStream(run: run, stream: "physics", stage: .certified, stageAt: hours(Double(n + 50)), expressFiles: filesPerRun, expressChunks: 1))
                try await session.insertExpressFiles((0..<filesPerRun).map { lfn(n, $0) }, stream: "physics", run: run, chunk: 0)
            }
        }
    }
}

func idle(_ feeder: LiveFeeder, at moment: Timestamp, times: Int = 30) async throws -> Double {
    var samples: [Double] = []
    for _ in 0..<times {
        let t = clock.now
        let result = try await feeder.cycle(at: moment)
        precondition(!result.didWork && result.active == active, "an idle cycle found work, or not every active stream: \(result)")
        samples.append(seconds(clock.now - t))
    }
    return p50(samples)
}

let firstActive = runs - active + 1
let moment = hours(Double(runs) + 1)

let floorPath = FileManager.default.temporaryDirectory.appendingPathComponent("bench-feeder-floor-\(UUID().uuidString.prefix(8)).sqlite").path
let floorStore = try await Store.open(arguments.count > 5 ? try StoreLocation(parsing: arguments[5]) : .sqlite(path: floorPath), logger: logger)
try await seed(floorStore, firstActive, runs, history: firstActive)
let floorFeeder = LiveFeeder(store: floorStore)
_ = try await floorFeeder.cycle(at: moment)
let floorIdle = try await idle(floorFeeder, at: moment)
await floorStore.close()
try? FileManager.default.removeItem(atPath: floorPath)

let store = try await Store.open(try StoreLocation(parsing: arguments[1]), logger: logger)
var t = clock.now
try await seed(store, 1, runs, history: firstActive)
let seeding = seconds(clock.now - t)
let feeder = LiveFeeder(store: store)
t = clock.now
let first = try await feeder.cycle(at: moment)
let firstSeconds = seconds(clock.now - t)
precondition(first.expressSubmitted == active, "each active run's files go to express in the first cycle: \(first)")
let seasonIdle = try await idle(feeder, at: moment)
var arrivals: [Double] = []
for i in 0..<10 {
    let run = ExpRun(exp: 8, run: firstActive + i % active)
    let name = "/belle/raw/e0008/r\(String(format: "%05d", run.run))/late_\(i).sroot"
    try await store.write { session in
        _ = try await session.registerFiles(
            [
                CatalogFile(
                    lfn: name, size: 1, adler32: "00000001", sha256: String(repeating: "0", count: 64), events: 10, run: run, level: .raw,
                    replicas: [Replica(site: "KEKCC", path: name)])
            ], at: moment)
    }
    let t = clock.now
    let result = try await feeder.cycle(at: moment)
    arrivals.append(seconds(clock.now - t))
    precondition(result.expressSubmitted == 1, "one new file, one express request: \(result)")
}
await store.close()

print(
    "bench-feeder: \(runs) runs × \(filesPerRun) raw files (\(runs * filesPerRun) files), \(active) active, on \(arguments[1].hasPrefix("postgres") ? "PostgreSQL" : "SQLite")"
)
print(
    "seeding: \(String(format: "%.1f s", seeding)); first cycle handing \(active) runs' \(active * filesPerRun) files to express: \(String(format: "%.2f s", firstSeconds))"
)
print(
    "idle cycle, \(runs) runs / \(active) active: \(ms(seasonIdle)) (floor, \(active) runs only: \(ms(floorIdle))); \(String(format: "%.1f µs", seasonIdle / Double(active * filesPerRun) * 1e6)) per active file"
)
print("cycle taking one new raw file to express (one request submitted): \(ms(p50(arrivals))) p50 of \(arrivals.count)")
