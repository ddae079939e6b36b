/// A message in the outbox, as stored: queued, sent, retried after a failure, given up, or
/// skipped (nowhere to send it).
public struct NotificationMessage: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable, CaseIterable, NamedValueSet {
        public static let valueKind = "message state"
        public static let isUppercase = false
        case pending
        case sent
        case failed
        case skipped
    }

    public var id: Int64
    public var eventID: Int64?
    public var recipient: String
    public var channel: NotificationPlanner.Channel
    public var purpose: NotificationPlanner.Purpose
    public var address: String
    public var subject: String
    public var body: String
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Timestamp
    public var lastError: String?
    public var createdAt: Timestamp
    public var sentAt: Timestamp?

    public init(
        id: Int64, eventID: Int64?, recipient: String, channel: NotificationPlanner.Channel, purpose: NotificationPlanner.Purpose, address: String,
        subject: String, body: String, state: State, attempts: Int, nextAttemptAt: Timestamp, lastError: String?, createdAt: Timestamp, sentAt: Timestamp?
    ) {
        self.id = id
        self.eventID = eventID
        self.recipient = recipient
        self.channel = channel
        self.purpose = purpose
        self.address = address
        self.subject = subject
        self.body = body
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.sentAt = sentAt
    }
}
