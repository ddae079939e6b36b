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
