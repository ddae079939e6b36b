import ConveyorCore
import ConveyorStore
import Synchronization

/// The scheduler lease as one scheduler holds it: the write check that fences every transaction
/// of that scheduler, and what the scheduler asks before each call to a batch system.
///
/// A lease found lost stays lost: the scheduler stops writing and submitting at once, and the
/// service goes back to standing by.
///
/// ```swift
/// let fence = LeaseFence(store: store, lease: lease)
/// try await Store.withWriteCheck(fence.check) { try await scheduler.run(until: .never, fence: fence) }
/// ```
public final class LeaseFence: Sendable {
    public let store: Store
    public let lease: SchedulerLease
    private let state: Mutex<(confirmed: ContinuousClock.Instant, lost: Bool)>

    public init(store: Store, lease: SchedulerLease) {
        self.store = store
        self.lease = lease
        self.state = Mutex((ContinuousClock.now, false))
    }

    public var isLost: Bool { state.withLock { $0.lost } }

    /// Run at the start of every write transaction of the scheduler: renews the lease and refuses
    /// the transaction when another scheduler holds it.
    public var check: Store.WriteCheck {
        { [self] session in
            if isLost { throw ConveyorError.conflict(SchedulerLease.lostMessage(lease)) }
            let started = ContinuousClock.now
            do {
                try await session.confirmSchedulerLease(lease)
            } catch {
                if SchedulerLease.isLost(error) { state.withLock { $0.lost = true } }
                throw error
            }
            state.withLock { $0.confirmed = max($0.confirmed, started) }
        }
    }

    /// Confirms the lease unless that was done within `maxAge`. Called before every batch-system
    /// call, so that a scheduler paused past its lease finds out before it submits.
    public func confirm(maxAge: Duration) async throws(ConveyorError) {
        if isLost { throw .conflict(SchedulerLease.lostMessage(lease)) }
        guard ContinuousClock.now - state.withLock({ $0.confirmed }) > maxAge else { return }
        let check = self.check
        try await store.write { try await check($0) }
    }
}
