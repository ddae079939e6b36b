import Benchmark
import CatalogFixture
import ConveyorCore
import ConveyorRuns
import ConveyorStore
import Foundation
import Logging

/// Issue 4's file-catalog scale on both backends, with 10 million files registered (chains of
/// raw → cdst → mdst → udst): the ancestors of a file, its whole provenance, and registering
/// 100,000 more files in one call.
///
/// SQLite uses `$CONVEYOR_BENCH_CATALOG_SQLITE` (default /tmp/conveyor-bench/catalog.sqlite);
/// PostgreSQL runs when `$CONVEYOR_BENCH_POSTGRES_URL` is set. Both are seeded on first use
/// (or beforehand with `swift run -c release seed-catalog DB`) and reused afterwards.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], timeUnits: .microseconds, warmupIterations: 3, maxDuration: .seconds(10), maxIterations: 1_000)
    let environment = ProcessInfo.processInfo.environment
    var backends: [(name: String, url: String)] = [("sqlite", environment["CONVEYOR_BENCH_CATALOG_SQLITE"] ?? "/tmp/conveyor-bench/catalog.sqlite")]
    if let url = environment["CONVEYOR_BENCH_POSTGRES_URL"], !url.isEmpty { backends.append(("postgresql", url)) }

    for backend in backends {
        let fixture = CatalogStore(url: backend.url)

        Benchmark("\(backend.name): ancestors of a udst file (10M files)", closure: { benchmark in
            let store = fixture.store!
            for i in benchmark.scaledIterations {
                let lfn = CatalogFixture.lfn(.udst, chain: (i &* 7_919) % CatalogFixture.chains)
                let ancestors = try await store.read { try await $0.relatives(of: lfn, ancestors: true) }
                precondition(ancestors.count == 3)
                blackHole(ancestors)
            }
        }, setup: { try await fixture.prepare() }, teardown: { await fixture.close() })

        Benchmark("\(backend.name): files show, whole provenance of an mdst file (10M files)", closure: { benchmark in
            let catalog = FileCatalog(store: fixture.store!)
            for i in benchmark.scaledIterations {
                blackHole(try await catalog.show(CatalogFixture.lfn(.mdst, chain: (i &* 104_729) % CatalogFixture.chains)))
            }
        }, setup: { try await fixture.prepare() }, teardown: { await fixture.close() })

        Benchmark("\(backend.name): register 100,000 files (50k raw + 50k cdst children) into 10M",
                  configuration: .init(metrics: [.wallClock], timeUnits: .seconds, warmupIterations: 0, maxDuration: .seconds(30), maxIterations: 3),
                  closure: { benchmark in
            let catalog = FileCatalog(store: fixture.store!)
            let prefix = "bench-\(UUID().uuidString.prefix(8))"
            let files = CatalogFixture.batch(first: 0, count: 50_000, levels: [.raw, .cdst], prefix: prefix)
            benchmark.startMeasurement()
            let report = try await catalog.register(files, by: Actor(name: "bench", role: .admin))
            benchmark.stopMeasurement()
            precondition(report.registered == 100_000)
        }, setup: { try await fixture.prepare() }, teardown: { await fixture.close() })
    }
}

/// One catalog database per backend, opened (and seeded when short) on first use.
final class CatalogStore: @unchecked Sendable {
    let url: String
    var store: Store?

    init(url: String) { self.url = url }

    func prepare() async throws {
        guard store == nil else { return }
        store = try await CatalogFixture.openSeeded(url)
    }

    func close() async {
        await store?.close()
        store = nil
    }
}
