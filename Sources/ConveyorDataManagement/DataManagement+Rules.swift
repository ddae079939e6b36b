import ConveyorCore
import ConveyorStore

extension DataManagement {
    /// What a new rule asks for; the engine decides where.
    public struct RuleRequest: Sendable, Hashable, Codable {
        public var target: RuleTarget
        public var copies: Int
        public var expression: String
        public var lifetimeSeconds: Int64?
        public var grouping: RuleGrouping
        public var activity: String
        public var priority: Int
        public var comment: String
        public var request: String?

        public init(
            target: RuleTarget, copies: Int = 1, expression: String, lifetimeSeconds: Int64? = nil, grouping: RuleGrouping = .dataset,
            activity: String = "User", priority: Int = 3, comment: String = "", request: String? = nil
        ) {
            self.target = target
            self.copies = copies
            self.expression = expression
            self.lifetimeSeconds = lifetimeSeconds
            self.grouping = grouping
            self.activity = activity
            self.priority = priority
            self.comment = comment
            self.request = request
        }
    }

    /// Adds a rule and places it at once: an unknown target, an expression that matches nothing,
    /// too few endpoints or too little quota refuse the whole rule (nothing is recorded).
    public func addRule(_ asked: RuleRequest, by actor: Actor) async throws(ConveyorError) -> ReplicationRule {
        try actor.require(.manager, to: "adding replication rules")
        try ReplicationRule.validate(copies: asked.copies, priority: asked.priority, activity: asked.activity, comment: asked.comment)
        let expression = try SiteExpression(asked.expression)
        let now = Timestamp.now
        if let lifetime = asked.lifetimeSeconds, lifetime <= 0 { throw .invalidInput("a rule's lifetime must be positive") }
        let rule = ReplicationRule(
            id: 0, target: asked.target, copies: asked.copies, expression: expression.text, grouping: asked.grouping, owner: actor.name,
            activity: asked.activity, priority: asked.priority, comment: asked.comment,
            expiresAt: asked.lifetimeSeconds.map { Timestamp(microsecondsSinceEpoch: now.microsecondsSinceEpoch + $0 * 1_000_000) }, request: asked.request,
            createdAt: now)
        return try await engine.add(rule, by: actor)
    }

    /// Records a rule inside a transaction of the caller's: placed at once when `placeNow` (the
    /// embedded engine), else left for the engine's next cycle (Rucio, which cannot take part in
    /// Conveyor's transaction: the rule is made there and its outcome read back).
    public static func recordRule(
        _ rule: ReplicationRule, in session: StoreSession, by actor: Actor, at now: Timestamp, placeNow: Bool
    ) async throws
        -> ReplicationRule
    {
        if placeNow { return try await addRule(rule, in: session, by: actor, at: now) }
        try await requirePlaceable(rule, in: session)
        let id = try await session.insertRule(rule, at: now)
        try await session.appendAudit(
            AuditRecord(
                actor: actor, action: "rule.add", subjectKind: "rule", subject: String(id),
                detail: "\(rule.target) ×\(rule.copies) on \(rule.expression), placed by the engine's next cycle"))
        guard let stored = try await session.rule(id: id) else { throw ConveyorError.storeFailure("rule \(id) vanished") }
        return stored
    }

    /// A rule's data exists and its expression selects endpoints: what every new rule needs first.
    static func requirePlaceable(_ rule: ReplicationRule, in session: StoreSession) async throws {
        guard try await session.targetExists(rule.target) else { throw ConveyorError.notFound("no \(rule.target.kind) \(rule.target.name)") }
        _ = try SiteExpression(rule.expression).require(from: try await session.endpoints())
    }

    /// Whether this engine places rules inside Conveyor's own transactions.
    public var placesRulesInTransaction: Bool { engine is EmbeddedEngine }

    /// Adds and places a rule inside a transaction of the caller's (a request's submission makes
    /// its staging and output rules with its own records, all or nothing).
    public static func addRule(_ rule: ReplicationRule, in session: StoreSession, by actor: Actor, at now: Timestamp) async throws -> ReplicationRule {
        try await requirePlaceable(rule, in: session)
        var stored = rule
        stored.id = try await session.insertRule(rule, at: now)
        try await EmbeddedEngine.evaluate(stored, in: session, at: now)
        try await session.finishEvaluation(rule: stored.id, error: nil, at: now)
        try await session.appendAudit(
            AuditRecord(
                actor: actor, action: "rule.add", subjectKind: "rule", subject: String(stored.id),
                detail: "\(rule.target) ×\(rule.copies) on \(rule.expression)\(rule.expiresAt.map { " until \($0.iso8601)" } ?? "")"))
        guard let placed = try await session.rule(id: stored.id) else { throw ConveyorError.storeFailure("rule \(stored.id) vanished") }
        return placed
    }

    public func rules(state: RuleState? = nil, request: String? = nil, owner: String? = nil) async throws(ConveyorError) -> [ReplicationRule] {
        try await store.read { try await $0.rules(state: state, request: request, owner: owner) }
    }

    /// A rule with the copies it still waits for, and why.
    public struct RuleDetail: Sendable, Hashable, Codable {
        public var rule: ReplicationRule
        public var waiting: [OpenLock]
    }

    public func rule(_ id: Int64) async throws(ConveyorError) -> RuleDetail {
        try await store.read { session in
            guard let rule = try await session.rule(id: id) else { throw ConveyorError.notFound("no rule \(id)") }
            return RuleDetail(rule: rule, waiting: try await session.openLocks(rule: id))
        }
    }

    /// Ends a rule: copies no other rule holds become deletable.
    /// - Returns: the bytes it left deletable.
    @discardableResult
    public func deleteRule(_ id: Int64, by actor: Actor) async throws(ConveyorError) -> Int64 {
        try actor.require(.manager, to: "deleting replication rules")
        return try await engine.end(id, by: actor)
    }

    /// Tries a STUCK or SUSPENDED rule's copies again now, with a fresh failure count.
    public func retryRule(_ id: Int64, by actor: Actor) async throws(ConveyorError) -> ReplicationRule {
        try actor.require(.manager, to: "retrying replication rules")
        return try await store.write { session in
            guard try await session.rule(id: id) != nil else { throw ConveyorError.notFound("no rule \(id)") }
            try await session.retryRule(id, at: .now)
            try await session.appendAudit(AuditRecord(actor: actor, action: "rule.retry", subjectKind: "rule", subject: String(id), detail: ""))
            guard let rule = try await session.rule(id: id) else { throw ConveyorError.notFound("no rule \(id)") }
            return rule
        }
    }
}
