import ConveyorCore
import ConveyorTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Quality monitoring (issue 18) over REST and pages: files stored per run, references, the
/// comparisons, the proposals a shifter confirms, trends and processing comparisons.
@Suite("Quality monitoring (REST, pages, inbox)")
struct MonitoringAPITests {
    /// A run's monitoring file: a hit map (superlayer 4 at `layer4` of nominal) and a mass mean.
    static func file(run: Int, processing: String = "express", layer4: Double = 1, mass: Double = 3.1, bins: Int = 8) -> String {
        let contents = (1...bins).map { $0 == 4 ? 5000 * layer4 : 5000 }.map { String(Int($0)) }.joined(separator: ", ")
        return """
            {"run": {"exp": 8, "run": \(run)}, "processing": "\(processing)",
             "histograms": [{"name": "cdc/hit_map", "x": {"bins": \(bins), "low": 0.5, "high": \(Double(bins) + 0.5)}, "contents": [\(contents)], "entries": 40000}],
             "scalars": [{"name": "physics/mass_mean", "value": \(mass), "error": 0.005}]}
            """
    }

    @Test(arguments: TestBackend.available)
    func aFailingRunIsProposedConfirmedOnceAndBecomesAQualityEvent(backend: TestBackend) async throws {
        try await ServerFixture.run(backend) { client, fixture in
            var csv = "exp,run,type,start,stop\n"
            for run in 1...5 { csv += "8,\(run),physics,2099-01-01T0\(run):00:00Z,2099-01-01T0\(run):30:00Z\n" }
            try await client.execute(uri: "/api/v1/runs", method: .post, headers: fixture.auth(.manager), body: ByteBuffer(string: csv)) { r in
                #expect(r.status == .ok, "\(r.text)")
            }
            for run in [1, 2, 4] {
                try await client.execute(uri: "/api/v1/qm/values", method: .post, headers: fixture.auth(.expert), body: .json(Self.file(run: run))) { r in
                    #expect(r.status == .created, "\(r.text)")
                }
            }
            // Run 3's superlayer 4 tripped; run 5's file has another binning.
            try await client.execute(uri: "/api/v1/qm/values", method: .post, headers: fixture.auth(.expert), body: .json(Self.file(run: 3, layer4: 0.3))) {
                r in
                #expect(r.status == .created && r.text.contains(#""version":1"#), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/qm/values", method: .post, headers: fixture.auth(.expert), body: .json(Self.file(run: 5, bins: 9))) { r in
                #expect(r.status == .created, "\(r.text)")
            }
            // Before any reference: nothing is comparable, nothing is proposed.
            try await client.execute(uri: "/api/v1/qm/proposals", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.text == #"{"proposals":[]}"#, "\(r.text)")
            }
            let reference = #"{"variable": "cdc/hit_map", "exp": 8, "runs": "1-100", "fromRun": 1, "test": "ks:0.01,0.0001", "reason": "run 1: all on"}"#
            try await client.execute(uri: "/api/v1/qm/references", method: .post, headers: fixture.auth(.viewer), body: .json(reference)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/qm/references", method: .post, headers: fixture.auth(.expert), body: .json(reference)) { r in
                #expect(r.status == .ok && r.text.contains(#""runsCompared":5"#), "\(r.text)")
            }
            let scalar = #"{"variable": "physics/mass_mean", "exp": 8, "runs": "1-100", "value": 3.097, "test": "abs:0.03,0.06", "reason": "nominal"}"#
            try await client.execute(uri: "/api/v1/qm/references", method: .post, headers: fixture.auth(.expert), body: .json(scalar)) { r in
                #expect(r.status == .ok, "\(r.text)")
            }
            // One proposal: run 3 CDC. Run 5 is not comparable (its binning), so it proposes nothing.
            let proposal = try await client.execute(uri: "/api/v1/qm/proposals", method: .get, headers: fixture.auth(.viewer)) { r in
                let proposals = try r.json([String: [QualityProposal]].self)["proposals"] ?? []
                #expect(proposals.count == 1 && proposals.first?.run == ExpRun(exp: 8, run: 3) && proposals.first?.detector == "CDC", "\(r.text)")
                return try #require(proposals.first)
            }
            try await client.execute(uri: "/api/v1/runs/8/5/monitoring", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .ok && r.text.contains("binning differs from the reference (9 bins"), "\(r.text)")
                #expect(r.text.contains(#""verdict":"not_comparable""#))
            }
            try await client.execute(uri: "/api/v1/inbox", method: .get, headers: fixture.auth(.expert)) { r in
                #expect(r.text.contains(#""kind":"quality_proposal""#) && r.text.contains("monitoring proposes run 8:3 CDC BAD"), "\(r.text)")
            }

            // The run's page draws the histogram over its reference and offers the decision.
            let expert: HTTPFields = [.cookie: "conveyor_session=\(try await fixture.session(.expert))"]
            try await client.execute(uri: "/runs/8/3/monitoring?processing=express", method: .get, headers: expert) { r in
                #expect(r.status == .ok && r.text.contains("<svg") && r.text.contains("Confirm CDC BAD") && r.text.contains("KS probability"), "\(r.text)")
            }
            var form = expert
            form[.contentType] = "application/x-www-form-urlencoded"
            try await client.execute(
                uri: "/qm/proposals/\(proposal.id)/decide", method: .post, headers: form,
                body: ByteBuffer(string: "decision=confirm&comment=HV+trip+in+the+logbook")
            ) { r in
                #expect(r.status == .seeOther && r.headers[.location] == "/runs/8/3/monitoring?processing=express", "\(r.text)")
            }
            // Confirmed once: a second confirmation is a conflict, and the flag is an ordinary quality event.
            try await client.execute(uri: "/api/v1/qm/proposals/\(proposal.id)/confirm", method: .post, headers: fixture.auth(.expert), body: .json("{}")) {
                r in
                #expect(r.status == .conflict && r.text.contains("is confirmed (by test-expert), not open"), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/runs/8/3", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.text.contains(#""CDC":"BAD""#), "\(r.text)")
                let text = r.text.replacingOccurrences(of: "\\/", with: "/")
                #expect(
                    text.contains("proposed by monitoring (express: cdc/hit_map: KS probability") && text.contains("confirmed by test-expert: HV trip"),
                    "\(text)")
            }
            try await client.execute(uri: "/api/v1/inbox", method: .get, headers: fixture.auth(.expert)) { r in
                #expect(!r.text.contains("quality_proposal"), "\(r.text)")
            }

            // A newer version that passes keeps the decision; the trend shows both runs and marks the flagged one.
            try await client.execute(uri: "/api/v1/qm/values", method: .post, headers: fixture.auth(.expert), body: .json(Self.file(run: 3))) { r in
                #expect(r.status == .created && r.text.contains(#""version":2"#), "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/qm/trend?variable=physics/mass_mean&exp=8&runs=1-5&processing=express", method: .get, headers: fixture.auth(.viewer)
            ) { r in
                let trend = try JSONSerialization.jsonObject(with: Data(r.text.utf8)) as? [String: Any]
                let points = trend?["points"] as? [[String: Any]] ?? []
                #expect(points.count == 5 && points.filter { $0["flaggedBad"] as? Bool == true }.count == 0, "the summary stays the shifter's: \(r.text)")
                #expect((trend?["bands"] as? [[String: Any]])?.first?["low"] as? Double == 3.067, "\(r.text)")
            }
            try await client.execute(
                uri: "/api/v1/qm/trend?variable=cdc/hit_map&exp=8&runs=1-5&processing=express", method: .get, headers: fixture.auth(.viewer)
            ) {
                r in
                #expect(r.text.contains(#""detector":"CDC""#) && r.text.contains(#""flaggedBad":true"#), "CDC is BAD for run 3: \(r.text)")
                let points = (try JSONSerialization.jsonObject(with: Data(r.text.utf8)) as? [String: Any])?["points"] as? [[String: Any]] ?? []
                // The verdicts are the last comparison's: run 3's version 2 passes, run 5's binning is not comparable.
                #expect(points.map { $0["verdict"] as? String ?? "" } == ["ok", "ok", "ok", "ok", "not_comparable"], "\(r.text)")
            }
            try await client.execute(uri: "/qm/trend", method: .get, headers: expert) { r in
                #expect(r.status == .ok && r.text.contains("name=\"exp\" value=\"8\"") && r.text.contains("<option value=\"cdc/hit_map\""), "\(r.text)")
            }
            try await client.execute(uri: "/qm/trend?variable=cdc/hit_map&exp=8&runs=1-5&processing=express", method: .get, headers: expert) { r in
                #expect(r.status == .ok && r.text.contains("class=\"bad-run\""), "\(r.text)")
            }

            // Two processings side by side.
            try await client.execute(
                uri: "/api/v1/qm/values", method: .post, headers: fixture.auth(.expert), body: .json(Self.file(run: 2, processing: "prompt", mass: 3.098))
            ) { r in
                #expect(r.status == .created, "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/qm/compare?processing=express,prompt&exp=8&runs=2-2", method: .get, headers: fixture.auth(.viewer)) { r in
                let rows = try JSONSerialization.jsonObject(with: Data(r.text.utf8)) as? [String: Any]
                let mass = (rows?["rows"] as? [[String: Any]])?.first { $0["variable"] as? String == "physics/mass_mean" }
                #expect(abs((mass?["difference"] as? Double ?? 0) + 0.002) < 1e-9, "\(r.text)")
            }

            // Bad input: each a 4xx with one line, nothing stored.
            for (uri, body, status, words) in [
                ("/api/v1/qm/values", "not json", HTTPResponse.Status.badRequest, "not a monitoring file"),
                ("/api/v1/qm/values", Self.file(run: 99), .notFound, "no run 8:99 is registered"),
                ("/api/v1/qm/values", Self.file(run: 2).replacingOccurrences(of: "3.1,", with: "1e999,"), .badRequest, "not a monitoring file"),
                (
                    "/api/v1/qm/values", Self.file(run: 2).replacingOccurrences(of: "\"entries\": 40000", with: "\"entries\": -1"), .badRequest,
                    "entries must be"
                ),
                ("/api/v1/qm/references", reference.replacingOccurrences(of: "ks:0.01,0.0001", with: "ks:0.5,0.9"), .badRequest, "0 ≤ BAD ≤ WARNING"),
                (
                    "/api/v1/qm/references", reference.replacingOccurrences(of: "\"fromRun\": 1", with: "\"fromRun\": 77"), .notFound,
                    "run 8:77 has no cdc\\/hit_map"
                ),
                ("/api/v1/qm/references", reference.replacingOccurrences(of: "1-100", with: "100-1"), .badRequest, "not a run range"),
                ("/api/v1/qm/proposals/\(proposal.id)/reject", "{}", .badRequest, "say why the proposal is rejected"),
                ("/api/v1/qm/proposals/9999/confirm", "{}", .notFound, "no proposal 9999"),
            ] {
                try await client.execute(uri: uri, method: .post, headers: fixture.auth(.expert), body: .json(body)) { r in
                    #expect(r.status == status && r.text.contains(words) && r.text.contains(#""code""#), "\(uri) \(body): \(r.text)")
                }
            }
            try await client.execute(uri: "/api/v1/runs/8/2/monitoring?processing=proc9", method: .get, headers: fixture.auth(.viewer)) { r in
                #expect(r.status == .notFound && r.text.contains("run 8:2 has no monitoring in proc9 (it has express, prompt)"), "\(r.text)")
            }
            try await client.execute(uri: "/api/v1/runs/8/2/monitoring?processing=express", method: .get, headers: fixture.auth(.viewer)) { r in
                let shown = try JSONSerialization.jsonObject(with: Data(r.text.utf8)) as? [String: Any]
                #expect((shown?["entries"] as? [Any])?.count == 2, "nothing of the refused files was stored: \(r.text)")
            }
        }
    }
}
