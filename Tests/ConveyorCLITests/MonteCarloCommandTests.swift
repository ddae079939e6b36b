import ConveyorCore
import ConveyorTestSupport
import Foundation
import Testing

/// MC production through the CLI on both databases, with the simulated experiment's generator:
/// a campaign, requests refused for each bad input, a test job that finds an event type the
/// program rejects, and a run-dependent production whose events follow the GOOD runs'
/// luminosity, whose jobs read each run's own tags and background, and whose files a rerun with
/// the recorded seed reproduces byte for byte.
@Suite("MC production (CLI)")
struct MonteCarloCommandTests {
    static var simulator: String { (CommandLineRunner.builtExecutable as NSString).deletingLastPathComponent + "/conveyor-sim" }

    /// Runs 1–3 get random-trigger files (run 4 none), every run a processed mDST: runs 1 and 2
    /// with tag `mc_base`, run 3 with `mc_late` (another beam spot).
    static func prepare(_ fixture: RequestFixture) async throws {
        let sim = CommandLineRunner(workingDirectory: fixture.directory.path, executable: simulator)
        let generated = try await sim.run("generate", "--exp", "8", "--runs", "1-3", "--events", "3000", "--out", "data")
        #expect(generated.exitCode == 0, "\(generated.stderr)")
        var files: [CatalogFile] = []
        for run in 1...3 {
            let path = fixture.directory.file("data/r\(run).random.raw")
            let skim = try await sim.run("hlt-skim", "--triggers", "random", "--output", path, fixture.directory.file("data/raw/e0008/r0000\(run).raw"))
            #expect(skim.exitCode == 0, "\(skim.stderr)")
            let events = Int64(skim.stdout.split(separator: "=").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "") ?? 0
            #expect(events > 10)
            files.append(Self.file(lfn: "/belle/raw/e0008/r0000\(run)/random.sroot", path: path, events: events, run: run, level: .raw, tag: "hlt_random"))
        }
        for run in 1...4 {
            let path = fixture.directory.file("data/r\(run).mdst")
            try Data("processed run \(run)\n".utf8).write(to: URL(fileURLWithPath: path))
            var file = Self.file(lfn: "/belle/Data/proc/e0008/r0000\(run)/mdst.root", path: path, events: 1, run: run, level: .mdst, tag: nil)
            file.globalTags = [run == 3 ? "mc_late" : "mc_base"]
            files.append(file)
        }
        try JSONEncoder().encode(files).write(to: URL(fileURLWithPath: fixture.directory.file("mc-files.json")))
        try await fixture.ok("files", "register", "mc-files.json")
        for (tag, spot) in [("mc_base", "0.04 -0.02"), ("mc_late", "0.05 -0.01")] {
            try spot.write(toFile: fixture.directory.file("\(tag).txt"), atomically: true, encoding: .utf8)
            try await fixture.ok("gt", "create", tag, "--type", "DATA")
            try await fixture.ok("payload", "upload", "BeamSpot", "\(tag).txt", "--gt", tag, "--iov", "0,0,-1,-1")
            try await fixture.ok("gt", "set-state", tag, "RUNNING")
        }
    }

    static func file(lfn: String, path: String, events: Int64, run: Int, level: DataLevel, tag: String?) -> CatalogFile {
        let data = FileManager.default.contents(atPath: path) ?? Data()
        var sums = FileChecksums()
        sums.update(data)
        return CatalogFile(
            lfn: lfn, size: sums.size, adler32: sums.adler32, sha256: sums.sha256, events: events, run: ExpRun(exp: 8, run: run), level: level,
            dataTag: tag, replicas: [Replica(site: "KEKCC", path: path)])
    }

    func refused(_ fixture: RequestFixture, _ arguments: [String], saying text: String) async throws {
        let result = try await fixture.conveyor.run(arguments)
        #expect(result.exitCode != 0, "conveyor \(arguments.joined(separator: " ")) should fail")
        #expect(result.stderr.contains(text), "conveyor \(arguments.joined(separator: " ")): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
    }

    @Test(arguments: TestBackend.available)
    func aRunDependentSampleIsRequestedTestedProducedAndReproduced(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let fixture = try RequestFixture(directory: directory, database: CommandLineTests.url(location), runs: [1, 2, 3, 4])
            try await fixture.prepare()
            try await Self.prepare(fixture)
            try await fixture.ok(
                "mc", "campaign", "add", "MCT", "--release", "release-09-00-00", "--global-tags", "mc_base", "--program", "\(Self.simulator) mc",
                "--site", "KEKCC:local:\(directory.file("storage"))", "--exp", "1003")
            try await refused(
                fixture, ["mc", "campaign", "add", "MCT2", "--release", "r", "--global-tags", "nope", "--program", "x", "--site", "A:local"], saying: "nope")

            // Bad requests: each one line, nothing stored.
            let base = ["mc", "request", "MCT", "--group", "charm", "--event-type", "hadron"]
            try await refused(fixture, base + ["--events", "400", "--priority", "7"], saying: "a priority is 0 (trivial) to 4 (blocker), not 7")
            try await refused(fixture, base + ["--events", "400", "--runs", "8:50-60"], saying: "runs 8:50-60 hold no GOOD physics run")
            try await refused(fixture, base + ["--events", "0"], saying: "1 to")
            try await refused(fixture, ["mc", "request", "NOPE", "--group", "charm", "--event-type", "hadron", "--events", "5"], saying: "no MC campaign NOPE")
            let none = try await fixture.json("mc", "campaign", "show", "MCT")
            #expect((none["requests"] as? [Any])?.isEmpty == true)

            let filed = try await fixture.json(
                "mc", "request", "MCT", "--group", "charm", "--event-type", "hadron", "--events", "400", "--runs", "8:1-4", "--events-per-job", "100",
                "--priority", "critical", "--liaison", "yeqi")
            let id = String(filed["id"] as? Int ?? 0)
            #expect(filed["state"] as? String == "requested")
            try await refused(
                fixture, base + ["--events", "999", "--runs", "8:1-4"],
                saying: "MC request \(id) already asks for hadron BGX1 for runs 8:1-4 in MCT (it is requested): a duplicate")
            try await refused(fixture, ["mc", "submit", id], saying: "MC request \(id) is requested: only a ready request is submitted")
            try await refused(fixture, ["mc", "reject", id], saying: "rejecting an MC request needs a reason")
            try await fixture.ok("mc", "approve", id, "--reason", "charm plan")
            try await refused(fixture, ["mc", "submit", id], saying: "has not passed its test job yet")
            // Run 4 has no random-trigger files: no job of it could start.
            try await refused(
                fixture, ["mc", "test", id], saying: "1 GOOD run(s) have no hlt_random random-trigger files to overlay background from, e.g. 8:4")
            try await fixture.ok("runs", "flag", "8:4", "--set", "BAD", "--reason", "no random triggers")

            // An event type the program does not know is found by the test job; nothing is submitted.
            let unknown = try await fixture.json(
                "mc", "request", "MCT", "--group", "tau", "--event-type", "tau_pair", "--events", "50", "--background", "bgx0")
            let unknownID = String(unknown["id"] as? Int ?? 0)
            try await fixture.ok("mc", "approve", unknownID)
            try await refused(fixture, ["mc", "test", unknownID], saying: "event type tau_pair: the test job exited 1: Error: unknown event type 'tau_pair'")
            try await refused(fixture, ["mc", "submit", unknownID], saying: "has not passed its test job yet")
            #expect(try await fixture.json("mc", "show", unknownID)["request"].flatMap { ($0 as? [String: Any])?["state"] as? String } == "approved")

            let tested = try await fixture.ok("mc", "test", id)
            #expect(tested.contains("test job passed, 10 events of hadron"), "\(tested)")
            let planned = try await fixture.ok("mc", "plan", id)
            // 400 events by luminosity 11 : 12 : 13 → 122, 133, 145 (largest remainder); run 4 is BAD.
            #expect(planned.contains("400 events in 3 run(s), 6 job(s), 36.00 /pb of GOOD runs"), "\(planned)")
            for line in ["8:1     122  mc_base", "8:2     133  mc_base", "8:3     145  mc_late"] { #expect(planned.contains(line), "\(planned)") }
            let submitted = try await fixture.ok("mc", "submit", id)
            #expect(submitted.contains("submitted as request mc-\(id)"), "\(submitted)")
            try await fixture.schedule()

            let shown = try await fixture.json("mc", "show", id)
            let request = shown["request"] as? [String: Any] ?? [:]
            #expect(request["state"] as? String == "produced", "\(shown)")
            #expect(request["eventsDone"] as? Int == 400 && request["jobsDone"] as? Int == 6, "\(request)")
            let history = (shown["history"] as? [[String: Any]] ?? []).compactMap { $0["to"] as? String }
            #expect(history == ["requested", "approved", "ready", "submitted", "produced"], "\(history)")
            #expect((shown["lpn"] as? String)?.hasPrefix("/belle/MC/release-09-00-00/DB") == true, "\(shown)")

            // Each output: the run's own tags, its random-trigger file as parent, in Belle II's MC path.
            let jobs =
                try JSONSerialization.jsonObject(with: Data(try await fixture.ok("request", "jobs", "mc-\(id)", "--json").utf8)) as? [[String: Any]] ?? []
            #expect(jobs.count == 6)
            #expect(Set(jobs.compactMap { $0["seed"] as? Int }).count == 6, "every job its own seed")
            let outputs = try await fixture.catalogOutputs().filter { ($0["dataTag"] as? String) == "hadron" }
            #expect(outputs.count == 6)
            #expect(outputs.reduce(0) { $0 + ($1["events"] as? Int ?? 0) } == 400)
            for output in outputs {
                let lfn = output["lfn"] as? String ?? ""
                #expect(lfn.contains("/MCT/prod\(String(repeating: "0", count: 8 - id.count) + id)/s00/e0008/4S/r0000"), "\(lfn)")
                let run = (output["run"] as? [String: Any])?["run"] as? Int
                #expect((output["globalTags"] as? [String]) == [run == 3 ? "mc_late" : "mc_base"], "\(output)")
                #expect((output["parents"] as? [String])?.first?.hasSuffix("random.sroot") == true, "\(output)")
            }

            // Rerunning a job with its recorded seed reproduces its file.
            let job = jobs.first { ($0["run"] as? [String: Any])?["run"] as? Int == 3 } ?? [:]
            let output = outputs.first { ($0["lfn"] as? String) == (job["outputLFN"] as? String) } ?? [:]
            let conditions = directory.file("rerun-conditions")
            try FileManager.default.createDirectory(atPath: conditions, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: directory.file("mc_late.txt"), toPath: conditions + "/BeamSpot")
            let sim = CommandLineRunner(workingDirectory: directory.path, executable: Self.simulator)
            let rerun = try await sim.run(
                "mc", "--event-type", "hadron", "--events", String(job["plannedEvents"] as? Int ?? 0), "--seed", String(job["seed"] as? Int ?? 0),
                "--exp", "8", "--run", "3", "--background", "bgx1", "--conditions", conditions, "--output", "rerun.mdst", directory.file("data/r3.random.raw"))
            #expect(rerun.exitCode == 0, "\(rerun.stderr)")
            var sums = FileChecksums()
            sums.update(FileManager.default.contents(atPath: directory.file("rerun.mdst")) ?? Data())
            #expect(sums.adler32 == output["adler32"] as? String, "the rerun's file is the job's")

            try await fixture.ok("mc", "release", id)
            let table = try await fixture.ok("mc", "campaign", "show", "MCT")
            #expect(table.contains("2 request(s): 1 approved, 1 released"), "\(table)")
            try await refused(fixture, ["mc", "approve", id], saying: "cannot go from released to approved")
            // The campaign list counts by state in the database: the same figures as the table.
            let listed = try JSONSerialization.jsonObject(with: Data(try await fixture.ok("mc", "campaign", "list", "--json").utf8)) as? [[String: Any]] ?? []
            #expect(listed.count == 1 && listed[0]["requests"] as? Int == 2 && listed[0]["eventsDone"] as? Int == 400, "\(listed)")
            #expect(listed[0]["byState"] as? [String: Int] == ["approved": 1, "released": 1] && listed[0]["jobs"] as? Int == 6, "\(listed)")
            #expect(listed[0]["events"] as? Int == 450, "live requests' events: 400 + 50")
        }
    }
}
