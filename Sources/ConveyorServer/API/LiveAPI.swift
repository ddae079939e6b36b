import ConveyorCore
import ConveyorDataTaking
import ConveyorLive
import ConveyorStore
import Foundation
import Hummingbird

/// Live data taking over REST: the configuration in force (read by anyone, put by managers as a
/// YAML or JSON body), its JSON Schema, where every run stream stands, and one cycle on demand.
struct LiveAPI {
    let live: LiveDataTaking

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/live", operationID: "getLiveStatus",
                summary: "Every recent run stream: stage, express, calibration producers, PromptReco; the handshake beside it", tag: "live",
                role: .viewer, parameters: [.init(name: "limit", location: .query, description: "How many run streams (1–10,000)", schema: .integer)],
                response: .ref("LiveStatus")
            ), in: book
        ) { request, _ in try await live.status(limit: try QueryParameters(request).int("limit") ?? 100) }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/live/runs/{run}", operationID: "getLiveRun",
                summary: "One run: each stream's stage and producers, and every event of the run", tag: "live", role: .viewer,
                parameters: [DataTakingAPI.runParameter], response: .ref("LiveRunDetail")
            ), in: book
        ) { _, context in try await live.run(try ExpRun(parsing: try context.parameters.require("run"))) }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/live/configuration", operationID: "getLiveConfiguration",
                summary: "The data-taking configuration in force (404 while none is)", tag: "live", role: .viewer, response: .ref("LiveConfiguration")
            ), in: book
        ) { _, _ in
            guard let current = try await live.configuration() else { throw ConveyorError.notFound("no data-taking configuration is in force") }
            return current.row
        }
        router.add(
            APIOperation(
                method: .put, path: "/api/v1/live/configuration", operationID: "putLiveConfiguration",
                summary: "Put a data-taking configuration (YAML or JSON body) in force; it sets the handshake's delays too", tag: "live", role: .manager,
                parameters: [.init(name: "from", location: .query, description: "Track runs from this one on (EXP:RUN)", schema: .string())],
                response: .ref("LiveConfiguration")
            ), in: book
        ) { request, context in
            let from = try QueryParameters(request).string("from").map { text throws(ConveyorError) in try ExpRun(parsing: text) }
            try await live.configure(try await RequestsAPI.body(request), fileName: "request body", trackFrom: from, by: context.actor!)
            guard let current = try await live.configuration() else { throw ConveyorError.storeFailure("the configuration just put in force is not there") }
            return current.row
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/live/schema", operationID: "getLiveSchema", summary: "The JSON Schema of a data-taking configuration",
                tag: "live", role: .viewer, contentType: "application/schema+json", response: RequestsAPI.jsonSchemaDocument
            ), in: book
        ) { _, _ in
            Response(status: .ok, headers: [.contentType: "application/schema+json"], body: .init(byteBuffer: ByteBuffer(string: LiveDataTaking.schema)))
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/live/cycle", operationID: "cycleLive",
                summary: "One handshake cycle and one feeder cycle now (the scheduler runs them every few seconds)", tag: "live", role: .manager,
                response: .ref("LiveStatus")
            ), in: book
        ) { _, _ in
            try await live.cycle()
            return try await live.status(limit: 100)
        }
    }
}

extension LiveDataTaking.Status: ResponseEncodable {}
extension LiveDataTaking.RunDetail: ResponseEncodable {}
extension StoreSession.LiveConfigurationRow: ResponseEncodable {}
