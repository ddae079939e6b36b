import ConveyorCore
import ConveyorMonteCarlo

/// `/mc/{campaign}`: the campaign's table as seed 001 keeps it, one section per physics group,
/// each request's row coloured by its state with the key above, and its progress.
struct MonteCarloCampaignPage: Page {
    let report: MonteCarloProduction.CampaignReport
    /// Only requests in this state, when the viewer asked.
    let only: MonteCarloRequestState?
    let actor: Actor?
    var title: String { "MC campaign \(report.summary.campaign.name)" }

    var body: HTML {
        let c = report.summary.campaign
        let key = MonteCarloRequestState.allCases.map { s -> HTML in
            "<span class=\"mc mc-\(s.rawValue)\">\(s.rawValue): \(s.key)\(report.summary.byState[s.rawValue].map { " (\($0))" } ?? "")</span> "
        }
        var sections: [HTML] = []
        var group: String?
        var rows: [HTML] = []
        func close() {
            guard let group else { return }
            sections.append(
                """
                <h2>\(group)</h2>
                <table class="mc-requests"><thead><tr><th>ID</th><th>Priority</th><th>Event type</th><th>Events</th><th>Background</th><th>Runs</th><th>Liaison</th><th>State</th><th>Progress</th><th>Comment</th></tr></thead><tbody>\(rows)</tbody></table>
                """)
            rows = []
        }
        for r in report.requests where only == nil || r.state == only {
            if r.group != group {
                close()
                group = r.group
            }
            let done = r.jobs > 0 ? Double(r.jobsDone) / Double(r.jobs) : 0
            let progress: HTML =
                r.jobs > 0 ? "<span class=\"bar\"><span style=\"width: \(Int(done * 100))%\"></span></span> \(r.jobsDone)/\(r.jobs) jobs" : "-"
            rows.append(
                """
                <tr class="mc-\(r.state.rawValue)"><td><a href="/mc/requests/\(r.id)">\(r.id)</a></td><td>\(r.priority.rawValue) \(r.priority.name)</td><td>\(r.eventType)</td>\
                <td>\(r.events)</td><td>\(r.background.rawValue.uppercased())</td><td>\(r.runs ?? "run-independent")</td><td>\(r.liaison)</td><td>\(r.state.rawValue)</td><td>\(progress)</td><td>\(r.comment)</td></tr>
                """)
        }
        close()
        let filter = MonteCarloRequestState.allCases.map { s -> HTML in "<a href=\"/mc/\(c.name)?state=\(s.rawValue)\">\(s.rawValue)</a> " }
        return """
            <p>\(c.status.rawValue) · \(c.release) · tags \(c.globalTags.joined(separator: ", ")) · background from \(c.backgroundTag) · LPN <code>\(report.lpnBase)/</code></p>
            <p>\(report.summary.requests) request(s), \(report.summary.events) events asked, \(report.summary.eventsDone) made; \(report.summary.jobsDone) of \(report.summary.jobs) jobs done.</p>
            <p class="mc-key">Key: \(key)</p>
            <p>Only: <a href="/mc/\(c.name)">all</a> \(filter)</p>
            \(sections.isEmpty ? "<p>No requests\(only.map { " \($0.rawValue)" } ?? ""): physics groups file them with <code>conveyor mc request \(c.name)</code>.</p>" : HTML(unsafe: sections.map(\.rendered).joined()))
            """
    }
}
