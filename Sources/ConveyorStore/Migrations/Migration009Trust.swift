import SQLKit

extension Migrations {
    /// What the guarantees of wave 2 need: the scheduler lease's epoch (the fencing token every
    /// scheduler write checks), the effects of action steps recorded with their task's try (so a
    /// rerun after a crash recognises them), page sign-in sessions kept on the server, and the
    /// moment each output's conditions were resolved.
    static let trust = Migration(version: 9, name: "lease epochs, action effects, sessions, output conditions") { db, _ in
        try await db.alter(table: "scheduler_lease").column("epoch", type: .bigint, .notNull, .default(SQLLiteral.numeric("0"))).run()

        try await db.create(table: "action_effects")
            .column("task_id", type: .bigint, .notNull)
            .column("try", type: .bigint, .notNull)
            .column("kind", type: .text, .notNull)
            .column("result", type: .text, .notNull)
            .column("done_at", type: .bigint, .notNull)
            .primaryKey("task_id", "try")
            .run()

        try await db.create(table: "sessions")
            .column("id_hash", type: .text, .primaryKey(autoIncrement: false))
            .column("user_name", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("expires_at", type: .bigint, .notNull)
            .column("ended_at", type: .bigint)
            .run()
        try await db.create(index: "sessions_user").on("sessions").column("user_name").run()

        try await db.alter(table: "files").column("conditions_at", type: .bigint).run()
    }
}
