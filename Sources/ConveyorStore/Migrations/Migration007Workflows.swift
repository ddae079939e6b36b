import SQLKit

extension Migrations {
    /// The workflow engine: pools, workflow runs with their tasks, array elements and attempts,
    /// the append-only event log, the queue of commands people give the scheduler, and the
    /// scheduler's lease.
    static let workflows = Migration(version: 7, name: "workflow engine") { db, kind in
        let double = SQLDataType.custom(SQLRaw("DOUBLE PRECISION"))
        try await db.create(table: "pools")
            .column("name", type: .text, .primaryKey(autoIncrement: false))
            .column("executor", type: .text, .notNull)
            .column("slots", type: .bigint, .notNull)
            .column("options", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .run()

        try await db.create(table: "workflows")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("name", type: .text, .notNull)
            .column("definition", type: .text, .notNull)
            .column("state", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("created_by", type: .text, .notNull)
            .column("finished_at", type: .bigint)
            .run()
        try await db.create(index: "workflows_state").on("workflows").column("state").run()

        try await db.create(table: "tasks")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("workflow_id", type: .bigint, .notNull, .references("workflows", "id"))
            .column("name", type: .text, .notNull)
            .column("kind", type: .text, .notNull)
            .column("pool", type: .text)
            .column("priority", type: .bigint, .notNull)
            .column("state", type: .text, .notNull)
            .column("tries", type: .bigint, .notNull)
            .column("retry_at", type: .bigint)
            .column("elements", type: .bigint, .notNull)
            .column("definition", type: .text, .notNull)
            .column("decided_by", type: .text)
            .column("decision_comment", type: .text)
            .column("started_at", type: .bigint)
            .column("finished_at", type: .bigint)
            .unique("workflow_id", "name")
            .run()

        try await db.create(table: "task_dependencies")
            .column("task_id", type: .bigint, .notNull, .references("tasks", "id"))
            .column("upstream_id", type: .bigint, .notNull, .references("tasks", "id"))
            .primaryKey("task_id", "upstream_id")
            .run()

        // One row per element of a job task (arrays have many): its state and tries.
        try await db.create(table: "task_elements")
            .column("task_id", type: .bigint, .notNull, .references("tasks", "id"))
            .column("idx", type: .bigint, .notNull)
            .column("state", type: .text, .notNull)
            .column("tries", type: .bigint, .notNull)
            .primaryKey("task_id", "idx")
            .run()

        // A submission is one call to a batch system; its UUID is the batch job name, written
        // here before the call so that a restarted scheduler can find and adopt what it sent.
        try await db.create(table: "submissions")
            .column("uuid", type: .text, .primaryKey(autoIncrement: false))
            .column("pool", type: .text, .notNull)
            .column("executor", type: .text, .notNull)
            .column("external_id", type: .text)
            .column("state", type: .text, .notNull)
            .column("directory", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .run()
        try await db.create(index: "submissions_state").on("submissions").column("state").run()

        try await db.create(table: "attempts")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("submission_uuid", type: .text, .notNull, .references("submissions", "uuid"))
            .column("array_index", type: .bigint, .notNull)
            .column("task_id", type: .bigint, .notNull, .references("tasks", "id"))
            .column("idx", type: .bigint, .notNull)
            .column("try", type: .bigint, .notNull)
            .column("state", type: .text, .notNull)
            .column("exit_code", type: .bigint)
            .column("reason", type: .text)
            .column("wall_seconds", type: double)
            .column("cpu_seconds", type: double)
            .column("max_rss_kb", type: .bigint)
            .column("submitted_at", type: .bigint, .notNull)
            .column("started_at", type: .bigint)
            .column("finished_at", type: .bigint)
            .unique("submission_uuid", "array_index")
            .run()
        try await db.create(index: "attempts_task").on("attempts").column("task_id").column("idx").run()

        try await db.create(table: "workflow_events")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("workflow_id", type: .bigint, .notNull)
            .column("task_id", type: .bigint)
            .column("at", type: .bigint, .notNull)
            .column("actor", type: .text, .notNull)
            .column("kind", type: .text, .notNull)
            .column("from_state", type: .text)
            .column("to_state", type: .text)
            .column("detail", type: .text, .notNull)
            .run()
        try await db.create(index: "workflow_events_workflow").on("workflow_events").column("workflow_id").column("id").run()

        try await db.create(table: "workflow_commands")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("workflow_id", type: .bigint, .notNull)
            .column("task_id", type: .bigint)
            .column("kind", type: .text, .notNull)
            .column("actor", type: .text, .notNull)
            .column("comment", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("applied_at", type: .bigint)
            .column("result", type: .text)
            .run()

        try await db.create(table: "scheduler_lease")
            .column("id", type: .bigint, .primaryKey(autoIncrement: false))
            .column("holder", type: .text, .notNull)
            .column("host", type: .text, .notNull)
            .column("pid", type: .bigint, .notNull)
            .column("heartbeat_at", type: .bigint, .notNull)
            .run()

        try await Migrations.makeAppendOnly(
            ["workflow_events"], function: "workflow_events_append_only", message: "the workflow event log is append-only", db: db, kind: kind)
    }

    /// Triggers that refuse UPDATE and DELETE on history tables, on both engines.
    static func makeAppendOnly(_ tables: [String], function: String, message: String, db: any SQLDatabase, kind: StoreKind) async throws {
        switch kind {
        case .sqlite:
            for table in tables {
                for event in ["UPDATE", "DELETE"] {
                    try await db.raw(
                        """
                        CREATE TRIGGER \(unsafeRaw: table)_no_\(unsafeRaw: event.lowercased()) BEFORE \(unsafeRaw: event) ON \(unsafeRaw: table)
                        BEGIN SELECT RAISE(ABORT, '\(unsafeRaw: message)'); END
                        """
                    ).run()
                }
            }
        case .postgresql:
            try await db.raw(
                """
                CREATE FUNCTION \(unsafeRaw: function)() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION '\(unsafeRaw: message)'; END $$
                """
            ).run()
            for table in tables {
                try await db.raw(
                    """
                    CREATE TRIGGER \(unsafeRaw: table)_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON \(unsafeRaw: table)
                    FOR EACH STATEMENT EXECUTE FUNCTION \(unsafeRaw: function)()
                    """
                ).run()
            }
        }
    }
}
