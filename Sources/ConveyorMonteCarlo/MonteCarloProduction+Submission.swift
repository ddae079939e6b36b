import ConveyorCore
import ConveyorJob
import ConveyorRequests
import ConveyorStore
import Foundation

extension MonteCarloProduction {
    /// What a request would run: per run its events and tags, its jobs, and how often background
    /// events are reused. Refused when a run has no processed data to take conditions from, or
    /// (with background) no random-trigger files.
    public struct Plan: Codable, Sendable {
        public let request: Int64
        public let runs: [ProcessingRequest.MonteCarlo.Run]
        public let jobs: Int
        public let background: [MonteCarloPlan.BackgroundUse]
        /// One line on background reuse (or that there is none).
        public let reuse: String
        /// Luminosity of the GOOD runs simulated, /pb (run-dependent).
        public let luminosity: Double
    }

    public func plan(_ id: Int64) async throws(ConveyorError) -> Plan {
        let (request, campaign) = try await load(id)
        return try await plan(request, campaign)
    }

    func plan(_ request: MonteCarloRequest, _ campaign: MonteCarloCampaign) async throws(ConveyorError) -> Plan {
        var runs: [ProcessingRequest.MonteCarlo.Run] = []
        var uses: [MonteCarloPlan.BackgroundUse] = []
        var luminosity = 0.0
        if let range = request.runs {
            let good = try await goodRuns(range)
            guard !good.isEmpty else { throw .invalidInput("runs \(range) hold no GOOD physics run: nothing to simulate run-dependent MC for") }
            luminosity = good.reduce(0) { $0 + $1.luminosity }
            let shares = try MonteCarloPlan.shares(events: request.events, luminosities: good.map { ($0.run, $0.luminosity) })
            let query = ProcessingRequest.runQuery(range)!
            let (processed, background) = try await store.read { session in
                let mdst = try await session.files(FileQuery(runs: query, level: .mdst, status: .good, limit: 10_000_000))
                let raw = try await session.files(FileQuery(runs: query, level: .raw, dataTag: campaign.backgroundTag, status: .good, limit: 10_000_000))
                return (mdst, raw)
            }
            // Each run's conditions: the tags of its newest all-events mDST (else any of its mDST).
            var tags: [ExpRun: [String]] = [:]
            for file in processed where file.dataTag == nil || tags[file.run] == nil { if !file.globalTags.isEmpty { tags[file.run] = file.globalTags } }
            let missingTags = shares.map(\.run).filter { tags[$0] == nil }
            if let first = missingTags.first {
                throw .invalidInput(
                    "\(missingTags.count) GOOD run(s) have no processed mDST to take their conditions from, e.g. \(first): process them before simulating them")
            }
            var files: [ExpRun: [CatalogFile]] = [:]
            for file in background where file.dataTag == campaign.backgroundTag { files[file.run, default: []].append(file) }
            if request.background == .bgx1 {
                let bare = shares.map(\.run).filter { files[$0]?.isEmpty ?? true }
                if let first = bare.first {
                    throw .invalidInput(
                        "\(bare.count) GOOD run(s) have no \(campaign.backgroundTag) random-trigger files to overlay background from, e.g. \(first): no job of them could start"
                    )
                }
            }
            for share in shares {
                runs.append(.init(run: share.run, events: share.events, globalTags: tags[share.run]!))
                if request.background == .bgx1 {
                    let held = files[share.run] ?? []
                    uses.append(.init(run: share.run, simulated: share.events, backgroundEvents: held.reduce(0) { $0 + $1.events }, files: held.count))
                }
            }
        } else {
            if request.background == .bgx1 {
                throw .invalidInput("run-independent MC has no runs to take random-trigger background from: ask for bgx0, or give runs for run-dependent MC")
            }
            runs = [.init(run: ExpRun(exp: campaign.exp, run: 0), events: request.events, globalTags: campaign.globalTags)]
        }
        let jobs = runs.reduce(0) { $0 + MonteCarloPlan.split($1.events, perJob: request.eventsPerJob).count }
        return Plan(request: request.id, runs: runs, jobs: jobs, background: uses, reuse: MonteCarloPlan.reuseSummary(uses), luminosity: luminosity)
    }

    /// What a test job found.
    public struct TestResult: Codable, Sendable {
        public let request: Int64
        public let passed: Bool
        public let events: Int64
        public let cpuSeconds: Double
        public let detail: String
    }

    /// The number of events a test job generates.
    public static let testEvents = 10

    /// Runs the campaign's program for a few events of the request's event type here (needs
    /// `manager`), as a production job would: an event type the program rejects is found before
    /// the whole request is submitted. A pass makes an approved request ready.
    @discardableResult
    public func test(_ id: Int64, by actor: Actor) async throws(ConveyorError) -> TestResult {
        try actor.require(.manager, to: "testing MC requests")
        let (request, campaign) = try await load(id)
        guard request.state == .approved || request.state == .ready else {
            throw .conflict("MC request \(id) is \(request.state.rawValue): only an approved request is tested")
        }
        let plan = try await plan(request, campaign)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-mc-test-\(UUID().uuidString)")
        do { try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true) } catch {
            throw .unavailable("cannot make a scratch folder: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("test.mdst").path, log = scratch.appendingPathComponent("log").path
        let run = plan.runs[0]
        var environment = [
            "CONVEYOR_EVENT_TYPE": request.eventType, "CONVEYOR_EVENTS": String(Self.testEvents),
            "CONVEYOR_SEED": String(MonteCarloPlan.seed(base: request.id, run: run.run, index: -1)), "CONVEYOR_BACKGROUND": request.background.rawValue,
            "CONVEYOR_EXP": String(run.run.exp), "CONVEYOR_RUN": String(run.run.run), "CONVEYOR_OUTPUT": output, "CONVEYOR_OUTPUT_LEVEL": "mdst",
            "CONVEYOR_RELEASE": campaign.release, "CONVEYOR_GLOBAL_TAGS": run.globalTags.joined(separator: ","), "CONVEYOR_STEP": RequestPlan.generationStep,
        ]
        if request.background == .bgx1 {
            let first = try await store.read { session in
                try await session.files(
                    FileQuery(
                        runs: RunQuery(exp: run.run.exp, runRange: run.run.run...run.run.run), level: .raw, dataTag: campaign.backgroundTag, status: .good,
                        limit: 1)
                ).first
            }
            if let path = first?.replicas.first(where: { $0.state == .available && $0.storage == .disk })?.path { environment["CONVEYOR_INPUT"] = path }
        }
        let result: ExperimentProgram.Result
        do { result = try ExperimentProgram(command: campaign.program, environment: environment, timeLimitSeconds: 600, outputFile: log).run() } catch {
            return try await record(request, passed: false, events: 0, cpu: 0, detail: "could not start \(campaign.program): \(error.message)", by: actor)
        }
        let lastLine = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").last.map(String.init)
        if let failure = result.failure(lastLine: lastLine) {
            return try await record(
                request, passed: false, events: 0, cpu: result.cpuSeconds, detail: "event type \(request.eventType): the test job \(failure)", by: actor)
        }
        let events = result.value("events").flatMap { Int64($0) } ?? -1
        guard events == Int64(Self.testEvents), FileManager.default.fileExists(atPath: output) else {
            return try await record(
                request, passed: false, events: max(events, 0), cpu: result.cpuSeconds,
                detail:
                    "the test job reported \(events < 0 ? "no" : String(events)) events and \(FileManager.default.fileExists(atPath: output) ? "wrote" : "wrote no") output; asked for \(Self.testEvents)",
                by: actor)
        }
        return try await record(
            request, passed: true, events: events, cpu: result.cpuSeconds,
            detail: String(format: "%lld events of %@ in %.2f s CPU", events, request.eventType, result.cpuSeconds), by: actor)
    }

    private func record(
        _ request: MonteCarloRequest, passed: Bool, events: Int64, cpu: Double, detail: String, by actor: Actor
    ) async throws(ConveyorError)
        -> TestResult
    {
        try await store.write { session in
            var request = request
            if passed, request.state == .approved {
                request.state = .ready
                request.updatedAt = .now
                try await session.updateMonteCarloRequest(request)
                try await session.appendMonteCarloChange(
                    MonteCarloRequestChange(from: .approved, to: .ready, at: request.updatedAt, by: actor.name, reason: "test job: \(detail)"),
                    request: request.id)
            }
            try await session.appendAudit(
                AuditRecord(
                    actor: actor, action: "mc.request.test", subjectKind: "mc_request", subject: String(request.id),
                    detail: (passed ? "passed: " : "failed: ") + detail))
        }
        let result = TestResult(request: request.id, passed: passed, events: events, cpuSeconds: cpu, detail: detail)
        if !passed { throw .invalidInput("MC request \(request.id): \(detail)") }
        return result
    }

    /// Submits a ready request (needs `manager`): a processing request `mc-ID` whose jobs
    /// generate the events with their recorded seeds, each run's with its own tags and its own
    /// random-trigger background; one workflow task per site, submitted as job arrays.
    public func submit(_ id: Int64, by actor: Actor) async throws(ConveyorError) -> (Requests.Submission, Plan) {
        try actor.require(.manager, to: "submitting MC requests")
        let (request, campaign) = try await load(id)
        guard request.state == .ready else {
            throw .conflict(
                request.state == .approved
                    ? "MC request \(id) has not passed its test job yet: run conveyor mc test \(id) first"
                    : "MC request \(id) is \(request.state.rawValue): only a ready request is submitted")
        }
        let plan = try await plan(request, campaign)
        let production = Self.production(request, campaign: campaign, lpnBase: try await lpnBase(of: campaign), runs: plan.runs)
        let name = Self.productionName(id)
        let runs = plan.runs.map(\.run)
        let exps = Set(runs.map(\.exp))
        let range = exps.count == 1 ? "\(runs[0].exp):\(runs.map(\.run).min()!)-\(runs.map(\.run).max()!)" : "\(campaign.exp):0-0"
        let document: [String: Any] = [
            "name": name, "campaign": "unofficial", "runs": range, "release": campaign.release,
            "input": ["level": "raw", "selection": [campaign.backgroundTag]], "outputs": ["mdst"], "global_tags": campaign.globalTags,
            "sites": campaign.sites.map(\.configuration), "output_base": production.lpnBase,
            "commands": ["reconstruction": campaign.program, "generation": campaign.program], "priority": request.priority.taskPriority,
            "monte_carlo": [
                "request": id, "campaign": campaign.name, "event_type": request.eventType, "background": request.background.rawValue,
                "background_tag": campaign.backgroundTag, "events_per_job": request.eventsPerJob, "seed": production.seed, "lpn_base": production.lpnBase,
                "energy": campaign.energy,
                "runs": plan.runs.map { ["run": $0.run.description, "events": $0.events, "global_tags": $0.globalTags] as [String: Any] },
            ] as [String: Any],
        ]
        let data: Data
        do { data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]) } catch {
            throw .invalidInput("MC request \(id): its production could not be written: \(error.localizedDescription)")
        }
        let submission = try await Requests(store: store).submit(data, name: "mc request \(id)", by: actor)
        try await store.write { session in
            guard var stored = try await session.monteCarloRequest(id: id) else { throw ConveyorError.notFound("no MC request \(id)") }
            stored.state = .submitted
            stored.production = name
            stored.jobs = submission.jobs
            stored.updatedAt = .now
            try await session.updateMonteCarloRequest(stored)
            try await session.appendMonteCarloChange(
                MonteCarloRequestChange(
                    from: .ready, to: .submitted, at: stored.updatedAt, by: actor.name,
                    reason: "production \(name): \(submission.jobs) jobs in \(plan.runs.count) run(s); \(plan.reuse)"), request: id)
            try await session.appendAudit(
                AuditRecord(
                    actor: actor, action: "mc.request.submit", subjectKind: "mc_request", subject: String(id),
                    detail: "request \(name), workflow \(submission.workflowID), \(submission.jobs) jobs"))
        }
        return (submission, plan)
    }

    /// The processing request an MC request is produced by.
    public static func productionName(_ id: Int64) -> String { "mc-\(id)" }

    static func production(
        _ request: MonteCarloRequest, campaign: MonteCarloCampaign, lpnBase: String, runs: [ProcessingRequest.MonteCarlo.Run]
    )
        -> ProcessingRequest.MonteCarlo
    {
        // Kept below 2^31 so that every configuration reader holds it exactly.
        let seed = Int64(UInt64(bitPattern: MonteCarloPlan.seed(base: request.id, run: ExpRun(exp: 0, run: 0), index: 0)) % 2_147_483_647)
        return ProcessingRequest.MonteCarlo(
            request: request.id, campaign: campaign.name, eventType: request.eventType, background: request.background, backgroundTag: campaign.backgroundTag,
            eventsPerJob: request.eventsPerJob, seed: seed, lpnBase: lpnBase, energy: campaign.energy, runs: runs)
    }

    func load(_ id: Int64) async throws(ConveyorError) -> (MonteCarloRequest, MonteCarloCampaign) {
        try await store.read { session in
            guard let request = try await session.monteCarloRequest(id: id) else { throw ConveyorError.notFound("no MC request \(id)") }
            guard let (_, campaign) = try await session.monteCarloCampaign(named: request.campaign) else {
                throw ConveyorError.storeFailure("MC request \(id) names campaign \(request.campaign), which is not stored")
            }
            return (request, campaign)
        }
    }
}
