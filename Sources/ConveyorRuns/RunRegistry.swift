import ConveyorCore
import ConveyorStore
import Foundation

/// The run registry: runs and their luminosity, quality flags with full history, and good-run
/// lists answerable for any past moment.
///
/// Registering and importing runs needs `manager`; flagging quality needs `expert`.
///
/// ```swift
/// let registry = RunRegistry(store: store)
/// try await registry.importSummary(csv, name: "runs.csv", by: manager)
/// try await registry.flag(ExpRun(exp: 8, run: 1234), detector: "CDC", to: .bad, reason: "HV trip", by: shifter)
/// let good = try await registry.goodRuns(exp: 8, requiring: ["CDC", "ECL"], asOf: analysisDate)
/// ```
public struct RunRegistry: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// What an import did.
    public struct ImportReport: Sendable, Codable {
        public let added: Int
        public let changed: Int
        public let unchanged: Int
        public let changes: [RunChange]
    }

    /// Adds or updates one run. Needs `manager`.
    @discardableResult
    public func add(_ record: RunRecord, by actor: Actor) async throws(ConveyorError) -> ImportReport {
        try await register([record], source: "run \(record.run)", by: actor)
    }

    /// Imports a CSV or JSON run summary, all or nothing: the same file again changes nothing; a
    /// changed value is recorded as a change; a malformed row is named and nothing is imported.
    public func importSummary(_ data: Data, name: String, by actor: Actor) async throws(ConveyorError) -> ImportReport {
        try actor.require(.manager, to: "importing runs")
        return try await register(try RunSummaryFile.parse(data, name: name), source: name, by: actor)
    }

    private func register(_ records: [RunRecord], source: String, by actor: Actor) async throws(ConveyorError) -> ImportReport {
        try actor.require(.manager, to: "registering runs")
        for record in records { try record.validate() }
        return try await store.write { session in
            let now = Timestamp.now
            var added = 0, changed = 0, unchanged = 0
            var changes: [RunChange] = []
            for record in records {
                let result = try await session.upsertRun(record, at: now, by: actor.name)
                if result.inserted { added += 1 } else if result.changes.isEmpty { unchanged += 1 } else { changed += 1 }
                changes += result.changes
            }
            if added + changed > 0 {
                try await session.appendAudit(
                    AuditRecord(
                        at: now, actor: actor, action: "runs.register", subjectKind: "runs", subject: source,
                        detail: "\(added) added, \(changed) changed, \(unchanged) unchanged"))
            }
            return ImportReport(added: added, changed: changed, unchanged: unchanged, changes: changes)
        }
    }

    /// A run list with its totals.
    public struct Listing: Sendable, Codable {
        public let runs: [RegisteredRun]
        public let totals: RunTotals
    }

    public func list(_ query: RunQuery) async throws(ConveyorError) -> Listing {
        try await store.read { session in
            Listing(runs: try await session.runs(query), totals: try await session.runTotals(query))
        }
    }

    /// A run with its quality now (or at `asOf`), its derived tags and its whole history.
    public struct Detail: Sendable, Codable {
        public let run: RunRecord
        public let quality: RunQuality
        public let derivedTags: [String]
        public let qualityEvents: [QualityEvent]
        public let valueChanges: [RunChange]
    }

    public func detail(of run: ExpRun, asOf: Timestamp? = nil) async throws(ConveyorError) -> Detail {
        try await store.read { session in
            guard let registered = try await session.run(run) else { throw ConveyorError.notFound("no run \(run) is registered") }
            let events = try await session.qualityEvents(of: run, asOf: asOf)
            return Detail(
                run: registered.record, quality: RunQuality(replaying: events), derivedTags: registered.record.derivedTags,
                qualityEvents: events, valueChanges: try await session.runChanges(run))
        }
    }

    /// Sets a run's summary flag (no detector) or one detector's flag. Needs `expert` and a reason.
    public func flag(_ run: ExpRun, detector: String? = nil, to flag: QualityFlag, reason: String, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.expert, to: "flagging run quality")
        let reason = reason.trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty else { throw .invalidInput("say why: --reason is required for every quality change") }
        try await store.write { session in
            try await Self.flag(run, detector: detector, to: flag, reason: reason, by: actor, at: .now, in: session)
        }
    }

    /// Sets a flag inside a transaction of the caller's (a confirmed monitoring proposal is one):
    /// the event, with the flag it replaces, and its audit record.
    public static func flag(
        _ run: ExpRun, detector: String?, to flag: QualityFlag, reason: String, by actor: Actor, at now: Timestamp, in session: StoreSession
    ) async throws {
        guard try await session.run(run) != nil else { throw ConveyorError.notFound("no run \(run) is registered") }
        let configuration = try await session.experiment(run.exp) ?? .standard(exp: run.exp)
        let detector = try detector.map { name in try configuration.canonicalDetector(name) }
        let quality = RunQuality(replaying: try await session.qualityEvents(of: run))
        let old = detector.map(quality.flag(of:)) ?? quality.summary
        try await session.appendQualityEvent(
            QualityEvent(
                run: run, kind: .flag, detector: detector, old: old.rawValue, new: flag.rawValue,
                reason: reason, actor: actor.name, at: now))
        try await session.appendAudit(
            AuditRecord(
                at: now, actor: actor, action: "runs.flag", subjectKind: "run", subject: run.description,
                detail: "\(detector ?? "summary") \(old) -> \(flag): \(reason)"))
    }

    /// Adds or removes a free quality tag such as `Bad For Alignment`. Needs `expert`.
    public func tag(_ run: ExpRun, _ tag: String, add: Bool, reason: String, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.expert, to: "tagging run quality")
        let tag = tag.trimmingCharacters(in: .whitespaces)
        guard !tag.isEmpty, tag.count <= 80 else { throw .invalidInput("a quality tag must be 1–80 characters") }
        try await store.write { session in
            guard try await session.run(run) != nil else { throw ConveyorError.notFound("no run \(run) is registered") }
            let now = Timestamp.now
            try await session.appendQualityEvent(
                QualityEvent(
                    run: run, kind: add ? .tagAdded : .tagRemoved, detector: nil, old: nil, new: tag,
                    reason: reason, actor: actor.name, at: now))
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: add ? "runs.tag" : "runs.untag", subjectKind: "run",
                    subject: run.description, detail: "\(tag): \(reason)"))
        }
    }

    /// The runs of `exp` that were good at `asOf` (now when nil): summary GOOD and every required
    /// detector GOOD, replayed from the events recorded by then. With `complement`, the others.
    public func goodRuns(
        exp: Int, requiring required: [String] = [], asOf: Timestamp? = nil, complement: Bool = false
    ) async throws(ConveyorError) -> GoodRunList {
        return try await store.read { session in
            let configuration = try await session.experiment(exp) ?? .standard(exp: exp)
            let required = try required.map { name in try configuration.canonicalDetector(name) }
            let good = try await session.goodRunNumbers(exp: exp, requiring: required, asOf: asOf)
            let selected: [Int]
            if complement {
                let goodSet = Set(good)
                selected = try await session.runNumbers(exp: exp, asOf: asOf).filter { !goodSet.contains($0) }
            } else {
                selected = good
            }
            return GoodRunList(exp: exp, runs: selected, asOf: asOf, required: required)
        }
    }
}
