import ConveyorCore
import ConveyorExecutors
import ConveyorStore
import ConveyorTestSupport
import ConveyorWorkflow
import Foundation
import Testing

/// A batch system that misbehaves, played by fake Slurm tools: the scheduler retries a failing
/// `sbatch` with backoff, and cancels, fails and then retries a job that vanished from queue and history.
@Suite("Batch-system failures")
struct BatchFailureTests {
    static func tool(_ folder: TemporaryDirectory, _ name: String, _ script: String) throws {
        try "#!/bin/sh\n\(script)\n".write(toFile: folder.file(name), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.file(name))
    }

    @Test(arguments: TestBackend.available)
    func aFailingSbatchIsRetriedAndAVanishedJobIsFailedThenRetried(backend: TestBackend) async throws {
        try await EngineFixture.run(backend) { fx in
            let tools = try TemporaryDirectory(prefix: "conveyor-fake-slurm")
            defer { tools.remove() }
            // sbatch fails twice (a timed-out controller), then accepts; the job is never seen again.
            try Self.tool(
                tools, "sbatch",
                """
                here=$(dirname "$0"); n=$(cat "$here/tries" 2>/dev/null || echo 0); echo $((n + 1)) > "$here/tries"
                cat > /dev/null
                [ "$n" -ge 2 ] || { echo "sbatch: error: Socket timed out on send/recv operation" >&2; exit 1; }
                echo 4242
                """)
            try Self.tool(tools, "squeue", "echo squeue >> $(dirname \"$0\")/calls")
            try Self.tool(tools, "sacct", "exit 0")
            try Self.tool(tools, "scontrol", "exit 0")
            // A lost job is cancelled before it is tried again, so that no forgotten copy runs beside the new one.
            try Self.tool(tools, "scancel", "echo \"$@\" >> $(dirname \"$0\")/cancelled")
            try await fx.workflows.savePool(
                try Pool(name: "fake", executor: .slurm, slots: 10, options: ["commands": tools.path, "max_array_size": "1001"]),
                by: manager)
            let id = try await fx.submit(
                """
                name: flaky-batch
                tasks:
                  - {name: job, command: "true", pool: fake, retries: 1, cooloff: 0.05}
                """)
            let wakeup = Wakeup()
            let scheduler = Scheduler(
                store: fx.store, executors: .standard(wakeup: wakeup),
                configuration: .init(
                    jobRoot: fx.folder.path + "/jobs", pollInterval: .milliseconds(50),
                    submitBackoff: .milliseconds(50), lostAfter: .milliseconds(400)),
                wakeup: wakeup, logger: TestBackend.quietLogger)
            let detail = try await fx.tick(until: { $0.workflow.state != .running }, workflow: id, seconds: 240, with: scheduler)
            let events = try await fx.workflows.events(id)
            // The event log, printed with a failure. CI once ran out of the 20 s this test had while other
            // suites loaded the machine (each fake tool call is a process start), and a fresh clone's
            // full run once out of 90 s (each fake sbatch call took 30 s to start and end): it has 240 s now.
            #expect(detail.workflow.state == .failed, "\(events.map { "\($0.at.iso8601) \($0.kind) \($0.from ?? "") -> \($0.to ?? ""): \($0.detail)" })")
            #expect(events.filter { $0.kind == "submission-failed" }.count == 2, "two failed sbatch calls, each retried")
            #expect(events.contains { $0.detail.contains("Socket timed out") })
            let log = try await fx.workflows.log(of: .named(workflow: id, name: "job"))
            #expect(log.entries.count == 2, "the lost job was tried again once")
            #expect(log.entries.allSatisfy { $0.attempt.reason?.hasPrefix("lost: not reported by the batch system") == true })
            #expect(try String(contentsOfFile: tools.file("tries"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "4")
            #expect(log.entries.allSatisfy { $0.attempt.reason?.hasSuffix("cancelled before a new try") == true })
            #expect(try String(contentsOfFile: tools.file("cancelled"), encoding: .utf8) == "4242\n4242\n", "each lost job was cancelled")
        }
    }
}
