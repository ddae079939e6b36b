import ConveyorCore

/// The accounts and their roles.
struct UsersPage: Page {
    let users: [User]
    let actor: Actor?
    let title = "Users"

    var body: HTML {
        let rows = users.map { user -> HTML in
            let state: HTML = user.revokedAt.map { "revoked \(String($0.iso8601.prefix(10)))" } ?? "active"
            return
                "<tr><td>\(user.name)</td><td>\(user.role)</td><td>\(String(user.createdAt.iso8601.prefix(10)))</td><td>\(user.createdBy)</td><td>\(state)</td></tr>"
        }
        return """
            <p class="muted">Add users with <code>conveyor user add NAME --role viewer|expert|manager|admin</code>.</p>
            <table id="users"><thead><tr><th>Name</th><th>Role</th><th>Created</th><th>By</th><th>State</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }
}
