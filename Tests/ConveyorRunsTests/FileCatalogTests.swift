import ConveyorCore
import ConveyorRuns
import ConveyorStore
import ConveyorTestSupport
import Foundation
import Testing

func sha(_ seed: String) -> String { PayloadChecksums(of: Data(seed.utf8)).sha256 }

func raw(_ name: String, run: Int, events: Int64) -> CatalogFile {
    CatalogFile(
        lfn: "/belle/raw/e0008/r\(run)/\(name).root", size: 100, adler32: "0a0b0c0d", sha256: sha(name), events: events,
        run: ExpRun(exp: 8, run: run), level: .raw, replicas: [Replica(site: "KEKCC", storage: .tape, path: "/tape/\(name)")])
}

@Suite("File catalog")
struct FileCatalogTests {
    /// Two runs: 100 with raw files a, b (600 + 400 events, 10 /pb); 101 with raw file c (500 events, 5 /pb).
    static func seed(_ store: Store) async throws -> FileCatalog {
        let registry = RunRegistry(store: store)
        let csv = "exp,run,events,online_lumi\n8,100,1000,10\n8,101,500,5\n"
        _ = try await registry.importSummary(Data(csv.utf8), name: "runs.csv", by: manager)
        let catalog = FileCatalog(store: store)
        let a = raw("a", run: 100, events: 600), b = raw("b", run: 100, events: 400), c = raw("c", run: 101, events: 500)
        var cdst = CatalogFile(
            lfn: "/belle/cdst/ab.root", size: 50, adler32: "00000001", sha256: sha("ab"), events: 900,
            run: ExpRun(exp: 8, run: 100), level: .cdst, release: "release-04", globalTags: ["prompt"], parents: [a.lfn, b.lfn])
        cdst.replicas = [Replica(site: "DESY", path: "/disk/ab.root")]
        let mdst = CatalogFile(
            lfn: "/belle/mdst/abc.root", size: 20, adler32: "00000002", sha256: sha("abc"), events: 1200,
            run: ExpRun(exp: 8, run: 100), level: .mdst, release: "release-04", parents: [cdst.lfn, c.lfn])
        // Children before parents in the list: the catalog orders them.
        let report = try await catalog.register([mdst, cdst, a, b, c], by: manager)
        #expect(report.registered == 5)
        return catalog
    }

    @Test(arguments: TestBackend.available)
    func registrationIsIdempotentAndRefusesOtherChecksums(backend: TestBackend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let catalog = try await Self.seed(store)
            let again = try await catalog.register([raw("a", run: 100, events: 600)], by: manager)
            #expect(again.registered == 0 && again.alreadyPresent == 1)
            var changed = raw("a", run: 100, events: 600)
            changed.sha256 = sha("other")
            await #expect(throws: ConveyorError.self) { _ = try await catalog.register([changed], by: manager) }
            var orphan = raw("z", run: 100, events: 1)
            orphan.level = .cdst
            orphan.parents = ["/belle/raw/missing.root"]
            await #expect(throws: ConveyorError.self) { _ = try await catalog.register([raw("y", run: 100, events: 1), orphan], by: manager) }
            #expect(try await catalog.list(FileQuery()).count == 5, "a failed batch registers nothing")
            await #expect(throws: ConveyorError.self) { _ = try await catalog.register([raw("q", run: 100, events: 1)], by: shifter) }
        }
    }

    @Test(arguments: TestBackend.available)
    func largeBatchesRegisterAcrossStatementChunks(backend: TestBackend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let catalog = FileCatalog(store: store)
            let raws = (0..<1_500).map { raw("bulk\($0)", run: 100, events: 10) }
            // Each cdst has two raw parents, one of them from a different statement chunk; children come first.
            let cdsts = (0..<1_500).map { i in
                CatalogFile(
                    lfn: "/belle/cdst/bulk\(i).root", size: 5, adler32: "00000001", sha256: sha("cdst\(i)"), events: 20,
                    run: ExpRun(exp: 8, run: 100), level: .cdst, parents: [raws[i].lfn, raws[(i + 1_000) % 1_500].lfn],
                    replicas: [Replica(site: "DESY", path: "/disk/bulk\(i)"), Replica(site: "KEKCC", path: "/disk2/bulk\(i)")])
            }
            let report = try await catalog.register(cdsts + raws, by: manager)
            #expect(report.registered == 3_000)
            let provenance = try await catalog.show("/belle/cdst/bulk1499.root")
            #expect(provenance.ancestors.map(\.lfn) == [raws[1_499].lfn, raws[999].lfn])
            #expect(provenance.file.replicas.map(\.site) == ["DESY", "KEKCC"])
            #expect(try await catalog.show(raws[0].lfn).descendants.map(\.lfn) == ["/belle/cdst/bulk0.root", "/belle/cdst/bulk500.root"])
            let again = try await catalog.register(raws + cdsts, by: manager)
            #expect(again.registered == 0 && again.alreadyPresent == 3_000)
        }
    }

    @Test(arguments: TestBackend.available)
    func provenanceRunsBothWays(backend: TestBackend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let catalog = try await Self.seed(store)
            let mdst = try await catalog.show("/belle/mdst/abc.root")
            #expect(
                mdst.ancestors.map { "\($0.depth) \($0.lfn)" } == [
                    "1 /belle/cdst/ab.root", "1 /belle/raw/e0008/r101/c.root",
                    "2 /belle/raw/e0008/r100/a.root", "2 /belle/raw/e0008/r100/b.root",
                ])
            #expect(mdst.descendants.isEmpty)
            let a = try await catalog.show("/belle/raw/e0008/r100/a.root")
            #expect(a.descendants.map(\.lfn) == ["/belle/cdst/ab.root", "/belle/mdst/abc.root"])
            #expect(a.file.replicas == [Replica(site: "KEKCC", storage: .tape, path: "/tape/a")])
            #expect(try await catalog.show("/belle/cdst/ab.root").file.globalTags == ["prompt"])
        }
    }

    @Test(arguments: TestBackend.available)
    func filtersAndMarkBad(backend: TestBackend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let catalog = try await Self.seed(store)
            #expect(try await catalog.list(FileQuery(level: .raw)).count == 3)
            #expect(try await catalog.list(FileQuery(site: "DESY")).map(\.lfn) == ["/belle/cdst/ab.root"])
            #expect(try await catalog.list(FileQuery(runs: RunQuery(exp: 8, runRange: 101...101))).map(\.lfn) == ["/belle/raw/e0008/r101/c.root"])
            try await catalog.markBad("/belle/cdst/ab.root", reason: "truncated", by: shifter)
            #expect(try await catalog.list(FileQuery(status: .bad)).map(\.lfn) == ["/belle/cdst/ab.root"])
            await #expect(throws: ConveyorError.self) { try await catalog.markBad("/nope", reason: "x", by: shifter) }
        }
    }

    @Test(arguments: TestBackend.available)
    func luminosityIsPropagatedFromRawAncestors(backend: TestBackend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let catalog = try await Self.seed(store)
            let all = try await catalog.luminosity(behind: ["/belle/mdst/abc.root"])
            #expect(abs(all.luminosity - 15) < 1e-9, "both runs whole: 10 + 5 /pb")
            #expect(all.events == 1200)
            #expect(all.partlyCoveredRuns.isEmpty)
            let part = try await catalog.luminosity(behind: ["/belle/raw/e0008/r100/a.root"])
            #expect(abs(part.luminosity - 6) < 1e-9, "600 of run 100's 1000 events")
            #expect(part.partlyCoveredRuns == [ExpRun(exp: 8, run: 100)])
            let overlapping = try await catalog.luminosity(behind: ["/belle/cdst/ab.root", "/belle/raw/e0008/r100/a.root"])
            #expect(abs(overlapping.luminosity - 10) < 1e-9, "raw file a counts once")
            await #expect(throws: ConveyorError.self) { _ = try await catalog.luminosity(behind: ["/nope.root"]) }
        }
    }

    @Test func badFilesAreRefusedBeforeAnythingIsWritten() throws {
        var file = raw("a", run: 1, events: 1)
        file.adler32 = "xyz"
        #expect(throws: ConveyorError.self) { try file.validate() }
        file = raw("a", run: 1, events: 1)
        file.lfn = "relative/path.root"
        #expect(throws: ConveyorError.self) { try file.validate() }
        file = raw("a", run: 1, events: 1)
        file.parents = ["/x"]
        #expect(throws: ConveyorError.self, "a raw file with parents must be an HLT skim") { try file.validate() }
        file.dataTag = "hlt_bhabha"
        #expect(throws: Never.self, "an HLT skim of raw files") { try file.validate() }
        #expect(throws: ConveyorError.self) { try FileCatalog.decode(Data(#"[{"lfn": "/a"}]"#.utf8), name: "files.json") }
    }
}
