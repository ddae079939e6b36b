import ConveyorCore
import ConveyorStore
import Foundation

extension StrippingRounds {
    /// A round as its page and `conveyor round show` present it.
    public struct RoundReport: Codable, Sendable {
        public struct Row: Codable, Sendable {
            public var selection: Selection
            public var subscription: RoundSubscription?
            public var test: SelectionTestResult?
            public var stream: String?

            public init(selection: Selection, subscription: RoundSubscription?, test: SelectionTestResult?, stream: String?) {
                self.selection = selection
                self.subscription = subscription
                self.test = test
                self.stream = stream
            }
        }

        public var round: StrippingRound
        public var selections: [Row]
        /// The grouping in force, measured on the sample.
        public var streams: StreamGrouping.Figures?
        /// Every subscription change, oldest first.
        public var history: [RoundSubscription]
        public var totalRetention: Double?
        public var overBudget: String?

        public init(
            round: StrippingRound, selections: [Row], streams: StreamGrouping.Figures?, history: [RoundSubscription], totalRetention: Double?,
            overBudget: String?
        ) {
            self.round = round
            self.selections = selections
            self.streams = streams
            self.history = history
            self.totalRetention = totalRetention
            self.overBudget = overBudget
        }
    }

    /// The round with each selection's subscription, test and stream, and its streams' figures.
    public func report(_ name: String) async throws(ConveyorError) -> RoundReport {
        let (round, history, tests) = try await store.read { session in
            let round = try await Self.round(name, in: session)
            return (round, try await session.subscriptionHistory(round: round.id, name: round.name), try await session.tests(round: round.id))
        }
        var inForce: [String: RoundSubscription] = [:]
        for entry in history { inForce[entry.selection] = entry }
        let named = Array(inForce.keys)
        let selections = try await store.read { try await $0.selections(named: named) }
        let testBy = Dictionary(tests.map { ($0.selection, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = selections.map { s in
            RoundReport.Row(selection: s, subscription: inForce[s.name], test: testBy[s.name], stream: round.grouping?.stream(of: s.name))
        }
        let members = Self.members(rows)
        var figures: StreamGrouping.Figures?
        var total: Double?
        var overBudget: String?
        if let grouping = round.grouping, !members.isEmpty {
            figures = try? grouping.evaluate(members, limits: round.limits)
            var union = EventSet(size: members[0].events.size)
            for member in members { union.formUnion(member.events) }
            let share = union.size > 0 ? Double(union.count) / Double(union.size) : 0
            total = share
            if share > round.limits.totalRetention {
                overBudget =
                    "the selections keep \(RoundLimits.percent(share)) of the sample together, over the round's budget of \(RoundLimits.percent(round.limits.totalRetention))"
            }
        }
        return RoundReport(round: round, selections: rows, streams: figures, history: history, totalRetention: total, overBudget: overBudget)
    }

    /// The subscribed selections that passed their newest test: what streams are made of.
    static func members(_ rows: [RoundReport.Row]) -> [StreamGrouping.Member] {
        rows.compactMap { row in
            guard row.subscription?.state == .subscribed, let test = row.test, test.passed else { return nil }
            return StreamGrouping.Member(name: row.selection.name, group: row.selection.group, random: row.selection.random, events: test.events)
        }
    }

    /// The overlaps of the subscribed selections that passed, on the round's sample.
    public func overlaps(_ name: String) async throws(ConveyorError) -> OverlapMatrix {
        guard let matrix = Self.overlaps(of: try await report(name)) else {
            throw .conflict("round \(name) has no tested selection yet: run conveyor round test \(name)")
        }
        return matrix
    }

    /// The overlaps of a report already read (its page shows both), nil before any selection passed a test.
    public static func overlaps(of report: RoundReport) -> OverlapMatrix? {
        let members = members(report.selections)
        return members.isEmpty ? nil : OverlapMatrix(members)
    }

    /// What setting streams by hand did.
    public struct GroupingOutcome: Codable, Sendable {
        public var figures: StreamGrouping.Figures
        public var accepted: Bool
    }

    /// Sets the round's streams by hand (needs `manager`), seed 003's "manual grouping" after the
    /// automatic one. What cannot run is refused; a breach of the share or stream-count rule is
    /// refused unless `reason` says why it is accepted, and the reason is kept with the grouping.
    public func setStreams(_ name: String, _ grouping: StreamGrouping, reason: String?, by actor: Actor) async throws(ConveyorError) -> GroupingOutcome {
        try actor.require(.manager, to: "grouping a round's streams")
        let report = try await report(name)
        try Self.requireOpen(report.round)
        guard report.round.state == .tested else { throw .conflict("round \(name) is not tested yet: run conveyor round test \(name) first") }
        let figures = try grouping.evaluate(Self.members(report.selections), limits: report.round.limits)
        let reason = reason?.trimmingCharacters(in: .whitespaces) ?? ""
        if !figures.warnings.isEmpty, reason.isEmpty {
            throw .invalidInput(
                "\(figures.warnings[0])\(figures.warnings.count > 1 ? " (and \(figures.warnings.count - 1) more)" : ""): give a reason to accept it")
        }
        var round = report.round
        round.grouping = grouping
        round.groupingReason = figures.warnings.isEmpty ? nil : reason
        let changed = round
        try await store.write { session in
            // Checked again inside the transaction: a round submitted meanwhile keeps its streams.
            guard try await session.round(named: name)?.state == .tested else { throw ConveyorError.conflict("round \(name) changed meanwhile; look again") }
            try await session.updateRound(changed)
            try await session.appendAudit(
                AuditRecord(
                    actor: actor, action: "round.streams", subjectKind: "round", subject: name,
                    detail: grouping.streams.map { "\($0.name)=\($0.selections.joined(separator: ","))" }.joined(separator: " ")
                        + (reason.isEmpty ? "" : "; accepted: \(reason)")))
        }
        return GroupingOutcome(figures: figures, accepted: !figures.warnings.isEmpty)
    }

    /// Reads streams written as `NAME=SEL,SEL` (one per item), as the CLI and the page take them.
    public static func grouping(parsing items: [String]) throws(ConveyorError) -> StreamGrouping {
        var streams: [StreamGrouping.Stream] = []
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else { throw .invalidInput("a stream is NAME=SELECTION,SELECTION…, not '\(item)'") }
            let selections = parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            streams.append(.init(name: parts[0], selections: selections))
        }
        guard !streams.isEmpty else { throw .invalidInput("give at least one stream") }
        return StreamGrouping(streams: streams)
    }
}
