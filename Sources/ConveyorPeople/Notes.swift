import ConveyorCore
import ConveyorStore

/// Notes on things, and problem reports on runs and files: anyone who may read may write one; a
/// problem waits in the inbox of the run-quality shifters (or the experts) until resolved.
///
/// ```swift
/// let notes = Notes(store: store)
/// let report = try await notes.add(.problem, on: try Note.Subject(kind: .run, text: "8:12"), text: "ECL crate 3 noisy", by: carol)
/// try await notes.resolve(report.id, resolution: "crate masked; run flagged BAD for ECL", by: erik)
/// ```
public struct Notes: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// Attaches a note (or reports a problem) to a thing that exists; audited.
    @discardableResult
    public func add(_ kind: Note.Kind, on subject: Note.Subject, text: String, by actor: Actor) async throws(ConveyorError) -> Note {
        try actor.require(.viewer, to: "writing a note")
        let text = try Note.validate(text: text)
        guard kind == .note || subject.kind == .run || subject.kind == .file else {
            throw .invalidInput("a problem is reported on a run or a file; on a \(subject.kind.rawValue), write a note")
        }
        return try await store.write { session in
            try await Self.requireExists(subject, in: session)
            let note = try await session.insertNote(Note(id: 0, subject: subject, kind: kind, author: actor.name, at: .now, text: text))
            try await session.appendAudit(
                AuditRecord(
                    actor: actor, action: kind == .problem ? "note.problem" : "note.add", subjectKind: subject.kind.rawValue, subject: subject.name,
                    detail: String(text.prefix(200))))
            return note
        }
    }

    /// The notes on a thing, oldest first.
    public func notes(on subject: Note.Subject) async throws(ConveyorError) -> [Note] {
        try await store.read { try await $0.notes(on: subject) }
    }

    /// Resolves a problem report, saying how; needs `expert`.
    public func resolve(_ id: Int64, resolution: String, by actor: Actor) async throws(ConveyorError) -> Note {
        try actor.require(.expert, to: "resolving a problem report")
        let resolution = try Note.validate(text: resolution)
        return try await store.write { session in
            guard let note = try await session.note(id: id) else { throw ConveyorError.notFound("no note \(id)") }
            guard note.kind == .problem else { throw ConveyorError.invalidInput("note \(id) is a note, not a problem report") }
            guard try await session.resolveNote(id: id, by: actor.name, resolution: resolution, at: .now) else {
                throw ConveyorError.conflict("problem report \(id) was already resolved by \(note.resolvedBy ?? "someone")")
            }
            try await session.appendAudit(
                AuditRecord(
                    actor: actor, action: "note.resolve", subjectKind: note.subject.kind.rawValue, subject: note.subject.name,
                    detail: "problem \(id): \(resolution)"))
            return try await session.note(id: id) ?? note
        }
    }

    static func requireExists(_ subject: Note.Subject, in session: StoreSession) async throws {
        let exists: Bool
        switch subject.kind {
        case .run: exists = try await session.run(try ExpRun(parsing: subject.name)) != nil
        case .file: exists = try await session.file(lfn: subject.name) != nil
        case .request: exists = try await session.request(named: subject.name) != nil
        case .tag: exists = try await session.globalTag(named: subject.name) != nil
        case .task:
            let parts = subject.name.split(separator: "/", maxSplits: 1).map(String.init)
            exists = try await session.tasks(ofWorkflows: [Int64(parts[0]) ?? -1], name: parts.last).isEmpty == false
        }
        guard exists else { throw ConveyorError.notFound("no \(subject.kind.rawValue) \(subject.name)") }
    }
}
