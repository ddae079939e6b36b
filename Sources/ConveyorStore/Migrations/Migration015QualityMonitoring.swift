import SQLKit

extension Migrations {
    /// Quality monitoring: every monitoring variable per run, processing and version (histograms
    /// as their JSON form, scalars as value and error), and the references experts set per variable
    /// and run range (append-only: the newest covering a run is in force, the older are its history).
    static let qualityMonitoring = Migration(version: 15, name: "quality monitoring") { db, kind in
        let double: SQLDataType = .custom(SQLRaw("DOUBLE PRECISION"))
        try await db.create(table: "qm_values")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("exp", type: .bigint, .notNull)
            .column("run", type: .bigint, .notNull)
            .column("processing", type: .text, .notNull)
            .column("variable", type: .text, .notNull)
            .column("version", type: .bigint, .notNull)
            .column("histogram", type: .text)
            .column("value", type: double)
            .column("error", type: double)
            .column("at", type: .bigint, .notNull)
            .column("actor", type: .text, .notNull)
            .unique("exp", "run", "processing", "variable", "version")
            .run()
        try await db.create(index: "qm_values_trend").on("qm_values").column("variable").column("processing").column("exp").column("run").run()

        try await db.create(table: "qm_references")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("variable", type: .text, .notNull)
            .column("exp", type: .bigint, .notNull)
            .column("first_run", type: .bigint, .notNull)
            .column("last_run", type: .bigint, .notNull)
            .column("histogram", type: .text)
            .column("value", type: double)
            .column("comparison", type: .text, .notNull)
            .column("reason", type: .text, .notNull)
            .column("at", type: .bigint, .notNull)
            .column("actor", type: .text, .notNull)
            .run()
        try await db.create(index: "qm_references_variable").on("qm_references").column("variable").column("exp").column("id").run()
        try await Migrations.makeAppendOnly(["qm_references"], function: "qm_references_append_only", message: "references are append-only", db: db, kind: kind)
    }
}
