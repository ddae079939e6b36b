import SQLKit

extension Migrations {
    /// The file catalog: files with checksums and provenance (parent links), and their replicas.
    static let files = Migration(version: 4, name: "file catalog") { db, _ in
        try await db.create(table: "files")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("lfn", type: .text, .notNull, .unique)
            .column("size", type: .bigint, .notNull)
            .column("adler32", type: .text, .notNull)
            .column("sha256", type: .text, .notNull)
            .column("events", type: .bigint, .notNull)
            .column("exp", type: .bigint, .notNull)
            .column("run", type: .bigint, .notNull)
            .column("level", type: .text, .notNull)
            .column("data_tag", type: .text)
            .column("release", type: .text, .notNull)
            .column("global_tags", type: .text, .notNull)
            .column("job", type: .text)
            .column("status", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .run()
        try await db.create(index: "files_run").on("files").column("exp").column("run").column("level").run()

        try await db.create(table: "file_parents")
            .column("child_id", type: .bigint, .notNull, .references("files", "id"))
            .column("parent_id", type: .bigint, .notNull, .references("files", "id"))
            .primaryKey("child_id", "parent_id")
            .run()
        try await db.create(index: "file_parents_parent").on("file_parents").column("parent_id").run()

        try await db.create(table: "replicas")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("file_id", type: .bigint, .notNull, .references("files", "id"))
            .column("site", type: .text, .notNull)
            .column("storage", type: .text, .notNull)
            .column("path", type: .text, .notNull)
            .column("state", type: .text, .notNull)
            .unique("file_id", "site", "path")
            .run()
        try await db.create(index: "replicas_file").on("replicas").column("file_id").run()
    }
}
