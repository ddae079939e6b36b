import ConveyorCore
import ConveyorWorkflow
import Foundation

/// `/workflows/{id}`: the DAG as a graph coloured by state (arrays with done/running/failed
/// counts), a Gantt chart of the job attempts, every task with its log, and sign-off buttons for
/// a user holding the task's role.
struct WorkflowPage: Page {
    let detail: Workflows.Detail
    let attempts: [JobAttempt]
    let actor: Actor?
    var title: String { "Workflow \(detail.workflow.id): \(detail.workflow.name)" }

    var body: HTML {
        let w = detail.workflow
        let pending = detail.tasks.filter { $0.state == .awaiting_signoff }
        let signoffs: HTML =
            pending.isEmpty
            ? ""
            : """
            <section id="signoffs"><h2>Waiting for sign-off</h2>\(pending.map { SignOffForm.render($0, actor: actor) })</section>
            """
        return """
            <p><span class="state st-\(w.state.rawValue)">\(w.state.rawValue)</span> · submitted \(w.createdAt.short) by \(w.createdBy)\
            \(w.finishedAt.map { " · finished \($0.short)" } ?? "") · <a href="/api/v1/workflows/\(w.id)/events">event log (JSON)</a></p>
            \(signoffs)
            <h2>Graph</h2>
            \(TaskGraph(tasks: detail.tasks).svg)
            <h2>Timeline</h2>
            \(gantt)
            <h2>Tasks</h2>
            <table id="tasks"><thead><tr><th>Task</th><th>Kind</th><th>State</th><th>Tries</th><th>Elements</th><th>Note</th></tr></thead><tbody>\(detail.tasks.map(row))</tbody></table>
            """
    }

    private func row(_ task: WorkflowTask) -> HTML {
        let elements: HTML = task.definition.kind == .job ? "\(TaskGraph.elementSummary(task))" : ""
        let note: String =
            task.decidedBy.map { "\(task.state == .succeeded ? "approved" : "rejected") by \($0): \(task.decisionComment ?? "")" }
            ?? (task.state == .awaiting_signoff ? "needs role \(task.definition.role?.rawValue ?? "manager")" : "")
        let name: HTML =
            task.definition.kind == .job
            ? "<a href=\"/workflows/\(task.workflowID)/tasks/\(task.name)\">\(task.name)</a>" : "\(task.name)"
        return
            "<tr id=\"task-\(task.name)\"><td>\(name)</td><td>\(task.definition.kind.rawValue)</td><td><span class=\"state st-\(task.state.rawValue)\">\(task.state.rawValue)</span></td><td class=\"num\">\(task.tries)</td><td>\(elements)</td><td>\(note)</td></tr>"
    }

    /// One bar per attempt, from start to end (or now), grouped by task.
    private var gantt: HTML {
        let started = attempts.filter { $0.startedAt != nil }
        guard let first = started.map({ $0.startedAt!.microsecondsSinceEpoch }).min() else { return "<p class=\"muted\">No job has started yet.</p>" }
        let now = Timestamp.now.microsecondsSinceEpoch
        let last = started.map { $0.finishedAt?.microsecondsSinceEpoch ?? now }.max() ?? now
        let span = Double(max(1, last - first))
        let names = Dictionary(detail.tasks.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let rows = Array(Set(started.map(\.taskID))).sorted()
        let shown = Array(rows.prefix(200))
        let (labelW, plotW, rowH) = (160, 700, 16)
        let bars = shown.enumerated().flatMap { index, taskID -> [HTML] in
            let y = 10 + index * rowH
            var out: [HTML] = ["<text x=\"4\" y=\"\(y + 11)\" class=\"label\">\(names[taskID] ?? "")</text>"]
            for a in started where a.taskID == taskID {
                let x0 = Double(a.startedAt!.microsecondsSinceEpoch - first) / span * Double(plotW)
                let x1 = Double((a.finishedAt?.microsecondsSinceEpoch ?? now) - first) / span * Double(plotW)
                out.append(
                    "<rect class=\"bar at-\(a.state.rawValue)\" x=\"\(labelW + Int(x0))\" y=\"\(y)\" width=\"\(max(2, Int(x1 - x0)))\" height=\"\(rowH - 4)\"><title>\(names[taskID] ?? "") element \(a.element) try \(a.attempt): \(a.state.rawValue)</title></rect>"
                )
            }
            return out
        }
        let height = 20 + shown.count * rowH
        let more: HTML = rows.count > shown.count ? "<p class=\"muted\">First \(shown.count) of \(rows.count) tasks.</p>" : ""
        return """
            <svg class="gantt" id="gantt" width="\(labelW + plotW + 10)" height="\(height)" role="img" aria-label="timeline">\(bars)\
            <text x="\(labelW)" y="\(height - 2)" class="tick">0 s</text><text x="\(labelW + plotW - 40)" y="\(height - 2)" class="tick">\(String(format: "%.1f s", span / 1e6))</text></svg>\(more)
            """
    }
}
