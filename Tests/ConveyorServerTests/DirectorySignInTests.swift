import ConveyorAccess
import ConveyorCore
import ConveyorStore
import ConveyorTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Testing

/// Signing in on the pages with the lab's accounts, against a real OpenLDAP server (scripts/slapd).
@Suite("Directory sign-in (OpenLDAP)", .enabled(if: LabDirectory.enabled))
struct DirectorySignInTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    static func signIn(_ client: any TestClientProtocol, _ user: String, _ password: String) async throws -> (HTTPResponse.Status, String, String?) {
        try await client.execute(uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "user=\(user)&password=\(password)&next=%2Finbox")) {
            r in
            (r.status, r.text, r.headers[.setCookie].map { String($0.prefix { $0 != ";" }) })
        }
    }

    @Test(arguments: TestBackend.available)
    func groupsGiveRolesAndResponsibilitiesAndWrongPasswordsAreRefused(backend: TestBackend) async throws {
        let directory = try LabDirectory.configuration()
        try await ServerFixture.run(backend, directory: directory) { client, fixture in
            try await client.execute(uri: "/login", method: .get) { r in
                #expect(r.text.contains(#"name="password""#) && r.text.contains("Sign in with an API token instead"), "\(r.text)")
            }
            let (status, page, cookie) = try await Self.signIn(client, "alice", "alice-pw")
            #expect(status == .seeOther, "\(page)")
            let session = try #require(cookie)
            try await client.execute(uri: "/inbox", method: .get, headers: [.cookie: session]) { r in
                #expect(r.status == .ok && r.text.contains("alice · expert"), "\(r.text)")
            }
            let alice = try #require(try await fixture.store.read { try await $0.user(named: "alice") })
            #expect(alice.role == .expert && alice.responsibilities == ["ecl_gains"] && alice.email == "alice@lab.test" && alice.source == "directory")

            // A wrong password, an unknown name, a name in no mapped group, an empty password.
            let wrong = try await Self.signIn(client, "alice", "guess")
            #expect(wrong.0 == .unauthorized && wrong.1.contains("wrong user name or password") && wrong.2 == nil)
            #expect(try await Self.signIn(client, "mallory", "x").0 == .unauthorized)
            let eve = try await Self.signIn(client, "eve", "eve-pw")
            #expect(eve.0 == .forbidden && eve.1.contains("in no directory group"), "\(eve.1)")
            let empty = try await Self.signIn(client, "alice", "")
            #expect(empty.0 == .unauthorized && empty.1.contains("give your password"), "an empty password is never sent: it would bind anonymously")
            #expect(try await Self.signIn(client, "uid%3Dalice%2Cou%3Dpeople", "alice-pw").0 == .unauthorized, "no DN injection through the name")

            // Tokens still work beside the directory.
            try await client.execute(
                uri: "/login", method: .post, headers: Self.form, body: ByteBuffer(string: "token=\(fixture.tokens[.viewer]!)&next=%2Finbox")
            ) { r in #expect(r.status == .seeOther) }

            let audit = try await fixture.store.read { try await $0.auditEntries(limit: 200) }
            #expect(audit.contains { $0.action == "session.start" && $0.subject == "alice" && $0.detail.contains("directory sign-in") })
            #expect(audit.contains { $0.action == "session.refused" && $0.subject == "alice" && $0.detail.contains("wrong password") })
            #expect(audit.contains { $0.action == "session.refused" && $0.subject == "eve" && $0.detail.contains("in no mapped group") })
        }
    }

    @Test(arguments: TestBackend.available)
    func repeatedFailuresAreRateLimitedPerNameAndPerAddress(backend: TestBackend) async throws {
        let directory = try LabDirectory.configuration(extra: #", "failed_sign_ins": {"per_user": 3, "per_address": 5, "window": "10m"}"#)
        try await ServerFixture.run(backend, directory: directory) { client, fixture in
            for _ in 0..<3 { #expect(try await Self.signIn(client, "bob", "nope").0 == .unauthorized) }
            let limited = try await Self.signIn(client, "bob", "bob-pw")
            #expect(limited.0 == .unauthorized && limited.1.contains("too many failed sign-ins for bob"), "the right password no longer helps: \(limited.1)")
            // Another name from the same address still signs in, until the address's limit.
            #expect(try await Self.signIn(client, "carol", "carol-pw").0 == .seeOther)
            for _ in 0..<2 { #expect(try await Self.signIn(client, "carol", "nope").0 == .unauthorized) }
            let address = try await Self.signIn(client, "dave", "dave-pw")
            #expect(address.1.contains("too many failed sign-ins from"), "\(address.1)")
            // An hour later (the window passed) bob signs in again.
            let later = Timestamp.now.adding(seconds: 3_600)
            let (actor, _) = try await Accounts(store: fixture.store).startSession(
                user: "bob", password: "bob-pw", from: "unknown", directory: directory, at: later)
            #expect(actor.role == .manager)
        }
    }

    @Test func aDirectoryThatIsDownOrSilentFailsClearlyAndTokensStillWork() async throws {
        // Down: nothing listens on the port.
        let closed = try LabDirectory.configuration(url: "ldap://127.0.0.1:9")
        try await ServerFixture.run(.sqlite, directory: closed) { client, fixture in
            let down = try await Self.signIn(client, "alice", "alice-pw")
            #expect(down.0 == .serviceUnavailable && down.1.contains("cannot be reached") && down.1.contains("API token"), "\(down.1)")
            try await client.execute(
                uri: "/login", method: .post, headers: Self.form, body: ByteBuffer(string: "token=\(fixture.tokens[.expert]!)&next=%2Finbox")
            ) { r in #expect(r.status == .seeOther) }
            let failures = try await fixture.store.read {
                try await $0.signInFailures(user: "alice", address: "unknown", since: Timestamp(microsecondsSinceEpoch: 0))
            }
            #expect(failures.user == 0, "the directory being down is not alice's failure")
        }
        // Silent: accepts the connection and never answers; the sign-in ends at its timeout.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let port = try #require(silent.localAddress?.port)
        let hanging = try LabDirectory.configuration(url: "ldap://127.0.0.1:\(port)", timeout: 1)
        let started = ContinuousClock.now
        await #expect(throws: ConveyorError.self) {
            _ = try await Accounts.lookUp(name: "alice", password: "alice-pw", in: hanging)
        }
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func theConfigurationIsCheckedWithKeyPaths() throws {
        func refusal(_ json: String) -> String {
            do {
                _ = try PeopleConfiguration(configuration: ConfigurationValue(json: Data(json.utf8), file: "people.json"))
                return "accepted"
            } catch { return error.message }
        }
        #expect(
            refusal(#"{"directory": {"url": "ldaps://x", "user_dn": "uid={user}", "groups_base": "o", "groups": [{"group": "g", "role": "expert"}]}}"#)
                .contains("directory.url"))
        #expect(
            refusal(#"{"directory": {"url": "ldap://x", "user_dn": "uid=alice", "groups_base": "o", "groups": [{"group": "g", "role": "expert"}]}}"#).contains(
                "{user}"))
        #expect(
            refusal(#"{"directory": {"url": "ldap://x", "user_dn": "uid={user}", "groups_base": "o", "groups": [{"group": "g", "role": "boss"}]}}"#).contains(
                "directory.groups[0].role"))
        #expect(refusal(#"{"directory": {"url": "ldap://x:99999", "user_dn": "uid={user}", "groups_base": "o", "groups": []}}"#).contains("port"))
        #expect(refusal(#"{"notifications": {"base_url": "http://c"}}"#).contains("smtp, webhook or both"))
        #expect(refusal(#"{"notifications": {"base_url": "http://c", "smtp": {"host": "h", "from": "not-an-address"}}}"#).contains("notifications.smtp.from"))
        let grant = try LabDirectory.configuration(url: "ldap://x").grant(forGroups: ["ECL-calib", "shifters", "belle"])
        #expect(grant?.role == .expert && grant?.responsibilities == ["ecl_gains", "run_quality"])
    }
}
