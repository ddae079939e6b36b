import ConveyorCore
import ConveyorRuns
import ConveyorStore
import ConveyorTestSupport
import Foundation
import Testing

@Suite("Data search")
struct DataSearchTests {
    @Test(arguments: TestBackend.available)
    func searchCombinesRunQualityEnergyTagsAndSites(backend: TestBackend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let registry = RunRegistry(store: store)
            let csv = "exp,run,type,energy,events,online_lumi\n8,100,physics,4S,10,1\n8,101,physics,Continuum,10,1\n8,102,cosmic,4S,10,1\n"
            _ = try await registry.importSummary(Data(csv.utf8), name: "runs.csv", by: manager)
            try await registry.flag(ExpRun(exp: 8, run: 100), to: .good, reason: "ok", by: shifter)
            try await registry.flag(ExpRun(exp: 8, run: 101), to: .good, reason: "ok", by: shifter)
            var files: [CatalogFile] = []
            for r in [100, 101, 102] {
                for tag in ["hlt_hadron", "hlt_mumu_2trk"] {
                    files.append(
                        CatalogFile(
                            lfn: "/belle/e0008/r\(r)/skim/\(tag)/mdst/sub00/f.root", size: 1, adler32: "00000001", sha256: sha("\(r)\(tag)"),
                            events: 5, run: ExpRun(exp: 8, run: r), level: .mdst, dataTag: tag,
                            replicas: [Replica(site: r == 100 ? "KEKCC" : "DESY", path: "/x/\(r)/\(tag)")]))
                }
            }
            _ = try await FileCatalog(store: store).register(files, by: manager)
            let catalog = FileCatalog(store: store)

            let good4S = try await catalog.search(DataSearch(runs: RunQuery(energy: "4S", quality: .good), tags: ["hlt_hadron"]))
            #expect(good4S.files.map(\.lfn) == ["/belle/e0008/r100/skim/hlt_hadron/mdst/sub00/f.root"])
            #expect(good4S.runs.map(\.paths) == [["/belle/e0008/r100/skim/hlt_hadron/mdst/sub00"]])

            let (include, exclude) = DataSearch.tagFilters("!hlt_mumu_2trk")
            #expect(include.isEmpty && exclude == ["hlt_mumu_2trk"])
            let notMumu = try await catalog.search(DataSearch(runs: RunQuery(type: .physics), excludedTags: exclude))
            #expect(notMumu.files.map(\.run.run) == [100, 101])
            let atDESY = try await catalog.search(DataSearch(files: FileQuery(site: "DESY"), tags: ["hlt_mumu_2trk"]))
            #expect(atDESY.files.map(\.run.run) == [101, 102])
            #expect(try await catalog.search(DataSearch(runs: RunQuery(quality: .bad))).files.isEmpty)
        }
    }
}
