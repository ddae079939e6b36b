import ConveyorCore
import ConveyorWorkflow
import Foundation

/// `/workflows/{id}/tasks/{name}`: a job task's attempts with each job's stdout and stderr.
struct TaskLogPage: Page {
    let log: Workflows.TaskLog
    let actor: Actor?
    var title: String { "Task \(log.task.name)" }

    var body: HTML {
        let entries = log.entries.map { entry -> HTML in
            let a = entry.attempt
            let figures = [
                a.exitCode.map { "exit \($0)" }, a.wallSeconds.map { String(format: "%.2f s wall", $0) }, a.cpuSeconds.map { String(format: "%.2f s CPU", $0) },
                a.maxRSSKilobytes.map { "\($0) kB peak" }, a.reason,
            ].compactMap { $0 }.joined(separator: " · ")
            return """
                <section class="attempt"><h3>Element \(a.element), try \(a.attempt): <span class="state at-\(a.state.rawValue)">\(a.state.rawValue)</span></h3>
                <p class="muted">\(figures) · batch job \(a.submission)</p>
                <h4>stdout</h4><pre>\(entry.stdout.isEmpty ? "(empty)" : entry.stdout)</pre>
                <h4>stderr</h4><pre>\(entry.stderr.isEmpty ? "(empty)" : entry.stderr)</pre></section>
                """
        }
        return """
            <p><a href="/workflows/\(log.task.workflowID)">← workflow \(log.task.workflowID)</a> · <span class="state st-\(log.task.state.rawValue)">\(log.task.state.rawValue)</span> · \(log.task.tries) failed tries</p>
            \(entries.isEmpty ? "<p class=\"muted\">No job has run yet.</p>" : HTML(unsafe: entries.map(\.rendered).joined()))
            """
    }
}
