import ConveyorCore
import Foundation
import Logging
import SQLKit
import SQLiteKit

/// The embedded backend: one SQLite file in WAL mode with foreign keys on.
///
/// Readers take pooled connections and run concurrently (WAL lets them read while a writer
/// writes); writers in this process queue on ``AsyncLock`` and then take SQLite's write lock with
/// `BEGIN IMMEDIATE`, so a transaction never fails half-way for lack of the lock. Writers in other
/// processes (a CLI beside a server) wait in SQLite's busy handler for up to `busyTimeout`.
final class SQLiteBackend: StoreBackend {
    let kind = StoreKind.sqlite
    let path: String
    private let pool: SQLiteConnectionPool
    private let writeLock = AsyncLock()

    static let busyTimeoutMilliseconds = 10_000

    private init(path: String, pool: SQLiteConnectionPool) {
        self.path = path
        self.pool = pool
    }

    /// Opens the file, creating it if missing, and proves it is an SQLite database.
    static func open(path: String, logger: Logger) async throws(ConveyorError) -> SQLiteBackend {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .unavailable("'\(path)' is a directory, not a Conveyor database file")
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent) else {
            throw .unavailable("cannot create database '\(path)': folder '\(parent)' does not exist")
        }
        let pool = SQLiteConnectionPool(maximumIdle: 4) {
            let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            do {
                // Connection-level settings; the journal mode is set once, after the file is known to be ours.
                _ = try await connection.query("PRAGMA foreign_keys = ON")
                _ = try await connection.query("PRAGMA busy_timeout = \(busyTimeoutMilliseconds)")
                _ = try await connection.query("PRAGMA synchronous = NORMAL")
            } catch {
                await SQLiteConnectionPool.close(connection)
                throw error
            }
            return connection
        }
        let backend = SQLiteBackend(path: path, pool: pool)
        do {
            // Reading the schema is the cheapest way to make SQLite look at the file header.
            _ = try await backend.withConnection { db in
                try await db.raw("SELECT count(*) AS n FROM sqlite_master").all()
            }
        } catch {
            await backend.close()
            let reason = backend.translate(error).message
            throw .unavailable("'\(path)' is not a Conveyor database: \(reason)")
        }
        return backend
    }

    /// Switches the file to write-ahead logging (persistent, so done once the file is known to be ours).
    func enableWriteAheadLog() async throws {
        _ = try await withConnection { db in
            try await db.raw("PRAGMA journal_mode = WAL").all()
        }
    }

    func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let connection = try await pool.acquire()
        do {
            let result = try await body(connection.sql())
            await pool.release(connection)
            return result
        } catch {
            await pool.release(connection)
            throw error
        }
    }

    func withTransaction<T: Sendable>(durable: Bool, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await writeLock.withLock {
            let connection = try await self.pool.acquire()
            let db = connection.sql()
            do {
                // NORMAL survives a killed process; FULL also a power cut (the WAL is synced at commit).
                if durable { try await db.raw("PRAGMA synchronous = FULL").run() }
                try await db.raw("BEGIN IMMEDIATE").run()
            } catch {
                // The transaction never began; only the durability setting may be left behind.
                await self.pool.discard(connection)
                throw error
            }
            let outcome: Result<T, any Error>
            do {
                let result = try await body(db)
                try await uncancelled { try await db.raw("COMMIT").run() }
                outcome = .success(result)
            } catch {
                outcome = .failure(error)
            }
            // A connection whose transaction could not be ended is closed (which rolls back),
            // never pooled: the next writer would find itself "within a transaction".
            var isClean = true
            if case .failure = outcome {
                isClean = (try? await uncancelled { try await db.raw("ROLLBACK").run() }) != nil
            }
            if durable, isClean {
                isClean = (try? await uncancelled { try await db.raw("PRAGMA synchronous = NORMAL").run() }) != nil
            }
            if isClean {
                await self.pool.release(connection)
            } else {
                await self.pool.discard(connection)
            }
            return try outcome.get()
        }
    }

    func translate(_ error: any Error) -> ConveyorError {
        if let error = error as? ConveyorError { return error }
        if let error = error as? SQLiteError {
            // Extended result codes (constraintUniqueFailed, busyTimeout, …) refine the primary ones.
            let reason = String(describing: error.reason)
            if reason.hasPrefix("constraint") { return .conflict(error.message) }
            if reason.hasPrefix("busy") || reason.hasPrefix("locked") {
                return .unavailable("database '\(path)' is locked by another process: \(error.message)")
            }
            if reason == "notADatabase" || reason == "corrupt" { return .unavailable(error.message) }
            if reason.hasPrefix("cantOpen") || reason.hasPrefix("permission") || reason.hasPrefix("readonly") || reason == "readOnly" {
                return .unavailable("cannot open '\(path)': \(error.message)")
            }
            return .storeFailure(error.message)
        }
        return .storeFailure(String(describing: error))
    }

    func close() async {
        await pool.closeAll()
    }
}

/// Idle SQLite connections kept for reuse: opening one costs a file open and three pragmas.
actor SQLiteConnectionPool {
    private var idle: [SQLiteConnection] = []
    private var isClosed = false
    private let maximumIdle: Int
    private let open: @Sendable () async throws -> SQLiteConnection

    init(maximumIdle: Int, open: @escaping @Sendable () async throws -> SQLiteConnection) {
        self.maximumIdle = maximumIdle
        self.open = open
    }

    func acquire() async throws -> SQLiteConnection {
        if isClosed { throw ConveyorError.unavailable("the database has been closed") }
        if let connection = idle.popLast() { return connection }
        return try await open()
    }

    func release(_ connection: SQLiteConnection) async {
        if !isClosed, idle.count < maximumIdle {
            idle.append(connection)
        } else {
            await Self.close(connection)
        }
    }

    /// Closes a connection that must not be reused (its transaction state is unknown).
    func discard(_ connection: SQLiteConnection) async {
        await Self.close(connection)
    }

    func closeAll() async {
        isClosed = true
        let connections = idle
        idle = []
        for connection in connections {
            await Self.close(connection)
        }
    }

    /// Closes a connection even when the caller's task was cancelled (a scheduler that lost its
    /// lease, a server shutting down): a cancelled close leaves it open, and SQLiteNIO traps when
    /// an open connection is released. The close runs in a task of its own, which no one cancels.
    static func close(_ connection: SQLiteConnection) async {
        await Task { try? await connection.close() }.value
    }
}
