import ConveyorCore
import Foundation

/// The OpenAPI 3.0 document served at `/api/v1/openapi.json`, built from the registered operations.
struct OpenAPIDocument: Encodable {
    struct Info: Encodable {
        let title: String
        let version: String
        let description: String
    }

    let openapi = "3.0.3"
    let info: Info
    let paths: [String: [String: OperationObject]]
    let components: Components

    struct Components: Encodable {
        let schemas: [String: JSONSchema]
        let securitySchemes: [String: SecurityScheme]
    }

    struct SecurityScheme: Encodable {
        let type = "http"
        let scheme = "bearer"
        let description = "An API token from 'conveyor user add NAME --role ROLE'."
    }

    struct OperationObject: Encodable {
        let operationId: String
        let summary: String
        let description: String
        let tags: [String]
        let parameters: [ParameterObject]?
        let requestBody: RequestBody?
        let responses: [String: ResponseObject]
        let security: [[String: [String]]]?
        let requiredRole: String?

        enum CodingKeys: String, CodingKey {
            case operationId, summary, description, tags, parameters, requestBody, responses, security
            case requiredRole = "x-required-role"
        }
    }

    struct ParameterObject: Encodable {
        let name: String
        let `in`: String
        let description: String
        let required: Bool
        let schema: JSONSchema
    }

    struct RequestBody: Encodable {
        let required = true
        let content: [String: MediaObject]
    }

    struct ResponseObject: Encodable {
        let description: String
        let content: [String: MediaObject]?
    }

    struct MediaObject: Encodable {
        let schema: JSONSchema
    }

    init(operations: [APIOperation], schemas: [String: JSONSchema], version: String) {
        info = Info(
            title: "Conveyor API",
            version: version,
            description: "Data production for particle-physics experiments. Errors are answered as {\"error\": \"…\", \"status\": N}."
        )
        var paths: [String: [String: OperationObject]] = [:]
        for operation in operations {
            let json = "application/json"
            var responses: [String: ResponseObject] = [
                String(operation.successStatus.code): ResponseObject(
                    description: operation.successStatus.reasonPhrase,
                    content: [operation.contentType: MediaObject(schema: operation.response)]
                )
            ]
            // 404: a path, query or body names something (a tag, a file, a run) that may not exist.
            var errorCodes = [400, 404, 503]
            if operation.role != nil { errorCodes += [401, 403] }
            if operation.method != .get { errorCodes.append(409) }
            for code in errorCodes {
                responses[String(code)] = ResponseObject(
                    description: HTTPStatusText.phrase(code),
                    content: [json: MediaObject(schema: .ref("Error"))]
                )
            }
            let roleNote = operation.role.map { "Needs role \($0)." } ?? "Public."
            paths[operation.path, default: [:]][operation.method.rawValue.lowercased()] = OperationObject(
                operationId: operation.operationID,
                summary: operation.summary,
                description: roleNote,
                tags: [operation.tag],
                parameters: operation.parameters.isEmpty
                    ? nil
                    : operation.parameters.map {
                        ParameterObject(name: $0.name, in: $0.location.rawValue, description: $0.description, required: $0.required, schema: $0.schema)
                    },
                requestBody: operation.requestBody.map { RequestBody(content: [json: MediaObject(schema: $0)]) },
                responses: responses,
                security: operation.role == nil ? [] : [["bearerAuth": []]],
                requiredRole: operation.role?.rawValue
            )
        }
        self.paths = paths
        components = Components(
            schemas: schemas.merging(["Error": APISchemas.error]) { current, _ in current },
            securitySchemes: ["bearerAuth": SecurityScheme()]
        )
    }

    func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

enum HTTPStatusText {
    static func phrase(_ code: Int) -> String {
        switch code {
        case 400: "Bad Request: the one-line reason is in 'error'"
        case 401: "Unauthorized: no token, or a token that matches nobody"
        case 403: "Forbidden: the token's role is too low"
        case 404: "Not Found"
        case 409: "Conflict with what the database holds"
        case 503: "The database is unavailable"
        default: "Error"
        }
    }
}
