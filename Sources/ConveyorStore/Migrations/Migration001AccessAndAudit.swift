import SQLKit

extension Migrations {
    /// Users with hashed API tokens, and the append-only audit log.
    static let accessAndAudit = Migration(version: 1, name: "users and audit log") { db, kind in
        try await db.create(table: "users")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("name", type: .text, .notNull, .unique)
            .column("role", type: .text, .notNull)
            .column("token_hash", type: .text, .notNull, .unique)
            .column("created_at", type: .bigint, .notNull)
            .column("created_by", type: .text, .notNull)
            .column("revoked_at", type: .bigint)
            .run()

        try await db.create(table: "audit_log")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("at", type: .bigint, .notNull)
            .column("actor", type: .text, .notNull)
            .column("action", type: .text, .notNull)
            .column("subject_kind", type: .text, .notNull)
            .column("subject", type: .text, .notNull)
            .column("detail", type: .text, .notNull)
            .run()
        try await db.create(index: "audit_log_at").on("audit_log").column("at").run()

        // Append-only is enforced by the database itself, not only by the absence of an API.
        try await Migrations.makeAppendOnly(["audit_log"], function: "audit_log_append_only", message: "the audit log is append-only", db: db, kind: kind)
    }
}
