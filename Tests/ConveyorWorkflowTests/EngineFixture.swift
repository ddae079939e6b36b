import ConveyorCore
import ConveyorExecutors
import ConveyorStore
import ConveyorTestSupport
import ConveyorWorkflow
import Foundation
import Testing

let manager = Actor(name: "mona", role: .manager)
let expert = Actor(name: "erik", role: .expert)
let viewer = Actor(name: "vera", role: .viewer)

/// A store, a local pool, a scheduler and a folder for job files and markers.
struct EngineFixture {
    let store: Store
    let workflows: Workflows
    let scheduler: Scheduler
    let folder: TemporaryDirectory

    static func run(_ backend: TestBackend, slots: Int = 4, cooloffBase: Double = 0.05, _ body: (EngineFixture) async throws -> Void) async throws {
        try await backend.withStore { (store: Store) async throws in
            let folder = try TemporaryDirectory(prefix: "conveyor-engine")
            defer { folder.remove() }
            let wakeup = Wakeup()
            let executors = ExecutorSet.standard(wakeup: wakeup)
            let scheduler = Scheduler(
                store: store, executors: executors,
                configuration: .init(jobRoot: folder.path + "/jobs", pollInterval: .milliseconds(50), waitCheckInterval: .milliseconds(50)),
                wakeup: wakeup, logger: TestBackend.quietLogger)
            let workflows = Workflows(store: store, onCommand: { scheduler.noteCommand() })
            try await workflows.savePool(try Pool(name: "local", executor: .local, slots: slots), by: manager)
            try await body(EngineFixture(store: store, workflows: workflows, scheduler: scheduler, folder: folder))
        }
    }

    /// A second scheduler on the same store, as after a restart; `lostAfter` as the test needs.
    func restartedScheduler(lostAfter: Duration = .seconds(600)) -> Scheduler {
        let wakeup = Wakeup()
        return Scheduler(
            store: store, executors: ExecutorSet.standard(wakeup: wakeup),
            configuration: .init(jobRoot: folder.path + "/jobs", pollInterval: .milliseconds(200), lostAfter: lostAfter), wakeup: wakeup,
            logger: TestBackend.quietLogger)
    }

    func submit(_ yaml: String) async throws -> Int64 {
        try await workflows.submit(Data(yaml.utf8), name: "dag.yaml", by: manager)
    }

    /// Ticks until `done` holds (at most `seconds`: a deadline for a loaded machine, not a speed check).
    func tick(until done: (Workflows.Detail) -> Bool, workflow: Int64, seconds: Double = 180, with other: Scheduler? = nil) async throws -> Workflows.Detail {
        let scheduler = other ?? self.scheduler
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            try await scheduler.tick()
            let detail = try await workflows.show(workflow)
            if done(detail) { return detail }
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out: \(detail.tasks.map { "\($0.name)=\($0.state)" }.joined(separator: " "))")
                return detail
            }
            await scheduler.wakeup.wait(timeout: .milliseconds(50))
        }
    }

    func states(_ detail: Workflows.Detail) -> [String: TaskState] {
        Dictionary(detail.tasks.map { ($0.name, $0.state) }, uniquingKeysWith: { first, _ in first })
    }
}
