import ConveyorAccess
import ConveyorCore
import ConveyorStore
import Foundation
import Hummingbird

/// Health, identity, the database summary and the API document itself.
struct SystemAPI {
    let store: Store
    let version: String

    struct Health: ResponseCodable {
        let status: String
        let backend: StoreKind
        let schemaVersion: Int
    }

    /// The liveness answer, made once.
    static let alive = ByteBuffer(string: #"{"status":"ok"}"#)

    struct WhoAmI: ResponseCodable {
        let name: String
        let role: Role
    }

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/summary", operationID: "getSummary",
                summary: "Read what the database holds at a glance", tag: "system", role: .viewer,
                response: .ref("DatabaseSummary")
            ),
            in: book
        ) { _, _ in
            try await store.summary()
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/whoami", operationID: "whoAmI",
                summary: "Read who the token belongs to", tag: "system", role: .viewer,
                response: .object(properties: ["name": .string(), "role": APISchemas.role], required: ["name", "role"])
            ),
            in: book
        ) { _, context in
            let actor = try context.require(.viewer, to: "reading who you are")
            return WhoAmI(name: actor.name, role: actor.role)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/openapi.json", operationID: "getOpenAPI",
                summary: "Read this API's OpenAPI 3 document", tag: "system", role: nil,
                response: .object(
                    properties: [
                        "openapi": .string(), "info": .object(properties: ["title": .string(), "version": .string()], required: ["title", "version"]),
                        "paths": .map(.object(properties: ["get": .object(properties: ["operationId": .string()], required: [])], required: [])),
                        "components": .object(properties: ["schemas": .map(.object(properties: ["type": .string()], required: []))], required: []),
                    ],
                    required: ["openapi", "info", "paths", "components"])
            ),
            in: book
        ) { _, _ in
            let data = try OpenAPIDocument(operations: book.operations, schemas: book.schemas, version: version).jsonData()
            return Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: data))
            )
        }
        // Outside /api: probes read these without tokens.
        // Liveness reads nothing: a probe that touched the database would have a healthy server
        // restarted whenever the database is slow, and would cost as much as a real request.
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: Self.alive))
        }
        // Readiness: a round trip to the database and its schema version.
        router.get("/readyz") { _, _ in
            let store = self.store
            do {
                try await store.read { try await $0.ping() }
                let status = try await store.migrationStatus()
                return Health(status: "ok", backend: store.kind, schemaVersion: status.currentVersion)
            } catch {
                throw ConveyorError.unavailable("the database does not answer: \((error as? ConveyorError)?.message ?? "\(error)")")
            }
        }
    }
}
