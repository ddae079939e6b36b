import ConveyorCore
import ConveyorStore
import Foundation

/// Skims and stripping rounds (seed 003): a registry of selections owned by physics groups, rounds
/// that read one processing's mDST, automatic tests of every subscribed selection on a sample,
/// streams formed from the selections' overlaps, and the bookkeeping of what a round wrote.
///
/// Registering and subscribing selections needs `expert` (the groups' skim liaisons); creating,
/// testing, grouping and submitting a round needs `manager`.
///
/// ```swift
/// let rounds = StrippingRounds(store: store)
/// try await rounds.register(selection, by: liaison)
/// try await rounds.create(round, by: manager)
/// try await rounds.subscribe(["jpsi_mumu"], to: "strip1", reason: "charmonium group", by: liaison)
/// let report = try await rounds.test("strip1", by: manager)   // unsubscribes what fails, proposes streams
/// let request = try await rounds.submit("strip1", by: manager) // one file per stream per input
/// ```
public struct StrippingRounds: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    // MARK: Selections

    /// Registers a selection, or a new revision of one (needs `expert`). Its command's program must
    /// exist here. With `replacing: false`, a selection of the same name is refused.
    @discardableResult
    public func register(_ selection: Selection, replacing: Bool = false, by actor: Actor) async throws(ConveyorError) -> Selection {
        try actor.require(.expert, to: "registering selections")
        var selection = selection
        selection.reason = selection.reason.trimmingCharacters(in: .whitespaces)
        try selection.validate()
        try Self.requireProgram(of: selection)
        let given = selection
        return try await store.write { session in
            var selection = given
            let existing = try await session.selections(named: [selection.name]).first
            if existing != nil, !replacing {
                throw ConveyorError.conflict("selection \(selection.name) exists (owned by \(existing!.group)); change it with --replace and a reason")
            }
            if existing != nil, selection.reason.isEmpty { throw ConveyorError.invalidInput("changing selection \(selection.name) needs a reason") }
            selection.changedAt = .now
            selection.changedBy = actor.name
            selection.revision = try await session.insertSelection(selection)
            try await session.appendAudit(
                AuditRecord(
                    at: selection.changedAt, actor: actor, action: "selection.register", subjectKind: "selection", subject: selection.name,
                    detail: "revision \(selection.revision), \(selection.group), \(selection.version): \(selection.command)"))
            return selection
        }
    }

    /// Every selection's newest revision.
    public func selections() async throws(ConveyorError) -> [Selection] {
        try await store.read { try await $0.selections() }
    }

    /// A selection's revisions, newest first.
    public func history(of name: String) async throws(ConveyorError) -> [Selection] {
        let history = try await store.read { try await $0.selectionHistory(name) }
        guard !history.isEmpty else { throw .notFound("no selection named '\(name)'") }
        return history
    }

    /// Refuses a command whose program cannot be found: an absolute or relative path must be an
    /// executable file, a bare name must be one on `PATH`.
    static func requireProgram(of selection: Selection) throws(ConveyorError) {
        let program = selection.program
        let manager = FileManager.default
        if program.contains("/") {
            guard manager.isExecutableFile(atPath: program) else { throw .invalidInput("selection \(selection.name): no program \(program)") }
            return
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard path.split(separator: ":").contains(where: { manager.isExecutableFile(atPath: "\($0)/\(program)") }) else {
            throw .invalidInput("selection \(selection.name): no program '\(program)' on PATH")
        }
    }

    // MARK: Rounds

    /// Creates a round (needs `manager`); its input must be a request with mDST outputs.
    @discardableResult
    public func create(_ round: StrippingRound, by actor: Actor) async throws(ConveyorError) -> StrippingRound {
        try actor.require(.manager, to: "creating rounds")
        var round = round
        try round.validate()
        let input = round.input
        guard try await store.read({ try await $0.request(named: input) }) != nil else {
            throw .notFound("round \(round.name): no request named '\(round.input)' to read the mDST of")
        }
        round.createdAt = .now
        round.createdBy = actor.name
        round.state = .defined
        let made = round
        return try await store.write { session in
            if try await session.round(named: made.name) != nil { throw ConveyorError.conflict("round \(made.name) exists") }
            var stored = made
            stored.id = try await session.insertRound(made)
            try await session.appendAudit(
                AuditRecord(
                    at: made.createdAt, actor: actor, action: "round.create", subjectKind: "round", subject: made.name,
                    detail: "input \(made.input), \(made.release), tags \(made.globalTags.joined(separator: ","))"))
            return stored
        }
    }

    public func rounds() async throws(ConveyorError) -> [StrippingRound] {
        try await store.read { try await $0.rounds() }
    }

    public func round(_ name: String) async throws(ConveyorError) -> StrippingRound {
        try await store.read { session in try await Self.round(name, in: session) }
    }

    static func round(_ name: String, in session: StoreSession) async throws -> StrippingRound {
        guard let round = try await session.round(named: name) else { throw ConveyorError.notFound("no round named '\(name)'") }
        return round
    }

    /// Subscribes selections to a round (needs `expert`); a submitted round takes no changes.
    public func subscribe(_ names: [String], to roundName: String, reason: String, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.expert, to: "subscribing selections")
        guard !names.isEmpty else { throw .invalidInput("name at least one selection to subscribe") }
        guard Set(names).count == names.count else { throw .invalidInput("a selection is named twice") }
        try await store.write { session in
            let round = try await Self.round(roundName, in: session)
            try Self.requireOpen(round)
            let known = Set(try await session.selections(named: names).map(\.name))
            if let unknown = names.first(where: { !known.contains($0) }) { throw ConveyorError.notFound("no selection named '\(unknown)'") }
            let now = Timestamp.now
            for name in names {
                try await session.appendSubscription(
                    RoundSubscription(round: round.name, selection: name, state: .subscribed, reason: reason, at: now, by: actor.name), round: round.id)
            }
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "round.subscribe", subjectKind: "round", subject: round.name,
                    detail: "\(names.joined(separator: ", ")): \(reason)"))
        }
    }

    /// Unsubscribes a selection from a round (needs `expert`), with the reason.
    public func unsubscribe(_ name: String, from roundName: String, reason: String, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.expert, to: "unsubscribing selections")
        let reason = reason.trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty else { throw .invalidInput("unsubscribing \(name) needs a reason") }
        try await store.write { session in
            let round = try await Self.round(roundName, in: session)
            try Self.requireOpen(round)
            guard try await session.subscriptions(round: round.id, name: round.name)[name]?.state == .subscribed else {
                throw ConveyorError.conflict("\(name) is not subscribed to round \(round.name)")
            }
            let now = Timestamp.now
            try await session.appendSubscription(
                RoundSubscription(round: round.name, selection: name, state: .unsubscribed, reason: reason, at: now, by: actor.name), round: round.id)
            try await session.appendAudit(
                AuditRecord(at: now, actor: actor, action: "round.unsubscribe", subjectKind: "round", subject: round.name, detail: "\(name): \(reason)"))
        }
    }

    static func requireOpen(_ round: StrippingRound) throws(ConveyorError) {
        guard round.state != .submitted else {
            throw .conflict("round \(round.name) is submitted (request \(round.request ?? "?")): its selections and streams are fixed")
        }
    }
}
