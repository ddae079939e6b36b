import ConveyorCore

/// `/globaltags/{a}/diff/{b}`: what changed between two tags.
struct TagDiffPage: Page {
    let a: String
    let b: String
    let diff: TagDiff
    let actor: Actor?
    var title: String { "\(a) → \(b)" }

    var body: HTML {
        func rows(_ sides: [TagDiff.Side], _ mark: String) -> [HTML] {
            sides.map { s -> HTML in
                "<tr class=\"\(mark)\"><td>\(mark)</td><td>\(s.name)</td><td><code>\(s.iov.description)</code></td><td class=\"num\">\(s.revision)</td><td></td></tr>"
            }
        }
        let changed = diff.changed.map { c -> HTML in
            "<tr class=\"changed\"><td>changed</td><td>\(c.name)</td><td><code>\(c.iov.description)</code></td><td class=\"num\">\(c.fromRevision)</td><td class=\"num\">\(c.toRevision)</td></tr>"
        }
        let summary: HTML = "<p>\(diff.added.count) added, \(diff.removed.count) removed, \(diff.changed.count) changed.</p>"
        guard !diff.isEmpty else { return "\(summary)<p class=\"muted\">The two tags hold the same IoVs.</p>" }
        return """
            \(summary)
            <table id="diff"><thead><tr><th></th><th>Payload</th><th>IoV</th><th>Rev in \(a) / here</th><th>Rev in \(b)</th></tr></thead>
            <tbody>\(rows(diff.added, "added"))\(rows(diff.removed, "removed"))\(changed)</tbody></table>
            """
    }
}
