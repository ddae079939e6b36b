import ConveyorCore
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
        try await EngineFixture.run(backend) { fx in
            try await fx.workflows.savePool(try Pool(name: "batch", executor: .slurm, slots: 100), by: manager)
            let out = fx.folder.path
            let id = try await fx.submit("""
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
            #expect(failed?.attempt.reason?.hasPrefix("FAILED: exit code 1") == true, "\(failed?.attempt.reason ?? "none")")
            #expect(log.entries.first { $0.attempt.element == 0 }?.stdout == "element 0\n")
        }
    }
}
