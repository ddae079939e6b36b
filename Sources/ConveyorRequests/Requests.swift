import ConveyorConditions
import ConveyorCore
import ConveyorDataManagement
import ConveyorRuns
import ConveyorStore
import ConveyorWorkflow
import Foundation

/// Processing requests, the front door: validate, submit (or resume), list, show and cancel
/// requests, and take input files out of a request and put them back.
///
/// Submitting generates the request's jobs and its workflow in one transaction with the request
/// itself; the workflow engine's scheduler then runs it. Submitting the same request again (or
/// ``resume(_:by:)``) continues it: work already done is not done again.
///
/// ```swift
/// let requests = Requests(store: store)
/// let submitted = try await requests.submit(try Data(contentsOf: url), name: "prompt-b16.yaml", by: manager)
/// try await requests.invalidate("/belle/raw/…/r00012/raw_0003.sroot", in: "prompt-b16", reason: "corrupt block", by: manager)
/// ```
public struct Requests: Sendable {
    public let store: Store
    /// Called after a workflow is submitted or a command queued (``Scheduler/noteCommand()``).
    public let onCommand: @Sendable () -> Void

    public init(store: Store, onCommand: @escaping @Sendable () -> Void = {}) {
        self.store = store
        self.onCommand = onCommand
    }

    /// Reads and checks a request file (YAML or JSON).
    public static func parse(_ data: Data, name: String) throws(ConveyorError) -> ProcessingRequest {
        try ProcessingRequest(configuration: try ConfigurationFile.read(data, name: name))
    }

    public static func load(_ name: String, from store: Store) async throws(ConveyorError) -> (RequestRecord, ProcessingRequest) {
        guard let record = try await store.read({ try await $0.request(named: name) }) else { throw .notFound("no request named '\(name)'") }
        return (record, try parse(Data(record.configuration.utf8), name: record.fileName))
    }

    /// Who a request's own jobs act as: the request, with the rights of the manager who submitted it.
    public static func actor(for record: RequestRecord) -> Actor { Actor(name: "request:\(record.name)", role: .manager) }

    // MARK: Submitting

    public struct Submission: Sendable, Codable {
        public let request: String
        public let workflowID: Int64
        public let resumed: Bool
        public let tasks: Int
        public let jobs: Int
        /// Jobs that run in this workflow (all of them, or the open ones of a resumed request).
        public let jobsToRun: Int
        public let inputsNotOnDisk: Int
    }

    /// Submits a request file, or resumes the request of that name when it exists with the same
    /// configuration. Needs `manager`.
    public func submit(_ data: Data, name fileName: String, by actor: Actor) async throws(ConveyorError) -> Submission {
        try actor.require(.manager, to: "submitting requests")
        let request = try Self.parse(data, name: fileName)
        if let existing = try await store.read({ try await $0.request(named: request.name) }) {
            let stored = try Self.parse(Data(existing.configuration.utf8), name: existing.fileName)
            guard stored == request else {
                throw .conflict("request \(request.name) exists with another configuration; give the new one another name")
            }
            return try await resume(request.name, by: actor)
        }
        let problems = try await InstallationCheck(store: store).problems(in: request)
        if !problems.isEmpty { throw .invalidInput("\(fileName): \(problems.joined(separator: "; "))") }
        if let staging = request.stagingTag, !request.calibrations.isEmpty {
            // The staging tag's id names the output folders of the calibration skims: make it now.
            _ = try await ConditionsDatabase(store: store).prepareStaging(staging, empty: false, by: actor)
        }
        let builder = RequestBuilder(request: request, context: try await context(of: request))
        let jobs = try builder.jobs()
        let notOnDisk = builder.inputsNotOnDisk(jobs)
        let taken = try await store.read { try await $0.registeredLFNs(jobs.compactMap(\.outputLFN)) }
        if let first = taken.sorted().first {
            throw .conflict(
                "\(taken.count) output path(s) of \(request.name) are taken by earlier files, e.g. \(first): "
                    + "another request made them with the same release, tag and campaign; change the release or the campaign")
        }
        // Commands name job ids, so the DAG is checked with placeholder ids first and built for real inside the transaction.
        let draft = jobs.enumerated().map { i, job in
            var job = job; job.id = Int64(i + 1); return job
        }
        try await Workflows(store: store).check(try builder.workflow(jobs: draft, notOnDisk: notOnDisk), file: fileName)
        let configuration = String(decoding: data, as: UTF8.self)
        let placeNow = try Self.placesRulesInTransaction(store)
        let (workflowID, tasks) = try await store.write { session in
            let now = Timestamp.now
            let id = try await session.insertRequest(
                name: request.name, campaign: request.campaign.description, configuration: configuration,
                fileName: fileName, at: now, by: actor.name)
            let stored = try await session.insertRequestJobs(jobs, request: id, at: now)
            let definition = try builder.workflow(jobs: stored, notOnDisk: notOnDisk)
            let workflowID = try await Self.start(definition, request: id, name: request.name, detail: "submitted from \(fileName)", session, now, actor)
            try await RequestDataRules.place(request, jobs: stored, notOnDisk: notOnDisk, in: session, at: now, placeNow: placeNow)
            return (workflowID, definition.tasks.count)
        }
        onCommand()
        return Submission(
            request: request.name, workflowID: workflowID, resumed: false, tasks: tasks, jobs: jobs.count, jobsToRun: jobs.count,
            inputsNotOnDisk: Set(notOnDisk.values.flatMap { $0 }).count)
    }

    /// Continues a request whose workflow ended (failed, cancelled, or done with inputs put back):
    /// a new workflow run in which finished work is a no-op and only open jobs run. Needs `manager`.
    public func resume(_ name: String, by actor: Actor) async throws(ConveyorError) -> Submission {
        try actor.require(.manager, to: "resuming requests")
        let (record, request) = try await Self.load(name, from: store)
        let workflows = Workflows(store: store)
        var succeeded: [String: Int64] = [:]
        var previous: WorkflowState?
        if let id = record.workflowID {
            let detail = try await workflows.show(id)
            if detail.workflow.state == .running { throw .conflict("request \(name) is running (workflow \(id)); cancel it first or let it finish") }
            previous = detail.workflow.state
            for task in detail.tasks where task.state == .succeeded { succeeded[task.name] = id }
        }
        let jobs = try await store.read { try await $0.requestJobs(request: record.id) }
        let inputs = try await store.read { try await $0.requestInputs(request: record.id) }
        var openJobs = Set(inputs.filter { !$0.state.isFinal }.map(\.jobID))
        // Jobs without inputs (MC without background) are open until their output is registered.
        let withInputs = Set(inputs.map(\.jobID))
        let inputless = jobs.filter { !withInputs.contains($0.id) && $0.outputLFN != nil }
        if !inputless.isEmpty {
            let registered = Set(try await store.read { try await $0.registeredLFNs(inputless.compactMap(\.outputLFN)) })
            for job in inputless where !registered.contains(job.outputLFN!) { openJobs.insert(job.id) }
        }
        let open = openJobs
        if !record.cancelled, let id = record.workflowID, previous == .succeeded, open.isEmpty {
            throw .conflict("request \(name) is already processed (workflow \(id)); nothing to do")
        }
        let builder = RequestBuilder(request: request, context: try await context(of: request))
        let notOnDisk = builder.inputsNotOnDisk(jobs.filter { open.contains($0.id) })
        let definition = try builder.workflow(jobs: jobs, progress: .init(succeededTasks: succeeded, openJobs: open), notOnDisk: notOnDisk)
        try await workflows.check(definition, file: record.fileName)
        let placeNow = try Self.placesRulesInTransaction(store)
        let workflowID = try await store.write { session in
            let now = Timestamp.now
            // Invalidated inputs stay out; inputs a killed job left Assigned are free again.
            try await session.setRequestInputs(request: record.id, from: [.assigned], to: .unused, reason: "request resumed", at: now)
            let workflowID = try await Self.start(definition, request: record.id, name: name, detail: "resumed: \(open.count) open job(s)", session, now, actor)
            try await RequestDataRules.place(request, jobs: jobs, notOnDisk: notOnDisk, in: session, at: now, placeNow: placeNow)
            return workflowID
        }
        onCommand()
        return Submission(
            request: name, workflowID: workflowID, resumed: true, tasks: definition.tasks.count, jobs: jobs.count, jobsToRun: open.count,
            inputsNotOnDisk: Set(notOnDisk.values.flatMap { $0 }).count)
    }

    /// Whether the configured data-management engine places the request's rules inside its
    /// submission (embedded), or in its next cycle (Rucio).
    static func placesRulesInTransaction(_ store: Store) throws(ConveyorError) -> Bool {
        try DataManagement.configured(store: store).placesRulesInTransaction
    }

    private static func start(
        _ definition: WorkflowDefinition, request: Int64, name: String, detail: String, _ session: StoreSession, _ now: Timestamp,
        _ actor: Actor
    ) async throws -> Int64 {
        let workflowID = try await session.insertWorkflow(definition, at: now, by: actor.name)
        try await session.appendWorkflowEvents([
            WorkflowEvent(
                workflowID: workflowID, taskID: nil, at: now, actor: actor.name, kind: "workflow",
                to: "running", detail: "request \(name): \(detail)")
        ])
        try await session.setRequestWorkflow(request, workflow: workflowID)
        try await session.appendAudit(
            AuditRecord(
                at: now, actor: actor, action: "requests.submit", subjectKind: "request", subject: name,
                detail: "workflow \(workflowID), \(definition.tasks.count) tasks; \(detail)"))
        return workflowID
    }

    /// The runs (a bucket's members, or the registered physics runs of the range that are not
    /// BAD) with their quality now, and the run query their files are looked up with.
    public func runs(of request: ProcessingRequest) async throws(ConveyorError) -> (runs: [RegisteredRun], query: RunQuery) {
        let registry = RunRegistry(store: store)
        if let name = request.bucket {
            let bucket = try await registry.bucket(named: name).bucket
            let query = RunQuery(exp: bucket.exp, runRange: bucket.firstRun...bucket.lastRun)
            let members = Set(bucket.members.map(\.run))
            return (try await registry.list(query).runs.filter { members.contains($0.record.run.run) }, query)
        } else if let range = request.runQuery {
            return (try await registry.list(RunQuery(exp: range.exp, runRange: range.runRange, type: .physics)).runs.filter { $0.quality != .bad }, range)
        }
        throw .invalidInput("the request names neither a bucket nor runs")
    }

    /// The runs, their input files with replicas, and the ids of the tags output paths name.
    func context(
        of request: ProcessingRequest, runs known: (runs: [RegisteredRun], query: RunQuery)? = nil
    ) async throws(ConveyorError) -> RequestBuilder.Context {
        let found: (runs: [RegisteredRun], query: RunQuery)
        if let known { found = known } else { found = try await runs(of: request) }
        let (runs, query) = (found.runs.map(\.record), found.query)
        let files = try await store.read { try await $0.files(FileQuery(runs: query, level: request.input.level, status: .good, limit: 10_000_000)) }
        var ids: [String: Int64] = [:]
        let conditions = ConditionsDatabase(store: store)
        for name in Set(request.globalTags + [request.stagingTag, request.promptTag].compactMap { $0 }).sorted() {
            do {
                ids[name] = try await conditions.tag(named: name).id
            } catch .notFound(_) where name == request.stagingTag {
                // The request's own first step prepares its staging tag.
            }
        }
        return .init(runs: runs, inputFiles: files, tagIDs: ids)
    }

    // MARK: Reading

    /// Where a request stands, in one word.
    public enum State: String, Sendable, Codable {
        case running, done, incomplete, failed, cancelled
    }

    public struct Summary: Sendable, Codable {
        public let record: RequestRecord
        public let state: State
        public let workflow: WorkflowRun?
        /// Inputs by state across the request's jobs.
        public let inputs: [String: Int]
    }

    public func list() async throws(ConveyorError) -> [Summary] {
        var summaries: [Summary] = []
        for record in try await store.read({ try await $0.requests() }) { summaries.append(try await summary(record)) }
        return summaries
    }

    func summary(_ record: RequestRecord) async throws(ConveyorError) -> Summary {
        var workflow: WorkflowRun?
        if let id = record.workflowID { workflow = try await store.read { try await $0.workflow(id) } }
        let counts = try await store.read { try await $0.requestInputCounts(request: record.id) }
        var inputs: [String: Int] = [:]
        for states in counts.values { for (state, n) in states { inputs[state.rawValue, default: 0] += n } }
        let open = (inputs["unused"] ?? 0) + (inputs["assigned"] ?? 0) + (inputs["invalidated"] ?? 0)
        let state: State =
            if record.cancelled { .cancelled } else {
                switch workflow?.state {
                case .running?: .running
                case .failed?: .failed
                case .cancelled?: .cancelled
                default: open > 0 ? .incomplete : .done
                }
            }
        return Summary(record: record, state: state, workflow: workflow, inputs: inputs)
    }

    /// A request's whole picture: steps with their progress, calibrations, sign-offs waiting,
    /// payloads in the staging tag, inputs not on disk, outputs with their luminosity.
    public struct Detail: Sendable, Codable {
        public struct Step: Sendable, Codable {
            public let name: String
            public let kind: String
            public let summary: String
            /// Workflow tasks of the step with their states.
            public let tasks: [String: String]
            public let elementsDone: Int
            public let elements: Int
            /// The step's inputs by state.
            public let inputs: [String: Int]
            public let state: String
        }
        public struct Outputs: Sendable, Codable {
            public let step: String
            public let level: DataLevel
            public let dataTag: String?
            public let files: Int
            public let events: Int64
            /// /pb behind the files, traced to the raw data.
            public let luminosity: Double?
        }
        public let summary: Summary
        public let request: ProcessingRequest
        public let steps: [Step]
        public let calibrations: [CalibrationAttempt]
        public let pendingSignoffs: [WorkflowTask]
        public let payloads: [TagEntry]
        public let problems: [RequestInput]
        public let inputsNotOnDisk: [String]
        public let outputs: [Outputs]
        /// Time the work waited for its data (staging, output rules).
        public let waitedOnData: RequestDataWaits
    }

    /// A request's steps with their state and progress (the list page's bars).
    public func steps(of record: RequestRecord) async throws(ConveyorError) -> [Detail.Step] {
        steps(try Self.parse(Data(record.configuration.utf8), name: record.fileName), try await snapshot(record))
    }

    /// What the request's pages and summaries are read from, loaded once: the current workflow's
    /// tasks, the jobs, and every input row (states by step, open jobs, problems all derive from it).
    struct Snapshot {
        let tasks: [WorkflowTask]
        let jobs: [RequestJob]
        let inputs: [RequestInput]

        /// Jobs with an input not yet final.
        var openJobs: Set<Int64> { Set(inputs.filter { !$0.state.isFinal }.map(\.jobID)) }
        /// Jobs whose inputs are Processed (their output is registered).
        var processedJobs: Set<Int64> { Set(inputs.filter { $0.state == .processed }.map(\.jobID)) }

        /// Registered outputs by step, level and skim.
        struct OutputGroup {
            let step: String
            let level: DataLevel
            let dataTag: String?
            var lfns: [String] = []
            var events: Int64 = 0
        }

        var outputGroups: [OutputGroup] {
            struct Key: Hashable { let step: String; let level: DataLevel; let tag: String? }
            let processed = processedJobs
            var groups: [Key: OutputGroup] = [:]
            for job in jobs where processed.contains(job.id) {
                guard let lfn = job.outputLFN else { continue }
                let key = Key(step: job.step, level: job.level, tag: job.dataTag)
                groups[key, default: OutputGroup(step: job.step, level: job.level, dataTag: job.dataTag)].lfns.append(lfn)
                groups[key]!.events += job.events ?? 0
            }
            return groups.values.sorted { ($0.step, $0.dataTag ?? "") < ($1.step, $1.dataTag ?? "") }
        }
    }

    func snapshot(_ record: RequestRecord) async throws(ConveyorError) -> Snapshot {
        var tasks: [WorkflowTask] = []
        if let id = record.workflowID { tasks = try await Workflows(store: store).show(id).tasks }
        let (jobs, inputs) = try await store.read { session in
            (try await session.requestJobs(request: record.id), try await session.requestInputs(request: record.id))
        }
        return Snapshot(tasks: tasks, jobs: jobs, inputs: inputs)
    }

    func steps(_ request: ProcessingRequest, _ snapshot: Snapshot) -> [Detail.Step] {
        let (tasks, jobs) = (snapshot.tasks, snapshot.jobs)
        let openJobs = snapshot.openJobs
        var counts: [String: [String: Int]] = [:]
        for input in snapshot.inputs { counts[input.step, default: [:]][input.state.rawValue, default: 0] += 1 }
        var steps: [Detail.Step] = []
        var stepNames = RequestPlan(request).steps.map { ($0.name, $0.kind.rawValue, $0.summary) }
        if tasks.contains(where: { $0.name.hasPrefix("stage:") }) { stepNames.insert(("tape-staging", "wait", "inputs only on tape wait for staging"), at: 0) }
        if tasks.contains(where: { $0.name == "prompt-release" }), let at = stepNames.firstIndex(where: { $0.0.hasPrefix("mdst-") }) {
            stepNames.insert(("prompt-release", "wait", "PromptReco waits for the handshake to release the runs"), at: at)
        }
        for (step, kind, text) in stepNames {
            let mine = tasks.filter { request.step(ofTask: $0.name) == step }
            // Job steps count the request's jobs (across resumed runs); others their task elements.
            let stepJobs = jobs.filter { $0.step == step }
            let elements = stepJobs.isEmpty ? mine.reduce(0) { $0 + $1.definition.elements } : stepJobs.count
            let done =
                stepJobs.isEmpty
                ? mine.reduce(0) { total, task in
                    total + (task.elementCounts[TaskState.succeeded.rawValue] ?? (task.state == TaskState.succeeded ? task.definition.elements : 0))
                }
                : stepJobs.filter { !openJobs.contains($0.id) }.count
            let state: String =
                if mine.isEmpty { "none" } else if mine.allSatisfy({ $0.state == .succeeded }) {
                    "succeeded"
                } else if let bad = mine.first(where: { $0.state.isFailure || $0.state == .paused }) {
                    bad.state.rawValue
                } else if mine.contains(where: { $0.state == TaskState.awaiting_signoff }) {
                    "awaiting_signoff"
                } else if mine.allSatisfy({ $0.state == .pending }) { "pending" } else { "running" }
            steps.append(
                Detail.Step(
                    name: step, kind: kind, summary: text, tasks: Dictionary(mine.map { ($0.name, $0.state.rawValue) }, uniquingKeysWith: { a, _ in a }),
                    elementsDone: done, elements: elements,
                    inputs: counts[step] ?? [:], state: state))
        }
        return steps
    }

    public func show(_ name: String) async throws(ConveyorError) -> Detail {
        let (record, request) = try await Self.load(name, from: store)
        let summary = try await summary(record)
        let snapshot = try await snapshot(record)
        let steps = steps(request, snapshot)
        let (tasks, jobs, openJobs) = (snapshot.tasks, snapshot.jobs, snapshot.openJobs)
        // Per calibration, in the order its algorithm ran (calibrations run side by side).
        let attempts = try await store.read { try await $0.calibrationAttempts(request: record.id) }
        let order = request.calibrations.map(\.name)
        let calibrations = attempts.enumerated().sorted { a, b in
            let (x, y) = (order.firstIndex(of: a.element.calibration) ?? 0, order.firstIndex(of: b.element.calibration) ?? 0)
            return x != y ? x < y : a.offset < b.offset
        }.map(\.element)
        var payloads: [TagEntry] = []
        if let staging = request.stagingTag, !request.calibrations.isEmpty {
            payloads = (try? await ConditionsDatabase(store: store).entries(ofTag: staging)) ?? []
        }
        let problems = snapshot.inputs.filter { $0.state == .problematic } + snapshot.inputs.filter { $0.state == .invalidated }
        // Open jobs' inputs that exist (outputs of earlier steps may not yet) but have no disk copy at the job's site.
        var notOnDisk: Set<String> = []
        var wanted: [String: Set<String>] = [:]
        for job in jobs where openJobs.contains(job.id) { wanted[job.site, default: []].formUnion(job.inputs) }
        for (site, lfns) in wanted {
            let list = Array(lfns)
            let (existing, onDisk) = try await store.read { session in (try await session.registeredLFNs(list), try await session.lfnsOnDisk(list, at: site)) }
            notOnDisk.formUnion(existing.subtracting(onDisk))
        }
        // The luminosity step measured what existed when it ran; outputs made after it (physics skims) are traced now.
        let measured = Dictionary(
            (record.luminosity?.groups ?? []).map { ("\($0.level)/\($0.dataTag ?? "all")", $0.luminosity) }, uniquingKeysWith: { a, _ in a })
        var outputs: [Detail.Outputs] = []
        for group in snapshot.outputGroups {
            var luminosity = measured["\(group.level)/\(group.dataTag ?? "all")"]
            if luminosity == nil { luminosity = try? await FileCatalog(store: store).luminosity(behind: group.lfns).luminosity }
            outputs.append(
                .init(step: group.step, level: group.level, dataTag: group.dataTag, files: group.lfns.count, events: group.events, luminosity: luminosity))
        }
        return Detail(
            summary: summary, request: request, steps: steps, calibrations: calibrations,
            pendingSignoffs: tasks.filter { $0.state == .awaiting_signoff }, payloads: payloads, problems: problems,
            inputsNotOnDisk: notOnDisk.sorted(), outputs: outputs, waitedOnData: RequestDataWaits(tasks: tasks, now: .now))
    }

    /// A request's jobs, for `request jobs` and the page's output list.
    public func jobs(of name: String, step: String? = nil) async throws(ConveyorError) -> [RequestJob] {
        let (record, _) = try await Self.load(name, from: store)
        return try await store.read { try await $0.requestJobs(request: record.id, step: step) }
    }

    // MARK: Changing

    /// Cancels the request's running workflow and marks the request cancelled. Needs `manager`.
    public func cancel(_ name: String, reason: String, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.manager, to: "cancelling requests")
        let (record, _) = try await Self.load(name, from: store)
        guard !record.cancelled else { throw .conflict("request \(name) is already cancelled") }
        if let id = record.workflowID, try await Workflows(store: store).show(id).workflow.state == .running {
            try await Workflows(store: store, onCommand: onCommand).cancel(id, reason: reason.isEmpty ? "request \(name) cancelled" : reason, by: actor)
        }
        try await store.write { session in
            try await session.setRequestCancelled(record.id)
            try await session.appendAudit(AuditRecord(at: .now, actor: actor, action: "requests.cancel", subjectKind: "request", subject: name, detail: reason))
        }
    }

    /// Takes a bad input file out of a request: its jobs skip it until it is revalidated.
    /// Needs `manager` and a reason. - Returns: how many of the request's jobs read the file.
    @discardableResult
    public func invalidate(_ lfn: String, in name: String, reason: String, by actor: Actor) async throws(ConveyorError) -> Int {
        try actor.require(.manager, to: "invalidating input files")
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalidInput("say why: invalidating a file needs --reason") }
        let (record, _) = try await Self.load(name, from: store)
        let rows = try await store.read { try await $0.requestInputs(request: record.id, lfn: lfn) }
        guard !rows.isEmpty else { throw .notFound("\(lfn) is not an input of request \(name)") }
        let open = rows.filter { $0.state != .processed && $0.state != .invalidated }
        guard !open.isEmpty else {
            throw .conflict("\(lfn) is already \(Set(rows.map(\.state.rawValue)).sorted().joined(separator: ", ")) in request \(name)")
        }
        try await store.write { session in
            let now = Timestamp.now
            try await session.setRequestInputs(
                request: record.id, lfn: lfn, from: [.unused, .assigned, .problematic], to: .invalidated, reason: reason, at: now)
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "requests.invalidate", subjectKind: "file", subject: lfn,
                    detail: "in request \(name): \(reason)"))
        }
        return open.count
    }

    /// Puts an invalidated (or Problematic) input back: Unused, with its jobs' failures forgotten.
    /// A running request picks it up in jobs not yet run; otherwise ``resume(_:by:)`` processes it.
    @discardableResult
    public func revalidate(_ lfn: String, in name: String, reason: String, by actor: Actor) async throws(ConveyorError) -> Int {
        try actor.require(.manager, to: "revalidating input files")
        let (record, _) = try await Self.load(name, from: store)
        let rows = try await store.read { try await $0.requestInputs(request: record.id, lfn: lfn) }
        guard !rows.isEmpty else { throw .notFound("\(lfn) is not an input of request \(name)") }
        let back = rows.filter { $0.state == .invalidated || $0.state == .problematic }
        guard !back.isEmpty else {
            throw .conflict("\(lfn) is \(Set(rows.map(\.state.rawValue)).sorted().joined(separator: ", ")) in request \(name), not invalidated")
        }
        try await store.write { session in
            let now = Timestamp.now
            for row in back {
                if var job = try await session.requestJobs(request: record.id, id: row.jobID).first {
                    job.failures = 0
                    job.reason = ""
                    try await session.updateRequestJob(job, at: now)
                }
            }
            try await session.setRequestInputs(
                request: record.id, lfn: lfn, from: [.invalidated, .problematic], to: .unused,
                reason: reason.isEmpty ? "revalidated by \(actor.name)" : reason, at: now)
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "requests.revalidate", subjectKind: "file", subject: lfn,
                    detail: "in request \(name)\(reason.isEmpty ? "" : ": \(reason)")"))
        }
        return back.count
    }

    // MARK: Estimating

    /// How long a request takes on each number of slots: measured costs (``measuredCost(_:)``)
    /// and the luminosity given, else its bucket's or run range's in the run registry.
    public func estimate(_ request: ProcessingRequest, slots: [Int], luminosity: Double?) async throws(ConveyorError) -> Estimate {
        let (cost, perEvent) = try await measuredCost(request)
        var lumi = luminosity ?? 0
        if luminosity == nil {
            let registry = RunRegistry(store: store)
            if let bucket = request.bucket {
                lumi = try await registry.bucket(named: bucket).bucket.luminosity
            } else {
                lumi = try await registry.list(request.runQuery ?? RunQuery()).totals.luminosityPerPicobarn
            }
        }
        let plan = RequestPlan(request, cost: cost)
        return Estimate(plan: plan, estimate: RequestEstimate(plan: plan, luminosity: lumi, slots: slots), cpuPerEvent: perEvent)
    }

    public struct Estimate: Sendable, Encodable {
        public let plan: RequestPlan
        public let estimate: RequestEstimate
        /// CPU-seconds per event by step, where earlier jobs measured it.
        public let cpuPerEvent: [String: Double]
        /// Job steps whose cost is seed 000's figure, because no earlier job of that step was measured.
        public let seedCostSteps: [String]

        public init(plan: RequestPlan, estimate: RequestEstimate, cpuPerEvent: [String: Double]) {
            self.plan = plan
            self.estimate = estimate
            self.cpuPerEvent = cpuPerEvent
            self.seedCostSteps = plan.steps.filter { $0.kind == .job && cpuPerEvent[$0.name] == nil }.map(\.name)
        }

        enum CodingKeys: String, CodingKey { case estimate, cpuPerEvent, seedCostSteps }
    }

    /// CPU per event of each job step of the plan, measured from earlier requests' finished jobs,
    /// turned into CPU-hours per /fb with the events per /fb of this request's runs. Steps
    /// without measured jobs keep the defaults (seed 000).
    public func measuredCost(_ request: ProcessingRequest) async throws(ConveyorError) -> (cost: [String: Double], cpuPerEvent: [String: Double]) {
        var cost = RequestPlan.defaultCost
        var perEvent: [String: Double] = [:]
        let runs: [RunRecord]
        do {
            runs = try await self.runs(of: request).runs.map(\.record)
        } catch .notFound(_) {
            return (cost, perEvent)  // no runs to scale measurements by: the estimate names its seed-cost steps
        }
        let runLuminosity = runs.reduce(0) { $0 + $1.luminosity }
        let runEvents = runs.reduce(Int64(0)) { $0 + $1.events }
        guard runLuminosity > 0 else { return (cost, perEvent) }
        for step in RequestPlan(request).steps where step.kind == .job {
            let m = try await store.read { try await $0.measuredJobs(step: step.name) }
            guard m.jobs > 0, m.events > 0 else { continue }
            let cpuPerEvent = m.cpuSeconds / Double(m.events)
            perEvent[step.name] = cpuPerEvent
            cost[step.name] = cpuPerEvent * Double(runEvents) / (runLuminosity / 1_000) / 3_600
        }
        return (cost, perEvent)
    }
}
