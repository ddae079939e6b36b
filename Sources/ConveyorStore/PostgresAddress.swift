import ConveyorCore
import Foundation

/// The parts of a `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…&host=/socket/dir]` URL.
public struct PostgresAddress: Sendable, Hashable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Hashable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    /// A Unix-socket directory (libpq's `?host=/run/postgresql`), used instead of TCP when set.
    public var socketDirectory: String?
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(parsing text: String) throws(ConveyorError) {
        let usage = "(expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE)"
        guard let components = URLComponents(string: text) else {
            throw .invalidInput("malformed PostgreSQL URL '\(Self.redacted(text))' \(usage)")
        }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        socketDirectory = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        host = components.host ?? ""
        guard !host.isEmpty || socketDirectory != nil else {
            throw .invalidInput("PostgreSQL URL '\(Self.redacted(text))' names no host \(usage)")
        }
        if let port = components.port {
            guard (1...65535).contains(port) else { throw .invalidInput("PostgreSQL port \(port) is out of range") }
            self.port = port
        } else {
            port = 5432
        }
        username = components.user.flatMap { $0.removingPercentEncoding ?? $0 } ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        password = components.password.flatMap { $0.removingPercentEncoding ?? $0 }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.isEmpty, !path.contains("/") else {
            throw .invalidInput("PostgreSQL URL '\(Self.redacted(text))' names no database \(usage)")
        }
        database = path
        let mode = query["sslmode"] ?? "prefer"
        switch mode {
        case "disable": tls = .disable
        case "allow", "prefer": tls = .prefer
        case "require", "verify-ca", "verify-full": tls = .require
        default: throw .invalidInput("unknown sslmode '\(mode)' (expected disable, prefer or require)")
        }
    }

    public var description: String {
        let endpoint = socketDirectory.map { "?host=\($0)" } ?? ""
        return "postgres://\(username)@\(host)\(socketDirectory == nil ? ":\(port)" : "")/\(database)\(endpoint)"
    }

    /// The whole URL, password included: what a job started by Conveyor connects with.
    public var connectionURL: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = username
        components.password = password
        components.host = socketDirectory == nil ? host : ""
        components.port = socketDirectory == nil ? port : nil
        components.path = "/" + database
        var items = [URLQueryItem(name: "sslmode", value: tls == .disable ? "disable" : tls == .require ? "require" : "prefer")]
        if let socketDirectory { items.append(URLQueryItem(name: "host", value: socketDirectory)) }
        components.queryItems = items
        return components.string ?? description
    }

    /// The same address pointing at another database on the same server.
    public func with(database: String) -> PostgresAddress {
        var copy = self
        copy.database = database
        return copy
    }

    private static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let schemeEnd = text.range(of: "://") else { return text }
        let credentials = text[schemeEnd.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}
