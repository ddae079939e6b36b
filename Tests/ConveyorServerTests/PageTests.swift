import ConveyorCore
import ConveyorServer
import ConveyorTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Pages over HTTP")
struct PageTests {
    @Test func pagesSendStrangersToSignIn() async throws {
        try await ServerFixture.run { client, _ in
            try await client.execute(uri: "/audit", method: .get) { response in
                #expect(response.status == .found)
                #expect(response.headers[.location] == "/login?next=/audit")
            }
            try await client.execute(uri: "/login", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("<form method=\"post\" action=\"/login\">"))
            }
        }
    }

    @Test func signingInSetsASessionCookieThatReadsPages() async throws {
        try await ServerFixture.run { client, fixture in
            let form = ByteBuffer(string: "token=\(fixture.tokens[.viewer]!)&next=%2Fusers")
            let cookie = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: form
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/users")
                let setCookie = response.headers[.setCookie] ?? ""
                #expect(setCookie.contains("HttpOnly"))
                #expect(setCookie.contains("SameSite=Strict"))
                return String(setCookie.prefix { $0 != ";" })
            }
            try await client.execute(uri: "/users", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("test-manager"))
                #expect(response.text.contains("test-viewer · viewer"))
            }
            let bad = ByteBuffer(string: "token=cvy_nope&next=%2F")
            try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: bad) { response in
                #expect(response.status == .unauthorized)
                #expect(response.text.contains("not valid"))
                #expect(response.headers[.setCookie] == nil)
            }
        }
    }

    @Test func signInOnlyFollowsLocalPaths() async throws {
        try await ServerFixture.run { client, fixture in
            let form = ByteBuffer(string: "token=\(fixture.tokens[.viewer]!)&next=https%3A%2F%2Fevil.example%2F")
            try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: form) { response in
                #expect(response.headers[.location] == "/")
            }
        }
    }

    @Test func userSuppliedTextIsEscaped() async throws {
        try await ServerFixture.run(anonymousRole: .viewer) { client, fixture in
            try await fixture.store.write { session in
                try await session.appendAudit(AuditRecord(
                    actor: .localOperator(named: "x"), action: "test", subjectKind: "note",
                    subject: "<script>alert(1)</script>", detail: "a & b"
                ))
            }
            try await client.execute(uri: "/audit", method: .get) { response in
                #expect(!response.text.contains("<script>alert(1)</script>"))
                #expect(response.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
                #expect(response.text.contains("a &amp; b"))
            }
        }
    }

    @Test func theStylesheetIsServedLocally() async throws {
        try await ServerFixture.run { client, _ in
            try await client.execute(uri: "/assets/conveyor.css", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/css") == true)
                #expect(!response.text.contains("http://") && !response.text.contains("https://"), "no external assets")
            }
        }
    }
}

@Suite("Pages in a browser", .enabled(if: Browser.shouldRun, "no Chromium installed (apt-get install chromium)"))
struct BrowserTests {
    @Test func theHomePageShowsCountsAndRecentChanges() async throws {
        let browser = try #require(Browser.installed, "CI=true but no Chromium: the browser suite cannot run")
        try await ServerFixture.run(.sqlite, .live, anonymousRole: .viewer) { client, _ in
            let port = try #require(client.port)
            let dom = try await browser.check("http://127.0.0.1:\(port)/") { dom in
                var failures: [String] = []
                if !dom.contains("<h1>Overview</h1>") { failures.append("no Overview heading") }
                if !dom.contains("data-kind=\"users\"><div class=\"count\">4</div>") { failures.append("users count is not 4") }
                if !dom.contains("user.add") { failures.append("recent changes do not list user.add") }
                return failures
            }
            #expect(dom.contains("local:fixture"))
        }
    }

    @Test func theAuditPageListsEntriesAndOffersAnonymousReadersToSignIn() async throws {
        let browser = try #require(Browser.installed, "CI=true but no Chromium: the browser suite cannot run")
        try await ServerFixture.run(.sqlite, .live, anonymousRole: .viewer) { client, _ in
            let port = try #require(client.port)
            _ = try await browser.check("http://127.0.0.1:\(port)/audit") { dom in
                var failures: [String] = []
                if dom.components(separatedBy: "<tr><td>").count - 1 != 4 { failures.append("expected 4 audit rows") }
                if !dom.contains("href=\"/login\">Sign in</a>") { failures.append("an anonymous reader is not offered to sign in") }
                return failures
            }
        }
    }

    @Test func withoutAnonymousReadTheBrowserLandsOnSignIn() async throws {
        let browser = try #require(Browser.installed, "CI=true but no Chromium: the browser suite cannot run")
        try await ServerFixture.run(.sqlite, .live) { client, _ in
            let port = try #require(client.port)
            _ = try await browser.check("http://127.0.0.1:\(port)/") { dom in
                dom.contains("id=\"token\"") ? [] : ["the sign-in form is not shown"]
            }
        }
    }

    @Test func aFailedCheckKeepsAScreenshot() async throws {
        let browser = try #require(Browser.installed, "CI=true but no Chromium: the browser suite cannot run")
        try await ServerFixture.run(.sqlite, .live, anonymousRole: .viewer) { client, _ in
            let port = try #require(client.port)
            do {
                _ = try await browser.check("http://127.0.0.1:\(port)/") { _ in ["deliberately failing"] }
                Issue.record("the check did not fail")
            } catch let failure as PageCheckFailure {
                #expect(FileManager.default.fileExists(atPath: failure.screenshot), "\(failure)")
                #expect(failure.description.contains("screenshot kept at"))
                try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: failure.screenshot).deletingLastPathComponent().path)
            }
        }
    }
}
