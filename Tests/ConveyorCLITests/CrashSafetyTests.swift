import ConveyorTestSupport
import Foundation
import Testing

/// Issue 5's crash-safety proof: the scheduler is killed with SIGKILL at random moments of a
/// 200-task DAG, again and again, and restarted; in the end every task (and every element of
/// the array tasks) has run exactly once and the workflow has succeeded.
@Suite("Crash safety")
struct CrashSafetyTests {
    static func dag(log: String) -> String {
        var lines = ["name: crash-test", "tasks:"]
        for i in 0..<200 {
            var dependencies: [String] = []
            if i % 4 != 0 { dependencies.append("t\(i - 1)") }
            if i >= 4 { dependencies.append("t\(i - 4)") }
            lines.append("  - name: t\(i)")
            lines.append("    command: echo $CONVEYOR_TASK.$CONVEYOR_ARRAY_INDEX >> \(log); sleep 0.0\(i % 5)")
            if i % 25 == 0 { lines.append("    array: 4") }
            if !dependencies.isEmpty { lines.append("    depends_on: [\(dependencies.joined(separator: ", "))]") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test(arguments: TestBackend.available)
    func everyTaskRunsExactlyOnceThroughRepeatedKills(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let conveyor = CommandLineRunner(workingDirectory: directory.path, environment: ["CONVEYOR_DB": CommandLineTests.url(location)])
            let log = directory.file("ran.log")
            try Self.dag(log: log).write(toFile: directory.file("dag.yaml"), atomically: true, encoding: .utf8)
            #expect(try await conveyor.run("pool", "add", "local", "--executor", "local", "--slots", "6").exitCode == 0)
            let submitted = try await conveyor.run("wf", "submit", "dag.yaml")
            #expect(submitted.stdout == "submitted workflow 1\n", "\(submitted.stderr)")

            var generator = SystemRandomNumberGenerator()
            var kills = 0
            var finished = false
            for _ in 0..<40 {
                let delay = Duration.milliseconds(Int.random(in: 100...700, using: &generator))
                let outcome = try await conveyor.runKilled(["scheduler", "--until-idle"], after: delay)
                if outcome.endedOnItsOwn {
                    #expect(outcome.exitCode == 0)
                    finished = true
                    break
                }
                kills += 1
            }
            if !finished { finished = try await conveyor.runKilled(["scheduler", "--until-idle"], after: .seconds(120)).endedOnItsOwn }
            #expect(finished, "the scheduler finished the workflow")
            #expect(kills >= 3, "the scheduler was killed mid-run several times (\(kills))")

            let ran = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
            let expected = (0..<200).flatMap { i in (0..<(i % 25 == 0 ? 4 : 1)).map { "t\(i).\($0)" } }
            let counts = Dictionary(ran.map { ($0, 1) }, uniquingKeysWith: +)
            #expect(counts.filter { $0.value > 1 }.isEmpty, "ran twice: \(counts.filter { $0.value > 1 }.keys.sorted().prefix(10))")
            #expect(Set(ran) == Set(expected), "missing: \(Set(expected).subtracting(ran).sorted().prefix(10))")
            let shown = try await conveyor.run("wf", "show", "1", "--json")
            let json = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any]
            #expect((json?["workflow"] as? [String: Any])?["state"] as? String == "succeeded", "\(shown.stdout.prefix(300))")
        }
    }
}

/// Issue 13's extension: a whole processing request (action steps included: prepare-staging,
/// gt.check, set-state, the running update) while the scheduler is killed with SIGKILL at random
/// moments. The request ends done, the running update is applied once, every output written once.
@Suite("Crash safety of a processing request", .serialized)
struct RequestCrashSafetyTests {
    @Test(arguments: TestBackend.available)
    func aRequestSurvivesSchedulerKillsAndAppliesItsRunningUpdateOnce(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let fixture = try RequestFixture(directory: directory, database: CommandLineTests.url(location), recoSleep: 0.1)
            try await fixture.prepare()
            try fixture.writeRequest(calibrations: [
                "{name: cdc, command: '\(directory.file("bin"))/calib iterate', expert: cdc-expert, input: {data_tags: [hlt_bhabha]}}"
            ])
            _ = try await fixture.ok("request", "submit", "request.yaml")

            var generator = SystemRandomNumberGenerator()
            var kills = 0
            var state = "running"
            for _ in 0..<200 where state == "running" {
                let outcome = try await fixture.conveyor.runKilled(
                    ["scheduler", "--until-blocked"], after: .milliseconds(Int.random(in: 150...900, using: &generator)))
                if outcome.endedOnItsOwn {
                    #expect(outcome.exitCode == 0)
                    // Blocked on people: sign off what waits (as the local operator: a manager's override for the expert's task).
                    let shown = try await fixture.json("wf", "show", "1")
                    for task in shown["tasks"] as? [[String: Any]] ?? [] where task["state"] as? String == "awaiting_signoff" {
                        let name = (task["definition"] as? [String: Any])?["name"] as? String ?? ""
                        _ = try await fixture.ok("task", "signoff", "1/\(name)", "--approve", "--comment", "crash test")
                    }
                } else {
                    kills += 1
                }
                state = ((try await fixture.json("wf", "show", "1"))["workflow"] as? [String: Any])?["state"] as? String ?? "unknown"
            }
            #expect(state == "succeeded", "the request's workflow ended: \(state)")
            #expect(kills >= 3, "the scheduler was killed mid-request several times (\(kills))")
            let summary = try await fixture.json("request", "show", "prompt-b1")
            #expect((summary["summary"] as? [String: Any])?["state"] as? String == "done")

            let audit = try await fixture.conveyor.run("audit", "--limit", "10000", "--json")
            let entries = ((try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])?["entries"] as? [[String: Any]]) ?? []
            #expect(entries.filter { $0["action"] as? String == "gt.running-update" }.count == 1, "the running update was applied once")
            let written = try String(contentsOfFile: directory.file("reco.log"), encoding: .utf8).split(separator: "\n")
            #expect(Set(written).count == written.count, "every output was written once: \(written.count) writes of \(Set(written).count) outputs")
            // Every job's output is in the catalog once: as many outputs as jobs that make one, none twice.
            let outputs = try await fixture.catalogOutputs().compactMap { $0["lfn"] as? String }
            let listed = try await fixture.conveyor.run("request", "jobs", "prompt-b1", "--json")
            let parsed = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8))
            let jobs = (parsed as? [String: Any])?["jobs"] as? [[String: Any]] ?? (parsed as? [[String: Any]]) ?? []
            let expected = Set(jobs.compactMap { $0["outputLFN"] as? String })
            #expect(!expected.isEmpty, "\(listed.stderr)")
            #expect(outputs.count == Set(outputs).count && Set(outputs) == expected, "\(outputs.count) outputs for \(expected.count) jobs with an output")
        }
    }
}
