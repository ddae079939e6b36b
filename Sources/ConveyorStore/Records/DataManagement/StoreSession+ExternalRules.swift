import ConveyorCore
import SQLKit

extension StoreSession {
    /// Records the id another engine gave a rule (Rucio's rule id).
    public func setExternalID(_ external: String, ofRule rule: Int64, evaluatedMark: Int64? = nil) async throws {
        // The mark counts how often the rule's data grew: cleared only if it did not grow again
        // while the engine placed it, so that files attached meanwhile are placed next cycle.
        let cleared = evaluatedMark.map { SQLRaw("CASE WHEN needs_evaluation = \($0) THEN 0 ELSE needs_evaluation END") } ?? SQLRaw("0")
        try await sql.update("rules").set("external_id", to: external).set("needs_evaluation", to: cleared).where("id", .equal, rule).run()
    }

    /// How often a rule's data grew since it was last placed (0: nothing to place).
    public func evaluationMark(ofRule rule: Int64) async throws -> Int64 {
        try await sql.select().column("needs_evaluation").from("rules").where("id", .equal, rule).first()?.decode(column: "needs_evaluation", as: Int64.self)
            ?? 0
    }

    /// Rules another engine carries out, with its ids, that are not yet OK (or all of them).
    public func externalRules(includingOK: Bool = false) async throws -> [(rule: Int64, external: String)] {
        var query = sql.select().columns("id", "external_id").from("rules").where("external_id", .isNot, SQLLiteral.null)
        if !includingOK { query = query.where("state", .notEqual, RuleState.OK.rawValue) }
        return try await query.orderBy("id").all().map { (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "external_id", as: String.self)) }
    }

    /// Mirrors another engine's locks of a rule: each file's state at each endpoint.
    public func mirrorLocks(rule: Int64, _ locks: [(file: Int64, endpoint: String, state: LockState, bytes: Int64)]) async throws {
        try await sql.delete(from: "rule_locks").where("rule_id", .equal, rule).run()
        for start in stride(from: 0, to: locks.count, by: 1000) {
            var insert = sql.insert(into: "rule_locks").columns("rule_id", "file_id", "endpoint", "state", "bytes")
            for lock in locks[start..<min(start + 1000, locks.count)] {
                insert = insert.values(SQLBind(rule), SQLBind(lock.file), SQLBind(lock.endpoint), SQLBind(lock.state.rawValue), SQLBind(lock.bytes))
            }
            try await insert.run()
        }
    }

    /// Sets a rule's state and reason as another engine reports them.
    public func setRuleState(_ rule: Int64, to state: RuleState, error: String?, at time: Timestamp) async throws {
        try await sql.update("rules").set("state", to: state.rawValue).set("error", to: error).set("updated_at", to: time.microsecondsSinceEpoch)
            .where("id", .equal, rule).run()
    }

    /// Records an available copy of a file at an endpoint (copied by an engine), replacing what was known of the copy there.
    public func recordReplica(file: Int64, endpoint: StorageEndpoint, path: String, at time: Timestamp) async throws {
        try await sql.delete(from: "replicas").where("file_id", .equal, file).where("site", .equal, endpoint.site)
            .where("storage", .equal, endpoint.kind.rawValue).run()
        try await sql.insert(into: "replicas").columns("file_id", "site", "storage", "path", "state", "created_at")
            .values(
                SQLBind(file), SQLBind(endpoint.site), SQLBind(endpoint.kind.rawValue), SQLBind(path), SQLBind(ReplicaState.available.rawValue),
                SQLBind(time.microsecondsSinceEpoch)
            ).run()
    }
}
