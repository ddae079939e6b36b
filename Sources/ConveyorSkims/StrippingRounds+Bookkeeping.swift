import ConveyorCore
import ConveyorRuns
import ConveyorStore
import Foundation

extension StrippingRounds {
    /// The exact files a round wrote for a selection (every stream file holding it, whatever its
    /// status now), or for all its selections.
    public func files(of name: String, selection: String? = nil) async throws(ConveyorError) -> [RoundFile] {
        try await store.read { session in
            let round = try await Self.round(name, in: session)
            if let selection, try await session.subscriptions(round: round.id, name: round.name)[selection] == nil {
                throw ConveyorError.notFound("selection \(selection) was never subscribed to round \(name)")
            }
            return try await session.roundFiles(round: round.id, selection: selection)
        }
    }

    /// The normalisation of a selection in a round: its files' luminosity (divided by its
    /// prescale, never scaled by the events it kept), events and reported counts, for all of its
    /// files and for the readable ones.
    public func normalise(_ name: String, selection: String) async throws(ConveyorError) -> Normalisation {
        let files = try await files(of: name, selection: selection)
        guard !files.isEmpty else { throw .notFound("round \(name) has written no file of \(selection) yet") }
        let prescale = try await store.read { try await $0.selections(named: [selection]).first?.prescale } ?? 1
        return try await FileCatalog(store: store).normalise(files.map(\.lfn), prescale: prescale)
    }

    /// What a round ran with: release, tags, when its jobs resolved their conditions, and which
    /// runs were good when it was submitted.
    public struct Provenance: Codable, Sendable {
        public var round: String
        public var request: String?
        public var release: String
        public var globalTags: [String]
        public var program: String
        public var submittedAt: Timestamp?
        /// The first and last moment its jobs resolved their conditions (`payload resolve --as-of`).
        public var conditionsResolved: [Timestamp]
        /// The runs its files come from.
        public var runs: [ExpRun]
        /// The experiment's GOOD runs as of its submission.
        public var goodRunsAtSubmission: GoodRunList?
        /// Runs it read that were not GOOD at submission (UNKNOWN or RECOVERABLE then).
        public var notGoodAtSubmission: [ExpRun]
    }

    public func provenance(of name: String) async throws(ConveyorError) -> Provenance {
        let round = try await self.round(name)
        let files = try await files(of: name)
        var resolved: [Timestamp] = []
        var runs = Set<ExpRun>()
        for lfn in Set(files.map(\.lfn)) {
            guard let file = try await store.read({ try await $0.file(lfn: lfn) }) else { continue }
            runs.insert(file.run)
            if let at = file.conditionsResolvedAt { resolved.append(at) }
        }
        var good: GoodRunList?
        if let exp = runs.first?.exp, let at = round.submittedAt {
            good = try await RunRegistry(store: store).goodRuns(exp: exp, asOf: at)
        }
        let goodSet = Set(good?.runs ?? [])
        return Provenance(
            round: name, request: round.request, release: round.release, globalTags: round.globalTags, program: round.program,
            submittedAt: round.submittedAt, conditionsResolved: [resolved.min(), resolved.max()].compactMap { $0 }, runs: runs.sorted(),
            goodRunsAtSubmission: good, notGoodAtSubmission: good == nil ? [] : runs.filter { !goodSet.contains($0.run) }.sorted())
    }

    /// What one file turning unreadable changes.
    public struct Impact: Codable, Sendable {
        public struct SelectionChange: Codable, Sendable {
            public var round: String
            public var selection: String
            public var stream: String
            public var normalisation: Normalisation
        }

        public var lfn: String
        public var status: FileStatus
        /// Files made from it (directly or not).
        public var derived: [String]
        /// The round selections holding it or a file made from it, with their numbers as they are
        /// now (`listed`: every file; `usable`: the readable ones).
        public var selections: [SelectionChange]
        /// The file lists (datasets) holding it or a file made from it.
        public var datasets: [String]
    }

    /// The selections and file lists a file changes, and their corrected numbers.
    public func impact(of lfn: String) async throws(ConveyorError) -> Impact {
        guard let file = try await store.read({ try await $0.file(lfn: lfn) }) else { throw .notFound("\(lfn) is not registered") }
        let derived = try await store.read { try await $0.relatives(of: lfn, ancestors: false) }.map(\.lfn)
        let touched = [lfn] + derived
        let (holders, datasets) = try await store.read { session in
            (try await session.roundSelections(holding: touched), try await session.datasets(holding: touched))
        }
        var changes: [Impact.SelectionChange] = []
        for holder in holders {
            changes.append(
                .init(
                    round: holder.round, selection: holder.selection, stream: holder.stream,
                    normalisation: try await normalise(holder.round, selection: holder.selection)))
        }
        return Impact(lfn: lfn, status: file.status, derived: derived, selections: changes, datasets: datasets)
    }
}
