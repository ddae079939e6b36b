import ConveyorCore

/// What moves data: the embedded engine (Conveyor's own database and copy commands, one site's
/// worth of endpoints) or, for many sites, Rucio. ``DataManagement`` records rules and asks
/// the engine to place them and to make progress.
public protocol DataManagementEngine: Sendable {
    /// `embedded` or `rucio`.
    var name: String { get }

    /// Records a new rule and places its copies, refusing it whole (nothing recorded, here or in
    /// the engine) when it cannot be met.
    func add(_ rule: ReplicationRule, by actor: Actor) async throws(ConveyorError) -> ReplicationRule

    /// Ends a rule: its copies no other rule holds become deletable.
    /// - Returns: the bytes it left deletable (as far as this engine knows).
    func end(_ id: Int64, by actor: Actor) async throws(ConveyorError) -> Int64

    /// One round of work: end what expired, place what changed, copy what is due, delete what is deletable.
    func cycle(at time: Timestamp) async throws(ConveyorError) -> DataManagementCycle
}

/// What one engine cycle did.
public struct DataManagementCycle: Sendable, Hashable, Codable {
    public var rulesEnded = 0
    public var rulesEvaluated = 0
    public var copiesMade = 0
    public var copiesFailed = 0
    public var bytesCopied: Int64 = 0
    public var replicasDeleted = 0
    public var bytesDeleted: Int64 = 0
    /// Copies queued and not yet due or not yet started, after the cycle.
    public var copiesWaiting = 0

    public init() {}

    /// Whether the cycle changed anything.
    public var didWork: Bool { rulesEnded + rulesEvaluated + copiesMade + copiesFailed + replicasDeleted > 0 }
}
