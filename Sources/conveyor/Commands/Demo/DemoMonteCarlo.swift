import ConveyorCore
import ConveyorMonteCarlo
import ConveyorRequests
import ConveyorRuns
import ConveyorStore
import ConveyorWorkflow
import Foundation
import Logging

/// The demo's run-dependent MC (seed 001): the background manager makes overlay files from each
/// GOOD run's random triggers, the charm group's liaison asks for a sample, the MC manager
/// approves it, a test job runs, and the production simulates each run with its own constants
/// and background, events in proportion to the run's luminosity.
struct DemoMonteCarlo {
    static let campaign = "MC-demo"
    static let backgroundTag = "hlt_random"
    static let liaison = Actor(name: "demo-charm-liaison", role: .expert)
    let store: Store
    let folder: String
    let sim: String
    let runs: Int
    let logger: Logger

    func run() async throws {
        let production = MonteCarloProduction(store: store)
        if try await production.campaigns().contains(where: { $0.campaign.name == Self.campaign }) { return }
        try await prepareBackground()
        let (_, request) = try await Requests.load(DemoRun.request, from: store)
        let campaign = try MonteCarloCampaign(
            name: Self.campaign, release: request.release, globalTags: request.processingTags, program: "\(sim) mc", sites: request.sites,
            backgroundTag: Self.backgroundTag, exp: DemoRun.exp, base: "/demo/MC", description: "the demo's run-dependent MC")
        try await production.createCampaign(campaign, by: DemoRun.manager)
        let sample = try await production.file(
            try MonteCarloRequest(
                campaign: Self.campaign, group: "charm", liaison: Self.liaison.name, eventType: "hadron", events: 3_000, background: .bgx1,
                priority: .major, runs: "\(DemoRun.exp):1-\(runs)", eventsPerJob: 500, comment: "J/psi efficiency in the bucket's conditions"),
            by: Self.liaison)
        say("MC request \(sample.id) filed by \(Self.liaison.name): \(sample.label)")
        try await production.decide(sample.id, to: .approved, reason: "the bucket's run-dependent sample", by: DemoRun.manager)
        let test = try await production.test(sample.id, by: DemoRun.manager)
        say("MC request \(sample.id): test job passed (\(test.detail)); ready")
        let (submission, plan) = try await production.submit(sample.id, by: DemoRun.manager)
        say("MC request \(sample.id) submitted as \(submission.request): \(plan.jobs) jobs over \(plan.runs.count) GOOD runs; \(plan.reuse)")
        let service = SchedulerService(
            store: store, jobRoot: "\(folder)/jobs", pollInterval: .milliseconds(250), stop: .blocked, plugins: try .production(store: store), logger: logger)
        try await service.run()
        let state = try await Workflows(store: store).show(submission.workflowID).workflow.state
        guard state == .succeeded else {
            throw ConveyorError.conflict(
                "the MC production's workflow \(submission.workflowID) ended \(state): `conveyor wf show \(submission.workflowID) --db \(folder)/conveyor.sqlite`"
            )
        }
        try await production.decide(sample.id, to: .released, reason: "validated against the bucket's data", by: DemoRun.manager)
    }

    /// One overlay file per GOOD run from its random triggers, on the site's disk (`conveyor-sim hlt-skim --triggers random`).
    private func prepareBackground() async throws {
        let raw = "\(folder)/data/raw/e\(String(format: "%04d", DemoRun.exp))"
        let good = try await RunRegistry(store: store).list(RunQuery(exp: DemoRun.exp, runRange: 1...runs)).runs.filter { $0.quality == .good }
        var files: [CatalogFile] = []
        for run in good.map(\.record.run.run) {
            let name = "r\(String(format: "%05d", run)).\(Self.backgroundTag).raw"
            try await DemoRun.simulate(sim, ["hlt-skim", "--triggers", "random", "--output", "\(raw)/\(name)", "\(raw)/r\(String(format: "%05d", run)).raw"])
            let (sums, count) = try DemoRun.checksums("\(raw)/\(name)")
            files.append(
                CatalogFile(
                    lfn: "/demo/raw/e\(String(format: "%04d", DemoRun.exp))/r\(String(format: "%05d", run))/\(name)", size: sums.size, adler32: sums.adler32,
                    sha256: sums.sha256, events: count, run: ExpRun(exp: DemoRun.exp, run: run), level: .raw, dataTag: Self.backgroundTag,
                    replicas: [Replica(site: DemoRun.site, path: "\(raw)/\(name)")]))
        }
        let registered = try await FileCatalog(store: store).register(files, by: DemoRun.manager)
        say("Background overlay: \(registered.registered) random-trigger files, one per GOOD run (as the background manager).")
    }

    /// The summary's lines: the sample, its runs and its files.
    static func summary(_ store: Store) async throws -> [String] {
        let production = MonteCarloProduction(store: store)
        guard let report = try? await production.campaign(campaign), let sample = report.requests.first else { return [] }
        let runs = try await store.read { session in
            try await session.requestJobs(request: try await session.request(named: sample.production ?? "")?.id ?? -1)
        }
        let tags = Set(
            try await store.read { session in
                try await session.files(FileQuery(runs: RunQuery(exp: DemoRun.exp), level: .mdst, dataTag: sample.eventType, limit: 100_000))
            }.map { $0.globalTags.joined(separator: ",") })
        return [
            "MC \(campaign) request \(sample.id) (\(sample.eventType) \(sample.background.rawValue.uppercased()), runs \(sample.runs ?? "-")): \(sample.state.rawValue), "
                + "\(sample.eventsDone) events in \(sample.jobsDone) jobs over \(Set(runs.map(\.run)).count) GOOD runs with tags \(tags.sorted().joined(separator: " / ")); table on /mc/\(campaign)"
        ]
    }

    func say(_ text: String) { print("[demo] \(text)") }
}
