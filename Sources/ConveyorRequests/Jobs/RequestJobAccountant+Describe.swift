import ConveyorConditions
import ConveyorCore
import ConveyorJob
import ConveyorStore
import ConveyorWorkflow
import Foundation

extension RequestJobAccountant {
    /// Writes the job's `job.json` and its payload files into its folder and marks its inputs
    /// Assigned. A job that needs no run, or that cannot run (an input with no disk copy at the
    /// site, an OPEN tag in its stack), is dispatched as a no-op whose folder already holds its
    /// report, so that it is accounted like any other: done, or failed and counted.
    public func describe(_ element: String, _ dispatch: JobDispatch) async throws(ConveyorError) -> DescribedJob {
        let (name, id, movedTo) = try Self.parse(element)
        var cache: [String: Loaded] = [:]
        let loaded = try await load(name, cache: &cache)
        let record = loaded.record
        guard var state = try await states([id]).first ?? nil, state.job.requestID == record.id else { throw .notFound("request \(name) has no job \(id)") }
        if let movedTo, movedTo != state.job.site {
            // A reserve runs it: the job moved here while its inputs were staged at its first site.
            guard loaded.request.sites.contains(where: { $0.name == movedTo }) else {
                throw .invalidInput("job \(id) moved to site \(movedTo), which the request does not have")
            }
            let task = RequestBuilder.taskName(state.job.step, site: movedTo, of: loaded.request)
            try await store.write { try await $0.moveRequestJob(id, toSite: movedTo, task: task, at: .now) }
            state.job.site = movedTo
            state.job.task = task
        }
        let job = state.job
        let label = Self.jobLabel(record, job)
        let folder = dispatch.folder
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw .unavailable("cannot make the job folder \(folder): \(error.localizedDescription)")
        }
        let noOp = DescribedJob(command: ":")
        if try Self.finishedAlready(loaded, state) != nil { return noOp }
        do throws(ConveyorError) {
            let (description, shipped) = try await describe(loaded, state, dispatch)
            guard FileManager.default.createFile(atPath: folder + "/" + JobDescription.fileName, contents: description.encoded()) else {
                throw ConveyorError.unavailable("cannot write \(folder)/\(JobDescription.fileName)")
            }
            try await store.write { session in
                try await session.setRequestInputs(
                    request: record.id, job: id, from: [.unused, .assigned], to: .assigned,
                    reason: "job \(id) dispatched", at: .now)
            }
            let runner = dispatch.runner
            if dispatch.transfersFiles {
                return DescribedJob(command: "./\((runner as NSString).lastPathComponent) .", transferIn: [runner] + shipped)
            }
            return DescribedJob(command: "'\(runner.replacingOccurrences(of: "'", with: "'\\''"))' .")
        } catch let refusal where !Self.isPassing(refusal) {
            // The job cannot run as things stand: its report says why, and it counts as a failed try.
            let report = JobReport(
                job: label, exitStatus: nil, failure: refusal.message, events: nil, outputs: [], cpuSeconds: 0, wallSeconds: 0,
                peakMemoryKilobytes: nil, values: [], host: "scheduler", startedAt: .now, endedAt: .now)
            guard FileManager.default.createFile(atPath: folder + "/" + JobReport.fileName, contents: report.encoded()) else {
                throw .unavailable("cannot write \(folder)/\(JobReport.fileName)")
            }
            return noOp
        }
    }

    /// Failures of the store or the file system pass (the dispatch is tried again); the others
    /// are the job's own and fail its try.
    static func isPassing(_ error: ConveyorError) -> Bool {
        if case .unavailable = error { return true }
        if case .storeFailure = error { return true }
        return false
    }

    /// The description of a job that needs a run.
    /// - Returns: it, and the inputs' paths to transfer in when the pool transfers files.
    func describe(_ loaded: Loaded, _ state: JobState, _ dispatch: JobDispatch) async throws(ConveyorError) -> (JobDescription, [String]) {
        let request = loaded.request, job = state.job
        guard let site = request.sites.first(where: { $0.name == job.site }) else {
            throw .invalidInput("job \(job.id) names site \(job.site), which the request no longer has")
        }
        var described: [JobDescription.Input] = []
        var names: Set<String> = []
        var shipped: [String] = []
        // The inputs' replicas, to find their copies at the job's site.
        let files = try await store.read { [lfns = state.inputs.map(\.lfn)] session in
            var files: [String: CatalogFile] = [:]
            for lfn in lfns { files[lfn] = try await session.file(lfn: lfn) }
            return files
        }
        for input in state.inputs {
            guard let file = files[input.lfn] else {
                throw .notFound("input \(input.lfn) was not made (its job did not succeed)")
            }
            guard let replica = file.replicas.first(where: { $0.site == site.name && $0.storage == .disk && $0.state == .available }) else {
                throw .conflict("\(input.lfn) has no available disk copy at \(site.name) (on tape only? it must be staged first)")
            }
            var location = replica.path
            if dispatch.transfersFiles {
                // Transferred into the sandbox under its own name.
                location = (replica.path as NSString).lastPathComponent
                guard names.insert(location).inserted else { throw .conflict("two inputs of job \(job.id) share the file name \(location)") }
            }
            described.append(.init(lfn: input.lfn, location: location, size: file.size, adler32: file.adler32))
            if dispatch.transfersFiles { shipped.append(replica.path) }
        }

        let tags = request.tags(for: job)
        // The constants of the job's run from its tag stack, resolved as of one moment that the
        // outputs record. Only the calibration skims read the OPEN staging tag.
        let openStaging = request.readsOpenStaging(step: job.step) ? request.stagingTag : nil
        let conditionsDatabase = ConditionsDatabase(store: store)
        try await conditionsDatabase.requireFrozen(tags, except: openStaging)
        let resolvedAt = Timestamp.now
        let conditions: JobDescription.Conditions
        switch dispatch.pool.options["conditions"] ?? "files" {
        case "files":
            try await conditionsDatabase.exportResolved(
                tags: tags, at: job.run, to: dispatch.folder + "/conditions", asOf: resolvedAt,
                allowOpen: openStaging != nil)
            conditions = .init(mode: .files, location: "conditions", resolvedAt: resolvedAt)
        case "http":
            // Resolved here, fetched by the job: pinned revisions are the same bytes for ever, so a cache in front serves them all.
            guard let url = dispatch.pool.options["conditions_url"], !url.isEmpty else {
                throw .invalidInput("pool \(dispatch.pool.name) reads conditions over http but names no conditions_url")
            }
            let resolutions = try await conditionsDatabase.resolve(tags: tags, at: job.run, asOf: resolvedAt, allowOpen: openStaging != nil)
            let token = try await jobToken(for: dispatch.pool)
            conditions = .init(
                mode: .http, location: url, token: token, proxy: dispatch.pool.options["conditions_proxy"],
                payloads: resolutions.map { .init(name: $0.name, revision: $0.revision, sha256: $0.sha256) }, resolvedAt: resolvedAt)
        case let other:
            throw .invalidInput("pool \(dispatch.pool.name): conditions is files or http, not '\(other)'")
        }

        var environment: [String: String] = [:]
        let program: String
        switch job.step {
        case "physics-skims":
            program = request.commands.skim ?? ""
            environment["CONVEYOR_SKIM"] = job.dataTag ?? ""
        case "stripping":
            program = request.commands.skim ?? ""
            environment["CONVEYOR_STREAM"] = job.dataTag ?? ""
            let selections = request.stripping?.stream(named: job.dataTag)?.selections ?? []
            environment["CONVEYOR_SELECTIONS"] = String(decoding: (try? JSONEncoder().encode(selections)) ?? Data("[]".utf8), as: UTF8.self)
        case "hlt-skims":
            program = request.commands.hltSkim ?? ""
            environment["CONVEYOR_SKIM"] = job.dataTag ?? ""
        case "quality-report":
            program = request.commands.quality ?? ""
        case RequestPlan.generationStep:
            program = request.commands.generation ?? ""
            environment["CONVEYOR_EVENT_TYPE"] = request.monteCarlo?.eventType ?? ""
            environment["CONVEYOR_EVENTS"] = String(job.plannedEvents ?? 0)
            environment["CONVEYOR_SEED"] = String(job.seed ?? 0)
            environment["CONVEYOR_BACKGROUND"] = request.monteCarlo?.background.rawValue ?? "bgx0"
        default:
            program = request.commands.reconstruction
        }
        var outputs: [JobDescription.Output] = []
        if let output = job.outputLFN {
            let location = dispatch.transfersFiles ? (output as NSString).lastPathComponent : site.path(of: output)
            outputs.append(.init(lfn: output, location: location, level: job.level, dataTag: job.dataTag))
        }
        let description = JobDescription(
            job: Self.jobLabel(loaded.record, job), request: loaded.record.name, step: job.step, site: site.name, run: job.run,
            release: request.release, globalTags: tags, program: program, environment: environment, inputs: described,
            outputs: outputs, conditions: conditions)
        return (description, shipped)
    }
}
