import SQLKit

extension Migrations {
    /// The run registry: runs with their current values, every change to a value, and the
    /// append-only quality events from which any past moment's quality is replayed.
    static let runs = Migration(version: 3, name: "run registry and run quality") { db, kind in
        let double = SQLDataType.custom(SQLRaw("DOUBLE PRECISION"))
        try await db.create(table: "runs")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("exp", type: .bigint, .notNull)
            .column("run", type: .bigint, .notNull)
            .column("type", type: .text, .notNull)
            .column("energy", type: .text, .notNull)
            .column("magnet", type: .bigint, .notNull)
            .column("start_at", type: .bigint)
            .column("stop_at", type: .bigint)
            .column("events", type: .bigint, .notNull)
            .column("online_lumi", type: double, .notNull)
            .column("offline_lumi", type: double)
            .column("state", type: .text, .notNull)
            // The current summary flag, kept with the run so that list filters need no replay.
            .column("quality", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .unique("exp", "run")
            .run()

        try await db.create(table: "run_changes")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("exp", type: .bigint, .notNull)
            .column("run", type: .bigint, .notNull)
            .column("field", type: .text, .notNull)
            .column("old_value", type: .text)
            .column("new_value", type: .text)
            .column("actor", type: .text, .notNull)
            .column("at", type: .bigint, .notNull)
            .run()
        try await db.create(index: "run_changes_run").on("run_changes").column("exp").column("run").run()

        try await db.create(table: "quality_events")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("exp", type: .bigint, .notNull)
            .column("run", type: .bigint, .notNull)
            .column("kind", type: .text, .notNull)
            .column("detector", type: .text)
            .column("old_value", type: .text)
            .column("new_value", type: .text, .notNull)
            .column("reason", type: .text, .notNull)
            .column("actor", type: .text, .notNull)
            .column("at", type: .bigint, .notNull)
            .run()
        try await db.create(index: "quality_events_run").on("quality_events").column("exp").column("run").column("at").run()

        try await Migrations.makeAppendOnly(
            ["quality_events", "run_changes"], function: "run_history_append_only", message: "run history is append-only", db: db, kind: kind)
    }
}
