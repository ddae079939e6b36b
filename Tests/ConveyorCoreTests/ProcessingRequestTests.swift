import ConveyorCore
import Foundation
import Testing

@Suite("Processing request files")
struct ProcessingRequestTests {
    static let valid = """
        {"name": "prompt-b16", "campaign": "prompt", "bucket": "bucket16", "release": "release-08-01-00",
         "input": {"level": "raw", "selection": ["hlt_hadron", "hlt_bhabha"]}, "outputs": ["cdst", "mdst"],
         "global_tags": ["online", "prompt_base"], "staging_tag": "staging_b16", "prompt_tag": "prompt",
         "sites": [{"name": "KEKCC", "pool": "kekcc"}],
         "calibrations": [
           {"name": "cdc_tracking", "command": "basf2 cdc.py", "expert": "cdc-expert", "input": {"data_tags": ["hlt_bhabha"], "min_events": 100000}},
           {"name": "ecl_energy", "command": "basf2 ecl.py", "expert": "ecl-expert", "depends_on": ["cdc_tracking"], "max_iterations": 5}
         ],
         "skims": ["tau", "charm"], "output_base": "/belle/Data", "commands": {"reconstruction": "basf2 reco.py", "skim": "basf2 skim.py"}}
        """

    static func read(_ text: String) throws(ConveyorError) -> ProcessingRequest {
        try ProcessingRequest(configuration: try ConfigurationValue(json: Data(text.utf8), file: "req.json"))
    }

    /// The valid request with one change (a JSON fragment replacing a fragment).
    static func refusal(_ from: String, _ to: String) -> String {
        let text = valid.replacingOccurrences(of: from, with: to)
        precondition(text != valid, "the fragment \(from) is not in the request")
        do {
            _ = try read(text)
            return "accepted"
        } catch {
            return error.message
        }
    }

    @Test func aValidRequestReads() throws {
        let request = try Self.read(Self.valid)
        #expect(request.campaign == .prompt)
        #expect(request.input.skims == ["hlt_hadron", "hlt_bhabha"])
        #expect(request.calibrations.map(\.maxIterations) == [3, 5])
        #expect(request.calibrations[0].minimumEvents == 100_000)
        #expect(try ProcessingRequest.Campaign(parsing: "proc9") == .reprocessing(9))
    }

    @Test func eachKindOfErrorNamesItsKeyPath() {
        #expect(Self.refusal(#""release": "release-08-01-00","#, "") == "req.json: release: is required (the software release, recorded on every output)")
        #expect(Self.refusal(#""skims""#, #""skimz""#).hasPrefix("req.json: skimz: unknown key"))
        #expect(
            Self.refusal(#""campaign": "prompt""#, #""campaign": "proc""#)
                == "req.json: campaign: expected one of prompt, procN, unofficial, express, found 'proc'")
        #expect(
            Self.refusal(#""outputs": ["cdst", "mdst"]"#, #""outputs": ["cdst", "dst"]"#)
                == "req.json: outputs[1]: expected one of cdst, mdst, udst, found 'dst'")
        #expect(
            Self.refusal(#""max_iterations": 5"#, #""max_iterations": 0"#) == "req.json: calibrations[1].max_iterations: expected a whole number ≥ 1, found 0")
        #expect(
            Self.refusal(#""min_events": 100000"#, #""min_events": "many""#)
                == "req.json: calibrations[0].input.min_events: expected a whole number ≥ 0, found 'many'")
        #expect(
            Self.refusal(#""depends_on": ["cdc_tracking"]"#, #""depends_on": ["svd"]"#) == "req.json: calibrations[1].depends_on[0]: unknown calibration 'svd'")
        #expect(Self.refusal(#""bucket": "bucket16","#, "") == "req.json: give a bucket or runs")
        #expect(Self.refusal(#""bucket": "bucket16","#, #""runs": "8:100","#) == "req.json: runs: expected EXP:FIRST-LAST, e.g. 8:100-250, found '8:100'")
        #expect(Self.refusal(#""prompt_tag": "prompt","#, "") == "req.json: prompt_tag: is required for a prompt request")
        #expect(
            Self.refusal(#""campaign": "prompt""#, #""campaign": "unofficial""#)
                == "req.json: calibrations: an unofficial request uses the given tags and takes no calibrations")
        #expect(
            Self.refusal(#""name": "ecl_energy""#, #""name": "cdc_tracking""#)
                == "req.json: calibrations[1].name: 'cdc_tracking' is used by calibrations[0] too")
        #expect(
            Self.refusal(#""expert": "cdc-expert","#, #""expert": "cdc-expert", "depends_on": ["ecl_energy"],"#)
                == "req.json: calibrations form a cycle: cdc_tracking → ecl_energy → cdc_tracking")
        #expect(
            Self.refusal(#""sites": [{"name": "KEKCC", "pool": "kekcc"}]"#, #""sites": [{"name": "KEKCC"}]"#)
                == "req.json: sites[0].pool: is required (the workflow pool that runs its jobs)")
        #expect(Self.refusal(#", "skim": "basf2 skim.py""#, "") == "req.json: commands.skim: is required when skims are listed")
        #expect(
            Self.refusal(#""commands": {"reconstruction": "basf2 reco.py", "#, #""commands": {"#)
                == "req.json: commands.reconstruction: is required (raw → cDST/mDST, one job per input file)")
        #expect(
            Self.refusal(#""output_base": "/belle/Data""#, #""output_base": "belle""#)
                == "req.json: output_base: expected an absolute path such as /belle/Data, found 'belle'")
        #expect(
            Self.refusal(#""outputs": ["cdst", "mdst"]"#, #""outputs": ["cdst"]"#)
                == "req.json: skims: physics skims are made from the mDST: add mdst to outputs")
        #expect(
            Self.refusal(#""max_iterations": 5"#, #""max_iterations": 5, "input": {"level": "udst"}"#)
                == "req.json: calibrations[1].input.level: expected one of raw, cdst, found 'udst'")
        #expect(Self.refusal(#""output_base""#, #""files_per_job": 0, "output_base""#) == "req.json: files_per_job: expected a whole number ≥ 1, found 0")
        #expect(throws: ConveyorError.self) { _ = try Self.read("{\"name\": ") }
    }

    @Test func theSchemaIsMadeFromTheSameFieldsTheReaderChecks() throws {
        let document = RequestSchema.document(for: ProcessingRequest.fields, title: "request")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        let properties = try #require(schema["properties"] as? [String: Any])
        #expect(Set(properties.keys) == Set(ProcessingRequest.fields.map(\.key)))
        #expect(
            Set(schema["required"] as? [String] ?? []) == [
                "name", "campaign", "release", "input", "outputs", "global_tags", "sites", "output_base", "commands",
            ])
        #expect(schema["additionalProperties"] as? Bool == false)
        let calibrations = try #require((properties["calibrations"] as? [String: Any])?["items"] as? [String: Any])
        #expect(((calibrations["properties"] as? [String: Any])?.keys.sorted()) == ["command", "depends_on", "expert", "input", "max_iterations", "name"])
    }

    @Test func outputPathsFollowTheConventionWithAThousandFilesPerFolder() {
        let path = OutputPath(
            base: "/belle/Data/", release: "release-08", globalTagID: 1234, campaign: "prompt", run: ExpRun(exp: 8, run: 12),
            energy: "4S", dataTag: nil, level: .mdst)
        #expect(path.lfn(sequence: 0) == "/belle/Data/release-08/DB00001234/prompt/e0008/4S/r00012/all/mdst/sub00/mdst_e0008r00012_000000.dst")
        #expect(path.lfn(sequence: 999).contains("/sub00/"))
        #expect(path.lfn(sequence: 1_000).contains("/sub01/mdst_e0008r00012_001000.dst"))
        var skim = path
        skim.dataTag = "tau"
        skim.level = .udst
        #expect(skim.folder == "/belle/Data/release-08/DB00001234/prompt/e0008/4S/r00012/skim/tau/udst")
    }

    @Test func calibrationRangesGatherRunsAndMergeOnNotEnoughData() {
        let runs = (1...5).map { RunRecord(run: ExpRun(exp: 8, run: $0), events: 100, onlineLuminosity: 1) }
        #expect(CalibrationRanges(runs: runs).ranges.map(\.runs) == [[1], [2], [3], [4], [5]])
        // Gathered to at least 250 events; the short tail (run 7) joins the range before it.
        let seven = (1...7).map { RunRecord(run: ExpRun(exp: 8, run: $0), events: 100, onlineLuminosity: 1) }
        var ranges = CalibrationRanges(runs: seven, minimumEvents: 250)
        #expect(ranges.ranges.map(\.runs) == [[1, 2, 3], [4, 5, 6, 7]])
        #expect(ranges.intervals(exp: 8).map(\.description) == ["8,1,8,3", "8,4,-1,-1"])
        #expect(ranges.merge(at: 1) == 0, "the last range merges with the one before")
        #expect(ranges.ranges.map(\.runs) == [Array(1...7)])
        #expect(ranges.merge(at: 0) == nil, "one range has nothing to merge with")
        var perRun = CalibrationRanges(runs: runs)
        #expect(perRun.merge(at: 1) == 1)
        #expect(perRun.ranges.map(\.runs) == [[1], [2, 3], [4], [5]])
        #expect(perRun.intervals(exp: 8).map(\.description) == ["8,1,8,1", "8,2,8,3", "8,4,8,4", "8,5,-1,-1"])
    }

    @Test func fileChecksumsMatchZlibAdler32() {
        var sums = FileChecksums()
        sums.update(Data("Wikipedia".utf8))
        #expect(sums.adler32 == "11e60398")
        #expect(sums.size == 9)
        var big = FileChecksums()
        for _ in 0..<3 { big.update(Data(repeating: 0xff, count: 10_000)) }
        var whole = FileChecksums()
        whole.update(Data(repeating: 0xff, count: 30_000))
        #expect(big.adler32 == whole.adler32)
        #expect(big.sha256 == whole.sha256)
    }

    @Test func thePlanFollowsTheCampaignAndTheEstimateMatchesSeed000() throws {
        let prompt = try Self.read(Self.valid)
        let plan = RequestPlan(prompt)
        #expect(
            plan.steps.map(\.name) == [
                "staging", "local-calibrations", "raw-calibrations", "cdst-calibration-skims", "cdst-calibrations", "staging-check",
                "expert-signoffs", "manager-signoff", "running-update", "mdst-hlt-skims", "mdst-all-events", "luminosity",
                "quality-report", "physics-skims",
            ])
        #expect(plan.steps.first { $0.name == "mdst-hlt-skims" }?.dependsOn == ["running-update"])
        let unofficial = try Self.read(
            """
            {"name": "u1", "campaign": "unofficial", "runs": "8:1-20", "release": "r", "input": {"level": "raw"}, "outputs": ["mdst"],
             "global_tags": ["online"], "sites": [{"name": "KEKCC", "pool": "local"}], "skims": ["tau"], "output_base": "/b",
             "commands": {"reconstruction": "reco", "skim": "skim"}}
            """)
        #expect(RequestPlan(unofficial).steps.map(\.name) == ["mdst-hlt-skims", "mdst-all-events", "luminosity", "quality-report", "physics-skims"])

        // Seed 000: cDST of the HLT skims, 11,000 hCPU per /fb: 1.2 / 0.5 / 0.3 / 0.23 days per /fb on 400 / 1000 / 1500 / 2000 slots.
        let estimate = RequestEstimate(plan: plan, luminosity: 1_000, slots: [400, 1000, 1500, 2000])
        let cdst = try #require(estimate.lines.first { $0.step == "cdst-calibration-skims" })
        #expect(cdst.cpuHours == 11_000)
        #expect([400, 1000, 1500, 2000].map { (cdst.days[String($0)]! * 100).rounded() / 100 } == [1.15, 0.46, 0.31, 0.23])
        #expect(estimate.criticalPath.last == "physics-skims")
        #expect(abs(estimate.criticalPathDays["1000"]! - estimate.totalCPUHours / 1000 / 24) < 1e-9, "a chain: the critical path is all of it")
    }
}
