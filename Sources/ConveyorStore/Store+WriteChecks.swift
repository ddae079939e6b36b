import ConveyorCore

extension Store {
    /// A condition a write transaction must meet, checked inside it before its own statements:
    /// throwing rolls the whole transaction back.
    public typealias WriteCheck = @Sendable (StoreSession) async throws -> Void

    @TaskLocal static var writeChecks: [WriteCheck] = []

    /// Runs `body` with `check` added to every ``write(durable:_:)`` it makes, on any store, in
    /// this task and the tasks it starts. The scheduler fences everything it writes this way,
    /// its action steps' conditions changes included: once another scheduler has taken the lease,
    /// no write of the old one can commit.
    ///
    /// ```swift
    /// try await Store.withWriteCheck({ session in try await session.confirmSchedulerLease(lease) }) {
    ///     try await scheduler.run(until: .never)
    /// }
    /// ```
    @discardableResult
    public static func withWriteCheck<T>(
        _ check: @escaping WriteCheck, isolation: isolated (any _Concurrency.Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        try await $writeChecks.withValue(writeChecks + [check], operation: body, isolation: isolation)
    }
}
