import ConveyorCore
import ConveyorTestSupport
import Foundation
import Testing

/// Data management inside a request, through the command line: inputs on tape are recalled by a
/// staging rule (nobody runs `files replica`), the mDST is replicated to a second site by the
/// request's output rule, and the request is done only once that rule is OK.
@Suite("Requests with data management")
struct RequestDataManagementTests {
    @Test func tapeInputsAreStagedByARuleAndOutputsPlacedAtASecondSite() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fixture = try RequestFixture(directory: directory, database: directory.file("c.sqlite"), runs: [1])
        let onTape = RequestFixture.rawLFN(run: 1, tag: nil, index: 0)
        try await fixture.prepare(onTape: [onTape])
        try await fixture.ok(
            "site", "add", "KEKCC_TAPE", "--site", "KEKCC", "--kind", "tape", "--prefix", directory.file("tape"), "--recall", "test -f {path}")
        try await fixture.ok("site", "add", "KEKCC_DISK", "--site", "KEKCC", "--prefix", directory.file("storage"), "--attr", "country=JP")
        try await fixture.ok("site", "add", "BNL_DISK", "--site", "BNL", "--prefix", directory.file("bnl"), "--attr", "country=US", "--quota", "1GB")
        // Bad input first: a tape endpoint without a recall command, an unknown kind.
        let noRecall = try await fixture.conveyor.run("site", "add", "T", "--site", "X", "--kind", "tape", "--prefix", "/t")
        #expect(noRecall.exitCode != 0 && noRecall.stderr.contains("needs a recall command"), "\(noRecall.stderr)")
        try fixture.writeRequest(
            name: "u1", campaign: "unofficial", calibrations: [], outputs: "[mdst]", skims: "[]",
            extra: "output_rules:\n  - {level: mdst, rse: 'country=US', lifetime: 30d}\n")
        let submitted = try await fixture.ok("request", "submit", "request.yaml")
        #expect(submitted.contains("1 input file(s) are not on disk at their site"), "\(submitted)")
        let rules = try await fixture.ok("rule", "list")
        #expect(rules.contains("dataset:u1.stage.KEKCC") && rules.contains("dataset:u1.mdst"), "\(rules)")

        let ended = try await fixture.conveyor.runKilled(["scheduler", "--until-idle"], after: .seconds(120))
        #expect(ended.endedOnItsOwn, "the staging rule recalled the input; nobody recorded a replica")
        let states = try await fixture.stepStates("u1")
        #expect(states["mdst-all-events"] == "succeeded" && states["outputs-placed"] == "succeeded", "\(states)")
        // The mDST is at BNL, verified, and the staging pin ended with the request.
        let usage = try await fixture.ok("dm", "usage", "--by", "level")
        #expect(usage.contains("BNL") && usage.contains("mdst"), "\(usage)")
        let afterwards = try await fixture.ok("rule", "list")
        #expect(!afterwards.contains("u1.stage.KEKCC"), "the staging rule ended with the request: \(afterwards)")
        #expect(afterwards.contains("dataset:u1.mdst") && afterwards.contains(" OK "), "\(afterwards)")
        let dataset = try await fixture.ok("dataset", "show", "u1.mdst")
        #expect(dataset.contains("BNL_DISK: 5 of 5 files"), "\(dataset)")

        // Cleanup: a dry run lists the output rule and the bytes at BNL; then it is done.
        let dry = try await fixture.ok("dm", "cleanup", "--campaign", "unofficial", "--older-than", "1s", "--dry-run")
        #expect(dry.contains("would end") && dry.contains("BNL"), "\(dry)")
        #expect(try await fixture.ok("rule", "list").contains("u1.mdst"), "a dry run ends nothing")
        let done = try await fixture.ok("dm", "cleanup", "--campaign", "unofficial", "--older-than", "1s")
        #expect(done.contains("1 rule(s) ended"), "\(done)")
        let bad = try await fixture.conveyor.run("dm", "cleanup", "--campaign", "unofficial", "--older-than", "soon")
        #expect(bad.exitCode != 0 && bad.stderr.contains("not a duration"), "\(bad.stderr)")
    }
}
