import SQLKit

extension Migrations {
    /// The PromptReco handshake: each tracked run's close, lock and release with their reasons
    /// and events, the append-only switches, the one handshake row (settings, the FCSR computed
    /// with the locks, and the row uploads lock against), and a synchronisation type per tag.
    static let promptHandshake = Migration(version: 12, name: "PromptReco handshake") { db, _ in
        try await db.create(table: "prompt_runs")
            .column("exp", type: .bigint, .notNull)
            .column("run", type: .bigint, .notNull)
            .column("closed_at", type: .bigint)
            .column("close_reason", type: .text)
            .column("locked_at", type: .bigint)
            .column("released_at", type: .bigint)
            .column("calibrated_at", type: .bigint)
            .column("disposition", type: .text, .notNull)
            .column("disposition_reason", type: .text)
            .column("tracked_at", type: .bigint, .notNull)
            .primaryKey("exp", "run")
            .run()
        try await db.create(index: "prompt_runs_active").on("prompt_runs").column("released_at").column("exp").column("run").run()

        try await db.create(table: "prompt_run_events")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("exp", type: .bigint, .notNull)
            .column("run", type: .bigint, .notNull)
            .column("at", type: .bigint, .notNull)
            .column("stage", type: .text, .notNull)
            .column("reason", type: .text, .notNull)
            .column("actor", type: .text, .notNull)
            .run()
        try await db.create(index: "prompt_run_events_run").on("prompt_run_events").column("exp").column("run").column("id").run()

        try await db.create(table: "prompt_switches")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("scope", type: .text, .notNull)
            .column("stopped", type: .bigint, .notNull)
            .column("reason", type: .text, .notNull)
            .column("actor", type: .text, .notNull)
            .column("at", type: .bigint, .notNull)
            .run()

        try await db.create(table: "prompt_handshake")
            .column("id", type: .bigint, .primaryKey(autoIncrement: false))
            .column("settings", type: .text, .notNull)
            .column("track_exp", type: .bigint)
            .column("track_run", type: .bigint)
            .column("fcsr_exp", type: .bigint)
            .column("fcsr_run", type: .bigint)
            .column("cycled_at", type: .bigint)
            .run()
        try await db.raw("INSERT INTO prompt_handshake (id, settings) VALUES (1, '{}')").run()

        try await db.alter(table: "global_tags").column("sync", type: .text).run()
    }
}
