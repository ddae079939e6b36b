import ConveyorConditions
import ConveyorCore

/// `/globaltags/{tag}`: the tag, its payloads and IoVs, and a chart of which revision covers
/// which runs.
struct GlobalTagPage: Page {
    let detail: GlobalTagDetail
    let entries: [TagEntry]
    let violations: [StagingRules.Violation]
    let actor: Actor?
    var title: String { "Global tag \(detail.tag.name)" }

    /// The chart and table stop here; bigger tags are summarised (use the API for all of it).
    static let shownEntries = 2_000

    var body: HTML {
        let tag = detail.tag
        let shown = Array(entries.prefix(Self.shownEntries))
        let check: HTML =
            violations.isEmpty
            ? "<p class=\"ok\">Passes the staging rules.</p>"
            : "<div class=\"violations\"><p class=\"error\">Breaks the staging rules:</p><ul>\(violations.map { v -> HTML in "<li>\(v.description)</li>" })</ul></div>"
        let rows = shown.map { e -> HTML in
            "<tr><td>\(e.name)</td><td class=\"num\">\(e.revision)</td><td><code>\(e.iov.description)</code></td><td><code>\(e.sha256.prefix(16))</code></td><td><a href=\"/api/v1/payloads/\(e.name.urlPathEncoded)/\(e.revision)\">bytes</a></td></tr>"
        }
        let more: HTML = entries.count > shown.count ? "<p class=\"muted\">Showing \(shown.count) of \(entries.count) IoVs.</p>" : ""
        return """
            <p><span class="state state-\(tag.state.rawValue.lowercased())">\(tag.state.rawValue)</span> \(tag.type.rawValue) · created \(tag.createdAt.iso8601.prefix(19)) by \(tag.createdBy) · \(detail.iovCount) IoVs of \(detail.payloadNameCount) payload names</p>
            <p>\(tag.description)</p>
            \(check)
            <h2>Coverage</h2>
            \(RunRangeChart(entries: shown).svg)
            <h2>IoVs</h2>
            \(more)
            <table id="iovs"><thead><tr><th>Payload</th><th>Rev</th><th>IoV</th><th>SHA-256</th><th></th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }
}

/// Which revision covers which runs, one row per payload name, drawn as SVG on the server.
///
/// The run axis is ordinal: every IoV boundary gets its own evenly spaced tick, so a bucket of
/// ten runs and an experiment of thousands are both readable in one picture.
struct RunRangeChart {
    let entries: [TagEntry]

    var svg: HTML {
        guard !entries.isEmpty else { return "<p class=\"muted\">No IoVs.</p>" }
        let names = Array(Set(entries.map(\.name))).sorted()
        var ticks = Set<ExpRun>()
        for e in entries {
            ticks.insert(e.iov.start)
            if let after = e.iov.upperBound.successor, !e.iov.isOpen { ticks.insert(after) }
        }
        let axis = ticks.sorted()
        let labelWidth = 170.0, width = 900.0, rowHeight = 22.0, top = 24.0
        let span = width - labelWidth - 20
        let step = span / Double(max(axis.count, 1))
        func x(_ run: ExpRun) -> Double { labelWidth + Double(axis.firstIndex(of: run) ?? 0) * step }
        func xEnd(_ iov: IntervalOfValidity) -> Double {
            if iov.isOpen { return width - 10 }
            return iov.upperBound.successor.map(x) ?? (width - 10)
        }
        let height = top + Double(names.count) * rowHeight + 10
        var parts: [HTML] = []
        for (i, run) in axis.enumerated() where axis.count <= 24 || i % max(1, axis.count / 12) == 0 {
            parts.append(
                "<text x=\"\(x(run))\" y=\"14\" class=\"tick\">\(run.description)</text><line x1=\"\(x(run))\" y1=\"18\" x2=\"\(x(run))\" y2=\"\(height)\" class=\"grid\"/>"
            )
        }
        for (row, name) in names.enumerated() {
            let y = top + Double(row) * rowHeight
            parts.append("<text x=\"4\" y=\"\(y + 15)\" class=\"name\">\(name)</text>")
            for e in entries where e.name == name {
                let x0 = x(e.iov.start), x1 = max(xEnd(e.iov), x0 + 3)
                let hue = (e.revision * 67) % 360
                parts.append(
                    "<rect x=\"\(x0)\" y=\"\(y + 3)\" width=\"\(x1 - x0 - 1)\" height=\"\(rowHeight - 6)\" fill=\"hsl(\(hue),55%,62%)\"><title>\(name) rev \(e.revision): \(e.iov.description)</title></rect>"
                )
                if x1 - x0 > 26 { parts.append("<text x=\"\(x0 + 4)\" y=\"\(y + 15)\" class=\"rev\">r\(e.revision)</text>") }
            }
        }
        return "<svg class=\"iov-chart\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\" role=\"img\" aria-label=\"IoV coverage\">\(parts)</svg>"
    }
}
