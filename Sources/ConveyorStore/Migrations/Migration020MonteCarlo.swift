import SQLKit

extension Migrations {
    /// MC production: campaigns, requests from the physics groups with the progress the
    /// accountant keeps (so that a campaign's page reads one row per request, not its jobs), the
    /// append-only history of each request's states, and each request job's seed and planned
    /// events.
    static let monteCarlo = Migration(version: 20, name: "monte carlo") { db, kind in
        let double: SQLDataType = .custom(SQLRaw("DOUBLE PRECISION"))
        try await db.create(table: "mc_campaigns")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("name", type: .text, .notNull, .unique)
            .column("release", type: .text, .notNull)
            .column("global_tags", type: .text, .notNull)
            .column("program", type: .text, .notNull)
            .column("sites", type: .text, .notNull)
            .column("background_tag", type: .text, .notNull)
            .column("exp", type: .bigint, .notNull)
            .column("energy", type: .text, .notNull)
            .column("base", type: .text, .notNull)
            .column("status", type: .text, .notNull)
            .column("description", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("created_by", type: .text, .notNull)
            .run()

        try await db.create(table: "mc_requests")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("campaign_id", type: .bigint, .notNull, .references("mc_campaigns", "id"))
            .column("physics_group", type: .text, .notNull)
            .column("liaison", type: .text, .notNull)
            .column("event_type", type: .text, .notNull)
            .column("events", type: .bigint, .notNull)
            .column("background", type: .text, .notNull)
            .column("priority", type: .bigint, .notNull)
            .column("runs", type: .text)
            .column("events_per_job", type: .bigint, .notNull)
            .column("comment", type: .text, .notNull)
            .column("state", type: .text, .notNull)
            .column("sample_key", type: .text, .notNull)
            .column("production", type: .text)
            .column("created_at", type: .bigint, .notNull)
            .column("updated_at", type: .bigint, .notNull)
            .column("jobs", type: .bigint, .notNull)
            .column("jobs_done", type: .bigint, .notNull)
            .column("events_done", type: .bigint, .notNull)
            .column("cpu_seconds", type: double, .notNull)
            .run()
        try await db.create(index: "mc_requests_campaign").on("mc_requests").column("campaign_id").column("physics_group").column("id").run()
        try await db.create(index: "mc_requests_sample").on("mc_requests").column("sample_key").run()
        try await db.create(index: "mc_requests_production").on("mc_requests").column("production").run()

        try await db.create(table: "mc_request_history")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("request_id", type: .bigint, .notNull, .references("mc_requests", "id"))
            .column("from_state", type: .text)
            .column("to_state", type: .text, .notNull)
            .column("at", type: .bigint, .notNull)
            .column("actor", type: .text, .notNull)
            .column("reason", type: .text, .notNull)
            .run()
        try await db.create(index: "mc_request_history_request").on("mc_request_history").column("request_id").column("id").run()
        try await Migrations.makeAppendOnly(
            ["mc_request_history"], function: "mc_request_history_append_only", message: "MC request history is append-only", db: db, kind: kind)

        try await db.alter(table: "request_jobs").column("seed", type: .bigint).run()
        try await db.alter(table: "request_jobs").column("planned_events", type: .bigint).run()
    }
}
