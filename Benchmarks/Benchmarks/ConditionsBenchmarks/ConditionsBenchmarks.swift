import Benchmark
import ConditionsFixture
import ConveyorConditions
import ConveyorCore
import ConveyorStore
import Foundation
import Logging

/// Issue 3's performance targets on one tag of 500 payload names × 2,000 IoVs (SQLite):
/// in-process resolution of all names for a random run, a cached single-name lookup through the
/// capability, a running update touching all 500 names, and `gt diff` of two such tags.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput],
        timeUnits: .microseconds,
        warmupIterations: 5,
        maxDuration: .seconds(5),
        maxIterations: 100_000
    )
    let fixture = ConditionsFixtureState()

    Benchmark(
        "resolve all 500 names for a random run (in-process index)",
        closure: { benchmark in
            let index = fixture.index!
            var generator = SystemRandomNumberGenerator()
            for _ in benchmark.scaledIterations {
                blackHole(index.resolveAll(at: BigTag.randomRun(using: &generator)))
            }
        },
        setup: { try await fixture.prepare() }
    )

    Benchmark(
        "resolve one name through ConditionsDatabase (cached index)",
        closure: { benchmark in
            let conditions = fixture.conditions!
            var generator = SystemRandomNumberGenerator()
            for _ in benchmark.scaledIterations {
                let found = try await conditions.resolve(tags: ["bench_a"], at: BigTag.randomRun(using: &generator), names: ["Payload250"])
                blackHole(found)
            }
        },
        setup: { try await fixture.prepare() }
    )

    Benchmark(
        "running update touching all 500 names",
        configuration: .init(metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 0, maxDuration: .seconds(20), maxIterations: 5),
        closure: { benchmark in
            let conditions = fixture.conditions!
            for _ in benchmark.scaledIterations {
                // Each update starts after the previous one, as successive buckets do.
                let next = fixture.nextValidFrom()
                benchmark.startMeasurement()
                // Alternating staging tags, so each update brings revisions the running tag lacks.
                let staging = next.run.isMultiple(of: 20) ? "bench_staging_2" : "bench_staging"
                let plan = try await conditions.runningUpdate("bench_a", from: staging, validFrom: next, by: .localOperator(named: "bench"))
                benchmark.stopMeasurement()
                precondition(plan.changes.count == 1_000)
            }
        },
        setup: { try await fixture.prepare() }
    )

    Benchmark(
        "load a 1,000,000-IoV tag and build its lookup index (cold cache)",
        configuration: .init(metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 5),
        closure: { benchmark in
            let conditions = fixture.conditions!
            for _ in benchmark.scaledIterations {
                blackHole(ConditionsIndex(entries: try await conditions.entries(ofTag: "bench_a")))
            }
        },
        setup: { try await fixture.prepare() }
    )

    Benchmark(
        "gt diff of two 500 × 2,000 tags differing in 50 names",
        configuration: .init(metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 5),
        closure: { benchmark in
            let conditions = fixture.conditions!
            for _ in benchmark.scaledIterations {
                blackHole(try await conditions.diff("bench_a", "bench_b"))
            }
        },
        setup: { try await fixture.prepare() }
    )
}

/// Built once per benchmark process: the tags, the store and a warm index.
final class ConditionsFixtureState: @unchecked Sendable {
    var store: Store?
    var conditions: ConditionsDatabase?
    var index: ConditionsIndex?
    private var updates = 0

    func prepare() async throws {
        guard store == nil else { return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-conditions-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let store = try await Store.open(.sqlite(path: folder.appendingPathComponent("bench.sqlite").path), logger: logger)
        try await BigTag.build(in: store, tag: "bench_a")
        try await BigTag.build(in: store, tag: "bench_b", state: .published, shiftRevisions: 1, shiftedNames: 50)
        try await BigTag.buildStaging(in: store, tag: "bench_staging", seed: "s")
        try await BigTag.buildStaging(in: store, tag: "bench_staging_2", seed: "t")
        let conditions = ConditionsDatabase(store: store)
        index = try await ConditionsIndex(entries: conditions.entries(ofTag: "bench_a"))
        self.store = store
        self.conditions = conditions
    }

    func nextValidFrom() -> ExpRun {
        updates += 1
        return ExpRun(exp: BigTag.experiment, run: 2_000 * BigTag.runsPerIoV + updates * 10)
    }
}
