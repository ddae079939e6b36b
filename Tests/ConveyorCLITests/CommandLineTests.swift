import ConveyorCore
import ConveyorStore
import ConveyorTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The `conveyor` program run as a user runs it: arguments in, stdout, stderr and exit code out.
@Suite("Command line")
struct CommandLineTests {
    @Test(arguments: TestBackend.available)
    func addListAndRevokeUsers(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let conveyor = CommandLineRunner(workingDirectory: directory.path)
            let db = Self.url(location)

            let added = try await conveyor.run("--db", db, "user", "add", "alice", "--role", "expert")
            #expect(added.exitCode == 0, "\(added.stderr)")
            #expect(added.stdout.contains("token: cvy_"))
            #expect(added.stderr.contains("shown only this once"))

            // --db after the command name works too, and --json prints one document.
            let listed = try await conveyor.run("user", "list", "--json", "--db", db)
            #expect(listed.exitCode == 0)
            let users = try JSONDecoder().decode(UserListShape.self, from: Data(listed.stdout.utf8)).users
            #expect(users.map(\.name) == ["alice"])
            #expect(users.first?.role == "expert")
            #expect(!listed.stdout.contains("cvy_"), "tokens are never listed")

            let revoked = try await conveyor.run("--db", db, "user", "revoke", "alice")
            #expect(revoked.exitCode == 0)
            let again = try await conveyor.run("--db", db, "user", "revoke", "alice")
            #expect(again.exitCode == 1)
            #expect(again.stderr.hasPrefix("conveyor: user 'alice' was already revoked"))
        }
    }

    @Test func theAuditLogNamesTheLocalOperatingSystemUser() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let conveyor = CommandLineRunner(workingDirectory: directory.path)
        _ = try await conveyor.run("user", "add", "bob", "--role", "viewer")
        #expect(FileManager.default.fileExists(atPath: directory.file("conveyor.sqlite")), "the default database is conveyor.sqlite here")
        let audit = try await conveyor.run("audit", "--json")
        #expect(audit.exitCode == 0)
        let entries = try JSONDecoder().decode(AuditShape.self, from: Data(audit.stdout.utf8)).entries
        #expect(entries.count == 1)
        #expect(entries.first?.actor.hasPrefix("local:") == true)
        #expect(entries.first?.action == "user.add")
        let none = try await conveyor.run("audit", "--since", "2999-01-01", "--json")
        #expect(try JSONDecoder().decode(AuditShape.self, from: Data(none.stdout.utf8)).entries.isEmpty)
    }

    @Test func theEnvironmentNamesTheDatabaseWhenNoOptionDoes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let conveyor = CommandLineRunner(workingDirectory: directory.path, environment: ["CONVEYOR_DB": directory.file("env.sqlite")])
        _ = try await conveyor.run("user", "add", "carol", "--role", "manager")
        #expect(FileManager.default.fileExists(atPath: directory.file("env.sqlite")))
        #expect(!FileManager.default.fileExists(atPath: directory.file("conveyor.sqlite")))
    }

    @Test(arguments: [
        (["user", "add", "x", "--role", "god"], Int32(1), "unknown role 'god'"),
        (["--db", "postgres://nohost", "db", "info"], Int32(1), "names no database"),
        (["--db", "mysql://a/b", "db", "info"], Int32(1), "unsupported database URL scheme"),
        (["--db", "postgres://nobody@127.0.0.1:1/x", "db", "info"], Int32(3), "cannot reach PostgreSQL"),
        (["audit", "--since", "last week"], Int32(1), "is not a timestamp"),
        (["user", "add", "bad name", "--role", "viewer"], Int32(1), "may contain only"),
        (["user", "revoke", "nobody"], Int32(1), "no user named 'nobody'"),
    ])
    func badInputGetsOneLineAndAnExitCode(arguments: [String], exitCode: Int32, reason: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try await CommandLineRunner(workingDirectory: directory.path).run(arguments)
        #expect(result.exitCode == exitCode, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(reason), "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func aFileThatIsNotADatabaseIsRefusedAndKept() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("notes.txt")
        try "my notes\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await CommandLineRunner(workingDirectory: directory.path).run("--db", path, "user", "list")
        #expect(result.exitCode == 3)
        #expect(result.stderr == "conveyor: '\(path)' is not a Conveyor database: file is not a database\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "my notes\n")
    }

    @Test func dbMigrateAndInfoReportTheSchema() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let conveyor = CommandLineRunner(workingDirectory: directory.path)
        let migrate = try await conveyor.run("db", "migrate")
        #expect(migrate.exitCode == 0)
        #expect(migrate.stdout.contains("applied 1: users and audit log"))
        let second = try await conveyor.run("db", "migrate", "--json")
        #expect(second.stdout.contains("\"applied\" : [\n\n  ]") || second.stdout.contains("\"applied\" : []"))
        let info = try await conveyor.run("db", "info", "--json")
        let summary = try JSONDecoder().decode(DatabaseSummary.self, from: Data(info.stdout.utf8))
        #expect(summary.backend == .sqlite)
        #expect(summary.schemaVersion >= 1)
    }

    /// `conveyor serve` starts, answers, and stops cleanly on SIGTERM.
    @Test func serveAnswersAndShutsDownGracefully() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let conveyor = CommandLineRunner(workingDirectory: directory.path)
        let port = try Self.freePort()
        let outcome = try await conveyor.runUntil(
            ["serve", "--port", String(port)],
            readyWhen: { $0.contains("Conveyor serving") }
        ) {
            let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(String(decoding: data, as: UTF8.self).contains("\"status\":\"ok\""))
        }
        #expect(outcome.exitCode == 0, "stopped by SIGTERM: \(outcome.stderr)")
        #expect(outcome.stderr.contains("Conveyor stopped"))
    }

    static func url(_ location: StoreLocation) -> String {
        switch location {
        case .sqlite(let path): path
        case .postgres: TestBackend.postgresURLFor(location)
        }
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct UserListShape: Decodable {
    struct Entry: Decodable { let name: String; let role: String }
    let users: [Entry]
}

struct AuditShape: Decodable {
    struct Entry: Decodable { let actor: String; let action: String }
    let entries: [Entry]
}
