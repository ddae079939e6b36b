import ConveyorCore
import Foundation

/// Where a Conveyor database lives, parsed from `--db` or `$CONVEYOR_DB`.
///
/// ```swift
/// try StoreLocation(parsing: "conveyor.sqlite")                          // .sqlite(path: "conveyor.sqlite")
/// try StoreLocation(parsing: "sqlite:///data/conveyor.sqlite")          // .sqlite(path: "/data/conveyor.sqlite")
/// try StoreLocation(parsing: "postgres://prod@db.example:5432/conveyor") // .postgres(…)
/// ```
public enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite file: the embedded default.
    case sqlite(path: String)
    /// A PostgreSQL database.
    case postgres(PostgresAddress)

    /// The file used when neither `--db` nor `$CONVEYOR_DB` is given.
    public static let defaultSQLiteFile = "conveyor.sqlite"

    public init(parsing text: String) throws(ConveyorError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .invalidInput("database location is empty") }
        if let schemeEnd = trimmed.range(of: "://") {
            let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
            switch scheme {
            case "postgres", "postgresql":
                self = .postgres(try PostgresAddress(parsing: trimmed))
            case "sqlite", "file":
                let path = String(trimmed[schemeEnd.upperBound...])
                guard !path.isEmpty else { throw .invalidInput("database URL '\(text)' has no file path") }
                self = .sqlite(path: path)
            default:
                throw .invalidInput("unsupported database URL scheme '\(scheme)' in '\(text)' (use a file path, sqlite://PATH or postgres://…)")
            }
        } else if trimmed.hasPrefix("sqlite:") {
            self = .sqlite(path: String(trimmed.dropFirst("sqlite:".count)))
        } else if trimmed.lowercased().hasPrefix("postgres:") || trimmed.lowercased().hasPrefix("postgresql:") {
            throw .invalidInput("malformed PostgreSQL URL '\(text)' (expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE)")
        } else {
            self = .sqlite(path: trimmed)
        }
    }

    /// The location from `--db`, else `$CONVEYOR_DB`, else `conveyor.sqlite` in the working directory.
    public static func resolve(option: String?, environment: [String: String]) throws(ConveyorError) -> StoreLocation {
        if let option { return try StoreLocation(parsing: option) }
        if let fromEnvironment = environment["CONVEYOR_DB"], !fromEnvironment.isEmpty {
            return try StoreLocation(parsing: fromEnvironment)
        }
        return .sqlite(path: defaultSQLiteFile)
    }

    /// The location as `--db` or `$CONVEYOR_DB` takes it, with an absolute SQLite path and the
    /// password: what processes started by Conveyor (jobs) use to reach the same database.
    public var connectionURL: String {
        switch self {
        case .sqlite(let path):
            path.hasPrefix("/") ? "sqlite://\(path)" : "sqlite://\(FileManager.default.currentDirectoryPath)/\(path)"
        case .postgres(let address): address.connectionURL
        }
    }

    /// Printable without the password.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let address): address.description
        }
    }
}
