import SQLKit

extension Migrations {
    /// Proposed quality flags from monitoring (one per run, processing and detector, with its
    /// decision), and the experiments whose proposals are applied without a person (append-only:
    /// the newest setting of an experiment is in force).
    static let qualityProposals = Migration(version: 16, name: "quality proposals") { db, kind in
        try await db.create(table: "qm_proposals")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("exp", type: .bigint, .notNull)
            .column("run", type: .bigint, .notNull)
            .column("processing", type: .text, .notNull)
            .column("detector", type: .text, .notNull)
            .column("flag", type: .text, .notNull)
            .column("reason", type: .text, .notNull)
            .column("state", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("decided_at", type: .bigint)
            .column("decided_by", type: .text)
            .column("comment", type: .text)
            .unique("exp", "run", "processing", "detector")
            .run()
        try await db.create(index: "qm_proposals_state").on("qm_proposals").column("state").column("created_at").run()

        try await db.create(table: "qm_auto_apply")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("exp", type: .bigint, .notNull)
            .column("detectors", type: .text, .notNull)
            .column("at", type: .bigint, .notNull)
            .column("actor", type: .text, .notNull)
            .run()
        try await Migrations.makeAppendOnly(["qm_auto_apply"], function: "qm_auto_apply_append_only", message: "settings are append-only", db: db, kind: kind)
    }
}
