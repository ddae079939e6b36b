import ConveyorCore

/// `/inbox`: what waits for the signed-in person, oldest first, with its age and a link to the
/// page where one acts on it. It reloads itself every 60 s.
struct InboxPage: Page {
    let items: [InboxItem]
    let actor: Actor?
    let now: Timestamp
    let title = "Inbox"
    var refreshSeconds: Int? { 60 }

    var body: HTML {
        let who: HTML =
            actor.map {
                "What waits for <b>\($0.name)</b> (\($0.role.rawValue)\($0.role.satisfies(.manager) ? ": managers also see what waits for experts" : "")), oldest first."
            }
            ?? "What waits for people, oldest first."
        guard !items.isEmpty else { return "<p class=\"muted\">\(who)</p><p id=\"inbox-empty\">Nothing waits.</p>" }
        let rows = items.map { item -> HTML in
            let target = item.people.isEmpty ? item.role.rawValue : item.people.joined(separator: ", ")
            return
                "<tr class=\"\(item.kind.rawValue)\"><td>\(InboxItem.describe(age: item.age(at: now)))</td><td>\(item.kind.rawValue.replacingOccurrences(of: "_", with: " "))</td><td>\(item.subject)</td><td>\(target)</td><td><a class=\"act\" href=\"\(item.link)\">\(item.action)</a></td><td><code>\(item.command)</code></td></tr>"
        }
        return """
            <p class="muted">\(who)</p>
            <table id="inbox"><thead><tr><th>Waiting</th><th>Kind</th><th>What</th><th>For</th><th>Act</th><th>Command</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }
}
