import ConveyorCore
import ConveyorStore
import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// A real Rucio server (scripts/rucio, started by scripts/test): `CONVEYOR_TEST_RUCIO_URL` its
/// address, `CONVEYOR_TEST_RUCIO_HOME` its folder, for driving its daemons once per step.
public enum RucioServer {
    static let environment = ProcessInfo.processInfo.environment
    public static let url = environment["CONVEYOR_TEST_RUCIO_URL"]
    public static let home = environment["CONVEYOR_TEST_RUCIO_HOME"]
    /// Without a server the suite is skipped, except in CI, where it must fail.
    public static let wanted = url != nil || environment["CI"] == "true"

    /// judge-evaluator, conveyor submitter/poller/finisher (mock transfertool), judge-cleaner,
    /// reaper: once each, one run at a time (tests run in parallel; Rucio's daemons share out
    /// their work by the instances alive, and one run at a time is what each expects).
    public static func runDaemons() async throws {
        try await turns.withLock { try await runDaemonsOnce() }
    }

    private static func runDaemonsOnce() async throws {
        guard let home else { throw ConveyorError.unavailable("CONVEYOR_TEST_RUCIO_HOME is not set") }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/rucio").path
        let result = try await Subprocess.run(
            .path(FilePath(script)), arguments: ["daemons", home], output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        guard result.terminationStatus.isSuccess else {
            throw ConveyorError.unavailable("Rucio's daemons failed: \(result.standardError.suffix(500))")
        }
    }
}

extension RucioServer {
    /// One run of Rucio's daemons at a time.
    static let turns = AsyncLock()
}

extension RucioServer {
    /// What `conveyor` needs to run its data management on the test server.
    public static var conveyorEnvironment: [String: String] {
        ["CONVEYOR_RUCIO_URL": url ?? "", "CONVEYOR_RUCIO_USERNAME": "ddmlab", "CONVEYOR_RUCIO_PASSWORD": "secret"]
    }

    /// A tag for names that are global in the one server (RSEs, datasets): six letters and digits.
    public static func freshTag() -> String {
        String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(6)).uppercased()
    }
}

extension RucioServer {
    static let sessions = AsyncLock()

    /// Runs a test's use of the one Rucio server alone: tests of several suites share it, and
    /// its daemons serve every test's rules at once, so a test that waits on its own transfers
    /// would wait on everyone's.
    public static func exclusively<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await sessions.withLock(body)
    }
}
