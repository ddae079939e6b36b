import ConveyorCore
import ConveyorRuns
import Foundation

/// `/runs`: the run list with filters, totals and the integrated luminosity over time.
struct RunsPage: Page {
    let listing: RunRegistry.Listing
    let filters: [String: String]
    let actor: Actor?
    let title = "Runs"

    /// The table stops here; the totals and the plot cover every selected run.
    static let shownRuns = 2_000

    var body: HTML {
        func field(_ name: String, _ placeholder: String) -> HTML {
            "<input type=\"text\" name=\"\(name)\" value=\"\(filters[name] ?? "")\" placeholder=\"\(placeholder)\" size=\"10\">"
        }
        let qualityOptions =
            ([HTML("<option value=\"\">any quality</option>")]
                + QualityFlag.allCases.map { flag -> HTML in
                    "<option value=\"\(flag.rawValue)\"\(HTML(unsafe: filters["quality"] == flag.rawValue ? " selected" : ""))>\(flag.rawValue)</option>"
                })
        let rows = listing.runs.prefix(Self.shownRuns).map { r -> HTML in
            let record = r.record
            return
                "<tr><td><a href=\"/runs/\(record.run.exp)/\(record.run.run)\">\(record.run.description)</a></td><td>\(record.type.rawValue)</td><td>\(record.energy)</td><td>\(record.magnet ? "on" : "off")</td><td>\(record.start.map { String($0.iso8601.prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? "")</td><td class=\"num\">\(record.durationSeconds.map { String($0 / 60) } ?? "")</td><td class=\"num\">\(record.events)</td><td class=\"num\">\(String(format: "%.3f", record.luminosity))</td><td><span class=\"flag flag-\(r.quality.rawValue.lowercased())\">\(r.quality.rawValue)</span></td></tr>"
        }
        let t = listing.totals
        return """
            <form method="get" action="/runs" class="filters">
            \(field("exp", "exp")) \(field("runs", "first-last")) \(field("type", "type")) \(field("energy", "energy")) \(field("min_lumi", "min /pb"))
            <select name="quality">\(qualityOptions)</select>
            <input type="submit" value="Filter">
            </form>
            <p id="totals"><strong>\(t.runs)</strong> runs · <strong>\(t.events)</strong> events · <strong>\(String(format: "%.3f", t.luminosityPerPicobarn))</strong> /pb (\(String(format: "%.4f", t.luminosityPerFemtobarn)) /fb)</p>
            \(LuminosityPlot(runs: listing.runs.map { $0.record }).svg)
            <table id="runs"><thead><tr><th>Run</th><th>Type</th><th>Energy</th><th>Magnet</th><th>Start (UTC)</th><th>Min</th><th>Events</th><th>Lumi /pb</th><th>Quality</th></tr></thead>
            <tbody>\(Array(rows))</tbody></table>
            """
    }
}

/// Integrated luminosity against time: the cumulative sum over runs in start order, as SVG.
struct LuminosityPlot {
    let runs: [RunRecord]

    var svg: HTML {
        let timed = runs.filter { $0.start != nil }.sorted { $0.start! < $1.start! }
        guard let first = timed.first?.start, timed.count >= 1 else { return "<p class=\"muted\">No run has a start time to plot.</p>" }
        let last = timed.map { $0.stop ?? $0.start! }.max()!
        let total = timed.reduce(0) { $0 + $1.luminosity }
        let width = 900.0, height = 220.0, left = 60.0, bottom = 30.0, top = 12.0
        let span = max(1, Double(last.microsecondsSinceEpoch - first.microsecondsSinceEpoch))
        func x(_ t: Timestamp) -> Double { left + (width - left - 10) * Double(t.microsecondsSinceEpoch - first.microsecondsSinceEpoch) / span }
        func y(_ lumi: Double) -> Double { height - bottom - (height - bottom - top) * (total > 0 ? lumi / total : 0) }
        var points = ["\(x(first)),\(y(0))"]
        var sum = 0.0
        for run in timed {
            sum += run.luminosity
            points.append("\(x(run.stop ?? run.start!)),\(y(sum))")
        }
        let unit = total >= 1000 ? "/fb" : "/pb"
        let shown = total >= 1000 ? total / 1000 : total
        return """
            <svg class="lumi-plot" viewBox="0 0 \(width) \(height)" width="100%" role="img" aria-label="integrated luminosity">
            <line x1="\(left)" y1="\(height - bottom)" x2="\(width - 10)" y2="\(height - bottom)" class="axis"/>
            <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(height - bottom)" class="axis"/>
            <polyline points="\(points.joined(separator: " "))" class="lumi"/>
            <text x="4" y="\(top + 10)" class="tick">\(String(format: "%.3g", shown)) \(unit)</text>
            <text x="4" y="\(height - bottom)" class="tick">0</text>
            <text x="\(left)" y="\(height - 8)" class="tick">\(String(first.iso8601.prefix(10)))</text>
            <text x="\(width - 90)" y="\(height - 8)" class="tick">\(String(last.iso8601.prefix(10)))</text>
            </svg>
            """
    }
}
