import ConveyorCore
import ConveyorExecutors
import Synchronization

/// The executor behind each pool: one local executor for the machine, one batch-system client
/// per pool of the other kinds (their options differ).
public final class ExecutorSet: Sendable {
    public let local: LocalExecutor
    private let makers: @Sendable (Pool) throws(ConveyorError) -> any BatchExecutor
    private let cache = Mutex<[String: any BatchExecutor]>([:])

    /// - Parameter make: builds the executor for a non-local pool (tests substitute fakes).
    public init(local: LocalExecutor, make: @escaping @Sendable (Pool) throws(ConveyorError) -> any BatchExecutor) {
        self.local = local
        self.makers = make
    }

    public func executor(for pool: Pool) throws(ConveyorError) -> any BatchExecutor {
        if pool.executor == .local { return local }
        let key = "\(pool.name)|\(pool.executor)|\(pool.options.sorted { $0.key < $1.key })"
        if let found = cache.withLock({ $0[key] }) { return found }
        let made = try makers(pool)
        cache.withLock { $0[key] = made }
        return made
    }
}
