import ConveyorCore
import Foundation
import Subprocess
import Synchronization
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs a batch system's command-line tools with a time limit, and counts the calls (the tests
/// check that a polling cycle makes the same number of calls whatever the number of jobs).
///
/// ```swift
/// let tools = BatchCommands(folder: nil)        // from PATH; or a folder of fakes for tests
/// let out = try await tools.run("squeue", ["-h", "-o", "%i|%T"])
/// ```
public final class BatchCommands: Sendable {
    /// Where the tools are; nil for PATH.
    public let folder: String?
    public let timeout: Duration
    private let counter = Mutex<[String: Int]>([:])

    public init(folder: String?, timeout: Duration = .seconds(60)) {
        self.folder = folder
        self.timeout = timeout
    }

    /// How many times each tool has been called.
    public var calls: [String: Int] { counter.withLock { $0 } }

    public struct Output: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs a tool. - Throws: ``ConveyorError/unavailable(_:)`` when it cannot start or times out.
    public func run(_ tool: String, _ arguments: [String], input: String? = nil) async throws(ConveyorError) -> Output {
        counter.withLock { $0[tool, default: 0] += 1 }
        let executable: Executable = folder.map { .path(FilePath("\($0)/\(tool)")) } ?? .name(tool)
        let limit = timeout
        do {
            return try await withThrowingTaskGroup(of: Output?.self) { group in
                group.addTask {
                    let result = try await Subprocess.run(
                        executable, arguments: Arguments(arguments), input: .string(input ?? ""),
                        output: .string(limit: 64 << 20), error: .string(limit: 1 << 20))
                    let status: Int32 =
                        switch result.terminationStatus {
                        case .exited(let code): code
                        case .signaled(let signal): 128 + signal
                        }
                    return Output(status: status, stdout: result.standardOutput, stderr: result.standardError)
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                guard let first else { throw ConveyorError.unavailable("\(tool) did not answer within \(limit)") }
                return first
            }
        } catch let error as ConveyorError {
            throw error
        } catch {
            throw .unavailable("cannot run \(tool): \(error)")
        }
    }

    /// Runs a tool that must succeed. - Throws: its stderr's first line when it fails.
    public func succeed(_ tool: String, _ arguments: [String], input: String? = nil) async throws(ConveyorError) -> String {
        let out = try await run(tool, arguments, input: input)
        guard out.status == 0 else {
            let line = out.stderr.split(separator: "\n").first.map(String.init) ?? "exit code \(out.status)"
            throw .unavailable("\(tool) failed: \(line)")
        }
        return out.stdout
    }
}
