import ConveyorConditions
import ConveyorCore
import ConveyorMonteCarlo
import ConveyorTestSupport
import ConveyorWorkflow
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ConveyorServer

/// MC production over REST and pages (a whole production runs in the CLI suite): roles, each bad
/// input with its code, the campaign's table coloured by state, and a request's page.
@Suite("MC production (REST, pages)")
struct MonteCarloAPITests {
    static let campaign = #"""
        {"name": "MC15", "release": "release-09-00-00", "globalTags": ["mc_base"], "program": "/bin/true", "sites": [{"name": "KEKCC", "pool": "local"}], "exp": 1003}
        """#

    @Test(arguments: TestBackend.available)
    func campaignsAndRequestsAnswerWithReasons(backend: TestBackend) async throws {
        try await ServerFixture.run(backend) { client, fixture in
            try await client.execute(uri: "/api/v1/mc/campaigns", method: .post, headers: fixture.auth(.manager), body: .json(Self.campaign)) { r in
                #expect(r.status == .notFound && r.text.contains("no global tag named 'mc_base'"), "\(r.text)")
            }
            _ = try await ConditionsDatabase(store: fixture.store).createTag(
                named: "mc_base", type: .data, description: "MC", by: Actor(name: "m", role: .manager))
            try await client.execute(uri: "/api/v1/mc/campaigns", method: .post, headers: fixture.auth(.expert), body: .json(Self.campaign)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/mc/campaigns", method: .post, headers: fixture.auth(.manager), body: .json(Self.campaign)) { r in
                #expect(r.status == .created && r.text.contains(#""backgroundTag":"hlt_random""#), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/mc/campaigns", method: .post, headers: fixture.auth(.manager), body: .json(Self.campaign)) { r in
                #expect(r.status == .conflict && r.text.contains("MC campaign MC15 exists"), "\(r.text)")
            }
            let bad = Self.campaign.replacingOccurrences(of: #""sites": [{"name": "KEKCC", "pool": "local"}]"#, with: #""sites": []"#)
            try await client.execute(uri: "/api/v1/mc/campaigns", method: .post, headers: fixture.auth(.manager), body: .json(bad)) { r in
                #expect(r.status == .badRequest && r.text.contains("needs at least one site") && r.text.contains(#""code":"invalid_input""#), "\(r.text)")
            }

            let sample = #"{"group": "charm", "eventType": "hadron", "events": 5000, "background": "bgx0", "priority": 3, "comment": "D <mixing>"}"#
            try await client.execute(uri: "/api/v1/mc/campaigns/MC15/requests", method: .post, headers: fixture.auth(.viewer), body: .json(sample)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/mc/campaigns/MC15/requests", method: .post, headers: fixture.auth(.expert), body: .json(sample)) { r in
                #expect(r.status == .created && r.text.contains(#""state":"requested""#) && r.text.contains(#""id":1"#), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/mc/campaigns/MC15/requests", method: .post, headers: fixture.auth(.expert), body: .json(sample)) { r in
                #expect(r.status == .conflict && r.text.contains("MC request 1 already asks for hadron BGX0"), "\(r.text)")
            }
            for (body, reason) in [
                (sample.replacingOccurrences(of: #""priority": 3"#, with: #""priority": 9"#), "a priority is 0 (trivial) to 4 (blocker), not 9"),
                (sample.replacingOccurrences(of: #""background": "bgx0""#, with: #""background": "bgx2""#), "unknown background level 'bgx2'"),
                (sample.replacingOccurrences(of: #""events": 5000"#, with: #""events": -3"#), "asks for 1 to"),
                (sample.replacingOccurrences(of: #""background": "bgx0""#, with: #""runs": "8:1-x""#), "runs are EXP:FIRST-LAST"),
                (sample.replacingOccurrences(of: #""background": "bgx0""#, with: #""runs": "8:1-5""#), "runs 8:1-5 hold no GOOD physics run"),
            ] {
                try await client.execute(uri: "/api/v1/mc/campaigns/MC15/requests", method: .post, headers: fixture.auth(.expert), body: .json(body)) { r in
                    #expect(r.status == .badRequest && r.text.contains(reason), "\(body): \(r.text)")
                }
            }
            try await client.execute(uri: "/api/v1/mc/requests/1/submit", method: .post, headers: fixture.auth(.manager)) { r in
                #expect(r.status == .conflict && r.text.contains("only a ready request is submitted"), "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/mc/requests/1/decision", method: .post, headers: fixture.auth(.manager), body: .json(#"{"state": "released"}"#)
            ) { r in
                #expect(r.status == .conflict && r.text.contains("cannot go from requested to released"), "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/mc/requests/1/decision", method: .post, headers: fixture.auth(.manager), body: .json(#"{"state": "approved", "reason": "ok"}"#)
            ) { r in
                #expect(r.status == .ok && r.text.contains(#""state":"approved""#), "\(r.text)")
            }
            // /bin/true writes no events: the test job fails with its reason and the request stays approved.
            try await client.execute(uri: "/api/v1/mc/requests/1/test", method: .post, headers: fixture.auth(.manager)) { r in
                #expect(r.status == .badRequest && r.text.contains("the test job reported no events and wrote no output"), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/mc/requests/1/priority", method: .put, headers: fixture.auth(.manager), body: .json(#"{"priority": 4}"#)) {
                r in
                #expect(r.status == .ok && r.text.contains(#""priority":4"#) && r.text.contains(#""state":"approved""#), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/mc/requests/1/plan", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok && r.text.contains(#""jobs":1"#) && r.text.contains("no background overlaid"), "\(r.text)")
            }
            for uri in ["/api/v1/mc/requests/0", "/api/v1/mc/requests/x1", "/api/v1/mc/requests/99999999999999999999"] {
                try await client.execute(uri: uri, method: .get, headers: fixture.auth(.viewer)) { r in
                    #expect(r.status == .badRequest && r.text.contains("a positive whole number"), "\(uri): \(r.text)")
                }
            }
            try await client.execute(uri: "/api/v1/mc/requests/7", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .notFound && r.text.contains("no MC request 7"), "\(r.text)")
            }
            // A program that generates what it is asked: the test passes, and the request is submitted over REST.
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let generator = directory.file("gen")
            try "#!/bin/sh\necho event > \"$CONVEYOR_OUTPUT\"\necho events=$CONVEYOR_EVENTS > \"$CONVEYOR_REPORT\"\n".write(
                toFile: generator, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: generator)
            try await ConditionsDatabase(store: fixture.store).setState(ofTag: "mc_base", to: .running, by: Actor(name: "m", role: .manager))
            try await Workflows(store: fixture.store).savePool(try Pool(name: "local", executor: .local, slots: 2), by: Actor(name: "m", role: .admin))
            let second = Self.campaign.replacingOccurrences(of: "MC15", with: "MC16").replacingOccurrences(of: "/bin/true", with: generator)
            try await client.execute(uri: "/api/v1/mc/campaigns", method: .post, headers: fixture.auth(.manager), body: .json(second)) { r in
                #expect(r.status == .created, "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/mc/campaigns/MC16/requests", method: .post, headers: fixture.auth(.expert),
                body: .json(#"{"group": "tau", "eventType": "tau_pair", "events": 250, "background": "bgx0", "eventsPerJob": 100}"#)
            ) { r in
                #expect(r.status == .created && r.text.contains(#""id":2"#), "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/mc/requests/2/decision", method: .post, headers: fixture.auth(.manager), body: .json(#"{"state": "approved"}"#)
            ) { r in
                #expect(r.status == .ok, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/mc/requests/2/test", method: .post, headers: fixture.auth(.manager)) { r in
                #expect(r.status == .ok && r.text.contains(#""passed":true"#), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/mc/requests/2/submit", method: .post, headers: fixture.auth(.manager)) { r in
                #expect(r.status == .created && r.text.contains(#""request":"mc-2""#) && r.text.contains(#""jobs":3"#), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/mc/requests/2", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok && r.text.contains(#""state":"submitted""#) && r.text.contains("no job has finished yet"), "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/mc/campaigns/MC15/status", method: .put, headers: fixture.auth(.manager), body: .json(#"{"status": "closed"}"#)
            ) {
                r in
                #expect(r.status == .ok, "\(r.text)")
            }
            let other = sample.replacingOccurrences(of: "hadron", with: "mumu")
            try await client.execute(uri: "/api/v1/mc/campaigns/MC15/requests", method: .post, headers: fixture.auth(.expert), body: .json(other)) { r in
                #expect(r.status == .conflict && r.text.contains("MC campaign MC15 is closed"), "\(r.text)")
            }

            // Pages: the campaign's table with the state key and the escaped comment, the request's page with its history.
            try await client.execute(uri: "/mc/MC15", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok, "\(r.text)")
                #expect(r.text.contains(#"<tr class="mc-approved"><td><a href="/mc/requests/1">1</a></td><td>4 blocker</td><td>hadron</td>"#), "\(r.text)")
                #expect(r.text.contains("scripts committed, ready for production") && r.text.contains("D &lt;mixing&gt;"), "\(r.text)")
                #expect(r.text.contains("<h2>charm</h2>"))
            }
            try await client.execute(uri: "/mc/MC15?state=released", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok && r.text.contains("No requests released"), "\(r.text)")
            }
            try await client.execute(uri: "/mc/MC15?state=nope", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .badRequest, "\(r.text)")
            }
            try await client.execute(uri: "/mc/requests/1", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok && r.text.contains("<table id=\"history\">") && r.text.contains("/belle/MC/release-09-00-00/DB"), "\(r.text)")
                #expect(r.text.contains("<p>Comment: D &lt;mixing&gt;</p>"), "the comment is text, its tags escaped: \(r.text)")
            }
            try await client.execute(uri: "/mc", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok && r.text.contains(#"<a href="/mc/MC15">MC15</a>"#), "\(r.text)")
            }
        }
    }
}
