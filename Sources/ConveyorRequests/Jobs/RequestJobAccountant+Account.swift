import ConveyorCore
import ConveyorJob
import ConveyorMonitoring
import ConveyorStore
import ConveyorWorkflow
import Foundation

extension RequestJobAccountant {
    /// What accounting decided for one job, written with the others of its batch.
    private enum Entry {
        case done(String)
        /// The output's registration (nil for jobs without a catalog output) and the job's figures.
        case registered(Loaded, RequestJob, CatalogFile?, String, MonitoringFile? = nil)
        case failed(Loaded, RequestJob, String)
    }

    /// Reads each ended job's report and, in one transaction for the batch, registers the outputs
    /// with their provenance, moves the inputs and records the jobs' figures.
    public func account(_ ended: [EndedJob]) async throws(ConveyorError) -> [JobVerdict] {
        var cache: [String: Loaded] = [:]
        var wanted: [(Loaded, Int64)] = []
        for item in ended {
            let (name, id, _) = try Self.parse(item.element)
            wanted.append((try await load(name, cache: &cache), id))
        }
        // Everything the batch needs from the store, in one read.
        let found = try await states(wanted.map(\.1)).enumerated().map { i, state in state?.job.requestID == wanted[i].0.record.id ? state : nil }
        var entries: [Entry] = []
        var claimed: Set<String> = []  // outputs registered earlier in this batch (a report read twice)
        for (i, item) in ended.enumerated() {
            guard let state = found[i] else {
                entries.append(.done("request \(wanted[i].0.record.name) has no job \(wanted[i].1) any more"))
                continue
            }
            entries.append(try judge(item, wanted[i].0, state, claimed: &claimed))
        }
        let decided = entries
        let files = entries.compactMap { entry -> CatalogFile? in if case .registered(_, _, let file?, _, _) = entry { file } else { nil } }
        // Per request, its outputs of the batch: they join the datasets of its output rules.
        var outputs: [String: (ProcessingRequest, [CatalogFile])] = [:]
        for entry in entries {
            if case .registered(let loaded, _, let file?, _, _) = entry, !loaded.request.outputRules.isEmpty {
                outputs[loaded.request.name, default: (loaded.request, [])].1.append(file)
            }
        }
        let placed = outputs
        return try await store.write { session in
            let now = Timestamp.now
            if !files.isEmpty { _ = try await session.registerFiles(files, at: now) }
            for (request, made) in placed.values { try await RequestDataRules.attachOutputs(made, of: request, in: session) }
            // A stripping round's stream files record the selections they hold, for the round's bookkeeping.
            for entry in decided {
                guard case .registered(let loaded, let job, let file?, _, _) = entry, job.step == "stripping", let stripping = loaded.request.stripping,
                    let stream = stripping.stream(named: file.dataTag), let round = try await session.round(named: stripping.round)
                else { continue }
                try await session.recordRoundFile(file.lfn, stream: stream.name, selections: stream.selections.map(\.name), round: round.id)
            }
            var verdicts: [JobVerdict] = []
            for entry in decided {
                switch entry {
                case .done(let detail):
                    verdicts.append(JobVerdict(succeeded: true, detail: detail))
                case .registered(let loaded, let job, let file, var detail, let monitoring):
                    if let file {
                        try await session.appendAudit(
                            AuditRecord(
                                at: now, actor: Requests.actor(for: loaded.record), action: "files.register",
                                subjectKind: "files", subject: file.lfn,
                                detail: "output of request \(loaded.record.name) job \(job.id)"))
                    }
                    if let monitoring {
                        detail += "; " + (try await Self.storeMonitoring(monitoring, of: loaded, job: job, in: session))
                    }
                    try await session.updateRequestJob(job, at: now)
                    try await session.setRequestInputs(request: loaded.record.id, job: job.id, to: .processed, reason: "", at: now)
                    if file != nil, job.step == RequestPlan.generationStep {
                        try await Self.countMonteCarlo(job, of: loaded.record.name, in: session, at: now)
                    }
                    verdicts.append(JobVerdict(succeeded: true, detail: detail))
                case .failed(let loaded, var job, let reason):
                    job.failures += 1
                    job.reason = reason
                    let limit = loaded.request.maxFileFailures
                    let givingUp = job.failures >= limit
                    try await session.updateRequestJob(job, at: now)
                    try await session.setRequestInputs(
                        request: loaded.record.id, job: job.id, from: [.unused, .assigned], to: givingUp ? .problematic : .unused,
                        reason: givingUp ? "failed \(job.failures) times: \(reason)" : reason, at: now)
                    verdicts.append(
                        givingUp
                            ? JobVerdict(succeeded: true, detail: "gave up after \(job.failures) failures, inputs are Problematic: \(reason)")
                            : JobVerdict(succeeded: false, detail: "try \(job.failures) of \(limit) failed: \(reason)"))
                }
            }
            return verdicts
        }
    }

    private func judge(_ item: EndedJob, _ loaded: Loaded, _ state: JobState, claimed: inout Set<String>) throws(ConveyorError) -> Entry {
        let job = state.job, inputs = state.inputs, id = job.id
        if let output = job.outputLFN, claimed.contains(output) { return .done("already done: \(output) is registered") }
        if let why = try Self.finishedAlready(loaded, state) {
            if why.hasPrefix("already done: "), job.outputLFN != nil, !inputs.allSatisfy({ $0.state.isFinal }) {
                // Registered by an earlier accounting whose scheduler stopped before marking the inputs.
                return .registered(loaded, job, nil, why)
            }
            return .done(why)
        }
        guard let data = FileManager.default.contents(atPath: item.folder + "/" + JobReport.fileName) else {
            let batch = item.status.reason.map { " (the batch system says: \($0))" } ?? ""
            return .failed(loaded, job, "the job wrote no \(JobReport.fileName)\(batch)")
        }
        let report: JobReport
        do { report = try JobReport.decode(from: data) } catch { return .failed(loaded, job, error.message) }
        let label = Self.jobLabel(loaded.record, job)
        guard report.job == label else { return .failed(loaded, job, "\(JobReport.fileName) is the report of \(report.job), not of \(label)") }
        if let failure = report.failure ?? (report.exitStatus == 0 ? nil : "the program exited with \(report.exitStatus ?? -1)") {
            return .failed(loaded, job, failure)
        }
        guard let site = loaded.request.sites.first(where: { $0.name == job.site }) else {
            return .failed(loaded, job, "job \(id) names site \(job.site), which the request no longer has")
        }
        var done = job
        done.failures = 0
        done.reason = ""
        done.cpuSeconds = report.cpuSeconds
        done.events = report.events
        if done.events == nil, job.outputLFN == nil {
            // A job without a catalog output (a quality report) accounts for its inputs' events.
            done.events = inputs.reduce(0) { $0 + (state.known[$1.lfn]?.events ?? 0) }
        }
        done.report = report.values.isEmpty ? nil : report.values.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
        guard let output = job.outputLFN else {
            if let monitoring = report.monitoring, monitoring.run != job.run {
                return .failed(loaded, job, "the monitoring file is for run \(monitoring.run), the job's run is \(job.run)")
            }
            return .registered(loaded, done, nil, "done: \(done.report?.replacingOccurrences(of: "\n", with: ", ") ?? "no report")", report.monitoring)
        }
        guard let reported = report.outputs.first(where: { $0.lfn == output }) else {
            return .failed(loaded, job, "the report names no output \(output)")
        }
        guard let events = report.events else { return .failed(loaded, job, "the program reported no events (write events=N to $CONVEYOR_REPORT)") }
        if let planned = job.plannedEvents, events != planned {
            return .failed(loaded, job, "the generator wrote \(events) events; the job asked for \(planned) (CONVEYOR_EVENTS)")
        }
        // Checked again where it arrived: a report is believed only about files that are there.
        let transferred = item.pool.transfersFiles
        let arrived = reported.location.hasPrefix("/") ? reported.location : item.folder + "/" + reported.location
        let sums: FileChecksums
        do { sums = try FileChecksums(ofFileAt: arrived) } catch {
            return .failed(loaded, job, "the report names \(output), but there is no file at \(arrived)\(transferred ? " (not transferred back?)" : "")")
        }
        guard sums.size == reported.size, sums.adler32 == reported.adler32, sums.sha256 == reported.sha256 else {
            return .failed(
                loaded, job,
                "\(output) at \(arrived) is \(sums.size) bytes with adler32 \(sums.adler32); the job reported \(reported.size) bytes, adler32 \(reported.adler32)"
            )
        }
        var home = arrived
        if transferred {
            home = site.path(of: output)
            do { try Self.bringHome(arrived, to: home) } catch { return .failed(loaded, job, error.message) }
        }
        let inputsLFNs = inputs.map(\.lfn)
        let file = CatalogFile(
            lfn: output, size: sums.size, adler32: sums.adler32, sha256: sums.sha256, events: events, run: job.run, level: job.level,
            dataTag: job.dataTag, release: loaded.request.release, globalTags: loaded.request.tags(for: job),
            conditionsResolvedAt: report.conditionsResolvedAt, job: label, parents: inputsLFNs,
            replicas: [Replica(site: site.name, storage: .disk, path: home)])
        do { try file.validate() } catch { return .failed(loaded, job, error.message) }
        claimed.insert(output)
        return .registered(loaded, done, file, "registered \(output): \(events) events, \(sums.size) bytes, \(String(format: "%.2f", report.cpuSeconds)) s CPU")
    }

    /// Stores a job's monitoring as its run's values in the request's processing (its campaign's
    /// name: prompt, proc12, express), inside the batch's transaction, so it is stored exactly
    /// once with the job's accounting. A run the registry does not know is said, not fatal.
    static func storeMonitoring(_ monitoring: MonitoringFile, of loaded: Loaded, job: RequestJob, in session: StoreSession) async throws -> String {
        do {
            let outcome = try await QualityMonitoring.record(
                monitoring, processing: loaded.request.campaign.description, by: "request \(loaded.record.name)", in: session)
            let proposed = outcome.opened.map { "\($0.detector) \($0.state == .applied ? "applied" : "proposed") BAD" }
            return "monitoring v\(outcome.version): \(outcome.variables) variable(s)" + (proposed.isEmpty ? "" : ", " + proposed.joined(separator: ", "))
        } catch ConveyorError.notFound(let reason) {
            return "monitoring not stored: \(reason)"
        }
    }

    /// Counts an MC job's events into its request's progress, in the batch's transaction, and
    /// marks the request produced with its last job.
    static func countMonteCarlo(_ job: RequestJob, of production: String, in session: StoreSession, at now: Timestamp) async throws {
        guard
            var request = try await session.addMonteCarloProgress(
                production: production, jobs: 1, events: job.events ?? 0, cpuSeconds: job.cpuSeconds ?? 0, at: now),
            request.state == .submitted, request.jobsDone >= request.jobs
        else { return }
        request.state = .produced
        request.updatedAt = now
        try await session.updateMonteCarloRequest(request)
        try await session.appendMonteCarloChange(
            MonteCarloRequestChange(
                from: .submitted, to: .produced, at: now, by: "request:\(production)",
                reason: "all \(request.jobs) jobs registered: \(request.eventsDone) events"), request: request.id)
    }

    /// Copies a transferred output to its place at the site, through a temporary name, and checks its size.
    static func bringHome(_ from: String, to path: String) throws(ConveyorError) {
        let fm = FileManager.default
        let partial = path + ".arriving"
        do {
            try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? fm.removeItem(atPath: partial)
            try fm.copyItem(atPath: from, toPath: partial)
            try? fm.removeItem(atPath: path)
            try fm.moveItem(atPath: partial, toPath: path)
        } catch {
            try? fm.removeItem(atPath: partial)
            throw .unavailable("bringing \(from) home to \(path) failed: \(error.localizedDescription)")
        }
    }
}
