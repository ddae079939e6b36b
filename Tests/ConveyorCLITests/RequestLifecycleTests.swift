import ConveyorStore
import ConveyorTestSupport
import Foundation
import Testing

/// Processing requests end to end through the command line, on the local executor: submit,
/// the scheduler, sign-offs, calibrations that iterate, merge or fail, invalidation and
/// revalidation of an input, restarts, tape staging.
@Suite("Processing requests end to end", .serialized)
struct RequestLifecycleTests {
    /// 4 runs × (2 bhabha + 1 hadron + 2 all-events) raw files.
    static let rawPerRun = 5

    @Test(arguments: TestBackend.available)
    func aPromptRequestCalibratesSignsOffAndProcesses(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let fixture = try RequestFixture(directory: directory, database: CommandLineTests.url(location))
            try await fixture.prepare()
            try fixture.writeRequest(calibrations: [
                "{name: cdc, command: '\(directory.file("bin"))/calib iterate', expert: cdc-expert, input: {data_tags: [hlt_bhabha]}}",
                "{name: ecl, command: '\(directory.file("bin"))/calib merge', expert: ecl-expert, depends_on: [cdc], input: {data_tags: [hlt_bhabha], level: cdst}}",
            ])
            let submitted = try await fixture.ok("request", "submit", "request.yaml")
            // cDST of the bhabha skim: 8; mDST: 12 skim files + 8 all-events; quality: 4 runs; hadron skim of the all-events mDST: 8.
            #expect(submitted.hasPrefix("request prompt-b1 submitted as workflow 1: 17 tasks, 40 of 40 jobs to run"), "\(submitted)")

            try await fixture.schedule()
            #expect(try await fixture.stepStates()["local-calibrations"] == "awaiting_signoff")
            let refused = try await fixture.conveyor.run("request", "submit", "request.yaml")
            #expect(refused.exitCode == 1)
            #expect(refused.stderr == "conveyor: request prompt-b1 is running (workflow 1); cancel it first or let it finish\n")
            try await fixture.ok("task", "signoff", "1/local-calibrations", "--approve", "--comment", "no local payloads this bucket")
            try await fixture.schedule()

            let steps = try await fixture.stepStates()
            #expect(steps["raw-calibrations"] == "succeeded")
            #expect(steps["cdst-calibration-skims"] == "succeeded")
            #expect(steps["cdst-calibrations"] == "succeeded")
            #expect(steps["staging-check"] == "succeeded")
            #expect(steps["expert-signoffs"] == "awaiting_signoff")
            #expect(steps["mdst-all-events"] == "pending")

            // cdc iterated twice per run; ecl had too little data in one-run ranges and merged them.
            let shown = try await fixture.json("request", "show", "prompt-b1")
            let attempts = (shown["calibrations"] as? [[String: Any]] ?? []).map {
                "\($0["calibration"]!) \($0["firstRun"]!)-\($0["lastRun"]!) #\($0["iteration"]!) \($0["outcome"]!)"
            }
            #expect(attempts.filter { $0.hasPrefix("cdc 1-1") } == ["cdc 1-1 #1 iterate", "cdc 1-1 #2 iterate", "cdc 1-1 #3 ok"])
            #expect(
                attempts.filter { $0.hasPrefix("ecl") } == ["ecl 1-1 #1 not_enough_data", "ecl 1-2 #1 ok", "ecl 3-3 #1 not_enough_data", "ecl 3-4 #1 ok"],
                "\(attempts)")
            let payloads = (shown["payloads"] as? [[String: Any]] ?? []).map {
                "\($0["name"]!) \(($0["iov"] as? [String: Any]).map { "\($0["expLow"]!),\($0["runLow"]!),\($0["expHigh"]!),\($0["runHigh"]!)" } ?? "")"
            }
            #expect(
                payloads.sorted() == [
                    "cdcConstants 8,1,8,1", "cdcConstants 8,2,8,2", "cdcConstants 8,3,8,3", "cdcConstants 8,4,-1,-1",
                    "eclConstants 8,1,8,2", "eclConstants 8,3,-1,-1",
                ], "\(payloads)")

            // A bad raw file is taken out before its mDST job runs.
            let bad = RequestFixture.rawLFN(run: 2, tag: nil, index: 1)
            let invalidated = try await fixture.ok("files", "invalidate", bad, "--request", "prompt-b1", "--reason", "corrupt block")
            #expect(invalidated == "\(bad) is invalidated in request prompt-b1 (1 job(s) skip it)\n")
            let noReason = try await fixture.conveyor.run("files", "invalidate", bad, "--request", "prompt-b1", "--reason", " ")
            #expect(noReason.stderr == "conveyor: say why: invalidating a file needs --reason\n")
            let notInput = try await fixture.conveyor.run("files", "invalidate", "/nope", "--request", "prompt-b1", "--reason", "x")
            #expect(notInput.stderr == "conveyor: /nope is not an input of request prompt-b1\n")

            try await fixture.ok("task", "signoff", "1/signoff:cdc", "--approve", "--comment", "residuals flat")
            try await fixture.ok("task", "signoff", "1/signoff:ecl", "--approve", "--comment", "energy scale fine")
            try await fixture.schedule()
            try await fixture.ok("task", "signoff", "1/manager-signoff", "--approve", "--comment", "go")
            try await fixture.schedule()

            var summary = try await fixture.json("request", "show", "prompt-b1")
            #expect((summary["summary"] as? [String: Any])?["state"] as? String == "incomplete", "the invalidated file is still open")
            #expect(try await fixture.ok("gt", "show", "prompt").contains("RUNNING"))
            let resolved = try await fixture.ok("payload", "resolve", "--gt", "prompt", "--run", "8:3")
            #expect(resolved.contains("cdcConstants"), "the running update put the new constants into prompt: \(resolved)")

            // 8 cDST, 20 mDST and 8 uDST outputs, but for the invalidated file's mDST and the skim made from it.
            var outputs = try await fixture.catalogOutputs()
            #expect(outputs.count == 34, "\(outputs.count)")
            let mdst = try #require(outputs.first { ($0["lfn"] as? String)?.contains("/all/mdst/") == true })
            #expect((mdst["lfn"] as? String)?.hasPrefix("/belle/Data/release-08-01-00/DB0000000") == true)
            #expect((mdst["lfn"] as? String)?.contains("/prompt/e0008/4S/r0000") == true)
            #expect(mdst["release"] as? String == "release-08-01-00")
            #expect(mdst["globalTags"] as? [String] == ["prompt", "online"])
            // The output records when its conditions were resolved: the same lookup as of then gives them back.
            let resolvedAt = try #require(mdst["conditionsResolvedAt"] as? String, "outputs record their conditions' moment")
            let run = ((mdst["run"] as? [String: Any])?["run"] as? Int) ?? 1
            let then = try await fixture.ok("payload", "resolve", "--gt", "prompt,online", "--run", "8:\(run)", "--as-of", resolvedAt)
            #expect(then.contains("cdcConstants") && then.contains("BeamSpot"), "\(then)")
            #expect((mdst["parents"] as? [String])?.count == 1)
            #expect(mdst["events"] as? Int == 5, "as the program reported")
            let copy = try #require((mdst["replicas"] as? [[String: Any]])?.first?["path"] as? String)
            #expect(try String(contentsOfFile: copy, encoding: .utf8).contains("tags=prompt,online"))
            #expect(outputs.allSatisfy { ($0["parents"] as? [String])?.contains(bad) != true })

            // Revalidated, then resumed: only the open jobs run, nothing is made twice.
            let revalidated = try await fixture.ok("files", "revalidate", bad, "--request", "prompt-b1", "--reason", "patched in release-08-01-01")
            #expect(revalidated.contains("is Unused again"))
            let resumed = try await fixture.ok("request", "resume", "prompt-b1")
            #expect(resumed.hasPrefix("request prompt-b1 resumed as workflow 2: 17 tasks, 3 of 40 jobs to run"), "mDST, skim and quality of run 2: \(resumed)")
            try await fixture.schedule()
            summary = try await fixture.json("request", "show", "prompt-b1")
            #expect((summary["summary"] as? [String: Any])?["state"] as? String == "done")
            outputs = try await fixture.catalogOutputs()
            #expect(outputs.count == 36)
            let written = fixture.recoLog()
            #expect(written.count == Set(written).count, "an output written twice: \(written.count) writes of \(Set(written).count)")
            #expect(written.count == 8 + 20)
            let again = try await fixture.conveyor.run("request", "submit", "request.yaml")
            #expect(again.stderr == "conveyor: request prompt-b1 is already processed (workflow 2); nothing to do\n")

            // Luminosity per output group, and measured CPU in the estimate.
            let luminosity = try #require((summary["summary"] as? [String: Any])?["record"] as? [String: Any])["luminosity"] as? [String: Any]
            #expect((luminosity?["groups"] as? [[String: Any]])?.isEmpty == false)
            let estimate = try await fixture.ok("request", "estimate", "request.yaml", "--slots", "400")
            #expect(estimate.contains("mdst-all-events: measured"), "\(estimate)")
            let listed = try await fixture.ok("request", "list")
            #expect(listed.contains("prompt-b1  prompt    done"), "\(listed)")
        }
    }

    @Test func aFailedCalibrationIsFinishedByHand() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fixture = try RequestFixture(directory: directory, database: directory.file("c.sqlite"), runs: [1, 2])
        try await fixture.prepare()
        try fixture.writeRequest(
            calibrations: ["{name: svd, command: '\(directory.file("bin"))/calib fail', expert: svd-expert}"], outputs: "[mdst]", skims: "[]")
        try await fixture.ok("request", "submit", "request.yaml")
        try await fixture.schedule()
        try await fixture.ok("task", "signoff", "1/local-calibrations", "--approve", "--comment", "none")
        try await fixture.schedule()
        #expect(try await fixture.stepStates()["raw-calibrations"] == "paused")
        let log = try await fixture.ok("task", "log", "1/calibrate:svd")
        #expect(log.contains("calibration svd failed on runs 8:1-1"), "\(log)")
        #expect(log.contains("residuals do not converge"))

        let noComment = try await fixture.conveyor.run("task", "succeed", "1/calibrate:svd")
        #expect(noComment.stderr == "conveyor: say what was done by hand: marking a task succeeded needs --comment\n")
        try "hand-made constants".write(toFile: directory.file("svd.txt"), atomically: true, encoding: .utf8)
        try await fixture.ok("payload", "upload", "svdConstants", "svd.txt", "--gt", "staging_b1", "--iov", "8,1,-1,-1")
        try await fixture.ok("task", "succeed", "1/calibrate:svd", "--comment", "uploaded svdConstants by hand")
        try await fixture.schedule()
        #expect(try await fixture.stepStates()["expert-signoffs"] == "awaiting_signoff")
        try await fixture.ok("task", "signoff", "1/signoff:svd", "--approve", "--comment", "hand payload checked")
        try await fixture.schedule()
        try await fixture.ok("task", "signoff", "1/manager-signoff", "--approve", "--comment", "go")
        try await fixture.schedule()
        let steps = try await fixture.stepStates()
        #expect(steps.values.allSatisfy { $0 == "succeeded" || $0 == "none" }, "\(steps)")
        #expect(steps["raw-calibrations"] == "succeeded")
        #expect(try await fixture.ok("payload", "resolve", "--gt", "prompt", "--run", "8:2").contains("svdConstants"))
    }

    @Test func aRestartedSchedulerNeverMakesAnOutputTwice() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fixture = try RequestFixture(directory: directory, database: directory.file("c.sqlite"), runs: [1, 2, 3], recoSleep: 0.3)
        try await fixture.prepare()
        try fixture.writeRequest(name: "u1", campaign: "unofficial", calibrations: [], outputs: "[mdst]", skims: "[hadron]")
        let submitted = try await fixture.ok("request", "submit", "request.yaml")
        #expect(submitted.contains("24 of 24 jobs"), "15 mDST, 6 skims, 3 quality reports: \(submitted)")
        var kills = 0
        for _ in 0..<30 {
            let outcome = try await fixture.conveyor.runKilled(["scheduler", "--until-idle"], after: .milliseconds(Int.random(in: 300...900)))
            if outcome.endedOnItsOwn { break }
            kills += 1
        }
        _ = try await fixture.conveyor.runKilled(["scheduler", "--until-idle"], after: .seconds(120))
        #expect(kills >= 2, "the scheduler was killed mid-request (\(kills) times)")
        let states = try await fixture.stepStates("u1")
        #expect(states["mdst-all-events"] == "succeeded" && states["physics-skims"] == "succeeded", "\(states)")
        let written = fixture.recoLog()
        #expect(written.count == 15, "each of the 15 mDST outputs written once: \(written.count)")
        #expect(Set(written).count == written.count)
        #expect(try await fixture.catalogOutputs().count == 15 + 6)
        let stored = try FileManager.default.subpathsOfDirectory(atPath: directory.file("storage")).filter { $0.hasSuffix(".dst") }
        #expect(stored.count == 21)
    }

    @Test func aFileThatKeepsFailingBecomesProblematicAndTheStepGoesOn() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fixture = try RequestFixture(directory: directory, database: directory.file("c.sqlite"), runs: [1], recoFailsOn: "raw_all_1")
        try await fixture.prepare()
        try fixture.writeRequest(name: "u1", campaign: "unofficial", calibrations: [], outputs: "[mdst]", skims: "[]")
        try await fixture.ok("request", "submit", "request.yaml")
        try await fixture.schedule()
        let states = try await fixture.stepStates("u1")
        #expect(states["mdst-all-events"] == "succeeded", "\(states)")
        let shown = try await fixture.ok("request", "show", "u1")
        let bad = RequestFixture.rawLFN(run: 1, tag: nil, index: 1)
        #expect(shown.contains("problematic \(bad) (mdst-all-events): failed 2 times: reco exited with 3"), "\(shown)")
        let log = try await fixture.ok("task", "log", "1/mdst-all-events")
        #expect(log.contains("cannot read"))
        #expect(log.contains("gave up after 2 failures, inputs are Problematic"))
        #expect(try await fixture.catalogOutputs().count == 4, "the other 4 inputs' mDST")
        // Put back after a fix: resuming runs only its job and the quality report of its run.
        try await fixture.ok("files", "revalidate", bad, "--request", "u1", "--reason", "fixed reader")
        let resumed = try await fixture.conveyor.run(["request", "resume", "u1"])
        #expect(resumed.stdout.contains("2 of 6 jobs to run"), "\(resumed.stdout)\(resumed.stderr)")
    }

    @Test func inputsOnlyOnTapeWaitForStaging() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fixture = try RequestFixture(directory: directory, database: directory.file("c.sqlite"), runs: [1])
        let onTape = RequestFixture.rawLFN(run: 1, tag: nil, index: 0)
        try await fixture.prepare(onTape: [onTape])
        try fixture.writeRequest(name: "u1", campaign: "unofficial", calibrations: [], outputs: "[mdst]", skims: "[]")
        let submitted = try await fixture.ok("request", "submit", "request.yaml")
        #expect(submitted.contains("1 input file(s) are not on disk at their site"), "\(submitted)")
        let shown = try await fixture.ok("request", "show", "u1")
        #expect(shown.contains("1 input file(s) not yet on disk at their site:\n  \(onTape)"), "\(shown)")
        #expect(shown.contains("tape-staging"))
        _ = try await fixture.conveyor.runKilled(["scheduler", "--until-idle"], after: .seconds(4))
        #expect(try await fixture.stepStates("u1")["mdst-all-events"] == "pending", "its job waits for the staging")
        #expect(try await fixture.stepStates("u1")["mdst-hlt-skims"] == "succeeded")
        try await fixture.ok("files", "replica", onTape, "--site", "KEKCC", "--path", fixture.rawPath(onTape))
        let ended = try await fixture.conveyor.runKilled(["scheduler", "--until-idle"], after: .seconds(60))
        #expect(ended.endedOnItsOwn)
        #expect(try await fixture.stepStates("u1")["mdst-all-events"] == "succeeded")
        #expect(try await fixture.ok("request", "show", "u1").contains("not yet on disk") == false)
    }
}
