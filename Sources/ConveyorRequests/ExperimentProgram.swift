import ConveyorCore
import Foundation

/// Runs one of the experiment's programs for a job: `/bin/sh -c COMMAND` with the job's
/// `CONVEYOR_*` variables, its output going to the job's own stdout and stderr (which the
/// executor keeps), and the `key=value` report the program may write to `$CONVEYOR_REPORT`.
struct ExperimentProgram {
    struct Result {
        let status: Int32
        let cpuSeconds: Double
        /// `key=value` lines from `$CONVEYOR_REPORT`, in order.
        let report: [(key: String, value: String)]

        func value(_ key: String) -> String? { report.last { $0.key == key }?.value }
    }

    let command: String
    var environment: [String: String]

    /// Runs the program and waits for it.
    func run() throws(ConveyorError) -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-\(UUID().uuidString)")
        do { try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true) } catch {
            throw .storeFailure("cannot make a scratch folder: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: scratch) }
        let reportPath = scratch.appendingPathComponent("report").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        env["CONVEYOR_REPORT"] = reportPath
        env["CONVEYOR_SCRATCH"] = scratch.path
        process.environment = env
        let before = Self.childrenCPU()
        do { try process.run() } catch { throw .invalidInput("cannot start '\(command)': \(error.localizedDescription)") }
        process.waitUntilExit()
        let cpu = Self.childrenCPU() - before
        var report: [(String, String)] = []
        if let text = try? String(contentsOfFile: reportPath, encoding: .utf8) {
            for line in text.split(whereSeparator: \.isNewline) {
                guard let eq = line.firstIndex(of: "=") else { continue }
                report.append((line[..<eq].trimmingCharacters(in: .whitespaces), line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return Result(status: status, cpuSeconds: cpu, report: report)
    }

    /// CPU seconds used by this process's waited-for children so far.
    static func childrenCPU() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
