/// Something that waits for a person: a sign-off, a paused task, a failed request, a run a
/// shifter postponed, a run whose PromptReco is done and waits for its quality flag. Who it waits
/// for is named people (a sign-off's signers) or a role; managers see what waits for experts too,
/// as they may act in their place.
///
/// ```swift
/// let item = InboxItem(kind: .signoff, subject: "signoff:cdc in request prompt-b16", since: t, people: ["cdc-expert"], role: .expert, link: "/workflows/7")
/// item.isFor(Actor(name: "cdc-expert", role: .expert))   // true
/// item.isFor(Actor(name: "ecl-expert", role: .expert))   // false: it names someone else
/// ```
public struct InboxItem: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable, NamedValueSet {
        public static let valueKind = "inbox item"
        public static let isUppercase = false
        case signoff
        case paused_task
        case failed_request
        case postponed_run
        case run_to_certify
        case problem_report
        case quality_proposal
    }

    public var kind: Kind
    /// What it is, in a line.
    public var subject: String
    /// What to do about it.
    public var action: String
    /// Since when it waits.
    public var since: Timestamp
    /// The people (or responsibilities) it waits for; empty: anyone with `role`.
    public var people: [String]
    public var role: Role
    /// The page where one acts on it.
    public var link: String
    /// The command that acts on it.
    public var command: String

    public init(kind: Kind, subject: String, action: String = "", since: Timestamp, people: [String] = [], role: Role, link: String, command: String = "") {
        self.kind = kind
        self.subject = subject
        self.action = action
        self.since = since
        self.people = people
        self.role = role
        self.link = link
        self.command = command
    }

    /// Whether it waits for `actor`: one of its people, anyone of its role when it names none, and
    /// managers and admins always (they may act in an expert's place).
    public func isFor(_ actor: Actor) -> Bool {
        if actor.role.satisfies(.manager) { return true }
        if !people.isEmpty { return actor.isAmong(people) }
        return actor.role.satisfies(role)
    }

    /// Seconds it has waited at `now`.
    public func age(at now: Timestamp) -> Double { max(0, now.seconds(since: since)) }

    /// `3 d 4 h`, `2 h 5 min`, `40 s`.
    public static func describe(age seconds: Double) -> String {
        let s = Int(seconds)
        if s >= 86_400 { return "\(s / 86_400) d \(s % 86_400 / 3_600) h" }
        if s >= 3_600 { return "\(s / 3_600) h \(s % 3_600 / 60) min" }
        if s >= 60 { return "\(s / 60) min" }
        return "\(s) s"
    }
}
