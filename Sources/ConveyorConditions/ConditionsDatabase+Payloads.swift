import ConveyorCore
import ConveyorStore
import Foundation

/// What an upload did: the payload (new or the existing revision with identical bytes) and the IoV.
public struct UploadResult: Sendable, Codable {
    public let payload: Payload
    /// False when identical bytes already existed under the name and that revision was reused.
    public let isNewRevision: Bool
    public let tag: String
    public let iov: IntervalOfValidity
}

extension ConditionsDatabase {
    /// Stores a payload and assigns it an IoV in an OPEN tag, in one transaction. Needs `expert`.
    ///
    /// - Parameter expectedSHA256: when given, the upload is refused unless the bytes hash to it
    ///   (a check that the file arrived whole).
    /// - Throws: ``ConveyorError/conflict(_:)`` when the IoV overlaps one the tag already has for
    ///   the name, or the tag is not OPEN.
    @discardableResult
    public func upload(
        name: String, bytes: Data, intoTag tagName: String, iov: IntervalOfValidity,
        description: String = "", expectedSHA256: String? = nil, by actor: Actor
    ) async throws(ConveyorError) -> UploadResult {
        try actor.require(.expert, to: "uploading a payload")
        try Payload.validate(name: name)
        let checksums = PayloadChecksums(of: bytes)
        if let expectedSHA256, expectedSHA256.lowercased() != checksums.sha256 {
            throw .invalidInput("checksum mismatch: the bytes hash to \(checksums.sha256), not \(expectedSHA256)")
        }
        let result = try await store.write { session in
            let tag = try await Self.lockedTag(tagName, in: session)
            try Self.requireOpen(tag, to: "upload into it")
            var iov = iov
            if let (_, first, _) = try await Self.synchronisedStart(tag, requested: iov.start, in: session), first.movedUp {
                // A synchronised tag's IoV starts where its type lets it, never on a locked run.
                if let successor = iov.upperBound.successor, successor <= first.run {
                    throw ConveyorError.conflict(
                        "IoV \(iov) of '\(tagName)' ends before \(first.run), where its synchronisation lets it start (\(first.reason))")
                }
                iov = IntervalOfValidity.between(first.run, iov.upperBound)
            }
            if let clash = try await session.entries(ofTag: tag.id, name: name).first(where: { $0.iov.overlaps(iov) }) {
                throw ConveyorError.conflict("IoV \(iov) overlaps IoV \(clash.iov) (rev \(clash.revision)) of \(name) in '\(tagName)'")
            }
            let now = Timestamp.now
            let (payload, isNew) = try await session.insertPayload(
                name: name, bytes: bytes, sha256: checksums.sha256, md5: checksums.md5,
                description: description, at: now, by: actor.name
            )
            try await session.insertIoVs([NewIoV(payloadID: payload.id, iov: iov)], intoTag: tag.id, at: now)
            try await session.touchGlobalTag(id: tag.id)
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "payload.upload", subjectKind: "payload", subject: "\(name) rev \(payload.revision)",
                    detail: "\(isNew ? "new" : "existing") revision, IoV \(iov) in \(tagName)"
                ))
            return UploadResult(payload: payload, isNewRevision: isNew, tag: tagName, iov: iov)
        }
        cache.invalidate()
        return result
    }

    /// Every revision of a payload name.
    public func payloads(named name: String, asOf: Timestamp? = nil) async throws(ConveyorError) -> [Payload] {
        let found = try await store.read { try await $0.payloads(named: name, asOf: asOf) }
        if found.isEmpty { throw .notFound("no payload named '\(name)'") }
        return found
    }

    public func payload(named name: String, revision: Int) async throws(ConveyorError) -> Payload {
        guard let payload = try await store.read({ try await $0.payload(name: name, revision: revision) }) else {
            throw .notFound("no payload \(name) revision \(revision)")
        }
        return payload
    }

    /// A payload and its bytes, checked against the stored SHA-256 on the way out.
    public func download(name: String, revision: Int) async throws(ConveyorError) -> (Payload, Data) {
        let payload = try await payload(named: name, revision: revision)
        let bytes = try await store.read { try await $0.payloadBytes(payload) }
        guard PayloadChecksums(of: bytes).sha256 == payload.sha256 else {
            throw .unavailable("the stored bytes of \(name) rev \(revision) no longer match their SHA-256")
        }
        return (payload, bytes)
    }

    /// The tag's IoVs (of one name), now or at `asOf`, ordered by name and start.
    public func entries(ofTag tagName: String, name: String? = nil, asOf: Timestamp? = nil) async throws(ConveyorError) -> [TagEntry] {
        let tag = try await tag(named: tagName, asOf: asOf)
        let entries = try await store.read { try await $0.entries(ofTag: tag.id, name: name, asOf: asOf) }
        return entries.sorted { $0.name != $1.name ? $0.name < $1.name : $0.iov < $1.iov }
    }

    /// Removes IoVs from an OPEN tag: by id, or every IoV of `name` equal to `iov`. Needs `expert`.
    @discardableResult
    public func removeIoV(
        fromTag tagName: String, id: Int64? = nil, name: String? = nil, iov: IntervalOfValidity? = nil, by actor: Actor
    ) async throws(ConveyorError) -> [TagEntry] {
        try actor.require(.expert, to: "removing an IoV")
        guard id != nil || (name != nil && iov != nil) else {
            throw .invalidInput("say which IoV to remove: its id, or the payload name and the IoV")
        }
        let removed = try await store.write { session in
            let tag = try await Self.lockedTag(tagName, in: session)
            try Self.requireOpen(tag, to: "remove IoVs from it")
            let matching = try await session.entries(ofTag: tag.id, name: name).filter { entry in
                (id == nil || entry.id == id) && (iov == nil || entry.iov == iov)
            }
            guard !matching.isEmpty else {
                throw ConveyorError.notFound(
                    "tag '\(tagName)' has no such IoV" + (id.map { " (id \($0))" } ?? " (\(name ?? "") \(iov.map(\.description) ?? ""))"))
            }
            let now = Timestamp.now
            try await session.removeIoVs(ids: matching.map(\.id), at: now)
            try await session.touchGlobalTag(id: tag.id)
            for entry in matching {
                try await session.appendAudit(
                    AuditRecord(
                        at: now, actor: actor, action: "iov.remove", subjectKind: "globaltag", subject: tagName,
                        detail: "\(entry.name) rev \(entry.revision) \(entry.iov)"))
            }
            return matching
        }
        cache.invalidate()
        return removed
    }
}
