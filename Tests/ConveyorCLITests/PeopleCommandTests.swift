import ConveyorCore
import ConveyorTestSupport
import Foundation
import Testing

/// `conveyor user set` and `conveyor directory check`: contact details, responsibilities, and
/// what the lab directory's groups give a person.
@Suite("People on the command line")
struct PeopleCommandTests {
    @Test(arguments: TestBackend.available)
    func contactDetailsAndResponsibilitiesAreSetAndChecked(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let conveyor = CommandLineRunner(workingDirectory: directory.path, environment: ["CONVEYOR_DB": CommandLineTests.url(location)])
            #expect(try await conveyor.run("user", "add", "carl", "--role", "expert").exitCode == 0)
            let set = try await conveyor.run("user", "set", "carl", "--email", "carl@lab.test", "--responsibilities", "cdc_t0, run_quality")
            #expect(set.exitCode == 0 && set.stdout.contains("carl: e-mail carl@lab.test, responsibilities cdc_t0,run_quality"), "\(set.stderr)")
            #expect(try await conveyor.run("user", "list").stdout.contains("cdc_t0,run_quality"))
            let bad = try await conveyor.run("user", "set", "carl", "--email", "carl at lab")
            #expect(bad.exitCode != 0 && bad.stderr == "conveyor: 'carl at lab' is not an e-mail address\n", "\(bad.stderr)")
            let unknown = try await conveyor.run("user", "set", "nobody", "--email", "n@lab.test")
            #expect(unknown.exitCode != 0 && unknown.stderr.contains("no user named 'nobody'"))
            let nothing = try await conveyor.run("user", "set", "carl")
            #expect(nothing.exitCode != 0 && nothing.stderr.contains("give --email, --responsibilities or both"))

            // What carl is told, and how.
            #expect(try await conveyor.run("notify", "preferences", "carl").stdout == "carl: e-mail, chat; at once; all kinds\n")
            let chosen = try await conveyor.run("notify", "preferences", "carl", "--chat", "off", "--digest", "on", "--kinds", "signoff,run_to_certify")
            #expect(chosen.stdout == "carl: e-mail; a daily digest; signoff, run_to_certify\n", "\(chosen.stderr)")
            let wrong = try await conveyor.run("notify", "preferences", "carl", "--digest", "maybe")
            #expect(wrong.exitCode != 0 && wrong.stderr == "conveyor: --digest takes on or off, not 'maybe'\n")
            let kind = try await conveyor.run("notify", "preferences", "carl", "--kinds", "gossip")
            #expect(kind.exitCode != 0 && kind.stderr.contains("gossip"))
            #expect(try await conveyor.run("notify", "preferences", "carl").stdout.contains("a daily digest"), "a refused change changes nothing")
            let outbox = try await conveyor.run("notify", "outbox")
            #expect(outbox.exitCode == 0 && outbox.stdout.contains("pending 0, sent 0, failed 0, skipped 0"), "\(outbox.stderr)")
            let unconfigured = try await conveyor.run("notify", "cycle")
            #expect(unconfigured.exitCode != 0 && unconfigured.stderr.contains("no notifications configured"))
            let people = directory.file("people.yaml")
            try "notifications: {base_url: http://conveyor.test, smtp: {host: 127.0.0.1, port: 9, from: conveyor@lab.test}}\n".write(
                toFile: people, atomically: true, encoding: .utf8)
            let cycle = try await conveyor.run("notify", "cycle", "--people", people)
            #expect(cycle.exitCode == 0 && cycle.stdout.contains("0 new event(s), 0 message(s) queued"), "\(cycle.stderr)")
            try "notifications: {base_url: conveyor.test, smtp: {host: h, from: c@l.t}}\n".write(toFile: people, atomically: true, encoding: .utf8)
            let badFile = try await conveyor.run("notify", "cycle", "--people", people)
            #expect(badFile.exitCode != 0 && badFile.stderr.contains("notifications.base_url"), "\(badFile.stderr)")
        }
    }

    @Test(arguments: TestBackend.available)
    func notesAndProblemReports(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let conveyor = CommandLineRunner(workingDirectory: directory.path, environment: ["CONVEYOR_DB": CommandLineTests.url(location)])
            #expect(try await conveyor.run("runs", "add", "8:12").exitCode == 0)
            let added = try await conveyor.run("note", "add", "run", "8:12", "--text", "ECL crate 3 noisy", "--problem")
            #expect(added.exitCode == 0 && added.stdout == "problem 1 on run 8:12\n", "\(added.stderr)")
            #expect(try await conveyor.run("inbox").stdout.contains("problem on run 8:12 reported by local:"))
            let listed = try await conveyor.run("note", "list", "run", "8:12")
            #expect(listed.stdout.contains("ECL crate 3 noisy") && listed.stdout.contains("open"), "\(listed.stdout)")
            let onRequest = try await conveyor.run("note", "add", "request", "prompt-b1", "--text", "x", "--problem")
            #expect(onRequest.exitCode != 0 && onRequest.stderr.contains("on a run or a file"))
            let missing = try await conveyor.run("note", "add", "run", "8:99", "--text", "x")
            #expect(missing.exitCode != 0 && missing.stderr == "conveyor: no run 8:99\n", "\(missing.stderr)")
            #expect(try await conveyor.run("note", "resolve", "1", "--text", "masked").stdout == "problem 1 on run 8:12 resolved\n")
            let again = try await conveyor.run("note", "resolve", "1", "--text", "masked")
            #expect(again.exitCode != 0 && again.stderr.contains("already resolved"))
            #expect(try await conveyor.run("inbox").stdout.contains("nothing waits"))
        }
    }

    /// `conveyor serve --people` runs the notifier: a problem reported on a run reaches the shifter's mailbox.
    @Test(.enabled(if: MailCatcher.enabled))
    func theServerTellsPeopleWhatWaitsForThem() async throws {
        let port = try MailCatcher.requirePort()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let conveyor = CommandLineRunner(workingDirectory: directory.path, environment: ["CONVEYOR_DB": directory.file("conveyor.sqlite")])
        let address = "shifter-\(UUID().uuidString.prefix(8).lowercased())@lab.test"
        #expect(try await conveyor.run("user", "add", "carol", "--role", "expert").exitCode == 0)
        #expect(try await conveyor.run("user", "set", "carol", "--email", address, "--responsibilities", "run_quality").exitCode == 0)
        #expect(try await conveyor.run("runs", "add", "8:12").exitCode == 0)
        let people = directory.file("people.yaml")
        try "notifications: {base_url: http://conveyor.test, every: 1s, smtp: {host: 127.0.0.1, port: \(port), from: conveyor@lab.test}}\n".write(
            toFile: people, atomically: true, encoding: .utf8)
        let outcome = try await conveyor.runUntil(
            ["serve", "--port", String(try CommandLineTests.freePort()), "--no-scheduler", "--people", people], readyWhen: { $0.contains("Conveyor serving") }
        ) {
            #expect(try await conveyor.run("note", "add", "run", "8:12", "--text", "ECL crate 3 noisy", "--problem").exitCode == 0)
            for _ in 0..<120 where try MailCatcher.messages(to: address).isEmpty { try await Task.sleep(for: .milliseconds(250)) }
        }
        #expect(outcome.exitCode == 0, "\(outcome.stderr)")
        let mail = try MailCatcher.messages(to: address)
        #expect(mail.count == 1 && mail[0].contains("problem on run 8:12 reported by local:") && mail[0].contains("http://conveyor.test/runs/8/12"), "\(mail)")
    }

    @Test(.enabled(if: LabDirectory.enabled))
    func directoryCheckSaysWhatAPersonsGroupsGive() async throws {
        let url = try #require(LabDirectory.url)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let people = directory.file("people.yaml")
        try """
        directory:
          url: \(url)
          user_dn: uid={user},ou=people,dc=lab,dc=test
          groups_base: ou=groups,dc=lab,dc=test
          groups:
            - {group: ecl-calib, role: expert, responsibilities: [ecl_gains]}
        """.write(toFile: people, atomically: true, encoding: .utf8)
        let conveyor = CommandLineRunner(workingDirectory: directory.path)
        let alice = try await conveyor.run(["directory", "check", "alice", "--people", people], input: "alice-pw\n")
        #expect(alice.exitCode == 0 && alice.stdout.contains("role:             expert") && alice.stdout.contains("ecl_gains"), "\(alice.stderr)")
        #expect(alice.stdout.contains("alice@lab.test"))
        let frank = try await conveyor.run(["directory", "check", "frank", "--people", people, "--json"], input: "frank-pw\n")
        let shown = try JSONSerialization.jsonObject(with: Data(frank.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(frank.exitCode == 0 && shown["role"] as? String == "expert" && shown["email"] == nil, "frank has no e-mail: \(frank.stdout)")
        let wrong = try await conveyor.run(["directory", "check", "alice", "--people", people], input: "nope\n")
        #expect(wrong.exitCode != 0 && wrong.stderr.hasPrefix("conveyor: wrong user name or password"), "\(wrong.stderr)")
        let bob = try await conveyor.run(["directory", "check", "bob", "--people", people], input: "bob-pw\n")
        #expect(bob.exitCode != 0 && bob.stderr.contains("in no group the configuration maps"), "\(bob.stderr)")
        let unconfigured = try await conveyor.run(["directory", "check", "alice"], input: "alice-pw\n")
        #expect(unconfigured.exitCode != 0 && unconfigured.stderr.contains("no directory configured"))
    }
}
