import ConveyorCore
import ConveyorStore
import ConveyorTestSupport
import Foundation
import Testing

/// Jobs carry what they need and report back: neither the environment a job's program sees
/// nor anything in a job's folder (its script, description, conditions, report) names the
/// database, even when the scheduler was started with the database's password in its own
/// environment.
@Suite("Jobs without the database")
struct JobIsolationTests {
    @Test(arguments: TestBackend.available)
    func noJobSeesTheDatabaseOrItsPassword(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            var database = CommandLineTests.url(location)
            let secret = "s3cret-\(UUID().uuidString.prefix(8))"
            if case .postgres(var address) = location {
                // The test server trusts loopback, so any password is accepted: the point is where it travels.
                address.password = secret
                database = address.connectionURL
            }
            let fixture = try RequestFixture(directory: directory, database: database, runs: [1])
            try await fixture.prepare()
            try fixture.writeRequest(name: "u1", campaign: "unofficial", calibrations: [], outputs: "[mdst]", skims: "[]")
            try await fixture.ok("request", "submit", "request.yaml")
            try await fixture.schedule()
            #expect(try await fixture.stepStates("u1")["mdst-all-events"] == "succeeded")
            #expect(try await fixture.catalogOutputs().count == 5)

            // Job folders go beside an SQLite database, else into the working directory.
            let root = location.isSQLite ? (database as NSString).deletingLastPathComponent + "/conveyor-jobs" : directory.file("conveyor-jobs")
            let files = try FileManager.default.subpathsOfDirectory(atPath: root).map { root + "/" + $0 }.filter {
                var folder: ObjCBool = false
                return FileManager.default.fileExists(atPath: $0, isDirectory: &folder) && !folder.boolValue
            }
            let environments = files.filter { $0.hasSuffix("/program.env") }
            #expect(environments.count == 5, "every job's program wrote its environment: \(environments.count)")
            let descriptions = files.filter { $0.hasSuffix("/job.json") }
            #expect(descriptions.count >= 5, "mDST jobs and the quality report")
            let reports = files.filter { $0.hasSuffix("/report.json") }
            #expect(reports.count == descriptions.count)
            let forbidden = [database, secret, "CONVEYOR_DB", "postgres://", "PGPASSWORD"] + (location.isSQLite ? [database] : [])
            for file in files {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
                for word in forbidden where !word.isEmpty {
                    #expect(!text.contains(word), "\(file) holds '\(word)'")
                }
            }
            // The description says what the job needs instead: its inputs' paths, its output and tags.
            let first = try #require(environments.first).replacingOccurrences(of: "program.env", with: "job.json")
            let description = try JobDescription.decode(from: try Data(contentsOf: URL(fileURLWithPath: first)))
            #expect(description.inputs.count == 1 && FileManager.default.fileExists(atPath: description.inputs[0].location), "\(description.inputs)")
            #expect(description.outputs.count == 1 && description.outputs[0].location.hasPrefix(directory.file("storage")))
            #expect(description.globalTags.contains("online"))
            #expect(FileManager.default.fileExists(atPath: first.replacingOccurrences(of: "job.json", with: "conditions")), "payload files travel with the job")
        }
    }
}

extension StoreLocation {
    var isSQLite: Bool { if case .sqlite = self { true } else { false } }
}
