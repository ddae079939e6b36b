import ConveyorCore
import Foundation
import HTTPTypes
import Hummingbird

/// The JSON body of every failed API call: `{"error": "one line", "status": 404, "code": "not_found"}`.
public struct APIErrorBody: Codable, Sendable {
    public let error: String
    public let status: Int
    /// Stable across versions, for programs to branch on: `invalid_input`, `unauthenticated`,
    /// `forbidden`, `not_found`, `conflict`, `unavailable`, `store_failure`, or `http_NNN`.
    public let code: String

    /// The code of a status.
    static func code(of status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "invalid_input"
        case 401: "unauthenticated"
        case 403: "forbidden"
        case 404: "not_found"
        case 409: "conflict"
        case 503: "unavailable"
        case 500: "store_failure"
        default: "http_\(status.code)"
        }
    }
}

/// An error rendered as ``APIErrorBody`` with its HTTP status.
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String

    init(status: HTTPResponse.Status, message: String) {
        self.status = status
        self.message = message
    }

    init(_ error: ConveyorError) {
        self.init(status: error.httpStatus, message: error.message)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONEncoder().encode(APIErrorBody(error: message, status: Int(status.code), code: APIErrorBody.code(of: status)))
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}

extension ConveyorError {
    /// The HTTP status that says what kind of failure this is.
    var httpStatus: HTTPResponse.Status {
        switch self {
        case .invalidInput: .badRequest
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .unavailable: .serviceUnavailable
        case .storeFailure: .internalServerError
        }
    }
}
