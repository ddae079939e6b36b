import ConveyorCore
import SQLKit

extension StoreSession {
    /// Copies whose turn has come, most urgent first, at most `perEndpoint` for each destination.
    ///
    /// ```swift
    /// let due = try await session.dueTransfers(at: .now, perEndpoint: ["BNL_DISK": 4])
    /// ```
    public func dueTransfers(at time: Timestamp, perEndpoint: [String: Int]) async throws -> [Transfer] {
        var out: [Transfer] = []
        for (endpoint, count) in perEndpoint.sorted(by: { $0.key < $1.key }) where count > 0 {
            let rows = try await sql.raw(
                """
                SELECT t.id AS id, t.file_id AS file_id, f.lfn AS lfn, f.size AS size, f.adler32 AS adler32, t.endpoint AS endpoint, t.state AS state,
                       t.source AS source, t.failures AS failures, t.error AS error, t.priority AS priority
                FROM transfers t JOIN files f ON f.id = t.file_id
                WHERE t.endpoint = \(bind: endpoint) AND t.state = 'queued' AND t.next_attempt_at <= \(bind: time.microsecondsSinceEpoch)
                ORDER BY t.priority DESC, t.id LIMIT \(unsafeRaw: String(count))
                """
            ).all()
            out += try rows.map(Self.transfer(from:))
        }
        return out
    }

    public func transfers(state: TransferState? = nil, limit: Int = 1000) async throws -> [Transfer] {
        var query = SQLQueryString(
            """
            SELECT t.id AS id, t.file_id AS file_id, f.lfn AS lfn, f.size AS size, f.adler32 AS adler32, t.endpoint AS endpoint, t.state AS state,
                   t.source AS source, t.failures AS failures, t.error AS error, t.priority AS priority
            FROM transfers t JOIN files f ON f.id = t.file_id
            """)
        if let state { query += " WHERE t.state = \(bind: state.rawValue)" }
        query += " ORDER BY t.id LIMIT \(unsafeRaw: String(max(1, min(limit, 100_000))))"
        return try await sql.raw(query).all().map(Self.transfer(from:))
    }

    static func transfer(from row: any SQLRow) throws -> Transfer {
        Transfer(
            id: try row.decode(column: "id", as: Int64.self), fileID: try row.decode(column: "file_id", as: Int64.self),
            lfn: try row.decode(column: "lfn", as: String.self), size: try row.decode(column: "size", as: Int64.self),
            adler32: try row.decode(column: "adler32", as: String.self), endpoint: try row.decode(column: "endpoint", as: String.self),
            state: try row.decodeValue(TransferState.self, column: "state", in: "transfers"), source: try row.decode(column: "source", as: String?.self),
            failures: try row.decode(column: "failures", as: Int.self), error: try row.decode(column: "error", as: String?.self),
            priority: try row.decode(column: "priority", as: Int.self))
    }

    /// Puts copies left active by a process that stopped back in the queue: those active for
    /// longer than their endpoint's time limit (and a minute), which no live engine is still making.
    public func requeueStaleTransfers(at time: Timestamp) async throws {
        try await sql.raw(
            """
            UPDATE transfers SET state = 'queued', updated_at = \(bind: time.microsecondsSinceEpoch)
            WHERE state = 'active' AND updated_at < \(bind: time.microsecondsSinceEpoch) - 1000000 * (60 + (SELECT e.timeout_seconds FROM storage_endpoints e WHERE e.name = transfers.endpoint))
            """
        ).run()
    }

    /// Takes a queued copy for this engine. - Returns: false when another engine took it first.
    public func claimTransfer(_ id: Int64, source: String, at time: Timestamp) async throws -> Bool {
        let rows = try await sql.raw(
            """
            UPDATE transfers SET state = 'active', source = \(bind: source), updated_at = \(bind: time.microsecondsSinceEpoch)
            WHERE id = \(bind: id) AND state = 'queued' RETURNING id
            """
        ).all()
        return !rows.isEmpty
    }

    /// How many copies wait in the queue.
    public func queuedTransferCount() async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM transfers WHERE state = 'queued'").first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// A copy that can be read from: the endpoint holding it and its path there.
    public struct Source: Sendable, Hashable {
        public var endpoint: String
        public var kind: StorageKind
        public var path: String
    }

    /// Where a file can be copied from: available copies, disk first.
    public func sources(of file: Int64) async throws -> [Source] {
        try await sql.raw(
            """
            SELECT e.name AS endpoint, r.storage AS storage, r.path AS path FROM replicas r JOIN storage_endpoints e ON e.site = r.site AND e.kind = r.storage
            WHERE r.file_id = \(bind: file) AND r.state = 'available' ORDER BY CASE WHEN r.storage = 'disk' THEN 0 ELSE 1 END, e.name
            """
        ).all().map {
            Source(
                endpoint: try $0.decode(column: "endpoint", as: String.self), kind: try $0.decodeValue(StorageKind.self, column: "storage", in: "replicas"),
                path: try $0.decode(column: "path", as: String.self))
        }
    }

    /// A copy made and verified: the replica is recorded available, its transfer leaves the
    /// queue, and the locks waiting for it are OK.
    /// - Returns: the rules whose locks changed.
    public func completeTransfer(_ transfer: Transfer, endpoint: StorageEndpoint, path: String, at time: Timestamp) async throws -> [Int64] {
        try await recordReplica(file: transfer.fileID, endpoint: endpoint, path: path, at: time)
        try await sql.delete(from: "transfers").where("id", .equal, transfer.id).run()
        let rules = try await rulesLocking(file: transfer.fileID, endpoint: endpoint.name)
        try await sql.update("rule_locks").set("state", to: LockState.ok.rawValue).where("file_id", .equal, transfer.fileID)
            .where("endpoint", .equal, endpoint.name).run()
        try await refreshRuleStates(rules, at: time)
        return rules
    }

    /// A failed try: the copy waits `retryAfter` seconds (or stops for good when nil, suspending
    /// its rules); its locks are STUCK and the rules carry the reason.
    public func failTransfer(_ transfer: Transfer, reason: String, retryAfter: Int64?, at time: Timestamp) async throws {
        let next = time.microsecondsSinceEpoch + (retryAfter ?? 0) * 1_000_000
        try await sql.update("transfers").set("state", to: (retryAfter == nil ? TransferState.failed : .queued).rawValue)
            .set("failures", to: transfer.failures + 1).set("error", to: reason).set("next_attempt_at", to: next)
            .set("updated_at", to: time.microsecondsSinceEpoch).where("id", .equal, transfer.id).run()
        let rules = try await rulesLocking(file: transfer.fileID, endpoint: transfer.endpoint)
        try await sql.update("rule_locks").set("state", to: LockState.stuck.rawValue).where("file_id", .equal, transfer.fileID)
            .where("endpoint", .equal, transfer.endpoint).run()
        let message = "\(transfer.lfn) to \(transfer.endpoint): \(reason)"
        for start in stride(from: 0, to: rules.count, by: 1000) {
            let chunk = Array(rules[start..<min(start + 1000, rules.count)])
            try await sql.update("rules").set("state", to: (retryAfter == nil ? RuleState.SUSPENDED : .STUCK).rawValue).set("error", to: message)
                .set("updated_at", to: time.microsecondsSinceEpoch).where("id", .in, chunk).run()
        }
    }

    /// Retries a SUSPENDED rule: its failed copies go back to the queue with a fresh count.
    public func retryRule(_ id: Int64, at time: Timestamp) async throws {
        try await sql.raw(
            """
            UPDATE transfers SET state = 'queued', failures = 0, next_attempt_at = \(bind: time.microsecondsSinceEpoch), updated_at = \(bind: time.microsecondsSinceEpoch)
            WHERE state IN ('failed', 'queued') AND EXISTS (SELECT 1 FROM rule_locks l WHERE l.rule_id = \(bind: id) AND l.file_id = transfers.file_id AND l.endpoint = transfers.endpoint)
            """
        ).run()
        try await sql.update("rule_locks").set("state", to: LockState.replicating.rawValue).where("rule_id", .equal, id)
            .where("state", .equal, LockState.stuck.rawValue).run()
        try await sql.update("rules").set("state", to: RuleState.REPLICATING.rawValue).set("needs_evaluation", to: SQLRaw("needs_evaluation + 1")).where(
            "id", .equal, id
        ).run()
    }

    /// Copies the reaper may delete at an endpoint: tombstoned and available, oldest tombstone first.
    public func deletableReplicas(at endpoint: StorageEndpoint, limit: Int) async throws -> [(file: Int64, lfn: String, path: String, size: Int64)] {
        try await sql.raw(
            """
            SELECT r.file_id AS file_id, f.lfn AS lfn, r.path AS path, f.size AS size FROM replicas r JOIN files f ON f.id = r.file_id
            WHERE r.site = \(bind: endpoint.site) AND r.storage = \(bind: endpoint.kind.rawValue) AND r.tombstone IS NOT NULL AND r.state = 'available'
              AND NOT EXISTS (SELECT 1 FROM rule_locks l WHERE l.file_id = r.file_id AND l.endpoint = \(bind: endpoint.name))
            ORDER BY r.tombstone, r.id LIMIT \(unsafeRaw: String(max(1, limit)))
            """
        ).all().map {
            (
                try $0.decode(column: "file_id", as: Int64.self), try $0.decode(column: "lfn", as: String.self), try $0.decode(column: "path", as: String.self),
                try $0.decode(column: "size", as: Int64.self)
            )
        }
    }

    /// Sets the state of the copy of a file at an endpoint (being_deleted before the reaper removes it).
    public func setReplicaState(file: Int64, endpoint: StorageEndpoint, to state: ReplicaState) async throws {
        try await sql.update("replicas").set("state", to: state.rawValue).where("file_id", .equal, file).where("site", .equal, endpoint.site)
            .where("storage", .equal, endpoint.kind.rawValue).run()
    }

    /// Removes the record of a copy that was deleted.
    public func removeReplica(file: Int64, endpoint: StorageEndpoint) async throws {
        try await sql.delete(from: "replicas").where("file_id", .equal, file).where("site", .equal, endpoint.site)
            .where("storage", .equal, endpoint.kind.rawValue).run()
    }

    /// The id of a registered file.
    public func fileID(lfn: String) async throws -> Int64? {
        try await fileIDs([lfn])[lfn]
    }
}

extension StoreSession {
    /// Bytes on their way to each endpoint (queued or being copied), which count against its quota.
    public func pendingTransferBytes() async throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for row in try await sql.raw(
            "SELECT t.endpoint AS endpoint, CAST(COALESCE(SUM(f.size), 0) AS BIGINT) AS bytes FROM transfers t JOIN files f ON f.id = t.file_id WHERE t.state <> 'failed' GROUP BY t.endpoint"
        ).all() {
            out[try row.decode(column: "endpoint", as: String.self)] = try row.decode(column: "bytes", as: Int64.self)
        }
        return out
    }

    /// The endpoints a rule already places copies on.
    public func ruleEndpoints(_ rule: Int64) async throws -> Set<String> {
        Set(
            try await sql.raw("SELECT DISTINCT endpoint FROM rule_locks WHERE rule_id = \(bind: rule)").all().map {
                try $0.decode(column: "endpoint", as: String.self)
            })
    }

    /// Queues a copy of a file to an endpoint again (its copy there went bad); the locks on it wait again.
    /// - Returns: the rules holding it.
    public func requeueCopy(file: Int64, endpoint: String, priority: Int, at time: Timestamp) async throws -> [Int64] {
        let existing = try await sql.select().column("id").from("transfers").where("file_id", .equal, file).where("endpoint", .equal, endpoint).first()
        if existing == nil {
            try await sql.insert(into: "transfers")
                .columns("file_id", "endpoint", "state", "failures", "next_attempt_at", "priority", "created_at", "updated_at")
                .values(
                    SQLBind(file), SQLBind(endpoint), SQLBind(TransferState.queued.rawValue), SQLBind(0), SQLBind(time.microsecondsSinceEpoch),
                    SQLBind(priority), SQLBind(time.microsecondsSinceEpoch), SQLBind(time.microsecondsSinceEpoch)
                ).run()
        }
        let rules = try await rulesLocking(file: file, endpoint: endpoint)
        try await sql.update("rule_locks").set("state", to: LockState.replicating.rawValue).where("file_id", .equal, file)
            .where("endpoint", .equal, endpoint).run()
        try await refreshRuleStates(rules, at: time)
        return rules
    }
}

extension StoreSession {
    /// Per file, the endpoints a copy is on its way to.
    public func arriving(_ files: [Int64]) async throws -> [Int64: Set<String>] {
        var out: [Int64: Set<String>] = [:]
        for start in stride(from: 0, to: files.count, by: 1000) {
            let chunk = Array(files[start..<min(start + 1000, files.count)])
            for row in try await sql.raw(
                "SELECT file_id, endpoint FROM transfers WHERE state <> 'failed' AND file_id IN \(SQLBind.group(chunk))"
            ).all() {
                out[try row.decode(column: "file_id", as: Int64.self), default: []].insert(try row.decode(column: "endpoint", as: String.self))
            }
        }
        return out
    }
}
