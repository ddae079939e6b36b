import ConveyorCore

/// Turns a request into its jobs and its workflow: pure, so that what a request generates can be
/// read and tested without a database. ``Requests`` gathers what it needs (runs, input files with
/// their replicas, tag ids) and stores what it returns.
///
/// ```swift
/// let builder = RequestBuilder(request: request, context: context)
/// let jobs = try builder.jobs()                              // one per input file (or group)
/// let workflow = builder.workflow(jobs: storedJobs, done: [:]) // the DAG, jobs as array elements
/// ```
public struct RequestBuilder: Sendable {
    /// What the builder reads from the installation.
    public struct Context: Sendable {
        public var runs: [RunRecord]
        /// Input files of the request's runs at the input level (good files only), with replicas.
        public var inputFiles: [CatalogFile]
        /// Ids of the tags whose id goes into output paths (`DB<id>`).
        public var tagIDs: [String: Int64]

        public init(runs: [RunRecord], inputFiles: [CatalogFile], tagIDs: [String: Int64]) {
            self.runs = runs
            self.inputFiles = inputFiles
            self.tagIDs = tagIDs
        }
    }

    /// How far an earlier workflow run of the same request got, for a resumed request.
    public struct Progress: Sendable {
        /// Tasks that succeeded before, with the workflow they succeeded in.
        public var succeededTasks: [String: Int64]
        /// Jobs with an input not yet final (Unused, Assigned or Invalidated).
        public var openJobs: Set<Int64>

        public init(succeededTasks: [String: Int64] = [:], openJobs: Set<Int64> = []) {
            self.succeededTasks = succeededTasks
            self.openJobs = openJobs
        }
    }

    public let request: ProcessingRequest
    public let context: Context
    public let plan: RequestPlan

    public init(request: ProcessingRequest, context: Context) {
        self.request = request
        self.context = context
        self.plan = RequestPlan(request)
    }

    var calibrating: Bool { !request.calibrations.isEmpty }

    /// The tag whose id names the output folders (`DB<id>`): the first of the stack that exists
    /// when the request is submitted (a reprocessing's new tag does not yet, so its staging tag's).
    func pathTagID(forStep step: String) -> Int64 {
        for name in request.tags(forStep: step) + request.calibrationTags { if let id = context.tagIDs[name] { return id } }
        return 0
    }

    // MARK: Jobs

    /// Every job of the request, with inputs and output LFNs: the same each time for the same
    /// request and catalog, which is what keeps outputs from being made twice.
    public func jobs() throws(ConveyorError) -> [RequestJob] {
        if let mc = request.monteCarlo { return try monteCarloJobs(mc) }
        let energy = Dictionary(context.runs.map { ($0.run, $0.energy) }, uniquingKeysWith: { a, _ in a })
        let requestRuns = Set(context.runs.map(\.run))
        let only = Set(request.input.files)
        let candidates = context.inputFiles.filter { file in
            requestRuns.contains(file.run) && file.level == request.input.level && file.status == .good && (only.isEmpty || only.contains(file.lfn))
        }
        let selected = candidates.filter { request.input.skims.isEmpty || request.input.skims.contains($0.dataTag ?? "") }
        if !only.isEmpty, candidates.count < only.count {
            let missing = only.subtracting(candidates.map(\.lfn)).sorted()
            throw .invalidInput(
                "input.files: \(missing.count) file(s) are not good \(request.input.level.rawValue) files of the request's runs and selection, e.g. \(missing[0])"
            )
        }
        var sequences: [String: Int] = [:]
        var jobs: [RequestJob] = []
        func isSkim(_ tag: String?) -> Bool { tag != nil && tag != "all" }

        /// Groups (run, tag, site) of inputs into jobs of `filesPerJob` and names their outputs.
        func make(
            _ step: String, _ inputs: [(lfn: String, run: ExpRun, tag: String?, site: String)], level: DataLevel?,
            outputTag: (String?) -> String?, perRun: Bool = false
        ) -> [RequestJob] {
            struct Key: Hashable { let run: ExpRun; let tag: String?; let site: String }
            var groups: [Key: [String]] = [:]
            for input in inputs { groups[Key(run: input.run, tag: perRun ? nil : input.tag, site: input.site), default: []].append(input.lfn) }
            var made: [RequestJob] = []
            for key in groups.keys.sorted(by: { ($0.run, $0.tag ?? "", $0.site) < ($1.run, $1.tag ?? "", $1.site) }) {
                let lfns = groups[key]!.sorted()
                let size = perRun ? lfns.count : request.filesPerJob
                for start in stride(from: 0, to: lfns.count, by: max(size, 1)) {
                    let chunk = Array(lfns[start..<min(start + size, lfns.count)])
                    let tag = outputTag(key.tag)
                    var output: String?
                    if let level {
                        let path = OutputPath(
                            base: request.outputBase, release: request.release, globalTagID: pathTagID(forStep: step),
                            campaign: request.stripping?.round ?? request.campaign.description, run: key.run, energy: energy[key.run] ?? "unknown",
                            dataTag: tag, level: level)
                        let sequence = sequences[path.folder, default: request.firstSequence]
                        sequences[path.folder] = sequence + 1
                        output = path.lfn(sequence: sequence)
                    }
                    made.append(
                        RequestJob(
                            step: step, task: taskName(step, site: key.site), site: key.site, run: key.run, level: level ?? .mdst,
                            dataTag: tag, outputLFN: output, inputs: chunk))
                }
            }
            return made
        }
        func raw(_ files: [CatalogFile]) -> [(lfn: String, run: ExpRun, tag: String?, site: String)] {
            files.map { ($0.lfn, $0.run, $0.dataTag, site(for: $0).name) }
        }
        func outputs(of step: [RequestJob]) -> [(lfn: String, run: ExpRun, tag: String?, site: String)] {
            step.compactMap { job in job.outputLFN.map { ($0, job.run, job.dataTag, job.site) } }
        }

        // HLT skims first, from the all-events raw files; the reconstruction reads those the input selects.
        var skimmed: [(lfn: String, run: ExpRun, tag: String?, site: String)] = []
        if !request.hltSkims.isEmpty {
            let allEvents = candidates.filter { !isSkim($0.dataTag) }
            for skim in request.hltSkims {
                let made = make("hlt-skims", raw(allEvents), level: .raw, outputTag: { _ in skim })
                jobs += made
                if request.input.skims.contains(skim) { skimmed += outputs(of: made) }
            }
        }
        let cdstTags = Set(request.calibrations.filter { $0.level == .cdst }.flatMap(\.dataTags))
        if plan.steps.contains(where: { $0.name == "cdst-calibration-skims" }) {
            let inputs = calibrating ? selected.filter { cdstTags.contains($0.dataTag ?? "") } : selected
            jobs += make("cdst-calibration-skims", raw(inputs) + skimmed, level: .cdst, outputTag: { $0 })
        }
        var mdst: [RequestJob] = []
        if request.outputs.contains(.mdst) {
            let hlt = make("mdst-hlt-skims", raw(selected.filter { isSkim($0.dataTag) }) + skimmed, level: .mdst, outputTag: { $0 })
            let all = make("mdst-all-events", raw(selected.filter { !isSkim($0.dataTag) }), level: .mdst, outputTag: { _ in nil })
            jobs += hlt + all
            mdst = all.isEmpty ? hlt : all
        }
        if let stripping = request.stripping {
            // One file per stream per input mDST, each written by the stream's selections.
            for stream in stripping.streams { jobs += make("stripping", raw(selected), level: .udst, outputTag: { _ in stream.name }) }
        }
        if request.commands.quality != nil, !mdst.isEmpty {
            jobs += make("quality-report", outputs(of: mdst), level: nil, outputTag: { $0 }, perRun: true)
        }
        if !request.skims.isEmpty {
            for skim in request.skims {
                jobs += make("physics-skims", outputs(of: mdst), level: .udst, outputTag: { _ in skim })
            }
        }
        return jobs
    }

    /// Where an input runs: the first site (in the request's order) holding an available disk
    /// copy, else the first holding any available copy (tape, to be staged), else the first site.
    public func site(for file: CatalogFile) -> ProcessingRequest.Site {
        let available = file.replicas.filter { $0.state == .available }
        for site in request.sites where available.contains(where: { $0.site == site.name && $0.storage == .disk }) { return site }
        for site in request.sites where available.contains(where: { $0.site == site.name }) { return site }
        return request.sites[0]
    }

    /// Inputs of the jobs with no available disk copy at their job's site: they wait for staging.
    public func inputsNotOnDisk(_ jobs: [RequestJob]) -> [String: [String]] {
        let files = Dictionary(context.inputFiles.map { ($0.lfn, $0) }, uniquingKeysWith: { a, _ in a })
        var waiting: [String: [String]] = [:]
        for job in jobs {
            for lfn in job.inputs {
                guard let file = files[lfn] else { continue }  // made by the request itself
                if !file.replicas.contains(where: { $0.site == job.site && $0.storage == .disk && $0.state == .available }) {
                    waiting[job.task, default: []].append(lfn)
                }
            }
        }
        return waiting.mapValues { Array(Set($0)).sorted() }
    }

    func taskName(_ step: String, site: String) -> String { Self.taskName(step, site: site, of: request) }

    /// The workflow task of a step at a site: the step, or `step@site` when the request has several sites.
    static func taskName(_ step: String, site: String, of request: ProcessingRequest) -> String {
        request.sites.count > 1 ? "\(step)@\(site)" : step
    }

    // MARK: The workflow

    /// The DAG: the plan's steps as tasks, job steps as arrays of the stored jobs, and
    /// staging waits for inputs only on tape. With `progress`, work done by an earlier run of the
    /// request becomes no-op tasks and only open jobs run again.
    public func workflow(jobs: [RequestJob], progress: Progress? = nil, notOnDisk: [String: [String]] = [:]) throws(ConveyorError) -> WorkflowDefinition {
        var tasks: [TaskDefinition] = []
        var last: [String] = []
        let jobRetry = RetryPolicy(limit: request.maxFileFailures, cooloffBase: request.retryCooloff)
        let name = request.name

        func add(_ task: TaskDefinition) {
            var task = task
            // Job steps rerun their open jobs (jobTasks); other work done before is not done again.
            if let progress, let workflow = progress.succeededTasks[task.name], task.kind != .job || task.name.hasPrefix("calibrate:") {
                task = TaskDefinition(name: task.name, kind: .action, dependsOn: task.dependsOn, action: ActionStep(name: "noop"))
                task.action?.parameters["done"] = "in workflow \(workflow)"
            }
            tasks.append(task)
        }
        func noop(_ step: String, after: [String]) -> [String] {
            add(TaskDefinition(name: step, kind: .action, dependsOn: after, action: ActionStep(name: "noop")))
            return [step]
        }
        // Jobs waiting for staging at one site may move to another that has their inputs on disk first.
        let placement = JobMovePlan(
            jobs: jobs, open: progress?.openJobs, notOnDisk: notOnDisk, sites: request.sites.map(\.name), taskName: { taskName($0, site: $1) })
        /// One task per site with jobs of the step, or reserves for jobs that may move there (a no-op when there are none).
        func jobTasks(_ step: String, after: [String], priority: Int = 0) -> [String] {
            let stepJobs = jobs.filter { $0.step == step }
            var names: [String] = []
            for site in request.sites {
                let siteJobs = stepJobs.filter { $0.site == site.name }
                let task = taskName(step, site: site.name)
                let slots = placement.elements(ofTask: task)
                guard !siteJobs.isEmpty || !slots.isEmpty else { continue }
                if slots.isEmpty {
                    add(
                        TaskDefinition(
                            name: task, kind: .action, dependsOn: after, action: ActionStep(name: "noop", parameters: ["done": "all \(siteJobs.count) jobs"])))
                } else {
                    var dependsOn = after
                    if let waiting = notOnDisk[task], !waiting.isEmpty {
                        let stage = "stage:\(task)"
                        var wait = TaskDefinition(name: stage, kind: .wait, wait: .filesOnDisk(site: site.name, lfns: waiting))
                        let moves = placement.moves(waitingIn: task)
                        if !moves.isEmpty { wait.moves = moves }
                        add(wait)
                        dependsOn.append(stage)
                    }
                    var definition = TaskDefinition(
                        name: task,
                        commands: slots.map { RequestJobAccountant.element(request: name, job: $0.job.id, site: $0.reserve ? site.name : nil) },
                        pool: site.pool, priority: priority + request.priority, retry: jobRetry, dependsOn: dependsOn, accountant: RequestJobAccountant.name)
                    let reserves = slots.indices.filter { slots[$0].reserve }
                    if !reserves.isEmpty { definition.standby = reserves }
                    add(definition)
                }
                names.append(task)
            }
            return names.isEmpty ? noop(step, after: after) : names
        }

        func outputsPlaced() {
            if !request.outputRules.isEmpty {
                // Done only once the outputs are where the request's rules put them.
                add(TaskDefinition(name: "outputs-placed", kind: .wait, dependsOn: last, wait: .rulesOK(request: name)))
                last = ["outputs-placed"]
            }
        }
        if request.monteCarlo != nil {
            // An MC production is its generation jobs, then where its outputs must be.
            last = jobTasks(RequestPlan.generationStep, after: [])
            outputsPlaced()
            let definition = WorkflowDefinition(name: "request \(name)", tasks: tasks)
            try definition.validate(file: "request \(name)")
            return definition
        }
        if calibrating, let staging = request.stagingTag {
            add(
                TaskDefinition(
                    name: "staging", kind: .action,
                    action: ActionStep(
                        name: "gt.prepare-staging",
                        parameters: ["tag": staging, "empty": progress == nil ? "yes" : "no"])))
            add(TaskDefinition(name: "local-calibrations", kind: .signoff, dependsOn: ["staging"], role: .expert))
            // A failed calibration pauses for its expert at once (up to three tries before it fails for good).
            let calibrationRetry = RetryPolicy(limit: 3, pauseAfter: 1)
            func calibrationTask(_ c: ProcessingRequest.Calibration, after: [String]) {
                // The algorithm runs centrally, as the CAF runs it on its own host; its collectors' inputs are the skims' outputs.
                add(
                    TaskDefinition(
                        name: "calibrate:\(c.name)", kind: .action, priority: 10, retry: calibrationRetry,
                        dependsOn: after + c.dependsOn.map { "calibrate:\($0)" },
                        action: ActionStep(name: "request.calibrate", parameters: ["request": name, "calibration": c.name])))
            }
            let raw = request.calibrations.filter { $0.level == .raw }
            let cdst = request.calibrations.filter { $0.level == .cdst }
            let cdstNames = Set(cdst.map(\.name))
            for c in raw {
                if let bad = c.dependsOn.first(where: cdstNames.contains) {
                    throw .invalidInput("calibrations: \(c.name) reads raw data and runs before the cDST calibrations, so it cannot depend on \(bad)")
                }
                calibrationTask(c, after: ["local-calibrations"])
            }
            let rawTasks = raw.map { "calibrate:\($0.name)" }
            let skims = jobTasks("cdst-calibration-skims", after: rawTasks.isEmpty ? ["local-calibrations"] : rawTasks, priority: 5)
            for c in cdst { calibrationTask(c, after: skims) }
            add(
                TaskDefinition(
                    name: "staging-check", kind: .action, dependsOn: rawTasks + skims + cdst.map { "calibrate:\($0.name)" },
                    action: ActionStep(name: "gt.check", parameters: ["tag": staging])))
            for c in request.calibrations {
                add(
                    TaskDefinition(
                        name: "signoff:\(c.name)", kind: .signoff, dependsOn: ["staging-check"], role: .expert,
                        signers: c.expert.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }))
            }
            add(TaskDefinition(name: "manager-signoff", kind: .signoff, dependsOn: request.calibrations.map { "signoff:\($0.name)" }, role: .manager))
            switch request.campaign {
            case .prompt:
                let first = context.runs.map(\.run).min() ?? ExpRun(exp: 0, run: 0)
                add(
                    TaskDefinition(
                        name: "validate-staging", kind: .action, dependsOn: ["manager-signoff"],
                        action: ActionStep(name: "gt.set-state", parameters: ["tag": staging, "state": "TESTING,VALIDATED"])))
                add(
                    TaskDefinition(
                        name: "running-update", kind: .action, dependsOn: ["validate-staging"],
                        action: ActionStep(
                            name: "gt.running-update",
                            parameters: [
                                "running": request.promptTag ?? "", "staging": staging,
                                "valid_from": first.description,
                            ])))
                last = ["running-update"]
            default:
                add(
                    TaskDefinition(
                        name: "new-tag", kind: .action, dependsOn: ["manager-signoff"],
                        action: ActionStep(
                            name: "gt.merge",
                            parameters: [
                                "sources": ([staging] + request.globalTags).joined(separator: ","),
                                "target": request.promptTag ?? "",
                            ])))
                last = ["new-tag"]
            }
        } else {
            if plan.steps.contains(where: { $0.name == "hlt-skims" }) { last = jobTasks("hlt-skims", after: [], priority: 6) }
            if plan.steps.contains(where: { $0.name == "cdst-calibration-skims" }) { last = jobTasks("cdst-calibration-skims", after: last) }
        }
        if request.outputs.contains(.mdst) {
            if request.campaign == .prompt {
                // PromptReco of the bucket's runs waits for the handshake to release them (no wait while it is off).
                add(TaskDefinition(name: "prompt-release", kind: .wait, dependsOn: last, wait: .promptReleased(runs: context.runs.map(\.run).sorted())))
                last = ["prompt-release"]
            }
            last = jobTasks("mdst-hlt-skims", after: last, priority: 2)
            last = jobTasks("mdst-all-events", after: last, priority: 1)
        }
        if request.stripping != nil { last = jobTasks("stripping", after: last) }
        add(
            TaskDefinition(
                name: "luminosity", kind: .action, retry: jobRetry, dependsOn: last,
                action: ActionStep(name: "request.luminosity", parameters: ["request": name])))
        last = ["luminosity"]
        last = request.commands.quality == nil ? noop("quality-report", after: last) : jobTasks("quality-report", after: last)
        if !request.skims.isEmpty { last = jobTasks("physics-skims", after: last) }
        outputsPlaced()
        let definition = WorkflowDefinition(name: "request \(name)", tasks: tasks)
        try definition.validate(file: "request \(name)")
        return definition
    }
}
