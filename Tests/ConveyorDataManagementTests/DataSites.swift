import ConveyorCore
import ConveyorDataManagement
import ConveyorJob
import ConveyorStore
import ConveyorTestSupport
import Foundation
import Testing

/// The engine a data-management test runs on: every test of the shared suite runs on each.
enum DataEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case embedded, rucio

    /// Rucio only where a server is given (scripts/test starts one; CI must have it).
    static var available: [DataEngine] { RucioServer.wanted ? [.embedded, .rucio] : [.embedded] }
    var testDescription: String { rawValue }

    /// A test on a fresh store; on Rucio, alone among the tests that use the one server.
    func run(on backend: TestBackend, _ body: @escaping @Sendable (Store) async throws -> Void) async throws {
        if self == .rucio {
            try await RucioServer.exclusively { try await backend.withStore(body) }
        } else {
            try await backend.withStore(body)
        }
    }
}

/// Two sites on this machine, each a folder: KEK with a (simulated) tape and a disk, BNL with a
/// disk; raw files written to the tape folder and registered there.
///
/// On Rucio, whose RSEs, DIDs and datasets are global in its one server, every name a test gives
/// (endpoints, sites, datasets) goes through ``n(_:)``, which appends this test's tag, and each
/// endpoint carries `suite=TAG` so that ``scoped(_:)`` keeps an expression to this test's endpoints.
struct DataSites {
    let directory: TemporaryDirectory
    let store: Store
    let dm: DataManagement
    let kind: DataEngine
    /// Empty on the embedded engine.
    let tag: String
    static let manager = Actor(name: "dm-manager", role: .manager)
    static let admin = Actor(name: "dm-admin", role: .admin)

    init(
        store: Store, on kind: DataEngine = .embedded, backoff: TransferBackoff = TransferBackoff(baseSeconds: 0, ceilingSeconds: 0, limit: 3),
        engine: (any DataManagementEngine)? = nil
    ) throws {
        directory = try TemporaryDirectory(prefix: "conveyor-dm")
        self.store = store
        self.kind = kind
        switch kind {
        case .embedded:
            tag = ""
            dm = DataManagement(store: store, engine: engine ?? EmbeddedEngine(store: store, backoff: backoff, logger: TestBackend.quietLogger))
        case .rucio:
            tag = RucioServer.freshTag()
            let client = try RucioServer.client()
            dm = DataManagement(store: store, engine: engine ?? RucioEngine(store: store, client: client))
        }
    }

    /// A name of this test's: as given on the embedded engine, with the tag on Rucio.
    func n(_ name: String) -> String { tag.isEmpty ? name : "\(name)_\(tag)" }

    /// An expression kept to this test's endpoints.
    func scoped(_ expression: String) -> String { tag.isEmpty ? expression : "(\(expression))&suite=\(tag)" }

    func endpoint(
        _ name: String, site: String, kind: StorageKind = .disk, quota: Int64? = nil, freeTarget: Int64? = nil, copy: String = "cp {src} {dst}",
        timeout: Int = 60, concurrency: Int = 4, attributes: [String: String] = [:], ownerQuotas: [String: Int64] = [:]
    ) async throws {
        let prefix = directory.file(name)
        try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true)
        var attributes = attributes
        if !tag.isEmpty { attributes["suite"] = tag }
        try await dm.saveEndpoint(
            try StorageEndpoint(
                name: n(name), site: n(site), kind: kind, prefix: prefix, attributes: attributes, quotaBytes: quota, ownerQuotas: ownerQuotas,
                freeSpaceTargetBytes: freeTarget,
                copyCommand: copy, recallCommand: kind == .tape ? "test -f {path}" : nil, timeoutSeconds: timeout, concurrency: concurrency),
            by: Self.admin)
    }

    /// The usual three endpoints.
    func standard(bnlQuota: Int64? = nil, bnlFreeTarget: Int64? = nil) async throws {
        try await endpoint("KEK_TAPE", site: "KEK", kind: .tape, attributes: ["country": "JP"])
        try await endpoint("KEK_DISK", site: "KEK", attributes: ["country": "JP", "tier": "0"])
        try await endpoint("BNL_DISK", site: "BNL", quota: bnlQuota, freeTarget: bnlFreeTarget, attributes: ["country": "US", "tier": "1"])
    }

    /// Writes `count` raw files of `size` bytes at an endpoint's folder and registers them with
    /// a replica there (in a dataset when `dataset` is given).
    @discardableResult
    func rawFiles(_ count: Int, size: Int = 1000, at endpointName: String = "KEK_TAPE", dataset: String? = nil, run: Int = 1) async throws -> [String] {
        guard let endpoint = try await store.read({ try await $0.endpoint(named: n(endpointName)) }) else { throw ConveyorError.notFound(endpointName) }
        var files: [CatalogFile] = []
        for index in 0..<count {
            let lfn = "/belle/Raw/e0008/r\(String(format: "%05d", run))/raw_\(tag)\(index).sroot"
            let path = endpoint.path(of: lfn)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let bytes = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index &+ run) })
            try bytes.write(to: URL(fileURLWithPath: path))
            let sums = try FileChecksums(ofFileAt: path)
            files.append(
                CatalogFile(
                    lfn: lfn, size: sums.size, adler32: sums.adler32, sha256: sums.sha256, events: 10, run: ExpRun(exp: 8, run: run), level: .raw,
                    replicas: [Replica(site: endpoint.site, storage: endpoint.kind, path: path)]))
        }
        let registered = files
        _ = try await store.write { try await $0.registerFiles(registered, at: .now) }
        if let dataset {
            _ = try await dm.createDataset(n(dataset), kind: .dataset, by: Self.manager)
            _ = try await dm.attach(files.map(\.lfn), to: n(dataset), by: Self.manager)
        }
        return files.map(\.lfn)
    }

    /// Cycles until nothing is due (at most `limit`); on Rucio, with a run of its daemons
    /// between cycles until no rule of this test is still replicating.
    @discardableResult
    func settle(limit: Int = 20) async throws -> DataManagementCycle {
        var total = DataManagementCycle()
        func add(_ cycle: DataManagementCycle) {
            total.copiesMade += cycle.copiesMade
            total.copiesFailed += cycle.copiesFailed
            total.replicasDeleted += cycle.replicasDeleted
            total.rulesEnded += cycle.rulesEnded
            total.bytesDeleted += cycle.bytesDeleted
        }
        if kind == .rucio {
            for _ in 0..<3 {
                add(try await dm.engine.cycle(at: .now))
                try await RucioServer.runDaemons()
                add(try await dm.engine.cycle(at: .now))
                if try await dm.rules().allSatisfy({ $0.state != .REPLICATING }) { break }
            }
            return total
        }
        for _ in 0..<limit {
            let cycle = try await dm.engine.cycle(at: .now)
            add(cycle)
            if !cycle.didWork { break }
        }
        return total
    }

    func replicas(_ lfn: String) async throws -> [Replica] {
        try await store.read { try await $0.file(lfn: lfn) }?.replicas ?? []
    }
}
