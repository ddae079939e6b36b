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
            let routed = Set(
                router.routes
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
                let refs =
                    text.components(separatedBy: "#\\/components\\/schemas\\/").dropFirst().map { String($0.prefix { $0 != "\"" }) }
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

@Suite("Response schemas derived from the Swift types")
struct SchemaDerivationTests {
    /// Every documented response type derives from its examples: no part of it is left unknown.
    @Test func everyDerivedSchemaHasAKnownShape() throws {
        for entry in DerivedSchemas.entries {
            #expect(throws: Never.self, "\(entry.name)") { _ = try entry.derive() }
        }
    }

    /// The published document has no object schema without properties (an empty one would let any body through).
    @Test func noResponseIsAnEmptyObject() async throws {
        try await TestBackend.sqlite.withStore { store in
            let (router, _) = ConveyorApplication.router(store: store, configuration: .init())
            try await Application(router: router).test(.router) { client in
                let text = try await client.execute(uri: "/api/v1/openapi.json", method: .get) { String(buffer: $0.body) }
                let document = try JSONSerialization.jsonObject(with: Data(text.utf8))
                var empty: [String] = []
                func walk(_ value: Any, _ path: String) {
                    if let object = value as? [String: Any] {
                        if object["type"] as? String == "object", (object["properties"] as? [String: Any])?.isEmpty ?? true,
                            object["additionalProperties"] == nil
                        {
                            empty.append(path)
                        }
                        for (key, child) in object { walk(child, "\(path)/\(key)") }
                    } else if let list = value as? [Any] {
                        for (i, child) in list.enumerated() { walk(child, "\(path)/\(i)") }
                    }
                }
                walk(document, "")
                #expect(empty.isEmpty, "empty object schemas at \(empty.prefix(10))")
            }
        }
    }

    /// The derivation sees what JSONEncoder writes: required keys, optional keys, maps, names of closed sets.
    @Test func derivationFollowsTheEncoding() throws {
        let pool = try SchemaDerivation.schema(of: try Pool(name: "kekcc", executor: .slurm, slots: 4, options: ["partition": "belle"]))
        let json = String(decoding: try JSONEncoder().encode(pool), as: UTF8.self)
        #expect(json.contains(#""additionalProperties":false"#))
        #expect(json.contains(#""enum":["local","slurm","htcondor"]"#) || json.contains(#""enum":["#), "\(json)")
        #expect(json.contains(#""additionalProperties":{"type":"string"}"#), "\(json)")
        let run = try SchemaDerivation.schema(of: RunRecord(run: ExpRun(exp: 8, run: 1), start: .now, stop: .now, offlineLuminosity: 2))
        let runJSON = String(decoding: try JSONEncoder().encode(run), as: UTF8.self)
        #expect(runJSON.contains(#""format":"date-time""#), "\(runJSON)")
        #expect(!runJSON.contains(#""offlineLuminosity","#) || runJSON.contains(#""required":["#), "\(runJSON)")
        #expect(throws: SchemaDerivation.Unknown.self, "a nil optional leaves its type unknown") {
            _ = try SchemaDerivation.schema(of: RunRecord(run: ExpRun(exp: 8, run: 1)))
        }
    }
}
