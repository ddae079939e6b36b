import ConveyorTestSupport
import Foundation
import Testing

/// `conveyor demo` at small size: the whole prompt chain of the simulated experiment.
@Suite("The demo")
struct DemoTests {
    @Test func theDemoRunsAPromptBucketEndToEndAndKnowsWhenItIsDone() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let conveyor = CommandLineRunner(workingDirectory: directory.path)
        // 3,000 events a run: too few bhabha clusters per channel for one run, so the gain calibration merges runs.
        let demo = try await conveyor.run("demo", "--runs", "4", "--events", "3000", "--dir", "d")
        #expect(demo.exitCode == 0, "\(demo.stderr)")
        let out = demo.stdout
        // Run 3's drift-chamber trip is in its raw data: the express histograms fail, monitoring proposes, the shifter confirms.
        #expect(out.contains("[demo] Monitoring proposes run 8:3 CDC BAD: cdc/hit_map: KS probability"), "\(out)")
        #expect(!out.contains("Monitoring proposes run 8:1") && !out.contains("Monitoring proposes run 8:2") && !out.contains("Monitoring proposes run 8:4"))
        #expect(out.contains("[demo] Certified run quality as demo-shifter: 3 GOOD, 1 BAD: runs 3 (CDC)."), "\(out)")
        #expect(out.contains("[demo] Bucket demo-bucket: 3 GOOD runs, 4.5 /pb"))
        #expect(out.contains("[demo] demo-ecl-expert (expert) approves signoff:ecl_gains: 6 algorithm run(s) (2 iterate, 2 not_enough_data merges)"))
        #expect(out.contains("[demo] demo-manager (manager) approves manager-signoff"))
        #expect(out.contains("files: mdst-all-events mdst all: 3 files, 9000 events, 4.50 /pb"))
        #expect(out.contains("files: physics-skims udst hadron: 3 files"))
        // An HLT skim carries its runs' luminosity, not a share scaled by the events it kept.
        #expect(
            out.contains("mdst hlt_hadron: 3 files") && out.contains("hlt_hadron") && lineOf(out, "mdst hlt_hadron")?.hasSuffix("4.50 /pb") == true, "\(out)")
        // The stripping round: two selections fail their automatic tests, the rest are written in streams.
        #expect(out.contains("tight_vertex unsubscribed by its automatic test") && out.contains("retention"), "\(out)")
        #expect(out.contains("vertex_scan unsubscribed by its automatic test") && out.contains("crashed on the sample"), "\(out)")
        #expect(out.contains("round demo-strip: 5 of 7 selections ran in "), "\(out)")
        #expect(lineOf(out, "round demo-strip jpsi_hadron:")?.hasSuffix("4.50 /pb") == true, "\(out)")
        #expect(lineOf(out, "round demo-strip bhabha_lumi:")?.hasSuffix("0.450 /pb (prescale 10)") == true, "\(out)")
        // Run-dependent MC of the bucket: the GOOD runs only, each with its tags and random-trigger background.
        #expect(out.contains("[demo] Background overlay: 3 random-trigger files, one per GOOD run"), "\(out)")
        #expect(out.contains("[demo] MC request 1 submitted as mc-1: 6 jobs over 3 GOOD runs; background events reused"), "\(out)")
        #expect(
            out.contains("MC MC-demo request 1 (hadron BGX1, runs 8:1-4): released, 3000 events in 6 jobs over 3 GOOD runs with tags demo_prompt,demo_online"),
            "\(out)")
        #expect(out.contains("look at it all: conveyor serve --db"))
        #expect(out.contains("turnaround: ") && out.contains("people ") && out.contains("signoff:ecl_gains") && out.contains("by demo-ecl-expert"), "\(out)")

        #expect(out.contains("monitoring: physics/mass_peak of the bucket's runs, express (before) mean 3.2"), "\(out)")
        // Calibrated constants: the mass peak is narrower and unbiased.
        let before = try #require(Self.figures(out, "mass peak before")), after = try #require(Self.figures(out, "mass peak after"))
        #expect(after.width < before.width * 0.7, "before \(before), after \(after)")
        #expect(abs(after.mean - 3.097) < 0.02 && abs(before.mean - 3.097) > 0.05, "before \(before), after \(after)")

        // The catalog and the prompt tag hold what the summary says.
        let db = directory.file("d/conveyor.sqlite")
        let mdst = try await conveyor.run("files", "list", "--db", db, "--exp", "8", "--level", "mdst", "--json")
        let listed = try JSONSerialization.jsonObject(with: Data(mdst.stdout.utf8)) as? [String: Any]
        let all = listed?["files"] as? [[String: Any]] ?? []
        let files = all.filter { ($0["lfn"] as? String)?.hasPrefix("/demo/MC/") == false }
        #expect(files.count == 12, "3 runs × (all events + 3 HLT skims)")
        #expect(all.count - files.count == 6, "the MC sample's 6 files")
        #expect(files.allSatisfy { ($0["release"] as? String) == "sim-release-01" && ($0["globalTags"] as? [String]) == ["demo_prompt", "demo_online"] })
        // The confirmed proposal is an ordinary quality event; the prompt monitoring came home with the quality jobs.
        let proposals = try await conveyor.run("qm", "proposals", "--state", "all", "--db", db)
        #expect(proposals.stdout.contains("run 8:3 CDC BAD (express) confirmed by demo-shifter"), "\(proposals.stdout)")
        let history = try await conveyor.run("runs", "history", "8:3", "--db", db)
        #expect(history.stdout.contains("proposed by monitoring (express: cdc/hit_map"), "\(history.stdout)")
        let prompt = try await conveyor.run("qm", "show", "8:2", "--db", db, "--json")
        let shown = try JSONSerialization.jsonObject(with: Data(prompt.stdout.utf8)) as? [String: Any]
        #expect(shown?["processings"] as? [String] == ["express", "prompt"], "\(prompt.stdout)")
        let resolved = try await conveyor.run("payload", "resolve", "--db", db, "--gt", "demo_prompt", "--run", "8:4")
        #expect(resolved.stdout.contains("ECLGains") && resolved.stdout.contains("demo_prompt"), "\(resolved.stdout)\(resolved.stderr)")

        let again = try await conveyor.run("demo", "--runs", "4", "--events", "3000", "--dir", "d")
        #expect(again.exitCode == 0)
        #expect(again.stdout.hasPrefix("[demo] The bucket in \(directory.file("d")) is already processed"), "\(again.stdout)")

        // The simulated experiment's files carry a checksum: a changed byte is refused.
        let raw = directory.file("d/data/raw/e0008/r00001.raw")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: raw))
        bytes[100] ^= 0xff
        try bytes.write(to: URL(fileURLWithPath: directory.file("broken.raw")))
        let sim = CommandLineRunner(
            workingDirectory: directory.path,
            executable: (CommandLineRunner.builtExecutable as NSString).deletingLastPathComponent + "/conveyor-sim")
        let refused = try await sim.run("masses", "broken.raw")
        #expect(refused.exitCode != 0)
        #expect(refused.stderr.contains("broken.raw: checksum mismatch"), "\(refused.stderr)")
    }

    /// `mean M, width W` from a summary line.
    static func figures(_ text: String, _ label: String) -> (mean: Double, width: Double)? {
        guard let line = text.split(separator: "\n").first(where: { $0.contains(label) }) else { return nil }
        let words = line.replacingOccurrences(of: ",", with: " ").split(separator: " ")
        guard let m = words.firstIndex(of: "mean"), let w = words.firstIndex(of: "width"),
            let mean = Double(words[m + 1]), let width = Double(words[w + 1])
        else { return nil }
        return (mean, width)
    }
}

/// `conveyor demo --live` at small size: runs arrive, express, calibrations and PromptReco per run.
@Suite("The live demo")
struct LiveDemoTests {
    @Test func theLiveDemoTakesRunsFromArrivalToCertified() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let conveyor = CommandLineRunner(workingDirectory: directory.path)
        let demo = try await conveyor.run("demo", "--live", "--runs", "4", "--dir", "live")
        #expect(demo.exitCode == 0, "\(demo.stderr)")
        let out = demo.stdout
        #expect(out.contains("abandons run 8:3's PromptReco and flags it BAD"), "\(out)")
        #expect(out.contains("run 8:4 physics: closed — no end record 8 s after its last file") || out.contains("8:4  closed by timeout"), "\(out)")
        let rows = out.split(separator: "\n").filter { $0.hasPrefix("8:") }
        #expect(rows.count == 4, "\(out)")
        for run in [1, 2, 4] { #expect(rows.contains { $0.hasPrefix("8:\(run) ") && $0.contains("certified") }, "run \(run): \(out)") }
        #expect(rows.contains { $0.hasPrefix("8:3 ") && $0.contains("abandoned") }, "\(out)")
        // Each certified run has its own beam-spot payload in the pcl tag, in run order.
        let db = directory.file("live/conveyor.sqlite")
        let iovs = try await conveyor.run("iov", "list", "demo_pcl", "--name", "BeamSpot", "--db", db)
        for run in [1, 2, 4] { #expect(iovs.stdout.contains(" 8,\(run),"), "\(iovs.stdout)") }
        // Seed 002's figure: from data taken to calibrated, released and certified, per run.
        let turnaround = try await conveyor.run("report", "turnaround", "--runs", "--db", db)
        #expect(turnaround.stdout.contains("median from data taken to calibrated"), "\(turnaround.stdout)\(turnaround.stderr)")
        let certified = turnaround.stdout.split(separator: "\n").filter { $0.hasPrefix("8:") && !$0.contains("  -  ") }
        #expect(certified.count >= 3, "runs 1, 2 and 4 have every span: \(turnaround.stdout)")
        let again = try await conveyor.run("demo", "--live", "--runs", "4", "--dir", "live")
        #expect(again.exitCode == 0 && again.stdout.hasPrefix("[demo] Live data taking already ran"), "\(again.stdout)")
    }
}

@Suite("The demo on Slurm", .enabled(if: SlurmCluster.enabled))
struct SlurmDemoTests {
    @Test func theDemoRunsThroughSlurm() async throws {
        try SlurmCluster.require()
        try await SlurmCluster.shared {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let conveyor = CommandLineRunner(workingDirectory: directory.path, environment: ["SLURM_CONF": SlurmCluster.configuration!])
            let demo = try await conveyor.run("demo", "--runs", "2", "--events", "3000", "--dir", "d", "--executor", "slurm")
            #expect(demo.exitCode == 0, "\(demo.stderr)")
            #expect(demo.stdout.contains("on pool demo (slurm"), "\(demo.stdout)")
            #expect(demo.stdout.contains("files: mdst-all-events mdst all: 2 files, 6000 events"), "\(demo.stdout)")
            let pools = try await conveyor.run("pool", "list", "--db", directory.file("d/conveyor.sqlite"))
            #expect(pools.stdout.contains("slurm"))
        }
    }
}

/// The first line of `text` that contains `part`.
private func lineOf(_ text: String, _ part: String) -> String? {
    text.split(separator: "\n").first { $0.contains(part) }.map(String.init)
}
