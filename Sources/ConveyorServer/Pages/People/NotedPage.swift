import ConveyorCore

/// A thing's page with its notes and problem reports below it, and a form to add one: runs,
/// files, requests, global tags and tasks all show their notes this way.
struct NotedPage<Inner: Page>: Page {
    let inner: Inner
    let subject: Note.Subject
    let notes: [Note]

    var title: String { inner.title }
    var actor: Actor? { inner.actor }
    var refreshSeconds: Int? { inner.refreshSeconds }

    var body: HTML {
        let rows = notes.map { note -> HTML in
            let state: HTML =
                note.kind == .problem
                ? (note.resolvedAt.map { "<span class=\"ok\">resolved \($0.short) by \(note.resolvedBy ?? "?"): \(note.resolution ?? "")</span>" }
                    ?? "<span class=\"error\">open problem (#\(note.id))</span>")
                : ""
            return "<li class=\"\(note.kind.rawValue)\"><b>\(note.author)</b> \(note.at.short): \(note.text) \(state)</li>"
        }
        let problem: HTML =
            subject.kind == .run || subject.kind == .file
            ? "<label><input type=\"checkbox\" name=\"kind\" value=\"problem\"> report a problem (it goes to the inbox of those who certify runs)</label><br>"
            : ""
        return """
            \(inner.body)
            <section id="notes"><h2>Notes</h2>
            \(notes.isEmpty ? HTML(unsafe: "<p class=\"muted\">No notes yet.</p>") : "<ul>\(rows)</ul>")
            <form method="post" action="/notes">
            <input type="hidden" name="on" value="\(subject.kind.rawValue)"><input type="hidden" name="subject" value="\(subject.name)">
            <textarea name="text" rows="2" cols="80" placeholder="A note for everyone who looks at this \(subject.kind.rawValue)"></textarea><br>
            \(problem)<input type="submit" value="Add the note">
            </form></section>
            """
    }
}
