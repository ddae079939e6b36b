import ConveyorCore
import ConveyorStore
import Foundation

/// Tells people what waits for them. Each cycle records the inbox's items and the requests that
/// ended as events (once, by key), plans first messages, reminders, escalations and digests, and
/// queues them in the outbox, all in one transaction; then it delivers due messages by e-mail and
/// chat, each claimed by one notifier, retried with backoff when the server is down, and given up
/// (and shown to the admin) after the configured attempts.
///
/// Any number of notifiers may run against one database (beside each scheduler and server):
/// events and messages are unique by key, and a claimed message is sent by its claimant only.
///
/// ```swift
/// let notifier = Notifier(store: store, settings: people.notifications!)
/// let report = try await notifier.cycle()      // queued 3, sent 3, failed 0
/// ```
public struct Notifier: Sendable {
    public let store: Store
    public let settings: NotificationSettings
    /// How long a claimed message is left to its claimant before another notifier may take it.
    public var leaseSeconds: Double = 300
    /// How far back a request's end is still announced (a notifier started later does not announce old history).
    public var outcomesWithinSeconds: Double = 86_400

    public init(store: Store, settings: NotificationSettings) {
        self.store = store
        self.settings = settings
    }

    public struct Report: Sendable, Codable, Equatable {
        public var newEvents = 0
        public var queued = 0
        public var sent = 0
        public var retried = 0
        public var failed = 0
    }

    /// Records and plans, then delivers what is due.
    @discardableResult
    public func cycle(at now: Timestamp = .now) async throws(ConveyorError) -> Report {
        var report = try await record(at: now)
        // Batches until what is due is out (or a cycle's worth of time is spent), not one batch a cycle.
        let started = ContinuousClock.now
        let budget = Duration.milliseconds(Int(settings.everySeconds * 1000))
        while true {
            let delivered = try await deliver(at: now)
            report.sent += delivered.sent
            report.retried += delivered.retried
            report.failed += delivered.failed
            guard delivered.sent + delivered.retried + delivered.failed == Self.batch, ContinuousClock.now - started < budget else { break }
        }
        return report
    }

    /// Records new events and queues the messages due at `now`.
    public func record(at now: Timestamp = .now) async throws(ConveyorError) -> Report {
        var events = try await Inbox(store: store).all().map { NotificationEvent(item: $0, at: now) }
        let outcomes = try await store.read { try await $0.requestOutcomes(since: now.subtracting(seconds: outcomesWithinSeconds)) }
        for outcome in outcomes {
            let ok = outcome.state == "succeeded"
            events.append(
                NotificationEvent(
                    key: "request:\(outcome.name):\(outcome.workflowID):\(outcome.state)", kind: .request_finished,
                    subject: "request \(outcome.name) \(ok ? "finished" : "failed") (workflow \(outcome.workflowID))",
                    action: ok ? "look at its outputs and luminosity" : "see why, fix, and resume it", link: "/requests/\(outcome.name)",
                    people: [outcome.submitter], role: .manager, since: outcome.at, createdAt: now))
        }
        // Seed 003: a selection that fails a round's automatic tests is unsubscribed and its coordinator told, with the figures.
        let unsubscribed = try await store.read {
            try await $0.automaticUnsubscriptions(since: now.subtracting(seconds: outcomesWithinSeconds), by: RoundSubscription.testsActor)
        }
        for u in unsubscribed {
            events.append(
                NotificationEvent(
                    key: "unsubscribed:\(u.round):\(u.selection):\(u.at.microsecondsSinceEpoch)", kind: .selection_unsubscribed,
                    subject: "selection \(u.selection) unsubscribed from round \(u.round): \(u.reason)",
                    action: "fix it and subscribe it again, or leave it out of the round", link: "/rounds/\(u.round)", people: [u.coordinator],
                    role: .expert, since: u.at, createdAt: now))
        }
        let settings = settings
        let planner = try await store.read { session in
            NotificationPlanner(
                settings: settings, people: try await session.users(includeRevoked: false), preferences: try await session.notificationPreferences())
        }
        let seen = events
        return try await store.write { session in
            var report = Report()
            var new: Set<Int64> = []
            // The open events are read once: only keys not among them are tried (a steady inbox costs one
            // read, not an insert per item), those no longer seen are resolved, the rest are planned.
            let open = try await session.openNotificationEvents()
            let known = Set(open.map(\.key))
            var inserted: [NotificationEvent] = []
            for event in seen where !known.contains(event.key) {
                guard let id = try await session.insertNotificationEvent(event) else { continue }
                var recorded = event
                recorded.id = id
                inserted.append(recorded)
                new.insert(id)
            }
            report.newEvents = new.count
            let current = Set(seen.map(\.key))
            try await session.resolveNotificationEvents(ids: open.filter { !current.contains($0.key) }.map(\.id), at: now)
            let stillOpen = (open.filter { current.contains($0.key) } + inserted).sorted { $0.since < $1.since }
            let plan = planner.plan(stillOpen, new: new, at: now)
            for message in plan.messages where try await session.enqueueNotification(message, at: now) { report.queued += 1 }
            try await session.markNotificationEvents(plan.reminded, column: "reminded_at", at: now)
            try await session.markNotificationEvents(plan.escalated, column: "escalated_at", at: now)
            return report
        }
    }

    /// Sends the messages due at `now` (up to `limit`), each claimed first so that it is sent once.
    /// Messages claimed at once.
    public static let batch = 100

    public func deliver(at now: Timestamp = .now, limit: Int = Notifier.batch) async throws(ConveyorError) -> Report {
        let claim = now.adding(seconds: leaseSeconds).microsecondsSinceEpoch + Int64.random(in: 0..<1_000_000)
        let due = try await store.write { try await $0.claimDueNotifications(at: now, claim: claim, limit: limit) }
        var report = Report()
        let host = URL(string: settings.baseURL)?.host ?? "conveyor"
        for message in due {
            var failure: String?
            var permanent = false
            do {
                switch message.channel {
                case .email:
                    guard let smtp = settings.smtp else { throw SMTPMailer.Refusal(description: "no SMTP server is configured any more", permanent: true) }
                    try await SMTPMailer(settings: smtp).send(
                        to: message.address, subject: message.subject, body: message.body, messageID: "conveyor-\(message.id)@\(host)")
                case .chat:
                    guard let webhook = settings.webhook else {
                        throw SMTPMailer.Refusal(description: "no chat webhook is configured any more", permanent: true)
                    }
                    try await ChatWebhook(settings: webhook).post(message.body)
                }
            } catch let refusal as SMTPMailer.Refusal {
                failure = refusal.description
                permanent = refusal.permanent
            } catch {
                failure = "\(error)"
            }
            let finished = Timestamp.now
            let state: NotificationMessage.State
            var retryAt: Timestamp?
            if failure == nil {
                state = .sent
                report.sent += 1
            } else if permanent || message.attempts + 1 >= settings.attempts {
                state = .failed
                report.failed += 1
            } else {
                state = .pending
                retryAt = finished.adding(seconds: settings.retryDelay(afterAttempts: message.attempts + 1))
                report.retried += 1
            }
            let (error, retry) = (failure, retryAt)
            try await store.write { session in
                try await session.finishNotification(id: message.id, claim: claim, state: state, error: error, retryAt: retry, at: finished)
            }
        }
        return report
    }
}
