import ConveyorConditions
import ConveyorCore
import ConveyorDataManagement
import ConveyorExecutors
import ConveyorJob
import ConveyorRequests
import ConveyorRuns
import ConveyorStore
import ConveyorWorkflow
import Foundation
import Logging

/// The demo's steps, in order; each says on screen what it does and who does it.
struct DemoRun {
    let folder: String
    let runs: Int
    let events: Int
    let executor: String
    let keepGoing: Bool

    static let request = "demo-prompt", bucket = "demo-bucket", exp = 8
    static let manager = Actor(name: "demo-manager", role: .manager)
    static let shifter = Actor(name: "demo-shifter", role: .expert)
    static let site = "DEMO"
    /// The second site: an analysis site that receives the mDST.
    static let analysisSite = "BNL"
    static let admin = Actor(name: "demo-admin", role: .admin)
    /// The simulated detector's constants before any calibration: the previous bucket's, as the demos start from.
    static let nominalConstants: [(name: String, text: String)] = [
        ("ECLGains", Array(repeating: "1.0", count: 16).joined(separator: " ")), ("CDCT0", "0.0"), ("BeamSpot", "0.0 0.0"),
    ]

    var database: String { "\(folder)/conveyor.sqlite" }
    var data: String { "\(folder)/data" }

    func run() async throws {
        let started = ContinuousClock.now
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let location = StoreLocation.sqlite(path: database)
        var logger = Logger(label: "conveyor.demo")
        logger.logLevel = .error
        try await Store.withOpened(location, logger: logger) { store in
            let requests = Requests(store: store)
            if let done = try await requests.list().first(where: { $0.record.name == Self.request }), done.state == .done {
                say("The bucket in \(folder) is already processed (request \(Self.request), workflow \(done.record.workflowID ?? 0)); nothing to redo.")
                try await DemoSummary(store: store, folder: folder, started: nil).print()
                return
            }
            let sim = try Self.simulator()
            if try await requests.list().contains(where: { $0.record.name == Self.request }) {
                say("Continuing the demo in \(folder): request \(Self.request) exists and is not finished.")
            } else {
                try await prepare(store, sim: sim)
            }
            JobEnvironment.scrub(for: location)
            try await DemoDriver(store: store, folder: folder, keepGoing: keepGoing, logger: logger).run()
            try await DemoRound(store: store, folder: folder, sim: sim, logger: logger).run()
            try await DemoMonteCarlo(store: store, folder: folder, sim: sim, runs: runs, logger: logger).run()
            try await DemoSummary(store: store, folder: folder, started: started).print()
        }
    }

    /// Everything before the request: data, runs and their quality, files, tags, pool, bucket.
    private func prepare(_ store: Store, sim: String) async throws {
        say("Simulating \(runs) runs of experiment \(Self.exp) with \(events) events each (conveyor-sim generate) …")
        try await Self.simulate(sim, ["generate", "--exp", String(Self.exp), "--runs", "1-\(runs)", "--events", String(events), "--out", data])
        let raw = "\(data)/raw/e\(String(format: "%04d", Self.exp))"
        let skims = ["hlt_bhabha": "bhabha", "hlt_hadron": "hadron", "hlt_mumu": "mumu"]
        say("HLT skims per run: \(skims.keys.sorted().joined(separator: ", ")) (conveyor-sim hlt-skim, pure I/O) …")
        for run in 1...runs {
            let file = "\(raw)/r\(String(format: "%05d", run)).raw"
            for (tag, trigger) in skims.sorted(by: { $0.key < $1.key }) {
                try await Self.simulate(sim, ["hlt-skim", "--triggers", trigger, "--output", "\(raw)/r\(String(format: "%05d", run)).\(tag).raw", file])
            }
        }

        let registry = RunRegistry(store: store)
        let report = try await registry.importSummary(try Data(contentsOf: URL(fileURLWithPath: "\(data)/runs.csv")), name: "runs.csv", by: Self.manager)
        say("Registered \(report.added) runs in the run registry (as \(Self.manager.name)).")
        let flagged = try await DemoMonitoring(store: store, sim: sim, data: data, runs: runs, say: say).certify()
        let bad = Set(flagged.map(\.run)).sorted().map { run in
            "\(run) (\(flagged.filter { $0.run == run }.map(\.detector).joined(separator: ", ")))"
        }
        say(
            "Certified run quality as \(Self.shifter.name): \(runs - bad.count) GOOD, \(bad.count) BAD\(bad.isEmpty ? "" : ": runs " + bad.joined(separator: ", "))."
        )

        var files: [CatalogFile] = []
        for run in 1...runs {
            for tag in [nil] + skims.keys.sorted() {
                let name = "r\(String(format: "%05d", run))\(tag.map { ".\($0)" } ?? "").raw"
                let path = "\(raw)/\(name)"
                let (sums, count) = try Self.checksums(path)
                // The HLT skims stay on disk for the calibrations; the full raw data went to tape.
                let replica = tag == nil ? Replica(site: Self.site, storage: .tape, path: path) : Replica(site: Self.site, path: path)
                files.append(
                    CatalogFile(
                        lfn: "/demo/raw/e\(String(format: "%04d", Self.exp))/r\(String(format: "%05d", run))/\(name)", size: sums.size,
                        adler32: sums.adler32, sha256: sums.sha256, events: count, run: ExpRun(exp: Self.exp, run: run), level: .raw,
                        dataTag: tag, replicas: [replica]))
            }
        }
        let dm = DataManagement(store: store)
        for endpoint in try storageEndpoints() { try await dm.saveEndpoint(endpoint, by: Self.admin) }
        say("Storage: DEMO_TAPE (simulated tape, 0.2 s recall) and DEMO_DISK at \(Self.site), BNL_DISK at \(Self.analysisSite) (as \(Self.admin.name)).")
        let registered = try await FileCatalog(store: store).register(files, by: Self.manager)
        say(
            "Registered \(registered.registered) raw files in the file catalog at site \(Self.site): the HLT skims on disk, the full raw data on (simulated) tape."
        )

        let conditions = ConditionsDatabase(store: store)
        for tag in ["demo_online", "demo_prompt"] {
            _ = try await conditions.createTag(
                named: tag, type: .data, description: tag == "demo_prompt" ? "the prompt tag" : "base constants", by: Self.manager)
            for (name, text) in Self.nominalConstants {
                try await conditions.upload(
                    name: name, bytes: Data((text + "\n").utf8), intoTag: tag, iov: .from(ExpRun(exp: 0, run: 0)),
                    description: "nominal \(name)", by: Self.manager)
            }
        }
        try await conditions.setState(ofTag: "demo_prompt", to: .running, by: Self.manager)
        for state in [GlobalTagState.testing, .validated, .published] {
            try await conditions.setState(ofTag: "demo_online", to: state, confirm: "demo_online", by: Self.manager)
        }
        say("Global tags: demo_online (PUBLISHED base) and demo_prompt (RUNNING), both with nominal constants: the previous bucket's calibration.")

        let workflows = Workflows(store: store)
        if executor == "slurm" { try await Self.requireSlurm() }
        let slots = executor == "slurm" ? 50 : max(2, ProcessInfo.processInfo.activeProcessorCount)
        try await workflows.savePool(try Pool(name: "demo", executor: try ExecutorKind(parsing: executor), slots: slots), by: Self.manager)
        let bucket = try await registry.createBucket(named: Self.bucket, exp: Self.exp, runs: 1...runs, by: Self.manager)
        say(String(format: "Bucket %@: %d GOOD runs, %.1f /pb (BAD runs left out).", Self.bucket, bucket.members.count, bucket.luminosity))

        let configuration = requestConfiguration(sim: sim)
        try configuration.write(toFile: "\(folder)/request.yaml", atomically: true, encoding: .utf8)
        let submitted = try await Requests(store: store).submit(Data(configuration.utf8), name: "request.yaml", by: Self.manager)
        say(
            "Submitted request \(Self.request) (\(folder)/request.yaml) as \(Self.manager.name): workflow \(submitted.workflowID), "
                + "\(submitted.tasks) tasks, \(submitted.jobs) jobs on pool demo (\(executor), \(slots) slots).")
    }

    /// Two sites: DEMO with a simulated tape (a folder with a recall delay) and a disk that keeps
    /// nothing it does not need, BNL with a disk for the mDST.
    private func storageEndpoints() throws -> [StorageEndpoint] {
        [
            try StorageEndpoint(
                name: "DEMO_TAPE", site: Self.site, kind: .tape, prefix: "\(data)/raw", attributes: ["country": "JP"],
                recallCommand: "sleep 0.2; test -f {path}"),
            // Free-space target = quota: every copy no rule holds is deleted at once (staged raw data, expired cDST).
            try StorageEndpoint(
                name: "DEMO_DISK", site: Self.site, kind: .disk, prefix: "\(folder)/storage", attributes: ["country": "JP", "tier": "0"],
                quotaBytes: 1 << 40, freeSpaceTargetBytes: 1 << 40),
            try StorageEndpoint(
                name: "BNL_DISK", site: Self.analysisSite, kind: .disk, prefix: "\(folder)/bnl", attributes: ["country": "US", "tier": "1"]),
        ]
    }

    func requestConfiguration(sim: String) -> String {
        """
        # The demo's prompt request: calibrate the bucket, sign off, running-update demo_prompt, process.
        name: \(Self.request)
        campaign: prompt
        bucket: \(Self.bucket)
        release: sim-release-01
        input: {level: raw, selection: all}
        outputs: [cdst, mdst]
        global_tags: [demo_online]
        staging_tag: demo_staging
        prompt_tag: demo_prompt
        sites: [{name: \(Self.site), pool: demo, storage: \(folder)/storage}]
        calibrations:
          - {name: ecl_gains, command: "\(sim) calibrate ecl-gains", expert: demo-ecl-expert, max_iterations: 3, input: {data_tags: [hlt_bhabha]}}
          - {name: cdc_t0, command: "\(sim) calibrate cdc-t0", expert: demo-cdc-expert, input: {data_tags: [hlt_bhabha]}}
          - {name: beamspot, command: "\(sim) calibrate beamspot", expert: demo-ip-expert, depends_on: [cdc_t0], input: {data_tags: [hlt_bhabha], level: cdst}}
        skims: [hadron]
        commands: {reconstruction: "\(sim) reco", skim: "\(sim) skim", quality: "\(sim) quality"}
        retry_cooloff: 2
        output_base: /demo/data
        output_rules:
          - {level: mdst, rse: 'site=\(Self.analysisSite)&kind=disk'}
          - {level: cdst, rse: 'site=\(Self.site)&kind=disk', lifetime: 5s}

        """
    }

    func say(_ text: String) { print("[demo] \(text)") }

    /// `conveyor-sim` beside this program, or `$CONVEYOR_SIM`.
    static func simulator() throws -> String {
        if let given = ProcessInfo.processInfo.environment["CONVEYOR_SIM"], FileManager.default.isExecutableFile(atPath: given) { return given }
        if let me = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let beside = (me as NSString).deletingLastPathComponent + "/conveyor-sim"
            if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        }
        throw ConveyorError.unavailable(
            "conveyor-sim, the simulated experiment, is not beside conveyor: build it with `swift build --product conveyor-sim` (or set CONVEYOR_SIM)")
    }

    /// `sinfo` answers: a Slurm cluster is reachable with this machine's configuration.
    static func requireSlurm() async throws {
        do { _ = try await BatchCommands(folder: nil, timeout: .seconds(30)).succeed("sinfo", ["-h", "-o", "%P"]) } catch {
            throw ConveyorError.unavailable("--executor slurm: no Slurm cluster is reachable (\(error.message); is SLURM_CONF set?)")
        }
    }

    /// Runs `conveyor-sim` and returns what it printed; a failure is an error with its stderr's first line.
    @discardableResult
    static func simulate(_ sim: String, _ arguments: [String]) async throws(ConveyorError) -> String {
        try await BatchCommands(folder: (sim as NSString).deletingLastPathComponent, timeout: .seconds(3_600))
            .succeed((sim as NSString).lastPathComponent, arguments)
    }

    /// Checksums, and the event count from the file's header (bytes 20–23, little-endian).
    static func checksums(_ path: String) throws -> (FileChecksums, Int64) {
        let sums = try FileChecksums(ofFileAt: path)
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let header = try handle.read(upToCount: 24) ?? Data()
        let count = header.count == 24 ? header[20..<24].enumerated().reduce(Int64(0)) { $0 | Int64($1.element) << (8 * $1.offset) } : 0
        return (sums, count)
    }
}
