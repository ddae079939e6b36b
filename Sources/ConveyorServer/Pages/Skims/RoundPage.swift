import ConveyorCore
import ConveyorSkims

/// `/rounds`: every skim/stripping round with its state.
struct RoundsPage: Page {
    let rounds: [StrippingRound]
    let actor: Actor?
    var title: String { "Skim and stripping rounds" }

    var body: HTML {
        guard !rounds.isEmpty else { return "<p>No rounds yet: <code>conveyor round create</code>.</p>" }
        let rows = rounds.map { r -> HTML in
            "<tr><td><a href=\"/rounds/\(r.name)\">\(r.name)</a></td><td>\(r.state.rawValue)</td><td><a href=\"/requests/\(r.input)\">\(r.input)</a></td><td>\(r.release)</td><td>\(r.grouping?.streams.count ?? 0)</td><td>\(r.request ?? "-")</td></tr>"
        }
        return """
            <table id="rounds"><thead><tr><th>Round</th><th>State</th><th>Input</th><th>Release</th><th>Streams</th><th>Request</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }
}

/// `/rounds/{name}`: a round's selections with their tests and why any was unsubscribed, the
/// overlap matrix as a heat map, and the streams with their selections and sizes.
struct RoundPage: Page {
    let report: StrippingRounds.RoundReport
    let overlaps: OverlapMatrix?
    let actor: Actor?
    var title: String { "Round \(report.round.name)" }

    var body: HTML {
        let r = report.round
        let rows = report.selections.map { row -> HTML in
            let test = row.test
            let why = row.subscription?.state == .unsubscribed ? row.subscription?.reason ?? "" : ""
            return """
                <tr class="\(row.subscription?.state == .unsubscribed ? "bad" : "")"><td>\(row.selection.name)</td><td>\(row.selection.group)</td><td>\(row.selection.coordinator)</td><td>\(row.selection.version)</td><td>\(row.subscription?.state.rawValue ?? "-")</td>\
                <td>\(test.map { RoundLimits.percent($0.retention) } ?? "-")</td><td>\(test.map { RoundLimits.milliseconds($0.cpuPerEvent) } ?? "-")</td>\
                <td>\(test.map { RoundLimits.decimal($0.bytesPerEvent) } ?? "-")</td><td>\(row.stream ?? "-")</td><td>\(why)</td></tr>
                """
        }
        var streams: HTML = "<p>No streams yet: the round is not tested.</p>"
        if let figures = report.streams {
            let list = figures.streams.map { s -> HTML in
                let shares = s.selections.map { "\($0) \(RoundLimits.percent(s.shares[$0] ?? 0))" }.joined(separator: ", ")
                let sample = figures.sampleEvents > 0 ? RoundLimits.percent(Double(s.events) / Double(figures.sampleEvents)) : "-"
                return "<tr><td>\(s.name)</td><td>\(s.events)</td><td>\(sample)</td><td>\(shares)</td></tr>"
            }
            let warnings = figures.warnings.map { w -> HTML in "<li>\(w)</li>" }
            streams = """
                <p>Duplication factor \(RoundLimits.decimal(figures.duplicationFactor)): \(figures.writtenEvents) events written for \(figures.distinctEvents) distinct events kept, of \(figures.sampleEvents) in the sample.</p>
                <table id="streams"><thead><tr><th>Stream</th><th>Sample events</th><th>Of the sample</th><th>Selections (share of the stream)</th></tr></thead><tbody>\(list)</tbody></table>
                \(warnings.isEmpty ? "" : HTML(unsafe: "<ul class=\"warnings\">\(warnings.map(\.rendered).joined())</ul><p>Accepted: \(HTML.escape(r.groupingReason ?? "not yet"))</p>"))
                """
        }
        let limits = r.limits
        return """
            <p>\(r.state.rawValue) · input <a href="/requests/\(r.input)">\(r.input)</a> · release \(r.release) · tags \(r.globalTags.joined(separator: ", "))\(r.request.map { " · request \($0)" } ?? "")</p>
            <p>Limits per selection: retention \(RoundLimits.percent(limits.retention)), CPU \(RoundLimits.milliseconds(limits.cpuPerEvent)) per event, \(RoundLimits.decimal(limits.bytesPerEvent)) bytes per event; together \(RoundLimits.percent(limits.totalRetention)); at most \(limits.maxStreams) streams, no selection below \(RoundLimits.percent(limits.minShare)) of its stream.\(report.overBudget.map { " <strong>Cannot submit: \(HTML.escape($0))</strong>" } ?? "")</p>
            <h2>Selections</h2>
            <table id="selections"><thead><tr><th>Selection</th><th>Group</th><th>Coordinator</th><th>Version</th><th>Status</th><th>Retention</th><th>CPU/event</th><th>Bytes/event</th><th>Stream</th><th>Why unsubscribed</th></tr></thead><tbody>\(rows)</tbody></table>
            <h2>Overlaps</h2>
            \(overlaps.map { HTML(unsafe: Self.heatMap($0)) } ?? "<p>No overlaps until the round is tested.</p>")
            <h2>Streams</h2>
            \(streams)
            """
    }

    /// The overlap matrix as an SVG heat map: cell (row, column) is the share of the row's events
    /// the column also keeps, from white (none) to dark blue (all).
    static func heatMap(_ m: OverlapMatrix) -> String {
        let n = m.names.count
        let cell = n > 60 ? 6 : n > 20 ? 12 : 28
        let label = n > 60 ? 0 : 120
        let size = label + n * cell
        var svg =
            "<svg id=\"overlaps\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(size + 10)\" height=\"\(size + 10)\" role=\"img\"><title>Overlap matrix</title>"
        for i in 0..<n {
            if label > 0 {
                let name = HTML.escape(m.names[i])
                svg += "<text x=\"\(label - 4)\" y=\"\(label + i * cell + cell / 2 + 4)\" text-anchor=\"end\" font-size=\"11\">\(name)</text>"
                svg += "<text transform=\"translate(\(label + i * cell + cell / 2 + 4),\(label - 4)) rotate(-60)\" font-size=\"11\">\(name)</text>"
            }
            for j in 0..<n {
                let share = m.share(of: i, alsoIn: j)
                let shade = Int((1 - share) * 235) + 20
                svg +=
                    "<rect x=\"\(label + j * cell)\" y=\"\(label + i * cell)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"rgb(\(shade),\(shade),255)\"><title>\(HTML.escape(m.names[i])) in \(HTML.escape(m.names[j])): \(RoundLimits.percent(share))</title></rect>"
            }
        }
        return svg + "</svg>"
    }
}
