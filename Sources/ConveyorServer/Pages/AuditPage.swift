import ConveyorCore

/// The audit log, newest first.
struct AuditPage: Page {
    let entries: [AuditEntry]
    let actor: Actor?
    let title = "Audit log"

    var body: HTML {
        "<p class=\"muted\">Every change, who made it and when; append-only. Newest first, at most \(entries.count) shown.</p>\(AuditTable(entries: entries).html)"
    }
}
