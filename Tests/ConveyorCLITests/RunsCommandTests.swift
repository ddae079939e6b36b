import ConveyorTestSupport
import Foundation
import Testing

@Suite("Runs commands")
struct RunsCommandTests {
    @Test(arguments: TestBackend.available)
    func importFlagAndGoodRunsFromTheCommandLine(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let conveyor = CommandLineRunner(workingDirectory: directory.path, environment: ["CONVEYOR_DB": CommandLineTests.url(location)])
            try """
            exp,run,type,start,stop,events,online_lumi
            8,100,physics,2026-11-01T00:00:00Z,2026-11-01T02:00:00Z,1000,1500
            8,101,physics,2026-11-01T02:10:00Z,2026-11-01T02:30:00Z,200,500
            """.write(toFile: directory.file("runs.csv"), atomically: true, encoding: .utf8)
            let imported = try await conveyor.run("runs", "import", "runs.csv")
            #expect(imported.stdout == "2 added, 0 changed, 0 unchanged\n", "\(imported.stderr)")
            #expect(try await conveyor.run("runs", "import", "runs.csv").stdout == "0 added, 0 changed, 2 unchanged\n")
            let flagged = try await conveyor.run("runs", "flag", "8:100", "--set", "GOOD", "--reason", "certified")
            #expect(flagged.exitCode == 0, "\(flagged.stderr)")
            _ = try await conveyor.run("runs", "flag", "8:101", "--set", "BAD", "--reason", "beam loss")
            let listed = try await conveyor.run("runs", "list", "--exp", "8")
            #expect(listed.stdout.hasSuffix("total: 2 runs, 1200 events, 2000.000 /pb (2.0000 /fb)\n"), "\(listed.stdout)")
            #expect(try await conveyor.run("goodruns", "--exp", "8", "--format", "text").stdout == "8:100\n")
            #expect(try await conveyor.run("goodruns", "--exp", "8", "--complement", "--format", "text").stdout == "8:101\n")
            let history = try await conveyor.run("runs", "history", "8:101")
            #expect(history.stdout.contains("summary UNKNOWN -> BAD"))
            #expect(history.stdout.contains("beam loss"))
            let bad = try await conveyor.run("runs", "flag", "8:101", "--detector", "RICH", "--set", "GOOD", "--reason", "x")
            #expect(bad.exitCode == 1)
            #expect(bad.stderr.hasPrefix("conveyor: unknown detector 'RICH'"))
            let configured = try await conveyor.run("exp", "set", "8", "--detectors", "CDC,RICH", "--name", "test beam")
            #expect(configured.stdout == "experiment 8: CDC RICH\n", "\(configured.stderr)")
            #expect(try await conveyor.run("runs", "flag", "8:101", "--detector", "RICH", "--set", "GOOD", "--reason", "x").exitCode == 0)
            #expect(try await conveyor.run("exp", "show", "8").stdout == "experiment 8 (test beam): CDC RICH\n")
            #expect(try await conveyor.run("exp", "list").stdout.contains("test beam"))
            let empty = try await conveyor.run("exp", "set", "8", "--detectors", "CDC,,ECL")
            #expect(empty.exitCode == 1)
            #expect(empty.stderr == "conveyor: detector name '' must be 1–32 letters, digits, '_' or '-'\n")
        }
    }
}

@Suite("Files commands")
struct FilesCommandTests {
    @Test func registerShowAndLuminosityFromTheCommandLine() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let conveyor = CommandLineRunner(workingDirectory: directory.path)
        try "exp,run,events,online_lumi\n8,100,1000,10\n".write(toFile: directory.file("runs.csv"), atomically: true, encoding: .utf8)
        _ = try await conveyor.run("runs", "import", "runs.csv")
        let sha = String(repeating: "ab", count: 32)
        try """
        [{"lfn": "/belle/cdst/x.root", "size": 5, "adler32": "00000002", "sha256": "\(sha)", "events": 900, "run": {"exp": 8, "run": 100},
          "level": "cdst", "release": "release-04", "globalTags": ["prompt"], "parents": ["/belle/raw/a.root"], "status": "good", "replicas": []},
         {"lfn": "/belle/raw/a.root", "size": 10, "adler32": "00000001", "sha256": "\(sha)", "events": 400, "run": {"exp": 8, "run": 100},
          "level": "raw", "globalTags": [], "parents": [], "status": "good", "release": "",
          "replicas": [{"site": "KEKCC", "storage": "tape", "path": "/tape/a.root", "state": "available"}]}]
        """.write(toFile: directory.file("files.json"), atomically: true, encoding: .utf8)
        let registered = try await conveyor.run("files", "register", "files.json")
        #expect(registered.stdout == "2 registered, 0 already present\n", "\(registered.stderr)")
        let shown = try await conveyor.run("files", "show", "/belle/cdst/x.root")
        #expect(shown.stdout.contains("ancestor   /belle/raw/a.root (raw)"))
        try "/belle/cdst/x.root\n".write(toFile: directory.file("list.txt"), atomically: true, encoding: .utf8)
        let lumi = try await conveyor.run("files", "lumi", "--list", "list.txt")
        #expect(lumi.stdout.contains("1 files: 900 events, 4.000 /pb"), "\(lumi.stdout)")
        #expect(lumi.stdout.contains("partly covered runs: 8:100"))
        let bad = try await conveyor.run("files", "list", "--level", "tape")
        #expect(bad.exitCode == 1)
        #expect(bad.stderr == "conveyor: unknown data level 'tape' (expected one of: raw, cdst, mdst, udst)\n")
    }
}
