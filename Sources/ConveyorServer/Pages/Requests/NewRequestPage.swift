import ConveyorCore
import ConveyorRequests

/// `/requests/new`: paste a request configuration, validate it against the schema and this
/// installation, and submit it (role manager).
struct NewRequestPage: Page {
    let text: String
    /// What validating said: a line for a valid request, or the errors.
    let verdict: (ok: Bool, lines: [String])?
    let actor: Actor?
    let title = "New request"

    var body: HTML {
        let result: HTML =
            verdict.map { v in
                "<div id=\"verdict\" class=\"\(v.ok ? "ok" : "error")\">\(v.lines.map { "<p>\($0)</p>" as HTML })</div>"
            } ?? ""
        let canSubmit = (actor?.role ?? .viewer) >= .manager
        return """
            <p class="muted">YAML or JSON, as <code>conveyor request validate</code> reads it; the keys are in the <a href="/api/v1/requests/schema">JSON Schema</a>.</p>
            \(result)
            <form method="post" action="/requests/new" id="request-form">
            <textarea name="configuration" rows="24" cols="100" spellcheck="false">\(text)</textarea>
            <p><button name="action" value="validate">Validate</button> \
            \(canSubmit ? "<button name=\"action\" value=\"submit\">Submit</button>" as HTML : "<span class=\"muted\">Submitting needs the manager role.</span>")</p>
            </form>
            """
    }
}
