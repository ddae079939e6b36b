import Benchmark
import ConveyorCore
import ConveyorRuns
import ConveyorStore
import Foundation
import Logging

/// Issue 4's run-registry scale: 100,000 runs in 10 experiments, each with 10 quality events
/// (summary and detector flags), then a filtered run query with totals and `goodruns --as-of`.
///
/// SQLite runs in a temporary folder; PostgreSQL runs when `$CONVEYOR_BENCH_POSTGRES_URL` is set
/// (seeded once, reused while it holds the 100,000 runs).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 20)
    var backends: [(name: String, url: String?)] = [("sqlite", nil)]
    if let url = ProcessInfo.processInfo.environment["CONVEYOR_BENCH_POSTGRES_URL"], !url.isEmpty { backends.append(("postgresql", url)) }
    for backend in backends {
    let fixture = RunsFixture(url: backend.url)

    Benchmark("\(backend.name): filtered run query with totals (10,000 runs of one experiment)", closure: { benchmark in
        let registry = fixture.registry!
        for _ in benchmark.scaledIterations {
            blackHole(try await registry.list(RunQuery(exp: 3, type: .physics, energy: "4S", minimumLuminosity: 1, quality: .good)))
        }
    }, setup: { try await fixture.prepare() })

    Benchmark("\(backend.name): goodruns --as-of (one experiment, 10,000 runs, 100,000 events)", closure: { benchmark in
        let registry = fixture.registry!
        for _ in benchmark.scaledIterations {
            blackHole(try await registry.goodRuns(exp: 3, requiring: ["CDC", "ECL"], asOf: fixture.middle))
        }
    }, setup: { try await fixture.prepare() })
    }
}

final class RunsFixture: @unchecked Sendable {
    let url: String?
    var registry: RunRegistry?
    var middle: Timestamp?

    init(url: String?) { self.url = url }

    func prepare() async throws {
        guard registry == nil else { return }
        let location: StoreLocation
        if let url {
            location = try StoreLocation(parsing: url)
        } else {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-runs-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            location = .sqlite(path: folder.appendingPathComponent("bench.sqlite").path)
        }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let store = try await Store.open(location, logger: logger)
        registry = RunRegistry(store: store)
        // Event times are whole hours from a fixed day, so a reused database keeps its middle moment.
        let base: Int64 = 1_793_000_000_000_000
        middle = Timestamp(microsecondsSinceEpoch: base + 5 * 3_600_000_000)
        let runs = try await store.read { session in try await session.counts().first { $0.kind == "runs" }?.count ?? 0 }
        guard runs < 100_000 else { return }
        try await store.write { session in
            for exp in 0..<10 {
                for run in 0..<10_000 {
                    let record = RunRecord(run: ExpRun(exp: exp, run: run), type: run % 7 == 0 ? .cosmic : .physics, energy: run % 5 == 0 ? "Continuum" : "4S",
                                           events: Int64(1000 + run), onlineLuminosity: Double(run % 10))
                    _ = try await session.upsertRun(record, at: Timestamp(microsecondsSinceEpoch: base), by: "bench")
                    for i in 0..<10 {
                        let detector: String? = i < 4 ? nil : ["CDC", "ECL", "KLM", "TOP", "SVD", "PXD"][i - 4]
                        let flag: QualityFlag = (run + i) % 9 == 0 ? .bad : .good
                        try await session.appendQualityEvent(QualityEvent(
                            run: ExpRun(exp: exp, run: run), kind: .flag, detector: detector, old: nil, new: flag.rawValue, reason: "bench",
                            actor: "bench", at: Timestamp(microsecondsSinceEpoch: base + Int64(i) * 3_600_000_000)))
                    }
                }
            }
        }
    }
}
