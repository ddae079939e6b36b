import ConveyorCore
import Synchronization

/// Recently authenticated tokens, so that a server answering thousands of lookups a second does
/// not read the users table for each.
///
/// A hit is trusted for `maximumAge` (five seconds by default). Revoking through this process
/// clears the cache at once; a revocation by another process takes effect within that age.
public final class TokenCache: Sendable {
    private let entries = Mutex<[String: (actor: Actor, at: ContinuousClock.Instant)]>([:])
    public let maximumAge: Duration

    public init(maximumAge: Duration = .seconds(5)) {
        self.maximumAge = maximumAge
    }

    func actor(forHash hash: String) -> Actor? {
        entries.withLock { entries in
            guard let hit = entries[hash], ContinuousClock.now - hit.at < maximumAge else { return nil }
            return hit.actor
        }
    }

    func remember(_ actor: Actor, forHash hash: String) {
        let now = ContinuousClock.now
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[hash] = (actor, now)
        }
    }

    public func clear() {
        entries.withLock { $0.removeAll() }
    }
}
