import ConveyorCore
import SQLKit

extension StoreSession {
    /// Inserts a rule, marked for evaluation (the engine places its copies).
    ///
    /// ```swift
    /// let id = try await session.insertRule(rule, at: .now)
    /// ```
    public func insertRule(_ rule: ReplicationRule, at time: Timestamp) async throws -> Int64 {
        let row = try await sql.insert(into: "rules")
            .columns(
                "target_kind", "target", "copies", "expression", "grouping", "owner", "activity", "priority", "comment", "state", "error", "expires_at",
                "request", "needs_evaluation", "created_at", "updated_at"
            )
            .values(
                SQLBind(rule.target.kind), SQLBind(rule.target.name), SQLBind(rule.copies), SQLBind(rule.expression), SQLBind(rule.grouping.rawValue),
                SQLBind(rule.owner), SQLBind(rule.activity), SQLBind(rule.priority), SQLBind(rule.comment), SQLBind(RuleState.REPLICATING.rawValue),
                SQLBind(String?.none), SQLBind(rule.expiresAt?.microsecondsSinceEpoch), SQLBind(rule.request), SQLBind(1),
                SQLBind(time.microsecondsSinceEpoch), SQLBind(time.microsecondsSinceEpoch)
            )
            .returning("id").first()
        guard let row else { throw ConveyorError.storeFailure("inserting a rule returned no id") }
        return try row.decode(column: "id", as: Int64.self)
    }

    /// Rules with their lock counts, filtered.
    public func rules(
        ids: [Int64]? = nil, state: RuleState? = nil, request: String? = nil, owner: String? = nil, target: RuleTarget? = nil, needingEvaluation: Bool = false,
        limit: Int = 10_000
    )
        async throws -> [ReplicationRule]
    {
        var conditions: [SQLQueryString] = []
        // Asked for by id, only those rules' locks are counted (not every lock there is).
        let lockFilter: SQLQueryString = ids.map { "WHERE rule_id IN \(SQLBind.group($0.isEmpty ? [0] : $0))" } ?? ""
        var query: SQLQueryString = """
            SELECT r.*, COALESCE(l.ok, 0) AS locks_ok, COALESCE(l.replicating, 0) AS locks_replicating, COALESCE(l.stuck, 0) AS locks_stuck,
                   COALESCE(l.bytes, 0) AS bytes
            FROM rules r LEFT JOIN (
                SELECT rule_id, SUM(CASE WHEN state = 'ok' THEN 1 ELSE 0 END) AS ok, SUM(CASE WHEN state = 'replicating' THEN 1 ELSE 0 END) AS replicating,
                       SUM(CASE WHEN state = 'stuck' THEN 1 ELSE 0 END) AS stuck, CAST(SUM(bytes) AS BIGINT) AS bytes
                FROM rule_locks \(lockFilter) GROUP BY rule_id) l ON l.rule_id = r.id
            """
        if let ids {
            guard !ids.isEmpty else { return [] }
            conditions.append("r.id IN \(SQLBind.group(ids))")
        }
        if needingEvaluation { conditions.append("r.needs_evaluation > 0") }
        if let state { conditions.append("r.state = \(bind: state.rawValue)") }
        if let request { conditions.append("r.request = \(bind: request)") }
        if let owner { conditions.append("r.owner = \(bind: owner)") }
        if let target { conditions.append("r.target_kind = \(bind: target.kind) AND r.target = \(bind: target.name)") }
        for (index, condition) in conditions.enumerated() {
            query += (index == 0 ? " WHERE " : " AND ") + condition
        }
        query.appendLiteral(" ORDER BY r.id LIMIT \(max(1, min(limit, 100_000)))")
        return try await sql.raw(query).all().map(Self.rule(from:))
    }

    public func rule(id: Int64) async throws -> ReplicationRule? {
        try await rules(ids: [id]).first
    }

    static func rule(from row: any SQLRow) throws -> ReplicationRule {
        ReplicationRule(
            id: try row.decode(column: "id", as: Int64.self),
            target: try RuleTarget(kind: try row.decode(column: "target_kind", as: String.self), name: try row.decode(column: "target", as: String.self)),
            copies: try row.decode(column: "copies", as: Int.self), expression: try row.decode(column: "expression", as: String.self),
            grouping: try row.decodeValue(RuleGrouping.self, column: "grouping", in: "rules"), owner: try row.decode(column: "owner", as: String.self),
            activity: try row.decode(column: "activity", as: String.self), priority: try row.decode(column: "priority", as: Int.self),
            comment: try row.decode(column: "comment", as: String.self), state: try row.decodeValue(RuleState.self, column: "state", in: "rules"),
            error: try row.decode(column: "error", as: String?.self),
            expiresAt: try row.decode(column: "expires_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)),
            request: try row.decode(column: "request", as: String?.self),
            createdAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "created_at", as: Int64.self)),
            locksOK: try row.decode(column: "locks_ok", as: Int.self), locksReplicating: try row.decode(column: "locks_replicating", as: Int.self),
            locksStuck: try row.decode(column: "locks_stuck", as: Int.self), bytes: try row.decode(column: "bytes", as: Int64.self))
    }

    /// The files a rule already holds locks on.
    public func lockedFiles(rule: Int64) async throws -> Set<Int64> {
        Set(
            try await sql.select().column("file_id").from("rule_locks").where("rule_id", .equal, rule).all().map {
                try $0.decode(column: "file_id", as: Int64.self)
            })
    }

    /// Per file, the endpoints holding an available (or arriving) copy.
    public func holders(of files: [Int64]) async throws -> [Int64: Set<String>] {
        var out: [Int64: Set<String>] = [:]
        for start in stride(from: 0, to: files.count, by: 1000) {
            let chunk = Array(files[start..<min(start + 1000, files.count)])
            let rows = try await sql.raw(
                """
                SELECT r.file_id AS file_id, e.name AS endpoint FROM replicas r JOIN storage_endpoints e ON e.site = r.site AND e.kind = r.storage
                WHERE r.state = 'available' AND r.file_id IN \(SQLBind.group(chunk))
                """
            ).all()
            for row in rows { out[try row.decode(column: "file_id", as: Int64.self), default: []].insert(try row.decode(column: "endpoint", as: String.self)) }
        }
        return out
    }

    /// One lock to make: a file's copy at an endpoint for a rule.
    public struct NewLock: Sendable, Hashable {
        public var file: Int64
        public var endpoint: String
        public var bytes: Int64
        /// Whether the copy is there already (an OK lock) or must be made (a transfer is queued).
        public var present: Bool

        public init(file: Int64, endpoint: String, bytes: Int64, present: Bool) {
            self.file = file
            self.endpoint = endpoint
            self.bytes = bytes
            self.present = present
        }
    }

    /// Inserts a rule's locks, queues a transfer for every copy not yet there (one per file and
    /// endpoint, shared by the rules that need it), and takes the tombstone off copies a rule now holds.
    public func insertLocks(_ locks: [NewLock], rule: Int64, priority: Int, at time: Timestamp) async throws {
        for start in stride(from: 0, to: locks.count, by: 1000) {
            let chunk = locks[start..<min(start + 1000, locks.count)]
            var insert = sql.insert(into: "rule_locks").columns("rule_id", "file_id", "endpoint", "state", "bytes")
            for lock in chunk {
                insert = insert.values(
                    SQLBind(rule), SQLBind(lock.file), SQLBind(lock.endpoint), SQLBind((lock.present ? LockState.ok : .replicating).rawValue),
                    SQLBind(lock.bytes))
            }
            try await insert.run()
            let missing = chunk.filter { !$0.present }
            if !missing.isEmpty {
                let existing = try await sql.select().columns("file_id", "endpoint").from("transfers")
                    .where("file_id", .in, Array(Set(missing.map(\.file)))).all()
                var queued: Set<String> = []
                for row in existing {
                    queued.insert("\(try row.decode(column: "file_id", as: Int64.self)) \(try row.decode(column: "endpoint", as: String.self))")
                }
                let fresh = missing.filter { !queued.contains("\($0.file) \($0.endpoint)") }
                if !fresh.isEmpty {
                    var transfers = sql.insert(into: "transfers")
                        .columns("file_id", "endpoint", "state", "failures", "next_attempt_at", "priority", "created_at", "updated_at")
                    for lock in fresh {
                        transfers = transfers.values(
                            SQLBind(lock.file), SQLBind(lock.endpoint), SQLBind(TransferState.queued.rawValue), SQLBind(0),
                            SQLBind(time.microsecondsSinceEpoch),
                            SQLBind(priority), SQLBind(time.microsecondsSinceEpoch), SQLBind(time.microsecondsSinceEpoch))
                    }
                    try await transfers.run()
                }
            }
            let present = chunk.filter(\.present)
            for lock in present {
                try await sql.raw(
                    """
                    UPDATE replicas SET tombstone = NULL WHERE file_id = \(bind: lock.file) AND tombstone IS NOT NULL
                      AND EXISTS (SELECT 1 FROM storage_endpoints e WHERE e.name = \(bind: lock.endpoint) AND e.site = replicas.site AND e.kind = replicas.storage)
                    """
                ).run()
            }
        }
    }

    /// Marks a rule evaluated, or records why it could not be (it is retried next cycle only if `keep`).
    public func finishEvaluation(rule: Int64, error: String?, at time: Timestamp) async throws {
        try await sql.update("rules").set("needs_evaluation", to: 0).set("updated_at", to: time.microsecondsSinceEpoch).where("id", .equal, rule).run()
        if let error {
            try await sql.update("rules").set("state", to: RuleState.STUCK.rawValue).set("error", to: error).where("id", .equal, rule).run()
        }
        try await refreshRuleStates([rule], at: time)
    }

    /// Sets each rule's state from its locks' (a SUSPENDED rule stays so until all its locks are OK).
    public func refreshRuleStates(_ ids: [Int64], at time: Timestamp) async throws {
        for rule in try await rules(ids: Array(Set(ids))) {
            let suspended = rule.state == .SUSPENDED && (rule.locksStuck + rule.locksReplicating) > 0
            var state = ReplicationRule.state(ok: rule.locksOK, replicating: rule.locksReplicating, stuck: rule.locksStuck, suspended: suspended)
            // An evaluation error with nothing placed keeps the rule STUCK.
            if rule.state == .STUCK, rule.locksOK + rule.locksReplicating + rule.locksStuck == 0, rule.error != nil { state = .STUCK }
            guard state != rule.state || (state == .OK && rule.error != nil) else { continue }
            try await sql.update("rules").set("state", to: state.rawValue).set("error", to: state == .OK ? nil : rule.error)
                .set("updated_at", to: time.microsecondsSinceEpoch).where("id", .equal, rule.id).run()
        }
    }

    /// The rules holding locks on these copies.
    public func rulesLocking(file: Int64, endpoint: String) async throws -> [Int64] {
        try await sql.select().column("rule_id").from("rule_locks").where("file_id", .equal, file).where("endpoint", .equal, endpoint).all()
            .map { try $0.decode(column: "rule_id", as: Int64.self) }
    }

    /// Ends a rule: its locks go, copies no other rule holds get a tombstone (the reaper may
    /// delete them when space is needed), transfers no other rule needs are dropped. A few
    /// statements whatever the rule's size (a 100,000-file rule ends in one pass per endpoint).
    /// - Returns: the bytes of the copies it left deletable.
    @discardableResult
    public func endRule(_ id: Int64, at time: Timestamp) async throws -> Int64 {
        let freed = try await exclusiveBytes(rule: id).values.reduce(0, +)
        try await sql.raw(
            """
            DELETE FROM transfers WHERE file_id IN (SELECT l.file_id FROM rule_locks l WHERE l.rule_id = \(bind: id))
              AND EXISTS (SELECT 1 FROM rule_locks l WHERE l.rule_id = \(bind: id) AND l.file_id = transfers.file_id AND l.endpoint = transfers.endpoint)
              AND NOT EXISTS (SELECT 1 FROM rule_locks o WHERE o.rule_id <> \(bind: id) AND o.file_id = transfers.file_id AND o.endpoint = transfers.endpoint)
            """
        ).run()
        for endpoint in try await ruleEndpoints(id) {
            try await sql.raw(
                """
                UPDATE replicas SET tombstone = \(bind: time.microsecondsSinceEpoch)
                WHERE file_id IN (SELECT l.file_id FROM rule_locks l WHERE l.rule_id = \(bind: id) AND l.endpoint = \(bind: endpoint))
                  AND tombstone IS NULL AND state = 'available'
                  AND EXISTS (SELECT 1 FROM storage_endpoints e WHERE e.name = \(bind: endpoint) AND e.site = replicas.site AND e.kind = replicas.storage)
                  AND NOT EXISTS (SELECT 1 FROM rule_locks o WHERE o.rule_id <> \(bind: id) AND o.file_id = replicas.file_id AND o.endpoint = \(bind: endpoint))
                """
            ).run()
        }
        try await sql.delete(from: "rule_locks").where("rule_id", .equal, id).run()
        try await sql.delete(from: "rules").where("id", .equal, id).run()
        return freed
    }

    /// Rules whose lifetime is over (a request's own rules not before the request ends: it may
    /// still read what they hold), and staging pins of requests that have ended.
    public func rulesToEnd(at time: Timestamp) async throws -> [Int64] {
        try await sql.raw(
            """
            SELECT r.id AS id FROM rules r WHERE r.expires_at IS NOT NULL AND r.expires_at <= \(bind: time.microsecondsSinceEpoch)
              AND NOT EXISTS (SELECT 1 FROM requests q JOIN workflows w ON w.id = q.workflow_id WHERE q.name = r.request AND w.state = 'running')
            UNION
            SELECT r.id AS id FROM rules r JOIN requests q ON q.name = r.request JOIN workflows w ON w.id = q.workflow_id
            WHERE r.activity = 'Staging' AND w.state IN ('succeeded', 'failed', 'cancelled')
            ORDER BY id
            """
        ).all().map { try $0.decode(column: "id", as: Int64.self) }
    }

    /// A rule's locks that are not OK, with the reason their transfer gives.
    public func openLocks(rule: Int64, limit: Int = 100) async throws -> [OpenLock] {
        try await sql.raw(
            """
            SELECT f.lfn AS lfn, l.endpoint AS endpoint, l.state AS state, t.failures AS failures, t.error AS error, t.next_attempt_at AS next_at
            FROM rule_locks l JOIN files f ON f.id = l.file_id LEFT JOIN transfers t ON t.file_id = l.file_id AND t.endpoint = l.endpoint
            WHERE l.rule_id = \(bind: rule) AND l.state <> 'ok' ORDER BY f.lfn LIMIT \(unsafeRaw: String(max(1, min(limit, 10_000))))
            """
        ).all().map { row in
            OpenLock(
                lfn: try row.decode(column: "lfn", as: String.self), endpoint: try row.decode(column: "endpoint", as: String.self),
                state: try row.decodeValue(LockState.self, column: "state", in: "rule_locks"), failures: try row.decode(column: "failures", as: Int?.self) ?? 0,
                reason: try row.decode(column: "error", as: String?.self),
                nextAttemptAt: try row.decode(column: "next_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)))
        }
    }
}
