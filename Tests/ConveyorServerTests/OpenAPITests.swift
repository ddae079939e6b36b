import ConveyorCore
@testable import ConveyorServer
import ConveyorTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("OpenAPI document")
struct OpenAPITests {
    /// Every route under /api/v1 is documented, and every documented operation is routed.
    @Test func theDocumentDescribesExactlyTheRoutedEndpoints() async throws {
        try await TestBackend.sqlite.withStore { store in
            let (router, description) = ConveyorApplication.router(store: store, configuration: .init())
            let routed = Set(router.routes
                .map { "\($0.method.rawValue) \(Self.openAPIPath($0.path.description))" }
                .filter { $0.contains(" /api/") })
            #expect(!routed.isEmpty)
            #expect(routed == Set(description.operations))

            let app = Application(router: router)
            try await app.test(.router) { client in
                let document = try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                    #expect(response.status == .ok)
                    return try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any] ?? [:]
                }
                #expect(document["openapi"] as? String == "3.0.3")
                let paths = document["paths"] as? [String: [String: Any]] ?? [:]
                let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
                #expect(documented == routed)
                for (path, operations) in paths {
                    for (method, value) in operations {
                        let operation = value as? [String: Any] ?? [:]
                        #expect(operation["operationId"] is String, "\(method) \(path) has an operationId")
                        let responses = operation["responses"] as? [String: Any] ?? [:]
                        #expect(responses.keys.contains { $0.hasPrefix("2") }, "\(method) \(path) documents its success")
                    }
                }
                // Every $ref resolves to a defined schema.
                let schemas = ((document["components"] as? [String: Any])?["schemas"] as? [String: Any]) ?? [:]
                let text = String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self)
                let refs = text.components(separatedBy: "#\\/components\\/schemas\\/").dropFirst().map { String($0.prefix { $0 != "\"" }) }
                    + text.components(separatedBy: "#/components/schemas/").dropFirst().map { String($0.prefix { $0 != "\"" }) }
                #expect(!refs.isEmpty)
                for ref in refs { #expect(schemas[ref] != nil, "schema \(ref) is defined") }
            }
        }
    }

    @Test func documentedRolesMatchWhatTheServerEnforces() async throws {
        try await ServerFixture.run { client, fixture in
            let document = try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any] ?? [:]
            }
            let paths = document["paths"] as? [String: [String: [String: Any]]] ?? [:]
            for (path, operations) in paths where !path.contains("{") {
                for (method, operation) in operations {
                    guard let roleName = operation["x-required-role"] as? String, let role = Role(rawValue: roleName) else { continue }
                    let method = HTTPRequest.Method(rawValue: method.uppercased())!
                    // No token: refused before any body is read.
                    try await client.execute(uri: path, method: method) { response in
                        #expect(response.status == .unauthorized, "\(method) \(path) without a token")
                    }
                    if let lower = Role.allCases.last(where: { $0 < role }) {
                        try await client.execute(uri: path, method: method, headers: fixture.auth(lower)) { response in
                            #expect(response.status == .forbidden, "\(method) \(path) as \(lower) (needs \(role))")
                        }
                    }
                }
            }
        }
    }

    /// Hummingbird prints `:name` or `{name}` parameters; OpenAPI uses `{name}`.
    static func openAPIPath(_ path: String) -> String {
        let withSlash = path.hasPrefix("/") ? path : "/" + path
        return withSlash.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
        }.joined(separator: "/")
    }
}
