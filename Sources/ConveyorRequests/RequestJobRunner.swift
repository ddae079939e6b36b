import ConveyorConditions
import ConveyorCore
import ConveyorRuns
import ConveyorStore
import Foundation

/// Conveyor's job wrapper: what one element of a request's job step runs (`conveyor request job
/// NAME ID`), as DIRAC's job wrapper does. It
/// 1. skips a job that is done (output already registered by this request) — so a job run twice
///    after a crash or a resubmission never makes a second output or catalog entry;
/// 2. skips a job with an invalidated input, or whose input an earlier job did not make;
/// 3. marks its inputs Assigned, finds their copies at the job's site, runs the experiment's
///    program, checksums the output and registers it with parents, events, release and tags,
///    and marks the inputs Processed, the registration and the marks in one transaction;
/// 4. on failure counts it; after `max_file_failures` the inputs are Problematic and the job
///    ends without failing its task, so that one bad file does not hold up a bucket.
public struct RequestJobRunner: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// What the job did, in a line for its log.
    public func run(request name: String, job id: Int64) async throws(ConveyorError) -> String {
        let (record, request) = try await Requests.load(name, from: store)
        guard let job = try await store.read({ try await $0.requestJobs(request: record.id, id: id) }).first else {
            throw .notFound("request \(name) has no job \(id)")
        }
        let actor = Requests.actor(for: record)
        let inputs = try await store.read { try await $0.requestInputs(request: record.id, job: id) }
        if !inputs.isEmpty, inputs.allSatisfy({ $0.state.isFinal }) {
            return "already done: inputs \(inputs.map(\.state.rawValue).joined(separator: ", "))"
        }
        if let output = job.outputLFN, let existing = try await store.read({ try await $0.file(lfn: output) }) {
            guard existing.job == Self.jobLabel(record, job) else {
                throw .conflict("\(output) is already registered by \(existing.job ?? "someone else"); two requests write the same output path")
            }
            try await store.write { session in
                try await session.setRequestInputs(request: record.id, job: id, to: .processed, reason: "output registered earlier", at: .now)
            }
            return "already done: \(output) is registered"
        }
        if let bad = inputs.first(where: { $0.state == .invalidated }) {
            return "skipped: input \(bad.lfn) is invalidated (\(bad.reason)); revalidate it and resume the request"
        }
        guard let site = request.sites.first(where: { $0.name == job.site }) else { throw .invalidInput("job \(id) names site \(job.site), which the request no longer has") }

        // Inputs: their copies at the site; outputs of earlier steps must exist.
        var paths: [String] = []
        var inputEvents: Int64 = 0
        for input in inputs {
            guard let file = try await store.read({ try await $0.file(lfn: input.lfn) }) else {
                return "skipped: input \(input.lfn) was not made (its job did not succeed)"
            }
            guard let replica = file.replicas.first(where: { $0.site == site.name && $0.storage == .disk && $0.state == .available }) else {
                throw .conflict("\(input.lfn) has no available disk copy at \(site.name) (on tape only? it must be staged first)")
            }
            paths.append(replica.path)
            inputEvents += file.events
        }
        try await store.write { session in
            try await session.setRequestInputs(request: record.id, job: id, from: [.unused, .assigned], to: .assigned, reason: "job \(id) started", at: .now)
        }

        let tags = request.tags(forStep: job.step)
        // The constants of the job's run from its tag stack, as files, resolved as of one moment
        // that the output records. Only the calibration skims read the OPEN staging tag.
        let conditions = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-conditions-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: conditions) }
        let openStaging = request.readsOpenStaging(step: job.step) ? request.stagingTag : nil
        let conditionsDatabase = ConditionsDatabase(store: store)
        try await conditionsDatabase.requireFrozen(tags, except: openStaging)
        let resolvedAt = Timestamp.now
        try await conditionsDatabase.exportResolved(tags: tags, at: job.run, to: conditions, asOf: resolvedAt, allowOpen: openStaging != nil)
        var environment = [
            "CONVEYOR_CONDITIONS": conditions, "CONVEYOR_REQUEST": name, "CONVEYOR_STEP": job.step, "CONVEYOR_JOB": String(id),
            "CONVEYOR_INPUT": paths.joined(separator: " "), "CONVEYOR_INPUT_LFNS": inputs.map(\.lfn).joined(separator: " "),
            "CONVEYOR_GLOBAL_TAGS": tags.joined(separator: ","), "CONVEYOR_RELEASE": request.release,
            "CONVEYOR_EXP": String(job.run.exp), "CONVEYOR_RUN": String(job.run.run), "CONVEYOR_DATA_TAG": job.dataTag ?? "all",
        ]
        let command: String
        switch job.step {
        case "physics-skims":
            command = request.commands.skim ?? ""
            environment["CONVEYOR_SKIM"] = job.dataTag ?? ""
        case "quality-report":
            command = request.commands.quality ?? ""
        default:
            command = request.commands.reconstruction
        }
        var outputPath: String?
        if let output = job.outputLFN {
            let path = site.path(of: output)
            outputPath = path
            environment["CONVEYOR_OUTPUT"] = path
            environment["CONVEYOR_OUTPUT_LEVEL"] = job.level.rawValue
            do { try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true) } catch {
                return try await failed(record, request, job, reason: "cannot make the output folder: \(error.localizedDescription)")
            }
            try? FileManager.default.removeItem(atPath: path)  // a half-written file of a killed try
        }

        let result = try ExperimentProgram(command: command, environment: environment).run()
        guard result.status == 0 else {
            let program = command.split(separator: " ").first.map { (String($0) as NSString).lastPathComponent } ?? "the program"
            return try await failed(record, request, job, reason: "\(program) exited with \(result.status)")
        }
        var done = job
        done.failures = 0
        done.reason = ""
        done.cpuSeconds = result.cpuSeconds
        done.events = result.value("events").flatMap { Int64($0) } ?? (job.outputLFN == nil ? inputEvents : nil)
        done.report = result.report.isEmpty ? nil : result.report.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
        var registered: CatalogFile?
        if let output = job.outputLFN, let outputPath {
            let sums: FileChecksums
            do { sums = try FileCatalog.checksums(ofFileAt: outputPath) } catch .notFound {
                return try await failed(record, request, job, reason: "the program wrote no output at \(outputPath)")
            } catch {
                return try await failed(record, request, job, reason: error.message)
            }
            guard let events = done.events else {
                return try await failed(record, request, job, reason: "the program reported no events (write events=N to $CONVEYOR_REPORT)")
            }
            registered = CatalogFile(lfn: output, size: sums.size, adler32: sums.adler32, sha256: sums.sha256, events: events, run: job.run, level: job.level,
                                     dataTag: job.dataTag, release: request.release, globalTags: tags, conditionsResolvedAt: resolvedAt,
                                     job: Self.jobLabel(record, job),
                                     parents: inputs.map(\.lfn), replicas: [Replica(site: site.name, storage: .disk, path: outputPath)])
            try registered!.validate()
        }
        let finished = done, output = registered
        try await store.write { session in
            let now = Timestamp.now
            if let registered = output {
                _ = try await session.registerFiles([registered], at: now)
                try await session.appendAudit(AuditRecord(at: now, actor: actor, action: "files.register", subjectKind: "files", subject: registered.lfn,
                                                          detail: "output of request \(name) job \(id)"))
            }
            try await session.updateRequestJob(finished, at: now)
            try await session.setRequestInputs(request: record.id, job: id, to: .processed, reason: "", at: now)
        }
        return registered.map { "registered \($0.lfn): \($0.events) events, \($0.size) bytes, \(String(format: "%.2f", result.cpuSeconds)) s CPU" }
            ?? "done: \(done.report?.replacingOccurrences(of: "\n", with: ", ") ?? "no report")"
    }

    /// Counts a failure; gives the inputs up as Problematic at the request's limit.
    private func failed(_ record: RequestRecord, _ request: ProcessingRequest, _ job: RequestJob, reason: String) async throws(ConveyorError) -> String {
        var job = job
        job.failures += 1
        job.reason = reason
        let givingUp = job.failures >= request.maxFileFailures
        let failures = job.failures, counted = job
        try await store.write { session in
            let now = Timestamp.now
            try await session.updateRequestJob(counted, at: now)
            try await session.setRequestInputs(request: record.id, job: counted.id, from: [.unused, .assigned], to: givingUp ? .problematic : .unused,
                                               reason: givingUp ? "failed \(failures) times: \(reason)" : reason, at: now)
        }
        if givingUp { return "gave up after \(failures) failures, inputs are Problematic: \(reason)" }
        throw .conflict("try \(failures) of \(request.maxFileFailures) failed: \(reason)")
    }

    static func jobLabel(_ record: RequestRecord, _ job: RequestJob) -> String { "request \(record.name) job \(job.id)" }
}
