import ConveyorCore
import ConveyorStore
import ConveyorTestSupport
import ConveyorWorkflow
import Foundation
import Testing

/// An action step whose effect was committed before a crash (the task's end was not) is not
/// applied again: the rerun finds the effect recorded with the task's try and succeeds.
@Suite("Action effects")
struct ActionEffectTests {
    static let dag = """
        name: running-update
        tasks:
          - {name: update, kind: action, action: gt.running-update, parameters: {running: prompt, staging: staging, valid_from: "8:1"}}
        """

    @Test(arguments: TestBackend.available)
    func aRecordedEffectIsNotAppliedAgain(backend: TestBackend) async throws {
        try await EngineFixture.run(backend) { fx in
            let id = try await fx.submit(Self.dag)
            let task = try #require(try await fx.workflows.show(id).tasks.first)
            // As if an earlier run of this try had applied the update and then died before writing the task's end.
            try await fx.store.write { try await $0.recordActionEffect(task: task.id, attempt: 0, kind: "gt.running-update", result: "applied", at: .now) }
            let detail = try await fx.tick(until: { $0.workflow.state != .running }, workflow: id)
            #expect(fx.states(detail) == ["update": .succeeded], "the tags do not even exist: the step was not run again")
            let events = try await fx.workflows.events(id)
            #expect(
                events.contains { $0.detail.contains("gt.running-update was applied by try 1") && $0.detail.contains("not applied again") },
                "\(events.map(\.detail))")
        }
    }

    @Test(arguments: TestBackend.available)
    func aFailedStepLeavesNoEffectBehind(backend: TestBackend) async throws {
        try await EngineFixture.run(backend) { fx in
            let id = try await fx.submit(Self.dag)
            let detail = try await fx.tick(until: { $0.workflow.state != .running }, workflow: id)
            #expect(fx.states(detail) == ["update": .failed], "no such tags: the update fails")
            let task = try #require(detail.tasks.first)
            #expect(try await fx.store.read { try await $0.actionEffect(task: task.id, attempt: 0) } == nil, "rolled back with the failed update")
        }
    }
}
