import SQLKit

extension Migrations {
    /// Payloads, global tags with their state history, and IoVs kept with insertion and removal
    /// times so that every read can be answered as of a past moment.
    static let conditions = Migration(version: 2, name: "conditions database") { db, kind in
        try await db.create(table: "payloads")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("name", type: .text, .notNull)
            .column("revision", type: .bigint, .notNull)
            .column("sha256", type: .text, .notNull)
            .column("md5", type: .text, .notNull)
            .column("size", type: .bigint, .notNull)
            .column("creator", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("description", type: .text, .notNull)
            .unique("name", "revision")
            .unique("name", "sha256")
            .run()

        // Payload bytes in the database (PostgreSQL); SQLite keeps them in files beside the database.
        try await db.create(table: "payload_blobs")
            .column("sha256", type: .text, .primaryKey(autoIncrement: false))
            .column("bytes", type: .blob, .notNull)
            .run()

        try await db.create(table: "global_tags")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("name", type: .text, .notNull)
            .column("description", type: .text, .notNull)
            .column("type", type: .text, .notNull)
            .column("state", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("created_by", type: .text, .notNull)
            .column("deleted_at", type: .bigint)
            .column("change_count", type: .bigint, .notNull)
            .run()
        // A deleted tag's name may be used again; its history stays readable with --as-of.
        try await db.raw("CREATE UNIQUE INDEX global_tags_live_name ON global_tags (name) WHERE deleted_at IS NULL").run()

        try await db.create(table: "global_tag_states")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("tag_id", type: .bigint, .notNull, .references("global_tags", "id"))
            .column("state", type: .text, .notNull)
            .column("at", type: .bigint, .notNull)
            .column("actor", type: .text, .notNull)
            .run()
        try await db.create(index: "global_tag_states_tag").on("global_tag_states").column("tag_id").column("at").run()

        try await db.create(table: "iovs")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("tag_id", type: .bigint, .notNull, .references("global_tags", "id"))
            .column("payload_id", type: .bigint, .notNull, .references("payloads", "id"))
            .column("exp_low", type: .bigint, .notNull)
            .column("run_low", type: .bigint, .notNull)
            .column("exp_high", type: .bigint, .notNull)
            .column("run_high", type: .bigint, .notNull)
            .column("inserted_at", type: .bigint, .notNull)
            .column("removed_at", type: .bigint)
            .run()
        // Live IoVs of a tag are read on every lookup; the partial index keeps them together.
        try await db.raw("CREATE INDEX iovs_live ON iovs (tag_id, payload_id) WHERE removed_at IS NULL").run()
        try await db.create(index: "iovs_history").on("iovs").column("tag_id").column("inserted_at").run()
        _ = kind
    }
}
