import ConveyorCore
import ConveyorExecutors
import Foundation

/// Runs an endpoint's copy, recall or delete command with its time limit, the paths quoted for the shell.
///
/// ```swift
/// try await StorageCommand.run("cp {src} {dst}", ["src": "/tape/a", "dst": "/disk/a"], timeoutSeconds: 60)
/// ```
enum StorageCommand {
    static func render(_ template: String, _ values: [String: String]) -> String {
        var command = template
        for (key, value) in values { command = command.replacingOccurrences(of: "{\(key)}", with: quote(value)) }
        return command
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// - Throws: ``ConveyorError/unavailable(_:)`` with the command's first line of stderr, or its time limit.
    static func run(_ template: String, _ values: [String: String], timeoutSeconds: Int) async throws(ConveyorError) {
        let command = render(template, values)
        // coreutils' timeout kills the command's whole process group, so a copy that hangs in a
        // child of the shell (`sleep; cp`, a stuck xrdcp) cannot outlive its limit; the runner's
        // own limit is the backstop.
        let tools = BatchCommands(folder: nil, timeout: .seconds(timeoutSeconds + 30))
        let out = try await tools.run("timeout", ["-s", "KILL", String(timeoutSeconds), "sh", "-c", command])
        if out.status == 137 || out.status == 124 { throw .unavailable("'\(template)' did not finish within \(timeoutSeconds) s") }
        guard out.status == 0 else {
            let line = out.stderr.split(separator: "\n").first.map(String.init) ?? "exit code \(out.status)"
            throw .unavailable("'\(template.split(separator: " ").first ?? "")' failed (exit \(out.status)): \(line)")
        }
    }
}
