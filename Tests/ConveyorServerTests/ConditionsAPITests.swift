import ConveyorCore
@testable import ConveyorServer
import ConveyorTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Conditions REST API")
struct ConditionsAPITests {
    @Test(arguments: TestBackend.available)
    func uploadResolveAndDownloadOverHTTP(backend: TestBackend) async throws {
        try await ServerFixture.run(backend) { client, fixture in
            try await client.execute(uri: "/api/v1/globaltags", method: .post, headers: fixture.auth(.viewer), body: .json(#"{"name":"prompt"}"#)) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/globaltags", method: .post, headers: fixture.auth(.expert), body: .json(#"{"name":"prompt","type":"DATA"}"#))
            { response in
                #expect(response.status == .created)
            }
            let upload = try await client.execute(
                uri: "/api/v1/payloads/BeamSpot?gt=prompt&iov=0,0,-1,-1&description=first", method: .post,
                headers: fixture.auth(.expert), body: ByteBuffer(string: "0123456789")
            ) { response in
                #expect(response.status == .created, "\(response.text)")
                return response.text
            }
            #expect(upload.contains("\"revision\":1"))
            try await client.execute(
                uri: "/api/v1/payloads/BeamSpot?gt=prompt&iov=8,0,-1,-1&sha256=abc", method: .post,
                headers: fixture.auth(.expert), body: ByteBuffer(string: "x")
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.apiError?.error.contains("checksum mismatch") == true)
            }
            try await client.execute(
                uri: "/api/v1/payloads/BeamSpot?gt=prompt&iov=9,0,8,0", method: .post,
                headers: fixture.auth(.expert), body: ByteBuffer(string: "x")
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.apiError?.error.contains("ends before it starts") == true)
            }
            // OPEN tags are refused unless asked for.
            try await client.execute(uri: "/api/v1/globaltags/prompt/payloads?exp=8&run=5", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.status == .conflict)
            }
            try await client.execute(uri: "/api/v1/globaltags/prompt/payloads?exp=8&run=5&allow_open=true", method: .get, headers: fixture.auth(.viewer)) {
                response in
                #expect(response.status == .ok)
                #expect(response.text.contains("\"name\":\"BeamSpot\""))
                #expect(response.headers[.cacheControl] == "no-cache")
            }
            try await client.execute(uri: "/api/v1/payloads/BeamSpot/1", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.text == "0123456789")
                #expect(response.headers[HTTPField.Name("X-Conveyor-SHA256")!] == "84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882")
            }
            var range: HTTPFields = fixture.auth(.viewer)
            range[.range] = "bytes=2-4"
            try await client.execute(uri: "/api/v1/payloads/BeamSpot/1", method: .get, headers: range) { response in
                #expect(response.status == .partialContent)
                #expect(response.text == "234")
                #expect(response.headers[.contentRange] == "bytes 2-4/10")
            }
            range[.range] = "bytes=20-30"
            try await client.execute(uri: "/api/v1/payloads/BeamSpot/1", method: .get, headers: range) { response in
                #expect(response.status == .rangeNotSatisfiable)
            }
            try await client.execute(uri: "/api/v1/payloads/BeamSpot/7", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func publishedAnswersAreCacheableAndConditionalRequestsGet304() async throws {
        try await ServerFixture.run { client, fixture in
            try await client.execute(uri: "/api/v1/globaltags", method: .post, headers: fixture.auth(.expert), body: .json(#"{"name":"final"}"#))
            try await client.execute(
                uri: "/api/v1/payloads/A?gt=final&iov=0,0,-1,-1", method: .post, headers: fixture.auth(.expert), body: ByteBuffer(string: "a"))
            for state in ["TESTING", "VALIDATED"] {
                try await client.execute(
                    uri: "/api/v1/globaltags/final/state", method: .post, headers: fixture.auth(.manager), body: .json("{\"state\":\"\(state)\"}"))
            }
            try await client.execute(
                uri: "/api/v1/globaltags/final/state", method: .post, headers: fixture.auth(.manager), body: .json(#"{"state":"PUBLISHED"}"#)
            ) { response in
                #expect(response.status == .badRequest, "publishing needs confirm")
            }
            try await client.execute(
                uri: "/api/v1/globaltags/final/state", method: .post, headers: fixture.auth(.manager), body: .json(#"{"state":"PUBLISHED","confirm":"final"}"#)
            ) { response in
                #expect(response.status == .ok)
            }
            let etag = try await client.execute(uri: "/api/v1/resolve?gt=final&run=8:1", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "public, max-age=3600, immutable")
                return try #require(response.headers[.eTag])
            }
            var conditional = fixture.auth(.viewer)
            conditional[.ifNoneMatch] = etag
            try await client.execute(uri: "/api/v1/resolve?gt=final&run=8:1", method: .get, headers: conditional) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/api/v1/resolve?gt=final&run=9:1", method: .get, headers: conditional) { response in
                #expect(response.status == .ok, "another run, another answer")
            }
            try await client.execute(uri: "/api/v1/resolve?gt=final&run=8", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func runningUpdateCheckAndDiffOverHTTP() async throws {
        try await ServerFixture.run { client, fixture in
            for tag in ["prompt", "staging"] {
                try await client.execute(uri: "/api/v1/globaltags", method: .post, headers: fixture.auth(.expert), body: .json("{\"name\":\"\(tag)\"}"))
            }
            try await client.execute(
                uri: "/api/v1/payloads/A?gt=prompt&iov=0,0,-1,-1", method: .post, headers: fixture.auth(.expert), body: ByteBuffer(string: "a1"))
            try await client.execute(
                uri: "/api/v1/payloads/A?gt=staging&iov=0,0,8,10", method: .post, headers: fixture.auth(.expert), body: ByteBuffer(string: "a2"))
            try await client.execute(uri: "/api/v1/globaltags/staging/check", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.text.contains("\"passed\":false"))
                #expect(response.text.contains("lastNotOpen"))
            }
            try await client.execute(uri: "/api/v1/globaltags/prompt/diff/staging", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("\"added\""))
            }
            try await client.execute(
                uri: "/api/v1/globaltags/prompt/state", method: .post, headers: fixture.auth(.manager), body: .json(#"{"state":"RUNNING"}"#))
            try await client.execute(
                uri: "/api/v1/globaltags/prompt/running-update", method: .post, headers: fixture.auth(.expert),
                body: .json(#"{"staging":"staging","validFrom":"8:5"}"#)
            ) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(
                uri: "/api/v1/globaltags/prompt/running-update", method: .post, headers: fixture.auth(.manager),
                body: .json(#"{"staging":"staging","validFrom":"8:5","dryRun":true}"#)
            ) { response in
                #expect(response.status == .conflict, "staging is OPEN, not VALIDATED")
                #expect(response.apiError?.error.contains("VALIDATED") == true)
            }
        }
    }
}

@Suite("Resolution JSON")
struct ResolutionJSONTests {
    /// The hand-written encoder writes exactly what JSONEncoder (sorted keys) writes.
    @Test func matchesJSONEncoderByteForByte() throws {
        struct Listing: Encodable { let run: ExpRun; let payloads: [Resolution] }
        let resolutions = [
            Resolution(name: "BeamSpot", revision: 3, sha256: "ab12", iov: try IntervalOfValidity(parsing: "8,0,-1,-1"), tag: "prompt"),
            Resolution(name: "odd\"na/me\\", revision: 1, sha256: "x\ny", iov: try IntervalOfValidity(parsing: "0,0,8,-1"), tag: "t.1-a_b"),
        ]
        let run = ExpRun(exp: 8, run: 1234)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let expected = String(decoding: try encoder.encode(Listing(run: run, payloads: resolutions)), as: UTF8.self)
        #expect(String(buffer: ResolutionJSON.encode(run: run, resolutions)) == expected)
        #expect(String(buffer: ResolutionJSON.encode(run: run, [])) == String(decoding: try encoder.encode(Listing(run: run, payloads: [])), as: UTF8.self))
    }
}
