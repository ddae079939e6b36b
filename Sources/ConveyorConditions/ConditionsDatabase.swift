import ConveyorCore
import ConveyorStore
import Foundation

/// Conveyor's conditions database: global tags, payloads and their intervals of validity, with
/// the Belle II rules for who may change what and when, exact history, and cached lookups.
///
/// Writes to OPEN tags need `expert`; state changes and running updates need `manager`.
/// Every change is one transaction together with its audit entry.
///
/// ```swift
/// let conditions = ConditionsDatabase(store: store)
/// try await conditions.createTag(named: "staging_prompt", type: .data, by: alice)
/// try await conditions.upload(name: "BeamSpot", bytes: data, intoTag: "staging_prompt",
///                             iov: try IntervalOfValidity(parsing: "0,0,-1,-1"), by: alice)
/// let payloads = try await conditions.resolve(tags: ["staging_prompt"], at: ExpRun(exp: 8, run: 1234), allowOpen: true)
/// ```
public struct ConditionsDatabase: Sendable {
    public let store: Store
    let cache: LookupCache

    /// - Parameter cache: shared by a server's requests; a short-lived command makes its own.
    public init(store: Store, cache: LookupCache = LookupCache()) {
        self.store = store
        self.cache = cache
    }

    /// The tag with this name now (or at `asOf`), or ``ConveyorError/notFound(_:)``.
    public func tag(named name: String, asOf: Timestamp? = nil) async throws(ConveyorError) -> GlobalTag {
        guard let tag = try await store.read({ try await $0.globalTag(named: name, asOf: asOf) }) else {
            throw .notFound(asOf == nil ? "no global tag named '\(name)'" : "no global tag named '\(name)' existed at \(asOf!)")
        }
        return tag
    }

    /// Reads a tag inside a write transaction, holding its lock until the transaction ends.
    static func lockedTag(_ name: String, in session: StoreSession) async throws -> GlobalTag {
        guard let tag = try await session.globalTag(named: name) else {
            throw ConveyorError.notFound("no global tag named '\(name)'")
        }
        try await session.lockGlobalTag(id: tag.id)
        // Re-read under the lock: another writer may have changed the state while we waited.
        return try await session.globalTag(named: name) ?? tag
    }

    /// Refuses free edits to tags that are not OPEN, saying why.
    static func requireOpen(_ tag: GlobalTag, to action: String) throws(ConveyorError) {
        switch tag.state {
        case .open: return
        case .running: throw .conflict("cannot \(action): tag '\(tag.name)' is RUNNING and changes only by a running update")
        default: throw .conflict("cannot \(action): tag '\(tag.name)' is \(tag.state) and immutable (only OPEN tags are edited)")
        }
    }
}
