import ConveyorCore
import ConveyorExecutors
import ConveyorStore
import ConveyorTestSupport
import ConveyorWorkflow
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

extension ServerFixture {
    /// A scheduler over the fixture's store, ticked by the test.
    func scheduler(_ folder: TemporaryDirectory) -> Scheduler {
        let wakeup = Wakeup()
        return Scheduler(
            store: store, executors: .standard(wakeup: wakeup), configuration: .init(jobRoot: folder.path, pollInterval: .milliseconds(50)),
            wakeup: wakeup, logger: TestBackend.quietLogger)
    }

    /// Ticks until the workflow's task has the state (at most 20 s).
    func tick(_ scheduler: Scheduler, workflow: Int64, until task: String, is state: TaskState) async throws {
        let workflows = Workflows(store: store)
        for _ in 0..<400 {
            try await scheduler.tick()
            if try await workflows.show(workflow).tasks.first(where: { $0.name == task })?.state == state { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(task) never became \(state)")
    }

    static let dag = """
        name: api-demo
        tasks:
          - {name: reco, command: "echo reco $CONVEYOR_ARRAY_INDEX", array: 2}
          - {name: check, kind: signoff, role: manager, depends_on: [reco]}
          - {name: publish, command: "true", depends_on: [check]}
        """
}

@Suite("Workflows REST API")
struct WorkflowsAPITests {
    @Test(arguments: TestBackend.available)
    func submitSignOffAndReadAWorkflow(backend: TestBackend) async throws {
        try await ServerFixture.run(backend) { client, fixture in
            let folder = try TemporaryDirectory()
            defer { folder.remove() }
            try await client.execute(uri: "/api/v1/pools/local", method: .put, headers: fixture.auth(.expert), body: .json(#"{"executor":"local","slots":2}"#))
            { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/pools/local", method: .put, headers: fixture.auth(.manager), body: .json(#"{"executor":"local","slots":2}"#))
            { r in
                #expect(r.status == .ok, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/workflows", method: .post, headers: fixture.auth(.expert), body: ByteBuffer(string: ServerFixture.dag)) {
                r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(
                uri: "/api/v1/workflows", method: .post, headers: fixture.auth(.manager),
                body: ByteBuffer(string: "name: x\ntasks:\n  - {name: a, command: 'true', depends_on: [b]}\n  - {name: b, command: 'true', depends_on: [a]}\n")
            ) { r in
                #expect(r.status == .badRequest)
                #expect(r.apiError?.error == "request body: tasks form a cycle: a → b → a")
            }
            try await client.execute(uri: "/api/v1/workflows", method: .post, headers: fixture.auth(.manager), body: ByteBuffer(string: ServerFixture.dag)) {
                r in
                #expect(r.status == .created)
                #expect(r.text == #"{"id":1}"#)
            }
            let scheduler = fixture.scheduler(folder)
            try await fixture.tick(scheduler, workflow: 1, until: "check", is: .awaiting_signoff)
            try await client.execute(
                uri: "/api/v1/workflows/1/tasks/check/signoff", method: .post, headers: fixture.auth(.expert),
                body: .json(#"{"approve":true,"comment":"fine"}"#)
            ) { r in
                #expect(r.status == .forbidden, "the task names role manager")
            }
            try await client.execute(
                uri: "/api/v1/workflows/1/tasks/reco/signoff", method: .post, headers: fixture.auth(.manager),
                body: .json(#"{"approve":true}"#)
            ) { r in
                #expect(r.status == .badRequest, "reco is a job, not a sign-off")
            }
            try await client.execute(
                uri: "/api/v1/workflows/1/tasks/check/signoff", method: .post, headers: fixture.auth(.manager),
                body: .json(#"{"approve":true,"comment":"fine"}"#)
            ) { r in
                #expect(r.status == .ok, "\(r.text)")
            }
            try await fixture.tick(scheduler, workflow: 1, until: "publish", is: .succeeded)
            try await client.execute(uri: "/api/v1/workflows/1", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.text.contains(#""state":"succeeded""#))
                #expect(r.text.contains(#""decidedBy":"test-manager""#))
            }
            try await client.execute(uri: "/api/v1/workflows?state=succeeded", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.text.contains(#""name":"api-demo""#))
            }
            try await client.execute(uri: "/api/v1/workflows/1/events", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.text.contains("approved by test-manager: fine"))
            }
            try await client.execute(uri: "/api/v1/workflows/1/tasks/reco/log", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.text.contains(#""stdout":"reco 1\n""#), "\(r.text.prefix(400))")
            }
            try await client.execute(uri: "/api/v1/workflows/1/tasks/reco/retry", method: .post, headers: fixture.auth(.manager), body: .json("{}")) { r in
                #expect(r.status == .conflict, "a succeeded task is not retried")
            }
            try await client.execute(uri: "/api/v1/workflows/9/cancel", method: .post, headers: fixture.auth(.manager), body: .json("{}")) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/workflows/1", method: .get, headers: [.cookie: "conveyor_session=\(try await fixture.session(.viewer))"]) { r in
                #expect(r.text.contains("id=\"dag\""))
                #expect(r.text.contains("class=\"node st-succeeded\" data-task=\"publish\""))
                #expect(r.text.contains("2/2 done"))
                #expect(r.text.contains("id=\"gantt\""))
            }
        }
    }

    @Test func signOffButtonsAreForTheRoleAndThePageFormWorks() async throws {
        try await ServerFixture.run(.sqlite) { client, fixture in
            let folder = try TemporaryDirectory()
            defer { folder.remove() }
            try await Workflows(store: fixture.store).savePool(try Pool(name: "local", executor: .local, slots: 2), by: Actor(name: "m", role: .manager))
            let id = try await Workflows(store: fixture.store).submit(Data(ServerFixture.dag.utf8), name: "dag.yaml", by: Actor(name: "m", role: .manager))
            let scheduler = fixture.scheduler(folder)
            try await fixture.tick(scheduler, workflow: id, until: "check", is: .awaiting_signoff)
            try await client.execute(uri: "/workflows/\(id)", method: .get, headers: [.cookie: "conveyor_session=\(try await fixture.session(.expert))"]) { r in
                #expect(!r.text.contains("<form class=\"signoff\""), "an expert may not sign off a manager's task")
                #expect(r.text.contains("waits for someone with role manager"))
            }
            let cookie: HTTPFields = [.cookie: "conveyor_session=\(try await fixture.session(.manager))", .contentType: "application/x-www-form-urlencoded"]
            try await client.execute(uri: "/workflows/\(id)", method: .get, headers: cookie) { r in
                #expect(r.text.contains("<form class=\"signoff\" method=\"post\" action=\"/workflows/\(id)/tasks/check/signoff\">"))
            }
            try await client.execute(
                uri: "/workflows/\(id)/tasks/check/signoff", method: .post, headers: cookie,
                body: ByteBuffer(string: "decision=reject&comment=calibration+looks+off")
            ) { r in
                #expect(r.status == .seeOther || r.status == .found, "\(r.status)")
            }
            try await fixture.tick(scheduler, workflow: id, until: "check", is: .failed)
            try await client.execute(uri: "/workflows/\(id)", method: .get, headers: cookie) { r in
                #expect(r.text.contains("rejected by test-manager: calibration looks off"))
                #expect(r.text.contains("class=\"node st-upstream_failed\" data-task=\"publish\""))
            }
        }
    }
}

@Suite("Workflow pages in a browser", .enabled(if: Browser.shouldRun, "no Chromium installed (apt-get install chromium)"))
struct WorkflowBrowserTests {
    @Test func theWorkflowPageDrawsTheGraphAndTheTimeline() async throws {
        let browser = try #require(Browser.installed, "CI=true but no Chromium: the browser suite cannot run")
        try await ServerFixture.run(.sqlite, .live, anonymousRole: .viewer) { client, fixture in
            let folder = try TemporaryDirectory()
            defer { folder.remove() }
            try await Workflows(store: fixture.store).savePool(try Pool(name: "local", executor: .local, slots: 2), by: Actor(name: "m", role: .manager))
            let id = try await Workflows(store: fixture.store).submit(Data(ServerFixture.dag.utf8), name: "dag.yaml", by: Actor(name: "m", role: .manager))
            try await fixture.tick(fixture.scheduler(folder), workflow: id, until: "check", is: .awaiting_signoff)
            let port = try #require(client.port)
            _ = try await browser.check("http://127.0.0.1:\(port)/workflows") { dom in
                dom.contains("href=\"/workflows/\(id)\">api-demo</a>") ? [] : ["the list does not link the workflow"]
            }
            _ = try await browser.check("http://127.0.0.1:\(port)/workflows/\(id)") { dom in
                var failures: [String] = []
                if dom.components(separatedBy: "<g class=\"node").count - 1 != 3 { failures.append("expected 3 task nodes in the graph") }
                if !dom.contains("class=\"node st-awaiting_signoff\" data-task=\"check\"") { failures.append("the sign-off is not coloured as waiting") }
                if dom.components(separatedBy: "class=\"edge\"").count - 1 != 2 { failures.append("expected 2 edges") }
                if !dom.contains("<rect class=\"bar at-succeeded\"") { failures.append("the timeline has no finished attempt") }
                if !dom.contains("waits for someone with role manager") { failures.append("a viewer is not told who may sign off") }
                return failures
            }
            _ = try await browser.check("http://127.0.0.1:\(port)/workflows/\(id)/tasks/reco") { dom in
                dom.contains("reco 0") && dom.contains("Element 1, try 1") ? [] : ["the task page does not show the jobs' output"]
            }
        }
    }
}
