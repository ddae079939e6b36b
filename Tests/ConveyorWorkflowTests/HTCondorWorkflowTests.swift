import ConveyorCore
import ConveyorExecutors
import ConveyorStore
import ConveyorTestSupport
import ConveyorWorkflow
import Foundation
import Testing

/// The scheduler driving the real single-host HTCondor pool that scripts/test starts
/// (`CONVEYOR_TEST_HTCONDOR_BIN`, job folders under `CONVEYOR_TEST_HTCONDOR_SHARE`).
@Suite(
    "Workflows on HTCondor", .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["CONVEYOR_TEST_HTCONDOR_BIN"] != nil
            || ProcessInfo.processInfo.environment["CI"] == "true"))
struct HTCondorWorkflowTests {
    @Test func aRestartedSchedulerAdoptsTheClusterInsteadOfSubmittingAgain() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let bin = environment["CONVEYOR_TEST_HTCONDOR_BIN"], let share = environment["CONVEYOR_TEST_HTCONDOR_SHARE"] else {
            throw ConveyorError.unavailable("CONVEYOR_TEST_HTCONDOR_BIN is not set: scripts/test starts an HTCondor pool")
        }
        try await EngineFixture.run(.sqlite) { fx in
            let jobs = "\(share)/t-wf-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: jobs, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: jobs)
            try await fx.workflows.savePool(
                try Pool(name: "condor", executor: .htcondor, slots: 50, options: ["commands": bin, "directory": jobs]), by: manager)
            let id = try await fx.submit(
                """
                name: on-htcondor
                tasks:
                  - name: reco
                    command: sleep 2; echo $CONVEYOR_ARRAY_INDEX >> \(jobs)/ran; [ $CONVEYOR_ARRAY_INDEX != 2 ]
                    array: 4
                    pool: condor
                  - name: after
                    command: "true"
                    pool: condor
                    trigger: all_done
                    depends_on: [reco]
                """)
            // The first scheduler submits and "dies"; a second one finds the cluster by its batch name and finishes.
            _ = try await fx.tick(until: { ["submitted", "running"].contains($0.tasks.first { $0.name == "reco" }?.state.rawValue ?? "") }, workflow: id)
            let detail = try await fx.tick(until: { $0.workflow.state != .running }, workflow: id, seconds: 120, with: fx.restartedScheduler())
            let states = Dictionary(detail.tasks.map { ($0.name, $0.state) }, uniquingKeysWith: { a, _ in a })
            #expect(states == ["reco": .failed, "after": .succeeded], "\(states)")
            let ran = try String(contentsOfFile: jobs + "/ran", encoding: .utf8).split(separator: "\n").sorted()
            #expect(ran == ["0", "1", "2", "3"], "each element ran once: \(ran)")
            let log = try await fx.workflows.log(of: .named(workflow: id, name: "reco"))
            #expect(log.entries.first { $0.attempt.element == 2 }?.attempt.reason == "exit code 1")
            try? FileManager.default.removeItem(atPath: jobs)
        }
    }
}
