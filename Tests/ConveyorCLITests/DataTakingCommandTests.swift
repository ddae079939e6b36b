import ConveyorCore
import ConveyorTestSupport
import Foundation
import Testing

/// Data taking through the command line: the simulated experiment's DAQ drops runs into an
/// inbox, `conveyor daq watch` takes them, and the PromptReco handshake closes the run whose end
/// record never came, locks every run in order and releases them on a simulated clock.
@Suite("Data taking commands")
struct DataTakingCommandTests {
    @Test func theSimulatedDAQFeedsTheInboxAndTheHandshakeTakesItFromThere() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let conveyor = CommandLineRunner(workingDirectory: directory.path, environment: ["CONVEYOR_DB": directory.file("c.sqlite")])
        let simulator = CommandLineRunner(
            workingDirectory: directory.path, executable: (CommandLineRunner.builtExecutable as NSString).deletingLastPathComponent + "/conveyor-sim")
        let inbox = directory.file("inbox")
        let daq = try await simulator.run(
            "daq", "--runs", "1-3", "--events", "200", "--files-per-run", "2", "--run-seconds", "0.1", "--gap-seconds", "0", "--inbox", inbox, "--out",
            directory.file("data"), "--no-end", "2")
        #expect(daq.exitCode == 0, "\(daq.stderr)")
        #expect(daq.stdout.contains("run 8:2: 200 events in 2 file(s), no end record"))
        let bad = try await simulator.run("daq", "--runs", "3-1", "--inbox", inbox, "--out", directory.file("data"))
        #expect(bad.exitCode != 0 && bad.stderr.contains("FIRST-LAST"), "\(bad.stderr)")

        // A record for a run that never started goes aside with its reason; the rest is taken.
        try #"{"kind": "end", "run": "8:99", "at": "2026-12-07T10:00:00Z"}"#.write(toFile: inbox + "/99999999-stray.json", atomically: true, encoding: .utf8)
        let watched = try await conveyor.run("daq", "watch", inbox, "--once")
        #expect(watched.exitCode == 0, "\(watched.stderr)")
        #expect(watched.stdout.split(separator: "\n").filter { $0.hasPrefix("took ") }.count == 11, "\(watched.stdout)")
        #expect(watched.stdout.contains("rejected 99999999-stray.json: run 8:99 has no start record"), "\(watched.stdout)")
        let files = try await conveyor.run("files", "list", "--level", "raw", "--json")
        let listed = (try JSONSerialization.jsonObject(with: Data(files.stdout.utf8)) as? [String: Any])?["files"] as? [[String: Any]] ?? []
        #expect(listed.count == 6 && listed.allSatisfy { ($0["adler32"] as? String)?.count == 8 }, "\(files.stdout)")
        let runs = try await conveyor.run("runs", "list")
        #expect(runs.exitCode == 0 && runs.stdout.contains("taking"), "run 2 has no end record: \(runs.stdout)")

        // The handshake, two days later on a simulated clock.
        #expect(try await conveyor.run("prompt", "configure", "--from", "8:1", "--close-after", "1h").exitCode == 0)
        let later = Timestamp(microsecondsSinceEpoch: Timestamp.now.microsecondsSinceEpoch + 50 * 3_600_000_000).iso8601
        let cycle = try await conveyor.run("prompt", "cycle", "--at", later)
        #expect(cycle.stdout.contains("closed 8:2: no end record 1 h after its last file"), "\(cycle.stdout) \(cycle.stderr)")
        #expect(cycle.stdout.contains("locked 8:3") && cycle.stdout.contains("released 8:3"), "\(cycle.stdout)")
        #expect(try await conveyor.run("fcsr").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "8:4")
        let shown = try await conveyor.run("prompt", "show", "8:2")
        #expect(shown.stdout.contains("closed") && shown.stdout.contains("released"), "\(shown.stdout)")
    }

    /// A prompt request's PromptReco (its mDST steps) waits for the handshake to release its runs.
    @Test func aPromptRequestWaitsForTheHandshakeToReleaseItsRuns() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fixture = try RequestFixture(directory: directory, database: directory.file("c.sqlite"), runs: [1, 2])
        try await fixture.prepare()
        // A release 100 days after a run's end: the runs (ended weeks ago) are not due yet.
        try await fixture.ok("prompt", "configure", "--from", "8:1", "--delay", "100d", "--lock-offset", "1h", "--minimum-delay", "1h")
        try fixture.writeRequest(name: "p1", campaign: "prompt", calibrations: [], outputs: "[mdst]", skims: "[]")
        try await fixture.ok("request", "submit", "request.yaml")
        // The scheduler runs the handshake's cycles beside itself: they track the runs but release none, so the mDST waits.
        _ = try await fixture.conveyor.runKilled(["scheduler", "--until-idle"], after: .seconds(8))
        var states = try await fixture.stepStates("p1")
        #expect(states["prompt-release"] == "running" && states["mdst-all-events"] == "pending", "\(states)")
        #expect(try await fixture.ok("prompt", "status").contains("8:2  closed"), "tracked, not released")
        // With a 48 h delay the runs are due: the scheduler's next cycle releases them, and PromptReco goes on.
        try await fixture.ok("prompt", "configure", "--from", "8:1")
        let ended = try await fixture.conveyor.runKilled(["scheduler", "--until-idle"], after: .seconds(120))
        #expect(ended.endedOnItsOwn)
        states = try await fixture.stepStates("p1")
        #expect(states["prompt-release"] == "succeeded" && states["mdst-all-events"] == "succeeded", "\(states)")
    }
}
