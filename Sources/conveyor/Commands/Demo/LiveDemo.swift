import ConveyorConditions
import ConveyorCore
import ConveyorDataTaking
import ConveyorLive
import ConveyorRuns
import ConveyorStore
import ConveyorWorkflow
import Foundation
import Logging

/// `conveyor demo --live`: data taking as it happens. The simulated DAQ takes runs one after
/// another into an inbox; Conveyor takes them in, runs express on each batch of files as it
/// arrives, runs the prompt calibration loop per run, releases PromptReco through the handshake
/// with short delays, closes the run whose end record never comes, and a demo shifter abandons one
/// run and certifies the others. The summary gives per run the seconds from its end to express,
/// to calibration uploaded and to PromptReco done.
struct LiveDemo {
    let folder: String
    let runs: Int
    let events: Int

    static let daq = Actor(name: "demo-daq", role: .manager)
    static let shifter = DemoRun.shifter
    /// The run the shifter finds bad, and the one whose end record never comes.
    var badRun: Int? { runs >= 3 ? 3 : nil }
    var endless: Int? { runs >= 4 ? 4 : nil }

    func run() async throws {
        let started = ContinuousClock.now
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var logger = Logger(label: "conveyor.demo")
        logger.logLevel = .error
        let location = StoreLocation.sqlite(path: "\(folder)/conveyor.sqlite")
        try await Store.withOpened(location, logger: logger) { store in
            let live = LiveDataTaking(store: store)
            if try await live.configuration() != nil {
                say("Live data taking already ran in \(folder); its summary:")
                try await summary(store, started: nil)
                return
            }
            let sim = try DemoRun.simulator()
            try await prepare(store, sim: sim)
            JobEnvironment.scrub(for: location)
            let service = SchedulerService(
                store: store, jobRoot: "\(folder)/jobs", pollInterval: .milliseconds(250), stop: .never, plugins: try .production(store: store),
                logger: logger)
            let scheduler = Task { try await service.run() }
            defer { scheduler.cancel() }
            let daq = try startDAQ(sim)
            defer { if daq.isRunning { daq.terminate() } }
            say(
                "The DAQ takes \(runs) runs of \(events) events, 3 raw files each, one every few seconds\(endless.map { "; run 8:\($0) never gets its end record" } ?? "")."
            )
            try await follow(store, daq: daq)
            scheduler.cancel()
            _ = try? await scheduler.value
            try await summary(store, started: started)
        }
    }

    /// Tags with nominal constants, the pool and the data-taking configuration.
    private func prepare(_ store: Store, sim: String) async throws {
        let conditions = ConditionsDatabase(store: store)
        for tag in ["demo_online", "demo_pcl"] {
            _ = try await conditions.createTag(
                named: tag, type: .data, description: tag == "demo_pcl" ? "the prompt calibration loop's tag" : "base constants", by: DemoRun.manager)
            for (name, text) in DemoRun.nominalConstants where tag == "demo_online" || name != "ECLGains" {
                try await conditions.upload(
                    name: name, bytes: Data((text + "\n").utf8), intoTag: tag, iov: .from(ExpRun(exp: 0, run: 0)), description: "nominal \(name)",
                    by: DemoRun.manager)
            }
            try await conditions.setState(ofTag: tag, to: .running, by: DemoRun.manager)
        }
        try await conditions.setSynchronisation(ofTag: "demo_pcl", to: .pcl, by: DemoRun.manager)
        let slots = max(2, ProcessInfo.processInfo.activeProcessorCount)
        try await Workflows(store: store).savePool(try Pool(name: "demo", executor: .local, slots: slots), by: DemoRun.manager)
        let configuration = """
            # The live demo's data taking: express makes the HLT skims of each file as it arrives and the cDST of the
            # bhabha skim; two prompt calibrations per run read them into demo_pcl; PromptReco released by the handshake.
            global:
              release: sim-release-01
              express_tags: [demo_online]
              prompt_tags: [demo_pcl, demo_online]
              site: {name: \(DemoRun.site), pool: demo}
              output_base: /demo/data
              commands: {reconstruction: "\(sim) reco", quality: "\(sim) quality", hlt_skim: "\(sim) hlt-skim"}
              prompt: {delay: 180s, lock_offset: 5s, close_after: 8s, minimum_delay: 4s}
            streams:
              - name: physics
                express: {hlt_skims: [hlt_bhabha, hlt_hadron], selection: [hlt_bhabha], outputs: [cdst]}
                calibrations:
                  - {name: beamspot, command: "\(sim) calibrate beamspot", tag: demo_pcl, input: express, data_tags: [hlt_bhabha], harvest_timeout: 90s, upload_timeout: 150s}
                  - {name: cdc_t0, command: "\(sim) calibrate cdc-t0", tag: demo_pcl, input: express, level: raw, data_tags: [hlt_bhabha], harvest_timeout: 90s, upload_timeout: 150s}
                prompt_reco: {outputs: [mdst]}

            """
        try configuration.write(toFile: "\(folder)/live.yaml", atomically: true, encoding: .utf8)
        try await LiveDataTaking(store: store).configure(
            Data(configuration.utf8), fileName: "\(folder)/live.yaml", trackFrom: ExpRun(exp: DemoRun.exp, run: 1), by: DemoRun.manager)
        say(
            "Data taking configured (\(folder)/live.yaml): express makes the HLT skims and the bhabha cDST per batch of files; calibrations beamspot and cdc_t0 per run into demo_pcl (pcl);"
        )
        say(
            "PromptReco released 180 s after a run's end, or 4 s after once its calibrations are done; a run without an end record is closed 8 s after its last file."
        )
    }

    private func startDAQ(_ sim: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sim)
        process.arguments =
            [
                "daq", "--exp", String(DemoRun.exp), "--runs", "1-\(runs)", "--events", String(events), "--files-per-run", "3", "--run-seconds", "3",
                "--gap-seconds", "1", "--inbox", "\(folder)/inbox", "--out", "\(folder)/data", "--site", DemoRun.site,
            ] + (endless.map { ["--no-end", String($0)] } ?? [])
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try FileManager.default.createDirectory(atPath: "\(folder)/inbox", withIntermediateDirectories: true)
        try process.run()
        return process
    }

    /// Takes the inbox in, says what changes, acts as the shifter, until every run stream has ended.
    private func follow(_ store: Store, daq: Process) async throws {
        let inbox = RunInbox(folder: "\(folder)/inbox", arrival: RunArrival(store: store))
        let live = LiveDataTaking(store: store)
        let prompt = PromptReco(store: store)
        let registry = RunRegistry(store: store)
        var said: [String: LiveStage] = [:]
        var certified: Set<Int> = []
        let deadline = ContinuousClock.now + .seconds(90 + 25 * runs)
        while ContinuousClock.now < deadline {
            for outcome in try await inbox.drain(by: Self.daq) where outcome.refusal != nil {
                say("inbox: \(outcome.name) refused: \(outcome.refusal ?? "")")
            }
            let status = try await live.status(limit: runs * 2)
            for stream in status.streams.sorted(by: { $0.run < $1.run }) where said["\(stream.run)"] != stream.stage {
                said["\(stream.run)"] = stream.stage
                say("run \(stream.run) \(stream.stream): \(stream.stage) — \(stream.reason)")
            }
            for run in status.handshake.runs {
                let number = run.run.run
                if number == badRun, run.disposition == .normal, run.releasedAt == nil, run.effectiveEnd != nil {
                    let reason = "CDC HV trip in the express histograms"
                    say("\(Self.shifter.name) (\(Self.shifter.role)) abandons run \(run.run)'s PromptReco and flags it BAD: \(reason)")
                    try await prompt.setDisposition(of: run.run, to: .abandoned, reason: reason, by: Self.shifter)
                    try await registry.flag(run.run, to: .bad, reason: reason, by: Self.shifter)
                }
            }
            for stream in status.streams where stream.stage == .prompt_done && !certified.contains(stream.run.run) {
                certified.insert(stream.run.run)
                say("\(Self.shifter.name) certifies run \(stream.run) GOOD from its PromptReco")
                try await registry.flag(stream.run, to: .good, reason: "PromptReco looks fine", by: Self.shifter)
            }
            let ended = status.streams.filter(\.stage.isFinal).count
            if !daq.isRunning, status.streams.count == runs, ended == runs { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw ConveyorError.conflict("live data taking did not finish in time: see `conveyor live status --db \(folder)/conveyor.sqlite`")
    }

    /// Per run: seconds from its end to express done, calibrations uploaded and PromptReco done.
    private func summary(_ store: Store, started: ContinuousClock.Instant?) async throws {
        let live = LiveDataTaking(store: store)
        var rows: [[String]] = []
        var express: [Double] = [], uploaded: [Double] = [], done: [Double] = [], latency: [Double] = []
        for number in 1...runs {
            let run = ExpRun(exp: DemoRun.exp, run: number)
            guard let detail = try? await live.run(run), let end = detail.prompt?.run.effectiveEnd else { continue }
            func after(_ stage: String) -> Double? { detail.events.first { $0.stage == stage }.map { max(0, $0.at.seconds(since: end)) } }
            let e = after("express_done"), u = after("uploaded"), p = after("prompt_done")
            if let e { express.append(e) }
            if let u { uploaded.append(u) }
            if let p { done.append(p) }
            let stream = detail.streams.first
            if let seconds = stream?.expressLatencySeconds { latency.append(seconds) }
            func text(_ v: Double?) -> String { v.map { String(format: "%.1f", $0) } ?? "–" }
            rows.append([
                run.description, detail.prompt?.run.end == nil ? "closed by timeout" : "end record", text(e), text(u), text(p),
                stream?.stage.rawValue ?? "", stream.flatMap(\.expressLatencySeconds).map { String(format: "%.1f", $0) } ?? "–",
            ])
        }
        print("")
        print("Live data taking: seconds after each run's end (or its close)")
        Output.table(["RUN", "END", "EXPRESS", "CALIBRATED", "PROMPTRECO", "NOW", "LAST FILE→EXPRESS"], rows, rightAligned: [2, 3, 4, 6])
        func median(_ values: [Double]) -> String { values.isEmpty ? "–" : String(format: "%.1f s", values.sorted()[values.count / 2]) }
        print("median: express \(median(express)), calibrations uploaded \(median(uploaded)), PromptReco done \(median(done))")
        if let worst = latency.max() {
            print(
                String(
                    format: "a run's last raw file to its last express output registered: median %@, worst %.1f s over %d runs", median(latency), worst,
                    latency.count))
        }
        let fcsr = try await PromptReco(store: store).firstConditionSafeRun()
        print(
            "first condition-safe run: \(fcsr?.description ?? "none"); payloads per run in demo_pcl: `conveyor iov list demo_pcl --db \(folder)/conveyor.sqlite`"
        )
        if let started { print(String(format: "wall time %.1f s", Double((ContinuousClock.now - started).components.seconds))) }
        print("Look at it: conveyor serve --db \(folder)/conveyor.sqlite --anonymous-read   # then http://127.0.0.1:8080/data-taking")
    }

    func say(_ text: String) {
        print("[demo] \(text)")
        fflush(nil)
    }
}
