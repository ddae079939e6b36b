/// Something people are told about: an inbox item (it waits for them until it is resolved) or a
/// request that finished (told once). Its `key` is the same in every cycle and every process that
/// sees it, so it is recorded and announced once.
///
/// ```swift
/// let event = NotificationEvent(item: inboxItem)
/// event.key    // "signoff:/workflows/7:1796000000000000:sign off signoff:cdc of request prompt-b16 (workflow 7)"
/// ```
public struct NotificationEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable, NamedValueSet {
        public static let valueKind = "notification kind"
        public static let isUppercase = false
        case signoff
        case paused_task
        case failed_request
        case postponed_run
        case run_to_certify
        case problem_report
        case quality_proposal
        case request_finished
        /// A round's automatic tests unsubscribed a selection: its coordinator is told, with the figures.
        case selection_unsubscribed
    }

    public var id: Int64
    public var key: String
    public var kind: Kind
    public var subject: String
    public var action: String
    public var link: String
    /// The people or responsibilities it is for; empty: the holders of the kind's duty, else everyone of `role`.
    public var people: [String]
    public var role: Role
    public var since: Timestamp
    public var createdAt: Timestamp
    public var resolvedAt: Timestamp?
    public var remindedAt: Timestamp?
    public var escalatedAt: Timestamp?

    public init(
        id: Int64 = 0, key: String, kind: Kind, subject: String, action: String, link: String, people: [String], role: Role, since: Timestamp,
        createdAt: Timestamp, resolvedAt: Timestamp? = nil, remindedAt: Timestamp? = nil, escalatedAt: Timestamp? = nil
    ) {
        self.id = id
        self.key = key
        self.kind = kind
        self.subject = subject
        self.action = action
        self.link = link
        self.people = people
        self.role = role
        self.since = since
        self.createdAt = createdAt
        self.resolvedAt = resolvedAt
        self.remindedAt = remindedAt
        self.escalatedAt = escalatedAt
    }

    /// The event of an inbox item, first seen at `now`.
    public init(item: InboxItem, at now: Timestamp) {
        // Exhaustive, so that a new kind of inbox item cannot be announced as something else.
        let kind: Kind =
            switch item.kind {
            case .signoff: .signoff
            case .paused_task: .paused_task
            case .failed_request: .failed_request
            case .postponed_run: .postponed_run
            case .run_to_certify: .run_to_certify
            case .problem_report: .problem_report
            case .quality_proposal: .quality_proposal
            }
        self.init(
            key: "\(kind.rawValue):\(item.link):\(item.since.microsecondsSinceEpoch):\(item.subject)", kind: kind, subject: item.subject, action: item.action,
            link: item.link, people: item.people, role: item.role, since: item.since, createdAt: now)
    }

    /// Whether it waits for someone (and so is reminded and escalated) rather than only informs.
    public var waits: Bool { kind != .request_finished && kind != .selection_unsubscribed }

    /// The responsibility whose holders an event of this kind goes to when it names nobody:
    /// runs to certify and postponed runs go to the run-quality shifters, failed requests to data production.
    public var duty: String? {
        switch kind {
        case .run_to_certify, .postponed_run, .problem_report, .quality_proposal: "run_quality"
        case .failed_request: "data_production"
        default: nil
        }
    }
}

/// How a person wants to be told: by e-mail, in chat, or both; everything at once or in a daily
/// digest; and which kinds of events (none listed: all).
public struct NotificationPreferences: Codable, Sendable, Equatable {
    public var email: Bool
    public var chat: Bool
    public var digest: Bool
    public var kinds: [NotificationEvent.Kind]

    public init(email: Bool = true, chat: Bool = true, digest: Bool = false, kinds: [NotificationEvent.Kind] = []) {
        self.email = email
        self.chat = chat
        self.digest = digest
        self.kinds = kinds
    }

    public func wants(_ kind: NotificationEvent.Kind) -> Bool { kinds.isEmpty || kinds.contains(kind) }
}
