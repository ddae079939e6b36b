import ConveyorCore
import ConveyorRequests
import ConveyorStore
import Foundation

extension StrippingRounds {
    /// Submits a tested round (needs `manager`): a request reading the input's good mDST of the runs
    /// that are not BAD now, writing one file per stream per input with the round's release and
    /// tags. The selections, streams and commands are written into the request, so a job needs
    /// nothing else, and the round is fixed from then on.
    public func submit(_ name: String, by actor: Actor) async throws(ConveyorError) -> Requests.Submission {
        try actor.require(.manager, to: "submitting rounds")
        let report = try await report(name)
        var round = report.round
        try Self.requireOpen(round)
        guard round.state == .tested, let grouping = round.grouping else {
            throw .conflict("round \(name) is not tested yet: run conveyor round test \(name) first")
        }
        if let overBudget = report.overBudget { throw .conflict("round \(name): \(overBudget)") }
        let figures = try grouping.evaluate(Self.members(report.selections), limits: round.limits)
        if !figures.warnings.isEmpty, round.groupingReason == nil {
            throw .conflict("round \(name): \(figures.warnings[0]); set the streams with a reason to accept it")
        }
        let selections = Dictionary(report.selections.map { ($0.selection.name, $0.selection) }, uniquingKeysWith: { a, _ in a })
        let (_, input) = try await Requests.load(round.input, from: store)
        let files = try await inputFiles(of: round)
        let exps = Set(files.map(\.file.run.exp))
        guard exps.count == 1, let exp = exps.first, let first = files.map(\.file.run.run).min(), let last = files.map(\.file.run.run).max() else {
            throw .invalidInput(
                "round \(name): the input's mDST \(exps.isEmpty ? "is not there yet" : "spans experiments \(exps.sorted())"): one experiment per round")
        }
        let streams: [[String: Any]] = grouping.streams.map { stream in
            [
                "name": stream.name,
                "selections": stream.selections.map { s -> [String: Any] in
                    ["name": s, "command": selections[s]?.command ?? "", "prescale": selections[s]?.prescale ?? 1]
                },
            ]
        }
        var document: [String: Any] = [
            "name": round.requestName, "campaign": "unofficial", "runs": "\(exp):\(first)-\(last)", "release": round.release,
            "input": ["level": "mdst", "files": [String]()], "outputs": ["udst"], "global_tags": round.globalTags,
            "sites": input.sites.map(\.configuration), "output_base": input.outputBase,
            "commands": ["reconstruction": round.program, "skim": round.program], "stripping": ["round": round.name, "streams": streams],
        ]
        // Only the runs the request sees (not BAD now): the runs good at submission are the round's.
        let draft = try Self.encode(document)
        let seen = Set(try await Requests(store: store).runs(of: try Requests.parse(draft, name: "round \(name)")).runs.map(\.record.run))
        let lfns = files.filter { seen.contains($0.file.run) }.map(\.file.lfn)
        guard !lfns.isEmpty else { throw .invalidInput("round \(name): no mDST of a run that is not BAD") }
        document["input"] = ["level": "mdst", "files": lfns]
        let submission = try await Requests(store: store).submit(try Self.encode(document), name: "round \(name)", by: actor)
        round.state = .submitted
        round.submittedAt = .now
        round.request = submission.request
        let submitted = round
        try await store.write { session in
            try await session.updateRound(submitted)
            try await session.appendAudit(
                AuditRecord(
                    actor: actor, action: "round.submit", subjectKind: "round", subject: name,
                    detail: "request \(submission.request): \(grouping.streams.count) stream(s) × \(lfns.count) mDST"))
        }
        return submission
    }

    static func encode(_ document: [String: Any]) throws(ConveyorError) -> Data {
        do { return try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]) } catch {
            throw .invalidInput("the round's request could not be written: \(error.localizedDescription)")
        }
    }
}
