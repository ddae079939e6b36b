import Benchmark
import ConveyorCore
import ConveyorStore
import Foundation
import Logging

/// Store throughput on both backends: one-row transactions, 100-row transactions, and point reads
/// by a unique key (the token lookup every API request makes).
///
/// SQLite runs in a temporary folder; PostgreSQL runs when `CONVEYOR_BENCH_POSTGRES_URL` names a
/// database the benchmark may fill (it creates its rows with unique names and leaves them).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput],
        timeUnits: .microseconds,
        warmupIterations: 20,
        maxDuration: .seconds(5),
        maxIterations: 20_000
    )

    var backends: [(name: String, location: () throws -> StoreLocation)] = [
        ("sqlite", {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return .sqlite(path: folder.appendingPathComponent("bench.sqlite").path)
        }),
    ]
    if let url = ProcessInfo.processInfo.environment["CONVEYOR_BENCH_POSTGRES_URL"], !url.isEmpty {
        backends.append(("postgresql", { try StoreLocation(parsing: url) }))
    }

    for backend in backends {
        let fixture = StoreFixture()

        Benchmark(
            "\(backend.name): insert, one row per transaction",
            closure: { benchmark in
                let store = fixture.store!
                for _ in benchmark.scaledIterations {
                    try await store.write { session in
                        try await session.appendAudit(AuditRecord(actor: fixture.actor, action: "bench.insert", subjectKind: "bench", subject: "row"))
                    }
                }
            },
            setup: { try await fixture.open(backend.location()) },
            teardown: { await fixture.close() }
        )

        Benchmark(
            "\(backend.name): insert, 100 rows per transaction",
            configuration: .init(metrics: [.wallClock, .throughput], timeUnits: .milliseconds, maxDuration: .seconds(5), maxIterations: 2_000),
            closure: { benchmark in
                let store = fixture.store!
                for _ in benchmark.scaledIterations {
                    try await store.write { session in
                        for _ in 0..<100 {
                            try await session.appendAudit(AuditRecord(actor: fixture.actor, action: "bench.batch", subjectKind: "bench", subject: "row"))
                        }
                    }
                }
            },
            setup: { try await fixture.open(backend.location()) },
            teardown: { await fixture.close() }
        )

        Benchmark(
            "\(backend.name): point read by unique key",
            closure: { benchmark in
                let store = fixture.store!
                let hashes = fixture.tokenHashes
                for i in benchmark.scaledIterations {
                    let hash = hashes[i % hashes.count]
                    let user = try await store.read { try await $0.activeUser(tokenHash: hash) }
                    blackHole(user)
                }
            },
            setup: {
                try await fixture.open(backend.location())
                try await fixture.seedUsers(1_000)
            },
            teardown: { await fixture.close() }
        )
    }
}

/// The store a benchmark works on, opened in setup and closed in teardown.
final class StoreFixture: @unchecked Sendable {
    var store: Store?
    var tokenHashes: [String] = []
    let actor = Actor.localOperator(named: "bench")

    func open(_ location: StoreLocation) async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        store = try await Store.open(location, logger: logger)
    }

    func seedUsers(_ count: Int) async throws {
        let run = UUID().uuidString.prefix(8)
        let hashes = (0..<count).map { AccessToken.hash(of: "bench-\(run)-\($0)") }
        try await store!.write { session in
            for (i, hash) in hashes.enumerated() {
                _ = try await session.insertUser(name: "bench-\(run)-\(i)", role: .viewer, tokenHash: hash, createdAt: .now, createdBy: "bench")
            }
        }
        tokenHashes = hashes
    }

    func close() async {
        await store?.close()
        store = nil
    }
}
