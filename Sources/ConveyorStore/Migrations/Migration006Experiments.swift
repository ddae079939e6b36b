import SQLKit

extension Migrations {
    /// Per-experiment settings: the detectors that runs are flagged for.
    static let experiments = Migration(version: 6, name: "experiment configuration") { db, _ in
        try await db.create(table: "experiments")
            .column("exp", type: .bigint, .primaryKey(autoIncrement: false))
            .column("name", type: .text, .notNull)
            .column("detectors", type: .text, .notNull)
            .column("updated_at", type: .bigint, .notNull)
            .column("updated_by", type: .text, .notNull)
            .run()
    }
}
