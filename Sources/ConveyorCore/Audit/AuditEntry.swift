/// One line of the append-only audit log: who changed what, and when.
///
/// Entries are written in the same transaction as the change they describe, so the log never
/// claims a change that did not happen, and never misses one that did.
public struct AuditEntry: Codable, Sendable, Hashable, Identifiable {
    public var id: Int64
    public var at: Timestamp
    /// The actor's name: a user, or `local:NAME` for the command line.
    public var actor: String
    /// A dotted verb, e.g. `user.add`, `gt.set-state`.
    public var action: String
    /// The kind of thing changed, e.g. `user`, `globaltag`.
    public var subjectKind: String
    /// Which one, e.g. the user or tag name.
    public var subject: String
    /// Free text with the particulars (old → new, reason, …).
    public var detail: String

    public init(id: Int64, at: Timestamp, actor: String, action: String, subjectKind: String, subject: String, detail: String) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.subjectKind = subjectKind
        self.subject = subject
        self.detail = detail
    }
}

/// An audit entry about to be written; the store assigns its id.
public struct AuditRecord: Sendable, Hashable {
    public var at: Timestamp
    public var actor: String
    public var action: String
    public var subjectKind: String
    public var subject: String
    public var detail: String

    public init(at: Timestamp = .now, actor: Actor, action: String, subjectKind: String, subject: String, detail: String = "") {
        self.at = at
        self.actor = actor.name
        self.action = action
        self.subjectKind = subjectKind
        self.subject = subject
        self.detail = detail
    }
}
