import ConveyorCore
import Foundation
import Synchronization

/// Built lookup indexes, kept between requests.
///
/// An index is rebuilt when its tag's change counter moves. A name's entry is trusted without
/// asking the database for `maximumAge` (one second by default): changes made through this
/// process invalidate at once, changes made by another process (a command line beside the
/// server) are seen within that second. HTTP caches in front add their own `max-age`.
public final class LookupCache: Sendable {
    struct Entry {
        let tag: GlobalTag
        let index: ConditionsIndex
        let checkedAt: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let indexes = Mutex<[Int64: (changeCount: Int64, index: ConditionsIndex)]>([:])
    /// Builds in flight, by tag id: one per tag and change count, however many lookups wait for it.
    private let building = Mutex<[Int64: (changeCount: Int64, task: Task<ConditionsIndex, any Error>)]>([:])
    public let maximumAge: Duration

    public init(maximumAge: Duration = .seconds(1)) {
        self.maximumAge = maximumAge
    }

    func fresh(_ name: String) -> (GlobalTag, ConditionsIndex)? {
        entries.withLock { entries in
            guard let entry = entries[name], ContinuousClock.now - entry.checkedAt < maximumAge else { return nil }
            return (entry.tag, entry.index)
        }
    }

    /// An index built for this tag at its current change count, if there is one.
    func index(for tag: GlobalTag) -> ConditionsIndex? {
        indexes.withLock { indexes in
            guard let cached = indexes[tag.id], cached.changeCount == tag.changeCount else { return nil }
            return cached.index
        }
    }

    /// The tag's index at its change count: cached, or built by `build` once however many lookups
    /// ask at the same time. Before, 32 concurrent requests to a cold server each read the tag's
    /// 10⁶ IoVs and built their own index, and the server answered 24 requests a second for 12 s.
    ///
    /// ```swift
    /// let index = try await cache.index(for: tag) { ConditionsIndex(entries: try await read(tag)) }
    /// ```
    func index(for tag: GlobalTag, building build: @escaping @Sendable () async throws -> ConditionsIndex) async throws -> ConditionsIndex {
        if let cached = index(for: tag) { return cached }
        let task = building.withLock { building in
            if let flight = building[tag.id], flight.changeCount == tag.changeCount { return flight.task }
            let task = Task { try await build() }
            building[tag.id] = (tag.changeCount, task)
            return task
        }
        defer {
            building.withLock { building in
                if let flight = building[tag.id], flight.changeCount == tag.changeCount { building[tag.id] = nil }
            }
        }
        return try await task.value
    }

    func remember(_ name: String, tag: GlobalTag, index: ConditionsIndex) {
        let now = ContinuousClock.now
        entries.withLock { $0[name] = Entry(tag: tag, index: index, checkedAt: now) }
        indexes.withLock { $0[tag.id] = (tag.changeCount, index) }
    }

    /// Forgets every name→tag entry, so the next lookup re-reads the tag (indexes stay valid by count).
    public func invalidate() {
        entries.withLock { $0.removeAll() }
    }
}
