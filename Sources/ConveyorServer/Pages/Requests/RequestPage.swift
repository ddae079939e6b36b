import ConveyorCore
import ConveyorRequests
import ConveyorWorkflow
import Foundation

/// `/requests/{name}`: the request's steps with progress, its DAG, sign-offs waiting (with
/// buttons for those who may decide), calibration outcomes, payloads in the staging tag, and the
/// outputs with their luminosity.
struct RequestPage: Page {
    let detail: Requests.Detail
    let tasks: [WorkflowTask]
    var turnaround: Requests.RequestTurnaround? = nil
    /// `physics/mass_peak` summed over the request's runs, per processing (express, then this request's).
    var massPeaks: [(processing: String, histogram: MonitoringHistogram, runs: Int)] = []
    let actor: Actor?
    var title: String { "Request \(detail.summary.record.name)" }

    var body: HTML {
        let s = detail.summary
        let r = detail.request
        let scope = r.bucket.map { "bucket \($0)" } ?? "runs \(r.runs ?? "")"
        let workflow: HTML = s.record.workflowID.map { "· <a href=\"/workflows/\($0)\">workflow \($0)</a>" } ?? ""
        let here = "/requests/\(s.record.name)"
        let signoffs: HTML =
            detail.pendingSignoffs.isEmpty
            ? ""
            : """
            <section id="signoffs"><h2>Waiting for sign-off</h2>\(detail.pendingSignoffs.map { SignOffForm.render($0, actor: actor, returnTo: here) })</section>
            """
        return """
            <p><span class="state st-\(s.state.rawValue)">\(s.state.rawValue)</span> · \(r.campaign.description) over \(scope) · release \(r.release) \
            · tags \(r.globalTags.joined(separator: " > ")) \(workflow) · submitted \(s.record.submittedAt.short) by \(s.record.submittedBy)</p>
            \(signoffs)
            <h2>Steps</h2>
            <div id="steps" class="steps">\(detail.steps.filter { $0.state != "none" }.map(StepProgress.bar))</div>
            <h2>Graph</h2>
            \(tasks.isEmpty ? "<p class=\"muted\">No workflow yet.</p>" : TaskGraph(tasks: tasks).svg)
            \(turnaroundSection)
            \(massPeakSection)
            \(calibrations)
            \(payloads)
            \(outputs)
            \(takenOut)
            """
    }

    /// Where the wall time went, as a stacked bar and a table, and each decision people were waited for.
    private var massPeakSection: HTML {
        guard !massPeaks.isEmpty else { return "" }
        let colours = ["#c62828", "#1565c0", "#2e7d32"]
        let curves = massPeaks.enumerated().map { i, p in
            (label: "\(p.processing) (\(p.runs) runs)", colour: colours[i % colours.count], histogram: p.histogram)
        }
        let rows = massPeaks.map { p -> HTML in
            let mean = p.histogram.mean
            return
                "<tr><td>\(p.processing)</td><td>\(p.runs)</td><td>\(p.histogram.entries)</td><td>\(mean.map { String(format: "%.4f ± %.4f", $0.value, $0.error) } ?? "-")</td></tr>"
        }
        return """
            <h2 id="mass-peak">Mass peak of its runs</h2>
            <p>physics/mass_peak from the quality monitoring, summed over the request's runs: as express saw it before calibration, and as this request made it.</p>
            \(HTML(unsafe: MonitoringCharts.shapes(curves, title: "mass peak before and after")))
            <table id="mass-peaks"><thead><tr><th>Processing</th><th>Runs</th><th>Entries</th><th>Mean (GeV)</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }

    private var turnaroundSection: HTML {
        guard let turnaround, turnaround.turnaround.wallSeconds > 0 else { return "" }
        let t = turnaround.turnaround
        let rows = TurnaroundChart.parts.map { part -> HTML in
            let seconds = part.value(t.parts)
            return
                "<tr><td><span class=\"swatch\" style=\"background:\(part.colour)\"></span> \(part.name)</td><td class=\"num\">\(TurnaroundChart.duration(seconds))</td><td class=\"num\">\(String(format: "%.0f %%", 100 * seconds / t.wallSeconds))</td></tr>"
        }
        let decisions = t.signoffs.map { d -> HTML in
            "<tr><td>\(d.task)</td><td>\(d.kind)</td><td>\(d.ready.short)</td><td>\(d.decided?.short ?? "waiting")</td><td>\(d.who ?? "")</td><td class=\"num\">\(TurnaroundChart.duration(d.waitedSeconds))</td></tr>"
        }
        let people: HTML =
            decisions.isEmpty
            ? ""
            : "<table id=\"turnaround-decisions\"><thead><tr><th>Waited for</th><th>Kind</th><th>Ready</th><th>Decided</th><th>By</th><th>Waited</th></tr></thead><tbody>\(decisions)</tbody></table>"
        return """
            <h2>Turnaround</h2>
            <p>\(TurnaroundChart.duration(t.wallSeconds))\(t.finished ? "" : " so far") from submission \(t.finished ? "to the end" : "until now").</p>
            \(HTML(unsafe: TurnaroundChart.svg(for: [turnaround])))
            <table id="turnaround"><thead><tr><th>Went to</th><th>Time</th><th>Share</th></tr></thead><tbody>\(rows)</tbody></table>
            \(people)
            """
    }

    private var calibrations: HTML {
        guard !detail.calibrations.isEmpty else { return "" }
        let rows = detail.calibrations.map { a -> HTML in
            "<tr><td>\(a.calibration)</td><td>\(a.exp):\(a.firstRun)-\(a.lastRun)</td><td class=\"num\">\(a.iteration)</td><td><span class=\"state oc-\(a.outcome.rawValue)\">\(a.outcome.rawValue)</span></td><td>\(a.detail)</td></tr>"
        }
        return
            "<h2>Calibrations</h2><table id=\"calibrations\"><thead><tr><th>Calibration</th><th>Runs</th><th>Iteration</th><th>Outcome</th><th>Detail</th></tr></thead><tbody>\(rows)</tbody></table>"
    }

    private var payloads: HTML {
        guard !detail.payloads.isEmpty else { return "" }
        let tag = detail.request.stagingTag ?? ""
        let rows = detail.payloads.map { "<tr><td>\($0.name)</td><td class=\"num\">\($0.revision)</td><td>\($0.iov.description)</td></tr>" as HTML }
        return
            "<h2>Payloads in <a href=\"/globaltags/\(tag)\">\(tag)</a></h2><table id=\"payloads\"><thead><tr><th>Payload</th><th>Revision</th><th>IoV</th></tr></thead><tbody>\(rows)</tbody></table>"
    }

    private var outputs: HTML {
        guard !detail.outputs.isEmpty else { return "" }
        let rows = detail.outputs.map { o -> HTML in
            let l = o.luminosity.map { String(format: "%.3f", $0) } ?? ""
            return
                "<tr><td>\(o.step)</td><td>\(o.level.rawValue)</td><td>\(o.dataTag ?? "all")</td><td class=\"num\">\(o.files)</td><td class=\"num\">\(o.events)</td><td class=\"num\">\(l)</td></tr>"
        }
        let runs: HTML = detail.summary.record.luminosity.map { "<p class=\"muted\">The request's runs: \(String(format: "%.3f", $0.runs)) /pb.</p>" } ?? ""
        return
            "<h2>Outputs</h2><table id=\"outputs\"><thead><tr><th>Step</th><th>Level</th><th>Skim</th><th>Files</th><th>Events</th><th>Luminosity /pb</th></tr></thead><tbody>\(rows)</tbody></table>\(runs)"
    }

    private var takenOut: HTML {
        var parts: [HTML] = []
        if !detail.problems.isEmpty {
            let rows = detail.problems.map {
                "<tr><td>\($0.state.rawValue)</td><td><a href=\"/files\($0.lfn)\">\($0.lfn)</a></td><td>\($0.step)</td><td>\($0.reason)</td></tr>" as HTML
            }
            parts.append(
                "<h2>Inputs taken out</h2><table id=\"problems\"><thead><tr><th>State</th><th>File</th><th>Step</th><th>Reason</th></tr></thead><tbody>\(rows)</tbody></table>"
            )
        }
        if !detail.inputsNotOnDisk.isEmpty {
            parts.append(
                "<h2>Not yet on disk</h2><p class=\"muted\">\(detail.inputsNotOnDisk.count) input file(s) wait for tape staging.</p><ul id=\"not-on-disk\">\(detail.inputsNotOnDisk.prefix(50).map { "<li>\($0)</li>" as HTML })</ul>"
            )
        }
        let waits = detail.waitedOnData
        if waits.totalSeconds > 0 || waits.waiting {
            let text = String(format: "staging %.1f s, output rules %.1f s", waits.stagingSeconds, waits.outputsSeconds)
            parts.append(
                "<p id=\"data-waits\" class=\"muted\">Waited on data management\(waits.waiting ? " (so far)" : ""): \(text) (<a href=\"/rules\">rules</a>).</p>"
            )
        }
        return HTML(unsafe: parts.map(\.rendered).joined())
    }
}
