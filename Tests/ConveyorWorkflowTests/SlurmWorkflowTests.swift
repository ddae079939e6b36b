import ConveyorCore
import ConveyorExecutors
import ConveyorStore
import ConveyorTestSupport
import ConveyorWorkflow
import Foundation
import Testing

/// The scheduler driving a real single-node Slurm (started by scripts/test).
@Suite("Workflows on Slurm", .enabled(if: SlurmCluster.enabled))
struct SlurmWorkflowTests {
    @Test(arguments: TestBackend.available)
    func arraysRunOnSlurmAndARestartedSchedulerAdoptsThem(backend: TestBackend) async throws {
        try SlurmCluster.require()
        try await SlurmCluster.shared {
            try await EngineFixture.run(backend) { fx in
                try await fx.workflows.savePool(try Pool(name: "batch", executor: .slurm, slots: 100), by: manager)
                let out = fx.folder.path
                let id = try await fx.submit(
                    """
                    name: on-slurm
                    tasks:
                      - name: reco
                        command: sleep 1; echo $CONVEYOR_ARRAY_INDEX >> \(out)/ran; echo "element $CONVEYOR_ARRAY_INDEX"; [ $CONVEYOR_ARRAY_INDEX != 3 ]
                        array: 5
                        pool: batch
                      - name: after
                        command: "true"
                        pool: batch
                        trigger: all_done
                        depends_on: [reco]
                    """)
                // The first scheduler submits, then "dies"; a second one finds the jobs by name and finishes.
                _ = try await fx.tick(until: { fx.states($0)["reco"] == .submitted || fx.states($0)["reco"] == .running }, workflow: id)
                let detail = try await fx.tick(until: { $0.workflow.state != .running }, workflow: id, seconds: 90, with: fx.restartedScheduler())
                #expect(fx.states(detail) == ["reco": .failed, "after": .succeeded])
                let ran = try String(contentsOfFile: out + "/ran", encoding: .utf8).split(separator: "\n").sorted()
                #expect(ran == ["0", "1", "2", "3", "4"], "each element ran once")
                let log = try await fx.workflows.log(of: .named(workflow: id, name: "reco"))
                let failed = log.entries.first { $0.attempt.element == 3 }
                #expect(failed?.attempt.state == .failed)
                // Slurm's word (FAILED) while it remembers the job, else the job folder's result (after MinJobAge on a loaded machine).
                #expect(
                    failed?.attempt.reason?.hasPrefix("FAILED: exit code 1") == true || failed?.attempt.reason == "exit code 1",
                    "\(failed?.attempt.reason ?? "none")")
                #expect(log.entries.first { $0.attempt.element == 0 }?.stdout == "element 0\n")
            }
        }
    }
}

/// Batch faults are not lost jobs: against the real single-node Slurm.
@Suite("Slurm outages", .enabled(if: SlurmCluster.enabled), .serialized)
struct SlurmOutageTests {
    /// The test cluster's folder: scripts/slurm keeps slurm.conf and the daemons' pid files there.
    static var clusterFolder: String { URL(fileURLWithPath: SlurmCluster.configuration ?? "/").deletingLastPathComponent().path }

    static func shell(_ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        try process.run()
        process.waitUntilExit()
    }

    static func stopController() throws {
        try shell("kill $(cat \(clusterFolder)/slurmctld.pid); while kill -0 $(cat \(clusterFolder)/slurmctld.pid) 2>/dev/null; do sleep 0.2; done")
    }

    static func startController() throws {
        try shell("slurmctld -f \(SlurmCluster.configuration ?? "") && until squeue -h >/dev/null 2>&1; do sleep 0.5; done")
    }

    @Test(arguments: TestBackend.available)
    func aControllerOutageLongerThanTheLostTimeoutRerunsNothing(backend: TestBackend) async throws {
        try SlurmCluster.require()
        try await SlurmCluster.exclusive {
            try await EngineFixture.run(backend) { fx in
                try await fx.workflows.savePool(try Pool(name: "batch", executor: .slurm, slots: 100), by: manager)
                let out = fx.folder.path
                let id = try await fx.submit(
                    """
                    name: outage
                    tasks:
                      - name: reco
                        command: echo $CONVEYOR_ARRAY_INDEX >> \(out)/ran; sleep 30
                        array: 3
                        pool: batch
                    """)
                let scheduler = fx.restartedScheduler(lostAfter: .seconds(4))
                _ = try await fx.tick(until: { fx.states($0)["reco"] == .running }, workflow: id, seconds: 60, with: scheduler)
                try Self.stopController()
                do {
                    // Longer than the lost timeout, while squeue cannot answer.
                    let until = ContinuousClock.now + .seconds(8)
                    while ContinuousClock.now < until {
                        try await scheduler.tick()
                        try await Task.sleep(for: .milliseconds(300))
                    }
                    #expect(fx.states(try await fx.workflows.show(id))["reco"] == .running, "no job declared lost while Slurm could not answer")
                } catch {
                    try Self.startController()
                    throw error
                }
                try Self.startController()
                let detail = try await fx.tick(until: { $0.workflow.state != .running }, workflow: id, seconds: 120, with: scheduler)
                #expect(fx.states(detail) == ["reco": .succeeded])
                let ran = try String(contentsOfFile: out + "/ran", encoding: .utf8).split(separator: "\n").sorted()
                #expect(ran == ["0", "1", "2"], "each element ran once: \(ran)")
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func jobsThatEndedWhileTheSchedulerWasAwayAreFoundFinished(backend: TestBackend) async throws {
        try SlurmCluster.require()
        try await SlurmCluster.exclusive {
            try await EngineFixture.run(backend) { fx in
                try await fx.workflows.savePool(try Pool(name: "batch", executor: .slurm, slots: 100), by: manager)
                let out = fx.folder.path
                let id = try await fx.submit(
                    """
                    name: away
                    tasks:
                      - name: reco
                        command: echo $CONVEYOR_ARRAY_INDEX >> \(out)/ran; [ $CONVEYOR_ARRAY_INDEX != 1 ]
                        array: 3
                        pool: batch
                    """)
                _ = try await fx.tick(until: { fx.states($0)["reco"] == .submitted || fx.states($0)["reco"] == .running }, workflow: id, seconds: 60)
                // The scheduler is away; the jobs end, and Slurm (no accounting) forgets them after MinJobAge.
                let detail = try await fx.workflows.show(id)
                let jobs = try await fx.workflows.log(of: .named(workflow: id, name: "reco")).entries.map(\.attempt.submission)
                #expect(!jobs.isEmpty, "\(detail.tasks.map(\.state))")
                let deadline = ContinuousClock.now + .seconds(150)
                var forgotten = false
                while ContinuousClock.now < deadline {
                    let shown = try await BatchCommands(folder: nil).run("scontrol", ["show", "job", "-o"])
                    if !jobs.contains(where: { shown.stdout.contains("JobName=\($0) ") }) { forgotten = true; break }
                    try await Task.sleep(for: .seconds(2))
                }
                #expect(forgotten, "Slurm forgot the ended jobs")
                let done = try await fx.tick(
                    until: { $0.workflow.state != .running }, workflow: id, seconds: 60, with: fx.restartedScheduler(lostAfter: .seconds(5)))
                let log = try await fx.workflows.log(of: .named(workflow: id, name: "reco"))
                #expect(
                    log.entries.filter { $0.attempt.element == 1 }.allSatisfy { $0.attempt.reason == "exit code 1" }, "\(log.entries.map(\.attempt.reason))")
                #expect(fx.states(done) == ["reco": .failed], "element 1 failed by its own exit code, not as lost")
                let ran = try String(contentsOfFile: out + "/ran", encoding: .utf8).split(separator: "\n").sorted()
                #expect(ran == ["0", "1", "2"], "nothing ran twice: \(ran)")
            }
        }
    }
}
