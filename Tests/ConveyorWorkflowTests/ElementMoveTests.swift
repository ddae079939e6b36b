import ConveyorCore
import ConveyorStore
import ConveyorTestSupport
import ConveyorWorkflow
import Foundation
import Testing

/// Jobs waiting for staging at one site move to another when their inputs are on disk there first
/// (``ElementMove``): on both databases, across a scheduler restart, and only once.
@Suite("Element moves")
struct ElementMoveTests {
    /// `work@A` waits for f0 and f1 to be staged at A; B holds reserves for both (elements 1 and 2)
    /// beside a job of its own (element 0).
    static func definition(out: String) -> WorkflowDefinition {
        let moves = (0..<2).map { i in
            ElementMove(
                inputs: ["/t/f\(i)"], elements: [.init(task: "work@A", index: i)],
                targets: [.init(site: "B", elements: [.init(task: "work@B", index: i + 1)])])
        }
        var wait = TaskDefinition(name: "stage:work@A", kind: .wait, wait: .filesOnDisk(site: "A", lfns: ["/t/f0", "/t/f1"]))
        wait.moves = moves
        let atA = TaskDefinition(
            name: "work@A", commands: ["touch \(out)/f0-at-A", "touch \(out)/f1-at-A"], pool: "local", dependsOn: ["stage:work@A"])
        var atB = TaskDefinition(name: "work@B", commands: ["touch \(out)/own-at-B", "touch \(out)/f0-at-B", "touch \(out)/f1-at-B"], pool: "local")
        atB.standby = [1, 2]
        let after = TaskDefinition(name: "after", kind: .action, dependsOn: ["work@A", "work@B"], action: ActionStep(name: "noop"))
        return WorkflowDefinition(name: "moves", tasks: [wait, atA, atB, after])
    }

    static func file(_ i: Int) -> CatalogFile {
        CatalogFile(
            lfn: "/t/f\(i)", size: 1, adler32: "00000001", sha256: String(repeating: "0", count: 64), events: 1, run: ExpRun(exp: 8, run: 1), level: .raw,
            dataTag: nil,
            replicas: [Replica(site: "A", storage: .tape, path: "/tape/f\(i)")])
    }

    @Test(arguments: TestBackend.available)
    func aWaitingJobMovesWhereItsInputIsOnDiskFirst(backend: TestBackend) async throws {
        try await EngineFixture.run(backend) { fx in
            let out = fx.folder.path
            let definition = Self.definition(out: out)
            try definition.validate()
            let id = try await fx.store.write { session in
                _ = try await session.registerFiles([Self.file(0), Self.file(1)], at: .now)
                return try await session.insertWorkflow(definition, at: .now, by: "mona")
            }
            fx.scheduler.noteCommand()
            // B's own job runs; its reserves stay skipped while no input is on disk anywhere.
            var detail = try await fx.tick(until: { fx.states($0)["work@B"] == .succeeded }, workflow: id)
            #expect(fx.states(detail)["stage:work@A"] == .running)
            #expect(detail.tasks.first { $0.name == "work@B" }?.elementCounts == ["succeeded": 1, "skipped": 2])
            #expect(!FileManager.default.fileExists(atPath: out + "/f0-at-B"))

            // f0 appears on disk at B first: its job leaves A, B's task runs again for it.
            try await fx.store.write { try await $0.saveReplica(lfn: "/t/f0", Replica(site: "B", storage: .disk, path: "/b/f0")) }
            detail = try await fx.tick(until: { _ in FileManager.default.fileExists(atPath: out + "/f0-at-B") }, workflow: id)
            detail = try await fx.tick(until: { fx.states($0)["work@B"] == .succeeded }, workflow: id)
            #expect(detail.tasks.first { $0.name == "work@B" }?.elementCounts == ["succeeded": 2, "skipped": 1])
            #expect(fx.states(detail)["stage:work@A"] == .running, "f1 is still waited for at A")
            let events = try await fx.workflows.events(id)
            #expect(events.contains { $0.kind == "moved" && $0.detail.contains("moved from A to B") }, "\(events.map(\.detail))")

            // A restarted scheduler sees the move in the element states: f1 staged at A, and a disk
            // copy of f0 appearing at A now changes nothing.
            let restarted = fx.restartedScheduler()
            try await fx.store.write { session in
                try await session.saveReplica(lfn: "/t/f1", Replica(site: "A", storage: .disk, path: "/a/f1"))
                try await session.saveReplica(lfn: "/t/f0", Replica(site: "A", storage: .disk, path: "/a/f0"))
            }
            detail = try await fx.tick(until: { $0.workflow.state != .running }, workflow: id, with: restarted)
            #expect(detail.workflow.state == .succeeded)
            #expect(detail.tasks.first { $0.name == "work@A" }?.elementCounts == ["succeeded": 1, "skipped": 1])
            #expect(FileManager.default.fileExists(atPath: out + "/f1-at-A"))
            #expect(!FileManager.default.fileExists(atPath: out + "/f0-at-A"), "f0's job ran once, at B")
            #expect(!FileManager.default.fileExists(atPath: out + "/f1-at-B"))
            let moved = try await fx.workflows.events(id).filter { $0.kind == "moved" }
            #expect(moved.count == 1)
        }
    }

    @Test func aMoveMustNameReservesOfTheSameCount() throws {
        var definition = Self.definition(out: "/tmp")
        definition.tasks[2].standby = [1]
        #expect(throws: ConveyorError.self) { try definition.validate() }
        definition = Self.definition(out: "/tmp")
        definition.tasks[0].moves![0].targets[0].elements.append(.init(task: "work@B", index: 2))
        #expect(throws: ConveyorError.self) { try definition.validate() }
        definition = Self.definition(out: "/tmp")
        definition.tasks[0].moves![0].elements[0].index = 7
        #expect(throws: ConveyorError.self) { try definition.validate() }
    }
}
