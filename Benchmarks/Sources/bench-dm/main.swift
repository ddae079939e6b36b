import ConveyorCore
import ConveyorDataManagement
import ConveyorStore
import Foundation
import Logging

// bench-dm DATABASE REPLICAS DATASET_FILES: the embedded data-management engine at scale.
//
// Seeds REPLICAS catalog files, each with one tape replica at site A, then measures, on that
// catalog: a rule over a DATASET_FILES-file dataset placed (locks and queued copies created), an
// idle engine cycle (what it reads when nothing changed), ending the big rule, and adding a
// one-file rule (p50 of 50). The floor beside the big rule, in the same run on the same database:
// attaching the same files to a dataset, one row per file, the store's own cost of writing as
// many rows; beside the idle cycle, the same cycle on an empty database.
let arguments = CommandLine.arguments
guard arguments.count >= 4, let replicas = Int(arguments[2]), let datasetFiles = Int(arguments[3]), datasetFiles <= replicas else {
    print("usage: bench-dm DATABASE REPLICAS DATASET_FILES   (DATABASE: an SQLite path or a postgres:// URL)")
    exit(2)
}
var logger = Logger(label: "bench")
logger.logLevel = .error
let admin = Actor(name: "bench", role: .admin)
let clock = ContinuousClock()

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

func endpoints(_ dm: DataManagement) async throws {
    for (name, site, kind) in [("A_TAPE", "A", StorageKind.tape), ("A_DISK", "A", .disk), ("B_DISK", "B", .disk)] {
        try await dm.saveEndpoint(
            try StorageEndpoint(
                name: name, site: site, kind: kind, prefix: "/bench/\(name)", attributes: ["tier": site == "A" ? "0" : "1"],
                recallCommand: kind == .tape ? "true {path}" : nil), by: admin)
    }
}

// The idle cycle on an empty database first (the floor of the cycle).
let emptyPath = FileManager.default.temporaryDirectory.appendingPathComponent("bench-dm-empty-\(UUID().uuidString.prefix(8)).sqlite").path
let emptyStore = try await Store.open(.sqlite(path: emptyPath), logger: logger)
let emptyDM = DataManagement(store: emptyStore)
try await endpoints(emptyDM)
var emptyCycles: [Double] = []
for _ in 0..<20 {
    let t = clock.now
    _ = try await emptyDM.engine.cycle(at: Timestamp(microsecondsSinceEpoch: Timestamp.now.microsecondsSinceEpoch - 86_400_000_000))
    emptyCycles.append(seconds(clock.now - t))
}
await emptyStore.close()
try? FileManager.default.removeItem(atPath: emptyPath)

let store = try await Store.open(try StoreLocation(parsing: arguments[1]), logger: logger)
let dm = DataManagement(store: store)
try await endpoints(dm)

// The catalog: REPLICAS files with one tape copy each.
var t = clock.now
let chunk = 5_000
var lfns: [String] = []
lfns.reserveCapacity(datasetFiles)
for start in stride(from: 0, to: replicas, by: chunk) {
    var files: [CatalogFile] = []
    for index in start..<min(start + chunk, replicas) {
        let run = 1 + index / 10_000
        let lfn = "/belle/Raw/e0008/r\(String(format: "%05d", run))/raw_\(index).sroot"
        if index < datasetFiles { lfns.append(lfn) }
        files.append(
            CatalogFile(
                lfn: lfn, size: 1_000_000, adler32: String(format: "%08x", index), sha256: String(repeating: "0", count: 56) + String(format: "%08x", index),
                events: 100, run: ExpRun(exp: 8, run: run), level: .raw, replicas: [Replica(site: "A", storage: .tape, path: "/bench/A_TAPE\(lfn)")]))
    }
    let batch = files
    _ = try await store.write { try await $0.registerFiles(batch, at: .now) }
}
let seeded = seconds(clock.now - t)
print(String(format: "seeded %d files with one replica each in %.1f s", replicas, seeded))

// Floor: attaching the dataset's files, one row each.
_ = try await dm.createDataset("big.raw", kind: .dataset, by: admin)
t = clock.now
for start in stride(from: 0, to: lfns.count, by: 10_000) {
    _ = try await dm.attach(Array(lfns[start..<min(start + 10_000, lfns.count)]), to: "big.raw", by: admin)
}
let attach = seconds(clock.now - t)

// The rule over the dataset, placed when added.
t = clock.now
let rule = try await dm.addRule(.init(target: .dataset("big.raw"), copies: 1, expression: "B_DISK"), by: admin)
let place = seconds(clock.now - t)
precondition(rule.locksReplicating == datasetFiles, "placed \(rule.locksReplicating) of \(datasetFiles)")

// An idle cycle: nothing marked and, as of a moment before the rule, nothing due; the
// 100,000 queued copies and every replica are there for it to read if it were to.
let before = Timestamp(microsecondsSinceEpoch: Timestamp.now.microsecondsSinceEpoch - 86_400_000_000)
var idle: [Double] = []
for _ in 0..<20 {
    let c = clock.now
    let cycle = try await dm.engine.cycle(at: before)
    idle.append(seconds(clock.now - c))
    precondition(!cycle.didWork)
}

t = clock.now
try await dm.deleteRule(rule.id, by: admin)
let end = seconds(clock.now - t)

var adds: [Double] = []
for index in 0..<50 {
    let a = clock.now
    let small = try await dm.addRule(.init(target: .file(lfns[index]), copies: 1, expression: "A_DISK|B_DISK"), by: admin)
    adds.append(seconds(clock.now - a))
    precondition(small.locksReplicating == 1)
}
func p50(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
print(String(format: "rule over %d files placed: %.2f s (floor: attaching them to a dataset %.2f s; ratio %.1f×)", datasetFiles, place, attach, place / attach))
print(String(format: "idle cycle with %d replicas: p50 %.1f ms (floor: empty database %.1f ms)", replicas, p50(idle) * 1000, p50(emptyCycles) * 1000))
print(String(format: "ending the big rule: %.2f s", end))
print(String(format: "adding a one-file rule: p50 %.1f ms, max %.1f ms", p50(adds) * 1000, (adds.max() ?? 0) * 1000))
await store.close()
