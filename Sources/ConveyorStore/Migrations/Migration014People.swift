import SQLKit

extension Migrations {
    /// People: directory accounts (e-mail, responsibilities, where the account comes from), failed
    /// sign-ins for rate limiting, the notification outbox (events that wait for people, the
    /// messages about them, each sent once), per-user notification preferences, and notes on things.
    static let people = Migration(version: 14, name: "people") { db, _ in
        try await db.alter(table: "users").column("email", type: .text).run()
        try await db.alter(table: "users").column("responsibilities", type: .text, .notNull, .default(SQLLiteral.string(""))).run()
        try await db.alter(table: "users").column("source", type: .text, .notNull, .default(SQLLiteral.string("token"))).run()

        try await db.create(table: "sign_in_failures")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("at", type: .bigint, .notNull)
            .column("user_name", type: .text, .notNull)
            .column("address", type: .text, .notNull)
            .column("reason", type: .text, .notNull)
            .run()
        try await db.create(index: "sign_in_failures_user").on("sign_in_failures").column("user_name").column("at").run()
        try await db.create(index: "sign_in_failures_address").on("sign_in_failures").column("address").column("at").run()

        // One row per thing that waits for people (or happened to them); `key` is stable across
        // cycles and processes, so an event is recorded once however many notifiers see it.
        try await db.create(table: "notification_events")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("key", type: .text, .notNull, .unique)
            .column("kind", type: .text, .notNull)
            .column("subject", type: .text, .notNull)
            .column("action", type: .text, .notNull)
            .column("link", type: .text, .notNull)
            .column("people", type: .text, .notNull)
            .column("role", type: .text, .notNull)
            .column("since", type: .bigint, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("resolved_at", type: .bigint)
            .column("reminded_at", type: .bigint)
            .column("escalated_at", type: .bigint)
            .run()
        try await db.create(index: "notification_events_open").on("notification_events").column("resolved_at").column("since").run()

        // The outbox: one message per event, recipient, channel and purpose (unique, so nothing is
        // queued twice); delivery claims a message with a lease, so one process sends it.
        try await db.create(table: "notification_messages")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("event_id", type: .bigint)
            .column("dedupe", type: .text, .notNull, .unique)
            .column("recipient", type: .text, .notNull)
            .column("channel", type: .text, .notNull)
            .column("purpose", type: .text, .notNull)
            .column("address", type: .text, .notNull)
            .column("subject", type: .text, .notNull)
            .column("body", type: .text, .notNull)
            .column("state", type: .text, .notNull)
            .column("attempts", type: .bigint, .notNull)
            .column("next_attempt_at", type: .bigint, .notNull)
            .column("claimed_until", type: .bigint)
            .column("last_error", type: .text)
            .column("created_at", type: .bigint, .notNull)
            .column("sent_at", type: .bigint)
            .run()
        try await db.create(index: "notification_messages_due").on("notification_messages").column("state").column("next_attempt_at").run()

        try await db.create(table: "notification_preferences")
            .column("user_name", type: .text, .primaryKey(autoIncrement: false))
            .column("email", type: .bigint, .notNull)
            .column("chat", type: .bigint, .notNull)
            .column("digest", type: .bigint, .notNull)
            .column("kinds", type: .text, .notNull)
            .column("updated_at", type: .bigint, .notNull)
            .run()

        try await db.create(table: "notes")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("subject_kind", type: .text, .notNull)
            .column("subject", type: .text, .notNull)
            .column("kind", type: .text, .notNull)
            .column("author", type: .text, .notNull)
            .column("at", type: .bigint, .notNull)
            .column("text", type: .text, .notNull)
            .column("resolved_at", type: .bigint)
            .column("resolved_by", type: .text)
            .column("resolution", type: .text)
            .run()
        try await db.create(index: "notes_subject").on("notes").column("subject_kind").column("subject").column("at").run()
    }
}
