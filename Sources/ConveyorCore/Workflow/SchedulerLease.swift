/// The right to be the one scheduler of a database: a holder name and an epoch that rises each
/// time the lease changes hands. Every write a scheduler makes checks that the lease row still
/// carries its holder and epoch (a fencing token), so a scheduler that was paused, partitioned
/// or slow past its lease cannot write or submit anything once another has taken over.
public struct SchedulerLease: Sendable, Hashable {
    public let holder: String
    public let epoch: Int64

    public init(holder: String, epoch: Int64) {
        self.holder = holder
        self.epoch = epoch
    }

    /// How long a lease lives without a heartbeat before a standby may take it, unless configured.
    public static let defaultStaleAfter: Duration = .seconds(12)

    static let lostPrefix = "the scheduler lease was taken over"

    public static func lostMessage(_ lease: SchedulerLease) -> String {
        "\(lostPrefix): \(lease.holder) at epoch \(lease.epoch) no longer holds it, so this write was refused"
    }

    /// Whether an error says that the lease was lost (the scheduler must stop, not retry).
    public static func isLost(_ error: any Error) -> Bool {
        guard let error = error as? ConveyorError, case .conflict(let message) = error else { return false }
        return message.hasPrefix(lostPrefix)
    }
}

/// Why a lease was not granted: who holds it.
public struct SchedulerLeaseRefusal: Error, Sendable, Equatable {
    public let holder: String

    public init(holder: String) {
        self.holder = holder
    }
}
