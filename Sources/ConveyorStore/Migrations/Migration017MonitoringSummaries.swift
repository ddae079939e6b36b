import SQLKit

extension Migrations {
    /// What a trend reads of each monitoring value without decoding its histogram: the
    /// histogram's mean and its error, and the verdict and figure of the value's last comparison
    /// with the reference in force (kept current: every import and every new reference compares again).
    static let monitoringSummaries = Migration(version: 17, name: "monitoring summaries") { db, _ in
        let double: SQLDataType = .custom(SQLRaw("DOUBLE PRECISION"))
        try await db.alter(table: "qm_values").column("mean", type: double).run()
        try await db.alter(table: "qm_values").column("mean_error", type: double).run()
        try await db.alter(table: "qm_values").column("verdict", type: .text).run()
        try await db.alter(table: "qm_values").column("figure", type: double).run()
    }
}
