import ConveyorCore
import ConveyorStore
import ConveyorTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Data management REST API and pages")
struct DataManagementAPITests {
    static func file(_ index: Int) -> String {
        let sha = String(repeating: "a", count: 63) + String(index)
        return
            #"{"lfn": "/belle/Raw/e0008/r00001/raw_\#(index).sroot", "size": 1000, "adler32": "0000000\#(index)", "sha256": "\#(sha)", "events": 10, "run": {"exp": 8, "run": 1}, "level": "raw", "release": "", "globalTags": [], "parents": [], "status": "good", "replicas": [{"site": "KEK", "storage": "tape", "path": "/tape/raw_\#(index).sroot", "state": "available"}]}"#
    }

    @Test(arguments: TestBackend.available)
    func endpointsDatasetsAndRulesOverRESTAndPages(backend: TestBackend) async throws {
        try await ServerFixture.run(backend) { client, fixture in
            let tape =
                #"{"name": "KEK_TAPE", "site": "KEK", "kind": "tape", "prefix": "/tape", "recallCommand": "true {path}", "attributes": {"country": "JP"}}"#
            try await client.execute(uri: "/api/v1/sites", method: .post, headers: fixture.auth(.manager), body: .json(tape)) { r in
                #expect(r.status == .forbidden, "endpoints carry commands: admin only")
            }
            try await client.execute(
                uri: "/api/v1/sites", method: .post, headers: fixture.auth(.admin),
                body: .json(#"{"name": "T2", "site": "X", "kind": "tape", "prefix": "/t"}"#)
            ) { r in
                #expect(r.status == .badRequest)
                #expect(r.apiError?.error.contains("needs a recall command") == true, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/sites", method: .post, headers: fixture.auth(.admin), body: .json(tape)) { r in
                #expect(r.status == .ok, "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/sites", method: .post, headers: fixture.auth(.admin),
                body: .json(#"{"name": "BNL_DISK", "site": "BNL", "kind": "disk", "prefix": "/bnl", "quota": "2500B"}"#)
            ) { r in
                #expect(r.status == .ok, "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/files", method: .post, headers: fixture.auth(.manager), body: .json("[\(Self.file(1)), \(Self.file(2)), \(Self.file(3))]")
            ) { r in
                #expect(r.status == .ok, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/datasets", method: .post, headers: fixture.auth(.manager), body: .json(#"{"name": "b1.raw"}"#)) { r in
                #expect(r.status == .created, "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/datasets/attach", method: .post, headers: fixture.auth(.manager),
                body: .json(#"{"name": "b1.raw", "members": ["/belle/Raw/e0008/r00001/raw_1.sroot", "/belle/Raw/e0008/r00001/raw_2.sroot"]}"#)
            ) { r in
                #expect(r.status == .ok, "\(r.text)")
                #expect(r.text.contains(#""attached":2"#))
            }
            for (body, reason) in [
                (#"{"target": "dataset:b1.raw", "expression": "site=CERN"}"#, "matches no storage endpoint"),
                (#"{"target": "dataset:b1.raw", "expression": "(site=BNL"}"#, "is not closed"),
                (#"{"target": "b1.raw", "expression": "BNL_DISK"}"#, "dataset:NAME"),
                (#"{"target": "dataset:b1.raw", "expression": "BNL_DISK", "lifetime": "soon"}"#, "not a duration"),
            ] {
                try await client.execute(uri: "/api/v1/rules", method: .post, headers: fixture.auth(.manager), body: .json(body)) { r in
                    #expect(r.status == .badRequest, "\(body): \(r.text)")
                    #expect(r.apiError?.error.contains(reason) == true, "\(r.text)")
                }
            }
            var id: Int64 = 0
            try await client.execute(
                uri: "/api/v1/rules", method: .post, headers: fixture.auth(.manager),
                body: .json(#"{"target": "dataset:b1.raw", "expression": "kind=disk", "lifetime": "30d", "comment": "to BNL"}"#)
            ) { r in
                #expect(r.status == .created, "\(r.text)")
                let rule = try r.json(ReplicationRule.self)
                #expect(rule.state == .REPLICATING && rule.locksReplicating == 2 && rule.expiresAt != nil)
                id = rule.id
            }
            // The third file does not fit BNL's quota any more (2000 of 2500 bytes are on their way).
            try await client.execute(
                uri: "/api/v1/rules", method: .post, headers: fixture.auth(.manager),
                body: .json(#"{"target": "/belle/Raw/e0008/r00001/raw_3.sroot", "expression": "BNL_DISK"}"#)
            ) { r in
                #expect(r.status == .badRequest)
                #expect(r.apiError?.error.contains("over quota") == true, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/rules/\(id)", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains(#""waiting":["#) && r.text.contains("BNL_DISK"))
            }
            try await client.execute(uri: "/api/v1/sites/BNL_DISK", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains(#""incomingBytes":2000"#), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/dm/usage?by=level", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains(#""key":"raw""#), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/dm/usage?by=colour", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .badRequest)
            }
            let session = try await fixture.session(.viewer)
            let cookie: HTTPFields = [.cookie: "conveyor_session=\(session)"]
            for (page, needles) in [
                ("/sites", ["BNL_DISK", "KEK_TAPE", "1 REPLICATING"]), ("/rules", ["dataset:b1.raw", "REPLICATING", "0/2"]),
                ("/rules/\(id)", ["Copies still missing", "raw_1.sroot"]), ("/datasets", ["b1.raw"]),
                ("/datasets/detail?name=b1.raw", ["KEK tape available", "rule \(id)"]),
            ] {
                try await client.execute(uri: page, method: .get, headers: cookie) { r in
                    #expect(r.status == .ok, "\(page): \(r.status)")
                    for needle in needles { #expect(r.text.contains(needle), "\(page) lacks \(needle)") }
                }
            }
            try await client.execute(uri: "/api/v1/rules/\(id)", method: .delete, headers: fixture.auth(.expert)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/rules/\(id)", method: .delete, headers: fixture.auth(.manager)) { r in
                #expect(r.status == .ok, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/rules/\(id)", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/rules/-4", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .badRequest)
            }
        }
    }
}
