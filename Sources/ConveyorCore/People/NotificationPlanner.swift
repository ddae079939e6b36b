/// Decides who is told what: the first message of each event to the people it is for, a reminder
/// when it still waits after `remind_after`, an escalation to the managers after `escalate_after`,
/// and a daily digest instead of single messages for those who chose one. Pure: the notifier
/// gives it the events, people and time, and queues what it returns (each message has a dedupe
/// key, so planning the same thing twice queues it once).
///
/// ```swift
/// let planner = NotificationPlanner(settings: settings, people: users, preferences: preferences)
/// let plan = planner.plan(openEvents, new: [12], at: .now)   // plan.messages, plan.reminded, plan.escalated
/// ```
public struct NotificationPlanner: Sendable {
    public let settings: NotificationSettings
    public let people: [User]
    public let preferences: [String: NotificationPreferences]

    public init(settings: NotificationSettings, people: [User], preferences: [String: NotificationPreferences]) {
        self.settings = settings
        self.people = people.filter(\.isActive)
        self.preferences = preferences
    }

    public enum Channel: String, Codable, Sendable, CaseIterable {
        case email
        case chat
    }

    public enum Purpose: String, Codable, Sendable {
        case first
        case reminder
        case escalation
        case digest
    }

    /// A message to queue.
    public struct Message: Sendable, Equatable {
        public var eventID: Int64?
        public var dedupe: String
        public var recipient: String
        public var channel: Channel
        public var purpose: Purpose
        /// An e-mail address, or `@name` in chat; empty when there is none (then `skipped` says why).
        public var address: String
        public var subject: String
        public var body: String
        /// Why it cannot be sent (a person without an e-mail address): queued as skipped, shown to the admin.
        public var skipped: String?
    }

    /// What the planner decided: the messages, and which events were reminded or escalated now.
    public struct Plan: Sendable, Equatable {
        public var messages: [Message] = []
        public var reminded: [Int64] = []
        public var escalated: [Int64] = []
    }

    /// The people an event is for: those it names (by name or responsibility), else the holders of
    /// its kind's duty, else everyone whose role is exactly the event's.
    public func recipients(of event: NotificationEvent) -> [User] {
        let named = people.filter { user in event.people.contains(user.name) || user.responsibilities.contains { event.people.contains($0) } }
        if !named.isEmpty { return named }
        if let duty = event.duty {
            let holders = people.filter { $0.responsibilities.contains(duty) }
            if !holders.isEmpty { return holders }
        }
        return people.filter { $0.role == event.role }
    }

    public func preferences(of user: User) -> NotificationPreferences { preferences[user.name] ?? NotificationPreferences() }

    /// The messages due at `now` for these events: first messages for those in `new` (recorded in
    /// this cycle), reminders and escalations for those that still wait, and the digests.
    public func plan(_ events: [NotificationEvent], new: Set<Int64>, at now: Timestamp) -> Plan {
        var plan = Plan()
        let managers = people.filter { $0.role == .manager }
        for event in events {
            let recipients = recipients(of: event)
            if new.contains(event.id) {
                for user in recipients where !preferences(of: user).digest { plan.messages += messages(about: event, to: user, purpose: .first) }
            }
            guard event.waits, event.resolvedAt == nil else { continue }
            let waited = now.seconds(since: event.createdAt)
            if event.remindedAt == nil, waited >= settings.remindAfterSeconds {
                plan.reminded.append(event.id)
                for user in recipients where !preferences(of: user).digest { plan.messages += messages(about: event, to: user, purpose: .reminder) }
            }
            if event.escalatedAt == nil, waited >= settings.escalateAfterSeconds {
                plan.escalated.append(event.id)
                for user in managers { plan.messages += messages(about: event, to: user, purpose: .escalation, waitingFor: recipients) }
            }
        }
        plan.messages = coalesce(plan.messages)
        plan.messages += digests(of: events, at: now)
        return plan
    }

    /// More messages than this for one person, channel and purpose in one cycle become one list
    /// (turning notifications on over a backlog, or a burst of failures, must not flood anyone).
    public static let coalesceAbove = 5

    /// Replaces each flood (same person, channel and purpose) by one message listing its subjects.
    func coalesce(_ messages: [Message]) -> [Message] {
        var groups: [String: [Message]] = [:]
        var order: [String] = []
        for message in messages {
            let key = "\(message.recipient)|\(message.channel.rawValue)|\(message.purpose.rawValue)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(message)
        }
        var out: [Message] = []
        for key in order {
            guard let group = groups[key], let first = group.first else { continue }
            guard group.count > Self.coalesceAbove else {
                out += group
                continue
            }
            let ids = group.compactMap(\.eventID)
            let prefix =
                switch first.purpose {
                case .reminder: "Reminder: "
                case .escalation: "Escalation: "
                default: ""
                }
            let subject = "\(prefix)\(group.count) things wait\(first.purpose == .escalation ? "" : " for you")"
            let shown = group.prefix(50).map { "- " + $0.subject.replacingOccurrences(of: "[Conveyor] ", with: "").replacingOccurrences(of: prefix, with: "") }
            let more = group.count > 50 ? "\n… and \(group.count - 50) more." : ""
            let list = shown.joined(separator: "\n") + more + "\nYour inbox: \(settings.link("/inbox"))"
            out.append(
                Message(
                    eventID: nil,
                    dedupe: "e\(ids.min() ?? 0)-\(ids.max() ?? 0)x\(group.count):\(first.recipient):\(first.channel.rawValue):\(first.purpose.rawValue)",
                    recipient: first.recipient, channel: first.channel, purpose: first.purpose, address: first.address,
                    subject: first.channel == .email ? "[Conveyor] \(subject)" : subject,
                    body: first.channel == .email ? "Hello \(first.recipient),\n\n\(list)\n" : "\(first.address) \(subject):\n\(list)", skipped: first.skipped))
        }
        return out
    }

    /// One message per channel the person wants and Conveyor has.
    func messages(about event: NotificationEvent, to user: User, purpose: Purpose, waitingFor: [User] = []) -> [Message] {
        let wanted = preferences(of: user)
        // An escalation reaches a manager whatever kinds they chose: it is what they are there for.
        guard purpose == .escalation || wanted.wants(event.kind) else { return [] }
        let prefix =
            switch purpose {
            case .first, .digest: ""
            case .reminder: "Reminder: "
            case .escalation: "Escalation: "
            }
        let age = InboxItem.describe(age: max(0, event.createdAt.seconds(since: event.since)))
        var lines = [
            "\(prefix)\(event.subject)",
            event.waits
                ? "It waits since \(event.since.short) UTC\(age == "0 s" ? "" : " (\(age) before you were first told)")." : "At \(event.since.short) UTC.",
        ]
        if purpose == .escalation {
            let names = waitingFor.map(\.name)
            lines.append("It waits for \(names.isEmpty ? "nobody known to Conveyor" : names.joined(separator: ", ")), who were told and reminded.")
        }
        if !event.action.isEmpty { lines.append("What to do: \(event.action)") }
        let link = settings.link(event.link)
        var out: [Message] = []
        if settings.smtp != nil, wanted.email || purpose == .escalation {
            let address = user.email ?? ""
            out.append(
                Message(
                    eventID: event.id, dedupe: "e\(event.id):\(user.name):email:\(purpose.rawValue)", recipient: user.name, channel: .email, purpose: purpose,
                    address: address, subject: "[Conveyor] \(prefix)\(event.subject)",
                    body: "Hello \(user.name),\n\n" + lines.joined(separator: "\n")
                        + "\nAct here: \(link)\n\n-- \nConveyor (change what you are told at \(settings.link("/inbox")))\n",
                    skipped: address.isEmpty ? "\(user.name) has no e-mail address (conveyor user set \(user.name) --email …)" : nil))
        }
        if settings.webhook != nil, wanted.chat || purpose == .escalation {
            out.append(
                Message(
                    eventID: event.id, dedupe: "e\(event.id):\(user.name):chat:\(purpose.rawValue)", recipient: user.name, channel: .chat, purpose: purpose,
                    address: "@\(user.name)", subject: "\(prefix)\(event.subject)",
                    body: "@\(user.name) " + lines.joined(separator: " ") + " [Act here](\(link))"))
        }
        return out
    }

    /// Once per UTC day, from 07:00, a digest of what waits for each person who chose one.
    func digests(of events: [NotificationEvent], at now: Timestamp) -> [Message] {
        let day = String(now.iso8601.prefix(10))
        guard let hour = Int(now.iso8601.dropFirst(11).prefix(2)), hour >= 7 else { return [] }
        var out: [Message] = []
        for user in people where preferences(of: user).digest {
            let wanted = preferences(of: user)
            let mine = events.filter { $0.waits && $0.resolvedAt == nil && wanted.wants($0.kind) && recipients(of: $0).contains { $0.name == user.name } }
            guard !mine.isEmpty else { continue }
            let lines = mine.sorted { $0.since < $1.since }.map { "- \($0.subject) (since \($0.since.short) UTC): \(settings.link($0.link))" }
            let subject = "[Conveyor] \(mine.count) thing\(mine.count == 1 ? "" : "s") wait\(mine.count == 1 ? "s" : "") for you (\(day))"
            if settings.smtp != nil, wanted.email {
                out.append(
                    Message(
                        eventID: nil, dedupe: "digest:\(user.name):email:\(day)", recipient: user.name, channel: .email, purpose: .digest,
                        address: user.email ?? "",
                        subject: subject, body: "Hello \(user.name),\n\n" + lines.joined(separator: "\n") + "\n\nYour inbox: \(settings.link("/inbox"))\n",
                        skipped: user.email == nil ? "\(user.name) has no e-mail address (conveyor user set \(user.name) --email …)" : nil))
            } else if settings.webhook != nil, wanted.chat {
                out.append(
                    Message(
                        eventID: nil, dedupe: "digest:\(user.name):chat:\(day)", recipient: user.name, channel: .chat, purpose: .digest,
                        address: "@\(user.name)",
                        subject: subject, body: "@\(user.name) " + subject.dropFirst(11) + ":\n" + lines.joined(separator: "\n")))
            }
        }
        return out
    }
}
