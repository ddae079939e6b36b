import ConveyorConditions
import ConveyorCore
import ConveyorJob
import ConveyorStore
import Foundation

/// Runs one calibration of a request as Belle II's calibration framework does: the algorithm
/// (the calibration's `command`) runs over each run range and says ok, iterate, not_enough_data
/// or failure. Iterate runs it again, up to `max_iterations`; not_enough_data merges the range
/// with the next one (the last with the one before) and starts it over; failure stops with an
/// error, which pauses the task for the expert. Once every range is ok, each range's payload
/// files go into the staging tag with an IoV from the range's first run to the run before the
/// next range, the last left open.
///
/// The algorithm sees `CONVEYOR_INPUT` (its files' paths), `CONVEYOR_ITERATION`,
/// `CONVEYOR_FIRST_RUN`/`CONVEYOR_LAST_RUN`/`CONVEYOR_EXP`, `CONVEYOR_GLOBAL_TAGS` (the staging
/// tag first), `CONVEYOR_PAYLOAD_DIR` (where to write payload files, one per payload name) and
/// `CONVEYOR_RESULT` (where to write its outcome; without one, exit 0 means ok).
public struct CalibrationRunner: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func run(request name: String, calibration calibrationName: String) async throws(ConveyorError) -> String {
        let (record, request) = try await Requests.load(name, from: store)
        guard let calibration = request.calibrations.first(where: { $0.name == calibrationName }), let staging = request.stagingTag else {
            throw .notFound("request \(name) has no calibration '\(calibrationName)'")
        }
        let actor = Requests.actor(for: record)
        let conditionsDatabase = ConditionsDatabase(store: store)
        let requests = Requests(store: store)
        let registered = try await requests.runs(of: request)
        let context = try await requests.context(of: request, runs: registered)
        let runs = registered.runs.filter { calibration.quality == nil || $0.quality == calibration.quality }.map(\.record)
        guard let exp = runs.first?.run.exp else { throw .invalidInput("calibration \(calibrationName): no run of the request passes its input filters") }
        var ranges = CalibrationRanges(runs: runs, minimumEvents: calibration.minimumEvents, minimumLuminosity: calibration.minimumLuminosity)
        let files = try await inputFiles(record, request, calibration, context)
        let tags = request.calibrationTags
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-calibration-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }

        var results: [Int: URL] = [:]  // range index → folder of its payload files
        var index = 0
        var iteration = 1
        var log: [String] = []
        while index < ranges.ranges.count {
            let range = ranges.ranges[index]
            let folder = scratch.appendingPathComponent("r\(range.first)-\(range.last)-i\(iteration)")
            do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
                throw .storeFailure("cannot make \(folder.path): \(error.localizedDescription)")
            }
            let inputs = files.filter { range.runs.contains($0.run) }.map(\.path)
            let resultFile = scratch.appendingPathComponent("result-r\(range.first)-i\(iteration)").path
            let conditions = scratch.appendingPathComponent("conditions-r\(range.first)").path
            if !FileManager.default.fileExists(atPath: conditions) {
                try await conditionsDatabase.requireFrozen(tags, except: request.stagingTag)
                try await conditionsDatabase.exportResolved(tags: tags, at: ExpRun(exp: exp, run: range.first), to: conditions, allowOpen: true)
            }
            let program = ExperimentProgram(
                command: calibration.command,
                environment: [
                    "CONVEYOR_REQUEST": name, "CONVEYOR_CALIBRATION": calibrationName, "CONVEYOR_INPUT": inputs.joined(separator: " "),
                    "CONVEYOR_ITERATION": String(iteration), "CONVEYOR_EXP": String(exp), "CONVEYOR_FIRST_RUN": String(range.first),
                    "CONVEYOR_LAST_RUN": String(range.last), "CONVEYOR_RUNS": range.runs.map(String.init).joined(separator: ","),
                    "CONVEYOR_GLOBAL_TAGS": tags.joined(separator: ","), "CONVEYOR_PAYLOAD_DIR": folder.path, "CONVEYOR_RESULT": resultFile,
                    "CONVEYOR_RELEASE": request.release, "CONVEYOR_CONDITIONS": conditions,
                ], outputFile: scratch.appendingPathComponent("output-r\(range.first)-i\(iteration)").path)
            let result = try program.run()
            let said = (try? String(contentsOfFile: resultFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            var outcome: CalibrationOutcome = result.status == 0 ? .ok : .failure
            if let said, !said.isEmpty {
                guard let parsed = CalibrationOutcome(rawValue: said) else {
                    throw .invalidInput("calibration \(calibrationName) wrote '\(said)' (expected ok, iterate, not_enough_data or failure)")
                }
                outcome = result.status == 0 ? parsed : .failure
            }
            var detail = "\(inputs.count) file(s)\(result.status == 0 ? "" : ", exit \(result.status)")"
            if outcome == .iterate, iteration >= calibration.maxIterations {
                outcome = .failure
                detail += "; still asked to iterate after \(iteration) iterations"
            }
            if outcome == .not_enough_data, ranges.ranges.count == 1 {
                outcome = .failure
                detail += "; not enough data even with every run in one range"
            }
            try await save(
                CalibrationAttempt(
                    calibration: calibrationName, exp: exp, firstRun: range.first, lastRun: range.last, iteration: iteration,
                    outcome: outcome, detail: detail, at: .now), record.id)
            log.append("runs \(range.first)-\(range.last) iteration \(iteration): \(outcome.rawValue)")
            switch outcome {
            case .ok:
                results[index] = folder
                index += 1
                iteration = 1
            case .iterate:
                iteration += 1
            case .not_enough_data:
                let merged = ranges.merge(at: index)!
                results[merged] = nil
                index = merged
                iteration = 1
            case .failure:
                // The algorithm's last words are the expert's first clue.
                let said =
                    (try? String(contentsOfFile: program.outputFile ?? "", encoding: .utf8)).map { text in
                        text.split(whereSeparator: \.isNewline).suffix(3).joined(separator: " | ")
                    } ?? ""
                throw .conflict(
                    "calibration \(calibrationName) failed on runs \(exp):\(range.first)-\(range.last) (\(detail))\(said.isEmpty ? "" : ": \(said)"); "
                        + "upload a payload by hand and mark the task succeeded, or fix and resume it")
            }
        }

        // Upload every range's payloads; IoVs already in the tag (a rerun after a crash) are kept.
        let intervals = ranges.intervals(exp: exp)
        var uploaded = 0, kept = 0
        for (i, iov) in intervals.enumerated() {
            guard let folder = results[i] else { continue }
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() } catch {
                throw .storeFailure("reading \(folder.path): \(error.localizedDescription)")
            }
            for file in names {
                let payload = (file as NSString).deletingPathExtension
                if try await conditionsDatabase.entries(ofTag: staging, name: payload).contains(where: { $0.iov == iov }) {
                    kept += 1
                    continue
                }
                let bytes: Data
                do { bytes = try Data(contentsOf: folder.appendingPathComponent(file)) } catch {
                    throw .storeFailure("reading \(file): \(error.localizedDescription)")
                }
                try await conditionsDatabase.upload(
                    name: payload, bytes: bytes, intoTag: staging, iov: iov,
                    description: "\(calibrationName) of request \(name), iteration of runs \(ranges.ranges[i].first)-\(ranges.ranges[i].last)",
                    by: actor)
                uploaded += 1
            }
        }
        guard uploaded + kept > 0 else {
            throw .conflict("calibration \(calibrationName) said ok but wrote no payload file into $CONVEYOR_PAYLOAD_DIR")
        }
        return (log + ["\(uploaded) payload IoV(s) uploaded to \(staging)\(kept > 0 ? ", \(kept) already there" : "") over \(intervals.count) range(s)"])
            .joined(separator: "\n")
    }

    private func save(_ attempt: CalibrationAttempt, _ request: Int64) async throws(ConveyorError) {
        try await store.write { try await $0.insertCalibrationAttempt(attempt, request: request) }
    }

    /// The algorithm's files: raw files of its data tags, or the request's own cDST of them.
    private func inputFiles(
        _ record: RequestRecord, _ request: ProcessingRequest, _ calibration: ProcessingRequest.Calibration,
        _ context: RequestBuilder.Context
    ) async throws(ConveyorError) -> [(run: Int, path: String)] {
        let wanted = Set(calibration.dataTags)
        func wants(_ tag: String?) -> Bool { wanted.isEmpty || wanted.contains(tag ?? "all") }
        let siteNames = request.sites.map(\.name)
        func path(_ file: CatalogFile) -> String? {
            let disk = file.replicas.filter { $0.storage == .disk && $0.state == .available }
            return (siteNames.lazy.compactMap { site in disk.first { $0.site == site } }.first ?? disk.first)?.path
        }
        switch calibration.level {
        case .cdst:
            let jobs = try await store.read { try await $0.requestJobs(request: record.id, step: "cdst-calibration-skims") }
            var out: [(Int, String)] = []
            for job in jobs where wants(job.dataTag) {
                guard let lfn = job.outputLFN, let file = try await store.read({ try await $0.file(lfn: lfn) }), let p = path(file) else { continue }
                out.append((job.run.run, p))
            }
            return out
        default:
            return context.inputFiles.filter { $0.level == .raw && wants($0.dataTag) }.compactMap { file in path(file).map { (file.run.run, $0) } }
        }
    }
}
