import ConveyorCore

/// `/inbox`: what waits for the signed-in person, oldest first, with its age and a link to the
/// page where one acts on it. It reloads itself every 60 s.
struct InboxPage: Page {
    let items: [InboxItem]
    let actor: Actor?
    let now: Timestamp
    /// The signed-in person's notification preferences, for the form below the list.
    var preferences: NotificationPreferences? = nil
    var saved = false
    let title = "Inbox"
    var refreshSeconds: Int? { 60 }

    var body: HTML {
        let who: HTML =
            actor.map {
                let held: HTML = $0.responsibilities.isEmpty ? "" : "; responsible for \($0.responsibilities.joined(separator: ", "))"
                return
                    "What waits for <b>\($0.name)</b> (\($0.role.rawValue)\($0.role.satisfies(.manager) ? ": managers also see what waits for experts" : "")\(held)), oldest first."
            }
            ?? "What waits for people, oldest first."
        guard !items.isEmpty else { return "<p class=\"muted\">\(who)</p><p id=\"inbox-empty\">Nothing waits.</p>\(preferencesForm)" }
        let rows = items.map { item -> HTML in
            let target = item.people.isEmpty ? item.role.rawValue : item.people.joined(separator: ", ")
            return
                "<tr class=\"\(item.kind.rawValue)\"><td>\(InboxItem.describe(age: item.age(at: now)))</td><td>\(item.kind.rawValue.replacingOccurrences(of: "_", with: " "))</td><td>\(item.subject)</td><td>\(target)</td><td><a class=\"act\" href=\"\(item.link)\">\(item.action)</a></td><td><code>\(item.command)</code></td></tr>"
        }
        return """
            <p class="muted">\(who)</p>
            <table id="inbox"><thead><tr><th>Waiting</th><th>Kind</th><th>What</th><th>For</th><th>Act</th><th>Command</th></tr></thead><tbody>\(rows)</tbody></table>
            \(preferencesForm)
            """
    }

    /// What the person is told and how, changed in place.
    var preferencesForm: HTML {
        guard let preferences, actor != nil else { return "" }
        func box(_ name: String, _ on: Bool, _ label: String) -> HTML {
            "<label><input type=\"checkbox\" name=\"\(name)\" value=\"on\"\(on ? HTML(unsafe: " checked") : "")> \(label)</label> "
        }
        let kinds = NotificationEvent.Kind.allCases.map { kind -> HTML in
            box("kind_\(kind.rawValue)", preferences.kinds.contains(kind), kind.rawValue.replacingOccurrences(of: "_", with: " "))
        }
        return """
            <details id="notification-preferences"\(saved ? HTML(unsafe: " open") : "")><summary>What you are told, and how</summary>
            \(saved ? HTML(unsafe: "<p class=\"ok\">Saved.</p>") : "")
            <form method="post" action="/inbox/preferences">
            <p>\(box("email", preferences.email, "by e-mail"))\(box("chat", preferences.chat, "in chat"))\(box("digest", preferences.digest, "once a day, as a digest"))</p>
            <p>Only these kinds (none ticked: all): \(kinds)</p>
            <p><input type="submit" value="Save"></p>
            </form></details>
            """
    }
}
