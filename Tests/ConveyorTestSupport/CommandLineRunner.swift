import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs the built `conveyor` program as a user would, capturing what it prints.
public struct CommandLineRunner: Sendable {
    public struct Result: Sendable {
        public let exitCode: Int32
        public let stdout: String
        public let stderr: String
    }

    public let executable: String
    public let workingDirectory: String
    public let environment: [String: String]

    /// `conveyor` next to the test bundle (both are built into the same folder), or `$CONVEYOR_BIN`.
    public static var builtExecutable: String {
        if let override = ProcessInfo.processInfo.environment["CONVEYOR_BIN"] { return override }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("conveyor").path
    }

    public init(workingDirectory: String, environment: [String: String] = [:], executable: String = CommandLineRunner.builtExecutable) {
        self.executable = executable
        self.workingDirectory = workingDirectory
        self.environment = environment
    }

    public func run(_ arguments: String...) async throws -> Result {
        try await run(arguments)
    }

    public func run(_ arguments: [String]) async throws -> Result {
        let result = try await Subprocess.run(
            .path(FilePath(executable)),
            arguments: Arguments(arguments),
            environment: processEnvironment,
            workingDirectory: FilePath(workingDirectory),
            output: .string(limit: 4 * 1024 * 1024),
            error: .string(limit: 1024 * 1024)
        )
        return Result(exitCode: result.terminationStatus.shellExitCode, stdout: result.standardOutput, stderr: result.standardError)
    }

    /// Runs the program with `input` on its stdin (a password, a file piped in).
    public func run(_ arguments: [String], input: String) async throws -> Result {
        let result = try await Subprocess.run(
            .path(FilePath(executable)),
            arguments: Arguments(arguments),
            environment: processEnvironment,
            workingDirectory: FilePath(workingDirectory),
            input: .string(input),
            output: .string(limit: 4 * 1024 * 1024),
            error: .string(limit: 1024 * 1024)
        )
        return Result(exitCode: result.terminationStatus.shellExitCode, stdout: result.standardOutput, stderr: result.standardError)
    }

    /// This process's environment without `CONVEYOR_DB`, plus the runner's own settings.
    var processEnvironment: Environment {
        var updates: [Environment.Key: String?] = ["CONVEYOR_DB": nil]
        for (key, value) in environment { updates[Environment.Key(stringLiteral: key)] = value }
        return .inherit.updating(updates)
    }
}

extension CommandLineRunner {
    /// Starts the program, waits until its stderr says it is ready, runs `whileRunning`, then
    /// sends SIGTERM and collects how it ended.
    public func runUntil(
        _ arguments: [String],
        readyWhen isReady: @escaping @Sendable (String) -> Bool,
        whileRunning: @escaping @Sendable () async throws -> Void
    ) async throws -> Result {
        let outcome = try await Subprocess.run(
            .path(FilePath(executable)),
            arguments: Arguments(arguments),
            environment: processEnvironment,
            workingDirectory: FilePath(workingDirectory),
            input: .none,
            output: .string(limit: 1024 * 1024),
            error: .sequence
        ) { execution in
            var seen = ""
            var lines = execution.standardError.strings().makeAsyncIterator()
            while !isReady(seen), let chunk = try await lines.next() {
                seen += chunk
            }
            var failure: (any Error)?
            if isReady(seen) {
                do { try await whileRunning() } catch { failure = error }
            } else {
                failure = CommandLineFailure(message: "never became ready: \(seen)")
            }
            try execution.send(signal: .terminate)
            while let chunk = try await lines.next() { seen += chunk }
            if let failure { throw failure }
            return seen
        }
        return Result(exitCode: outcome.terminationStatus.shellExitCode, stdout: outcome.standardOutput, stderr: outcome.closureResult)
    }
}

public struct CommandLineFailure: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension TerminationStatus {
    /// The exit code as a shell reports it: the status, or 128 + the signal.
    var shellExitCode: Int32 {
        switch self {
        case .exited(let status): status
        case .signaled(let signal): 128 + signal
        }
    }
}

extension CommandLineRunner {
    /// Starts the program and kills it with SIGKILL after `delay`, unless it ends first.
    /// - Returns: whether it ended on its own, with its exit code.
    public func runKilled(_ arguments: [String], after delay: Duration) async throws -> (endedOnItsOwn: Bool, exitCode: Int32) {
        let outcome = try await Subprocess.run(
            .path(FilePath(executable)),
            arguments: Arguments(arguments),
            environment: processEnvironment,
            workingDirectory: FilePath(workingDirectory),
            input: .none,
            output: .discarded,
            error: .discarded
        ) { execution in
            // Waits for the delay or the program's end, whichever comes first.
            let deadline = ContinuousClock.now + delay
            let pid = execution.processIdentifier.value
            while ContinuousClock.now < deadline, Self.isRunning(pid) {
                try await Task.sleep(for: .milliseconds(50))
            }
            if Self.isRunning(pid) { try? execution.send(signal: .kill) }
        }
        let code = outcome.terminationStatus.shellExitCode
        return (code != 128 + 9, code)
    }
}

extension CommandLineRunner {
    /// Whether a child is still running: not gone and not a zombie waiting to be reaped.
    static func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
    }
}
