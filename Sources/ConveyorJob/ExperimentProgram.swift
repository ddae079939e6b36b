import ConveyorCore
import Foundation

/// Runs one of the experiment's programs: `/bin/sh -c COMMAND` with the job's `CONVEYOR_*`
/// variables, its output going to the caller's stdout and stderr (which the batch system keeps),
/// and the `key=value` report the program may write to `$CONVEYOR_REPORT`.
///
/// ```swift
/// let result = try ExperimentProgram(command: "basf2 reco.py", environment: ["CONVEYOR_RUN": "12"]).run()
/// print(result.status, result.value("events") ?? "-")
/// ```
public struct ExperimentProgram: Sendable {
    public struct Result: Sendable {
        public let status: Int32
        public let cpuSeconds: Double
        /// The largest resident set of the program or its children, in kilobytes.
        public let peakMemoryKilobytes: Int
        /// Whether the program was stopped at its time limit.
        public let timedOut: Bool
        /// `key=value` lines from `$CONVEYOR_REPORT`, in order.
        public let report: [JobReport.KeyValue]

        public func value(_ key: String) -> String? { report.last { $0.key == key }?.value }

        /// Why the program did not succeed, in words a coordinator reads (nil when it exited 0):
        /// stopped at its limit, not found, a crash with its signal, or its exit status, each
        /// followed by the last line it wrote.
        public func failure(lastLine: String?) -> String? {
            let tail = lastLine.map { ": \($0.prefix(200))" } ?? ""
            if timedOut { return "was stopped at its time limit\(tail)" }
            switch status {
            case 0: return nil
            case 127: return "its command was not found (exit 127)\(tail)"
            case let status where status > 128: return "crashed (signal \(status - 128))\(tail)"
            case let status: return "exited \(status)\(tail)"
            }
        }
    }

    public let command: String
    public var environment: [String: String]
    /// Stops the program (SIGTERM, then SIGKILL 10 s later) after this many seconds.
    public var timeLimitSeconds: Int?
    /// The working directory; the caller's when nil.
    public var directory: String?
    /// A file that takes the program's stdout and stderr (appended); the caller's own when nil.
    public var outputFile: String?

    public init(command: String, environment: [String: String], timeLimitSeconds: Int? = nil, directory: String? = nil, outputFile: String? = nil) {
        self.command = command
        self.environment = environment
        self.timeLimitSeconds = timeLimitSeconds
        self.directory = directory
        self.outputFile = outputFile
    }

    /// Runs the program and waits for it.
    public func run() throws(ConveyorError) -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-\(UUID().uuidString)")
        do { try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true) } catch {
            throw .storeFailure("cannot make a scratch folder: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: scratch) }
        let reportPath = scratch.appendingPathComponent("report").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        env["CONVEYOR_REPORT"] = reportPath
        env["CONVEYOR_SCRATCH"] = scratch.path
        process.environment = env
        if let outputFile {
            if !FileManager.default.fileExists(atPath: outputFile) { _ = FileManager.default.createFile(atPath: outputFile, contents: nil) }
            if let handle = FileHandle(forWritingAtPath: outputFile) {
                handle.seekToEndOfFile()
                process.standardOutput = handle
                process.standardError = handle
            }
        }
        let before = Self.childrenUsage()
        do { try process.run() } catch { throw .invalidInput("cannot start '\(command)': \(error.localizedDescription)") }
        var timedOut = false
        if let limit = timeLimitSeconds {
            let deadline = Date().addingTimeInterval(TimeInterval(limit))
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning {
                timedOut = true
                process.terminate()
                let grace = Date().addingTimeInterval(10)
                while process.isRunning, Date() < grace { usleep(20_000) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            }
        }
        process.waitUntilExit()
        let after = Self.childrenUsage()
        var report: [JobReport.KeyValue] = []
        if let text = try? String(contentsOfFile: reportPath, encoding: .utf8) {
            for line in text.split(whereSeparator: \.isNewline) {
                guard let eq = line.firstIndex(of: "=") else { continue }
                report.append(
                    .init(key: line[..<eq].trimmingCharacters(in: .whitespaces), value: line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return Result(status: status, cpuSeconds: after.cpu - before.cpu, peakMemoryKilobytes: after.maxRSS, timedOut: timedOut, report: report)
    }

    /// CPU seconds and the largest resident set (kB) of this process's waited-for children so far.
    static func childrenUsage() -> (cpu: Double, maxRSS: Int) {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return (cpu, usage.ru_maxrss)
    }
}
