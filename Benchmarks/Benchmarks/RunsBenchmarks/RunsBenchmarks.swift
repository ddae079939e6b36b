import Benchmark
import ConveyorCore
import ConveyorRuns
import ConveyorStore
import Foundation
import Logging

/// Issue 4's run-registry scale on SQLite: 100,000 runs in 10 experiments, each with 10 quality
/// events (summary and detector flags), then a filtered run query with totals and `goodruns --as-of`.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 20)
    let fixture = RunsFixture()

    Benchmark("filtered run query with totals (10,000 runs of one experiment)", closure: { benchmark in
        let registry = fixture.registry!
        for _ in benchmark.scaledIterations {
            blackHole(try await registry.list(RunQuery(exp: 3, type: .physics, energy: "4S", minimumLuminosity: 1, quality: .good)))
        }
    }, setup: { try await fixture.prepare() })

    Benchmark("goodruns --as-of (one experiment, 10,000 runs, 100,000 events)", closure: { benchmark in
        let registry = fixture.registry!
        for _ in benchmark.scaledIterations {
            blackHole(try await registry.goodRuns(exp: 3, requiring: ["CDC", "ECL"], asOf: fixture.middle))
        }
    }, setup: { try await fixture.prepare() })
}

final class RunsFixture: @unchecked Sendable {
    var registry: RunRegistry?
    var middle: Timestamp?

    func prepare() async throws {
        guard registry == nil else { return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-runs-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let store = try await Store.open(.sqlite(path: folder.appendingPathComponent("bench.sqlite").path), logger: logger)
        let base = Timestamp.now.microsecondsSinceEpoch - 86_400_000_000
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
        middle = Timestamp(microsecondsSinceEpoch: base + 5 * 3_600_000_000)
        registry = RunRegistry(store: store)
    }
}
