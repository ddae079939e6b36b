import ConveyorCore
import ConveyorTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Notes on things and problem reports: over REST, on the thing's page, and in the inbox.
@Suite("Notes and problem reports (REST, pages, inbox)")
struct NotesAPITests {
    @Test(arguments: TestBackend.available)
    func aProblemReportWaitsForTheShiftersUntilResolved(backend: TestBackend) async throws {
        try await ServerFixture.run(backend) { client, fixture in
            let csv = "exp,run,type,start,stop\n8,1,physics,2099-01-01T01:00:00Z,2099-01-01T02:00:00Z\n"
            try await client.execute(uri: "/api/v1/runs", method: .post, headers: fixture.auth(.manager), body: ByteBuffer(string: csv)) { r in
                #expect(r.status == .ok, "\(r.text)")
            }
            let report = #"{"on": "run", "subject": "8:1", "kind": "problem", "text": "ECL crate 3 noisy from 02:10"}"#
            let id = try await client.execute(uri: "/api/v1/notes", method: .post, headers: fixture.auth(.viewer), body: .json(report)) { r in
                #expect(r.status == .ok && r.text.contains(#""author":"test-viewer""#), "\(r.text)")
                return try r.json(Note.self).id
            }
            try await client.execute(uri: "/api/v1/inbox", method: .get, headers: fixture.auth(.expert)) { r in
                #expect(
                    r.text.contains("problem on run 8:1 reported by test-viewer: ECL crate 3 noisy") && r.text.contains(#""kind":"problem_report""#),
                    "\(r.text)")
            }
            // Bad input: each a 4xx with a reason, nothing written.
            for (body, status, words) in [
                (#"{"on": "request", "subject": "nope", "kind": "problem", "text": "x"}"#, HTTPResponse.Status.badRequest, "on a run or a file"),
                (#"{"on": "tag", "subject": "no_such_tag", "text": "x"}"#, .notFound, "no tag no_such_tag"),
                (#"{"on": "run", "subject": "8-1", "text": "x"}"#, .badRequest, "8-1"),
                (#"{"on": "run", "subject": "8:1", "text": "   "}"#, .badRequest, "the note is empty"),
                (#"{"on": "galaxy", "subject": "8:1", "text": "x"}"#, .badRequest, "galaxy"),
            ] {
                try await client.execute(uri: "/api/v1/notes", method: .post, headers: fixture.auth(.viewer), body: .json(body)) { r in
                    #expect(r.status == status && r.text.contains(words), "\(body): \(r.text)")
                }
            }
            try await client.execute(uri: "/api/v1/notes?on=run&subject=8:1", method: .get, headers: fixture.auth(.viewer)) { r in
                let notes = try r.json([String: [Note]].self)["notes"] ?? []
                #expect(notes.count == 1 && notes[0].kind == .problem && notes[0].resolvedAt == nil, "\(r.text)")
            }

            // On the run's page: the note, and a form that adds one.
            let viewer: HTTPFields = [.cookie: "conveyor_session=\(try await fixture.session(.viewer))"]
            try await client.execute(uri: "/runs/8/1", method: .get, headers: viewer) { r in
                #expect(r.status == .ok && r.text.contains("ECL crate 3 noisy") && r.text.contains("open problem (#\(id))"), "\(r.text)")
            }
            var form = viewer
            form[.contentType] = "application/x-www-form-urlencoded"
            try await client.execute(uri: "/notes", method: .post, headers: form, body: ByteBuffer(string: "on=run&subject=8%3A1&text=looked+fine+at+03%3A00"))
            { r in
                #expect(r.status == .seeOther && r.headers[.location] == "/runs/8/1#notes", "\(r.text)")
            }

            // Resolving: experts only, once.
            let resolve = #"{"text": "crate masked; run flagged BAD for ECL"}"#
            try await client.execute(uri: "/api/v1/notes/\(id)/resolve", method: .post, headers: fixture.auth(.viewer), body: .json(resolve)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/notes/\(id)/resolve", method: .post, headers: fixture.auth(.expert), body: .json(resolve)) { r in
                #expect(r.status == .ok && r.text.contains(#""resolvedBy":"test-expert""#), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/notes/\(id)/resolve", method: .post, headers: fixture.auth(.expert), body: .json(resolve)) { r in
                #expect(r.status == .conflict, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/inbox", method: .get, headers: fixture.auth(.expert)) { r in
                #expect(!r.text.contains("problem_report"), "\(r.text)")
            }
            try await client.execute(uri: "/runs/8/1", method: .get, headers: viewer) { r in
                #expect(r.text.contains("looked fine at 03:00") && r.text.contains("resolved") && r.text.contains("crate masked"), "\(r.text)")
            }
        }
    }
}

@Suite("People pages in a browser", .enabled(if: Browser.shouldRun, "no Chromium installed (apt-get install chromium)"))
struct PeoplePageBrowserTests {
    @Test func aRunsNotesAndTheDirectorySignInFormRender() async throws {
        let browser = try #require(Browser.installed, "CI=true but no Chromium: the browser suite cannot run")
        let directory = try LabDirectory.configuration(url: "ldap://127.0.0.1:9")
        try await ServerFixture.run(.sqlite, .live, anonymousRole: .viewer, directory: directory) { client, fixture in
            let port = try #require(client.port)
            let csv = "exp,run,type,start,stop\n8,1,physics,2099-01-01T01:00:00Z,2099-01-01T02:00:00Z\n"
            try await client.execute(uri: "/api/v1/runs", method: .post, headers: fixture.auth(.manager), body: ByteBuffer(string: csv)) { _ in }
            try await client.execute(
                uri: "/api/v1/notes", method: .post, headers: fixture.auth(.viewer),
                body: .json(#"{"on": "run", "subject": "8:1", "kind": "problem", "text": "ECL crate 3 noisy"}"#)
            ) { r in #expect(r.status == .ok) }
            _ = try await browser.check("http://127.0.0.1:\(port)/runs/8/1") { dom in
                var failures: [String] = []
                if !dom.contains("ECL crate 3 noisy") { failures.append("the note is not shown") }
                if !dom.contains("open problem (#1)") { failures.append("the problem is not shown as open") }
                if !dom.contains("name=\"text\"") { failures.append("no form to add a note") }
                return failures
            }
            _ = try await browser.check("http://127.0.0.1:\(port)/login") { dom in
                var failures: [String] = []
                if !dom.contains("id=\"password\"") { failures.append("no password field with a directory configured") }
                if !dom.contains("Sign in with an API token instead") { failures.append("the token sign-in is gone") }
                return failures
            }
        }
    }
}

@Suite("Turnaround over REST")
struct TurnaroundAPITests {
    @Test func unknownRequestsAndBadDatesAreRefused() async throws {
        try await ServerFixture.run(.sqlite) { client, fixture in
            try await client.execute(uri: "/api/v1/requests/nope/turnaround", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .notFound && r.apiError?.code == "not_found")
            }
            try await client.execute(uri: "/api/v1/reports/turnaround", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok && r.text == #"{"requests":[]}"#, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/reports/turnaround?since=yesterday", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .badRequest)
            }
        }
    }
}
