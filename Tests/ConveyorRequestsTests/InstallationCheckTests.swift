import ConveyorConditions
import ConveyorCore
import ConveyorRequests
import ConveyorRuns
import ConveyorStore
import ConveyorTestSupport
import ConveyorWorkflow
import Foundation
import Testing

@Suite("Requests against the installation")
struct InstallationCheckTests {
    static let manager = Actor(name: "mona", role: .manager)

    static func request(_ json: String) throws -> ProcessingRequest {
        try ProcessingRequest(configuration: try ConfigurationValue(json: Data(json.utf8), file: "r.json"))
    }

    @Test(arguments: TestBackend.available)
    func missingBucketsPoolsAndTagsAreNamed(backend: TestBackend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let check = InstallationCheck(store: store)
            let prompt = try Self.request(
                """
                {"name": "p", "campaign": "prompt", "bucket": "bucket16", "release": "r", "input": {"level": "raw"}, "outputs": ["mdst"],
                 "global_tags": ["online"], "staging_tag": "staging_b16", "prompt_tag": "prompt", "sites": [{"name": "KEKCC", "pool": "kekcc"}],
                 "calibrations": [{"name": "cdc", "command": "true", "expert": "e"}], "output_base": "/b", "commands": {"reconstruction": "reco"}}
                """)
            let conditions = ConditionsDatabase(store: store)
            _ = try await conditions.createTag(named: "prompt", by: Self.manager)
            #expect(
                try await check.problems(in: prompt) == [
                    "bucket 'bucket16' does not exist (conveyor bucket create …)",
                    "sites[0].pool: no pool 'kekcc' (conveyor pool add kekcc …)",
                    "global_tags[0]: no global tag 'online'",
                    "prompt_tag: prompt is OPEN; a prompt request running-updates a RUNNING tag",
                ])

            _ = try await RunRegistry(store: store).importSummary(Data("exp,run,events,online_lumi\n8,100,1000,10\n".utf8), name: "runs.csv", by: Self.manager)
            try await Workflows(store: store).savePool(try Pool(name: "local", executor: .local, slots: 2), by: Self.manager)
            _ = try await conditions.createTag(named: "online", by: Self.manager)
            let unofficial = try Self.request(
                """
                {"name": "u", "campaign": "unofficial", "runs": "8:1-200", "release": "r", "input": {"level": "raw"}, "outputs": ["mdst"],
                 "global_tags": ["online"], "sites": [{"name": "KEKCC", "pool": "local"}], "output_base": "/b", "commands": {"reconstruction": "reco"}}
                """)
            // Jobs read frozen conditions: an OPEN tag is named; a TESTING one suits unofficial processing, not prompt.
            #expect(
                try await check.problems(in: unofficial) == [
                    "global_tags[0]: online is OPEN; an OPEN tag may still change while jobs read it (gt set-state it to TESTING or later)"
                ])
            try await conditions.setState(ofTag: "online", to: .testing, by: Self.manager)
            #expect(try await check.problems(in: unofficial).isEmpty)
            #expect(
                try await check.problems(in: prompt).contains(
                    "global_tags[0]: online is TESTING; prompt and reprocessing read only validated tags (VALIDATED, PUBLISHED or RUNNING)"))
            let elsewhere = try Self.request(
                """
                {"name": "u", "campaign": "unofficial", "runs": "9:1-200", "release": "r", "input": {"level": "raw"}, "outputs": ["mdst"],
                 "global_tags": ["online"], "sites": [{"name": "KEKCC", "pool": "local"}], "output_base": "/b", "commands": {"reconstruction": "reco"}}
                """)
            #expect(try await check.problems(in: elsewhere) == ["runs: no run of 9:1-200 is registered"])
        }
    }
}
