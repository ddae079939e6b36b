import ConveyorCore
import SQLKit

extension StoreSession {
    /// Appends one entry to the audit log. Call it inside the ``Store/write(_:)`` that makes the change.
    @discardableResult
    public func appendAudit(_ record: AuditRecord) async throws -> AuditEntry {
        let row = try await sql.insert(into: "audit_log")
            .columns("at", "actor", "action", "subject_kind", "subject", "detail")
            .values(
                SQLBind(record.at.microsecondsSinceEpoch), SQLBind(record.actor), SQLBind(record.action),
                SQLBind(record.subjectKind), SQLBind(record.subject), SQLBind(record.detail)
            )
            .returning("id")
            .first()
        guard let row else { throw ConveyorError.storeFailure("the database returned no id for the audit entry") }
        return AuditEntry(
            id: try row.decode(column: "id", as: Int64.self),
            at: record.at, actor: record.actor, action: record.action,
            subjectKind: record.subjectKind, subject: record.subject, detail: record.detail
        )
    }

    /// Audit entries at or after `since`, newest first, at most `limit` of them.
    public func auditEntries(since: Timestamp? = nil, actor: String? = nil, limit: Int = 100) async throws -> [AuditEntry] {
        var query = sql.select()
            .columns("id", "at", "actor", "action", "subject_kind", "subject", "detail")
            .from("audit_log")
        if let since { query = query.where("at", .greaterThanOrEqual, since.microsecondsSinceEpoch) }
        if let actor { query = query.where("actor", .equal, actor) }
        return
            try await query
            .orderBy("id", .descending)
            .limit(max(0, limit))
            .all()
            .map { row in
                AuditEntry(
                    id: try row.decode(column: "id", as: Int64.self),
                    at: Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)),
                    actor: try row.decode(column: "actor", as: String.self),
                    action: try row.decode(column: "action", as: String.self),
                    subjectKind: try row.decode(column: "subject_kind", as: String.self),
                    subject: try row.decode(column: "subject", as: String.self),
                    detail: try row.decode(column: "detail", as: String.self)
                )
            }
    }
}
