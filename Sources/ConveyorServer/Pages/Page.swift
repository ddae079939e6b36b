import ConveyorCore
import HTTPTypes
import Hummingbird

/// A server-rendered page: a title and a body inside the shared layout.
protocol Page {
    var title: String { get }
    var actor: Actor? { get }
    var body: HTML { get }
    /// Pages that watch something live reload themselves this often (a meta refresh, no script).
    var refreshSeconds: Int? { get }
}

extension Page {
    var refreshSeconds: Int? { nil }

    /// The full document: shared stylesheet, navigation, who is signed in. No external assets.
    var document: HTML {
        let who: HTML
        if let actor, actor != .anonymous(actor.role) {
            who =
                "<span class=\"who\">\(actor.name) · \(actor.role)</span> <form method=\"post\" action=\"/logout\" class=\"inline\"><button>Sign out</button></form>"
        } else {
            who = "<a href=\"/login\">Sign in</a>"
        }
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · Conveyor</title>\(refreshSeconds.map { HTML(unsafe: "\n<meta http-equiv=\"refresh\" content=\"\($0)\">") } ?? "")
            <link rel="stylesheet" href="/assets/conveyor.css">
            </head>
            <body>
            <header><a class="brand" href="/">Conveyor</a>
            <nav><a href="/">Overview</a><a href="/runs">Runs</a><a href="/buckets">Buckets</a><a href="/requests">Requests</a><a href="/rounds">Rounds</a><a href="/mc">MC</a><a href="/data-taking">Data taking</a><a href="/inbox">Inbox</a><a href="/sites">Data</a><a href="/workflows">Workflows</a><a href="/globaltags">Global tags</a><a href="/audit">Audit log</a><a href="/users">Users</a><a href="/notifications">Notifications</a><a href="/api/v1/openapi.json">API</a></nav>
            <div class="session">\(who)</div></header>
            <main>
            <h1>\(title)</h1>
            \(body)
            </main>
            </body>
            </html>
            """
    }
}

/// A rendered page as a response.
struct HTMLResponse: ResponseGenerator {
    let status: HTTPResponse.Status
    let html: HTML

    init(status: HTTPResponse.Status = .ok, page: some Page) {
        self.status = status
        self.html = page.document
    }

    var response: Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html.rendered))
        )
    }

    func response(from request: Request, context: some RequestContext) throws -> Response { response }
}

struct ErrorPage: Page {
    let status: HTTPResponse.Status
    let message: String
    let actor: Actor?
    var title: String { "\(status.code) \(status.reasonPhrase)" }
    var body: HTML { "<p class=\"error\">\(message)</p><p><a href=\"/\">Back to the overview</a></p>" }
}
