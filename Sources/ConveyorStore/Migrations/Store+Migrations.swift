import ConveyorCore
import SQLKit

extension Store {
    /// The schema version of the database and what this program would apply to it.
    ///
    /// - Throws: ``ConveyorError/unavailable(_:)`` when the database holds tables but is not
    ///   Conveyor's, or when its schema is newer than this program.
    public func migrationStatus() async throws(ConveyorError) -> MigrationStatus {
        let location = self.location
        return try await read { session in
            try await Self.status(of: session.sql, kind: session.kind, location: location)
        }
    }

    /// Applies every pending migration in one transaction and returns what it applied.
    ///
    /// Safe to run from several processes at once: the second waits for the first and then finds
    /// nothing left to do.
    @discardableResult
    public func migrate() async throws(ConveyorError) -> [MigrationInfo] {
        let location = self.location
        return try await write { session in
            let db = session.sql
            if session.kind == .postgresql {
                // Serialises concurrent migrators; released at the end of the transaction.
                try await db.raw("SELECT pg_advisory_xact_lock(7283946501)").run()
            }
            let status = try await Self.status(of: db, kind: session.kind, location: location)
            guard !status.pending.isEmpty else { return [] }
            try await db.create(table: Migrations.versionTable)
                .ifNotExists()
                .column("version", type: .bigint, .primaryKey(autoIncrement: false))
                .column("name", type: .text, .notNull)
                .column("applied_at", type: .bigint, .notNull)
                .run()
            var applied: [MigrationInfo] = []
            for migration in Migrations.all where migration.version > status.currentVersion {
                try await migration.apply(db, session.kind)
                try await db.insert(into: Migrations.versionTable)
                    .columns("version", "name", "applied_at")
                    .values(SQLBind(migration.version), SQLBind(migration.name), SQLBind(Timestamp.now.microsecondsSinceEpoch))
                    .run()
                applied.append(MigrationInfo(version: migration.version, name: migration.name))
            }
            return applied
        }
    }

    private static func status(of db: any SQLDatabase, kind: StoreKind, location: StoreLocation) async throws -> MigrationStatus {
        let tables = try await tableNames(db, kind: kind)
        var currentVersion = 0
        var applied: [MigrationInfo] = []
        if tables.contains(Migrations.versionTable) {
            let rows = try await db.select()
                .columns("version", "name")
                .from(Migrations.versionTable)
                .orderBy("version")
                .all()
            applied = try rows.map {
                MigrationInfo(version: try $0.decode(column: "version", as: Int.self), name: try $0.decode(column: "name", as: String.self))
            }
            currentVersion = applied.last?.version ?? 0
        } else if !tables.isEmpty {
            throw ConveyorError.unavailable(
                "\(location) is not a Conveyor database: it holds \(tables.count) other table(s) (\(tables.sorted().prefix(3).joined(separator: ", "))) and no \(Migrations.versionTable)"
            )
        }
        guard currentVersion <= Migrations.latestVersion else {
            throw ConveyorError.unavailable(
                "\(location) has schema version \(currentVersion), newer than this conveyor knows (\(Migrations.latestVersion)); use a newer conveyor"
            )
        }
        let pending = Migrations.all
            .filter { $0.version > currentVersion }
            .map { MigrationInfo(version: $0.version, name: $0.name) }
        return MigrationStatus(currentVersion: currentVersion, latestVersion: Migrations.latestVersion, applied: applied, pending: pending)
    }

    private static func tableNames(_ db: any SQLDatabase, kind: StoreKind) async throws -> Set<String> {
        let rows: [any SQLRow]
        switch kind {
        case .sqlite:
            rows = try await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()
        case .postgresql:
            rows = try await db.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()").all()
        }
        return Set(try rows.map { try $0.decode(column: "name", as: String.self) })
    }
}
