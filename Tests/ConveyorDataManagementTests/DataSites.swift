import ConveyorCore
import ConveyorDataManagement
import ConveyorJob
import ConveyorStore
import ConveyorTestSupport
import Foundation

/// Two sites on this machine, each a folder: KEK with a (simulated) tape and a disk, BNL with a
/// disk; raw files written to the tape folder and registered there.
struct DataSites {
    let directory: TemporaryDirectory
    let store: Store
    let dm: DataManagement
    static let manager = Actor(name: "dm-manager", role: .manager)
    static let admin = Actor(name: "dm-admin", role: .admin)

    init(
        store: Store, backoff: TransferBackoff = TransferBackoff(baseSeconds: 0, ceilingSeconds: 0, limit: 3), engine: (any DataManagementEngine)? = nil
    ) throws {
        directory = try TemporaryDirectory(prefix: "conveyor-dm")
        self.store = store
        dm = DataManagement(store: store, engine: engine ?? EmbeddedEngine(store: store, backoff: backoff, logger: TestBackend.quietLogger))
    }

    func endpoint(
        _ name: String, site: String, kind: StorageKind = .disk, quota: Int64? = nil, freeTarget: Int64? = nil, copy: String = "cp {src} {dst}",
        timeout: Int = 60, attributes: [String: String] = [:]
    ) async throws {
        let prefix = directory.file(name)
        try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true)
        try await dm.saveEndpoint(
            try StorageEndpoint(
                name: name, site: site, kind: kind, prefix: prefix, attributes: attributes, quotaBytes: quota, freeSpaceTargetBytes: freeTarget,
                copyCommand: copy, recallCommand: kind == .tape ? "test -f {path}" : nil, timeoutSeconds: timeout), by: Self.admin)
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
        guard let endpoint = try await store.read({ try await $0.endpoint(named: endpointName) }) else { throw ConveyorError.notFound(endpointName) }
        var files: [CatalogFile] = []
        for index in 0..<count {
            let lfn = "/belle/Raw/e0008/r\(String(format: "%05d", run))/raw_\(index).sroot"
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
            _ = try await dm.createDataset(dataset, kind: .dataset, by: Self.manager)
            _ = try await dm.attach(files.map(\.lfn), to: dataset, by: Self.manager)
        }
        return files.map(\.lfn)
    }

    /// Cycles until nothing is due (at most `limit`).
    @discardableResult
    func settle(limit: Int = 20) async throws -> DataManagementCycle {
        var total = DataManagementCycle()
        for _ in 0..<limit {
            let cycle = try await dm.engine.cycle(at: .now)
            total.copiesMade += cycle.copiesMade
            total.copiesFailed += cycle.copiesFailed
            total.replicasDeleted += cycle.replicasDeleted
            total.rulesEnded += cycle.rulesEnded
            total.bytesDeleted += cycle.bytesDeleted
            if !cycle.didWork { break }
        }
        return total
    }

    func replicas(_ lfn: String) async throws -> [Replica] {
        try await store.read { try await $0.file(lfn: lfn) }?.replicas ?? []
    }
}
