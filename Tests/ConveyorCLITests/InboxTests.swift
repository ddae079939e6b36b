import ConveyorCore
import ConveyorTestSupport
import Foundation
import Testing

/// `conveyor inbox` and `/inbox`: what waits for whom, from a request's sign-offs and a postponed run.
@Suite("The inbox", .serialized)
struct InboxTests {
    @Test(arguments: TestBackend.available)
    func theInboxShowsEachPersonWhatWaitsForThem(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let fixture = try RequestFixture(directory: directory, database: CommandLineTests.url(location), runs: [1, 2])
            try await fixture.prepare()
            for (name, role) in [("cdc-expert", "expert"), ("ecl-expert", "expert"), ("mona", "manager"), ("vera", "viewer")] {
                try await fixture.ok("user", "add", name, "--role", role)
            }
            #expect(try await fixture.ok("inbox").contains("nothing waits"))
            try fixture.writeRequest(calibrations: [
                "{name: cdc, command: '\(directory.file("bin"))/calib', expert: cdc-expert, input: {data_tags: [hlt_bhabha]}}"
            ])
            try await fixture.ok("request", "submit", "request.yaml")
            try await fixture.schedule()

            // The local-run upload sign-off waits for any expert.
            var listed = try await fixture.ok("inbox", "--user", "ecl-expert")
            #expect(listed.contains("sign off local-calibrations of request prompt-b1 (workflow 1)") && listed.contains("expert"), "\(listed)")
            #expect(try await fixture.ok("inbox", "--user", "vera").contains("nothing waits for vera"))
            try await fixture.ok("task", "signoff", "1/local-calibrations", "--approve", "--comment", "none")
            try await fixture.schedule()

            // The calibration's sign-off names its expert: cdc-expert and the manager see it, ecl-expert does not.
            listed = try await fixture.ok("inbox", "--user", "cdc-expert")
            #expect(listed.contains("sign off signoff:cdc") && listed.contains("conveyor task signoff 1/signoff:cdc"), "\(listed)")
            #expect(!(try await fixture.ok("inbox", "--user", "ecl-expert")).contains("signoff:cdc"))
            #expect(try await fixture.ok("inbox", "--user", "mona").contains("signoff:cdc"))
            let json = try await fixture.conveyor.run("inbox", "--user", "cdc-expert", "--json")
            let items = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]] ?? []
            #expect(items.count == 1 && items[0]["kind"] as? String == "signoff" && items[0]["people"] as? [String] == ["cdc-expert"], "\(json.stdout)")
            let unknown = try await fixture.conveyor.run("inbox", "--user", "nobody")
            #expect(unknown.exitCode == 1 && unknown.stderr == "conveyor: no user named 'nobody'\n", "\(unknown.stderr)")

            // A postponed run waits for a shifter.
            try await fixture.ok("prompt", "configure", "--from", "8:1", "--delay", "100d", "--lock-offset", "1h")
            try await fixture.ok("prompt", "cycle")
            try await fixture.ok("prompt", "postpone", "8:2", "--reason", "noisy CDC")
            listed = try await fixture.ok("inbox", "--user", "ecl-expert")
            #expect(listed.contains("run 8:2 is postponed: noisy CDC") && listed.contains("conveyor prompt go-on 8:2"), "\(listed)")
            // Oldest first: the sign-off waited longer than the postponed run.
            let all = try await fixture.ok("inbox")
            let signoff = try #require(all.range(of: "signoff:cdc")), postponed = try #require(all.range(of: "run 8:2 is postponed"))
            #expect(signoff.lowerBound < postponed.lowerBound, "\(all)")
        }
    }
}
