import ConveyorConditions
import ConveyorCore
import ConveyorJob
import ConveyorStore
import Foundation

extension LiveFeeder {
    /// The prompt calibration loop of one run stream: each producer harvests once its input is
    /// complete (or, partially, after its harvest timeout), then its payloads are appended to its
    /// tag from the run on. A failure is retried with a growing pause and holds back only this
    /// run's producer, up to its upload timeout; a later run that uploaded first supersedes it.
    func calibrate(
        _ stream: inout LiveStream, _ settings: DataTakingConfiguration.Stream, _ configuration: DataTakingConfiguration, run: PromptRun,
        now: Timestamp
    ) async throws(ConveyorError) -> (harvested: Int, uploaded: Int) {
        var counts = (harvested: 0, uploaded: 0)
        for (i, producer) in stream.producers.enumerated() where !producer.state.isSettled {
            var state = producer
            let config = settings.calibrations.first(where: { $0.name == producer.name })
            // A producer that can no longer matter settles, so that it holds up no later run's upload.
            let moot =
                stream.stage == .abandoned
                ? "the run was abandoned"
                : stream.stage.rank >= LiveStage.released.rank
                    ? "PromptReco was released first; a late payload would start at the FCSR, where later runs' own belong"
                    : config == nil ? "the stream no longer has this calibration" : nil
            if let moot {
                state.state = .gave_up
                state.detail = moot
                state.at = now
                try await save(stream, state, payloads: nil, event: "\(producer.name) gave up", at: now)
                stream.producers[i] = state
                continue
            }
            guard let config else { continue }
            let end = run.effectiveEnd
            if let end, now >= end.adding(seconds: config.uploadTimeoutSeconds) {
                state.state = .gave_up
                state.detail =
                    "upload timeout (\(Int(config.uploadTimeoutSeconds)) s after the run's end) passed: \(producer.detail.isEmpty ? "never harvested" : producer.detail)"
                state.at = now
                try await save(stream, state, payloads: nil, event: "\(producer.name) gave up", at: now)
                stream.producers[i] = state
                continue
            }
            // A failed try waits 1, 2, 4 … minutes (at most an hour) before the next.
            if producer.attempts > 0, let last = producer.at, now < last.adding(seconds: min(60 * pow(2, Double(producer.attempts - 1)), 3_600)) { continue }
            if producer.state == .waiting {
                let due = LiveStreamMachine.harvestDue(config, stage: stream.stage, end: end, now: now)
                guard due.due else { continue }
                state = try await harvest(stream, config, configuration, partial: due.partial, producer: producer, now: now)
                counts.harvested += state.state == .waiting ? 0 : 1
                stream.producers[i] = state
            }
            if stream.producers[i].state == .harvested {
                let uploaded = try await upload(stream, config, producer: stream.producers[i], now: now)
                counts.uploaded += uploaded.state == .uploaded ? 1 : 0
                stream.producers[i] = uploaded
            }
        }
        return counts
    }

    /// Runs a producer's algorithm on the run's input (iterating as it asks) and keeps its payloads.
    func harvest(
        _ stream: LiveStream, _ config: DataTakingConfiguration.Producer, _ configuration: DataTakingConfiguration, partial: Bool,
        producer: LiveStream.Producer, now: Timestamp
    ) async throws(ConveyorError) -> LiveStream.Producer {
        var state = producer
        state.at = now
        let inputs = try await inputs(of: stream, config, configuration)
        let events = inputs.reduce(Int64(0)) { $0 + $1.events }
        let how = partial ? "partial harvest after the \(Int(config.harvestTimeoutSeconds)) s timeout" : "harvest"
        if inputs.isEmpty || events < Int64(config.minimumEvents) {
            state.state = .no_data
            state.detail =
                "\(how): \(inputs.count) file(s), \(events) event(s)\(config.minimumEvents > 0 ? " (needs \(config.minimumEvents))" : ""): finished without a payload"
            try await save(stream, state, payloads: nil, event: "\(config.name) no data", at: now)
            return state
        }
        let folder = scratch.appendingPathComponent("conveyor-live-\(stream.run.exp)-\(stream.run.run)-\(stream.stream)-\(config.name)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        do throws(ConveyorError) {
            let (outcome, payloads, iterations) = try await runAlgorithm(config, configuration, run: stream.run, inputs: inputs.map(\.path), folder: folder)
            switch outcome {
            case .ok where !payloads.isEmpty:
                state.state = .harvested
                state.detail =
                    "\(how): \(inputs.count) file(s), \(events) event(s), \(iterations) iteration(s): \(payloads.keys.sorted().joined(separator: ", "))"
                try await save(stream, state, payloads: payloads, event: "\(config.name) harvested", at: now)
            case .not_enough_data:
                state.state = .no_data
                state.detail = "\(how): the algorithm found too little data in \(inputs.count) file(s), \(events) event(s)"
                try await save(stream, state, payloads: nil, event: "\(config.name) no data", at: now)
            default:
                throw ConveyorError.conflict(
                    outcome == .ok ? "said ok but wrote no payload file" : "ended with \(outcome.rawValue) after \(iterations) iteration(s)")
            }
        } catch {
            state.attempts += 1
            state.detail = "try \(state.attempts) failed, tried again later: \(error.message)"
            try await save(stream, state, payloads: nil, event: "\(config.name) failed", at: now)
        }
        return state
    }

    /// Runs the algorithm, again while it asks to iterate; its payload files by name.
    func runAlgorithm(
        _ config: DataTakingConfiguration.Producer, _ configuration: DataTakingConfiguration, run: ExpRun, inputs: [String], folder: URL
    ) async throws(ConveyorError) -> (CalibrationOutcome, [String: Data], Int) {
        let conditions = folder.appendingPathComponent("conditions").path
        let tags = [config.tag] + configuration.expressTags
        _ = try await ConditionsDatabase(store: store).exportResolved(tags: tags, at: run, to: conditions, allowOpen: true)
        for iteration in 1...config.maxIterations {
            let payloadFolder = folder.appendingPathComponent("payloads-\(iteration)")
            let resultFile = folder.appendingPathComponent("result-\(iteration)").path
            do { try FileManager.default.createDirectory(at: payloadFolder, withIntermediateDirectories: true) } catch {
                throw .storeFailure("cannot make \(payloadFolder.path): \(error.localizedDescription)")
            }
            let program = ExperimentProgram(
                command: config.command,
                environment: [
                    "CONVEYOR_CALIBRATION": config.name, "CONVEYOR_INPUT": inputs.joined(separator: " "), "CONVEYOR_ITERATION": String(iteration),
                    "CONVEYOR_EXP": String(run.exp), "CONVEYOR_FIRST_RUN": String(run.run), "CONVEYOR_LAST_RUN": String(run.run),
                    "CONVEYOR_RUNS": String(run.run), "CONVEYOR_GLOBAL_TAGS": tags.joined(separator: ","), "CONVEYOR_PAYLOAD_DIR": payloadFolder.path,
                    "CONVEYOR_RESULT": resultFile, "CONVEYOR_RELEASE": configuration.release, "CONVEYOR_CONDITIONS": conditions,
                ], outputFile: folder.appendingPathComponent("output-\(iteration)").path)
            let result = try program.run()
            let said = (try? String(contentsOfFile: resultFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() ?? ""
            guard result.status == 0 else {
                let tail =
                    (try? String(contentsOfFile: program.outputFile ?? "", encoding: .utf8))?.split(whereSeparator: \.isNewline).suffix(2)
                    .joined(separator: " | ") ?? ""
                throw .conflict("exit \(result.status)\(tail.isEmpty ? "" : ": \(tail)")")
            }
            let outcome = said.isEmpty ? CalibrationOutcome.ok : CalibrationOutcome(rawValue: said)
            guard let outcome else { throw .invalidInput("wrote '\(said)' (expected ok, iterate, not_enough_data or failure)") }
            if outcome == .iterate { continue }
            guard outcome == .ok else { return (outcome, [:], iteration) }
            var payloads: [String: Data] = [:]
            let names = (try? FileManager.default.contentsOfDirectory(atPath: payloadFolder.path)) ?? []
            for file in names.sorted() {
                do { payloads[(file as NSString).deletingPathExtension] = try Data(contentsOf: payloadFolder.appendingPathComponent(file)) } catch {
                    throw .storeFailure("reading \(file): \(error.localizedDescription)")
                }
            }
            return (.ok, payloads, iteration)
        }
        throw .conflict("still asked to iterate after \(config.maxIterations) iteration(s)")
    }

    /// Appends the kept payloads from the run on (the tag's synchronisation moves a late one up to
    /// the FCSR), one name at a time, each removed from what is kept once it is in.
    func upload(
        _ stream: LiveStream, _ config: DataTakingConfiguration.Producer, producer: LiveStream.Producer, now: Timestamp
    ) async throws(ConveyorError)
        -> LiveStream.Producer
    {
        var state = producer
        // Appends go in run order: an earlier run still on its way (bounded by its own upload timeout) goes first.
        if let earlier = try await store.read({ try await $0.earliestUnsettledRun(stream: stream.stream, producer: config.name, below: stream.run) }) {
            let waiting = "harvested; uploads go in run order, so it waits for run \(earlier)'s (at most until that run's upload timeout)"
            if state.detail != waiting {
                state.detail = waiting
                try await save(stream, state, payloads: nil, event: nil, at: now)
            }
            return state
        }
        state.at = now
        if let later = try await store.read({ try await $0.highestUploadedRun(stream: stream.stream, producer: config.name) }), later > stream.run {
            state.state = .superseded
            state.detail = "run \(later)'s payload was appended first; this run's would only cut it short"
            try await save(stream, state, payloads: nil, event: "\(config.name) superseded", at: now)
            return state
        }
        var payloads = try await store.read { try await $0.liveProducerPayloads(stream.run, stream: stream.stream, producer: config.name) }
        let conditions = ConditionsDatabase(store: store)
        var firstRuns: [String] = []
        for name in payloads.keys.sorted() {
            guard let bytes = payloads[name] else { continue }
            // An earlier try that appended it and ended before it could say so leaves it as the name's newest IoV from this run on.
            let sha = PayloadChecksums(of: bytes).sha256
            if let newest = try await conditions.entries(ofTag: config.tag, name: name).max(by: { $0.iov < $1.iov }), newest.sha256 == sha,
                ExpRun(exp: newest.iov.expLow, run: newest.iov.runLow) >= stream.run
            {
                firstRuns.append("\(name) from \(newest.iov.expLow):\(newest.iov.runLow) (by an earlier try)")
                payloads[name] = nil
                continue
            }
            do throws(ConveyorError) {
                let result = try await conditions.append(
                    name: name, bytes: bytes, intoTag: config.tag, since: stream.run,
                    description: "prompt calibration \(config.name) of run \(stream.run), stream \(stream.stream)", by: actor)
                firstRuns.append("\(name) from \(result.firstRun)\(result.movedUp ? " (moved up: \(result.reason))" : "")")
                payloads[name] = nil
                try await save(stream, state, payloads: payloads, event: nil, at: now)
            } catch {
                state.attempts += 1
                state.detail = "upload try \(state.attempts) failed, tried again later: \(error.message)"
                try await save(stream, state, payloads: payloads, event: "\(config.name) upload failed", at: now)
                return state
            }
        }
        state.state = .uploaded
        // Nothing left to append: an earlier try appended them and ended before it could say so.
        state.detail = "appended to \(config.tag): \(firstRuns.isEmpty ? "by an earlier try" : firstRuns.joined(separator: ", "))"
        try await save(stream, state, payloads: nil, event: "\(config.name) uploaded", at: now)
        return state
    }

    /// The run's input of a producer with paths on disk: raw files of its data tags, or the run
    /// stream's express outputs of them.
    func inputs(
        of stream: LiveStream, _ config: DataTakingConfiguration.Producer, _ configuration: DataTakingConfiguration
    ) async throws(ConveyorError)
        -> [(path: String, events: Int64)]
    {
        let wanted = Set(config.dataTags)
        let files: [CatalogFile] = try await store.read { session in
            switch config.input {
            case .raw:
                return try await session.files(
                    FileQuery(runs: RunQuery(exp: stream.run.exp, runRange: stream.run.run...stream.run.run), level: .raw, status: .good))
            case .express:
                let names = (0..<stream.expressChunks).map { LiveStream.expressRequestName(stream.run, stream: stream.stream, chunk: $0) }
                var found: [CatalogFile] = []
                for lfn in try await session.requestOutputLFNs(names) { if let file = try await session.file(lfn: lfn) { found.append(file) } }
                return found
            }
        }
        // Express outputs of the level the producer reads: the reconstructed ones unless it names one.
        let levelled = config.input == .raw ? files : files.filter { file in config.level.map { file.level == $0 } ?? (file.level != .raw) }
        return levelled.filter { wanted.isEmpty || wanted.contains($0.dataTag ?? "all") }.compactMap { file in
            let disk = file.replicas.filter { $0.storage == .disk && $0.state == .available }
            guard let replica = disk.first(where: { $0.site == configuration.site.name }) ?? disk.first else { return nil }
            return (replica.path, file.events)
        }
    }

    func save(_ stream: LiveStream, _ producer: LiveStream.Producer, payloads: [String: Data]?, event: String?, at now: Timestamp) async throws(ConveyorError) {
        try await store.write { session in
            try await session.saveLiveProducer(stream.run, stream: stream.stream, producer, payloads: payloads)
            if let event {
                try await session.appendLiveStreamEvent(
                    LiveStreamEvent(run: stream.run, stream: stream.stream, at: now, stage: "calibration", reason: "\(event): \(producer.detail)"))
            }
        }
    }
}
