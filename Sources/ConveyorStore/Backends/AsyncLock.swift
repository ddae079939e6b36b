/// A first-come, first-served lock for async code.
///
/// ```swift
/// let lock = AsyncLock()
/// try await lock.withLock { try await writeOne() }   // one at a time, in the order they came
/// ```
///
/// SQLite allows one writer at a time; taking this lock before `BEGIN IMMEDIATE` makes writers
/// in this process queue here instead of spinning in SQLite's busy handler on the shared thread pool.
public actor AsyncLock {
    public init() {}

    private var isLocked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public func lock() async {
        if !isLocked {
            isLocked = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    public func unlock() {
        if waiters.isEmpty {
            isLocked = false
        } else {
            waiters.removeFirst().resume()
        }
    }

    public nonisolated func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await lock()
        do {
            let result = try await body()
            await unlock()
            return result
        } catch {
            await unlock()
            throw error
        }
    }
}
