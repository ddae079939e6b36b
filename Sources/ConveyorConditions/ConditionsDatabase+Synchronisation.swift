import ConveyorCore
import ConveyorStore
import Foundation

/// What an append did, or would do with `dryRun`: where the new IoV starts and why.
public struct AppendResult: Sendable, Codable {
    public let tag: String
    public let name: String
    public let sync: SynchronisationType
    public let requested: ExpRun
    /// The run the IoV starts at: the requested one, or moved up by the tag's synchronisation type.
    public let firstRun: ExpRun
    public let movedUp: Bool
    public let reason: String
    /// The first condition-safe run the decision was made against.
    public let fcsr: ExpRun?
    public let iov: IntervalOfValidity
    /// The IoV that was open before and now ends just before the new one.
    public let closedIoV: IntervalOfValidity?
    /// The stored revision (nil for a dry run).
    public let payload: Payload?
    public let dryRun: Bool
}

extension ConditionsDatabase {
    /// Gives a tag a synchronisation type (or none). Needs `manager`.
    public func setSynchronisation(ofTag name: String, to sync: SynchronisationType?, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.manager, to: "setting a tag's synchronisation type")
        try await store.write { session in
            let tag = try await Self.lockedTag(name, in: session)
            try await session.setGlobalTagSync(id: tag.id, to: sync)
            try await session.appendAudit(
                AuditRecord(actor: actor, action: "gt.sync", subjectKind: "globaltag", subject: name, detail: "synchronisation \(sync?.rawValue ?? "none")"))
        }
    }

    /// Where an IoV of a synchronised tag may start, decided under the handshake row's lock so
    /// that no cycle locks a run between this check and the commit. Nil for a tag without a type.
    static func synchronisedStart(
        _ tag: GlobalTag, requested: ExpRun, in session: StoreSession
    ) async throws -> (
        sync: SynchronisationType, first: SynchronisationType.FirstRun, fcsr: ExpRun?
    )? {
        guard let sync = try await session.globalTagSync(id: tag.id) else { return nil }
        let handshake = try await session.promptHandshake(forUpdate: true)
        // Until a run is locked nothing is protected: a tag's first IoV may still start at 0,0.
        let fcsr = try await session.highestLockedPromptRun() == nil ? nil : handshake.fcsr
        let lastOnline = [.hlt, .express].contains(sync) ? try await session.lastOnlineRun() : nil
        return (sync, try sync.firstRun(requested: requested, fcsr: fcsr, lastOnlineRun: lastOnline), fcsr)
    }

    /// Appends a payload to a synchronised tag from `since` on, CMS's way: the start follows the
    /// tag's synchronisation type (``SynchronisationType``), the IoV of the name that was open
    /// ends just before it, and the new one is open-ended. OPEN and RUNNING tags take appends;
    /// runs already locked for PromptReco are never changed. With `dryRun`, nothing is written
    /// and the answer says which first run the IoV would get. Needs `expert`.
    ///
    /// ```swift
    /// let result = try await conditions.append(name: "BeamSpot", bytes: data, intoTag: "prompt", since: ExpRun(exp: 8, run: 10), by: erik)
    /// result.firstRun    // 8:14 when runs up to 8:13 are locked
    /// ```
    @discardableResult
    public func append(
        name: String, bytes: Data, intoTag tagName: String, since: ExpRun, description: String = "", dryRun: Bool = false, by actor: Actor
    ) async throws(ConveyorError) -> AppendResult {
        try actor.require(.expert, to: "appending a payload")
        try Payload.validate(name: name)
        let checksums = PayloadChecksums(of: bytes)
        let result = try await store.write { session in
            let tag = try await Self.lockedTag(tagName, in: session)
            guard tag.state == .open || tag.state == .running else {
                throw ConveyorError.conflict("cannot append to '\(tagName)': it is \(tag.state); appends go to OPEN or RUNNING tags")
            }
            guard let (sync, first, fcsr) = try await Self.synchronisedStart(tag, requested: since, in: session) else {
                throw ConveyorError.conflict(
                    "'\(tagName)' has no synchronisation type: give it one (gt sync \(tagName) prompt) or upload with an explicit --iov into an OPEN tag")
            }
            let entries = try await session.entries(ofTag: tag.id, name: name)
            if let later = entries.first(where: { $0.iov.start >= first.run }) {
                throw ConveyorError.conflict(
                    "\(name) in '\(tagName)' already has IoV \(later.iov) starting at or after \(first.run): appends only add later conditions")
            }
            // Nothing starts at or after the first run (refused above), so the IoV holding it started before it.
            let open = entries.first { $0.iov.contains(first.run) }
            let closed = open.flatMap { entry in IntervalOfValidity.Bound.justBefore(first.run).map { IntervalOfValidity.between(entry.iov.start, $0) } }
            let iov = open.map { IntervalOfValidity.between(first.run, $0.iov.upperBound) } ?? .from(first.run)
            guard !dryRun else {
                return AppendResult(
                    tag: tagName, name: name, sync: sync, requested: since, firstRun: first.run, movedUp: first.movedUp, reason: first.reason, fcsr: fcsr,
                    iov: iov, closedIoV: closed, payload: nil, dryRun: true)
            }
            // Taken after the handshake row's lock: a cycle that locked a run committed before this moment.
            let now = Timestamp.now
            let (payload, isNew) = try await session.insertPayload(
                name: name, bytes: bytes, sha256: checksums.sha256, md5: checksums.md5, description: description, at: now, by: actor.name)
            if let open, let closed {
                try await session.removeIoVs(ids: [open.id], at: now)
                try await session.insertIoVs([NewIoV(payloadID: open.payloadID, iov: closed)], intoTag: tag.id, at: now)
            }
            try await session.insertIoVs([NewIoV(payloadID: payload.id, iov: iov)], intoTag: tag.id, at: now)
            try await session.touchGlobalTag(id: tag.id)
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "payload.append", subjectKind: "payload", subject: "\(name) rev \(payload.revision)",
                    detail: "\(isNew ? "new" : "existing") revision, IoV \(iov) in \(tagName) (\(first.reason))"))
            return AppendResult(
                tag: tagName, name: name, sync: sync, requested: since, firstRun: first.run, movedUp: first.movedUp, reason: first.reason, fcsr: fcsr, iov: iov,
                closedIoV: closed, payload: payload, dryRun: false)
        }
        if !dryRun { cache.invalidate() }
        return result
    }
}
