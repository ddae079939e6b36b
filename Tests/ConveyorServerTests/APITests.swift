import ConveyorAccess
import ConveyorCore
import ConveyorServer
import ConveyorTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("REST API")
struct APITests {
    @Test(arguments: TestBackend.available)
    func healthReportsTheBackend(backend: TestBackend) async throws {
        try await ServerFixture.run(backend) { client, _ in
            // Liveness answers without reading anything; readiness makes the database round trip.
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok && response.text == #"{"status":"ok"}"#, "\(response.text)")
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("\"status\":\"ok\""))
                #expect(response.text.contains(backend.rawValue) && response.text.contains("\"schemaVersion\":20"), "\(response.text)")
            }
        }
    }

    /// The benchmarks' floors answer only when asked for, and the authenticated one needs a token.
    @Test func floorRoutesAreThereOnlyWhenAskedFor() async throws {
        try await ServerFixture.run { client, _ in
            try await client.execute(uri: "/floor", method: .get) { #expect($0.status == .notFound) }
        }
        try await ServerFixture.run(floorRoutes: true) { client, fixture in
            try await client.execute(uri: "/floor", method: .get) { #expect($0.status == .ok && $0.text == "ok") }
            // Without a token, as every page: to the sign-in page.
            try await client.execute(uri: "/floor/authenticated", method: .get) { #expect($0.status == .found) }
            try await client.execute(uri: "/floor/authenticated", method: .get, headers: fixture.auth(.viewer)) {
                #expect($0.status == .ok && $0.text == "ok")
            }
        }
    }

    @Test func readsNeedAToken() async throws {
        try await ServerFixture.run { client, fixture in
            try await client.execute(uri: "/api/v1/users", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.apiError?.status == 401)
                #expect(response.apiError?.error.contains("Bearer") == true)
            }
            try await client.execute(uri: "/api/v1/users", method: .get, headers: [.authorization: "Bearer cvy_wrong"]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.apiError?.error.contains("not valid") == true)
            }
            try await client.execute(uri: "/api/v1/users", method: .get, headers: [.authorization: "Basic abc"]) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/v1/users", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.status == .ok)
                let list = try response.json(UserList.self)
                #expect(list.users.map(\.name).sorted() == ["test-admin", "test-expert", "test-manager", "test-viewer"])
            }
        }
    }

    @Test func onlyAdminsAddUsersAndTheTokenIsShownOnce() async throws {
        try await ServerFixture.run { client, fixture in
            let body = ByteBuffer.json(#"{"name": "alice", "role": "expert"}"#)
            for role in [Role.viewer, .expert, .manager] {
                try await client.execute(uri: "/api/v1/users", method: .post, headers: fixture.auth(role), body: body) { response in
                    #expect(response.status == .forbidden, "\(role) may not add users")
                    #expect(response.apiError?.error.contains("needs role admin") == true)
                }
            }
            let created = try await client.execute(uri: "/api/v1/users", method: .post, headers: fixture.auth(.admin), body: body) { response in
                #expect(response.status == .created)
                return try response.json(CreatedUser.self)
            }
            #expect(created.user.name == "alice")
            #expect(created.user.role == .expert)
            #expect(created.token.hasPrefix("cvy_"))
            try await client.execute(uri: "/api/v1/whoami", method: .get, headers: [.authorization: "Bearer \(created.token)"]) { response in
                #expect(response.text.contains("\"name\":\"alice\""))
            }
            try await client.execute(uri: "/api/v1/users", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(!response.text.contains(created.token), "the token is never listed")
            }
            try await client.execute(uri: "/api/v1/users", method: .post, headers: fixture.auth(.admin), body: body) { response in
                #expect(response.status == .conflict)
            }
        }
    }

    @Test func badBodiesGetA400WithAReason() async throws {
        try await ServerFixture.run { client, fixture in
            for bad in [#"{"name": "x", "role": "god"}"#, #"{"name": "bad name", "role": "viewer"}"#, "not json", #"{"role": "viewer"}"#] {
                try await client.execute(uri: "/api/v1/users", method: .post, headers: fixture.auth(.admin), body: .json(bad)) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                    #expect(response.apiError?.error.isEmpty == false)
                }
            }
            let users = try await Accounts(store: fixture.store).users()
            #expect(users.count == 4, "nothing was written by a refused request")
        }
    }

    @Test func revokingATokenStopsItAtOnce() async throws {
        try await ServerFixture.run { client, fixture in
            try await client.execute(uri: "/api/v1/users/test-expert", method: .delete, headers: fixture.auth(.admin)) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("revokedAt"))
            }
            try await client.execute(uri: "/api/v1/whoami", method: .get, headers: fixture.auth(.expert)) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/v1/users/nobody", method: .delete, headers: fixture.auth(.admin)) { response in
                #expect(response.status == .notFound)
                #expect(response.apiError?.error == "no user named 'nobody'")
            }
        }
    }

    @Test func theAuditLogRecordsWhoDidWhat() async throws {
        try await ServerFixture.run { client, fixture in
            try await client.execute(uri: "/api/v1/users", method: .post, headers: fixture.auth(.admin), body: .json(#"{"name": "bob", "role": "viewer"}"#))
            let entries = try await client.execute(uri: "/api/v1/audit?limit=1", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.status == .ok)
                return try response.json(AuditList.self).entries
            }
            #expect(entries.count == 1)
            #expect(entries.first?.actor == "test-admin")
            #expect(entries.first?.action == "user.add")
            #expect(entries.first?.subject == "bob")
            try await client.execute(uri: "/api/v1/audit?since=2999-01-01", method: .get, headers: fixture.auth(.viewer)) { response in
                let entries = try response.json(AuditList.self).entries
                #expect(entries.isEmpty)
            }
            try await client.execute(uri: "/api/v1/audit?since=someday", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.status == .badRequest)
                #expect(response.apiError?.error.contains("not a timestamp") == true)
            }
            try await client.execute(uri: "/api/v1/audit?limit=0", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func unknownAPIPathsAnswerJSON404() async throws {
        try await ServerFixture.run { client, fixture in
            try await client.execute(uri: "/api/v1/no-such-thing", method: .get, headers: fixture.auth(.viewer)) { response in
                #expect(response.status == .notFound)
                #expect(response.apiError?.status == 404)
            }
        }
    }

    @Test func metricsAreExposedForPrometheus() async throws {
        try await ServerFixture.run { client, fixture in
            try await client.execute(uri: "/api/v1/summary", method: .get, headers: fixture.auth(.viewer))
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                #expect(response.text.contains("# TYPE hb_requests counter"))
                #expect(response.text.contains("/api/v1/summary"))
            }
        }
    }

    @Test func summaryCountsUsersAndAudit() async throws {
        try await ServerFixture.run { client, fixture in
            try await client.execute(uri: "/api/v1/summary", method: .get, headers: fixture.auth(.viewer)) { response in
                let text = response.text
                #expect(text.contains(#""kind":"users""#))
                #expect(text.contains(#""count":4"#))
            }
        }
    }
}
