import ConveyorCore
import ConveyorRequests
import Foundation
import Testing

@Suite("What a request generates")
struct RequestBuilderTests {
    static func request(_ campaign: String, calibrations: String = "", sites: String = #"[{"name": "KEKCC", "pool": "kekcc"}]"#) throws -> ProcessingRequest {
        let tags = campaign == "unofficial" ? "" : #""staging_tag": "staging", "prompt_tag": "\#(campaign == "prompt" ? "prompt" : "proc9")","#
        return try ProcessingRequest(
            configuration: try ConfigurationValue(
                json: Data(
                    """
                    {"name": "r1", "campaign": "\(campaign)", "bucket": "b1", "release": "rel-1", "input": {"level": "raw"}, "outputs": ["cdst", "mdst"],
                     "global_tags": ["online"], \(tags) "sites": \(sites), "skims": ["tau"],
                     "calibrations": [\(calibrations)], "commands": {"reconstruction": "reco", "skim": "skim", "quality": "quality"}, "output_base": "/belle/Data"}
                    """.utf8), file: "r.json"))
    }

    static let calibrations =
        #"{"name": "cdc", "command": "c", "expert": "e", "input": {"data_tags": ["hlt_bhabha"]}}, "#
        + #"{"name": "ecl", "command": "c", "expert": "e", "depends_on": ["cdc"], "input": {"data_tags": ["hlt_bhabha"], "level": "cdst"}}"#

    /// Run 1 and 2: a bhabha file and an all-events file each; run 2's all-events file only on tape at KEKCC, on disk at DESY.
    static func context(desyCopy: Bool = true) -> RequestBuilder.Context {
        var files: [CatalogFile] = []
        for run in [1, 2] {
            for tag in ["hlt_bhabha", "all"] {
                let onTape = run == 2 && tag == "all"
                var replicas = [Replica(site: "KEKCC", storage: onTape ? .tape : .disk, path: "/kek/\(run)/\(tag)")]
                if onTape, desyCopy { replicas.append(Replica(site: "DESY", path: "/desy/\(run)/\(tag)")) }
                files.append(
                    CatalogFile(
                        lfn: "/raw/\(run)/\(tag)", size: 1, adler32: "00000001", sha256: String(repeating: "a", count: 64), events: 10,
                        run: ExpRun(exp: 8, run: run), level: .raw, dataTag: tag == "all" ? nil : tag, replicas: replicas))
            }
        }
        return .init(
            runs: [1, 2].map { RunRecord(run: ExpRun(exp: 8, run: $0), energy: "4S", events: 20, onlineLuminosity: 5) }, inputFiles: files,
            tagIDs: ["online": 1, "prompt": 2, "staging": 3])
    }

    /// Why a request file is refused, or "" when it is accepted.
    static func refusal(_ text: String) -> String {
        do {
            _ = try ProcessingRequest(configuration: try ConfigurationValue(json: Data(text.utf8), file: "y.json"))
            return ""
        } catch {
            return error.message
        }
    }

    static func ids(_ jobs: [RequestJob]) -> [RequestJob] {
        jobs.enumerated().map {
            var job = $1; job.id = Int64($0 + 1); return job
        }
    }

    @Test func aPromptRequestGeneratesTheWholeChain() throws {
        let builder = RequestBuilder(request: try Self.request("prompt", calibrations: Self.calibrations), context: Self.context())
        let jobs = Self.ids(try builder.jobs())
        #expect(
            Dictionary(grouping: jobs, by: \.step).mapValues(\.count) == [
                "cdst-calibration-skims": 2, "mdst-hlt-skims": 2, "mdst-all-events": 2,
                "quality-report": 2, "physics-skims": 2,
            ])
        let mdst = try #require(jobs.first { $0.step == "mdst-all-events" })
        #expect(mdst.outputLFN == "/belle/Data/rel-1/DB00000002/prompt/e0008/4S/r00001/all/mdst/sub00/mdst_e0008r00001_000000.dst")
        #expect(
            jobs.first { $0.step == "cdst-calibration-skims" }?.outputLFN?.contains("/DB00000003/prompt/e0008/4S/r00001/skim/hlt_bhabha/cdst/") == true,
            "the calibration skims read the staging tag first")
        #expect(jobs.first { $0.step == "physics-skims" }?.inputs == [mdst.outputLFN!])
        #expect(builder.request.tags(forStep: "mdst-all-events") == ["prompt", "online"])
        #expect(builder.request.tags(forStep: "cdst-calibration-skims") == ["staging", "online"])

        let workflow = try builder.workflow(jobs: jobs, notOnDisk: builder.inputsNotOnDisk(jobs))
        let tasks = Dictionary(workflow.tasks.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(
            workflow.tasks.map(\.name) == [
                "staging", "local-calibrations", "calibrate:cdc", "cdst-calibration-skims", "calibrate:ecl", "staging-check",
                "signoff:cdc", "signoff:ecl", "manager-signoff", "validate-staging", "running-update", "prompt-release", "mdst-hlt-skims",
                "stage:mdst-all-events", "mdst-all-events", "luminosity", "quality-report", "physics-skims",
            ])
        #expect(tasks["calibrate:ecl"]?.dependsOn == ["cdst-calibration-skims", "calibrate:cdc"])
        #expect(tasks["cdst-calibration-skims"]?.dependsOn == ["calibrate:cdc"])
        // PromptReco waits for the handshake to release the bucket's runs; the calibration skims do not.
        #expect(tasks["prompt-release"]?.wait == .promptReleased(runs: [ExpRun(exp: 8, run: 1), ExpRun(exp: 8, run: 2)]))
        #expect(tasks["mdst-hlt-skims"]?.dependsOn == ["prompt-release"])
        #expect(tasks["staging"]?.action == ActionStep(name: "gt.prepare-staging", parameters: ["tag": "staging", "empty": "yes"]))
        #expect(tasks["running-update"]?.action?.parameters == ["running": "prompt", "staging": "staging", "valid_from": "8:1"])
        #expect(tasks["mdst-all-events"]?.dependsOn == ["mdst-hlt-skims", "stage:mdst-all-events"])
        #expect(tasks["stage:mdst-all-events"]?.wait == .filesOnDisk(site: "KEKCC", lfns: ["/raw/2/all"]))
        // Job steps are described and accounted by the request accountant: their elements name jobs, not programs.
        #expect(tasks["mdst-all-events"]?.commands.first == "request job r1 5")
        #expect(tasks["mdst-all-events"]?.accountant == "request")
        // Calibrations and the luminosity account run centrally, as action steps.
        #expect(tasks["calibrate:cdc"]?.action == ActionStep(name: "request.calibrate", parameters: ["request": "r1", "calibration": "cdc"]))
        #expect(tasks["luminosity"]?.action == ActionStep(name: "request.luminosity", parameters: ["request": "r1"]))
        #expect(tasks["calibrate:cdc"]?.retry.pauseAfter == 1)
    }

    @Test func aResumedRequestRunsOnlyOpenWork() throws {
        let builder = RequestBuilder(request: try Self.request("prompt", calibrations: Self.calibrations), context: Self.context())
        let jobs = Self.ids(try builder.jobs())
        let open = Set(jobs.filter { $0.step == "mdst-all-events" && $0.run.run == 2 }.map(\.id))
        let done = [
            "staging", "local-calibrations", "calibrate:cdc", "cdst-calibration-skims", "calibrate:ecl", "staging-check", "signoff:cdc", "signoff:ecl",
            "manager-signoff", "validate-staging", "running-update", "mdst-hlt-skims",
        ]
        let workflow = try builder.workflow(
            jobs: jobs, progress: .init(succeededTasks: Dictionary(done.map { ($0, Int64(1)) }, uniquingKeysWith: { first, _ in first }), openJobs: open))
        let tasks = Dictionary(workflow.tasks.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for name in done { #expect(tasks[name]?.kind == .action && tasks[name]?.action?.name == "noop", "\(name) is done") }
        #expect(tasks["mdst-all-events"]?.commands.count == 1)
        #expect(tasks["physics-skims"]?.kind == .action, "no open skim job")
    }

    @Test func aReprocessingMakesANewTagAndUnofficialOnlyProcesses() throws {
        let proc = RequestBuilder(request: try Self.request("proc9", calibrations: Self.calibrations), context: Self.context())
        let procTasks = try proc.workflow(jobs: Self.ids(try proc.jobs())).tasks
        let merge = try #require(procTasks.first { $0.name == "new-tag" })
        #expect(merge.action == ActionStep(name: "gt.merge", parameters: ["sources": "staging,online", "target": "proc9"]))
        #expect(!procTasks.contains { $0.name == "running-update" })
        #expect(proc.request.tags(forStep: "mdst-all-events") == ["proc9"])
        #expect(try proc.jobs().first { $0.step == "mdst-all-events" }?.outputLFN?.contains("/DB00000003/proc9/") == true, "the new tag has no id yet")

        let unofficial = RequestBuilder(request: try Self.request("unofficial"), context: Self.context())
        let jobs = Self.ids(try unofficial.jobs())
        let tasks = try unofficial.workflow(jobs: jobs, notOnDisk: unofficial.inputsNotOnDisk(jobs)).tasks.map(\.name)
        #expect(tasks == ["mdst-hlt-skims", "stage:mdst-all-events", "mdst-all-events", "luminosity", "quality-report", "physics-skims"])
    }

    @Test func inputsGoToTheFirstSiteHoldingThemOnDisk() throws {
        let sites = #"[{"name": "KEKCC", "pool": "kekcc"}, {"name": "DESY", "pool": "desy"}]"#
        let builder = RequestBuilder(request: try Self.request("unofficial", sites: sites), context: Self.context())
        let jobs = Self.ids(try builder.jobs())
        #expect(jobs.first { $0.inputs == ["/raw/2/all"] }?.site == "DESY")
        #expect(builder.inputsNotOnDisk(jobs).isEmpty)
        let names = try builder.workflow(jobs: jobs).tasks.map(\.name)
        #expect(names.contains("mdst-all-events@KEKCC") && names.contains("mdst-all-events@DESY"))
        #expect(try builder.workflow(jobs: jobs).tasks.first { $0.name == "mdst-all-events@DESY" }?.pool == "desy")
    }

    @Test func aJobWaitingForStagingMayMoveWithTheJobsReadingItsOutput() throws {
        let sites = #"[{"name": "KEKCC", "pool": "kekcc"}, {"name": "DESY", "pool": "desy"}]"#
        let builder = RequestBuilder(request: try Self.request("unofficial", sites: sites), context: Self.context(desyCopy: false))
        let jobs = Self.ids(try builder.jobs())
        let notOnDisk = builder.inputsNotOnDisk(jobs)
        #expect(notOnDisk == ["mdst-all-events@KEKCC": ["/raw/2/all"]])
        let workflow = try builder.workflow(jobs: jobs, notOnDisk: notOnDisk)
        let tasks = Dictionary(workflow.tasks.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let waiting = try #require(jobs.first { $0.inputs == ["/raw/2/all"] })
        let moves = try #require(tasks["stage:mdst-all-events@KEKCC"]?.moves)
        #expect(moves.count == 1)
        // The run-2 mDST job goes with its run's quality report and its skim, or not at all.
        #expect(moves[0].inputs == ["/raw/2/all"])
        #expect(Set(moves[0].elements.map(\.task)) == ["mdst-all-events@KEKCC", "quality-report@KEKCC", "physics-skims@KEKCC"])
        let target = try #require(moves[0].targets.first)
        #expect(target.site == "DESY" && Set(target.elements.map(\.task)) == ["mdst-all-events@DESY", "quality-report@DESY", "physics-skims@DESY"])
        // DESY has no job of its own: its tasks hold only the reserves, which name the site they run at.
        let reserve = try #require(tasks["mdst-all-events@DESY"])
        #expect(reserve.standby == [0] && reserve.pool == "desy" && !reserve.dependsOn.contains { $0.hasPrefix("stage:") })
        #expect(reserve.commands == ["request job r1 \(waiting.id) at DESY"])
        #expect(tasks["mdst-all-events@KEKCC"]?.standby == nil)
        // The run-1 jobs are on disk already and stay where they are.
        #expect(tasks["mdst-all-events@KEKCC"]?.commands.count == 2)
        // A job already done pins its group: a resumed request moves nothing of it.
        let resumed = try builder.workflow(
            jobs: jobs, progress: .init(openJobs: Set(jobs.filter { $0.step != "physics-skims" }.map(\.id))), notOnDisk: notOnDisk)
        #expect(resumed.tasks.first { $0.name == "stage:mdst-all-events@KEKCC" }?.moves == nil)
    }

    /// An express request that makes HLT skims first: one skim job per all-events file, and the
    /// cDST of the selected skim made from the skim jobs' outputs, numbered on from first_sequence.
    @Test func anExpressRequestMakesItsHLTSkimsFirstAndReconstructsTheSelectedOne() throws {
        let request = try ProcessingRequest(
            configuration: try ConfigurationValue(
                json: Data(
                    #"""
                    {"name": "x1", "campaign": "express", "runs": "8:1-2", "release": "rel-1", "input": {"level": "raw", "selection": ["hlt_bhabha"], "files": ["/raw/1/all", "/raw/2/all"]},
                     "outputs": ["cdst"], "global_tags": ["online"], "sites": [{"name": "KEKCC", "pool": "kekcc"}], "hlt_skims": ["hlt_bhabha", "hlt_mumu"],
                     "commands": {"reconstruction": "reco", "hlt_skim": "hlt-skim"}, "output_base": "/belle/Data", "first_sequence": 7}
                    """#.utf8), file: "x.json"))
        let builder = RequestBuilder(request: request, context: Self.context())
        let jobs = Self.ids(try builder.jobs())
        #expect(Dictionary(grouping: jobs, by: \.step).mapValues(\.count) == ["hlt-skims": 4, "cdst-calibration-skims": 2], "\(jobs.map(\.step))")
        let skims = jobs.filter { $0.step == "hlt-skims" }
        #expect(Set(skims.map { $0.dataTag ?? "" }) == ["hlt_bhabha", "hlt_mumu"] && skims.allSatisfy { $0.level == .raw })
        #expect(skims.first?.outputLFN?.hasSuffix("/skim/hlt_bhabha/raw/sub00/raw_e0008r00001_000007.dst") == true, "\(skims.first?.outputLFN ?? "")")
        // The cDST reads the bhabha skims' outputs, not the catalog's bhabha files (the request names only the all-events files).
        let cdst = jobs.filter { $0.step == "cdst-calibration-skims" }
        let bhabha = Set(skims.filter { $0.dataTag == "hlt_bhabha" }.compactMap(\.outputLFN))
        #expect(cdst.allSatisfy { $0.inputs.allSatisfy(bhabha.contains) && $0.dataTag == "hlt_bhabha" }, "\(cdst.map(\.inputs))")
        let workflow = try builder.workflow(jobs: jobs)
        #expect(workflow.tasks.first { $0.name == "cdst-calibration-skims" }?.dependsOn == ["hlt-skims"])
        // Refused: HLT skims in a prompt request, or without their program.
        for (json, reason) in [
            (
                #""campaign": "prompt", "prompt_tag": "p", "hlt_skims": ["hlt_bhabha"], "commands": {"reconstruction": "r", "hlt_skim": "h"}"#,
                "express and unofficial"
            ),
            (#""campaign": "express", "hlt_skims": ["hlt_bhabha"], "commands": {"reconstruction": "r"}"#, "commands.hlt_skim"),
        ] {
            let text =
                #"{"name": "y", "runs": "8:1-2", "release": "r", "input": {"level": "raw"}, "outputs": ["cdst"], "global_tags": ["g"], "sites": [{"name": "K", "pool": "k"}], "output_base": "/b", "#
                + json + "}"
            let message = Self.refusal(text)
            #expect(message.contains(reason), "\(message)")
        }
    }
}

/// What an MC production generates: one job per share of a run, each with its seed and one of the
/// run's random-trigger files, in one array task per site below every data step in priority.
@Suite("What an MC production generates")
struct MonteCarloBuilderTests {
    static func production(background: String = "bgx1", runs: String) throws -> ProcessingRequest {
        try ProcessingRequest(
            configuration: try ConfigurationValue(
                json: Data(
                    """
                    {"name": "mc-7", "campaign": "unofficial", "runs": "8:1-2", "release": "rel-1", "input": {"level": "raw", "selection": ["hlt_random"]},
                     "outputs": ["mdst"], "global_tags": ["mc"], "sites": [{"name": "KEKCC", "pool": "kekcc"}], "priority": -1,
                     "commands": {"reconstruction": "gen", "generation": "gen"}, "output_base": "/belle/MC/r/DB00000001/MC15",
                     "monte_carlo": {"request": 7, "campaign": "MC15", "event_type": "hadron", "background": "\(background)", "background_tag": "hlt_random",
                       "events_per_job": 100, "seed": 42, "lpn_base": "/belle/MC/r/DB00000001/MC15", "runs": [\(runs)]}}
                    """.utf8), file: "mc.json"))
    }

    static let twoRuns = #"{"run": "8:1", "events": 250, "global_tags": ["mc_early"]}, {"run": "8:2", "events": 100, "global_tags": ["mc_late", "mc"]}"#

    static func context(backgroundFor runs: [Int]) -> RequestBuilder.Context {
        let files = runs.flatMap { run in
            (0..<2).map { index in
                CatalogFile(
                    lfn: "/raw/\(run)/random_\(index)", size: 1, adler32: "00000001", sha256: String(repeating: "a", count: 64), events: 30,
                    run: ExpRun(exp: 8, run: run), level: .raw, dataTag: "hlt_random", replicas: [Replica(site: "KEKCC", path: "/kek/\(run)/\(index)")])
            }
        }
        return .init(runs: [], inputFiles: files, tagIDs: ["mc": 1])
    }

    @Test func eachJobHasItsSeedItsEventsAndOneBackgroundFile() throws {
        let request = try Self.production(runs: Self.twoRuns)
        let builder = RequestBuilder(request: request, context: Self.context(backgroundFor: [1, 2]))
        let jobs = try builder.jobs()
        #expect(jobs.map(\.plannedEvents) == [84, 83, 83, 100])
        #expect(jobs.map { $0.inputs } == [["/raw/1/random_0"], ["/raw/1/random_1"], ["/raw/1/random_0"], ["/raw/2/random_0"]])
        #expect(Set(jobs.compactMap(\.seed)).count == 4)
        #expect(jobs.allSatisfy { $0.step == RequestPlan.generationStep && $0.dataTag == "hadron" && $0.level == .mdst })
        #expect(request.tags(for: jobs[0]) == ["mc_early"] && request.tags(for: jobs[3]) == ["mc_late", "mc"])
        // The same request builds the same jobs: seeds and outputs do not change between builds.
        #expect(try builder.jobs() == jobs)

        let workflow = try builder.workflow(jobs: RequestBuilderTests.ids(jobs))
        let generation = workflow.tasks.first { $0.name == RequestPlan.generationStep }
        #expect(workflow.tasks.map(\.name) == [RequestPlan.generationStep])
        #expect(generation?.commands.count == 4, "one array of all the jobs")
        #expect(generation?.priority == -1, "below every data step (0 and up)")
    }

    @Test func aRunWithoutBackgroundStopsTheProductionBeforeAnyJob() throws {
        let builder = RequestBuilder(request: try Self.production(runs: Self.twoRuns), context: Self.context(backgroundFor: [1]))
        #expect(throws: ConveyorError.invalidInput("run 8:2 has no good hlt_random files to overlay background from: no job of it could start")) {
            try builder.jobs()
        }
        // Without background, no files are needed.
        let bare = RequestBuilder(request: try Self.production(background: "bgx0", runs: Self.twoRuns), context: Self.context(backgroundFor: []))
        #expect(try bare.jobs().allSatisfy { $0.inputs.isEmpty })
    }

    @Test func productionFilesAreChecked() throws {
        #expect(RequestBuilderTests.refusal(#"{"name": "x"}"#) != "")
        let bad = try? Self.production(runs: #"{"run": "8", "events": 5, "global_tags": ["mc"]}"#)
        #expect(bad == nil)
        let noTags = try? Self.production(runs: #"{"run": "8:1", "events": 5, "global_tags": []}"#)
        #expect(noTags == nil)
    }
}
