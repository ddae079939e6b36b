import ConveyorCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit

/// The server backend: a PostgreSQL database reached through a `PostgresClient` connection pool.
///
/// Opening first makes one direct connection, so that a wrong host, port, password or database
/// name fails at once with the server's reason instead of waiting in the pool's retry loop.
final class PostgresBackend: StoreBackend {
    let kind = StoreKind.postgresql
    let address: PostgresAddress
    private let client: PostgresClient
    private let runTask: Task<Void, Never>

    private init(address: PostgresAddress, client: PostgresClient) {
        self.address = address
        self.client = client
        let client = client
        self.runTask = Task { await client.run() }
    }

    static func open(address: PostgresAddress, logger: Logger) async throws(ConveyorError) -> PostgresBackend {
        do {
            let probe = try await PostgresConnection.connect(
                configuration: try connectionConfiguration(address),
                id: 0,
                logger: logger
            )
            try? await probe.close()
        } catch {
            throw .unavailable("cannot reach PostgreSQL at \(address): \(describe(error))")
        }
        do {
            // The pool's background log says only what the calls themselves throw, plus a warning
            // when a lease races the first instant of `run()` (started in a task just above the
            // first query); neither is worth a line on a user's terminal.
            var backgroundLogger = logger
            backgroundLogger.logLevel = max(logger.logLevel, .error)
            let client = PostgresClient(configuration: try clientConfiguration(address), backgroundLogger: backgroundLogger)
            return PostgresBackend(address: address, client: client)
        } catch {
            throw .unavailable("cannot configure PostgreSQL connection to \(address): \(describe(error))")
        }
    }

    func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(connection.sql())
        }
    }

    /// Every commit waits for the WAL flush (`synchronous_commit` is on unless the server says otherwise), so `durable` changes nothing here.
    func withTransaction<T: Sendable>(durable: Bool, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            let db = connection.sql()
            try await db.raw("BEGIN").run()
            do {
                let result = try await body(db)
                try await uncancelled { try await db.raw("COMMIT").run() }
                return result
            } catch {
                try? await uncancelled { try await db.raw("ROLLBACK").run() }
                throw error
            }
        }
    }

    func translate(_ error: any Error) -> ConveyorError {
        if let error = error as? ConveyorError { return error }
        if let error = error as? PSQLError, let sqlState = error.serverInfo?[.sqlState] {
            let message = error.serverInfo?[.message] ?? "error \(sqlState)"
            switch sqlState {
            case "23505", "23503", "23514", "23P01": return .conflict(message)
            case "P0001": return .conflict(message)  // raised by our triggers
            case _ where sqlState.hasPrefix("08"), "57P01", "57P02", "57P03", "53300":
                return .unavailable("PostgreSQL at \(address): \(message)")
            default: return .storeFailure(message)
            }
        }
        if let error = error as? PostgresDecodingError {
            return .storeFailure("cannot read column \(error.columnName) (\(error.postgresType)) as \(error.targetType)")
        }
        return .storeFailure(Self.describe(error))
    }

    func close() async {
        runTask.cancel()
        await runTask.value
    }

    /// One line from a PostgresNIO error, whose `description` deliberately hides the details.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return describe(underlying) }
            return String(describing: error.code)
        }
        if let error = error as? IOError { return error.description }
        if let error = error as? ChannelError { return String(describing: error) }
        let text = String(describing: error)
        return text.split(separator: "\n").first.map(String.init) ?? text
    }

    private static func connectionConfiguration(_ address: PostgresAddress) throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socketDirectory = address.socketDirectory {
            configuration = .init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(address.port)",
                username: address.username, password: address.password, database: address.database
            )
        } else {
            let tls: PostgresConnection.Configuration.TLS
            switch address.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
            configuration = .init(
                host: address.host, port: address.port,
                username: address.username, password: address.password, database: address.database, tls: tls
            )
        }
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    private static func clientConfiguration(_ address: PostgresAddress) throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketDirectory = address.socketDirectory {
            configuration = .init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(address.port)",
                username: address.username, password: address.password, database: address.database
            )
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch address.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(.makeClientConfiguration())
            case .require: tls = .require(.makeClientConfiguration())
            }
            configuration = .init(
                host: address.host, port: address.port,
                username: address.username, password: address.password, database: address.database, tls: tls
            )
        }
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = 16
        return configuration
    }
}
