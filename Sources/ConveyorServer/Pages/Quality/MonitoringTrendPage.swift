import ConveyorCore
import ConveyorMonitoring

/// `/qm/trend`: a variable across runs with error bars, the reference band and the runs flagged
/// bad — the MiraBelle view — with a form to pick the variable, runs and processing.
struct MonitoringTrendPage: Page {
    let trend: QualityMonitoring.Trend?
    let variables: [String]
    let query: (variable: String, exp: Int, runs: String, processing: String)
    let actor: Actor?
    var title: String { trend.map { "Trend of \($0.variable)" } ?? "Monitoring trends" }

    var body: HTML {
        let options = variables.map { v -> HTML in "<option value=\"\(v)\"\(HTML(unsafe: v == query.variable ? " selected" : ""))>\(v)</option>" }
        let form: HTML = """
            <form method="get" action="/qm/trend" class="filters">
            <label>Variable <input list="variables" name="variable" value="\(query.variable)"></label><datalist id="variables">\(options)</datalist>
            <label>Exp <input name="exp" value="\(query.exp)" size="4"></label>
            <label>Runs <input name="runs" value="\(query.runs)" size="12"></label>
            <label>Processing <input name="processing" value="\(query.processing)" size="8"></label>
            <button>Show</button></form>
            """
        guard let trend else { return form }
        let bad = trend.points.filter(\.flaggedBad).map { String($0.run) }
        let failing = trend.points.filter { $0.verdict == .bad }.map { String($0.run) }
        return """
            \(form)
            <p>\(trend.points.count) run(s)\(trend.detector.map { " · detector \($0)" } ?? "") · failing their reference: \(failing.isEmpty ? "none" : failing.joined(separator: ", ")) · flagged BAD: \(bad.isEmpty ? "none" : bad.joined(separator: ", "))</p>
            <div id="trend">\(HTML(unsafe: MonitoringCharts.trend(trend)))</div>
            """
    }
}

/// `/qm/compare`: two processings of the same runs side by side (prompt against procN).
struct ProcessingComparisonPage: Page {
    let comparison: QualityMonitoring.ProcessingComparison
    let actor: Actor?
    var title: String { "\(comparison.processings.joined(separator: " against ")), experiment \(comparison.exp)" }

    var body: HTML {
        func n(_ x: Double?) -> String { x.map { String(format: "%.5g", $0) } ?? "-" }
        let rows = comparison.rows.map { r -> HTML in
            "<tr><td><a href=\"/runs/\(comparison.exp)/\(r.run)/monitoring\">\(r.run)</a></td><td>\(r.variable)</td><td>\(n(r.first))</td><td>\(n(r.second))</td><td>\(n(r.difference))</td><td>\(n(r.chi2PerNDF))</td></tr>"
        }
        let names = comparison.processings
        return """
            <p>Scalars as they are, histograms by their mean; χ²/ndf compares the two shapes bin by bin.</p>
            <table id="comparison"><thead><tr><th>Run</th><th>Variable</th><th>\(names.first ?? "")</th><th>\(names.last ?? "")</th><th>Difference</th><th>χ²/ndf</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }
}
