import ConveyorCore
import ConveyorServer
import ConveyorTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Runs REST API")
struct RunsAPITests {
    static let csv = """
        exp,run,type,energy,magnet,start,stop,events,online_lumi
        8,100,physics,4S,on,2026-11-01T00:00:00Z,2026-11-01T02:00:00Z,1000,12.5
        8,101,physics,4S,on,2026-11-01T02:10:00Z,2026-11-01T02:30:00Z,200,2.5

        """

    @Test(arguments: TestBackend.available)
    func importListFlagAndGoodRuns(backend: TestBackend) async throws {
        try await ServerFixture.run(backend) { client, fixture in
            try await client.execute(uri: "/api/v1/runs", method: .post, headers: fixture.auth(.expert), body: ByteBuffer(string: Self.csv)) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/runs", method: .post, headers: fixture.auth(.manager), body: ByteBuffer(string: Self.csv)) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("\"added\":2"))
            }
            try await client.execute(
                uri: "/api/v1/runs", method: .post, headers: fixture.auth(.manager), body: ByteBuffer(string: "exp,run,events\n8,5,many\n")
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.apiError?.error == "request body row 2: events 'many' is not a whole number")
            }
            // A repeated column once killed the server (a trapping Dictionary initialiser).
            try await client.execute(uri: "/api/v1/runs", method: .post, headers: fixture.auth(.manager), body: ByteBuffer(string: "exp,run,exp\n8,5,9\n")) {
                response in
                #expect(response.status == .badRequest)
                #expect(response.apiError?.error == "request body row 1: column 'exp' appears twice")
            }
            try await client.execute(
                uri: "/api/v1/runs/8/100/flags", method: .post, headers: fixture.auth(.expert),
                body: .json(#"{"flag":"GOOD","reason":"certified"}"#)
            ) { response in
                #expect(response.status == .ok, "\(response.text)")
            }
            try await client.execute(
                uri: "/api/v1/runs/8/100/flags", method: .post, headers: fixture.auth(.expert),
                body: .json(#"{"flag":"SUPER","reason":"x"}"#)
            ) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(
                uri: "/api/v1/runs/8/999/flags", method: .post, headers: fixture.auth(.expert),
                body: .json(#"{"flag":"GOOD","reason":"x"}"#)
            ) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/runs?exp=8&min_duration=60", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.text.contains("\"runs\":1"))
                #expect(response.text.contains("\"luminosityPerPicobarn\":12.5"))
            }
            try await client.execute(uri: "/api/v1/goodruns?exp=8&format=golden", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.text == #"{"100":[[1,2147483647]]}"#)
            }
            try await client.execute(uri: "/api/v1/goodruns?exp=8&complement=true", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.text.contains("\"runs\":[101]"))
            }
            try await client.execute(uri: "/api/v1/runs/8/100", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.text.contains("\"summary\":\"GOOD\""))
                #expect(response.text.contains(">=30 Minute Run"))
            }
            try await client.execute(
                uri: "/api/v1/experiments/8", method: .put, headers: fixture.auth(.expert),
                body: .json(#"{"detectors":["CDC"]}"#)
            ) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(
                uri: "/api/v1/experiments/8", method: .put, headers: fixture.auth(.manager),
                body: .json(#"{"name":"exp 8","detectors":["CDC","CDC"]}"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.apiError?.error == "detector CDC is listed twice")
            }
            try await client.execute(
                uri: "/api/v1/experiments/8", method: .put, headers: fixture.auth(.manager),
                body: .json(#"{"name":"exp 8","detectors":["CDC","HCAL"]}"#)
            ) { response in
                #expect(response.status == .ok, "\(response.text)")
            }
            try await client.execute(
                uri: "/api/v1/runs/8/100/flags", method: .post, headers: fixture.auth(.expert),
                body: .json(#"{"detector":"hcal","flag":"BAD","reason":"noisy"}"#)
            ) { response in
                #expect(response.status == .ok, "\(response.text)")
                #expect(response.text.contains("\"HCAL\":\"BAD\""))
            }
            try await client.execute(uri: "/api/v1/experiments", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.text.contains("\"detectors\":[\"CDC\",\"HCAL\"]"), "\(response.text)")
            }
            try await client.execute(uri: "/api/v1/experiments/9", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.text.contains("\"ARICH\""), "unconfigured experiments have Belle II's detectors")
            }
        }
    }
}

@Suite("Files REST API")
struct FilesAPITests {
    @Test func registerListProvenanceAndLuminosity() async throws {
        try await ServerFixture.run { client, fixture in
            try await client.execute(
                uri: "/api/v1/runs", method: .post, headers: fixture.auth(.manager), body: ByteBuffer(string: "exp,run,events,online_lumi\n8,1,100,2\n"))
            let sha = String(repeating: "cd", count: 32)
            let files = """
                [{"lfn": "/raw/r1.root", "size": 1, "adler32": "00000001", "sha256": "\(sha)", "events": 100, "run": {"exp": 8, "run": 1}, "level": "raw",
                  "release": "", "globalTags": [], "parents": [], "status": "good", "replicas": []},
                 {"lfn": "/mdst/m1.root", "size": 1, "adler32": "00000002", "sha256": "\(sha)", "events": 40, "run": {"exp": 8, "run": 1}, "level": "mdst",
                  "release": "r4", "globalTags": [], "parents": ["/raw/r1.root"], "status": "good", "replicas": []}]
                """
            try await client.execute(uri: "/api/v1/files", method: .post, headers: fixture.auth(.expert), body: ByteBuffer(string: files)) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/files", method: .post, headers: fixture.auth(.manager), body: ByteBuffer(string: files)) { response in
                #expect(response.text.contains("\"registered\":2"), "\(response.text)")
            }
            try await client.execute(uri: "/api/v1/files?level=mdst", method: .get, headers: fixture.auth(.viewer)) { response in
                let listing = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let lfns = (listing?["files"] as? [[String: Any]])?.compactMap { $0["lfn"] as? String }
                #expect(lfns == ["/mdst/m1.root"])
            }
            try await client.execute(uri: "/api/v1/files/provenance?lfn=/mdst/m1.root", method: .get, headers: fixture.auth(.viewer)) { response in
                let provenance = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let ancestors = provenance?["ancestors"] as? [[String: Any]]
                #expect(ancestors?.compactMap { $0["lfn"] as? String } == ["/raw/r1.root"])
            }
            try await client.execute(uri: "/api/v1/files/lumi", method: .post, headers: fixture.auth(.viewer), body: .json(#"{"lfns":["/mdst/m1.root"]}"#)) {
                response in
                #expect(response.text.contains("\"luminosity\":2"), "\(response.text)")
            }
            try await client.execute(uri: "/api/v1/files/lumi", method: .post, headers: fixture.auth(.viewer), body: .json(#"{"lfns":["/nope"]}"#)) {
                response in
                #expect(response.status == .notFound)
            }
        }
    }
}

@Suite("Buckets REST API")
struct BucketsAPITests {
    @Test func planCreateAndReadBuckets() async throws {
        try await ServerFixture.run { client, fixture in
            try await client.execute(
                uri: "/api/v1/runs", method: .post, headers: fixture.auth(.manager),
                body: ByteBuffer(string: "exp,run,online_lumi\n8,1,600\n8,2,700\n8,3,900\n"))
            for r in 1...3 {
                try await client.execute(
                    uri: "/api/v1/runs/8/\(r)/flags", method: .post, headers: fixture.auth(.expert), body: .json(#"{"flag":"GOOD","reason":"ok"}"#))
            }
            try await client.execute(uri: "/api/v1/buckets/plan?exp=8&target_lumi=1/fb", method: .get, headers: fixture.auth(.viewer)) { response in
                let plan = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let runs = (plan?["buckets"] as? [[String: Any]])?.map { $0["runs"] as? [Int] ?? [] }
                #expect(runs == [[1, 2], [3]])
            }
            try await client.execute(uri: "/api/v1/buckets", method: .post, headers: fixture.auth(.expert), body: .json(#"{"name":"b","exp":8,"runs":"1-2"}"#))
            { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/buckets", method: .post, headers: fixture.auth(.manager), body: .json(#"{"name":"b","exp":8,"runs":"1-2"}"#))
            { response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: "/api/v1/buckets/b", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.text.contains("\"luminosity\":1300"))
                #expect(response.text.contains("\"warnings\":[]"))
            }
            try await client.execute(uri: "/api/v1/buckets/nope", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
