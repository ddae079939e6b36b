import ConveyorCore

/// `/workflows`: workflow runs, newest first, with their tasks' states.
struct WorkflowsPage: Page {
    let runs: [WorkflowRun]
    let actor: Actor?
    let title = "Workflows"

    var body: HTML {
        let rows = runs.map { run -> HTML in
            let total = max(1, run.taskCounts.values.reduce(0, +))
            let bar = TaskState.allCases.compactMap { state -> HTML? in
                guard let n = run.taskCounts[state.rawValue], n > 0 else { return nil }
                return
                    "<span class=\"seg st-\(state.rawValue)\" style=\"width:\(String(format: "%.2f", Double(n) * 100 / Double(total)))%\" title=\"\(n) \(state.rawValue)\"></span>"
            }
            let counts = run.taskCounts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            return """
                <tr><td class="num"><a href="/workflows/\(run.id)">\(run.id)</a></td><td><a href="/workflows/\(run.id)">\(run.name)</a></td>\
                <td><span class="state st-\(run.state.rawValue)">\(run.state.rawValue)</span></td><td><div class="progress">\(bar)</div><span class="muted">\(counts)</span></td>\
                <td>\(run.createdAt.short)</td><td>\(run.createdBy)</td></tr>
                """
        }
        return """
            <p class="muted">Submit a DAG with <code>conveyor wf submit FILE</code> or <code>POST /api/v1/workflows</code>; the scheduler runs it.</p>
            <table id="workflows"><thead><tr><th>ID</th><th>Name</th><th>State</th><th>Tasks</th><th>Submitted</th><th>By</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }
}
