import ConveyorCore
import SQLKit

extension StoreSession {
    /// Locks every file of a dataset the rule has no lock for yet on the given endpoints, in a
    /// few set-based statements whatever the dataset's size (existing rows are skipped by their
    /// unique keys, `ON CONFLICT DO NOTHING`: an anti-join against the table being filled is
    /// planned on its empty statistics and turns quadratic on PostgreSQL): OK where an available copy is there,
    /// else replicating with a copy queued (unless one is queued already), and the tombstones of
    /// the copies it now holds lifted. What ``insertLocks(_:rule:priority:at:)`` does for the same
    /// locks one row at a time, for a rule placed whole (every file of the dataset on the same endpoints).
    ///
    /// ```swift
    /// try await session.insertLocks(rule: 7, dataset: "prompt-b1.mdst", on: [bnlDisk], priority: 3, at: .now)
    /// ```
    public func insertLocks(rule: Int64, dataset: String, on endpoints: [StorageEndpoint], priority: Int, at time: Timestamp) async throws {
        let now = time.microsecondsSinceEpoch
        for endpoint in endpoints {
            try await sql.raw(
                """
                INSERT INTO rule_locks (rule_id, file_id, endpoint, state, bytes)
                SELECT \(bind: rule), f.id, \(bind: endpoint.name),
                       CASE WHEN EXISTS (SELECT 1 FROM replicas r WHERE r.file_id = f.id AND r.site = \(bind: endpoint.site)
                                         AND r.storage = \(bind: endpoint.kind.rawValue) AND r.state = 'available') THEN 'ok' ELSE 'replicating' END,
                       f.size
                FROM datasets d JOIN dataset_files df ON df.dataset_id = d.id JOIN files f ON f.id = df.file_id
                WHERE d.name = \(bind: dataset) AND d.kind = 'dataset'
                ON CONFLICT (rule_id, file_id, endpoint) DO NOTHING
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO transfers (file_id, endpoint, state, failures, next_attempt_at, priority, created_at, updated_at)
                SELECT l.file_id, l.endpoint, \(bind: TransferState.queued.rawValue), 0, \(bind: now), \(bind: priority), \(bind: now), \(bind: now)
                FROM rule_locks l
                WHERE l.rule_id = \(bind: rule) AND l.endpoint = \(bind: endpoint.name) AND l.state = 'replicating'
                ON CONFLICT (file_id, endpoint) DO NOTHING
                """
            ).run()
            try await sql.raw(
                """
                UPDATE replicas SET tombstone = NULL
                WHERE tombstone IS NOT NULL AND site = \(bind: endpoint.site) AND storage = \(bind: endpoint.kind.rawValue)
                  AND file_id IN (SELECT l.file_id FROM rule_locks l WHERE l.rule_id = \(bind: rule) AND l.endpoint = \(bind: endpoint.name) AND l.state = 'ok')
                """
            ).run()
        }
    }
}
