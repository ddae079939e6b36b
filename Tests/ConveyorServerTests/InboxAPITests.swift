import ConveyorCore
import ConveyorTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The caller's inbox over REST and on its page.
@Suite("Inbox REST API and page")
struct InboxAPITests {
    @Test(arguments: TestBackend.available)
    func aPostponedRunWaitsForExpertsNotViewers(backend: TestBackend) async throws {
        try await ServerFixture.run(backend) { client, fixture in
            try await client.execute(uri: "/api/v1/inbox", method: .get, headers: fixture.auth(.expert)) { r in
                #expect(r.status == .ok && r.text.contains(#""items":[]"#), "\(r.text)")
            }
            let csv = "exp,run,type,start,stop\n8,1,physics,2099-01-01T01:00:00Z,2099-01-01T02:00:00Z\n"
            try await client.execute(uri: "/api/v1/runs", method: .post, headers: fixture.auth(.manager), body: ByteBuffer(string: csv)) { r in
                #expect(r.status == .ok, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/prompt/settings", method: .post, headers: fixture.auth(.manager), body: .json(#"{"from": "8:1"}"#)) { r in
                #expect(r.status == .ok, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/prompt/cycle", method: .post, headers: fixture.auth(.manager)) { r in #expect(r.status == .ok) }
            try await client.execute(
                uri: "/api/v1/prompt/runs/8:1/disposition", method: .post, headers: fixture.auth(.expert),
                body: .json(#"{"disposition": "postponed", "reason": "noisy CDC"}"#)
            ) { r in #expect(r.status == .ok, "\(r.text)") }
            try await client.execute(uri: "/api/v1/inbox", method: .get, headers: fixture.auth(.expert)) { r in
                #expect(r.status == .ok && r.text.contains("run 8:1 is postponed: noisy CDC") && r.text.contains(#""kind":"postponed_run""#), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/inbox", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok && r.text.contains(#""items":[]"#), "a viewer acts on nothing: \(r.text)")
            }
            try await client.execute(uri: "/api/v1/inbox", method: .get) { r in #expect(r.status == .unauthorized) }
            try await client.execute(uri: "/inbox", method: .get, headers: fixture.auth(.expert)) { r in
                #expect(r.status == .ok && r.text.contains("run 8:1 is postponed") && r.text.contains("/data-taking/runs/8:1"), "\(r.text)")
            }
        }
    }
}
