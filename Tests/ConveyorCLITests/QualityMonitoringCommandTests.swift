import ConveyorCore
import ConveyorTestSupport
import Foundation
import Testing

/// `conveyor qm`: monitoring files from the command line, references, proposals withdrawn when a
/// newer version passes, and automatic application only where an experiment asks for it.
@Suite("Quality monitoring on the command line")
struct QualityMonitoringCommandTests {
    static func file(run: Int, layer4: Int) -> String {
        let contents = (1...8).map { $0 == 4 ? String(layer4) : "5000" }.joined(separator: ",")
        return """
            {"run": {"exp": 8, "run": \(run)}, "histograms": [{"name": "cdc/hit_map", "x": {"bins": 8, "low": 0.5, "high": 8.5}, "contents": [\(contents)], "entries": 40000}]}
            """
    }

    @Test(arguments: TestBackend.available)
    func proposalsAreWithdrawnWhenANewerVersionPassesAndAppliedOnlyWhereAsked(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let conveyor = CommandLineRunner(workingDirectory: directory.path, environment: ["CONVEYOR_DB": CommandLineTests.url(location)])
            var csv = "exp,run,type,start,stop\n"
            for run in 1...4 { csv += "8,\(run),physics,2099-01-01T0\(run):00:00Z,2099-01-01T0\(run):30:00Z\n" }
            try csv.write(toFile: directory.file("runs.csv"), atomically: true, encoding: .utf8)
            #expect(try await conveyor.run("runs", "import", "runs.csv").exitCode == 0)
            for (run, layer4) in [(1, 5000), (2, 1500), (3, 5000)] {
                try Self.file(run: run, layer4: layer4).write(toFile: directory.file("r\(run).json"), atomically: true, encoding: .utf8)
            }
            try "{\"run\": {\"exp\": 8, \"run\": 3}}".write(toFile: directory.file("bad.json"), atomically: true, encoding: .utf8)
            // One bad file refuses the whole import: nothing is stored.
            let refused = try await conveyor.run("qm", "import", "--processing", "express", "r1.json", "bad.json")
            #expect(refused.exitCode != 0 && refused.stderr == "conveyor: run 8:3: the file holds no histogram and no scalar\n", "\(refused.stderr)")
            #expect(try await conveyor.run("qm", "show", "8:1").stdout == "run 8:1 has no monitoring values\n")

            let imported = try await conveyor.run("qm", "import", "--processing", "express", "r1.json", "r2.json", "r3.json")
            #expect(imported.exitCode == 0 && imported.stdout.contains("run 8:2 express v1: 1 variable(s), none bad"), "\(imported.stdout)\(imported.stderr)")
            let set = try await conveyor.run(
                "qm", "reference", "set", "cdc/hit_map", "--exp", "8", "--runs", "1-100", "--from-run", "1", "--test", "ks:0.01,0.0001", "--reason", "run 1")
            #expect(set.stdout.contains("3 run(s) compared again, 1 proposal(s) opened"), "\(set.stdout)\(set.stderr)")
            let open = try await conveyor.run("qm", "proposals")
            #expect(open.stdout.hasPrefix("proposal 1: run 8:2 CDC BAD (express) open — cdc/hit_map: KS probability"), "\(open.stdout)")

            // Run 2's monitoring rerun with superlayer 4 back: version 2 passes, the open proposal is withdrawn.
            try Self.file(run: 2, layer4: 5000).write(toFile: directory.file("r2.json"), atomically: true, encoding: .utf8)
            #expect(try await conveyor.run("qm", "import", "--processing", "express", "r2.json").stdout.contains("v2: 1 variable(s), none bad"))
            #expect(try await conveyor.run("qm", "proposals").stdout == "no open proposals\n")
            #expect(
                try await conveyor.run("qm", "proposals", "--state", "withdrawn").stdout.contains(
                    "withdrawn by monitoring: the newest monitoring no longer fails"))

            // Applied without a person where the manager says so, and recorded as such.
            let unknown = try await conveyor.run("qm", "auto-apply", "--exp", "8", "--detectors", "KLMX")
            #expect(unknown.exitCode != 0 && unknown.stderr.contains("unknown detector 'KLMX'"), "\(unknown.stderr)")
            #expect(try await conveyor.run("qm", "auto-apply", "--exp", "8", "--detectors", "cdc").stdout == "experiment 8: applied without a person: CDC\n")
            try Self.file(run: 4, layer4: 900).write(toFile: directory.file("r4.json"), atomically: true, encoding: .utf8)
            let applied = try await conveyor.run("qm", "import", "--processing", "express", "r4.json")
            #expect(applied.stdout.contains("applied CDC BAD"), "\(applied.stdout)")
            let history = try await conveyor.run("runs", "history", "8:4")
            #expect(
                history.stdout.contains("monitoring") && history.stdout.contains("applied automatically as experiment 8 is configured to"), "\(history.stdout)")

            let trend = try await conveyor.run("qm", "trend", "cdc/hit_map", "--exp", "8", "--runs", "1-4", "--processing", "express")
            #expect(trend.exitCode == 0 && trend.stdout.contains("BAD"), "\(trend.stdout)")
            for (arguments, words) in [
                (["qm", "confirm", "77"], "no proposal 77"), (["qm", "trend", "cdc/hit_map", "--exp", "8", "--runs", "4-1"], "not a run range"),
                (["qm", "reference", "set", "x/y", "--exp", "8", "--runs", "1-2", "--test", "abs:1,2", "--reason", "r"], "--from-run RUN or --value X"),
                (["qm", "compare", "--processing", "express", "--exp", "8", "--runs", "1-2"], "two processings"),
            ] {
                let r = try await conveyor.run(arguments)
                #expect(r.exitCode != 0 && r.stderr.contains(words) && r.stderr.split(separator: "\n").count == 1, "\(arguments): \(r.stderr)")
            }
        }
    }
}
