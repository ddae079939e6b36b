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

    /// Larger DAGs are shown as the table only.
    static let graphLimit = 400

    var body: HTML {
        let w = detail.workflow
        let pending = detail.tasks.filter { $0.state == .awaiting_signoff }
        let signoffs: HTML = pending.isEmpty ? "" : """
            <section id="signoffs"><h2>Waiting for sign-off</h2>\(pending.map(signOffForm))</section>
            """
        return """
        <p><span class="state st-\(w.state.rawValue)">\(w.state.rawValue)</span> · submitted \(w.createdAt.short) by \(w.createdBy)\
        \(w.finishedAt.map { " · finished \($0.short)" } ?? "") · <a href="/api/v1/workflows/\(w.id)/events">event log (JSON)</a></p>
        \(signoffs)
        <h2>Graph</h2>
        \(graph)
        <h2>Timeline</h2>
        \(gantt)
        <h2>Tasks</h2>
        <table id="tasks"><thead><tr><th>Task</th><th>Kind</th><th>State</th><th>Tries</th><th>Elements</th><th>Note</th></tr></thead><tbody>\(detail.tasks.map(row))</tbody></table>
        """
    }

    private func row(_ task: WorkflowTask) -> HTML {
        let elements: HTML = task.definition.kind == .job ? "\(elementSummary(task))" : ""
        let note: String = task.decidedBy.map { "\(task.state == .succeeded ? "approved" : "rejected") by \($0): \(task.decisionComment ?? "")" }
            ?? (task.state == .awaiting_signoff ? "needs role \(task.definition.role?.rawValue ?? "manager")" : "")
        let name: HTML = task.definition.kind == .job
            ? "<a href=\"/workflows/\(task.workflowID)/tasks/\(task.name)\">\(task.name)</a>" : "\(task.name)"
        return "<tr id=\"task-\(task.name)\"><td>\(name)</td><td>\(task.definition.kind.rawValue)</td><td><span class=\"state st-\(task.state.rawValue)\">\(task.state.rawValue)</span></td><td class=\"num\">\(task.tries)</td><td>\(elements)</td><td>\(note)</td></tr>"
    }

    private func elementSummary(_ task: WorkflowTask) -> String {
        let c = task.elementCounts
        let running = (c["running"] ?? 0) + (c["submitted"] ?? 0)
        return "\(c["succeeded"] ?? 0)/\(task.definition.elements) done" + (running > 0 ? ", \(running) running" : "") + ((c["failed"] ?? 0) > 0 ? ", \(c["failed"]!) failed" : "")
    }

    private func signOffForm(_ task: WorkflowTask) -> HTML {
        let role = task.definition.role ?? .manager
        guard let actor, actor.role >= role else {
            return "<p class=\"signoff\"><b>\(task.name)</b> waits for someone with role \(role.rawValue).</p>"
        }
        return """
        <form class="signoff" method="post" action="/workflows/\(task.workflowID)/tasks/\(task.name)/signoff">
        <b>\(task.name)</b> <input type="text" name="comment" placeholder="What you checked, or why you reject">
        <button name="decision" value="approve">Approve</button> <button name="decision" value="reject" class="reject">Reject</button>
        </form>
        """
    }

    /// Tasks in columns by depth (longest path from a root), one row per task of a column.
    private var graph: HTML {
        let tasks = detail.tasks
        guard tasks.count <= Self.graphLimit else { return "<p class=\"muted\">The graph is drawn for workflows of up to \(Self.graphLimit) tasks; this one has \(tasks.count).</p>" }
        var depth: [Int64: Int] = [:]
        let byID = Dictionary(uniqueKeysWithValues: tasks.map { ($0.id, $0) })
        func level(_ id: Int64) -> Int {
            if let d = depth[id] { return d }
            let d = (byID[id]?.upstream.map { level($0) + 1 }.max()) ?? 0
            depth[id] = d
            return d
        }
        var columns: [Int: [WorkflowTask]] = [:]
        for task in tasks { columns[level(task.id), default: []].append(task) }
        let (boxW, boxH, gapX, gapY) = (150, 40, 50, 14)
        var position: [Int64: (x: Int, y: Int)] = [:]
        for (column, members) in columns {
            for (row, task) in members.enumerated() { position[task.id] = (20 + column * (boxW + gapX), 20 + row * (boxH + gapY)) }
        }
        let width = 40 + (columns.keys.max() ?? 0) * (boxW + gapX) + boxW
        let height = 40 + (columns.values.map(\.count).max() ?? 1) * (boxH + gapY)
        var edges: [HTML] = []
        for task in tasks {
            guard let to = position[task.id] else { continue }
            for up in task.upstream {
                guard let from = position[up] else { continue }
                edges.append("<line class=\"edge\" x1=\"\(from.x + boxW)\" y1=\"\(from.y + boxH / 2)\" x2=\"\(to.x)\" y2=\"\(to.y + boxH / 2)\"/>")
            }
        }
        let nodes = tasks.map { task -> HTML in
            let p = position[task.id]!
            let label = task.name.count > 20 ? String(task.name.prefix(19)) + "…" : task.name
            let sub = task.definition.kind == .job && task.definition.elements > 1 ? elementSummary(task) : task.state.rawValue
            return """
            <g class="node st-\(task.state.rawValue)" data-task="\(task.name)"><title>\(task.name): \(task.state.rawValue)</title>\
            <rect x="\(p.x)" y="\(p.y)" width="\(boxW)" height="\(boxH)" rx="5"/>\
            <text x="\(p.x + 8)" y="\(p.y + 16)" class="label">\(label)</text><text x="\(p.x + 8)" y="\(p.y + 32)" class="sub">\(sub)</text></g>
            """
        }
        return "<svg class=\"dag\" id=\"dag\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"task graph\">\(edges)\(nodes)</svg>"
    }

    /// One bar per attempt, from start to end (or now), grouped by task.
    private var gantt: HTML {
        let started = attempts.filter { $0.startedAt != nil }
        guard let first = started.map({ $0.startedAt!.microsecondsSinceEpoch }).min() else { return "<p class=\"muted\">No job has started yet.</p>" }
        let now = Timestamp.now.microsecondsSinceEpoch
        let last = started.map { $0.finishedAt?.microsecondsSinceEpoch ?? now }.max() ?? now
        let span = Double(max(1, last - first))
        let names = Dictionary(uniqueKeysWithValues: detail.tasks.map { ($0.id, $0.name) })
        let rows = Array(Set(started.map(\.taskID))).sorted()
        let shown = Array(rows.prefix(200))
        let (labelW, plotW, rowH) = (160, 700, 16)
        let bars = shown.enumerated().flatMap { index, taskID -> [HTML] in
            let y = 10 + index * rowH
            var out: [HTML] = ["<text x=\"4\" y=\"\(y + 11)\" class=\"label\">\(names[taskID] ?? "")</text>"]
            for a in started where a.taskID == taskID {
                let x0 = Double(a.startedAt!.microsecondsSinceEpoch - first) / span * Double(plotW)
                let x1 = Double((a.finishedAt?.microsecondsSinceEpoch ?? now) - first) / span * Double(plotW)
                out.append("<rect class=\"bar at-\(a.state.rawValue)\" x=\"\(labelW + Int(x0))\" y=\"\(y)\" width=\"\(max(2, Int(x1 - x0)))\" height=\"\(rowH - 4)\"><title>\(names[taskID] ?? "") element \(a.element) try \(a.attempt): \(a.state.rawValue)</title></rect>")
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
