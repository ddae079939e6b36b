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

            // Turnaround: the request's wall time so far, split; the local-run sign-off decided, signoff:cdc still waiting.
            let plot = directory.file("turnaround.svg")
            let report = try await fixture.ok("report", "turnaround", "--campaign", "prompt", "--plot", plot)
            #expect(report.contains("prompt-b1") && report.contains("so far") && report.contains("signoff:cdc") && report.contains("(waiting)"), "\(report)")
            let svg = try String(contentsOfFile: plot, encoding: .utf8)
            #expect(svg.hasPrefix("<svg") && svg.contains("prompt-b1: people"), "\(svg.prefix(400))")
            let reported = try await fixture.conveyor.run("report", "turnaround", "--json")
            let rows = try JSONSerialization.jsonObject(with: Data(reported.stdout.utf8)) as? [[String: Any]] ?? []
            let turnaround = rows.first?["turnaround"] as? [String: Any] ?? [:]
            let parts = turnaround["parts"] as? [String: Double] ?? [:]
            let wall = turnaround["wallSeconds"] as? Double ?? 0
            #expect(wall > 0 && abs(parts.values.reduce(0, +) - wall) < 0.01 && (parts["people"] ?? 0) > 0, "\(reported.stdout)")
            let decisions = turnaround["signoffs"] as? [[String: Any]] ?? []
            #expect(decisions.contains { $0["task"] as? String == "local-calibrations" && ($0["who"] as? String)?.hasPrefix("local:") == true }, "\(decisions)")
            #expect(decisions.contains { $0["task"] as? String == "signoff:cdc" && $0["decided"] == nil })
            #expect(try await fixture.conveyor.run("report", "turnaround", "--plot", "x.png").stderr.contains("--plot writes SVG"))
            #expect(try await fixture.ok("report", "turnaround", "--campaign", "express").contains("no requests in campaign express"))
        }
    }
}
