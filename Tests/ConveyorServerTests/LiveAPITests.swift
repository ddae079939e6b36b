import ConveyorCore
import ConveyorTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Live data taking over REST: the configuration put and read back, its refusals, the schema,
/// the run streams after a cycle, and the page.
@Suite("Live data taking REST API")
struct LiveAPITests {
    static let configuration = """
        global:
          release: r1
          express_tags: [online]
          prompt_tags: [online]
          site: {name: KEKCC, pool: local}
          output_base: /belle/Data
          commands: {reconstruction: reco}
          prompt: {delay: 48h, lock_offset: 30m}
        streams:
          - {name: physics, express: {selection: [hlt_bhabha]}, prompt_reco: {outputs: [mdst]}}
          - {name: cosmic, data_tags: [cosmic]}
        runs:
          - {runs: "8:2-3", streams: [physics], prompt_reco: false}

        """

    @Test(arguments: TestBackend.available)
    func theConfigurationAndTheRunStreamsOverREST(backend: TestBackend) async throws {
        try await ServerFixture.run(backend) { client, fixture in
            try await client.execute(uri: "/api/v1/live/configuration", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .notFound && r.apiError?.code == "not_found", "\(r.text)")
            }
            // Refusals: a missing tag, an unknown stream in an override, a viewer; nothing is put in force.
            try await client.execute(
                uri: "/api/v1/live/configuration", method: .put, headers: fixture.auth(.manager), body: ByteBuffer(string: Self.configuration)
            ) {
                r in
                #expect(r.status == .notFound && r.apiError?.error.contains("online") == true, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/globaltags", method: .post, headers: fixture.auth(.expert), body: .json(#"{"name":"online","type":"DATA"}"#))
            {
                r in #expect(r.status == .created, "\(r.text)")
            }
            let unknown = Self.configuration.replacingOccurrences(of: "streams: [physics]", with: "streams: [calib]")
            try await client.execute(uri: "/api/v1/live/configuration", method: .put, headers: fixture.auth(.manager), body: ByteBuffer(string: unknown)) { r in
                #expect(r.status == .badRequest && r.apiError?.error.contains("runs[0].streams[0]: unknown stream 'calib'") == true, "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/live/configuration", method: .put, headers: fixture.auth(.viewer), body: ByteBuffer(string: Self.configuration)
            ) { r in #expect(r.status == .forbidden) }
            try await client.execute(uri: "/api/v1/live/configuration", method: .get, headers: fixture.auth(.viewer)) { r in #expect(r.status == .notFound) }

            try await client.execute(
                uri: "/api/v1/live/configuration?from=8:1", method: .put, headers: fixture.auth(.manager), body: ByteBuffer(string: Self.configuration)
            ) { r in
                #expect(r.status == .ok, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/live/configuration", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok && r.text.contains("cosmic"), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/live/schema", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok && r.text.contains("\"express_tags\""), "\(r.text)")
            }
            // Three runs taking data: run 1 gets both streams, runs 2–3 only physics (the override).
            let csv = "exp,run,type,start\n8,1,physics,2099-01-01T01:00:00Z\n8,2,physics,2099-01-01T02:00:00Z\n8,3,physics,2099-01-01T03:00:00Z\n"
            try await client.execute(uri: "/api/v1/runs", method: .post, headers: fixture.auth(.manager), body: ByteBuffer(string: csv)) { r in
                #expect(r.status == .ok, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/live/cycle", method: .post, headers: fixture.auth(.manager)) { r in
                #expect(r.status == .ok, "\(r.text)")
                let streams = (r.json?["streams"] as? [[String: Any]] ?? []).map {
                    "\((($0["run"] as? [String: Any])?["run"] as? Int) ?? 0)/\($0["stream"] as? String ?? "")"
                }
                #expect(Set(streams) == ["1/physics", "1/cosmic", "2/physics", "3/physics"], "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/live/runs/8:1", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok && r.text.contains("run tracked"), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/live/runs/8:9", method: .get, headers: fixture.auth(.viewer)) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/api/v1/live/runs/x", method: .get, headers: fixture.auth(.viewer)) { r in #expect(r.status == .badRequest) }
            try await client.execute(uri: "/api/v1/live?limit=abc", method: .get, headers: fixture.auth(.viewer)) { r in #expect(r.status == .badRequest) }
            // A stream's switch goes in the handshake's history.
            try await client.execute(
                uri: "/api/v1/prompt/switches", method: .post, headers: fixture.auth(.manager),
                body: .json(#"{"scope": "stream:cosmic", "stopped": true, "reason": "beam-gas study"}"#)
            ) { r in #expect(r.status == .ok && r.text.contains("beam-gas study"), "\(r.text)") }
            try await client.execute(uri: "/data-taking", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok && r.text.contains("cosmic") && r.text.contains("physics"), "\(r.text)")
            }
        }
    }
}

extension TestResponse {
    fileprivate var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] }
}
