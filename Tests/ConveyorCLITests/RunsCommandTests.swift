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
        }
    }
}
