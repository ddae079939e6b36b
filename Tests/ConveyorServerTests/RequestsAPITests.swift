import ConveyorConditions
import ConveyorCore
import ConveyorRequests
import ConveyorRuns
import ConveyorStore
import ConveyorTestSupport
import ConveyorWorkflow
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

extension ServerFixture {
    /// Two GOOD runs in bucket b1 with raw files on disk, the online and RUNNING prompt tags, a local pool.
    func prepareRequests(_ folder: TemporaryDirectory) async throws {
        let admin = Actor.localOperator(named: "fixture")
        let registry = RunRegistry(store: store)
        var files: [CatalogFile] = []
        for run in [1, 2] {
            _ = try await registry.add(RunRecord(run: ExpRun(exp: 8, run: run), events: 20, onlineLuminosity: 10), by: admin)
            try await registry.flag(ExpRun(exp: 8, run: run), to: .good, reason: "certified", by: admin)
            for tag in ["hlt_bhabha", "all"] {
                let path = folder.file("raw_\(run)_\(tag)")
                let data = Data("event \(run) \(tag)\n".utf8)
                try data.write(to: URL(fileURLWithPath: path))
                var sums = FileChecksums()
                sums.update(data)
                files.append(
                    CatalogFile(
                        lfn: "/belle/raw/r\(run)/\(tag).sroot", size: sums.size, adler32: sums.adler32, sha256: sums.sha256, events: 10,
                        run: ExpRun(exp: 8, run: run), level: .raw, dataTag: tag == "all" ? nil : tag, replicas: [Replica(site: "KEKCC", path: path)]))
            }
        }
        _ = try await registry.createBucket(named: "b1", exp: 8, runs: 1...2, by: admin)
        _ = try await FileCatalog(store: store).register(files, by: admin)
        let conditions = ConditionsDatabase(store: store)
        _ = try await conditions.createTag(named: "online", type: .data, by: admin)
        try await conditions.setState(ofTag: "online", to: .running, by: admin)  // processing reads frozen tags only
        _ = try await conditions.createTag(named: "prompt", type: .data, by: admin)
        try await conditions.setState(ofTag: "prompt", to: .running, by: admin)
        try await Workflows(store: store).savePool(try Pool(name: "local", executor: .local, slots: 2), by: admin)
    }

    static let request = """
        name: prompt-b1
        campaign: prompt
        bucket: b1
        release: release-08
        input: {level: raw}
        outputs: [mdst]
        global_tags: [online]
        staging_tag: staging_b1
        prompt_tag: prompt
        sites: [{name: KEKCC, pool: local}]
        calibrations: [{name: cdc, command: "true", expert: cdc-expert, input: {data_tags: [hlt_bhabha]}}]
        commands: {reconstruction: "true"}
        output_base: /belle/Data
        """
}

@Suite("Requests REST API and pages")
struct RequestsAPITests {
    @Test(arguments: TestBackend.available)
    func validateSubmitReadAndChangeARequest(backend: TestBackend) async throws {
        try await ServerFixture.run(backend) { client, fixture in
            let folder = try TemporaryDirectory()
            defer { folder.remove() }
            try await fixture.prepareRequests(folder)
            try await client.execute(
                uri: "/api/v1/requests/validate", method: .post, headers: fixture.auth(.viewer),
                body: ByteBuffer(string: ServerFixture.request.replacingOccurrences(of: "outputs: [mdst]", with: "outputs: [dst]"))
            ) { r in
                #expect(r.status == .badRequest)
                #expect(r.apiError?.error == "request body: outputs[0]: expected one of cdst, mdst, udst, found 'dst'")
            }
            try await client.execute(
                uri: "/api/v1/requests/validate", method: .post, headers: fixture.auth(.viewer),
                body: ByteBuffer(string: ServerFixture.request.replacingOccurrences(of: "global_tags: [online]", with: "global_tags: [nope]"))
            ) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains(#""problems":["global_tags[0]: no global tag 'nope'"]"#), "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/requests/estimate?slots=400,1000", method: .post, headers: fixture.auth(.viewer),
                body: ByteBuffer(string: ServerFixture.request)
            ) { r in
                #expect(r.status == .ok, "\(r.text)")
                #expect(r.text.contains(#""criticalPath":["#))
                #expect(r.text.contains(#""seedCostSteps":["#), "the estimate says which steps use seed 000's costs")
            }
            // A repeated slot count once killed the server (a trapping Dictionary initialiser).
            for slots in ["400,400", "0", "-5", "99999999999999999999", "400,,1000", "1e3"] {
                try await client.execute(
                    uri: "/api/v1/requests/estimate?slots=\(slots)", method: .post, headers: fixture.auth(.viewer),
                    body: ByteBuffer(string: ServerFixture.request)
                ) { r in
                    #expect(r.status == .badRequest, "slots=\(slots): \(r.text)")
                }
            }
            try await client.execute(uri: "/api/v1/requests", method: .post, headers: fixture.auth(.expert), body: ByteBuffer(string: ServerFixture.request)) {
                r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/requests", method: .post, headers: fixture.auth(.manager), body: ByteBuffer(string: ServerFixture.request)) {
                r in
                #expect(r.status == .created, "\(r.text)")
                // 2 mDST of the bhabha skim and 2 of all events; quality and skims are not configured.
                #expect(r.text.contains(#""jobs":4"#), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/requests", method: .post, headers: fixture.auth(.manager), body: ByteBuffer(string: ServerFixture.request)) {
                r in
                #expect(r.status == .conflict)
                #expect(r.apiError?.error == "request prompt-b1 is running (workflow 1); cancel it first or let it finish")
            }
            try await client.execute(uri: "/api/v1/requests", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains(#""name":"prompt-b1""#))
            }
            try await client.execute(uri: "/api/v1/requests/prompt-b1/jobs?step=mdst-all-events", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains(#"release-08\/DB00000002\/prompt\/e0008\/4S\/r00001\/all\/mdst\/sub00"#), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/requests/nope", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(
                uri: "/api/v1/requests/prompt-b1/inputs/invalidate", method: .post, headers: fixture.auth(.manager),
                body: .json(#"{"lfn":"/belle/raw/r1/all.sroot","reason":"corrupt"}"#)
            ) { r in
                #expect(r.status == .ok, "\(r.text)")
                #expect(
                    r.text == #"{"jobs":1,"lfn":"\/belle\/raw\/r1\/all.sroot","state":"invalidated"}"# || r.text.contains(#""state":"invalidated""#),
                    "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/requests/prompt-b1/inputs/invalidate", method: .post, headers: fixture.auth(.manager),
                body: .json(#"{"lfn":"/belle/raw/r1/all.sroot","reason":"again"}"#)
            ) { r in
                #expect(r.status == .conflict)
            }
            try await client.execute(uri: "/api/v1/requests/prompt-b1", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains(#""state":"invalidated""#))
            }
            try await client.execute(
                uri: "/api/v1/requests/prompt-b1/inputs/revalidate", method: .post, headers: fixture.auth(.manager),
                body: .json(#"{"lfn":"/belle/raw/r1/all.sroot"}"#)
            ) { r in
                #expect(r.status == .ok, "\(r.text)")
                #expect(r.text.contains(#""state":"unused""#))
            }

            // Pages: the list with step bars, the request with its graph and the sign-off its expert may give.
            let scheduler = fixture.scheduler(folder)
            try await fixture.tick(scheduler, workflow: 1, until: "local-calibrations", is: .awaiting_signoff)
            let expert: HTTPFields = [.cookie: "conveyor_session=\(try await fixture.session(.expert))"]
            try await client.execute(uri: "/requests", method: .get, headers: expert) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains("<a href=\"/requests/prompt-b1\">prompt-b1</a>"))
                #expect(r.text.contains("class=\"step\""))
            }
            try await client.execute(uri: "/requests/prompt-b1", method: .get, headers: expert) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains("id=\"dag\""))
                #expect(r.text.contains("action=\"/workflows/1/tasks/local-calibrations/signoff\""))
                #expect(r.text.contains("name=\"next\" value=\"/requests/prompt-b1\""))
            }
            try await client.execute(
                uri: "/workflows/1/tasks/local-calibrations/signoff", method: .post,
                headers: expert + [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "decision=approve&comment=none&next=%2Frequests%2Fprompt-b1")
            ) { r in
                #expect(r.status == .seeOther || r.status == .found, "\(r.status)")
                #expect(r.headers[.location] == "/requests/prompt-b1")
            }
            try await client.execute(
                uri: "/requests/new", method: .post, headers: expert + [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "action=validate&configuration=name%3A+x%0Acampaign%3A+prompt%0A")
            ) { r in
                #expect(r.status == .badRequest)
                #expect(r.text.contains("configuration: release: is required"))
            }
            try await client.execute(
                uri: "/requests/new", method: .post, headers: expert + [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(
                    string: "action=submit&configuration=" + (ServerFixture.request.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
            ) { r in
                #expect(r.status == .forbidden, "submitting needs the manager role")
            }
            try await client.execute(
                uri: "/api/v1/requests/prompt-b1/cancel", method: .post, headers: fixture.auth(.manager), body: .json(#"{"comment":"test over"}"#)
            ) { r in
                #expect(r.status == .ok, "\(r.text)")
            }
        }
    }
}
