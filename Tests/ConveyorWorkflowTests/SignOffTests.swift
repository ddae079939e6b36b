import ConveyorAccess
import ConveyorCore
import ConveyorStore
import ConveyorTestSupport
import ConveyorWorkflow
import Foundation
import Testing

/// Who may sign off: a task that names its signers (a request's calibration `expert`) is theirs;
/// another expert is refused; a manager may decide in their place, recorded as an override.
@Suite("Sign-offs by the named experts")
struct SignOffTests {
    @Test(arguments: TestBackend.available)
    func onlyTheNamedExpertSignsOffAndAManagerOverrideIsRecorded(backend: TestBackend) async throws {
        try await EngineFixture.run(backend) { fx in
            let id = try await fx.submit(
                """
                name: signers
                tasks:
                  - {name: ecl, kind: signoff, role: expert, signers: [erik]}
                  - {name: cdc, kind: signoff, role: expert, signers: [carla]}
                """)
            _ = try await fx.tick(until: { fx.states($0)["cdc"] == .awaiting_signoff && fx.states($0)["ecl"] == .awaiting_signoff }, workflow: id)
            let olga = Actor(name: "olga", role: .expert)
            await #expect(throws: ConveyorError.forbidden("ecl is signed off by erik (as its request says), not by olga; a manager may override")) {
                try await fx.workflows.signOff(.named(workflow: id, name: "ecl"), approve: true, comment: "", by: olga)
            }
            try await fx.workflows.signOff(.named(workflow: id, name: "ecl"), approve: true, comment: "gains fine", by: expert)
            try await fx.workflows.signOff(.named(workflow: id, name: "cdc"), approve: true, comment: "carla is away", by: manager)
            let detail = try await fx.tick(until: { $0.workflow.state != .running }, workflow: id)
            #expect(fx.states(detail) == ["ecl": .succeeded, "cdc": .succeeded])
            let events = try await fx.workflows.events(id)
            #expect(events.contains { $0.detail.contains("override by manager mona in place of carla: carla is away") }, "\(events.map(\.detail))")
            let audit = try await AuditLog(store: fx.store).entries(limit: 50)
            #expect(audit.contains { $0.action == "tasks.approve.override" && $0.actor == "mona" })
            #expect(audit.contains { $0.action == "tasks.approve" && $0.actor == "erik" })
        }
    }

    @Test func signersAreOnlyForSignOffTasks() throws {
        #expect(throws: ConveyorError.self) {
            _ = try WorkflowDefinition(
                configuration: try ConfigurationFile.read(Data("name: w\ntasks:\n  - {name: a, command: 'true', signers: [x]}\n".utf8), name: "w.yaml"))
        }
        #expect(throws: ConveyorError.self) {
            _ = try WorkflowDefinition(
                configuration: try ConfigurationFile.read(Data("name: w\ntasks:\n  - {name: a, kind: signoff, signers: []}\n".utf8), name: "w.yaml"))
        }
    }
}
