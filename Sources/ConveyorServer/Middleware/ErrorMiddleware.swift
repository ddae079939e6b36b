import ConveyorCore
import HTTPTypes
import Hummingbird
import Logging

/// Turns every failure into a one-line answer: JSON (``APIErrorBody``) under `/api`, a small
/// HTML page elsewhere. Unexpected errors are logged in full and answered without internals.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = ConveyorRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let (status, message) = Self.classify(error, context: context)
            if request.uri.path.hasPrefix("/api/") {
                return try APIError(status: status, message: message).response(from: request, context: context)
            }
            if status == .unauthorized, request.method == .get {
                let target = request.uri.path.percentEncodedForQuery
                return Response.redirect(to: "/login?next=\(target)", type: .found)
            }
            return HTMLResponse(status: status, page: ErrorPage(status: status, message: message, actor: context.actor)).response
        }
    }

    static func classify(_ error: any Error, context: Context) -> (HTTPResponse.Status, String) {
        switch error {
        case let error as ConveyorError:
            if case .storeFailure = error {
                context.logger.error("store failure", metadata: ["error": "\(error.message)"])
            }
            return (error.httpStatus, error.message)
        case let error as APIError:
            return (error.status, error.message)
        case let error as HTTPError:
            return (error.status, error.body ?? error.status.reasonPhrase)
        case let error as any HTTPResponseError:
            return (error.status, error.status.reasonPhrase)
        case is DecodingError:
            return (.badRequest, "the request body is not valid JSON for this endpoint: \(error)")
        default:
            context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
            return (.internalServerError, "internal error (logged on the server)")
        }
    }
}

extension String {
    var percentEncodedForQuery: String {
        addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(.init(charactersIn: "&=?#"))) ?? self
    }
}
