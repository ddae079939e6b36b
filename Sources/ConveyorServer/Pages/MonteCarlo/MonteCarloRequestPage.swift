import ConveyorCore
import ConveyorMonteCarlo

/// `/mc/requests/{id}`: one request's progress, when it will be done, its path and its history.
struct MonteCarloRequestPage: Page {
    let detail: MonteCarloProduction.RequestDetail
    let actor: Actor?
    var title: String { "MC request \(detail.request.id)" }

    var body: HTML {
        let r = detail.request
        let history = detail.history.map { h -> HTML in
            "<tr><td>\(h.at.description)</td><td>\(h.from?.rawValue ?? "-")</td><td><span class=\"mc mc-\(h.to.rawValue)\">\(h.to.rawValue)</span></td><td>\(h.by)</td><td>\(h.reason)</td></tr>"
        }
        let share = r.events > 0 ? min(1, Double(r.eventsDone) / Double(r.events)) : 0
        var estimate: HTML = ""
        if let e = detail.estimate {
            let when = e.secondsLeft.map { String(format: "about %.0f s left", $0) } ?? "no end at the current share"
            estimate = "<p id=\"estimate\">Estimate: \(when): \(e.basis).</p>"
        }
        let comment: HTML = r.comment.isEmpty ? "" : "<p>Comment: \(r.comment)</p>"
        return """
            <p><span class="mc mc-\(r.state.rawValue)">\(r.state.rawValue)</span> \(r.state.key)</p>
            <p>Campaign <a href="/mc/\(r.campaign)">\(r.campaign)</a> · group \(r.group) · liaison \(r.liaison) · priority \(r.priority.rawValue) (\(r.priority.name))\(r.production.map { p -> HTML in " · production <a href=\"/requests/\(p)\">\(p)</a>" } ?? "")</p>
            <p>\(r.eventType), \(r.events) events, \(r.background.rawValue.uppercased()), \(r.runs.map { "run-dependent over runs \($0)" } ?? "run-independent"), at most \(r.eventsPerJob) events per job</p>
            <p>LPN <code>\(detail.lpn)</code></p>
            <div id="progress"><span class="bar"><span style="width: \(Int(share * 100))%"></span></span> \(r.eventsDone) of \(r.events) events, \(r.jobsDone) of \(r.jobs) jobs, \(String(format: "%.1f", r.cpuSeconds)) s CPU</div>
            \(estimate)
            \(comment)
            <h2>History</h2>
            <table id="history"><thead><tr><th>When</th><th>From</th><th>To</th><th>By</th><th>Why</th></tr></thead><tbody>\(history)</tbody></table>
            """
    }
}
