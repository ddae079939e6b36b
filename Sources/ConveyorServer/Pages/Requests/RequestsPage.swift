import ConveyorCore
import ConveyorRequests

/// `/requests`: every request with its state and a progress bar per step.
struct RequestsPage: Page {
    let requests: [(summary: Requests.Summary, steps: [Requests.Detail.Step])]
    let actor: Actor?
    let title = "Requests"

    var body: HTML {
        let rows = requests.map { r -> HTML in
            let s = r.summary
            let inputs = s.inputs.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            return """
                <tr><td><a href="/requests/\(s.record.name)">\(s.record.name)</a></td><td>\(s.record.campaign)</td>\
                <td><span class="state st-\(s.state.rawValue)">\(s.state.rawValue)</span></td>\
                <td class="steps">\(r.steps.filter { $0.state != "none" }.map(StepProgress.bar))</td><td class="muted">\(inputs)</td>\
                <td>\(s.record.submittedAt.short)<br><span class="muted">\(s.record.submittedBy)</span></td></tr>
                """
        }
        let new: HTML = (actor?.role ?? .viewer) >= .viewer ? "<p><a href=\"/requests/new\">Validate or submit a request configuration</a></p>" : ""
        return """
            <p class="muted">A request is the one configuration a bucket's calibration and processing are made from: <code>conveyor request submit FILE</code>, \
            <code>POST /api/v1/requests</code>, or the form.</p>
            \(new)
            <table id="requests"><thead><tr><th>Name</th><th>Campaign</th><th>State</th><th>Steps</th><th>Input files</th><th>Submitted</th></tr></thead>\
            <tbody>\(rows)</tbody></table>
            """
    }
}
