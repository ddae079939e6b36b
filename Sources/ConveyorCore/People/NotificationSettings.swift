/// How Conveyor tells people that something waits for them: an SMTP server for e-mail and a
/// Mattermost/Slack-compatible incoming webhook for chat, when to remind and when to escalate to
/// the managers, and how deliveries are retried.
///
/// ```yaml
/// notifications:
///   base_url: https://conveyor.lab.example
///   smtp: {host: smtp.lab.example, port: 25, from: conveyor@lab.example}
///   webhook: {url: https://chat.lab.example/hooks/abc}
///   remind_after: 24h
///   escalate_after: 48h
/// ```
public struct NotificationSettings: Sendable, Equatable {
    public struct SMTP: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var from: String
        public var timeoutSeconds: Double
        public init(host: String, port: Int = 25, from: String, timeoutSeconds: Double = 10) {
            self.host = host
            self.port = port
            self.from = from
            self.timeoutSeconds = timeoutSeconds
        }
    }

    public struct Webhook: Sendable, Equatable {
        public var url: String
        public var timeoutSeconds: Double
        public init(url: String, timeoutSeconds: Double = 10) {
            self.url = url
            self.timeoutSeconds = timeoutSeconds
        }
    }

    /// Where links in messages point: the server's address as people reach it.
    public var baseURL: String
    public var smtp: SMTP?
    public var webhook: Webhook?
    /// A reminder goes to the same people this long after the first message, if it still waits.
    public var remindAfterSeconds: Double
    /// Past this, the managers are told too (escalation).
    public var escalateAfterSeconds: Double
    /// The first retry of a failed delivery waits this long, doubling up to `retryLongestSeconds`.
    public var retryFirstSeconds: Double
    public var retryLongestSeconds: Double
    /// After this many failed attempts a message is given up (and shown as failed to the admin).
    public var attempts: Int
    /// How often the notifier looks for new events and due messages.
    public var everySeconds: Double

    public init(
        baseURL: String, smtp: SMTP? = nil, webhook: Webhook? = nil, remindAfterSeconds: Double = 86_400, escalateAfterSeconds: Double = 172_800,
        retryFirstSeconds: Double = 30, retryLongestSeconds: Double = 3_600, attempts: Int = 20, everySeconds: Double = 30
    ) {
        self.baseURL = baseURL
        self.smtp = smtp
        self.webhook = webhook
        self.remindAfterSeconds = remindAfterSeconds
        self.escalateAfterSeconds = escalateAfterSeconds
        self.retryFirstSeconds = retryFirstSeconds
        self.retryLongestSeconds = retryLongestSeconds
        self.attempts = attempts
        self.everySeconds = everySeconds
    }

    /// When the next attempt of a message that failed `attempts` times is due: doubling backoff.
    public func retryDelay(afterAttempts attempts: Int) -> Double {
        min(retryLongestSeconds, retryFirstSeconds * Double(1 << min(max(attempts - 1, 0), 20)))
    }

    /// The link to a page, for messages.
    public func link(_ path: String) -> String {
        (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + path
    }
}

extension NotificationSettings {
    /// Reads the `notifications` section of a people configuration.
    public init(configuration n: ConfigurationValue) throws(ConveyorError) {
        try n.onlyKeys(["base_url", "smtp", "webhook", "remind_after", "escalate_after", "retry", "every"])
        let base = try n["base_url"].string()
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw n["base_url"].error("give the server's address as people reach it, http(s)://…")
        }
        var smtp: SMTP?
        let s = n["smtp"]
        if !s.isMissing {
            try s.onlyKeys(["host", "port", "from", "timeout"])
            let from = try s["from"].string()
            guard NotificationSettings.isEmailAddress(from) else { throw s["from"].error("'\(from)' is not an e-mail address") }
            let port = try s["port"].int(default: 25, minimum: 1)
            guard port <= 65_535 else { throw s["port"].error("a port from 1 to 65535") }
            smtp = SMTP(host: try s["host"].string(), port: port, from: from, timeoutSeconds: try Self.timeout(s["timeout"]))
        }
        var webhook: Webhook?
        let w = n["webhook"]
        if !w.isMissing {
            try w.onlyKeys(["url", "timeout"])
            let url = try w["url"].string()
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw w["url"].error("an http(s):// address of an incoming webhook") }
            webhook = Webhook(url: url, timeoutSeconds: try Self.timeout(w["timeout"]))
        }
        guard smtp != nil || webhook != nil else { throw n.error("give smtp, webhook or both: where should messages go?") }
        let remind = try n["remind_after"].duration(default: 86_400)
        let escalate = try n["escalate_after"].duration(default: 2 * remind)
        guard remind >= 1, escalate > remind else { throw n["escalate_after"].error("must come after remind_after") }
        let r = n["retry"]
        if !r.isMissing { try r.onlyKeys(["first", "longest", "attempts"]) }
        let first = try r["first"].duration(default: 30)
        let longest = try r["longest"].duration(default: 3_600)
        guard first >= 1, longest >= first else { throw r.error("first ≥ 1 s and longest ≥ first") }
        let every = try n["every"].duration(default: 30)
        guard every >= 1 else { throw n["every"].error("at least 1 s") }
        self.init(
            baseURL: base, smtp: smtp, webhook: webhook, remindAfterSeconds: remind, escalateAfterSeconds: escalate, retryFirstSeconds: first,
            retryLongestSeconds: longest, attempts: try r["attempts"].int(default: 20, minimum: 1), everySeconds: every)
    }

    static func timeout(_ value: ConfigurationValue) throws(ConveyorError) -> Double {
        let seconds = try value.duration(default: 10)
        guard seconds >= 1, seconds <= 300 else { throw value.error("a timeout from 1 s to 5 min") }
        return seconds
    }

    /// `local@domain`, one `@`, no spaces or angle brackets (which would break an SMTP command).
    public static func isEmailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && text.count <= 254
            && text.allSatisfy { $0.isASCII && !$0.isWhitespace && !"<>,;\"\\()[]".contains($0) && !$0.isNewline }
    }
}

/// The people configuration `conveyor serve` and `conveyor scheduler` read (`--people FILE`):
/// the lab's directory for sign-in, and the notifications.
public struct PeopleConfiguration: Sendable, Equatable {
    public var directory: DirectoryConfiguration?
    public var notifications: NotificationSettings?

    public init(directory: DirectoryConfiguration? = nil, notifications: NotificationSettings? = nil) {
        self.directory = directory
        self.notifications = notifications
    }

    public init(configuration root: ConfigurationValue) throws(ConveyorError) {
        try root.onlyKeys(["directory", "notifications"])
        self.init(
            directory: root["directory"].isMissing ? nil : try DirectoryConfiguration(configuration: root["directory"]),
            notifications: root["notifications"].isMissing ? nil : try NotificationSettings(configuration: root["notifications"]))
    }
}
