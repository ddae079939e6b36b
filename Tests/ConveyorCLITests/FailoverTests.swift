import ConveyorCore
import ConveyorStore
import ConveyorTestSupport
import Foundation
import Testing

/// Exactly one active scheduler, proven with real processes: several `conveyor serve` on one
/// database, the active one killed with SIGKILL or paused with SIGSTOP past its lease and then
/// continued, again and again, while a DAG of local jobs (and Slurm arrays, where a cluster runs)
/// goes through. Every element must run exactly once and the workflow succeed.
@Suite("Scheduler failover", .serialized)
struct FailoverTests {
    /// How long the test's schedulers keep a lease without a heartbeat: short, so that each
    /// takeover costs seconds (BENCHMARKS.md measures the default).
    static let leaseTimeout = 3

    static func dag(log: String, slurm: Bool) -> String {
        var lines = ["name: failover", "tasks:"]
        for i in 0..<40 {
            var dependencies: [String] = []
            if i % 4 != 0 { dependencies.append("t\(i - 1)") }
            if i >= 4 { dependencies.append("t\(i - 4)") }
            lines.append("  - name: t\(i)")
            lines.append("    command: echo $CONVEYOR_TASK.$CONVEYOR_ARRAY_INDEX >> \(log); sleep 0.\(5 + i % 5)")
            if i % 5 == 0 { lines.append("    array: 3") }
            if slurm, i % 3 == 0 { lines.append("    pool: batch") }
            if !dependencies.isEmpty { lines.append("    depends_on: [\(dependencies.joined(separator: ", "))]") }
        }
        // Held open until the test has disrupted the active scheduler often enough: on a fast
        // machine the 40 tasks may otherwise end before the third kill or pause.
        lines += ["  - name: hold", "    command: while [ ! -f \(log).enough ]; do sleep 0.2; done", "    depends_on: [t39]"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// One `conveyor serve` process with its output in a file.
    final class Server: @unchecked Sendable {
        let process = Process()
        let log: String

        init(executable: String, database: String, directory: String, index: Int) throws {
            log = "\(directory)/serve-\(index).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [
                "serve", "--db", database, "--port", "0", "--jobs", "\(directory)/jobs", "--lease-timeout", String(FailoverTests.leaseTimeout),
                "--log-level", "info",
            ]
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            var environment = ProcessInfo.processInfo.environment
            environment["CONVEYOR_DB"] = nil
            process.environment = environment
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        var pid: Int32 { process.processIdentifier }

        func signal(_ number: Int32) { kill(pid, number) }

        func stop() {
            if process.isRunning {
                kill(pid, SIGCONT)
                kill(pid, SIGKILL)
            }
            process.waitUntilExit()
        }
    }

    static func activePID(_ store: Store) async throws -> Int64? {
        try await store.read { try await $0.schedulerLease() }.map(\.pid)
    }

    static func workflowState(_ conveyor: CommandLineRunner) async throws -> String? {
        let shown = try await conveyor.run("wf", "show", "1", "--json")
        let json = try? JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any]
        return (json?["workflow"] as? [String: Any])?["state"] as? String
    }

    @Test(arguments: TestBackend.available)
    func everyElementRunsOnceWhileTheActiveSchedulerIsKilledOrPaused(backend: TestBackend) async throws {
        let slurm = SlurmCluster.configuration != nil
        try await SlurmCluster.shared {
            try await backend.withFreshLocation { location in
                let directory = try TemporaryDirectory()
                defer { directory.remove() }
                let database = CommandLineTests.url(location)
                let conveyor = CommandLineRunner(workingDirectory: directory.path, environment: ["CONVEYOR_DB": database])
                let log = directory.file("ran.log")
                try Self.dag(log: log, slurm: slurm).write(toFile: directory.file("dag.yaml"), atomically: true, encoding: .utf8)
                #expect(try await conveyor.run("pool", "add", "local", "--executor", "local", "--slots", "4").exitCode == 0)
                if slurm { #expect(try await conveyor.run("pool", "add", "batch", "--executor", "slurm", "--slots", "6").exitCode == 0) }
                let submitted = try await conveyor.run("wf", "submit", "dag.yaml")
                #expect(submitted.exitCode == 0, "\(submitted.stderr)")

                // Three servers on PostgreSQL, two on SQLite (one machine's file).
                let count = backend == .postgresql ? 3 : 2
                var servers: [Server] = []
                var started = 0
                func startServer() throws {
                    servers.append(try Server(executable: CommandLineRunner.builtExecutable, database: database, directory: directory.path, index: started))
                    started += 1
                }
                defer { for server in servers { server.stop() } }
                for _ in 0..<count { try startServer() }

                let store = try await Store.open(location, logger: TestBackend.quietLogger)
                defer { Task { await store.close() } }
                var generator = SystemRandomNumberGenerator()
                var kills = 0, pauses = 0
                let deadline = ContinuousClock.now + .seconds(300)
                while ContinuousClock.now < deadline, try await Self.workflowState(conveyor) == "running" {
                    try await Task.sleep(for: .milliseconds(Int.random(in: 800...2_500, using: &generator)))
                    guard let pid = try await Self.activePID(store), let active = servers.first(where: { Int64($0.pid) == pid && $0.process.isRunning }) else {
                        continue
                    }
                    guard try await Self.workflowState(conveyor) == "running" else { break }
                    if Bool.random(using: &generator) {
                        active.signal(SIGKILL)
                        active.process.waitUntilExit()
                        servers.removeAll { $0 === active }
                        try startServer()
                        kills += 1
                    } else {
                        // Paused past its lease: a standby takes over; continued, it must write and submit nothing.
                        active.signal(SIGSTOP)
                        try await Task.sleep(for: .seconds(Self.leaseTimeout * 2 + 1))
                        active.signal(SIGCONT)
                        pauses += 1
                    }
                    if kills + pauses >= 3, !FileManager.default.fileExists(atPath: log + ".enough") {
                        _ = FileManager.default.createFile(atPath: log + ".enough", contents: nil)
                    }
                }
                let state = try await Self.workflowState(conveyor)
                #expect(state == "succeeded", "the workflow ended: \(state ?? "unknown")")
                #expect(kills + pauses >= 3, "the active scheduler was killed (\(kills)) or paused (\(pauses)) several times")

                let ran = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
                let expected = (0..<40).flatMap { i in (0..<(i % 5 == 0 ? 3 : 1)).map { "t\(i).\($0)" } }
                let counts = Dictionary(ran.map { ($0, 1) }, uniquingKeysWith: +)
                #expect(counts.filter { $0.value > 1 }.isEmpty, "ran twice: \(counts.filter { $0.value > 1 }.keys.sorted().prefix(10))")
                #expect(Set(ran) == Set(expected), "missing: \(Set(expected).subtracting(ran).sorted().prefix(10))")
                // A scheduler continued just before the workflow ended needs its next heartbeat to find
                // its lease lost; the servers are stopped only after this check.
                if pauses > 0 { try await Task.sleep(for: .seconds(Self.leaseTimeout + 1)) }
                let logs = (0..<started).compactMap { try? String(contentsOfFile: "\(directory.path)/serve-\($0).log", encoding: .utf8) }.joined()
                let lost = logs.components(separatedBy: "lost its lease").count - 1
                if pauses > 0 { #expect(lost >= 1, "a paused scheduler found its lease lost when continued") }
            }
        }
    }
}
