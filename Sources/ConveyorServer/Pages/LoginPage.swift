import ConveyorCore

/// Signing in: with the lab account (user name and password, checked by the directory) when one
/// is configured, else with an API token; either way the browser then holds an HttpOnly session
/// cookie, never the password or token.
struct LoginPage: Page {
    let next: String
    let directory: Bool
    var failure: String? = nil
    var user: String = ""
    let actor: Actor? = nil
    let title = "Sign in"

    var body: HTML {
        let failed: HTML = failure.map { "<p class=\"error\">\($0)</p>" } ?? ""
        let tokenForm: HTML = """
            <form method="post" action="/login">
            <p><label for="token">API token</label><br><input type="password" id="token" name="token" autocomplete="off"\(directory ? "" : HTML(unsafe: " autofocus"))></p>
            <input type="hidden" name="next" value="\(next)">
            <p><input type="submit" value="Sign in with the token"></p>
            </form>
            """
        guard directory else {
            return """
                \(failed)
                \(tokenForm)
                <p class="muted">An administrator creates tokens with <code>conveyor user add NAME --role viewer</code>.</p>
                """
        }
        return """
            \(failed)
            <form method="post" action="/login">
            <p><label for="user">User name</label><br><input type="text" id="user" name="user" value="\(user)" autocomplete="username" autofocus></p>
            <p><label for="password">Password</label><br><input type="password" id="password" name="password" autocomplete="current-password"></p>
            <input type="hidden" name="next" value="\(next)">
            <p><input type="submit" value="Sign in"></p>
            </form>
            <p class="muted">Your lab account: your groups in the directory give your role here.</p>
            <details><summary>Sign in with an API token instead</summary>
            \(tokenForm)
            </details>
            """
    }
}
