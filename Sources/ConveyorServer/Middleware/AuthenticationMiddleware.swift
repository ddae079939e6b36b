import ConveyorAccess
import ConveyorCore
import Hummingbird

/// Finds who is asking: a bearer token (API clients), the session cookie set by the login page
/// (browsers: a server-side session id, never the token), or else the server's anonymous role.
///
/// A bearer token that matches nobody is refused at once (401), so a client with a typo in its
/// token learns it on the first call instead of reading as anonymous.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ConveyorRequestContext

    static let sessionCookie = "conveyor_session"

    let accounts: Accounts
    let anonymousRole: Role?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw ConveyorError.unauthenticated("the Authorization header must be 'Bearer TOKEN'")
            }
            let secret = String(parts[1]).trimmingCharacters(in: .whitespaces)
            // A job's token is a short-lived session of the job principal; every other bearer is an API token.
            context.actor =
                secret.hasPrefix(Accounts.jobTokenPrefix)
                ? try await accounts.authenticate(session: secret) : try await accounts.authenticate(bearer: secret)
        } else if let cookie = request.cookies[Self.sessionCookie]?.value, !cookie.isEmpty,
            let actor = try? await accounts.authenticate(session: cookie)
        {
            context.actor = actor
        } else if let anonymousRole {
            context.actor = .anonymous(anonymousRole)
        }
        return try await next(request, context)
    }
}

extension Actor {
    /// Whoever reads without credentials on a server started with `--anonymous-read`.
    static func anonymous(_ role: Role) -> Actor { Actor(name: "anonymous", role: role) }
}
