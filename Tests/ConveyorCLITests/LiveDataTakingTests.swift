import ConveyorCore
import ConveyorTestSupport
import Foundation
import Testing

/// Live data taking through the command line on a simulated clock: runs arrive through `daq`,
/// express runs per batch of arriving files, the prompt calibration loop appends a payload per run
/// to a pcl tag, a run whose calibrations are done is released early, a run without an end record
/// is closed after its timeout, a shifter postpones and lets a run go on, PromptReco runs per
/// released run, and a shifter's flag certifies it.
@Suite("Live data taking", .serialized)
struct LiveDataTakingTests {
    /// The clock starts ten days from now, so the scheduler's own cycles (on the real clock) never find a run due.
    static let start = Timestamp.now.adding(seconds: 10 * 86_400)
    static func at(_ hours: Double) -> String { start.adding(seconds: hours * 3_600).iso8601 }

    /// Tags (`online`, and `prompt_pcl` synchronised pcl), a local pool; returns the configuration's text.
    static func prepare(_ fixture: RequestFixture, _ directory: TemporaryDirectory) async throws -> String {
        let bin = directory.file("bin")
        try "base".write(toFile: directory.file("base.txt"), atomically: true, encoding: .utf8)
        for (tag, payload) in [("online", "BeamSpot"), ("prompt_pcl", "beamConstants")] {
            try await fixture.ok("gt", "create", tag, "--type", "DATA")
            try await fixture.ok("payload", "upload", payload, "base.txt", "--gt", tag, "--iov", "0,0,-1,-1")
            try await fixture.ok("gt", "set-state", tag, "RUNNING")
        }
        try await fixture.ok("gt", "sync", "prompt_pcl", "pcl")
        try await fixture.ok("pool", "add", "local", "--executor", "local", "--slots", "4")
        return """
            global:
              release: release-08-01-00
              express_tags: [online]
              prompt_tags: [prompt_pcl, online]
              site: {name: KEKCC, pool: local}
              output_base: /belle/Data
              commands: {reconstruction: \(bin)/reco, quality: \(bin)/quality}
              prompt: {delay: 48h, lock_offset: 30m, close_after: 4h, minimum_delay: 2h}
            streams:
              - name: physics
                express: {selection: [hlt_bhabha], outputs: [cdst]}
                calibrations:
                  - {name: beam, command: \(bin)/calib, tag: prompt_pcl, input: express, data_tags: [hlt_bhabha]}
                prompt_reco: {outputs: [mdst]}

            """
    }

    /// A run's start at `hours`, its raw files (RequestFixture.filesPerRun, on disk at KEKCC) and, unless `endless`, its end an hour later.
    static func take(_ run: Int, at hours: Double, endless: Bool = false, _ fixture: RequestFixture, _ directory: TemporaryDirectory) async throws {
        try FileManager.default.createDirectory(atPath: directory.file("raw"), withIntermediateDirectories: true)
        try await fixture.ok("daq", "start", "8:\(run)", "--at", Self.at(hours))
        var files: [CatalogFile] = []
        for (tag, count) in RequestFixture.filesPerRun {
            for index in 0..<count {
                let lfn = RequestFixture.rawLFN(run: run, tag: tag, index: index)
                let path = directory.file("raw/\((lfn as NSString).lastPathComponent)")
                let data = Data((0..<5).map { "event r\(run) \(tag ?? "all") f\(index) e\($0)\n" }.joined().utf8)
                try data.write(to: URL(fileURLWithPath: path))
                var sums = FileChecksums()
                sums.update(data)
                files.append(
                    CatalogFile(
                        lfn: lfn, size: sums.size, adler32: sums.adler32, sha256: sums.sha256, events: 5, run: ExpRun(exp: 8, run: run),
                        level: .raw, dataTag: tag, replicas: [Replica(site: "KEKCC", path: path)]))
            }
        }
        try JSONEncoder().encode(files).write(to: URL(fileURLWithPath: directory.file("raw\(run).json")))
        try await fixture.ok("daq", "files", "raw\(run).json")
        if !endless { try await fixture.ok("daq", "end", "8:\(run)", "--at", Self.at(hours + 1), "--events", "25") }
    }

    @Test(arguments: TestBackend.available)
    func runsGoFromArrivalToCertifiedOnASimulatedClock(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let fixture = try RequestFixture(directory: directory, database: CommandLineTests.url(location), runs: [])
            let configuration = try await Self.prepare(fixture, directory)
            try configuration.write(toFile: directory.file("live.yaml"), atomically: true, encoding: .utf8)

            // Bad configurations are refused with their key path, and nothing is put in force.
            let unknownStream = configuration + "runs:\n  - {runs: \"8:1-2\", streams: [cosmics]}\n"
            try unknownStream.write(toFile: directory.file("bad.yaml"), atomically: true, encoding: .utf8)
            let refused = try await fixture.conveyor.run("live", "configure", "bad.yaml")
            #expect(
                refused.exitCode == 1 && refused.stderr.contains("runs[0].streams[0]") && refused.stderr.contains("unknown stream 'cosmics'"),
                "\(refused.stderr)")
            #expect(try await fixture.conveyor.run("live", "config").exitCode == 1)
            try configuration.replacingOccurrences(of: "tag: prompt_pcl", with: "tag: online").write(
                toFile: directory.file("unsynced.yaml"), atomically: true, encoding: .utf8)
            let unsynced = try await fixture.conveyor.run("live", "configure", "unsynced.yaml")
            #expect(unsynced.exitCode == 1 && unsynced.stderr.contains("give it pcl"), "\(unsynced.stderr)")
            try await fixture.ok("live", "configure", "live.yaml", "--from", "8:1")

            // Runs 1 and 3 end; run 2 never gets its end record.
            for run in 1...3 { try await Self.take(run, at: Double(run - 1) * 2, endless: run == 2, fixture, directory) }

            // Express starts with the files, before any run is closed for the handshake.
            var cycle = try await fixture.ok("live", "cycle", "--at", Self.at(0.5))
            #expect(cycle.contains("3 started, 3 express request(s)"), "\(cycle)")
            try await fixture.schedule()
            cycle = try await fixture.ok("live", "cycle", "--at", Self.at(5.1))
            var shown = try await fixture.ok("live", "show", "8:1")
            #expect(shown.contains("express of 2 file(s) in 1 request(s) registered"), "\(shown)")
            // The scheduler's own cycles may have appended it and ended before they could say from where.
            #expect(shown.contains("beam: uploaded  appended to prompt_pcl: "), "\(shown)")
            #expect(try await fixture.ok("iov", "list", "prompt_pcl", "--name", "beamConstants").contains(" 8,1,"))
            #expect(try await fixture.ok("live", "show", "8:2").contains("stream physics: open"), "no end record yet")

            // Run 3's payload waits for run 2's: uploads go in run order.
            shown = try await fixture.ok("live", "show", "8:3")
            #expect(shown.contains("uploads go in run order, so it waits for run 8:2"), "\(shown)")

            // Run 2 is closed 4 h after its last sign of life; run 1 (calibrated, 2 h after its end) is locked and released early.
            try await fixture.ok("prompt", "postpone", "8:3", "--reason", "noisy CDC layer")
            cycle = try await fixture.ok("live", "cycle", "--at", Self.at(6.2))
            #expect(cycle.contains("closed 8:2: no end record 4 h after its last file"), "\(cycle)")
            let first = try await fixture.ok("prompt", "show", "8:1")
            #expect(first.contains("released  early: every calibration done, 2 h after its end"), "\(first)")
            try await fixture.schedule()
            cycle = try await fixture.ok("live", "cycle", "--at", Self.at(6.3))
            try await fixture.schedule()
            cycle = try await fixture.ok("live", "cycle", "--at", Self.at(6.4))
            try await fixture.schedule()
            try await fixture.ok("live", "cycle", "--at", Self.at(6.5))
            var status = try await fixture.json("live", "status")
            var stages = Dictionary(
                uniqueKeysWithValues: (status["streams"] as? [[String: Any]] ?? []).map {
                    (($0["run"] as? [String: Any])?["run"] as? Int ?? 0, $0["stage"] as? String ?? "")
                })
            #expect(stages[1] == "prompt_done" && ["released", "prompt_done"].contains(stages[2] ?? ""), "\(stages)")
            #expect(stages[3] == "postponed", "\(stages)")

            // A shifter lets run 3 go on and certifies the runs; PromptReco of run 3 runs, and every stream ends certified.
            try await fixture.ok("prompt", "go-on", "8:3", "--reason", "layer masked")
            for _ in 0..<3 {
                try await fixture.ok("live", "cycle", "--at", Self.at(7))
                try await fixture.schedule()
            }
            for run in 1...3 { try await fixture.ok("runs", "flag", "8:\(run)", "--set", "GOOD", "--reason", "certified from PromptReco") }
            try await fixture.ok("live", "cycle", "--at", Self.at(7.1))
            status = try await fixture.json("live", "status")
            stages = Dictionary(
                uniqueKeysWithValues: (status["streams"] as? [[String: Any]] ?? []).map {
                    (($0["run"] as? [String: Any])?["run"] as? Int ?? 0, $0["stage"] as? String ?? "")
                })
            let table = try await fixture.ok("live", "status")
            #expect(stages == [1: "certified", 2: "certified", 3: "certified"], "\(table)")
            shown = try await fixture.ok("live", "show", "8:3")
            #expect(shown.contains("postponed by a shifter: noisy CDC layer") && shown.contains("normal  layer masked"), "\(shown)")

            // Each express and PromptReco output was made once; each run has its own payload in the pcl tag.
            let log = fixture.recoLog()
            #expect(Set(log).count == log.count && log.count == 3 * 2 + 3 * 5, "\(log)")
            let iovs = try await fixture.ok("iov", "list", "prompt_pcl", "--name", "beamConstants")
            for run in 1...3 { #expect(iovs.contains("8,\(run),"), "\(iovs)") }
            #expect(try await fixture.ok("request", "list").contains("prompt.e8.r3.physics"))
        }
    }

    /// The scheduler (which runs the feeder and the handshake beside it) killed with SIGKILL at
    /// random moments while runs arrive and are processed: in the end every run is certified, every
    /// express and PromptReco output was made once, and every run has its payload.
    @Test(arguments: TestBackend.available)
    func aSchedulerKilledAtRandomMomentsProcessesNothingTwiceAndSkipsNoRun(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let fixture = try RequestFixture(directory: directory, database: CommandLineTests.url(location), runs: [], recoSleep: 0.3)
            try (try await Self.prepare(fixture, directory)).write(toFile: directory.file("live.yaml"), atomically: true, encoding: .utf8)
            try await fixture.ok("live", "configure", "live.yaml", "--from", "8:1")
            var generator = SystemRandomNumberGenerator()
            var kills = 0
            for step in 0..<12 {
                // A run arrives every other step; the simulated clock moves on 1.5 h a step.
                if step % 2 == 0, step / 2 < 4 { try await Self.take(step / 2 + 1, at: Double(step) * 1.5, fixture, directory) }
                try await fixture.ok("live", "cycle", "--at", Self.at(Double(step) * 1.5 + 0.1))
                let killed = try await fixture.conveyor.runKilled(["scheduler"], after: .milliseconds(Int.random(in: 300...2_500, using: &generator)))
                if !killed.endedOnItsOwn { kills += 1 }
            }
            #expect(kills >= 8, "the scheduler was killed \(kills) times")
            for round in 0..<6 {
                try await fixture.ok("live", "cycle", "--at", Self.at(20 + Double(round)))
                try await fixture.schedule()
            }
            for run in 1...4 { try await fixture.ok("runs", "flag", "8:\(run)", "--set", "GOOD", "--reason", "certified") }
            try await fixture.ok("live", "cycle", "--at", Self.at(30))
            let status = try await fixture.json("live", "status")
            let stages = (status["streams"] as? [[String: Any]] ?? []).map { $0["stage"] as? String ?? "" }
            let table = try await fixture.ok("live", "status")
            #expect(stages == Array(repeating: "certified", count: 4), "\(table)")
            let log = fixture.recoLog()
            #expect(Set(log).count == log.count, "an output made twice: \(log.sorted())")
            let expected = 28  // express: 2 bhabha files a run; PromptReco: 5 raw files a run
            #expect(log.count == expected, "\(log.sorted())")
            let iovs = try await fixture.ok("iov", "list", "prompt_pcl", "--name", "beamConstants")
            for run in 1...4 { #expect(iovs.contains(" 8,\(run),"), "\(iovs)") }
        }
    }

    /// Days on a simulated clock with no scheduler, so express never finishes: a producer reading
    /// express harvests what there is after its 12 h timeout; one that keeps failing is retried and
    /// gives up 18 h after the run's end; the handshake locks and releases the run 48 h after its end
    /// anyway; a stream's switch holds its PromptReco until it is resumed.
    @Test(arguments: TestBackend.available)
    func timeoutsBoundWhatARunWaitsForAndAStreamSwitchHoldsPromptReco(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let fixture = try RequestFixture(directory: directory, database: CommandLineTests.url(location), runs: [])
            let bin = directory.file("bin")
            let configuration = try await Self.prepare(fixture, directory).replacingOccurrences(
                of: "input: express, data_tags: [hlt_bhabha]}",
                with: "input: express, data_tags: [hlt_bhabha]}\n      - {name: broken, command: \(bin)/calib fail, tag: prompt_pcl, input: raw}"
            ).replacingOccurrences(of: "prompt: {delay: 48h, lock_offset: 30m, close_after: 4h, minimum_delay: 2h}", with: "prompt: {delay: 48h}")
            try configuration.write(toFile: directory.file("live.yaml"), atomically: true, encoding: .utf8)
            try await fixture.ok("live", "configure", "live.yaml", "--from", "8:1")
            try await Self.take(1, at: 0, fixture, directory)

            try await fixture.ok("live", "cycle", "--at", Self.at(1.1))
            try await fixture.ok("live", "cycle", "--at", Self.at(1.2))
            var shown = try await fixture.ok("live", "show", "8:1")
            #expect(shown.contains("broken: waiting  try 2 failed, tried again later"), "\(shown)")
            #expect(shown.contains("beam: waiting"), "express is not done: \(shown)")
            try await fixture.ok("live", "cycle", "--at", Self.at(13.1))
            shown = try await fixture.ok("live", "show", "8:1")
            #expect(shown.contains("beam: no_data  partial harvest after the 43200 s timeout"), "\(shown)")
            try await fixture.ok("live", "cycle", "--at", Self.at(19.1))
            shown = try await fixture.ok("live", "show", "8:1")
            #expect(shown.contains("broken: gave_up  upload timeout (64800 s after the run's end) passed"), "\(shown)")
            #expect(shown.contains("stream physics: closed"), "express still open: \(shown)")

            try await fixture.ok("prompt", "stop", "--stream", "physics", "--reason", "new alignment coming")
            let cycle = try await fixture.ok("live", "cycle", "--at", Self.at(49.1))
            #expect(cycle.contains("locked 8:1") && cycle.contains("released 8:1"), "\(cycle)")
            shown = try await fixture.ok("live", "show", "8:1")
            #expect(shown.contains("PromptReco released at") && shown.contains("before its express and calibrations finished"), "\(shown)")
            #expect(shown.contains("held: stopped for stream physics by local:"), "\(shown)")
            #expect(try await fixture.conveyor.run("request", "show", "prompt.e8.r1.physics").exitCode != 0, "no PromptReco while the stream is stopped")
            try await fixture.ok("prompt", "resume", "--stream", "physics", "--reason", "alignment in")
            try await fixture.ok("live", "cycle", "--at", Self.at(49.2))
            #expect(try await fixture.ok("live", "show", "8:1").contains("prompt.e8.r1.physics submitted"))
            let bad = try await fixture.conveyor.run("prompt", "stop", "--stream", "no such!", "--reason", "x")
            #expect(bad.exitCode == 1 && bad.stderr.contains("a switch's scope"), "\(bad.stderr)")
        }
    }
}
