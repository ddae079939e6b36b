import ConveyorCore
import ConveyorJob
import ConveyorStore
import Foundation

extension EmbeddedEngine {
    /// The copies that are due, at most each destination's concurrency at once and at most the
    /// smaller of its two endpoints' concurrency on each link (source → destination: a tape
    /// drive or a WAN path is shared by every copy over it), each verified by Adler-32 at its
    /// destination before it counts. Copies held back by a link wait for the next cycle.
    func copy(at time: Timestamp, into report: inout DataManagementCycle) async throws(ConveyorError) {
        let endpoints = try await store.read { try await $0.endpoints() }
        let byName = Dictionary(endpoints.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        if try await store.read({ try await $0.transfers(state: .active, limit: 1) }).isEmpty == false {
            try await store.write { try await $0.requeueStaleTransfers(at: time) }
        }
        let due = try await store.read { session in
            try await session.dueTransfers(at: time, perEndpoint: Dictionary(endpoints.map { ($0.name, $0.concurrency) }, uniquingKeysWith: { a, _ in a }))
        }
        guard !due.isEmpty else { return }
        var onLink: [String: Int] = [:]
        var started: [(Transfer, StoreSession.Source?)] = []
        for transfer in due {
            let source = try await self.source(of: transfer)
            if let source {
                let link = "\(source.endpoint) \(transfer.endpoint)"
                let limit = min(byName[source.endpoint]?.concurrency ?? 1, byName[transfer.endpoint]?.concurrency ?? 1)
                guard onLink[link, default: 0] < limit else { continue }
                onLink[link, default: 0] += 1
            }
            started.append((transfer, source))
        }
        let outcomes = await withTaskGroup(of: (Transfer, Result<String, ConveyorError>).self) { group in
            for (transfer, source) in started {
                group.addTask { (transfer, await self.attempt(transfer, from: source, endpoints: byName)) }
            }
            var all: [(Transfer, Result<String, ConveyorError>)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        for (transfer, outcome) in outcomes {
            guard let endpoint = byName[transfer.endpoint] else { continue }
            if case .failure(let error) = outcome, error.message == Self.takenElsewhere { continue }
            switch outcome {
            case .success(let path):
                _ = try await store.write { try await $0.completeTransfer(transfer, endpoint: endpoint, path: path, at: .now) }
                report.copiesMade += 1
                report.bytesCopied += transfer.size
            case .failure(let error):
                let retry = backoff.delay(afterFailures: transfer.failures + 1)
                try await store.write { try await $0.failTransfer(transfer, reason: error.message, retryAfter: retry, at: .now) }
                logger.warning("copy of \(transfer.lfn) to \(transfer.endpoint) failed (\(transfer.failures + 1)): \(error.message)")
                report.copiesFailed += 1
            }
        }
    }

    static let takenElsewhere = "another engine is making this copy"

    /// Where a copy comes from: a disk copy before a tape one and, after a failure, another
    /// source than the last (a bad copy is retried from elsewhere). Nil: none is available.
    func source(of transfer: Transfer) async throws(ConveyorError) -> StoreSession.Source? {
        var sources = try await store.read { try await $0.sources(of: transfer.fileID) }.filter { $0.endpoint != transfer.endpoint }
        if transfer.failures > 0, let last = transfer.source, sources.count > 1 {
            sources.sort { ($0.endpoint == last ? 1 : 0) < ($1.endpoint == last ? 1 : 0) }
        }
        return sources.first
    }

    /// One try of one copy. - Returns: the path of the verified copy.
    func attempt(_ transfer: Transfer, from source: StoreSession.Source?, endpoints: [String: StorageEndpoint]) async -> Result<String, ConveyorError> {
        do throws(ConveyorError) {
            guard let destination = endpoints[transfer.endpoint] else { throw .notFound("endpoint \(transfer.endpoint) is gone") }
            guard let source, let from = endpoints[source.endpoint] else {
                throw .unavailable("no available copy of \(transfer.lfn) to copy from")
            }
            guard try await store.write({ try await $0.claimTransfer(transfer.id, source: source.endpoint, at: .now) }) else {
                throw .conflict(Self.takenElsewhere)
            }
            if source.kind == .tape, let recall = from.recallCommand {
                try await StorageCommand.run(recall, ["path": source.path], timeoutSeconds: from.timeoutSeconds)
            }
            let path = destination.path(of: transfer.lfn)
            if destination.isLocal {
                let folder = (path as NSString).deletingLastPathComponent
                do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                    throw .unavailable("cannot create \(folder) at \(destination.name): \(error.localizedDescription)")
                }
            }
            try await StorageCommand.run(destination.copyCommand, ["src": source.path, "dst": path], timeoutSeconds: destination.timeoutSeconds)
            if destination.isLocal {
                let sums = try FileChecksums(ofFileAt: path)
                guard sums.adler32.lowercased() == transfer.adler32.lowercased(), sums.size == transfer.size else {
                    try? FileManager.default.removeItem(atPath: path)
                    throw .conflict(
                        "checksum mismatch at \(destination.name): adler32 \(sums.adler32), \(sums.size) bytes; expected \(transfer.adler32), \(transfer.size) bytes (copied from \(source.endpoint))"
                    )
                }
            }
            return .success(path)
        } catch {
            return .failure(error)
        }
    }

    /// Deletes copies no rule holds, oldest tombstone first, at each endpoint below its free-space target.
    func reap(into report: inout DataManagementCycle) async throws(ConveyorError) {
        let endpoints = try await store.read { try await $0.endpoints() }
        let usage = try await store.read { try await $0.endpointUsage() }
        for endpoint in endpoints {
            guard let quota = endpoint.quotaBytes, let target = endpoint.freeSpaceTargetBytes else { continue }
            var free = quota - (usage[endpoint.name]?.bytes ?? 0)
            guard free < target else { continue }
            let candidates = try await store.read { try await $0.deletableReplicas(at: endpoint, limit: 1000) }
            for replica in candidates where free < target {
                try await store.write { try await $0.setReplicaState(file: replica.file, endpoint: endpoint, to: .being_deleted) }
                do throws(ConveyorError) {
                    try await Self.delete(replica.path, at: endpoint)
                } catch {
                    try await store.write { try await $0.setReplicaState(file: replica.file, endpoint: endpoint, to: .available) }
                    logger.warning("deleting \(replica.lfn) at \(endpoint.name) failed: \(error.message)")
                    continue
                }
                try await store.write { session in
                    try await session.removeReplica(file: replica.file, endpoint: endpoint)
                    try await session.appendAudit(
                        AuditRecord(
                            actor: Self.engineActor, action: "replica.delete", subjectKind: "file", subject: replica.lfn,
                            detail: "\(endpoint.name): \(replica.size) bytes, no rule holds it and the endpoint was below its free-space target"))
                }
                free += replica.size
                report.replicasDeleted += 1
                report.bytesDeleted += replica.size
            }
        }
    }

    static func delete(_ path: String, at endpoint: StorageEndpoint) async throws(ConveyorError) {
        if let command = endpoint.deleteCommand {
            try await StorageCommand.run(command, ["path": path], timeoutSeconds: endpoint.timeoutSeconds)
        } else if endpoint.isLocal {
            guard FileManager.default.fileExists(atPath: path) else { return }
            do { try FileManager.default.removeItem(atPath: path) } catch { throw .unavailable("cannot delete \(path): \(error.localizedDescription)") }
        } else {
            throw .invalidInput("endpoint \(endpoint.name) is remote and has no delete command")
        }
    }
}
