import ConveyorCore
import ConveyorJob
import ConveyorTestSupport
import Foundation
import Testing

/// Data management inside a request, through the command line, on the embedded engine and on a
/// real Rucio: inputs on tape are recalled by a staging rule (nobody runs `files replica`), the
/// mDST is replicated to a second site by the request's output rule, and the request is done
/// only once that rule is OK; `request show` says how long the work waited on its data.
@Suite("Requests with data management")
struct RequestDataManagementTests {
    static let engines = RucioServer.wanted ? ["embedded", "rucio"] : ["embedded"]

    @Test(arguments: engines)
    func tapeInputsAreStagedByARuleAndOutputsPlacedAtASecondSite(engine: String) async throws {
        if engine == "rucio" { try await RucioServer.exclusively { try await Self.scenario(engine: engine) } } else { try await Self.scenario(engine: engine) }
    }

    static func scenario(engine: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let onRucio = engine == "rucio"
        // On Rucio, sites and RSEs are global in its one server: a tag of this test's, and `suite=TAG` on each endpoint.
        let tag = onRucio ? RucioServer.freshTag() : ""
        let (kek, bnl) = ("KEKCC\(tag)", "BNL\(tag)")
        let fixture = try RequestFixture(
            directory: directory, database: directory.file("c.sqlite"), runs: [1], site: kek, environment: onRucio ? RucioServer.conveyorEnvironment : [:])
        let onTape = RequestFixture.rawLFN(run: 1, tag: nil, index: 0)
        try await fixture.prepare(onTape: [onTape])
        let suite = onRucio ? ["--attr", "suite=\(tag)"] : []
        try await fixture.ok(
            ["site", "add", "\(kek)_TAPE", "--site", kek, "--kind", "tape", "--prefix", directory.file("tape"), "--recall", "test -f {path}"] + suite)
        try await fixture.ok(["site", "add", "\(kek)_DISK", "--site", kek, "--prefix", directory.file("storage"), "--attr", "country=JP"] + suite)
        try await fixture.ok(
            ["site", "add", "\(bnl)_DISK", "--site", bnl, "--prefix", directory.file("bnl"), "--attr", "country=US", "--quota", "1GB"]
                + ["--owner-quota", "conveyor-requests=500MB"] + suite)
        if onRucio {
            // Rucio reads a copy where its RSE's prefix and the LFN put it (Belle II's naming): the tape's copy is put there.
            let atTape = directory.file("tape") + onTape
            try FileManager.default.createDirectory(atPath: (atTape as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: fixture.rawPath(onTape), toPath: atTape)
        }
        // Bad input first: a tape endpoint without a recall command, an unknown kind.
        let noRecall = try await fixture.conveyor.run("site", "add", "T", "--site", "X", "--kind", "tape", "--prefix", "/t")
        #expect(noRecall.exitCode != 0 && noRecall.stderr.contains("needs a recall command"), "\(noRecall.stderr)")
        let badOwner = try await fixture.conveyor.run("site", "add", "X_DISK", "--site", "X", "--prefix", "/x", "--owner-quota", "alice")
        #expect(badOwner.exitCode != 0 && badOwner.stderr.contains("--owner-quota takes OWNER=SIZE"), "\(badOwner.stderr)")
        let name = onRucio ? "u\(tag.lowercased())" : "u1"
        try fixture.writeRequest(
            name: name, campaign: "unofficial", calibrations: [], outputs: "[mdst]", skims: "[]",
            extra: "output_rules:\n  - {level: mdst, rse: '\(onRucio ? "country=US&suite=\(tag)" : "country=US")', lifetime: 30d}\n")
        let submitted = try await fixture.ok("request", "submit", "request.yaml")
        #expect(submitted.contains("1 input file(s) are not on disk at their site"), "\(submitted)")
        let rules = try await fixture.ok("rule", "list")
        let audit = try await fixture.ok("audit")
        if onRucio { #expect(!audit.contains("Rucio rule"), "recorded in the submission; made in Rucio by the scheduler's first cycle") }
        #expect(rules.contains("dataset:\(name).stage.\(kek)") && rules.contains("dataset:\(name).mdst"), "\(rules)")

        // On Rucio its daemons run beside the scheduler, as they do at a site, until the request ends.
        let daemons = Task {
            guard onRucio else { return }
            while !Task.isCancelled { try await RucioServer.runDaemons() }
        }
        defer { daemons.cancel() }
        let ended = try await fixture.conveyor.runKilled(["scheduler", "--until-idle"], after: .seconds(onRucio ? 300 : 120))
        daemons.cancel()
        if !ended.endedOnItsOwn {
            Issue.record(
                "the request did not end within its time: rules\n\(try await fixture.ok("rule", "list"))\naudit\n\(try await fixture.ok("audit"))")
        }
        let states = try await fixture.stepStates(name)
        if onRucio {
            let made = try await fixture.ok("audit")
            #expect(made.contains("rule.place") && made.contains("Rucio rule"), "the engine was Rucio's: \(made)")
        }
        #expect(states["mdst-all-events"] == "succeeded" && states["outputs-placed"] == "succeeded", "\(states)")
        let shown = try await fixture.ok("request", "show", name)
        #expect(shown.contains("waited on data management: staging "), "\(shown)")
        // The mDST is at BNL, verified, and the staging pin ended with the request.
        let usage = try await fixture.ok("dm", "usage", "--by", "level")
        #expect(usage.contains(bnl) && usage.contains("mdst"), "\(usage)")
        let afterwards = try await fixture.ok("rule", "list")
        #expect(!afterwards.contains("\(name).stage.\(kek)"), "the staging rule ended with the request: \(afterwards)")
        #expect(afterwards.contains("dataset:\(name).mdst") && afterwards.contains(" OK "), "\(afterwards)")
        #expect(try await fixture.ok("site", "show", "\(bnl)_DISK").contains("owner conveyor-requests: holds 850 B of a quota of"))
        let dataset = try await fixture.ok("dataset", "show", "\(name).mdst")
        #expect(dataset.contains("\(bnl)_DISK: 5 of 5 files"), "\(dataset)")
        // Each copy at BNL is a file where the catalog says, with the bytes the job wrote.
        let listed = try await fixture.json("files", "list", "--level", "mdst", "--site", bnl)["files"] as? [[String: Any]] ?? []
        #expect(listed.count == 5)
        for file in listed {
            let replicas = file["replicas"] as? [[String: Any]] ?? []
            let path = try #require(replicas.first { $0["site"] as? String == bnl }?["path"] as? String)
            #expect(try FileChecksums(ofFileAt: path).adler32 == file["adler32"] as? String, "\(path)")
        }

        // Cleanup: a dry run lists the output rule and the bytes at BNL; then it is done.
        let dry = try await fixture.ok("dm", "cleanup", "--campaign", "unofficial", "--older-than", "1s", "--dry-run")
        #expect(dry.contains("would end") && dry.contains(bnl), "\(dry)")
        #expect(try await fixture.ok("rule", "list").contains("\(name).mdst"), "a dry run ends nothing")
        let done = try await fixture.ok("dm", "cleanup", "--campaign", "unofficial", "--older-than", "1s")
        #expect(done.contains("1 rule(s) ended"), "\(done)")
        let bad = try await fixture.conveyor.run("dm", "cleanup", "--campaign", "unofficial", "--older-than", "soon")
        #expect(bad.exitCode != 0 && bad.stderr.contains("not a duration"), "\(bad.stderr)")
    }

    /// Seed 000's lesson: jobs were made where the data happened to be. Here every raw file is on
    /// tape at KEKCC, and a disk copy of the all-events files appears at BNL while KEKCC's tape
    /// is still recalling: those jobs, with the skims and the quality report that read their
    /// output, run at BNL; the rest wait for KEKCC's recall and run there.
    @Test func aJobWaitingForStagingMovesToTheSiteWhereItsInputIsOnDiskFirst() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fixture = try RequestFixture(directory: directory, database: directory.file("c.sqlite"), runs: [1])
        let raw = RequestFixture.filesPerRun.flatMap { entry in (0..<entry.count).map { RequestFixture.rawLFN(run: 1, tag: entry.tag, index: $0) } }
        try await fixture.prepare(onTape: Set(raw))
        // A slow tape: the recall takes 12 s, so the copy at BNL comes first.
        try await fixture.ok(
            ["site", "add", "KEKCC_TAPE", "--site", "KEKCC", "--kind", "tape", "--prefix", directory.file("tape"), "--recall", "sleep 12; test -f {path}"])
        try await fixture.ok(["site", "add", "KEKCC_DISK", "--site", "KEKCC", "--prefix", directory.file("storage")])
        try await fixture.ok(["site", "add", "BNL_DISK", "--site", "BNL", "--prefix", directory.file("bnl")])
        try fixture.writeRequest(
            name: "u2", campaign: "unofficial", calibrations: [], outputs: "[mdst]", skims: "[hadron]",
            sites: "[{name: KEKCC, pool: local, storage: \(directory.file("storage"))}, {name: BNL, pool: local, storage: \(directory.file("bnl"))}]")
        let submitted = try await fixture.ok("request", "submit", "request.yaml")
        #expect(submitted.contains("5 input file(s) are not on disk at their site"), "\(submitted)")

        // After submission, someone's transfer puts the all-events files on disk at BNL.
        let allEvents = raw.filter { $0.contains("raw_all_") }
        for lfn in allEvents {
            let path = directory.file("bnl") + lfn
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: fixture.rawPath(lfn), toPath: path)
            try await fixture.ok("files", "replica", lfn, "--site", "BNL", "--path", path)
        }
        let ended = try await fixture.conveyor.runKilled(["scheduler", "--until-idle"], after: .seconds(150))
        if !ended.endedOnItsOwn { Issue.record("the request did not end: \(try await fixture.ok("wf", "events", "1"))") }
        let states = try await fixture.stepStates("u2")
        #expect(states["mdst-all-events"] == "succeeded" && states["physics-skims"] == "succeeded" && states["quality-report"] == "succeeded", "\(states)")

        // The all-events mDST and its skims were written at BNL; the HLT-skim mDST at KEKCC after the recall.
        let atBNL = try await fixture.json("files", "list", "--level", "mdst", "--site", "BNL")["files"] as? [[String: Any]] ?? []
        #expect(atBNL.count == 2 && atBNL.allSatisfy { ($0["lfn"] as? String)?.contains("/all/") == true }, "\(atBNL)")
        let atKEK = try await fixture.json("files", "list", "--level", "mdst", "--site", "KEKCC")["files"] as? [[String: Any]] ?? []
        #expect(atKEK.count == 3 && atKEK.allSatisfy { ($0["lfn"] as? String)?.contains("/all/") == false }, "\(atKEK)")
        let skims = try await fixture.json("files", "list", "--level", "udst", "--site", "BNL")["files"] as? [[String: Any]] ?? []
        #expect(skims.count == 2, "the skims of the moved mDST ran at BNL: \(skims)")
        for file in atBNL {
            let path = try #require((file["replicas"] as? [[String: Any]])?.first?["path"] as? String)
            #expect(path.hasPrefix(directory.file("bnl")), "\(path)")
        }
        // Each moved job ran once: the reco log has one line per mDST output.
        #expect(fixture.recoLog().filter { $0.contains("/mdst/") }.count == 5, "\(fixture.recoLog())")
        let events = try await fixture.ok("wf", "events", "1")
        #expect(events.contains("moved from KEKCC to BNL"), "\(events)")
    }
}
