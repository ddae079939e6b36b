import ConveyorCore
import ConveyorMonitoring
import Foundation

/// `/runs/{exp}/{run}/monitoring`: a run's monitoring in one processing — each histogram over its
/// reference, the comparison table, and the proposals with their confirm and reject buttons.
struct RunMonitoringPage: Page {
    let monitoring: QualityMonitoring.RunMonitoring
    let actor: Actor?
    var title: String { "Monitoring of run \(monitoring.run)" }

    var body: HTML {
        let run = monitoring.run
        let tabs = monitoring.processings.map { p -> HTML in
            p == monitoring.processing
                ? "<b class=\"tab\">\(p)</b> " : "<a class=\"tab\" href=\"/runs/\(run.exp)/\(run.run)/monitoring?processing=\(p)\">\(p)</a> "
        }
        let proposals = monitoring.proposals.map { p -> HTML in
            let decision: HTML
            if p.state == .open, let actor, actor.role >= .expert {
                decision = """
                    <form class="decide" method="post" action="/qm/proposals/\(p.id)/decide">
                    <input type="text" name="comment" placeholder="What you saw, or why you reject">
                    <button name="decision" value="confirm">Confirm \(p.detector) \(p.flag.rawValue)</button> <button name="decision" value="reject" class="reject">Reject</button>
                    </form>
                    """
            } else {
                decision = "\(p.state.rawValue)\(p.decidedBy.map { " by \($0)" } ?? "")\(p.comment.map { ": \($0)" } ?? "")"
            }
            return
                "<tr id=\"proposal-\(p.id)\"><td>\(p.processing)</td><td>\(p.detector)</td><td>\(p.flag.rawValue)</td><td>\(p.reason)</td><td>\(decision)</td></tr>"
        }
        let rows = monitoring.entries.map { e -> HTML in
            let c = e.comparison
            let variable = e.value.variable.addingPercentEncoding(withAllowedCharacters: Self.queryValue) ?? ""
            let trend = "/qm/trend?variable=\(variable)&exp=\(run.exp)&runs=\(max(0, run.run - 50))-\(run.run + 50)&processing=\(e.value.processing)"
            return """
                <tr class="verdict-\(c.verdict.rawValue)"><td><a href="\(trend)">\(e.value.variable)</a></td><td>\(c.detector ?? "-")</td><td>\(e.value.version)</td><td>\(e.value.shortDescription)</td>\
                <td>\(c.test ?? "-")</td><td><span class="verdict verdict-\(c.verdict.rawValue)">\(c.verdict.rawValue)</span></td><td>\(c.figure.map { String(format: "%.3g", $0) } ?? "-")</td><td>\(c.reason)</td></tr>
                """
        }
        let charts = monitoring.entries.compactMap { e -> HTML? in
            guard let h = e.value.histogram else { return nil }
            return
                "<figure><figcaption>\(e.value.variable) · \(e.comparison.verdict.rawValue)</figcaption>\(HTML(unsafe: MonitoringCharts.histogram(h, over: e.reference?.histogram)))</figure>"
        }
        let noValues: HTML = monitoring.processing == nil ? "<p>No monitoring values for this run yet.</p>" : ""
        return """
            <p><a href="/runs/\(run.exp)/\(run.run)">Run \(run)</a> · summary quality <span class="flag flag-\(monitoring.quality.summary.rawValue.lowercased())">\(monitoring.quality.summary.rawValue)</span> · processings: \(tabs)</p>
            \(noValues)
            <h2>Proposed flags</h2>
            <table id="proposals"><thead><tr><th>Processing</th><th>Detector</th><th>Flag</th><th>Why</th><th>Decision</th></tr></thead><tbody>\(proposals)</tbody></table>
            <h2>Comparisons\(monitoring.processing.map { " (\($0))" } ?? "")</h2>
            <table id="comparisons"><thead><tr><th>Variable</th><th>Detector</th><th>V</th><th>Value</th><th>Test</th><th>Verdict</th><th>Figure</th><th>Reason</th></tr></thead><tbody>\(rows)</tbody></table>
            <h2>Histograms over their references</h2>
            <div class="charts">\(charts)</div>
            """
    }

    /// What may stand unescaped in a query value (a variable may hold `&`, `#` or `+`).
    static let queryValue = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "/-_.~"))
}
