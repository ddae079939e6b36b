import ConveyorCore
import ConveyorTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Skims and stripping rounds over REST and pages (the whole round runs in the CLI suite): the
/// registry's refusals, rounds' inputs, file lists' normalisation, on every backend.
@Suite("Stripping rounds (REST, pages)")
struct RoundsAPITests {
    static func selection(_ name: String, command: String = "/bin/true --x", prescale: Int = 1) -> ByteBuffer {
        .json(
            #"{"name": "\#(name)", "group": "charm", "coordinator": "alice", "command": "\#(command)", "version": "v1", "prescale": \#(prescale), "expectedRetention": 0.01}"#
        )
    }

    @Test(arguments: TestBackend.available)
    func theRegistryRoundsAndNormalisationAnswerWithReasons(backend: TestBackend) async throws {
        try await ServerFixture.run(backend) { client, fixture in
            try await client.execute(uri: "/api/v1/selections", method: .post, headers: fixture.auth(.viewer), body: Self.selection("d0_kpi")) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/selections", method: .post, headers: fixture.auth(.expert), body: Self.selection("d0_kpi")) { r in
                #expect(r.status == .created && r.text.contains(#""revision":1"#), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/selections", method: .post, headers: fixture.auth(.expert), body: Self.selection("d0_kpi")) { r in
                #expect(r.status == .conflict && r.text.contains("selection d0_kpi exists"), "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/selections", method: .post, headers: fixture.auth(.expert), body: Self.selection("ghost", command: "/nowhere/sel")
            ) { r in
                #expect(r.status == .badRequest && r.text.contains("selection ghost: no program") && r.text.contains(#""code":"invalid_input""#), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/selections", method: .post, headers: fixture.auth(.expert), body: Self.selection("x", prescale: 0)) { r in
                #expect(r.status == .badRequest && r.text.contains("prescale is at least 1"), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/selections", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok && r.text.contains(#""name":"d0_kpi""#) && !r.text.contains("ghost"), "\(r.text)")
            }
            let round = #"{"name": "s1", "input": "no-such-request", "release": "r1", "globalTags": ["prompt"], "program": "/bin/true"}"#
            try await client.execute(uri: "/api/v1/rounds", method: .post, headers: fixture.auth(.manager), body: .json(round)) { r in
                #expect(r.status == .notFound && r.text.contains("no request named 'no-such-request'"), "\(r.text)")
            }
            for uri in ["/api/v1/rounds/s1", "/api/v1/rounds/s1/overlaps", "/api/v1/rounds/s1/files", "/api/v1/rounds/s1/provenance"] {
                try await client.execute(uri: uri, method: .get, headers: fixture.auth(.viewer)) { r in
                    #expect(r.status == .notFound && r.text.contains("no round named 's1'"), "\(uri): \(r.text)")
                }
            }
            try await client.execute(uri: "/api/v1/rounds/s1/test", method: .post, headers: fixture.auth(.expert)) { r in
                #expect(r.status == .forbidden, "testing a round needs manager")
            }
            try await client.execute(
                uri: "/api/v1/files/normalisation", method: .post, headers: fixture.auth(.viewer), body: .json(#"{"lfns": ["/belle/a", "/belle/b"]}"#)
            ) { r in
                #expect(r.status == .notFound && r.text.contains("not registered: ") && r.text.contains("belle") && r.text.contains("b\""), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/files/normalisation", method: .post, headers: fixture.auth(.viewer), body: .json(#"{"lfns": []}"#)) { r in
                #expect(r.status == .badRequest && r.text.contains("the list of files is empty"), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/files/impact?lfn=/belle/a", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .notFound, "\(r.text)")
            }
            try await client.execute(uri: "/rounds", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok && r.text.contains("No rounds yet"), "\(r.text)")
            }
        }
    }
}
