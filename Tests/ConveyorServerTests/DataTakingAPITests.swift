import ConveyorConditions
import ConveyorCore
import ConveyorDataTaking
import ConveyorStore
import ConveyorTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The PromptReco handshake over REST and its pages, on both databases.
@Suite("Data taking REST API and pages")
struct DataTakingAPITests {
    /// Three runs that ended long ago (the first handshake cycle locks and releases them), and a fourth still taking data.
    static let csv = """
        exp,run,type,start,stop,events,online_lumi
        8,1,physics,2026-01-01T01:00:00Z,2026-01-01T02:00:00Z,10,1
        8,2,physics,2026-01-01T02:00:00Z,2026-01-01T03:00:00Z,10,1
        8,3,physics,2026-01-01T03:00:00Z,2026-01-01T04:00:00Z,10,1
        8,4,physics,2099-01-01T03:00:00Z,,10,1
        """

    @Test(arguments: TestBackend.available)
    func theHandshakeOverRESTAndPages(backend: TestBackend) async throws {
        try await ServerFixture.run(backend) { client, fixture in
            try await client.execute(uri: "/api/v1/runs", method: .post, headers: fixture.auth(.manager), body: ByteBuffer(string: Self.csv)) { r in
                #expect(r.status == .ok, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/fcsr", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .notFound && r.apiError?.code == "not_found", "nothing tracked yet: \(r.text)")
            }
            // Bad input: one line each, nothing changed.
            for (body, reason) in [
                (#"{"from": "8:x"}"#, "is not a run"), (#"{"from": "8:1", "delay": "1h", "lockOffset": "2h"}"#, "must not exceed the delay"),
                (#"{"from": "8:1", "delay": "soon"}"#, "not a duration"),
            ] {
                try await client.execute(uri: "/api/v1/prompt/settings", method: .post, headers: fixture.auth(.manager), body: .json(body)) { r in
                    #expect(r.status == .badRequest && r.apiError?.error.contains(reason) == true, "\(body): \(r.text)")
                }
            }
            try await client.execute(uri: "/api/v1/prompt/settings", method: .post, headers: fixture.auth(.expert), body: .json(#"{"from": "8:1"}"#)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/prompt/settings", method: .post, headers: fixture.auth(.manager), body: .json(#"{"from": "8:1"}"#)) { r in
                #expect(r.status == .ok, "\(r.text)")
            }
            // A global stop first: the cycle locks the ended runs but releases none.
            try await client.execute(
                uri: "/api/v1/prompt/switches", method: .post, headers: fixture.auth(.manager), body: .json(#"{"stopped": true, "reason": "magnet trip"}"#)
            ) { r in
                #expect(r.status == .ok, "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/prompt/switches", method: .post, headers: fixture.auth(.manager), body: .json(#"{"stopped": true, "reason": ""}"#)
            ) {
                r in
                #expect(r.status == .badRequest, "a reason is required")
            }
            try await client.execute(uri: "/api/v1/prompt/cycle", method: .post, headers: fixture.auth(.manager)) { r in
                let status = try r.json(PromptReco.Status.self)
                #expect(status.fcsr == ExpRun(exp: 8, run: 4) && status.runs.filter { $0.lockedAt != nil }.count == 3)
                #expect(status.runs.allSatisfy { $0.releasedAt == nil })
            }
            try await client.execute(uri: "/api/v1/fcsr", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok && r.text.contains(#""fcsr":"8:4""#), "\(r.text)")
            }
            // A shifter holds run 3; the stop is lifted; runs 1 and 2 are released.
            try await client.execute(
                uri: "/api/v1/prompt/runs/8:3/disposition", method: .post, headers: fixture.auth(.expert),
                body: .json(#"{"disposition": "postponed", "reason": "noisy CDC"}"#)
            ) { r in
                let detail = try r.json(PromptRunDetail.self)
                #expect(r.status == .ok && detail.run.disposition == .postponed, "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/prompt/runs/9:9/disposition", method: .post, headers: fixture.auth(.expert),
                body: .json(#"{"disposition": "postponed", "reason": "x"}"#)
            ) { r in
                #expect(r.status == .notFound, "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/prompt/switches", method: .post, headers: fixture.auth(.manager), body: .json(#"{"stopped": false, "reason": "back"}"#)
            ) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/api/v1/prompt/cycle", method: .post, headers: fixture.auth(.manager)) { r in
                let status = try r.json(PromptReco.Status.self)
                #expect(status.runs.filter { $0.releasedAt != nil }.map(\.run.run).sorted() == [1, 2])
            }
            // Appends to a synchronised tag: moved up to the FCSR, never onto a locked run.
            try await client.execute(uri: "/api/v1/globaltags", method: .post, headers: fixture.auth(.expert), body: .json(#"{"name": "pcl", "type": "DATA"}"#))
            {
                r in
                #expect(r.status == .created)
            }
            try await client.execute(uri: "/api/v1/globaltags/pcl/sync", method: .post, headers: fixture.auth(.manager), body: .json(#"{"sync": "pcl"}"#)) {
                r in
                #expect(r.status == .ok && r.text.contains(#""sync":"pcl""#), "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/payloads/BeamSpot/append?gt=pcl&since=8:1&dry_run=true", method: .post, headers: fixture.auth(.expert), body: .json("x")
            ) { r in
                let result = try r.json(AppendResult.self)
                #expect(r.status == .ok && result.firstRun == ExpRun(exp: 8, run: 4) && result.dryRun && result.payload == nil, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/payloads/BeamSpot/append?gt=pcl&since=8:x", method: .post, headers: fixture.auth(.expert), body: .json("x"))
            { r in
                #expect(r.status == .badRequest, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/payloads/BeamSpot/append?gt=pcl&since=8:1", method: .post, headers: fixture.auth(.expert), body: .json("x"))
            { r in
                #expect(r.status == .ok && (try? r.json(AppendResult.self))?.iov.start == ExpRun(exp: 8, run: 4), "\(r.text)")
            }

            // The pages: the runs with their stages and the switch form for a manager; a run's events with the shifter's form.
            let manager: HTTPFields = [.cookie: "conveyor_session=\(try await fixture.session(.manager))"]
            try await client.execute(uri: "/data-taking", method: .get, headers: manager) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains("First condition-safe run: <b>8:4</b>") && r.text.contains("http-equiv=\"refresh\""), "\(r.text)")
                #expect(r.text.contains("id=\"switch-form\"") && r.text.contains("Waiting for a shifter"))
            }
            try await client.execute(uri: "/data-taking/runs/8:3", method: .get, headers: manager) { r in
                #expect(r.status == .ok && r.text.contains("noisy CDC") && r.text.contains("id=\"disposition-form\""), "\(r.text)")
            }
            try await client.execute(
                uri: "/data-taking/runs/8:3/disposition", method: .post, headers: manager.merging([.contentType: "application/x-www-form-urlencoded"]),
                body: ByteBuffer(string: "disposition=normal&reason=checked+again")
            ) { r in
                #expect(r.status == .seeOther || r.status == .found, "\(r.status) \(r.text)")
            }
            try await client.execute(
                uri: "/data-taking/switch", method: .post, headers: manager.merging([.contentType: "application/x-www-form-urlencoded"]),
                body: ByteBuffer(string: "action=stop&run=8:4&reason=wait+for+alignment")
            ) { r in
                #expect(r.status == .seeOther || r.status == .found, "\(r.status) \(r.text)")
            }
            let viewer: HTTPFields = [.cookie: "conveyor_session=\(try await fixture.session(.viewer))"]
            try await client.execute(uri: "/data-taking", method: .get, headers: viewer) { r in
                #expect(r.text.contains("stopped</b> (run:8:4)") && !r.text.contains("id=\"switch-form\""), "\(r.text)")
            }
            try await client.execute(uri: "/data-taking/runs/8:3", method: .get, headers: viewer) { r in
                #expect(r.text.contains("checked again") && r.text.contains("postponed"), "\(r.text)")
            }
            let audit = try await fixture.store.read { try await $0.auditEntries(limit: 50) }.map(\.action)
            #expect(audit.contains("prompt.stop") && audit.contains("prompt.resume") && audit.contains("prompt.postponed") && audit.contains("payload.append"))
        }
    }
}

extension DataTakingAPITests {
    @Test(arguments: TestBackend.available)
    func theDataAcquisitionPostsRunsAndFiles(backend: TestBackend) async throws {
        try await ServerFixture.run(backend) { client, fixture in
            let file =
                #"[{"lfn": "/belle/raw/e0008/r00012/raw_0.sroot", "size": 10, "adler32": "00000001", "sha256": "\#(String(repeating: "0", count: 64))", "events": 5, "run": {"exp": 8, "run": 12}, "level": "raw", "release": "", "globalTags": [], "parents": [], "status": "good", "replicas": []}]"#
            try await client.execute(uri: "/api/v1/daq/files", method: .post, headers: fixture.auth(.manager), body: .json(file)) { r in
                #expect(r.status == .notFound && r.apiError?.error.contains("no start record") == true, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/daq/runs", method: .post, headers: fixture.auth(.viewer), body: .json(#"{"run": "8:12"}"#)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(
                uri: "/api/v1/daq/runs", method: .post, headers: fixture.auth(.manager), body: .json(#"{"run": "8:12", "at": "2026-12-07T10:00:00Z"}"#)
            ) { r in
                #expect(r.status == .created && r.text.contains(#""state":"taking""#), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/daq/files", method: .post, headers: fixture.auth(.manager), body: .json(file)) { r in
                #expect(r.status == .ok && r.text.contains(#""registered":1"#), "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/daq/runs/8:12/end", method: .post, headers: fixture.auth(.manager), body: .json(#"{"at": "2026-12-07T09:00:00Z"}"#)
            ) { r in
                #expect(r.status == .badRequest && r.apiError?.code == "invalid_input" && r.apiError?.error.contains("before its start") == true, "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/daq/runs/8:12/end", method: .post, headers: fixture.auth(.manager),
                body: .json(#"{"at": "2026-12-07T11:00:00Z", "events": 20000, "onlineLuminosity": 1.5}"#)
            ) { r in
                #expect(r.status == .ok && r.text.contains(#""state":"ended""#), "\(r.text)")
            }
        }
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        for field in other { merged.append(field) }
        return merged
    }
}
