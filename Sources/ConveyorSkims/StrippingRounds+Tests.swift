import ConveyorCore
import ConveyorJob
import ConveyorRequests
import ConveyorStore
import Foundation

extension StrippingRounds {
    /// What a round's automatic tests found.
    public struct TestReport: Codable, Sendable {
        public var round: String
        public var sampleRuns: [ExpRun]
        public var sampleFiles: Int
        public var sampleEvents: Int64
        public var results: [SelectionTestResult]
        /// Selections the tests unsubscribed, with why.
        public var unsubscribed: [String: String]
        /// The share of sample events the passing selections keep together.
        public var totalRetention: Double
        /// Why the round cannot be submitted as it stands, if it cannot.
        public var overBudget: String?
        public var grouping: StreamGrouping?
    }

    /// An mDST file of the round's input, with where it can be read here.
    struct InputFile: Sendable {
        let file: CatalogFile
        let path: String?
    }

    /// The good mDST files of all events the input request made (those of every level-mdst output
    /// when it made none of all events), with a readable disk copy's path.
    func inputFiles(of round: StrippingRound) async throws(ConveyorError) -> [InputFile] {
        let (record, request) = try await Requests.load(round.input, from: store)
        let jobs = try await store.read { try await $0.requestJobs(request: record.id) }.filter { $0.level == .mdst && $0.outputLFN != nil }
        let allEvents = jobs.filter { $0.dataTag == nil }
        let lfns = (allEvents.isEmpty ? jobs : allEvents).compactMap(\.outputLFN)
        let siteNames = request.sites.map(\.name)
        var out: [InputFile] = []
        for lfn in lfns.sorted() {
            guard let file = try await store.read({ try await $0.file(lfn: lfn) }), file.status == .good else { continue }
            let disk = file.replicas.filter { $0.storage == .disk && $0.state == .available }
            let replica = siteNames.lazy.compactMap { site in disk.first { $0.site == site } }.first ?? disk.first
            out.append(InputFile(file: file, path: replica?.path))
        }
        return out
    }

    /// Runs every subscribed selection on the round's sample (needs `manager`): retention, CPU per
    /// event and output bytes per event against the round's limits. A selection that fails, or
    /// cannot run, is unsubscribed for the round with the figures as the reason (its coordinator
    /// is told); the streams are proposed again from the overlaps of those that passed.
    public func test(_ name: String, by actor: Actor) async throws(ConveyorError) -> TestReport {
        try actor.require(.manager, to: "testing rounds")
        var round = try await self.round(name)
        try Self.requireOpen(round)
        let (id, roundName) = (round.id, round.name)
        let selections = try await store.read { session in
            let subscriptions = try await session.subscriptions(round: id, name: roundName)
            return try await session.selections(named: subscriptions.values.filter { $0.state == .subscribed }.map(\.selection))
        }
        guard !selections.isEmpty else { throw .invalidInput("round \(name) has no subscribed selection to test") }
        let inputs = try await inputFiles(of: round)
        let runs = Array(Set(inputs.map(\.file.run))).sorted()
        guard !runs.isEmpty else { throw .invalidInput("round \(name): request \(round.input) has no good mDST to read yet") }
        let sampleRuns: [ExpRun]
        if round.sampleRuns.isEmpty {
            sampleRuns = Array(runs.prefix(round.sampleSize))
        } else {
            sampleRuns = runs.filter { round.sampleRuns.contains($0.run) }
            if let missing = round.sampleRuns.first(where: { n in !runs.contains { $0.run == n } }) {
                throw .invalidInput("round \(name): sample run \(missing) has no good mDST of request \(round.input)")
            }
        }
        let sample = inputs.filter { sampleRuns.contains($0.file.run) }
        if let unreadable = sample.first(where: { $0.path.map { !FileManager.default.fileExists(atPath: $0) } ?? true }) {
            throw .invalidInput("round \(name): sample file \(unreadable.file.lfn) has no readable disk copy here")
        }
        let events = sample.reduce(Int64(0)) { $0 + $1.file.events }
        guard events > 0, events <= Int64(Int32.max) else { throw .invalidInput("round \(name): the sample holds \(events) events") }
        let paths = sample.compactMap(\.path)

        var results: [SelectionTestResult] = []
        for selection in selections {
            var result = Self.run(selection, on: paths, events: Int(events), round: round)
            result.verdict = round.limits.failure(of: result)
            results.append(result)
        }
        let passing = results.filter(\.passed)
        var union = EventSet(size: Int(events))
        for result in passing { union.formUnion(result.events) }
        let total = Double(union.count) / Double(events)
        let overBudget =
            total > round.limits.totalRetention
            ? "the selections keep \(RoundLimits.percent(total)) of the sample together, over the round's budget of \(RoundLimits.percent(round.limits.totalRetention)): unsubscribe some or raise the budget"
            : nil
        let bySelection = Dictionary(selections.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let members = passing.map { result in
            StreamGrouping.Member(
                name: result.selection, group: bySelection[result.selection]?.group ?? "stream", random: bySelection[result.selection]?.random ?? false,
                events: result.events)
        }
        let grouping = members.isEmpty ? nil : StreamGrouping.automatic(members, limits: round.limits)
        let now = Timestamp.now
        round.state = .tested
        round.testedAt = now
        round.grouping = grouping
        round.groupingReason = nil
        let tested = round
        let finished = results
        let unsubscribed = try await store.write { session in
            var unsubscribed: [String: String] = [:]
            for result in finished {
                try await session.saveTest(result, revision: bySelection[result.selection]?.revision ?? 0, round: tested.id)
                guard let verdict = result.verdict else { continue }
                let reason = "automatic test on \(sampleRuns.count) run(s), \(events) events: \(verdict)"
                unsubscribed[result.selection] = reason
                try await session.appendSubscription(
                    RoundSubscription(
                        round: tested.name, selection: result.selection, state: .unsubscribed, reason: reason, at: now, by: RoundSubscription.testsActor),
                    round: tested.id)
            }
            try await session.updateRound(tested)
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "round.test", subjectKind: "round", subject: tested.name,
                    detail:
                        "\(finished.count) selection(s) on \(events) events: \(finished.count - unsubscribed.count) passed, \(unsubscribed.count) unsubscribed; \(tested.grouping?.streams.count ?? 0) stream(s)"
                ))
            return unsubscribed
        }
        return TestReport(
            round: name, sampleRuns: sampleRuns, sampleFiles: sample.count, sampleEvents: events, results: results, unsubscribed: unsubscribed,
            totalRetention: total, overBudget: overBudget, grouping: grouping)
    }

    /// Runs one selection's command on the sample: its kept events from `$CONVEYOR_SELECTED`, its
    /// output's size from `$CONVEYOR_OUTPUT`, its CPU time from the kernel's accounting.
    static func run(_ selection: Selection, on paths: [String], events: Int, round: StrippingRound) -> SelectionTestResult {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-round-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        func failed(_ why: String, cpu: Double = 0) -> SelectionTestResult {
            SelectionTestResult(
                selection: selection.name, eventsIn: Int64(events), selected: 0, cpuSeconds: cpu, outputBytes: 0, failure: why, events: EventSet(size: events))
        }
        do { try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true) } catch { return failed("no scratch folder: \(error)") }
        let selected = scratch.appendingPathComponent("selected").path, output = scratch.appendingPathComponent("output").path
        let log = scratch.appendingPathComponent("log").path
        let program = ExperimentProgram(
            command: selection.command,
            environment: [
                "CONVEYOR_INPUT": paths.joined(separator: " "), "CONVEYOR_SELECTED": selected, "CONVEYOR_OUTPUT": output,
                "CONVEYOR_PRESCALE": String(selection.prescale), "CONVEYOR_SELECTION": selection.name, "CONVEYOR_RELEASE": round.release,
                "CONVEYOR_GLOBAL_TAGS": round.globalTags.joined(separator: ","),
            ], timeLimitSeconds: 600, outputFile: log)
        let result: ExperimentProgram.Result
        do { result = try program.run() } catch { return failed("could not start: \(error.message)") }
        let lastLine = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").last.map(String.init)
        if let failure = result.failure(lastLine: lastLine) {
            return failed(failure.replacingOccurrences(of: "crashed (", with: "crashed on the sample ("), cpu: result.cpuSeconds)
        }
        guard let text = try? String(contentsOfFile: selected, encoding: .utf8) else {
            return failed("wrote no $CONVEYOR_SELECTED list of kept events", cpu: result.cpuSeconds)
        }
        var kept = EventSet(size: events)
        for line in text.split(whereSeparator: \.isNewline) where !line.isEmpty {
            guard let ordinal = Int(line.trimmingCharacters(in: .whitespaces)), kept.insert(ordinal) else {
                return failed("wrote '\(line.prefix(40))' to $CONVEYOR_SELECTED (expected event ordinals 0 to \(events - 1))", cpu: result.cpuSeconds)
            }
        }
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: output))?[.size] as? NSNumber)?.int64Value ?? 0
        return SelectionTestResult(
            selection: selection.name, eventsIn: Int64(events), selected: Int64(kept.count), cpuSeconds: result.cpuSeconds, outputBytes: bytes, events: kept)
    }
}
