import ConveyorCore
import ConveyorStore
import ConveyorWorkflow
import Foundation

/// The demo's live progress: a line every few seconds with the elapsed time, jobs done, running
/// and failed, and the steps under way.
struct DemoProgress {
    let store: Store
    let workflow: Int64
    let started: ContinuousClock.Instant

    func show() async {
        var last = ""
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3))
            if Task.isCancelled { return }
            let text = await summary()
            if text != last { print(text); last = text }
        }
    }

    func line(final: Bool) async {
        print(await summary())
    }

    private func summary() async -> String {
        guard let tasks = try? await Workflows(store: store).show(workflow).tasks else { return "" }
        let jobs = tasks.filter { $0.definition.kind == .job }
        let total = jobs.reduce(0) { $0 + $1.definition.elements }
        let done = jobs.reduce(0) { $0 + ($1.elementCounts["succeeded"] ?? 0) }
        let running = jobs.reduce(0) { $0 + ($1.elementCounts["running"] ?? 0) + ($1.elementCounts["submitted"] ?? 0) }
        let failed = jobs.reduce(0) { $0 + ($1.elementCounts["failed"] ?? 0) }
        let active = tasks.filter { [.ready, .submitted, .running, .awaiting_signoff, .cooloff, .paused].contains($0.state) }.map { task in
            task.definition.kind == .job && task.definition.elements > 1
                ? "\(task.name) \(task.elementProgress)" : "\(task.name) (\(task.state.rawValue))"
        }
        let finished = tasks.filter { $0.state.isFinal }.count
        let elapsed = Int((ContinuousClock.now - started).components.seconds)
        return String(
            format: "[%02d:%02d] steps %d/%d · jobs %d/%d done, %d running, %d failed", elapsed / 60, elapsed % 60, finished, tasks.count,
            done, total, running, failed) + (active.isEmpty ? "" : " · " + active.prefix(4).joined(separator: ", "))
    }
}
