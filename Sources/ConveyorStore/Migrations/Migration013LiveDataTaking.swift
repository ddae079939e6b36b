import SQLKit

extension Migrations {
    /// Live data taking: the data-taking configurations (append-only, the newest in force), one row
    /// per run and stream with its stage, its events, the raw files handed to express, and the
    /// prompt calibration producers per run stream (their payloads kept until uploaded).
    static let liveDataTaking = Migration(version: 13, name: "live data taking") { db, _ in
        try await db.create(table: "live_configurations")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("configuration", type: .text, .notNull)
            .column("file_name", type: .text, .notNull)
            .column("at", type: .bigint, .notNull)
            .column("actor", type: .text, .notNull)
            .run()

        try await db.create(table: "live_streams")
            .column("exp", type: .bigint, .notNull)
            .column("run", type: .bigint, .notNull)
            .column("stream", type: .text, .notNull)
            .column("stage", type: .text, .notNull)
            .column("stage_at", type: .bigint, .notNull)
            .column("reason", type: .text, .notNull)
            .column("express_files", type: .bigint, .notNull)
            .column("express_chunks", type: .bigint, .notNull)
            .column("express_latency", type: .custom(SQLRaw("DOUBLE PRECISION")))
            .column("prompt_request", type: .text)
            .column("final", type: .bigint, .notNull)
            .primaryKey("exp", "run", "stream")
            .run()
        try await db.create(index: "live_streams_active").on("live_streams").column("final").column("exp").column("run").run()

        try await db.create(table: "live_stream_events")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("exp", type: .bigint, .notNull)
            .column("run", type: .bigint, .notNull)
            .column("stream", type: .text, .notNull)
            .column("at", type: .bigint, .notNull)
            .column("stage", type: .text, .notNull)
            .column("reason", type: .text, .notNull)
            .run()
        try await db.create(index: "live_stream_events_run").on("live_stream_events").column("exp").column("run").column("id").run()

        try await db.create(table: "live_express_files")
            .column("lfn", type: .text, .notNull)
            .column("stream", type: .text, .notNull)
            .column("exp", type: .bigint, .notNull)
            .column("run", type: .bigint, .notNull)
            .column("chunk", type: .bigint, .notNull)
            .primaryKey("lfn", "stream")
            .run()
        try await db.create(index: "live_express_files_run").on("live_express_files").column("exp").column("run").column("stream").run()

        try await db.create(table: "live_producers")
            .column("exp", type: .bigint, .notNull)
            .column("run", type: .bigint, .notNull)
            .column("stream", type: .text, .notNull)
            .column("producer", type: .text, .notNull)
            .column("state", type: .text, .notNull)
            .column("attempts", type: .bigint, .notNull)
            .column("detail", type: .text, .notNull)
            .column("payloads", type: .text)
            .column("at", type: .bigint)
            .primaryKey("exp", "run", "stream", "producer")
            .run()
    }
}
