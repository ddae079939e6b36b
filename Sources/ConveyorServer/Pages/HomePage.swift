import ConveyorCore
import ConveyorStore

/// The overview: what the database holds, and what changed last.
struct HomePage: Page {
    let summary: DatabaseSummary
    let recentAudit: [AuditEntry]
    let actor: Actor?
    let title = "Overview"

    var body: HTML {
        let cards = summary.counts.map { count -> HTML in
            "<div class=\"card\" data-kind=\"\(count.kind)\"><div class=\"count\">\(count.count)</div><div class=\"kind\">\(count.kind)</div></div>"
        }
        return """
            <p class="muted">Database: <code>\(summary.location)</code> (\(summary.backend.rawValue), schema version \(summary.schemaVersion))</p>
            <section class="cards" id="counts">\(cards)</section>
            <h2>Recent changes</h2>
            \(AuditTable(entries: recentAudit).html)
            <p><a href="/audit">The whole audit log</a></p>
            """
    }
}

/// Audit entries as a table, shared by the overview and the audit page.
struct AuditTable {
    let entries: [AuditEntry]

    var html: HTML {
        guard !entries.isEmpty else { return "<p class=\"muted\">Nothing has been changed yet.</p>" }
        let rows = entries.map { entry -> HTML in
            "<tr><td><code>\(entry.at.iso8601.prefix(19).replacingOccurrences(of: "T", with: " "))</code></td><td>\(entry.actor)</td><td>\(entry.action)</td><td>\(entry.subjectKind) <strong>\(entry.subject)</strong></td><td>\(entry.detail)</td></tr>"
        }
        return
            "<table id=\"audit\"><thead><tr><th>When (UTC)</th><th>Who</th><th>Action</th><th>Subject</th><th>Detail</th></tr></thead><tbody>\(rows)</tbody></table>"
    }
}
