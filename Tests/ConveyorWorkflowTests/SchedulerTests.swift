import ConveyorCore
import ConveyorStore
import ConveyorTestSupport
import ConveyorWorkflow
import Foundation
import Testing

@Suite("Scheduler")
struct SchedulerTests {
    @Test(arguments: TestBackend.available)
    func runsADagWithArraysSignOffsAndTriggerRules(backend: TestBackend) async throws {
        try await EngineFixture.run(backend) { fx in
            let out = fx.folder.path
            let id = try await fx.submit(
                """
                name: demo
                tasks:
                  - name: prepare
                    command: echo prepared > \(out)/prepare.txt
                  - name: reco
                    command: echo $CONVEYOR_ARRAY_INDEX >> \(out)/reco.txt
                    array: 3
                    depends_on: [prepare]
                  - name: check
                    kind: signoff
                    role: expert
                    depends_on: [reco]
                  - name: publish
                    command: echo published > \(out)/publish.txt
                    depends_on: [check]
                  - name: on-failure
                    command: echo alarm > \(out)/alarm.txt
                    trigger: one_failed
                    depends_on: [prepare]
                  - name: milestone
                    kind: action
                    action: noop
                    depends_on: [reco]
                """)
            var detail = try await fx.tick(until: { fx.states($0)["check"] == .awaiting_signoff }, workflow: id)
            #expect(fx.states(detail)["on-failure"] == .skipped, "one_failed with no failure upstream is skipped")
            #expect(fx.states(detail)["milestone"] == .succeeded)
            #expect(try String(contentsOfFile: out + "/reco.txt", encoding: .utf8).split(separator: "\n").sorted() == ["0", "1", "2"])
            #expect(detail.tasks.first { $0.name == "reco" }?.elementCounts == ["succeeded": 3])

            await #expect(throws: ConveyorError.self, "a viewer may not sign off") {
                try await fx.workflows.signOff(.named(workflow: id, name: "check"), approve: true, comment: "", by: viewer)
            }
            await #expect(throws: ConveyorError.self, "a rejection needs a reason") {
                try await fx.workflows.signOff(.named(workflow: id, name: "check"), approve: false, comment: " ", by: expert)
            }
            try await fx.workflows.signOff(.named(workflow: id, name: "check"), approve: true, comment: "residuals fine", by: expert)
            detail = try await fx.tick(until: { $0.workflow.state != .running }, workflow: id)
            #expect(detail.workflow.state == .succeeded)
            #expect(fx.states(detail)["publish"] == .succeeded)
            #expect(detail.tasks.first { $0.name == "check" }?.decidedBy == "erik")
            #expect(FileManager.default.fileExists(atPath: out + "/publish.txt"))

            let events = try await fx.workflows.events(id)
            #expect(events.contains { $0.kind == "state" && $0.to == "succeeded" && $0.detail.contains("approved by erik: residuals fine") })
            #expect(events.last?.kind == "workflow" && events.last?.to == "succeeded")
            let log = try await fx.workflows.log(of: .named(workflow: id, name: "reco"))
            #expect(log.entries.count == 3)
            #expect(
                log.entries.allSatisfy {
                    $0.attempt.state == .succeeded && $0.attempt.exitCode == 0 && $0.attempt.wallSeconds != nil && $0.attempt.maxRSSKilobytes != nil
                })
        }
    }

    @Test(arguments: TestBackend.available)
    func failedElementsCoolOffAndOnlyTheyRetry(backend: TestBackend) async throws {
        try await EngineFixture.run(backend) { fx in
            let out = fx.folder.path
            // Element 1 fails on its first two tries; the others succeed at once.
            let id = try await fx.submit(
                """
                name: retries
                tasks:
                  - name: flaky
                    command: echo run >> \(out)/ran-$CONVEYOR_ARRAY_INDEX; [ $CONVEYOR_ARRAY_INDEX != 1 ] || [ $(wc -l < \(out)/ran-1) -ge 3 ]
                    array: 3
                    retries: 3
                    cooloff: 0.05
                  - name: after
                    command: "true"
                    depends_on: [flaky]
                """)
            let detail = try await fx.tick(until: { $0.workflow.state != .running }, workflow: id)
            if detail.workflow.state != .succeeded {
                Issue.record(
                    "events: \(try await fx.workflows.events(id).map { "\($0.kind) \($0.from ?? "") → \($0.to ?? ""): \($0.detail)" }.joined(separator: "; "))")
            }
            #expect(detail.workflow.state == .succeeded)
            #expect(detail.tasks.first { $0.name == "flaky" }?.tries == 2)
            for (element, runs) in [(0, 1), (1, 3), (2, 1)] {
                #expect(try String(contentsOfFile: "\(out)/ran-\(element)", encoding: .utf8).split(separator: "\n").count == runs, "element \(element)")
            }
            let states = try await fx.workflows.events(id).filter { $0.taskID != nil && $0.kind == "state" }.map { $0.to ?? "" }
            #expect(states.filter { $0 == "cooloff" }.count == 2)
        }
    }

    @Test(arguments: TestBackend.available)
    func pausedTasksWaitForAPersonAndRejectionsSkip(backend: TestBackend) async throws {
        try await EngineFixture.run(backend) { fx in
            let id = try await fx.submit(
                """
                name: pause
                tasks:
                  - name: broken
                    command: exit 3
                    retries: 5
                    pause_after: 2
                    cooloff: 0.01
                  - name: gate
                    kind: signoff
                    role: manager
                    on_reject: skip
                  - name: behind-gate
                    command: "true"
                    depends_on: [gate]
                """)
            var detail = try await fx.tick(until: { fx.states($0)["broken"] == .paused && fx.states($0)["gate"] == .awaiting_signoff }, workflow: id)
            #expect(detail.tasks.first { $0.name == "broken" }?.tries == 2)
            try await fx.workflows.signOff(.named(workflow: id, name: "gate"), approve: false, comment: "not this bucket", by: manager)
            await #expect(throws: ConveyorError.self) { try await fx.workflows.control(.named(workflow: id, name: "broken"), .resume, by: expert) }
            try await fx.workflows.control(.named(workflow: id, name: "broken"), .cancelTask, comment: "known bad", by: manager)
            detail = try await fx.tick(until: { $0.workflow.state != .running }, workflow: id)
            #expect(fx.states(detail) == ["broken": .cancelled, "gate": .skipped, "behind-gate": .skipped])
            #expect(detail.workflow.state == .failed)
            let log = try await fx.workflows.log(of: .named(workflow: id, name: "broken"))
            #expect(log.entries.map(\.attempt.reason) == ["exit code 3", "exit code 3"])
        }
    }

    @Test(arguments: TestBackend.available)
    func poolsAreNeverExceededAndPriorityGoesFirst(backend: TestBackend) async throws {
        try await EngineFixture.run(backend, slots: 2) { fx in
            let out = fx.folder.path
            let job = "echo start $(date +%s%N) >> \(out)/times; sleep 0.2; echo end $(date +%s%N) >> \(out)/times"
            let id = try await fx.submit(
                """
                name: slots
                tasks:
                  - {name: low, command: "\(job); echo low >> \(out)/order", array: 3, priority: 1}
                  - {name: high, command: "\(job); echo high >> \(out)/order", array: 3, priority: 9}
                """)
            let detail = try await fx.tick(until: { $0.workflow.state != .running }, workflow: id)
            #expect(detail.workflow.state == .succeeded)
            var running = 0, peak = 0
            let lines = try String(contentsOfFile: out + "/times", encoding: .utf8).split(separator: "\n")
            let marks: [(isStart: Bool, at: Int)] = lines.map { line in
                let parts = line.split(separator: " ")
                return (parts[0] == "start", Int(parts[1]) ?? 0)
            }
            // Ends before starts at the same instant.
            for mark in marks.sorted(by: { a, b in a.at != b.at ? a.at < b.at : !a.isStart }) {
                running += mark.isStart ? 1 : -1
                peak = max(peak, running)
            }
            #expect(peak <= 2, "never more jobs than the pool's 2 slots")
            let order = try String(contentsOfFile: out + "/order", encoding: .utf8).split(separator: "\n")
            #expect(order.prefix(2) == ["high", "high"], "\(order)")
        }
    }

    @Test(arguments: TestBackend.available)
    func badDefinitionsAreRefusedBeforeAnythingRuns(backend: TestBackend) async throws {
        try await EngineFixture.run(backend) { fx in
            func refusal(_ yaml: String) async -> String {
                do {
                    _ = try await fx.submit(yaml)
                    return "accepted"
                } catch {
                    return "\(error)"
                }
            }
            #expect(
                await refusal("name: x\ntasks:\n  - {name: a, command: 'true', depends_on: [b]}\n  - {name: b, command: 'true', depends_on: [a]}\n")
                    == "dag.yaml: tasks form a cycle: a → b → a")
            #expect(
                await refusal("name: x\ntasks:\n  - {name: a, command: 'true', depends_on: [zz]}\n") == "dag.yaml: tasks[0].depends_on[0]: unknown task 'zz'")
            #expect(
                await refusal("name: x\ntasks:\n  - {name: a, command: 'true', pool: gpu}\n") == "dag.yaml: tasks[0].pool: unknown pool 'gpu' (known: local)")
            #expect(
                await refusal("name: x\ntasks:\n  - {name: a, command: 'true', retries: -1}\n")
                    == "dag.yaml: tasks[0].retries: expected a whole number ≥ 0, found -1")
            #expect(
                await refusal("name: x\ntasks:\n  - {name: a, command: basf3 reco.py}\n")
                    == "dag.yaml: tasks[0].command: program 'basf3' does not exist on this machine")
            #expect(await refusal("name: x\ntasks:\n  - {name: a, kind: signoff}\n") == "dag.yaml: tasks[0].role: is required")
            #expect(await refusal("name: x\ntasks:\n  - {name: a, kind: action, action: gt.explode}\n").hasPrefix("task a: unknown action 'gt.explode'"))
            #expect(await refusal("name: x\ntasks:\n  - {name: a, command: 'true', colour: red}\n").hasPrefix("dag.yaml: tasks[0].colour: unknown key"))
            #expect(await refusal("name: x\ntasks: [\n").hasPrefix("dag.yaml: not valid YAML"))
            #expect(
                await refusal(#"{"name": "j", "tasks": [{"name": "a", "command": "true", "array": 0}]}"#)
                    == "dag.yaml: tasks[0].array: expected a whole number ≥ 1, found 0")
            let stored = try await fx.workflows.list()
            #expect(stored.isEmpty, "nothing was stored")
            await #expect(throws: ConveyorError.self) {
                _ = try await fx.workflows.submit(Data("name: x\ntasks:\n  - {name: a, command: 'true'}\n".utf8), name: "d.yaml", by: expert)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func waitTasksHoldNoSlotAndCancellingStopsRunningJobs(backend: TestBackend) async throws {
        try await EngineFixture.run(backend, slots: 1) { fx in
            let marker = fx.folder.path + "/staged"
            let id = try await fx.submit(
                """
                name: waits
                tasks:
                  - {name: staged, kind: wait, wait: {path_exists: \(marker)}}
                  - {name: long, command: sleep 30}
                  - {name: after, command: "true", depends_on: [staged]}
                """)
            _ = try await fx.tick(until: { fx.states($0)["long"] == .running && fx.states($0)["staged"] == .running }, workflow: id)
            _ = FileManager.default.createFile(atPath: marker, contents: nil)
            _ = try await fx.tick(until: { fx.states($0)["staged"] == .succeeded }, workflow: id)
            try await fx.workflows.cancel(id, reason: "wrong bucket", by: manager)
            let detail = try await fx.tick(until: { $0.workflow.state != .running }, workflow: id, seconds: 10)
            #expect(detail.workflow.state == .cancelled)
            #expect(fx.states(detail)["long"] == .cancelled)
            #expect(fx.states(detail)["after"] == .cancelled, "waiting for the slot that long held")
        }
    }
}
