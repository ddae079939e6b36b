import ConveyorCore
import ConveyorDataManagement
import ConveyorStore
import ConveyorTestSupport
import Foundation
import Testing

extension RucioServer {
    static func client(url text: String? = url) throws -> RucioClient {
        guard let text, let url = URL(string: text) else {
            throw ConveyorError.unavailable("CONVEYOR_TEST_RUCIO_URL is not set: scripts/test starts a Rucio server (scripts/rucio)")
        }
        return RucioClient(url: url, account: "root", username: "ddmlab", password: "secret")
    }
}

@Suite("Data management on Rucio", .serialized, .enabled(if: RucioServer.wanted))
struct RucioEngineTests {
    @Test(arguments: TestBackend.available)
    func rulesAreMadeInRucioAndTheirStatesAndReplicasReadBack(backend: TestBackend) async throws {
        try await RucioServer.exclusively {
            try await backend.withStore { store in
                let engine = RucioEngine(store: store, client: try RucioServer.client())
                let sites = try DataSites(store: store, engine: engine)
                defer { sites.directory.remove() }
                // RSE names are global in the one server: a suffix per test.
                let tag = RucioServer.freshTag()
                try await sites.endpoint("KEK_DISK_\(tag)", site: "KEK\(tag)", attributes: ["country": "JP"])
                try await sites.endpoint("BNL_DISK_\(tag)", site: "BNL\(tag)", attributes: ["country": "US"])
                let lfns = try await sites.rawFiles(3, at: "KEK_DISK_\(tag)", dataset: "b\(tag).raw", run: Int.random(in: 1...90_000))
                let rule = try await sites.dm.addRule(.init(target: .dataset("b\(tag).raw"), expression: "BNL_DISK_\(tag)"), by: DataSites.manager)
                #expect(rule.state == .REPLICATING, "\(rule)")
                #expect(rule.locksReplicating == 3, "Rucio's locks are mirrored")
                let external = try await store.read { try await $0.externalRules() }
                #expect(external.count == 1)

                // Rucio's daemons move the data (mock transfertool); a cycle reads the outcome back.
                try await RucioServer.runDaemons()
                _ = try await engine.cycle(at: .now)
                let done = try await sites.dm.rule(rule.id)
                #expect(done.rule.state == .OK && done.rule.locksOK == 3, "\(done)")
                for lfn in lfns {
                    #expect(
                        try await sites.replicas(lfn).contains { $0.site == "BNL\(tag)" && $0.state == .available }, "\(lfn) is at BNL in Conveyor's catalog")
                }

                // Refused by Conveyor before Rucio sees it, and by Rucio itself: one line each, nothing recorded.
                await #expect(throws: ConveyorError.self) {
                    _ = try await sites.dm.addRule(.init(target: .dataset("b\(tag).raw"), expression: "site=NOWHERE"), by: DataSites.manager)
                }
                do {
                    _ = try await sites.dm.addRule(
                        .init(target: .dataset("b\(tag).raw"), copies: 1, expression: "country=JP", activity: "No Such Activity"), by: DataSites.manager)
                } catch let error as ConveyorError {
                    #expect(!error.message.contains("\n"))
                }
                try await sites.dm.deleteRule(rule.id, by: DataSites.manager)
                #expect(try await sites.dm.rules().filter { $0.id == rule.id }.isEmpty)
            }
        }
    }

    /// A request's rules are recorded inside its submission; the Rucio engine's next cycle makes
    /// them in Rucio, and outputs attached later follow (Rucio's judge re-evaluates the rule).
    @Test func aRuleRecordedInAnotherTransactionIsMadeByTheNextCycleAndFollowsItsDataset() async throws {
        try await RucioServer.exclusively {
            try await TestBackend.sqlite.withStore { store in
                let engine = RucioEngine(store: store, client: try RucioServer.client())
                let sites = try DataSites(store: store, engine: engine)
                defer { sites.directory.remove() }
                #expect(!sites.dm.placesRulesInTransaction)
                let tag = RucioServer.freshTag()
                try await sites.endpoint("KEK_DISK_\(tag)", site: "KEK\(tag)")
                try await sites.endpoint("BNL_DISK_\(tag)", site: "BNL\(tag)")
                let dataset = "o\(tag).mdst"
                _ = try await sites.dm.createDataset(dataset, kind: .dataset, by: DataSites.manager)
                let recorded = try await store.write { session in
                    try await DataManagement.recordRule(
                        ReplicationRule(
                            id: 0, target: .dataset(dataset), copies: 1, expression: "BNL_DISK_\(tag)", owner: "conveyor-requests", activity: "Production",
                            request: "r\(tag)", createdAt: .now),
                        in: session, by: DataSites.manager, at: .now, placeNow: false)
                }
                #expect(recorded.locksOK + recorded.locksReplicating == 0)
                _ = try await engine.cycle(at: .now)
                #expect(try await store.read { try await $0.externalRules(includingOK: true) }.contains { $0.rule == recorded.id }, "made in Rucio")
                // Outputs arrive: attached here, registered and attached there, then moved by Rucio's daemons.
                let lfns = try await sites.rawFiles(2, at: "KEK_DISK_\(tag)", dataset: dataset, run: Int.random(in: 1...90_000))
                _ = try await engine.cycle(at: .now)
                try await RucioServer.runDaemons()
                _ = try await engine.cycle(at: .now)
                let placed = try await sites.dm.rule(recorded.id).rule
                #expect(placed.state == .OK && placed.locksOK == 2, "\(placed)")
                for lfn in lfns { #expect(try await sites.replicas(lfn).contains { $0.site == "BNL\(tag)" }) }
            }
        }
    }

    @Test func aRucioServerThatIsDownIsOneLineAndRecordsNothing() async throws {
        try await RucioServer.exclusively {
            try await TestBackend.sqlite.withStore { store in
                let engine = RucioEngine(store: store, client: try RucioServer.client(url: "http://127.0.0.1:9"))
                let sites = try DataSites(store: store, engine: engine)
                defer { sites.directory.remove() }
                try await sites.endpoint("KEK_DISK", site: "KEK")
                try await sites.endpoint("BNL_DISK", site: "BNL")
                try await sites.rawFiles(1, at: "KEK_DISK", dataset: "d.raw")
                do {
                    _ = try await sites.dm.addRule(.init(target: .dataset("d.raw"), expression: "BNL_DISK"), by: DataSites.manager)
                    Issue.record("a rule was made without Rucio")
                } catch let error as ConveyorError {
                    #expect(error.message.contains("cannot be reached"), "\(error.message)")
                    #expect(!error.message.contains("\n"))
                }
                #expect(try await sites.dm.rules().isEmpty)
            }
        }
    }
}
