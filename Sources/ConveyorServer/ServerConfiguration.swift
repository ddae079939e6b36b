import ConveyorCore

/// How `conveyor serve` runs.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// When set, requests without credentials act with this role (e.g. `viewer` for a read-only
    /// dashboard on a trusted network). Off by default: every read needs a token.
    public var anonymousRole: Role?
    /// Called when a request queues a command for the workflow scheduler (a sign-off, a
    /// cancellation), so that a scheduler in this process applies it at once.
    public var onWorkflowCommand: @Sendable () -> Void
    /// The lab's directory: when set, the sign-in page takes a user name and password (API tokens
    /// still work for programs and as a fallback).
    public var directory: DirectoryConfiguration?
    /// Answer `/floor` and `/floor/authenticated` with a constant: the floors that the benchmarks
    /// (`Benchmarks/compare.sh`) measure every route against, through this same server's stack.
    public var floorRoutes: Bool = false

    public init(
        host: String = "127.0.0.1", port: Int = 8080, anonymousRole: Role? = nil, directory: DirectoryConfiguration? = nil,
        onWorkflowCommand: @escaping @Sendable () -> Void = {}
    ) {
        self.host = host
        self.port = port
        self.anonymousRole = anonymousRole
        self.directory = directory
        self.onWorkflowCommand = onWorkflowCommand
    }
}
