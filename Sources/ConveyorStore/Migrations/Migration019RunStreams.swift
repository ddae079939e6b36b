import SQLKit

extension Migrations {
    /// Each run's raw data streams as the DAQ wrote them (all events, and each HLT skim): files
    /// and events, kept by file registration and filled here from the catalog, so that normalising
    /// any list of files reads one row per run and stream instead of counting the runs' raw files.
    static let runStreams = Migration(version: 19, name: "run streams") { db, _ in
        try await db.create(table: "run_streams")
            .column("exp", type: .bigint, .notNull)
            .column("run", type: .bigint, .notNull)
            .column("stream", type: .text, .notNull)
            .column("files", type: .bigint, .notNull)
            .column("events", type: .bigint, .notNull)
            .primaryKey("exp", "run", "stream")
            .run()
        try await db.raw(
            """
            INSERT INTO run_streams (exp, run, stream, files, events)
            SELECT f.exp, f.run, CASE WHEN f.data_tag IS NULL OR f.data_tag = '' THEN 'all' ELSE f.data_tag END, COUNT(*), SUM(f.events) FROM files f
            WHERE f.level = 'raw' AND NOT EXISTS (SELECT 1 FROM file_parents fp WHERE fp.child_id = f.id)
            GROUP BY f.exp, f.run, CASE WHEN f.data_tag IS NULL OR f.data_tag = '' THEN 'all' ELSE f.data_tag END
            """
        ).run()
    }
}
