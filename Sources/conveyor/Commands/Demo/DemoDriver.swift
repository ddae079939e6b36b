import ConveyorLive
import ConveyorCore
import ConveyorRequests
import ConveyorStore
import ConveyorWorkflow
import Foundation
import Logging

/// Runs the demo request's workflow on this machine: the scheduler until only a person can move
/// things on, then the demo's people sign off (saying so), again until the workflow ends; a
/// progress line on the way.
struct DemoDriver {
    let store: Store
    let folder: String
    let keepGoing: Bool
    let logger: Logger

    func run() async throws {
        let requests = Requests(store: store)
        let workflows = Workflows(store: store)
        let (request, workflowID) = try await current()
        let service = SchedulerService(
            store: store, jobRoot: "\(folder)/jobs", pollInterval: .milliseconds(250), stop: .blocked,
            plugins: try .production(store: store), logger: logger)
        let clock = ContinuousClock.now
        let progress = Task { await DemoProgress(store: store, workflow: workflowID, started: clock).show() }
        defer { progress.cancel() }
        var retried: Set<String> = []
        while true {
            try await service.run()
            let detail = try await workflows.show(workflowID)
            if detail.workflow.state != .running { break }
            let waiting = detail.tasks.filter { $0.state == .awaiting_signoff }
            for task in waiting {
                let (actor, comment) = signer(for: task.name, request: request, detail: try await requests.show(DemoRun.request))
                say("\(actor.name) (\(actor.role)) approves \(task.name): \(comment)")
                try await workflows.signOff(.named(workflow: workflowID, name: task.name), approve: true, comment: comment, by: actor)
            }
            let stuck = detail.tasks.filter { $0.state == .paused }
            for task in stuck {
                guard keepGoing, !retried.contains(task.name) else {
                    let hint =
                        task.name.hasPrefix("calibrate:")
                        ? "; a calibration needs enough bhabha events: try more --events"
                        : keepGoing ? "" : "; --keep-going retries a failed step once"
                    throw ConveyorError.conflict(
                        "\(task.name) failed and paused: see `conveyor task log \(workflowID)/\(task.name) --db \(folder)/conveyor.sqlite`\(hint)")
                }
                retried.insert(task.name)
                say("\(DemoRun.manager.name) retries \(task.name) once (--keep-going)")
                try await workflows.control(.named(workflow: workflowID, name: task.name), .retry, comment: "demo --keep-going", by: DemoRun.manager)
            }
            if waiting.isEmpty && stuck.isEmpty { break }
            service.scheduler.noteCommand()
        }
        progress.cancel()
        await DemoProgress(store: store, workflow: workflowID, started: clock).line(final: true)
        let state = try await workflows.show(workflowID).workflow.state
        if state != .succeeded {
            throw ConveyorError.conflict(
                "the demo's workflow \(workflowID) ended \(state): `conveyor wf show \(workflowID) --db \(folder)/conveyor.sqlite` says why")
        }
    }

    private func current() async throws -> (ProcessingRequest, Int64) {
        guard let record = try await store.read({ try await $0.request(named: DemoRun.request) }), let id = record.workflowID else {
            throw ConveyorError.notFound("no demo request in \(folder)")
        }
        let request = try Requests.parse(Data(record.configuration.utf8), name: record.fileName)
        if try await Workflows(store: store).show(id).workflow.state != .running {
            let resumed = try await Requests(store: store).resume(DemoRun.request, by: DemoRun.manager)
            say("Resumed request \(DemoRun.request) as workflow \(resumed.workflowID): \(resumed.jobsToRun) open jobs.")
            return (request, resumed.workflowID)
        }
        return (request, id)
    }

    /// Who signs a task off in the demo, and what they say.
    private func signer(for task: String, request: ProcessingRequest, detail: Requests.Detail) -> (Actor, String) {
        if task == "local-calibrations" { return (Actor(name: "demo-experts", role: .expert), "no local-run payloads for this bucket") }
        if task.hasPrefix("signoff:") {
            let name = String(task.dropFirst("signoff:".count))
            let expert = request.calibrations.first { $0.name == name }?.expert ?? "demo-expert"
            let attempts = detail.calibrations.filter { $0.calibration == name }
            let merged = attempts.filter { $0.outcome == .not_enough_data }.count
            let iterations = attempts.filter { $0.outcome == .iterate }.count
            let payloads = detail.payloads.filter { $0.name.lowercased().hasPrefix(name.split(separator: "_").first.map(String.init)?.lowercased() ?? name) }
            return (
                Actor(name: expert, role: .expert),
                "\(attempts.count) algorithm run(s) (\(iterations) iterate, \(merged) not_enough_data merges); \(payloads.count) IoV(s) in the staging tag look sane"
            )
        }
        return (DemoRun.manager, "all calibrations signed off, staging tag passes gt check: go for the running update and processing")
    }

    func say(_ text: String) { print("[demo] \(text)") }
}
