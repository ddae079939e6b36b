import ConveyorCore
import SQLKit

extension StoreSession {
    /// Rules of a campaign's requests made before a moment, with whether a running request still
    /// reads files they hold (those are never ended by a cleanup).
    public func cleanupCandidates(campaign: String, createdBefore time: Timestamp) async throws -> [(rule: Int64, request: String, inUse: Bool)] {
        try await sql.raw(
            """
            SELECT r.id AS id, q.name AS request,
              CASE WHEN EXISTS (
                SELECT 1 FROM rule_locks l JOIN files f ON f.id = l.file_id JOIN request_inputs i ON i.lfn = f.lfn
                JOIN requests q2 ON q2.id = i.request_id JOIN workflows w2 ON w2.id = q2.workflow_id
                WHERE l.rule_id = r.id AND w2.state = 'running') THEN 1 ELSE 0 END AS in_use
            FROM rules r JOIN requests q ON q.name = r.request
            WHERE q.campaign = \(bind: campaign) AND r.created_at < \(bind: time.microsecondsSinceEpoch)
            ORDER BY r.id
            """
        ).all().map {
            (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "request", as: String.self), try $0.decode(column: "in_use", as: Int.self) != 0)
        }
    }

    /// Per site, the bytes of a rule's copies that no other rule holds (what ending it frees).
    public func exclusiveBytes(rule: Int64) async throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for row in try await sql.raw(
            """
            SELECT e.site AS site, CAST(COALESCE(SUM(l.bytes), 0) AS BIGINT) AS bytes FROM rule_locks l JOIN storage_endpoints e ON e.name = l.endpoint
            WHERE l.rule_id = \(bind: rule) AND l.state = 'ok'
              AND NOT EXISTS (SELECT 1 FROM rule_locks o WHERE o.file_id = l.file_id AND o.endpoint = l.endpoint AND o.rule_id <> l.rule_id)
            GROUP BY e.site
            """
        ).all() {
            out[try row.decode(column: "site", as: String.self)] = try row.decode(column: "bytes", as: Int64.self)
        }
        return out
    }

    /// The outputs made (directly or further down) from a file, for a lost file's report.
    public func descendants(of lfn: String) async throws -> [String] {
        try await relatives(of: lfn, ancestors: false).map(\.lfn)
    }
}
