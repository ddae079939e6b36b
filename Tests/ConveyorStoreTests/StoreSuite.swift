import ConveyorCore
@testable import ConveyorStore
import ConveyorTestSupport
import Foundation
import Testing

/// The store's behaviour, run the same way against SQLite and PostgreSQL.
@Suite("Store")
struct StoreSuite {
    @Test(arguments: TestBackend.available)
    func openingANewDatabaseAppliesEveryMigration(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let store = try await Store.open(location, logger: TestBackend.quietLogger)
            let status = try await store.migrationStatus()
            #expect(status.currentVersion == Migrations.latestVersion)
            #expect(status.pending.isEmpty)
            #expect(status.applied.map(\.version) == Migrations.all.map(\.version))
            #expect(try await store.migrate().isEmpty, "a second migrate has nothing to do")
            await store.close()

            let reopened = try await Store.open(location, logger: TestBackend.quietLogger)
            #expect(try await reopened.migrationStatus().currentVersion == Migrations.latestVersion)
            await reopened.close()
        }
    }

    @Test(arguments: TestBackend.available)
    func openingWithoutMigrateLeavesTheSchemaPending(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let store = try await Store.open(location, migrate: false, logger: TestBackend.quietLogger)
            #expect(try await store.migrationStatus().currentVersion == 0)
            let applied = try await store.migrate()
            #expect(applied.count == Migrations.all.count)
            await store.close()
        }
    }

    @Test(arguments: TestBackend.available)
    func usersRoundTripAndNamesAreUnique(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let created = Timestamp(microsecondsSinceEpoch: 1_795_341_600_123_456)
            let user = try await store.write {
                try await $0.insertUser(name: "alice", role: .expert, tokenHash: "h1", createdAt: created, createdBy: "local:root")
            }
            #expect(user.id > 0)
            let read = try await store.read { try await $0.user(named: "alice") }
            #expect(read == user)
            #expect(read?.createdAt == created, "timestamps keep their microseconds")

            await #expect(throws: ConveyorError.self) {
                try await store.write {
                    try await $0.insertUser(name: "alice", role: .viewer, tokenHash: "h2", createdAt: .now, createdBy: "x")
                }
            }
            await #expect(throws: ConveyorError.self, "token hashes are unique too") {
                try await store.write {
                    try await $0.insertUser(name: "bob", role: .viewer, tokenHash: "h1", createdAt: .now, createdBy: "x")
                }
            }
            #expect(try await store.read { try await $0.users() }.map(\.name) == ["alice"])
        }
    }

    @Test(arguments: TestBackend.available)
    func revokedUsersNoLongerMatchTheirToken(backend: TestBackend) async throws {
        try await backend.withStore { store in
            _ = try await store.write {
                try await $0.insertUser(name: "carol", role: .manager, tokenHash: "hc", createdAt: .now, createdBy: "x")
            }
            #expect(try await store.read { try await $0.activeUser(tokenHash: "hc") }?.name == "carol")
            try await store.write { try await $0.revokeUser(named: "carol", at: .now) }
            #expect(try await store.read { try await $0.activeUser(tokenHash: "hc") } == nil)
            #expect(try await store.read { try await $0.users(includeRevoked: false) }.isEmpty)
            #expect(try await store.read { try await $0.users(includeRevoked: true) }.count == 1)
        }
    }

    @Test(arguments: TestBackend.available)
    func aFailedTransactionLeavesNothingBehind(backend: TestBackend) async throws {
        struct Boom: Error {}
        try await backend.withStore { store in
            await #expect(throws: ConveyorError.self) {
                try await store.write { session in
                    _ = try await session.insertUser(name: "dave", role: .viewer, tokenHash: "hd", createdAt: .now, createdBy: "x")
                    try await session.appendAudit(AuditRecord(actor: .localOperator(named: "t"), action: "user.add", subjectKind: "user", subject: "dave"))
                    throw Boom()
                }
            }
            let dave = try await store.read { try await $0.user(named: "dave") }
            let audit = try await store.read { try await $0.auditEntries() }
            #expect(dave == nil)
            #expect(audit.isEmpty)
        }
    }

    @Test(arguments: TestBackend.available)
    func auditEntriesFilterBySinceActorAndLimitNewestFirst(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let base: Int64 = 1_795_341_600_000_000
            for i in 0..<10 {
                let actor = Actor(name: i.isMultiple(of: 2) ? "alice" : "bob", role: .admin)
                try await store.write { session in
                    try await session.appendAudit(
                        AuditRecord(
                            at: Timestamp(microsecondsSinceEpoch: base + Int64(i) * 1_000_000),
                            actor: actor, action: "test.step", subjectKind: "step", subject: "s\(i)", detail: "n=\(i)"
                        ))
                }
            }
            let all = try await store.read { try await $0.auditEntries() }
            #expect(all.map(\.subject) == (0..<10).reversed().map { "s\($0)" })
            let recent = try await store.read {
                try await $0.auditEntries(since: Timestamp(microsecondsSinceEpoch: base + 7_000_000))
            }
            #expect(recent.map(\.subject) == ["s9", "s8", "s7"])
            let alice = try await store.read { try await $0.auditEntries(actor: "alice", limit: 2) }
            #expect(alice.map(\.subject) == ["s8", "s6"])
        }
    }

    @Test(arguments: TestBackend.available)
    func theAuditLogRefusesUpdatesAndDeletes(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await store.write {
                try await $0.appendAudit(AuditRecord(actor: .localOperator(named: "t"), action: "a", subjectKind: "k", subject: "s"))
            }
            await #expect(throws: ConveyorError.self) {
                try await store.write { try await $0.sql.raw("UPDATE audit_log SET actor = 'mallory'").run() }
            }
            await #expect(throws: ConveyorError.self) {
                try await store.write { try await $0.sql.raw("DELETE FROM audit_log").run() }
            }
            #expect(try await store.read { try await $0.auditEntries() }.map(\.actor) == ["local:t"])
        }
    }

    @Test(arguments: TestBackend.available)
    func concurrentWritersAllLand(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        try await store.write { session in
                            _ = try await session.insertUser(name: "u\(i)", role: .viewer, tokenHash: "t\(i)", createdAt: .now, createdBy: "x")
                            try await session.appendAudit(
                                AuditRecord(actor: .localOperator(named: "t"), action: "user.add", subjectKind: "user", subject: "u\(i)"))
                        }
                    }
                    group.addTask { _ = try await store.read { try await $0.users() } }
                }
                try await group.waitForAll()
            }
            let counts = try await store.read { try await $0.counts() }
            #expect(counts.first { $0.kind == "users" }?.count == 40)
            #expect(counts.first { $0.kind == "audit entries" }?.count == 40)
        }
    }

    @Test(arguments: TestBackend.available)
    func aNewerSchemaIsRefusedAndLeftUntouched(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let store = try await Store.open(location, logger: TestBackend.quietLogger)
            try await store.write {
                try await $0.sql.raw("INSERT INTO conveyor_schema (version, name, applied_at) VALUES (999, 'from the future', 0)").run()
            }
            await store.close()
            do {
                _ = try await Store.open(location, logger: TestBackend.quietLogger)
                Issue.record("a database with schema 999 was opened")
            } catch {
                guard let error = error as? ConveyorError, case .unavailable(let message) = error else {
                    Issue.record("wrong error \(error)")
                    return
                }
                #expect(message.contains("schema version 999"))
                #expect(message.contains("newer"))
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aForeignDatabaseIsRefusedAndLeftUntouched(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let store = try await Store.open(location, migrate: false, logger: TestBackend.quietLogger)
            try await store.write { try await $0.sql.raw("CREATE TABLE somebody_elses (x INTEGER)").run() }
            await store.close()
            for attempt in ["migrating open", "plain open"] {
                do {
                    _ = try await Store.open(location, migrate: attempt == "migrating open", logger: TestBackend.quietLogger)
                    Issue.record("\(attempt) accepted a foreign database")
                } catch {
                    // The second refusal proves the first created nothing (no conveyor_schema).
                    let message = (error as? ConveyorError)?.message ?? "\(error)"
                    #expect(message.contains("not a Conveyor database"), "\(attempt): \(message)")
                    #expect(message.contains("somebody_elses"))
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func summaryCountsWhatTheDatabaseHolds(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let summary = try await store.summary()
            #expect(summary.backend.rawValue == backend.rawValue)
            #expect(summary.schemaVersion == Migrations.latestVersion)
            #expect(summary.counts.allSatisfy { $0.count == 0 })
            #expect(summary.counts.map(\.kind).contains("global tags"))
            try await store.read { try await $0.ping() }
        }
    }

    @Test func aFileThatIsNotADatabaseIsRefusedAndNotChanged() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("notes.sqlite")
        let content = String(repeating: "these are my notes, not a database\n", count: 200)
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try await Store.open(.sqlite(path: path), logger: TestBackend.quietLogger)
            Issue.record("a text file was opened as a database")
        } catch {
            #expect(error.message.contains("not a Conveyor database"))
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == content)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func aMissingFolderIsReportedNotCreated() async throws {
        await #expect(throws: ConveyorError.self) {
            _ = try await Store.open(.sqlite(path: "/nonexistent-\(UUID().uuidString)/c.sqlite"), logger: TestBackend.quietLogger)
        }
    }

    @Test func anUnreachablePostgresServerIsReportedInOneLine() async throws {
        do {
            _ = try await Store.open(try StoreLocation(parsing: "postgres://nobody@127.0.0.1:1/none"), logger: TestBackend.quietLogger)
            Issue.record("connected to port 1")
        } catch {
            guard case .unavailable(let message) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(message.contains("cannot reach PostgreSQL"))
            #expect(!message.contains("\n"))
        }
    }

    @Test func postgresIsAvailableUnderCI() {
        if TestBackend.isCI {
            #expect(TestBackend.postgresURL != nil, "CI=true but CONVEYOR_TEST_POSTGRES_URL is unset: scripts/test could not start PostgreSQL")
        }
    }
}
