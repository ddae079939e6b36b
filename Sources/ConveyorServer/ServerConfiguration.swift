import ConveyorCore

/// How `conveyor serve` runs.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// When set, requests without credentials act with this role (e.g. `viewer` for a read-only
    /// dashboard on a trusted network). Off by default: every read needs a token.
    public var anonymousRole: Role?

    public init(host: String = "127.0.0.1", port: Int = 8080, anonymousRole: Role? = nil) {
        self.host = host
        self.port = port
        self.anonymousRole = anonymousRole
    }
}
