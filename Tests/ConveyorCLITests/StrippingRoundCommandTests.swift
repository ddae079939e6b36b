import ConveyorCore
import ConveyorTestSupport
import Foundation
import Testing

/// A stripping round through the CLI on both databases: selections following the selection
/// protocol, automatic tests that unsubscribe a crash and a greedy selection (and tell their
/// coordinator), streams from overlaps, a hand edit against the 10 % rule, the round's jobs, and
/// its bookkeeping when one of its files turns bad.
@Suite("Stripping rounds (CLI)")
struct StrippingRoundCommandTests {
    /// `bin/sel PATTERN`: keeps the mDST events whose line holds PATTERN; `bin/first PATTERN` the first of them only;
    /// `bin/strip` writes a stream.
    static func writePrograms(_ fixture: RequestFixture) throws {
        let bin = fixture.directory.file("bin")
        let scripts = [
            "sel": """
            #!/bin/sh
            cat $CONVEYOR_INPUT | grep '^event' | grep -n "$1" | cut -d: -f1 | awk '{print $1 - 1}' > "$CONVEYOR_SELECTED"
            if [ -n "$CONVEYOR_OUTPUT" ]; then cat $CONVEYOR_INPUT | grep '^event' | grep "$1" > "$CONVEYOR_OUTPUT" || true; fi
            """,
            "crash": "#!/bin/sh\nkill -SEGV $$\n",
            // The first event holding PATTERN only.
            "first": """
            #!/bin/sh
            cat $CONVEYOR_INPUT | grep '^event' | grep -n "$1" | head -1 | cut -d: -f1 | awk '{print $1 - 1}' > "$CONVEYOR_SELECTED"
            """,
            "strip": """
            #!/usr/bin/env python3
            import json, os, subprocess, tempfile
            inputs = os.environ["CONVEYOR_INPUT"].split()
            events = [l for p in inputs for l in open(p) if l.startswith("event")]
            kept = set()
            for s in json.loads(os.environ["CONVEYOR_SELECTIONS"]):
                with tempfile.NamedTemporaryFile() as t:
                    env = dict(os.environ, CONVEYOR_SELECTED=t.name, CONVEYOR_OUTPUT="")
                    subprocess.run(["/bin/sh", "-c", s["command"]], env=env, check=True)
                    kept |= {int(x) for x in open(t.name).read().split()}
            with open(os.environ["CONVEYOR_OUTPUT"], "w") as out:
                out.writelines(events[i] for i in sorted(kept))
            open(os.environ["CONVEYOR_REPORT"], "w").write("events=%d\\n" % len(kept))
            """,
        ]
        for (name, text) in scripts {
            try (text + "\n").write(toFile: "\(bin)/\(name)", atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(bin)/\(name)")
        }
    }

    @Test(arguments: TestBackend.available)
    func aRoundIsTestedGroupedRunAndAccounted(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let fixture = try RequestFixture(directory: directory, database: CommandLineTests.url(location), runs: [1, 2, 3])
            try await fixture.prepare()
            try Self.writePrograms(fixture)
            let bin = directory.file("bin")
            try fixture.writeRequest(name: "proc-b1", campaign: "unofficial", calibrations: [], outputs: "[mdst]", skims: "[]")
            try await fixture.ok("request", "submit", "request.yaml")
            try await fixture.schedule()

            // The registry: a missing program, a second registration of a name, a bad prescale: one line each.
            try await fixture.ok("user", "add", "charm-liaison", "--role", "expert")
            func add(_ name: String, _ command: String, _ extra: [String] = []) async throws -> CommandLineRunner.Result {
                try await fixture.conveyor.run(
                    [
                        "selection", "add", name, "--group", name.hasPrefix("rnd") ? "lumi" : "charm", "--coordinator", "charm-liaison", "--command", command,
                        "--version", "v1",
                    ] + extra)
            }
            for (name, command) in [
                ("hadron", "\(bin)/sel hadron"), ("hadron_e0", "\(bin)/sel 'e0 hadron'"), ("mumu", "\(bin)/sel mumu"), ("greedy", "\(bin)/sel event"),
                ("crashing", "\(bin)/crash"),
                ("rare", "\(bin)/first mumu"),
            ] {
                let added = try await add(name, command)
                #expect(added.exitCode == 0, "\(added.stderr)")
            }
            #expect(try await add("rnd", "\(bin)/sel e3", ["--random"]).exitCode == 0)
            let missing = try await add("ghost", "/nowhere/select --x")
            #expect(missing.exitCode == 1 && missing.stderr == "conveyor: selection ghost: no program /nowhere/select\n", "\(missing.stderr)")
            let twice = try await add("hadron", "\(bin)/sel hadron")
            #expect(twice.exitCode == 1 && twice.stderr.contains("selection hadron exists"), "\(twice.stderr)")
            let prescale = try await add("other", "\(bin)/sel x", ["--prescale", "0"])
            #expect(prescale.exitCode == 1 && prescale.stderr.contains("prescale is at least 1"), "\(prescale.stderr)")

            try await fixture.ok(
                "round", "create", "s1", "--input", "proc-b1", "--release", "strip-01", "--global-tags", "online", "--program", "\(bin)/strip",
                "--sample-runs", "1,2", "--retention", "0.7", "--bytes-per-event", "1000", "--total-retention", "1", "--max-streams", "3")
            try await fixture.ok("round", "subscribe", "s1", "hadron", "hadron_e0", "mumu", "greedy", "crashing", "rare", "rnd", "--reason", "charm group")
            let tested = try await fixture.json("round", "test", "s1")
            #expect(tested["sampleEvents"] as? Int == 20, "2 runs × 2 all-events mDST × 5 events: \(tested)")
            let unsubscribed = tested["unsubscribed"] as? [String: String] ?? [:]
            #expect(Set(unsubscribed.keys) == ["greedy", "crashing"], "\(unsubscribed)")
            #expect(unsubscribed["greedy"]?.contains("retention 100 % > limit 70.0 %") == true, "\(unsubscribed)")
            #expect(unsubscribed["crashing"]?.contains("crashed on the sample (signal 11)") == true, "\(unsubscribed)")
            // hadron_e0's events are all hadron's, rare's one event is mumu's: two streams; random events on their own.
            let streams = (tested["grouping"] as? [String: Any])?["streams"] as? [[String: Any]] ?? []
            #expect(streams.map { $0["selections"] as? [String] ?? [] } == [["hadron", "hadron_e0"], ["mumu", "rare"], ["rnd"]], "\(tested)")

            // The coordinator is told, through the notification outbox.
            let people = directory.file("people.yaml")
            try "notifications: {base_url: http://conveyor.test, smtp: {host: 127.0.0.1, port: 9, from: conveyor@lab.test}}\n".write(
                toFile: people, atomically: true, encoding: .utf8)
            try await fixture.ok("notify", "cycle", "--people", people)
            let outbox = try await fixture.ok("notify", "outbox")
            #expect(outbox.contains("charm-liaison") && outbox.contains("selection crashing unsubscribed from round s1"), "\(outbox)")

            // A hand edit that puts rare below 10 % of a stream is refused without a reason, kept with one.
            let edit = ["round", "streams", "s1", "all=hadron,hadron_e0,mumu,rare", "random=rnd"]
            let refused = try await fixture.conveyor.run(edit)
            #expect(
                refused.exitCode == 1
                    && refused.stderr == "conveyor: rare is 5.00 % of stream all's events (rule: at least 10.0 %): give a reason to accept it\n",
                "\(refused.stderr)")
            let mixed = try await fixture.conveyor.run(["round", "streams", "s1", "all=hadron,hadron_e0,mumu,rare,rnd"])
            #expect(mixed.exitCode == 1 && mixed.stderr.contains("mixes random-trigger and physics selections"), "\(mixed.stderr)")
            try await fixture.ok(edit + ["--reason", "one stream is enough for three runs"])
            let shown = try await fixture.ok("round", "show", "s1")
            #expect(shown.contains("accepted: one stream is enough for three runs"), "\(shown)")

            // A round whose selections keep more than its budget together is not submitted.
            try await fixture.ok(
                "round", "create", "s2", "--input", "proc-b1", "--release", "strip-01", "--global-tags", "online", "--program", "\(bin)/strip",
                "--retention", "0.7", "--bytes-per-event", "1000", "--total-retention", "0.5")
            let untested = try await fixture.conveyor.run("round", "submit", "s2")
            #expect(
                untested.exitCode == 1 && untested.stderr == "conveyor: round s2 is not tested yet: run conveyor round test s2 first\n", "\(untested.stderr)")
            try await fixture.ok("round", "subscribe", "s2", "hadron", "mumu")
            try await fixture.ok("round", "test", "s2")
            let overBudget = try await fixture.conveyor.run("round", "submit", "s2")
            #expect(
                overBudget.exitCode == 1
                    && overBudget.stderr == "conveyor: round s2: the selections keep 100 % of the sample together, over the round's budget of 50.0 %\n",
                "\(overBudget.stderr)")

            let submitted = try await fixture.ok("round", "submit", "s1")
            #expect(submitted.contains("submitted as request strip-s1"), "\(submitted)")
            let again = try await fixture.conveyor.run("round", "subscribe", "s1", "greedy")
            #expect(again.exitCode == 1 && again.stderr.contains("is submitted"), "\(again.stderr)")
            try await fixture.schedule()
            #expect(try await fixture.stepStates("strip-s1")["stripping"] == "succeeded")

            // Bookkeeping: the exact files of a selection; the luminosity of the data it came from, never scaled by the events it
            // kept. Runs 1-3 have 11+12+13 /pb over 25 events each; their all-events raw files hold 10 of them: 0.4 × 36 = 14.4 /pb.
            let files = try await fixture.conveyor.run("round", "files", "s1", "--selection", "mumu", "--json")
            let list = try JSONSerialization.jsonObject(with: Data(files.stdout.utf8)) as? [[String: Any]] ?? []
            #expect(list.count == 6 && list.allSatisfy { ($0["stream"] as? String) == "all" }, "3 runs × 2 mDST: \(files.stdout)")
            let normalised = try await fixture.json("round", "normalise", "s1", "--selection", "mumu")
            #expect(((normalised["usable"] as? [String: Any])?["luminosity"] as? Double).map { abs($0 - 14.4) < 1e-9 } == true, "\(normalised)")
            let bad = list.compactMap { $0["lfn"] as? String }.sorted()[0]
            try await fixture.ok("files", "mark-bad", bad, "--reason", "unreadable on disk")
            let impact = try await fixture.ok("files", "impact", bad)
            // Run 1 loses one of its two files: 4.4 → 2.2 /pb; every selection of the stream changes.
            #expect(impact.contains("round s1 mumu (stream all): 14.4 → 12.2 /pb") && impact.contains("round s1 hadron (stream all)"), "\(impact)")
            let unknown = try await fixture.conveyor.run(["files", "normalise", "-"], input: "/belle/nope\n\(bad)\n")
            #expect(unknown.exitCode == 1 && unknown.stderr == "conveyor: not registered: /belle/nope\n", "\(unknown.stderr)")
            let provenance = try await fixture.ok("round", "provenance", "s1")
            #expect(provenance.contains("release strip-01, tags online") && provenance.contains("GOOD at submission: 1,2,3"), "\(provenance)")
        }
    }
}
