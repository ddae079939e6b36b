import ConveyorCore
import ConveyorRequests
import ConveyorRuns
import ConveyorSkims
import ConveyorStore
import ConveyorWorkflow
import Foundation
import Logging

/// The demo's stripping round after the prompt processing (seed 003): the physics groups'
/// selections, their automatic tests on three runs (two fail and are unsubscribed), streams from
/// their overlaps, one file per stream per mDST, and the selections' normalisation.
struct DemoRound {
    static let name = "demo-strip"
    let store: Store
    let folder: String
    let sim: String
    let logger: Logger

    /// Each physics group's liaison and selection: cuts on the reconstructed mDST quantities.
    var selections: [(Actor, Selection)] {
        let charm = Actor(name: "demo-charm-liaison", role: .expert), qed = Actor(name: "demo-qed-liaison", role: .expert)
        let tracking = Actor(name: "demo-tracking-liaison", role: .expert)
        func s(
            _ name: String, _ group: String, _ by: Actor, _ cuts: String, prescale: Int = 1, random: Bool = false, expected: Double? = nil
        ) -> (
            Actor, Selection
        ) {
            (
                by,
                Selection(
                    name: name, group: group, coordinator: by.name, command: "\(sim) select \(cuts)", version: "v1", expectedRetention: expected,
                    prescale: prescale, random: random)
            )
        }
        return [
            s("jpsi_hadron", "charmonium", charm, "--trigger hadron --mass 2.9-3.3", expected: 0.005),
            s("jpsi_wide", "charmonium", charm, "--mass 2.6-3.6", expected: 0.08),
            s("bhabha_lumi", "qed", qed, "--trigger bhabha", prescale: 10, expected: 0.006),
            s("gamma_pairs", "qed", qed, "--trigger gamma_gamma --mass 9-12", expected: 0.01),
            s("random_events", "luminosity", qed, "--trigger random", random: true, expected: 0.01),
            s("tight_vertex", "tracking", tracking, "--vertex 0.002", expected: 0.02),
            s("vertex_scan", "tracking", tracking, "--vertex 0.0005 --crash", expected: 0.005),
        ]
    }

    func run() async throws {
        let rounds = StrippingRounds(store: store)
        let (_, request) = try await Requests.load(DemoRun.request, from: store)
        for (liaison, selection) in selections {
            try await rounds.register(selection, by: liaison)
            try await rounds.subscribe([selection.name], to: try await round(rounds, request), reason: "\(selection.group) group", by: liaison)
        }
        let report = try await rounds.test(Self.name, by: DemoRun.manager)
        for (name, why) in report.unsubscribed.sorted(by: { $0.key < $1.key }) {
            say("round \(Self.name): \(name) unsubscribed by its automatic test (\(why)); its coordinator is told")
        }
        let submission = try await rounds.submit(Self.name, by: DemoRun.manager)
        say("round \(Self.name) submitted as request \(submission.request): \(submission.jobs) job(s), one file per stream per mDST")
        let service = SchedulerService(
            store: store, jobRoot: "\(folder)/jobs", pollInterval: .milliseconds(250), stop: .blocked, plugins: try .production(store: store), logger: logger)
        try await service.run()
        let state = try await Workflows(store: store).show(submission.workflowID).workflow.state
        guard state == .succeeded else {
            throw ConveyorError.conflict(
                "the round's workflow \(submission.workflowID) ended \(state): `conveyor wf show \(submission.workflowID) --db \(folder)/conveyor.sqlite`")
        }
    }

    /// Creates the round the first time: the prompt processing's mDST, its release and tags.
    private func round(_ rounds: StrippingRounds, _ request: ProcessingRequest) async throws -> String {
        if (try? await rounds.round(Self.name)) != nil { return Self.name }
        try await rounds.create(
            StrippingRound(
                name: Self.name, input: DemoRun.request, release: request.release, globalTags: [request.promptTag ?? request.globalTags[0]],
                program: "\(sim) strip", sampleSize: 3, limits: RoundLimits(retention: 0.1, totalRetention: 0.3, maxStreams: 4)),
            by: DemoRun.manager)
        return Self.name
    }

    /// The summary's lines: streams and the selections' normalisation.
    static func summary(_ store: Store) async throws -> [String] {
        let rounds = StrippingRounds(store: store)
        guard let report = try? await rounds.report(name), let streams = report.streams else { return [] }
        var lines = [
            "round \(name): \(report.selections.filter { $0.subscription?.state == .subscribed }.count) of \(report.selections.count) selections ran in \(streams.streams.count) streams ("
                + streams.streams.map { "\($0.name): \($0.selections.joined(separator: "+"))" }.joined(separator: ", ")
                + "), duplication factor \(RoundLimits.decimal(streams.duplicationFactor)); plotted on /rounds/\(name)"
        ]
        for selection in ["jpsi_hadron", "bhabha_lumi"] {
            guard let n = try? await rounds.normalise(name, selection: selection) else { continue }
            lines.append(
                "round \(name) \(selection): \(n.usable.files) files, \(n.usable.events) events in its stream, \(RoundLimits.decimal(n.usable.luminosity)) /pb"
                    + (n.prescale > 1 ? " (prescale \(n.prescale))" : ""))
        }
        return lines
    }

    func say(_ text: String) { print("[demo] \(text)") }
}
