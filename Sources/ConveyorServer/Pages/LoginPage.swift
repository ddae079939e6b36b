import ConveyorCore

/// Signing in with an API token; the token is then kept in an HttpOnly session cookie.
struct LoginPage: Page {
    let next: String
    let failed: Bool
    let actor: Actor? = nil
    let title = "Sign in"

    var body: HTML {
        let failure: HTML = failed ? "<p class=\"error\">That token is not valid (unknown or revoked).</p>" : ""
        return """
            \(failure)
            <form method="post" action="/login">
            <p><label for="token">API token</label><br><input type="password" id="token" name="token" autocomplete="off" autofocus></p>
            <input type="hidden" name="next" value="\(next)">
            <p><input type="submit" value="Sign in"></p>
            </form>
            <p class="muted">An administrator creates tokens with <code>conveyor user add NAME --role viewer</code>.</p>
            """
    }
}
