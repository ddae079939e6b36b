import SQLKit

extension Migrations {
    /// Buckets, frozen at creation with their runs' luminosity and quality.
    static let buckets = Migration(version: 5, name: "buckets") { db, _ in
        let double = SQLDataType.custom(SQLRaw("DOUBLE PRECISION"))
        try await db.create(table: "buckets")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("name", type: .text, .notNull, .unique)
            .column("exp", type: .bigint, .notNull)
            .column("first_run", type: .bigint, .notNull)
            .column("last_run", type: .bigint, .notNull)
            .column("luminosity", type: double, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("created_by", type: .text, .notNull)
            .run()
        try await db.create(table: "bucket_runs")
            .column("bucket_id", type: .bigint, .notNull, .references("buckets", "id"))
            .column("run", type: .bigint, .notNull)
            .column("luminosity", type: double, .notNull)
            .column("quality", type: .text, .notNull)
            .primaryKey("bucket_id", "run")
            .run()
    }
}
