import ConveyorCore
import ConveyorStore
import Foundation
import Logging
import PostgresNIO

/// A database engine the store suites run against. SQLite always; PostgreSQL when `scripts/test`
/// (or the developer) sets `CONVEYOR_TEST_POSTGRES_URL` to a server where it may create databases.
public enum TestBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgresql

    public var description: String { rawValue }

    /// The admin URL of the test PostgreSQL server, if one was provided.
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["CONVEYOR_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// True when running under CI, where a missing service is a failure rather than a skip.
    public static var isCI: Bool {
        ProcessInfo.processInfo.environment["CI"] == "true"
    }

    /// The backends available in this run. Under CI PostgreSQL is always included, so a missing
    /// server fails the suites instead of silently skipping them.
    public static var available: [TestBackend] {
        postgresURL != nil || isCI ? [.sqlite, .postgresql] : [.sqlite]
    }

    public static let quietLogger: Logger = {
        var logger = Logger(label: "conveyor.test")
        logger.logLevel = .critical
        return logger
    }()

    /// A new, empty database on this backend, removed again when `body` ends.
    public func withFreshLocation<T>(_ body: (StoreLocation) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            return try await body(.sqlite(path: directory.path + "/conveyor.sqlite"))
        case .postgresql:
            guard let url = Self.postgresURL else {
                throw ConveyorError.unavailable("CONVEYOR_TEST_POSTGRES_URL is not set: the PostgreSQL suite cannot reach its server (scripts/test starts one)")
            }
            let admin = try PostgresAddress(parsing: url)
            let name = "conveyor_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
            try await Self.administer(admin, "CREATE DATABASE \(name)")
            do {
                let result = try await body(.postgres(admin.with(database: String(name))))
                try await Self.administer(admin, "DROP DATABASE \(name) WITH (FORCE)")
                return result
            } catch {
                try? await Self.administer(admin, "DROP DATABASE \(name) WITH (FORCE)")
                throw error
            }
        }
    }

    /// A freshly opened store on a new database, closed and removed when `body` ends.
    public func withStore<T>(_ body: (Store) async throws -> T) async throws -> T {
        try await withFreshLocation { location in
            try await Store.withOpened(location, logger: Self.quietLogger, body)
        }
    }

    private static func administer(_ address: PostgresAddress, _ statement: String) async throws {
        let configuration = PostgresConnection.Configuration(
            host: address.host, port: address.port, username: address.username,
            password: address.password, database: address.database, tls: .disable
        )
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: quietLogger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: quietLogger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

extension TestBackend {
    /// The URL of a PostgreSQL location made by ``withFreshLocation(_:)``, password included,
    /// for handing to the command line.
    public static func postgresURLFor(_ location: StoreLocation) -> String {
        guard case .postgres(let address) = location, let admin = postgresURL,
            var components = URLComponents(string: admin)
        else { return location.description }
        components.path = "/" + address.database
        return components.string ?? location.description
    }
}
