import ConveyorCore
import SQLKit

extension StoreSession {
    /// Records an event unless one with its key exists. - Returns: its id when this call recorded
    /// it (so this caller announces it), nil when it was already there.
    public func insertNotificationEvent(_ event: NotificationEvent) async throws -> Int64? {
        try await sql.insert(into: "notification_events")
            .columns("key", "kind", "subject", "action", "link", "people", "role", "since", "created_at")
            .values(
                SQLBind(event.key), SQLBind(event.kind.rawValue), SQLBind(event.subject), SQLBind(event.action), SQLBind(event.link),
                SQLBind(event.people.joined(separator: ",")), SQLBind(event.role.rawValue), SQLBind(event.since.microsecondsSinceEpoch),
                SQLBind(event.createdAt.microsecondsSinceEpoch)
            )
            .ignoringConflicts(with: ["key"]).returning("id").first().map { try $0.decode(column: "id", as: Int64.self) }
    }

    /// Events that still wait (not resolved), oldest first.
    public func openNotificationEvents() async throws -> [NotificationEvent] {
        try await sql.select().column("*").from("notification_events").where("resolved_at", .is, SQLLiteral.null).orderBy("since").all().map(Self.decodeEvent)
    }

    /// Resolves events (what they waited for happened), in one statement.
    public func resolveNotificationEvents(ids: [Int64], at time: Timestamp) async throws {
        guard !ids.isEmpty else { return }
        try await sql.update("notification_events").set("resolved_at", to: time.microsecondsSinceEpoch).where("id", .in, ids)
            .where("resolved_at", .is, SQLLiteral.null).run()
    }

    /// Marks events reminded or escalated at `time`.
    public func markNotificationEvents(_ ids: [Int64], column: String, at time: Timestamp) async throws {
        guard !ids.isEmpty, column == "reminded_at" || column == "escalated_at" else { return }
        try await sql.update("notification_events").set(SQLColumn(column), to: SQLBind(time.microsecondsSinceEpoch)).where("id", .in, ids).run()
    }

    /// Queues a message unless one with its dedupe key exists. - Returns: whether it was queued now.
    @discardableResult
    public func enqueueNotification(_ message: NotificationPlanner.Message, at time: Timestamp) async throws -> Bool {
        try await sql.insert(into: "notification_messages")
            .columns(
                "event_id", "dedupe", "recipient", "channel", "purpose", "address", "subject", "body", "state", "attempts", "next_attempt_at", "last_error",
                "created_at"
            )
            .values(
                SQLBind(message.eventID), SQLBind(message.dedupe), SQLBind(message.recipient), SQLBind(message.channel.rawValue),
                SQLBind(message.purpose.rawValue), SQLBind(message.address), SQLBind(message.subject), SQLBind(message.body),
                SQLBind(message.skipped == nil ? NotificationMessage.State.pending.rawValue : NotificationMessage.State.skipped.rawValue), SQLBind(0),
                SQLBind(time.microsecondsSinceEpoch), SQLBind(message.skipped), SQLBind(time.microsecondsSinceEpoch)
            )
            .ignoringConflicts(with: ["dedupe"]).returning("id").first() != nil
    }

    /// Claims up to `limit` due messages for `lease` seconds: a message claimed by one notifier is
    /// not sent by another until its lease ran out. `claim` is this claim's mark (unique per call),
    /// which finishing a message must show.
    public func claimDueNotifications(at time: Timestamp, claim: Int64, limit: Int) async throws -> [NotificationMessage] {
        let now = time.microsecondsSinceEpoch
        let due = try await sql.select().column("id").from("notification_messages")
            .where("state", .equal, NotificationMessage.State.pending.rawValue).where("next_attempt_at", .lessThanOrEqual, now)
            .where { $0.where("claimed_until", .is, SQLLiteral.null).orWhere("claimed_until", .lessThan, now) }
            .orderBy("id").limit(limit).all().map { try $0.decode(column: "id", as: Int64.self) }
        guard !due.isEmpty else { return [] }
        // Re-checked in the update: under PostgreSQL's READ COMMITTED a row another notifier claimed
        // meanwhile no longer matches, so each message is claimed by one.
        return try await sql.update("notification_messages").set("claimed_until", to: claim)
            .where("id", .in, due).where("state", .equal, NotificationMessage.State.pending.rawValue)
            .where { $0.where("claimed_until", .is, SQLLiteral.null).orWhere("claimed_until", .lessThan, now) }
            .returning(SQLLiteral.all).all().map(Self.decodeMessage).sorted { $0.id < $1.id }
    }

    /// Ends a claimed delivery: sent, to be retried at `retryAt`, or given up (`failed`). Does
    /// nothing when the claim is no longer this one's.
    public func finishNotification(
        id: Int64, claim: Int64, state: NotificationMessage.State, error: String?, retryAt: Timestamp?, at time: Timestamp
    ) async throws {
        var update = sql.update("notification_messages").set("state", to: state.rawValue).set("claimed_until", to: SQLLiteral.null)
            .set("attempts", to: SQLRaw("attempts + 1"))
            .set("last_error", to: error.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null)
        if state == .sent { update = update.set("sent_at", to: time.microsecondsSinceEpoch) }
        if let retryAt { update = update.set("next_attempt_at", to: retryAt.microsecondsSinceEpoch) }
        try await update.where("id", .equal, id).where("claimed_until", .equal, claim).run()
    }

    /// Messages, newest first, optionally of one state or recipient.
    public func notificationMessages(state: NotificationMessage.State? = nil, recipient: String? = nil, limit: Int = 200) async throws -> [NotificationMessage]
    {
        var query = sql.select().column("*").from("notification_messages")
        if let state { query = query.where("state", .equal, state.rawValue) }
        if let recipient { query = query.where("recipient", .equal, recipient) }
        return try await query.orderBy("id", .descending).limit(limit).all().map(Self.decodeMessage)
    }

    /// How many messages are in each state.
    public func notificationCounts() async throws -> [NotificationMessage.State: Int] {
        var counts: [NotificationMessage.State: Int] = [:]
        for row in try await sql.select().column("state").column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("notification_messages")
            .groupBy("state").all()
        {
            guard let state = NotificationMessage.State(rawValue: try row.decode(column: "state", as: String.self)) else { continue }
            counts[state] = Int(try row.decode(column: "n", as: Int64.self))
        }
        return counts
    }

    /// Everyone's preferences that differ from the default.
    public func notificationPreferences() async throws -> [String: NotificationPreferences] {
        var all: [String: NotificationPreferences] = [:]
        for row in try await sql.select().column("*").from("notification_preferences").all() {
            let kinds = try row.decode(column: "kinds", as: String.self).split(separator: ",").compactMap { NotificationEvent.Kind(rawValue: String($0)) }
            all[try row.decode(column: "user_name", as: String.self)] = NotificationPreferences(
                email: try row.decode(column: "email", as: Int64.self) != 0, chat: try row.decode(column: "chat", as: Int64.self) != 0,
                digest: try row.decode(column: "digest", as: Int64.self) != 0, kinds: kinds)
        }
        return all
    }

    public func setNotificationPreferences(_ preferences: NotificationPreferences, for user: String, at time: Timestamp) async throws {
        try await sql.delete(from: "notification_preferences").where("user_name", .equal, user).run()
        try await sql.insert(into: "notification_preferences").columns("user_name", "email", "chat", "digest", "kinds", "updated_at")
            .values(
                SQLBind(user), SQLBind(preferences.email ? 1 : 0), SQLBind(preferences.chat ? 1 : 0), SQLBind(preferences.digest ? 1 : 0),
                SQLBind(preferences.kinds.map(\.rawValue).joined(separator: ",")), SQLBind(time.microsecondsSinceEpoch)
            ).run()
    }

    /// Requests whose workflow succeeded or failed since `time`, with who submitted them: the outcomes people are told.
    public func requestOutcomes(since time: Timestamp) async throws -> [(name: String, workflowID: Int64, state: String, at: Timestamp, submitter: String)] {
        try await sql.raw(
            """
            SELECT r.name AS name, w.id AS id, w.state AS state, w.finished_at AS at, r.submitted_by AS submitter
            FROM requests r JOIN workflows w ON w.id = r.workflow_id
            WHERE w.state IN ('succeeded', 'failed') AND w.finished_at > \(bind: time.microsecondsSinceEpoch) ORDER BY w.finished_at
            """
        ).all().map { row in
            (
                try row.decode(column: "name", as: String.self), try row.decode(column: "id", as: Int64.self), try row.decode(column: "state", as: String.self),
                Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)), try row.decode(column: "submitter", as: String.self)
            )
        }
    }

    private static func decodeEvent(_ row: any SQLRow) throws -> NotificationEvent {
        func time(_ column: String) throws -> Timestamp? { try row.decode(column: column, as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)) }
        let kind = try row.decode(column: "kind", as: String.self)
        let role = try row.decode(column: "role", as: String.self)
        return NotificationEvent(
            id: try row.decode(column: "id", as: Int64.self), key: try row.decode(column: "key", as: String.self),
            kind: NotificationEvent.Kind(rawValue: kind) ?? .signoff, subject: try row.decode(column: "subject", as: String.self),
            action: try row.decode(column: "action", as: String.self), link: try row.decode(column: "link", as: String.self),
            people: try row.decode(column: "people", as: String.self).split(separator: ",").map(String.init), role: Role(rawValue: role) ?? .manager,
            since: Timestamp(microsecondsSinceEpoch: try row.decode(column: "since", as: Int64.self)),
            createdAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "created_at", as: Int64.self)), resolvedAt: try time("resolved_at"),
            remindedAt: try time("reminded_at"), escalatedAt: try time("escalated_at"))
    }

    private static func decodeMessage(_ row: any SQLRow) throws -> NotificationMessage {
        NotificationMessage(
            id: try row.decode(column: "id", as: Int64.self), eventID: try row.decode(column: "event_id", as: Int64?.self),
            recipient: try row.decode(column: "recipient", as: String.self),
            channel: NotificationPlanner.Channel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .email,
            purpose: NotificationPlanner.Purpose(rawValue: try row.decode(column: "purpose", as: String.self)) ?? .first,
            address: try row.decode(column: "address", as: String.self), subject: try row.decode(column: "subject", as: String.self),
            body: try row.decode(column: "body", as: String.self),
            state: NotificationMessage.State(rawValue: try row.decode(column: "state", as: String.self)) ?? .failed,
            attempts: Int(try row.decode(column: "attempts", as: Int64.self)),
            nextAttemptAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "next_attempt_at", as: Int64.self)),
            lastError: try row.decode(column: "last_error", as: String?.self),
            createdAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "created_at", as: Int64.self)),
            sentAt: try row.decode(column: "sent_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)))
    }
}
