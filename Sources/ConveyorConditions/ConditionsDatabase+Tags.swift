import ConveyorCore
import ConveyorStore

/// A tag with how much it holds, for `gt show` and the tag page.
public struct GlobalTagDetail: Sendable, Codable {
    public let tag: GlobalTag
    public let iovCount: Int
    public let payloadNameCount: Int
    /// How its new conditions line up with data taking, when it has a synchronisation type.
    public var sync: SynchronisationType? = nil
}

extension ConditionsDatabase {
    /// Creates an OPEN tag. Needs `expert`.
    @discardableResult
    public func createTag(named name: String, type: GlobalTagType = .dev, description: String = "", by actor: Actor) async throws(ConveyorError) -> GlobalTag {
        try actor.require(.expert, to: "creating a global tag")
        try GlobalTag.validate(name: name)
        return try await store.write { session in
            let tag = try await session.insertGlobalTag(name: name, description: description, type: type, at: .now, by: actor.name)
            try await session.appendAudit(AuditRecord(actor: actor, action: "gt.create", subjectKind: "globaltag", subject: name, detail: "type \(type)"))
            return tag
        }
    }

    public func tags(nameContains: String? = nil, state: GlobalTagState? = nil, asOf: Timestamp? = nil) async throws(ConveyorError) -> [GlobalTag] {
        try await store.read { try await $0.globalTags(nameContains: nameContains, state: state, asOf: asOf) }
    }

    public func detail(ofTag name: String, asOf: Timestamp? = nil) async throws(ConveyorError) -> GlobalTagDetail {
        let tag = try await tag(named: name, asOf: asOf)
        let (counts, sync) = try await store.read { session in
            (try await session.entryCounts(ofTag: tag.id, asOf: asOf), try await session.globalTagSync(id: tag.id))
        }
        return GlobalTagDetail(tag: tag, iovCount: counts.iovs, payloadNameCount: counts.names, sync: sync)
    }

    /// Moves a tag along the Belle II life cycle. Needs `manager`; PUBLISHED and INVALID need the
    /// tag's name typed again as `confirm`.
    @discardableResult
    public func setState(ofTag name: String, to state: GlobalTagState, confirm: String? = nil, by actor: Actor) async throws(ConveyorError) -> GlobalTag {
        try actor.require(.manager, to: "changing a global tag's state")
        if state.needsConfirmation, confirm != name {
            throw .invalidInput("moving '\(name)' to \(state) cannot be undone: confirm by typing the tag's name (--confirm \(name))")
        }
        let updated = try await store.write { session in
            var tag = try await Self.lockedTag(name, in: session)
            guard tag.state.canMove(to: state) else {
                let allowed = tag.state.allowedNextStates.map(\.rawValue).joined(separator: " or ")
                throw ConveyorError.conflict(
                    "tag '\(name)' cannot go from \(tag.state) to \(state)" + (allowed.isEmpty ? " (\(tag.state) is final)" : " (allowed: \(allowed))"))
            }
            try await session.setGlobalTagState(id: tag.id, to: state, at: .now, by: actor.name)
            try await session.appendAudit(
                AuditRecord(actor: actor, action: "gt.set-state", subjectKind: "globaltag", subject: name, detail: "\(tag.state) -> \(state)"))
            tag.state = state
            return tag
        }
        cache.invalidate()
        return updated
    }

    /// Copies a tag's live IoVs into a new OPEN tag. Needs `expert`.
    @discardableResult
    public func clone(_ source: String, as newName: String, by actor: Actor) async throws(ConveyorError) -> GlobalTag {
        try actor.require(.expert, to: "cloning a global tag")
        try GlobalTag.validate(name: newName)
        return try await store.write { session in
            guard let original = try await session.globalTag(named: source) else {
                throw ConveyorError.notFound("no global tag named '\(source)'")
            }
            let now = Timestamp.now
            let copy = try await session.insertGlobalTag(
                name: newName, description: "clone of \(source): \(original.description)", type: original.type, at: now, by: actor.name)
            try await session.copyIoVs(fromTag: original.id, toTag: copy.id, at: now)
            try await session.appendAudit(AuditRecord(actor: actor, action: "gt.clone", subjectKind: "globaltag", subject: newName, detail: "from \(source)"))
            return copy
        }
    }

    /// Deletes an OPEN tag (its history stays readable with `asOf`). Needs `expert`.
    public func deleteTag(named name: String, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.expert, to: "deleting a global tag")
        try await store.write { session in
            let tag = try await Self.lockedTag(name, in: session)
            try Self.requireOpen(tag, to: "delete it")
            try await session.deleteGlobalTag(id: tag.id, at: .now)
            try await session.appendAudit(AuditRecord(actor: actor, action: "gt.delete", subjectKind: "globaltag", subject: name))
        }
        cache.invalidate()
    }
}

extension ConditionsDatabase {
    /// Makes a staging tag ready for a bucket's calibrations: creates it (DATA, OPEN) when it does
    /// not exist; otherwise it must be OPEN, and with `empty` its IoVs are removed. Needs `expert`.
    /// - Returns: what it did, in a line.
    public func prepareStaging(_ name: String, empty: Bool, by actor: Actor) async throws(ConveyorError) -> String {
        try actor.require(.expert, to: "preparing a staging tag")
        let existing: GlobalTag
        do { existing = try await self.tag(named: name) } catch .notFound {
            _ = try await createTag(named: name, type: .data, description: "staging tag for calibrations", by: actor)
            return "created \(name)"
        }
        do {
            let tag = existing
            guard tag.state == .open else { throw ConveyorError.conflict("staging tag '\(name)' is \(tag.state); calibrations upload into an OPEN tag") }
            guard empty else { return "\(name) is OPEN; kept its IoVs" }
            let entries = try await entries(ofTag: name)
            guard !entries.isEmpty else { return "\(name) is OPEN and empty" }
            try await store.write { session in
                let locked = try await Self.lockedTag(name, in: session)
                let now = Timestamp.now
                try await session.removeIoVs(ids: entries.map(\.id), at: now)
                try await session.touchGlobalTag(id: locked.id)
                try await session.appendAudit(
                    AuditRecord(
                        at: now, actor: actor, action: "gt.empty", subjectKind: "globaltag", subject: name,
                        detail: "\(entries.count) IoVs removed for a new bucket"))
            }
            cache.invalidate()
            return "emptied \(name): \(entries.count) IoVs removed"
        }
    }
}
