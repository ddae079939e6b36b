import ConveyorAccess
import ConveyorConditions
import ConveyorCore
import ConveyorRuns
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
            // The cookie is a server-side session, not the token: logging out ends it on the server too.
            #expect(!cookie.contains(fixture.tokens[.viewer]!), "the cookie does not carry the API token")
            try await client.execute(uri: "/logout", method: .post, headers: [.cookie: cookie]) { response in
                #expect(response.status == .seeOther)
            }
            try await client.execute(uri: "/users", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .found, "a copied cookie is worthless after logout")
            }
            // Revoking the user ends their sessions; over HTTPS (a proxy saying so) the cookie is Secure.
            let again = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", HTTPField.Name("X-Forwarded-Proto")!: "https"],
                body: ByteBuffer(string: "token=\(fixture.tokens[.viewer]!)&next=%2Fusers")
            ) { response in
                let setCookie = response.headers[.setCookie] ?? ""
                #expect(setCookie.contains("Secure"))
                return String(setCookie.prefix { $0 != ";" })
            }
            try await client.execute(uri: "/users", method: .get, headers: [.cookie: again]) { response in #expect(response.status == .ok) }
            _ = try await Accounts(store: fixture.store).revokeUser(named: "test-viewer", by: .localOperator(named: "fixture"))
            try await client.execute(uri: "/users", method: .get, headers: [.cookie: again]) { response in
                #expect(response.status == .found, "revocation ends the user's sessions")
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
                try await session.appendAudit(
                    AuditRecord(
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

@Suite("Conditions pages in a browser", .enabled(if: Browser.shouldRun, "no Chromium installed (apt-get install chromium)"))
struct ConditionsPageTests {
    /// A tag with a gap, a state, and a second tag to compare against.
    static func seed(_ fixture: ServerFixture) async throws {
        let db = ConditionsDatabase(store: fixture.store)
        let alice = Actor(name: "alice", role: .expert)
        try await db.createTag(named: "calib_b8", description: "bucket 8", by: alice)
        try await db.upload(name: "CDCTimeZeros", bytes: Data("1".utf8), intoTag: "calib_b8", iov: try IntervalOfValidity(parsing: "0,0,8,199"), by: alice)
        try await db.upload(name: "CDCTimeZeros", bytes: Data("2".utf8), intoTag: "calib_b8", iov: try IntervalOfValidity(parsing: "8,300,-1,-1"), by: alice)
        try await db.clone("calib_b8", as: "calib_b8_v2", by: alice)
        try await db.upload(name: "BeamSpot", bytes: Data("b".utf8), intoTag: "calib_b8_v2", iov: try IntervalOfValidity(parsing: "0,0,-1,-1"), by: alice)
        try await db.setState(ofTag: "calib_b8_v2", to: .testing, by: Actor(name: "mona", role: .manager))
    }

    @Test func theTagListFiltersByNameAndState() async throws {
        let browser = try #require(Browser.installed, "CI=true but no Chromium: the browser suite cannot run")
        try await ServerFixture.run(.sqlite, .live, anonymousRole: .viewer) { client, fixture in
            try await Self.seed(fixture)
            let port = try #require(client.port)
            _ = try await browser.check("http://127.0.0.1:\(port)/globaltags?state=TESTING") { dom in
                var failures: [String] = []
                if !dom.contains(">calib_b8_v2</a>") { failures.append("the TESTING tag is missing") }
                if dom.contains(">calib_b8</a>") { failures.append("the OPEN tag was not filtered out") }
                if !dom.contains("<option value=\"TESTING\" selected") { failures.append("the filter does not show its state") }
                return failures
            }
        }
    }

    @Test func theTagPageDrawsCoverageAndReportsTheGap() async throws {
        let browser = try #require(Browser.installed, "CI=true but no Chromium: the browser suite cannot run")
        try await ServerFixture.run(.sqlite, .live, anonymousRole: .viewer) { client, fixture in
            try await Self.seed(fixture)
            let port = try #require(client.port)
            _ = try await browser.check("http://127.0.0.1:\(port)/globaltags/calib_b8") { dom in
                var failures: [String] = []
                if dom.components(separatedBy: "<rect ").count - 1 != 2 { failures.append("expected 2 IoV bars in the chart") }
                if !dom.contains("runs 8:200 to 8:299 are not covered") { failures.append("the gap is not reported") }
                if !dom.contains("CDCTimeZeros rev 2: 8,300,-1,-1") { failures.append("the bar tooltip is missing") }
                return failures
            }
        }
    }

    @Test func theDiffPageListsWhatChanged() async throws {
        let browser = try #require(Browser.installed, "CI=true but no Chromium: the browser suite cannot run")
        try await ServerFixture.run(.sqlite, .live, anonymousRole: .viewer) { client, fixture in
            try await Self.seed(fixture)
            let port = try #require(client.port)
            _ = try await browser.check("http://127.0.0.1:\(port)/globaltags/calib_b8/diff/calib_b8_v2") { dom in
                var failures: [String] = []
                if !dom.contains("1 added, 0 removed, 0 changed") { failures.append("wrong summary") }
                if !dom.contains("<tr class=\"added\"><td>added</td><td>BeamSpot</td>") { failures.append("BeamSpot is not listed as added") }
                return failures
            }
        }
    }
}

@Suite("Run pages in a browser", .enabled(if: Browser.shouldRun, "no Chromium installed (apt-get install chromium)"))
struct RunPageTests {
    static func seed(_ fixture: ServerFixture) async throws {
        let registry = RunRegistry(store: fixture.store)
        let csv = """
            exp,run,type,energy,start,stop,events,online_lumi
            8,100,physics,4S,2026-11-01T00:00:00Z,2026-11-01T02:00:00Z,1000,1500
            8,101,physics,Continuum,2026-11-02T00:00:00Z,2026-11-02T01:00:00Z,500,600
            """
        _ = try await registry.importSummary(Data(csv.utf8), name: "runs.csv", by: Actor(name: "mona", role: .manager))
        try await registry.flag(ExpRun(exp: 8, run: 100), detector: "ECL", to: .bad, reason: "crate off", by: Actor(name: "sam", role: .expert))
    }

    @Test func theRunListShowsTotalsThePlotAndFilters() async throws {
        let browser = try #require(Browser.installed, "CI=true but no Chromium: the browser suite cannot run")
        try await ServerFixture.run(.sqlite, .live, anonymousRole: .viewer) { client, fixture in
            try await Self.seed(fixture)
            let port = try #require(client.port)
            _ = try await browser.check("http://127.0.0.1:\(port)/runs?exp=8&energy=4S") { dom in
                var failures: [String] = []
                if !dom.contains("<strong>1</strong> runs · <strong>1000</strong> events · <strong>1500.000</strong> /pb") { failures.append("wrong totals") }
                if !dom.contains("<polyline points=") { failures.append("no luminosity plot") }
                if dom.contains(">8:101</a>") { failures.append("the Continuum run was not filtered out") }
                return failures
            }
        }
    }

    @Test func theRunPageShowsFlagsAndWhy() async throws {
        let browser = try #require(Browser.installed, "CI=true but no Chromium: the browser suite cannot run")
        try await ServerFixture.run(.sqlite, .live, anonymousRole: .viewer) { client, fixture in
            try await Self.seed(fixture)
            let port = try #require(client.port)
            _ = try await browser.check("http://127.0.0.1:\(port)/runs/8/100") { dom in
                var failures: [String] = []
                if !dom.contains("<span class=\"flag flag-bad\">BAD</span>") { failures.append("the ECL flag is not shown") }
                if !dom.contains("ECL: UNKNOWN → BAD</td><td>crate off") { failures.append("the history does not say why") }
                if !dom.contains("&gt;=30 Minute Run") { failures.append("the derived tag is missing") }
                return failures
            }
        }
    }
}

@Suite("Bucket pages in a browser", .enabled(if: Browser.shouldRun, "no Chromium installed (apt-get install chromium)"))
struct BucketPageTests {
    @Test func theBucketPageShowsWarningsAfterAFlagChange() async throws {
        let browser = try #require(Browser.installed, "CI=true but no Chromium: the browser suite cannot run")
        try await ServerFixture.run(.sqlite, .live, anonymousRole: .viewer) { client, fixture in
            let registry = RunRegistry(store: fixture.store)
            let manager = Actor(name: "mona", role: .manager), shifter = Actor(name: "sam", role: .expert)
            _ = try await registry.importSummary(Data("exp,run,online_lumi\n8,1,600\n8,2,700\n".utf8), name: "runs.csv", by: manager)
            for r in [1, 2] { try await registry.flag(ExpRun(exp: 8, run: r), to: .good, reason: "ok", by: shifter) }
            try await registry.createBucket(named: "b8", exp: 8, runs: 1...2, by: manager)
            try await registry.flag(ExpRun(exp: 8, run: 2), to: .bad, reason: "later", by: shifter)
            let port = try #require(client.port)
            _ = try await browser.check("http://127.0.0.1:\(port)/buckets") { dom in
                var failures: [String] = []
                if !dom.contains("<td>b8</td>") { failures.append("the bucket is not listed") }
                if !dom.contains("<td class=\"num\">1.300</td>") { failures.append("the frozen luminosity is not 1.300 /fb") }
                if !dom.contains("run 8:2 is BAD now; it was GOOD when the bucket was created") { failures.append("no warning for the changed flag") }
                return failures
            }
        }
    }
}

@Suite("File pages in a browser", .enabled(if: Browser.shouldRun, "no Chromium installed (apt-get install chromium)"))
struct FilePageTests {
    @Test func theFilePageLinksItsProvenance() async throws {
        let browser = try #require(Browser.installed, "CI=true but no Chromium: the browser suite cannot run")
        try await ServerFixture.run(.sqlite, .live, anonymousRole: .viewer) { client, fixture in
            let sha = String(repeating: "ef", count: 32)
            let raw = CatalogFile(
                lfn: "/belle/raw/e0008/r00001/raw_0001.root", size: 9, adler32: "00000009", sha256: sha, events: 10,
                run: ExpRun(exp: 8, run: 1), level: .raw, replicas: [Replica(site: "KEKCC", storage: .tape, path: "/tape/raw_0001")])
            let mdst = CatalogFile(
                lfn: "/belle/mdst/e0008/r00001/mdst_0001.root", size: 3, adler32: "00000003", sha256: sha, events: 4,
                run: ExpRun(exp: 8, run: 1), level: .mdst, release: "release-04", parents: [raw.lfn])
            _ = try await FileCatalog(store: fixture.store).register([raw, mdst], by: Actor(name: "mona", role: .manager))
            let port = try #require(client.port)
            _ = try await browser.check("http://127.0.0.1:\(port)/files/belle/mdst/e0008/r00001/mdst_0001.root") { dom in
                var failures: [String] = []
                if !dom.contains("<code id=\"lfn\">/belle/mdst/e0008/r00001/mdst_0001.root</code>") { failures.append("wrong file") }
                if !dom.contains("href=\"/files/belle/raw/e0008/r00001/raw_0001.root\"") { failures.append("the raw ancestor is not linked") }
                return failures
            }
            _ = try await browser.check("http://127.0.0.1:\(port)/files/belle/raw/e0008/r00001/raw_0001.root") { dom in
                dom.contains("<td>KEKCC</td><td>tape</td>") && dom.contains("mdst_0001.root") ? [] : ["replica or descendant missing"]
            }
        }
    }
}
