import ConveyorCore
import ConveyorRuns
import ConveyorStore
import Foundation
import Logging

/// Issue 4's file-catalog scale: chains raw → cdst → mdst → udst, four files each, registered
/// through ``FileCatalog`` in transactions of 100,000 files. Seeding resumes where it stopped, so
/// a 10-million-file database is built once and reused by later benchmark runs.
public enum CatalogFixture {
    /// 2.5 million chains: 10 million files.
    public static let chains = 2_500_000
    static let chainsPerBatch = 25_000
    public static let levels: [DataLevel] = [.raw, .cdst, .mdst, .udst]

    public static func lfn(_ level: DataLevel, chain: Int, prefix: String = "bench") -> String {
        let run = chain / 250
        return "/belle/\(prefix)/\(level.rawValue)/e\(run / 10_000)/r\(run % 10_000)/f\(chain).root"
    }

    static func file(_ level: DataLevel, chain: Int, prefix: String) -> CatalogFile {
        let depth = levels.firstIndex(of: level)!
        let run = chain / 250
        let digest = PayloadChecksums(of: Data("\(prefix)\(level)\(chain)".utf8))
        let adler32 = String(digest.md5.prefix(8))
        return CatalogFile(
            lfn: lfn(level, chain: chain, prefix: prefix), size: Int64(1_000_000 >> depth), adler32: adler32, sha256: digest.sha256,
            events: Int64(10_000 >> depth), run: ExpRun(exp: run / 10_000, run: run % 10_000), level: level, release: "release-08",
            globalTags: depth == 0 ? [] : ["prompt"], parents: depth == 0 ? [] : [lfn(levels[depth - 1], chain: chain, prefix: prefix)],
            replicas: [
                Replica(site: depth == 0 ? "KEKCC" : "DESY", storage: depth == 0 ? .tape : .disk, path: "/pnfs\(lfn(level, chain: chain, prefix: prefix))")
            ]
        )
    }

    /// `count` chains (4 files each) starting at `first`, children listed before parents.
    public static func batch(first: Int, count: Int, levels: [DataLevel] = levels, prefix: String = "bench") -> [CatalogFile] {
        levels.reversed().flatMap { level in (first..<first + count).map { file(level, chain: $0, prefix: prefix) } }
    }

    /// Registers chains until the store holds `chains` of them.
    public static func seed(_ store: Store, chains: Int = chains, progress: @Sendable (Int, Duration) -> Void = { _, _ in }) async throws {
        let files = try await store.read { session in try await session.counts().first { $0.kind == "files" }?.count ?? 0 }
        let catalog = FileCatalog(store: store)
        let operatorActor = Actor(name: "bench", role: .admin)
        var next = files / levels.count
        while next < chains {
            let started = ContinuousClock.now
            let count = min(chainsPerBatch, chains - next)
            _ = try await catalog.register(batch(first: next, count: count), by: operatorActor)
            next += count
            progress(next * levels.count, ContinuousClock.now - started)
        }
    }

    /// Opens the catalog database at `url` (making an SQLite file's folder) and seeds it when short.
    public static func openSeeded(_ url: String) async throws -> Store {
        let location = try StoreLocation(parsing: url)
        if case .sqlite(let path) = location {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let store = try await Store.open(location, logger: logger)
        try await seed(store)
        return store
    }
}
