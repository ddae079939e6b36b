import ConveyorCore
import Foundation

/// What a job runs on its worker node: reads the ``JobDescription`` in its folder, runs the
/// experiment's program with the job's inputs, conditions and output locations, checksums the
/// outputs, and writes a ``JobReport`` beside the description. It opens no database and needs
/// no secret: the scheduler's accountant registers what the report says.
///
/// ```swift
/// let report = JobRunner(folder: FileManager.default.currentDirectoryPath).run()
/// exit(report.succeeded ? 0 : 1)
/// ```
public struct JobRunner: Sendable {
    /// The job's folder: its description, conditions and (with file transfer) inputs and outputs.
    public let folder: String

    public init(folder: String) {
        self.folder = folder
    }

    /// Runs the job and writes its report. - Returns: the report (also when writing it failed).
    @discardableResult
    public func run() -> JobReport {
        let started = Timestamp.now
        let clock = ContinuousClock()
        let start = clock.now
        var description: JobDescription?
        var report: JobReport
        do throws(ConveyorError) {
            guard let data = FileManager.default.contents(atPath: resolve(JobDescription.fileName)) else {
                throw ConveyorError.notFound("no \(JobDescription.fileName) in \(folder)")
            }
            description = try JobDescription.decode(from: data)
            report = try execute(description!, started: started)
        } catch {
            report = JobReport(
                job: description?.job ?? "unknown", exitStatus: nil, failure: error.message, events: nil, outputs: [], cpuSeconds: 0,
                wallSeconds: 0, peakMemoryKilobytes: nil, values: [], host: Self.host, startedAt: started, endedAt: .now)
        }
        let wall = clock.now - start
        report.wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        write(report)
        return report
    }

    private func execute(_ description: JobDescription, started: Timestamp) throws(ConveyorError) -> JobReport {
        var inputs: [String] = []
        for input in description.inputs {
            let path = resolve(input.location)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), let size = (attributes[.size] as? NSNumber)?.int64Value else {
                throw .notFound("input \(input.lfn) is not at \(input.location)")
            }
            guard size == input.size else { throw .conflict("input \(input.lfn) at \(input.location) is \(size) bytes; the catalog says \(input.size)") }
            inputs.append(path)
        }
        var environment = description.environment
        environment.merge([
            "CONVEYOR_REQUEST": description.request, "CONVEYOR_STEP": description.step, "CONVEYOR_JOB": description.job,
            "CONVEYOR_INPUT": inputs.joined(separator: " "), "CONVEYOR_INPUT_LFNS": description.inputs.map(\.lfn).joined(separator: " "),
            "CONVEYOR_GLOBAL_TAGS": description.globalTags.joined(separator: ","), "CONVEYOR_RELEASE": description.release,
            "CONVEYOR_EXP": String(description.run.exp), "CONVEYOR_RUN": String(description.run.run), "CONVEYOR_SITE": description.site,
            "CONVEYOR_CONDITIONS_AS_OF": description.conditions.resolvedAt.description,
            "CONVEYOR_MONITORING": resolve(Self.monitoringFile),
        ]) { _, derived in derived }
        try? FileManager.default.removeItem(atPath: resolve(Self.monitoringFile))  // a half-written file of a killed try
        switch description.conditions.mode {
        case .files: environment["CONVEYOR_CONDITIONS"] = resolve(description.conditions.location)
        case .http:
            // Fetched into the job's folder, so the program reads its constants the same way in both modes.
            let folder = resolve("conditions")
            try ConditionsFetch(conditions: description.conditions).fetch(into: folder)
            environment["CONVEYOR_CONDITIONS"] = folder
        }
        let outputs = description.outputs.map { (output: $0, path: resolve($0.location)) }
        if let first = outputs.first {
            environment["CONVEYOR_OUTPUT"] = first.path
            environment["CONVEYOR_OUTPUT_LEVEL"] = first.output.level.rawValue
            environment["CONVEYOR_DATA_TAG"] = first.output.dataTag ?? "all"
        }
        for (_, path) in outputs {
            do { try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true) } catch {
                throw .unavailable("cannot make the output folder of \(path): \(error.localizedDescription)")
            }
            try? FileManager.default.removeItem(atPath: path)  // a half-written file of a killed try
        }

        let result = try ExperimentProgram(
            command: description.program, environment: environment, timeLimitSeconds: description.limits.wallSeconds,
            directory: folder
        ).run()
        var failure: String?
        let program = description.program.split(separator: " ").first.map { (String($0) as NSString).lastPathComponent } ?? "the program"
        if result.timedOut {
            failure = "time limit of \(description.limits.wallSeconds ?? 0) s reached: \(program) was stopped"
        } else if result.status != 0 {
            failure = result.status > 128 ? "\(program) was killed by signal \(result.status - 128)" : "\(program) exited with \(result.status)"
        }
        var reported: [JobReport.Output] = []
        let events = result.value("events").flatMap { Int64($0) }
        if failure == nil {
            for (output, path) in outputs {
                let sums: FileChecksums
                do { sums = try FileChecksums(ofFileAt: path) } catch .notFound {
                    failure = "the program wrote no output at \(output.location)"
                    break
                } catch {
                    failure = error.message
                    break
                }
                reported.append(JobReport.Output(lfn: output.lfn, location: output.location, size: sums.size, adler32: sums.adler32, sha256: sums.sha256))
            }
            if failure == nil, !outputs.isEmpty, events == nil {
                failure = "the program reported no events (write events=N to $CONVEYOR_REPORT)"
            }
        }
        var monitoring: MonitoringFile?
        if failure == nil {
            do { monitoring = try readMonitoring() } catch { failure = error.message }
        }
        return JobReport(
            job: description.job, exitStatus: Int(result.status), failure: failure, events: events, outputs: reported,
            cpuSeconds: result.cpuSeconds, wallSeconds: 0, peakMemoryKilobytes: result.peakMemoryKilobytes, values: result.report,
            host: Self.host, startedAt: started, endedAt: .now, conditionsResolvedAt: description.conditions.resolvedAt, monitoring: monitoring)
    }

    /// Where the program may write its monitoring (``MonitoringFile``'s form): `$CONVEYOR_MONITORING`.
    public static let monitoringFile = "monitoring.json"
    /// The largest monitoring file a job carries home.
    public static let largestMonitoring = 16 << 20

    /// The program's monitoring file, checked here so that a file in the wrong form fails the
    /// job with its reason instead of travelling home. Nil when the program wrote none.
    func readMonitoring() throws(ConveyorError) -> MonitoringFile? {
        let path = resolve(Self.monitoringFile)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        guard let size = (attributes[.size] as? NSNumber)?.intValue, size <= Self.largestMonitoring else {
            throw .invalidInput("the monitoring file is larger than \(Self.largestMonitoring >> 20) MB")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw .unavailable("cannot read the monitoring file \(path)") }
        let file = try MonitoringFile(json: data, file: "the monitoring file")
        _ = try file.values(processing: file.processing ?? "job", version: 1, at: .now, by: "job")
        return file
    }

    /// A location relative to the job's folder, unless absolute.
    public func resolve(_ location: String) -> String {
        location.hasPrefix("/") ? location : (folder as NSString).appendingPathComponent(location)
    }

    /// Writes the report through a temporary name, so a reader never sees half of it.
    private func write(_ report: JobReport) {
        let path = resolve(JobReport.fileName)
        let partial = path + ".partial"
        if FileManager.default.createFile(atPath: partial, contents: report.encoded()) {
            _ = rename(partial, path)
        }
    }

    static var host: String { ProcessInfo.processInfo.hostName }
}
