import ArgumentParser
import ConveyorCore
import ConveyorStore
import Foundation
import Logging

/// Options every command takes, before or after the command name.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The database: a file path, sqlite://PATH or postgres://USER@HOST:PORT/DB.", valueName: "url"))
    var db: String?

    @Option(name: .long, help: "Log level on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "warning"

    func location() throws(ConveyorError) -> StoreLocation {
        try StoreLocation.resolve(option: db, environment: ProcessInfo.processInfo.environment)
    }

    func logger(label: String) throws(ConveyorError) -> Logger {
        guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
            throw .invalidInput("unknown log level '\(logLevel)'")
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }

    /// Whether the database is there to read (an SQLite file that exists, or any PostgreSQL URL),
    /// for commands that use it only when it is.
    func databaseExists() throws(ConveyorError) -> Bool {
        if case .sqlite(let path) = try location() { return FileManager.default.fileExists(atPath: path) }
        return true
    }

    /// Opens the database (applying pending migrations unless `migrate` is false).
    func openStore(migrate: Bool = true) async throws(ConveyorError) -> Store {
        try await Store.open(location(), migrate: migrate, logger: logger(label: "conveyor.store"))
    }

    /// Opens the database, runs `body`, and closes it whether `body` succeeds or not.
    func withStore<T>(migrate: Bool = true, _ body: (Store) async throws -> T) async throws -> T {
        try await Store.withOpened(location(), migrate: migrate, logger: logger(label: "conveyor.store"), body)
    }
}

/// The `--json` flag of every command that lists or shows something.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print exactly one JSON document on stdout instead of a table.")
    var json = false
}

/// `--as-of TIMESTAMP` of every read command: answer from the history as of that moment.
struct AsOfOption: ParsableArguments {
    @Option(name: .customLong("as-of"), help: "Answer as of this time (ISO 8601, e.g. 2026-11-22T10:00:00Z).")
    var text: String?

    var timestamp: Timestamp? {
        get throws(ConveyorError) { try GlobalOptions.timestamp(text) }
    }
}
