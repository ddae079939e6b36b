import ConveyorCore
import HTTPTypes

/// One documented REST endpoint: the single source for both its route and its OpenAPI entry,
/// so the published document cannot drift from what the server answers.
struct APIOperation: Sendable {
    struct Parameter: Sendable {
        enum Location: String, Sendable { case path, query }
        let name: String
        let location: Location
        let description: String
        let schema: JSONSchema
        var required: Bool { location == .path }
    }

    let method: HTTPRequest.Method
    /// The path in OpenAPI form, e.g. `/api/v1/users/{name}`.
    let path: String
    let operationID: String
    let summary: String
    let tag: String
    /// The least role that may call it; `nil` for public endpoints.
    let role: Role?
    var parameters: [Parameter] = []
    var requestBody: JSONSchema? = nil
    var successStatus: HTTPResponse.Status = .ok
    /// The media type of the success answer (errors are always JSON).
    var contentType = "application/json"
    let response: JSONSchema
}
