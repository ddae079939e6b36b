import ConveyorCore
import ConveyorRuns

/// `/runs/{exp}/{run}`: a run's values, its quality per detector, and every change with its reason.
struct RunPage: Page {
    let detail: RunRegistry.Detail
    let detectors: [String]
    let actor: Actor?
    var title: String { "Run \(detail.run.run)" }

    var body: HTML {
        let r = detail.run
        let flags = detectors.map { d -> HTML in
            let flag = detail.quality.flag(of: d)
            return "<td><span class=\"flag flag-\(flag.rawValue.lowercased())\">\(flag.rawValue)</span></td>"
        }
        let tags = detail.derivedTags + detail.quality.tags.sorted()
        let history = detail.qualityEvents.reversed().map { e -> HTML in
            let what: String
            switch e.kind {
            case .flag: what = "\(e.detector ?? "summary"): \(e.old ?? "-") → \(e.new)"
            case .tagAdded: what = "tag added: \(e.new)"
            case .tagRemoved: what = "tag removed: \(e.new)"
            }
            return
                "<tr><td><code>\(String(e.at.iso8601.prefix(19)).replacingOccurrences(of: "T", with: " "))</code></td><td>\(e.actor)</td><td>\(what)</td><td>\(e.reason)</td></tr>"
        }
        let changes = detail.valueChanges.reversed().map { c -> HTML in
            "<tr><td><code>\(String(c.at.iso8601.prefix(19)).replacingOccurrences(of: "T", with: " "))</code></td><td>\(c.actor)</td><td>\(c.field): \(c.oldValue ?? "-") → \(c.newValue ?? "-")</td></tr>"
        }
        return """
            <p>\(r.type.rawValue) · \(r.energy) · magnet \(r.magnet ? "on" : "off") · \(r.state.rawValue) · \(r.events) events · \(String(format: "%.3f", r.luminosity)) /pb</p>
            <p>Summary quality: <span class="flag flag-\(detail.quality.summary.rawValue.lowercased())" id="summary">\(detail.quality.summary.rawValue)</span>\(HTML(unsafe: tags.isEmpty ? "" : " · tags: ")) \(tags.joined(separator: ", "))</p>
            <p><a href="/runs/\(detail.run.run.exp)/\(detail.run.run.run)/monitoring">Monitoring histograms and proposed flags</a></p>
            <table id="detectors"><thead><tr>\(detectors.map { d -> HTML in "<th>\(d)</th>" })</tr></thead><tbody><tr>\(flags)</tr></tbody></table>
            <h2>Quality history</h2>
            <table id="quality-history"><thead><tr><th>When (UTC)</th><th>Who</th><th>Change</th><th>Reason</th></tr></thead><tbody>\(Array(history))</tbody></table>
            <h2>Value changes</h2>
            <table id="value-changes"><thead><tr><th>When (UTC)</th><th>Who</th><th>Change</th></tr></thead><tbody>\(Array(changes))</tbody></table>
            """
    }
}
