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
