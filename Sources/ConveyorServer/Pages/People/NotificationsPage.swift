import ConveyorCore
import ConveyorPeople

/// `/notifications`, for admins: what the outbox holds (what could not be sent first, with why),
/// who no e-mail reaches, and the latest failed sign-ins.
struct NotificationsPage: Page {
    let outbox: Notifications.Outbox
    let directory: DirectoryConfiguration?
    let actor: Actor?
    let title = "Notifications"
    var refreshSeconds: Int? { 60 }

    var body: HTML {
        let counts = NotificationMessage.State.allCases.map { state -> HTML in
            "<a class=\"count \(state.rawValue)\" href=\"/notifications?state=\(state.rawValue)\">\(state.rawValue) \(outbox.counts[state.rawValue] ?? 0)</a> "
        }
        let order: [NotificationMessage.State: Int] = [.failed: 0, .skipped: 1, .pending: 2, .sent: 3]
        let messages = outbox.messages.sorted { (order[$0.state] ?? 9, -$0.id) < (order[$1.state] ?? 9, -$1.id) }.map { m -> HTML in
            let when: HTML = m.state == .sent ? "\(m.sentAt?.short ?? "")" : m.state == .pending ? "next try \(m.nextAttemptAt.short)" : ""
            return
                "<tr class=\"\(m.state.rawValue)\"><td>\(m.id)</td><td>\(m.state.rawValue)</td><td>\(m.attempts)</td><td>\(m.recipient)</td><td>\(m.channel.rawValue) \(m.address)</td><td>\(m.purpose.rawValue)</td><td>\(m.subject)</td><td>\(when)</td><td class=\"error\">\(m.lastError ?? "")</td></tr>"
        }
        let failures = outbox.signInFailures.map { f -> HTML in "<tr><td>\(f.at.short)</td><td>\(f.user)</td><td>\(f.address)</td><td>\(f.reason)</td></tr>" }
        let directoryLine: HTML =
            directory.map { "Sign-in: the directory at <code>\($0.url)</code> (\($0.groups.count) group(s) mapped), API tokens beside it." }
            ?? "Sign-in: API tokens only (no directory configured)."
        return """
            <p>\(directoryLine)</p>
            <p id="outbox-counts">\(counts)</p>
            <p id="without-email">\(outbox.withoutEmail.isEmpty ? HTML(unsafe: "Every user has an e-mail address.") : HTML("No e-mail reaches: \(outbox.withoutEmail.joined(separator: ", ")) (conveyor user set NAME --email …)."))</p>
            <h2>Messages</h2>
            \(messages.isEmpty ? HTML(unsafe: "<p class=\"muted\">None.</p>") : "<table id=\"outbox\"><thead><tr><th>#</th><th>State</th><th>Tries</th><th>To</th><th>By</th><th>Why</th><th>What</th><th>When</th><th>Error</th></tr></thead><tbody>\(messages)</tbody></table>")
            <h2>Failed sign-ins</h2>
            \(failures.isEmpty ? HTML(unsafe: "<p class=\"muted\">None.</p>") : "<table id=\"sign-in-failures\"><thead><tr><th>At</th><th>User</th><th>From</th><th>Why</th></tr></thead><tbody>\(failures)</tbody></table>")
            """
    }
}
