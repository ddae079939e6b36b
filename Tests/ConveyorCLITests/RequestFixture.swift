import ConveyorCore
import ConveyorTestSupport
import Foundation
import Testing

/// A small experiment for request tests: runs in the registry, raw files on disk and in the
/// catalog, tags, a local pool, and shell scripts standing in for the experiment's programs.
///
/// - `bin/reco`: writes its environment to `program.env` in its working directory (the job's
///   folder); copies its inputs' lines to the output, adds a line with the level and tags,
///   reports `events`; logs each output it writes to `reco.log`; sleeps `$RECO_SLEEP` seconds;
///   fails on inputs whose path contains `$RECO_FAIL`.
/// - `bin/calib MODE`: `iterate` asks to iterate until iteration 3; `merge` says not_enough_data
///   for ranges of one run; `fail` fails; then writes `<calibration>Constants.txt`.
/// - `bin/skim`: keeps the lines holding the skim's name. `bin/quality`: reports a mass peak.
struct RequestFixture {
    let directory: TemporaryDirectory
    let conveyor: CommandLineRunner
    let runs: [Int]
    /// The site of the raw files and of the request's jobs.
    let site: String

    static let filesPerRun: [(tag: String?, count: Int)] = [("hlt_bhabha", 2), ("hlt_hadron", 1), (nil, 2)]

    init(
        directory: TemporaryDirectory, database: String, runs: [Int] = [1, 2, 3, 4], recoSleep: Double = 0, recoFailsOn: String = "", site: String = "KEKCC",
        environment: [String: String] = [:]
    ) throws {
        self.directory = directory
        self.runs = runs
        self.site = site
        conveyor = CommandLineRunner(
            workingDirectory: directory.path,
            environment: ["CONVEYOR_DB": database, "RECO_SLEEP": String(recoSleep), "RECO_FAIL": recoFailsOn].merging(environment) { _, given in given })
        let bin = directory.file("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let scripts = [
            "reco": """
            #!/bin/sh
            set -e
            env > program.env
            sleep "${RECO_SLEEP:-0}"
            if [ -n "$RECO_FAIL" ]; then case "$CONVEYOR_INPUT" in *"$RECO_FAIL"*) echo "cannot read $CONVEYOR_INPUT" >&2; exit 3 ;; esac; fi
            cat $CONVEYOR_INPUT > "$CONVEYOR_OUTPUT"
            echo "level=$CONVEYOR_OUTPUT_LEVEL tags=$CONVEYOR_GLOBAL_TAGS" >> "$CONVEYOR_OUTPUT"
            echo "$CONVEYOR_OUTPUT" >> \(directory.file("reco.log"))
            echo "events=$(cat $CONVEYOR_INPUT | wc -l)" > "$CONVEYOR_REPORT"
            """,
            "calib": """
            #!/bin/sh
            case "$1" in
              iterate) if [ "$CONVEYOR_ITERATION" -lt 3 ]; then echo iterate > "$CONVEYOR_RESULT"; exit 0; fi ;;
              merge) if [ "$(echo "$CONVEYOR_RUNS" | tr ',' '\\n' | wc -l)" -lt 2 ]; then echo not_enough_data > "$CONVEYOR_RESULT"; exit 0; fi ;;
              fail) echo "residuals do not converge" >&2; echo failure > "$CONVEYOR_RESULT"; exit 0 ;;
            esac
            echo "$CONVEYOR_CALIBRATION runs $CONVEYOR_RUNS iteration $CONVEYOR_ITERATION from $(echo $CONVEYOR_INPUT | wc -w) files" \\
              > "$CONVEYOR_PAYLOAD_DIR/${CONVEYOR_CALIBRATION}Constants.txt"
            echo ok > "$CONVEYOR_RESULT"
            """,
            "skim": """
            #!/bin/sh
            grep -h "$CONVEYOR_SKIM" $CONVEYOR_INPUT > "$CONVEYOR_OUTPUT" || true
            echo "events=$(wc -l < "$CONVEYOR_OUTPUT")" > "$CONVEYOR_REPORT"
            """,
            "quality": """
            #!/bin/sh
            printf 'mass_peak=3.097\\nfiles=%s\\n' "$(echo $CONVEYOR_INPUT | wc -w)" > "$CONVEYOR_REPORT"
            """,
        ]
        for (name, text) in scripts {
            try (text + "\n").write(toFile: "\(bin)/\(name)", atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(bin)/\(name)")
        }
    }

    /// Runs a command that must succeed; returns its stdout.
    @discardableResult
    func ok(_ arguments: String...) async throws -> String {
        try await ok(arguments)
    }

    @discardableResult
    func ok(_ arguments: [String]) async throws -> String {
        let result = try await conveyor.run(arguments)
        #expect(result.exitCode == 0, "conveyor \(arguments.joined(separator: " ")): \(result.stderr)")
        return result.stdout
    }

    /// The raw LFN of run `run`'s `index`-th file of `tag`.
    /// Where a raw file's bytes are on this machine: one file per LFN (the runs' files share their names).
    func rawPath(_ lfn: String) -> String {
        directory.file("raw/" + lfn.dropFirst().replacingOccurrences(of: "/", with: "_"))
    }

    static func rawLFN(run: Int, tag: String?, index: Int) -> String {
        "/belle/raw/e0008/r\(String(format: "%05d", run))/raw_\(tag ?? "all")_\(index).sroot"
    }

    /// Registers runs (GOOD, bucket `b1`), raw files (on disk at KEKCC, or only on tape for
    /// `onTape`), the `online` and RUNNING `prompt` tags and a local pool.
    func prepare(onTape: Set<String> = []) async throws {
        var csv = "exp,run,type,start,stop,events,online_lumi\n"
        for run in runs { csv += "8,\(run),physics,2026-11-01T0\(run):00:00Z,2026-11-01T0\(run):50:00Z,25,\(10 + run)\n" }
        try csv.write(toFile: directory.file("runs.csv"), atomically: true, encoding: .utf8)
        try await ok("runs", "import", "runs.csv")
        for run in runs { try await ok("runs", "flag", "8:\(run)", "--set", "GOOD", "--reason", "certified") }
        try await ok("bucket", "create", "b1", "--exp", "8", "--runs", "\(runs.min()!)-\(runs.max()!)")
        try FileManager.default.createDirectory(atPath: directory.file("raw"), withIntermediateDirectories: true)
        var files: [CatalogFile] = []
        for run in runs {
            for (tag, count) in Self.filesPerRun {
                for index in 0..<count {
                    let lfn = Self.rawLFN(run: run, tag: tag, index: index)
                    let path = rawPath(lfn)
                    let data = Data((0..<5).map { "event r\(run) \(tag ?? "all") f\(index) e\($0) \($0 % 2 == 0 ? "hadron" : "mumu")\n" }.joined().utf8)
                    try data.write(to: URL(fileURLWithPath: path))
                    var sums = FileChecksums()
                    sums.update(data)
                    let replica = onTape.contains(lfn) ? Replica(site: site, storage: .tape, path: path) : Replica(site: site, path: path)
                    files.append(
                        CatalogFile(
                            lfn: lfn, size: sums.size, adler32: sums.adler32, sha256: sums.sha256, events: 5, run: ExpRun(exp: 8, run: run),
                            level: .raw, dataTag: tag, replicas: [replica]))
                }
            }
        }
        try JSONEncoder().encode(files).write(to: URL(fileURLWithPath: directory.file("raw.json")))
        try await ok("files", "register", "raw.json")
        try "base constants".write(toFile: directory.file("base.txt"), atomically: true, encoding: .utf8)
        try await ok("gt", "create", "online", "--type", "DATA")
        try await ok("payload", "upload", "BeamSpot", "base.txt", "--gt", "online", "--iov", "0,0,-1,-1")
        try await ok("gt", "set-state", "online", "RUNNING")  // processing reads frozen tags only
        try await ok("gt", "create", "prompt", "--type", "DATA")
        try await ok("payload", "upload", "cdcConstants", "base.txt", "--gt", "prompt", "--iov", "0,0,-1,-1")
        try await ok("gt", "set-state", "prompt", "RUNNING")
        try await ok("pool", "add", "local", "--executor", "local", "--slots", "4")
    }

    /// A request file; `calibrations` are YAML list items.
    func writeRequest(
        name: String = "prompt-b1", campaign: String = "prompt", calibrations: [String], outputs: String = "[cdst, mdst]",
        skims: String = "[hadron]", file: String = "request.yaml", extra: String = "", sites: String? = nil
    ) throws {
        let bin = directory.file("bin")
        var text = """
            name: \(name)
            campaign: \(campaign)
            bucket: b1
            release: release-08-01-00
            input: {level: raw, selection: all}
            outputs: \(outputs)
            global_tags: [online]
            sites: \(sites ?? "[{name: \(site), pool: local, storage: \(directory.file("storage"))}]")
            skims: \(skims)
            commands: {reconstruction: \(bin)/reco, skim: \(bin)/skim, quality: \(bin)/quality}
            retry_cooloff: 0
            max_file_failures: 2
            output_base: /belle/Data

            """
        if campaign != "unofficial" { text += "staging_tag: staging_b1\nprompt_tag: prompt\n" }
        if !calibrations.isEmpty { text += "calibrations:\n" + calibrations.map { "  - \($0)\n" }.joined() }
        text += extra
        try text.write(toFile: directory.file(file), atomically: true, encoding: .utf8)
    }

    /// Runs the scheduler until the request needs a person or has ended.
    func schedule() async throws {
        let result = try await conveyor.run("scheduler", "--until-blocked")
        #expect(result.exitCode == 0, "scheduler: \(result.stderr)")
    }

    func json(_ arguments: String...) async throws -> [String: Any] {
        let result = try await conveyor.run(arguments + ["--json"])
        #expect(result.exitCode == 0, "\(arguments): \(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    /// The request's steps by name with their state, from `request show --json`.
    func stepStates(_ name: String = "prompt-b1") async throws -> [String: String] {
        let shown = try await json("request", "show", name)
        var states: [String: String] = [:]
        for step in shown["steps"] as? [[String: Any]] ?? [] { states[step["name"] as? String ?? ""] = step["state"] as? String }
        return states
    }

    /// Outputs the catalog holds for the request's release.
    func catalogOutputs() async throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        for level in ["cdst", "mdst", "udst"] {
            let result = try await conveyor.run("files", "list", "--exp", "8", "--level", level, "--json")
            let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
            all += (parsed as? [[String: Any]]) ?? ((parsed as? [String: Any])?["files"] as? [[String: Any]] ?? [])
        }
        return all
    }

    /// Every output the reco script wrote, in order (one line per write).
    func recoLog() -> [String] {
        ((try? String(contentsOfFile: directory.file("reco.log"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
