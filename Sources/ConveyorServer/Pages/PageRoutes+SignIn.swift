import ConveyorAccess
import ConveyorCore
import ConveyorPeople
import Foundation
import HTTPTypes
import Hummingbird

extension PageRoutes {
    struct LoginForm: Decodable {
        let token: String?
        let user: String?
        let password: String?
        let next: String?
    }

    /// Signing in (by token, or with the lab account when a directory is configured) and out.
    func registerSignIn(on router: Router<ConveyorRequestContext>) {
        router.get("/login") { request, _ in
            let next = request.uri.queryParameters["next"].map(String.init) ?? "/"
            return HTMLResponse(page: LoginPage(next: Self.safeLocalPath(next), directory: directory != nil))
        }
        router.post("/login") { request, context in
            let body = try await request.body.collect(upTo: 16 * 1024)
            let form = try URLEncodedFormDecoder().decode(LoginForm.self, from: String(buffer: body))
            let next = Self.safeLocalPath(form.next ?? "/")
            let started: (actor: Actor, sessionID: String)
            do throws(ConveyorError) {
                let user = form.user?.trimmingCharacters(in: .whitespaces) ?? ""
                if let directory, !user.isEmpty {
                    started = try await accounts.startSession(user: user, password: form.password ?? "", from: context.remoteAddress, directory: directory)
                } else {
                    started = try await accounts.startSession(token: (form.token ?? "").trimmingCharacters(in: .whitespaces))
                }
            } catch {
                let status: HTTPResponse.Status =
                    switch error {
                    case .unavailable: .serviceUnavailable
                    case .forbidden: .forbidden
                    case .invalidInput: .badRequest
                    default: .unauthorized
                    }
                let message = directory == nil ? "That token is not valid (unknown or revoked)." : error.message
                return HTMLResponse(status: status, page: LoginPage(next: next, directory: directory != nil, failure: message, user: form.user ?? "")).response
            }
            var response = Response.redirect(to: next, type: .normal)
            response.setCookie(
                Cookie(
                    name: AuthenticationMiddleware.sessionCookie, value: started.sessionID,
                    maxAge: Int(Accounts.sessionLifetime.components.seconds), path: "/", secure: Self.cameOverHTTPS(request), httpOnly: true, sameSite: .strict
                ))
            return response
        }
        router.post("/logout") { request, _ in
            if let id = request.cookies[AuthenticationMiddleware.sessionCookie]?.value, !id.isEmpty { try await accounts.endSession(id) }
            var response = Response.redirect(to: "/login", type: .normal)
            response.setCookie(
                Cookie(
                    name: AuthenticationMiddleware.sessionCookie, value: "",
                    maxAge: 0, path: "/", secure: Self.cameOverHTTPS(request), httpOnly: true, sameSite: .strict
                ))
            return response
        }
    }

    /// Whether the browser reached us over HTTPS: directly, or through a proxy that says so.
    static func cameOverHTTPS(_ request: Request) -> Bool {
        request.uri.scheme == .https || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    /// Only local paths are followed after signing in, so the form cannot send users elsewhere.
    static func safeLocalPath(_ path: String) -> String {
        path.hasPrefix("/") && !path.hasPrefix("//") && !path.contains("\\") ? path : "/"
    }
}
