import ConveyorCore
import ConveyorRuns
import ConveyorStore
import ConveyorTestSupport
import Foundation
import Testing

let manager = Actor(name: "mona", role: .manager)
let shifter = Actor(name: "sam", role: .expert)
func run(_ text: String) -> ExpRun { try! ExpRun(parsing: text) }

let summaryCSV = """
    exp,run,type,energy,magnet,start,stop,events,online_lumi,offline_lumi,state
    8,100,physics,4S,on,2026-11-01T00:00:00Z,2026-11-01T02:00:00Z,1000000,12.5,,ended
    8,101,physics,4S,on,2026-11-01T02:10:00Z,2026-11-01T02:30:00Z,200000,2.5,2.4,ended
    8,102,cosmic,4S,off,2026-11-01T03:00:00Z,2026-11-01T04:00:00Z,5000,0,,ended
    8,103,physics,Continuum,on,2026-11-01T04:00:00Z,2026-11-01T06:00:00Z,900000,10,,closed

    """

@Suite("Run registry")
struct RunRegistryTests {
    @Test(arguments: TestBackend.available)
    func importIsIdempotentAndRecordsChanges(backend: TestBackend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let registry = RunRegistry(store: store)
            let first = try await registry.importSummary(Data(summaryCSV.utf8), name: "runs.csv", by: manager)
            #expect(first.added == 4 && first.changed == 0)
            let again = try await registry.importSummary(Data(summaryCSV.utf8), name: "runs.csv", by: manager)
            #expect(again.added == 0 && again.changed == 0 && again.unchanged == 4, "the same file again changes nothing")
            let edited = summaryCSV.replacingOccurrences(
                of: "8,100,physics,4S,on,2026-11-01T00:00:00Z,2026-11-01T02:00:00Z,1000000,12.5,,ended",
                with: "8,100,physics,4S,on,2026-11-01T00:00:00Z,2026-11-01T02:00:00Z,1000000,12.5,11.9,closed")
            let third = try await registry.importSummary(Data(edited.utf8), name: "runs.csv", by: manager)
            #expect(third.changed == 1)
            #expect(third.changes.map { "\($0.field) \($0.oldValue ?? "-") -> \($0.newValue ?? "-")" } == ["offline_lumi - -> 11.9", "state ended -> closed"])
            let detail = try await registry.detail(of: run("8:100"))
            #expect(detail.valueChanges.count == 2)
            #expect(detail.run.luminosity == 11.9)
            #expect(detail.derivedTags == [">=30 Minute Run"])
        }
    }

    @Test(arguments: TestBackend.available)
    func aMalformedRowIsNamedAndNothingIsImported(backend: TestBackend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let registry = RunRegistry(store: store)
            let bad = summaryCSV.replacingOccurrences(
                of: "8,102,cosmic,4S,off,2026-11-01T03:00:00Z,2026-11-01T04:00:00Z,5000",
                with: "8,102,cosmic,4S,off,2026-11-01T03:00:00Z,2026-11-01T04:00:00Z,lots")
            do {
                _ = try await registry.importSummary(Data(bad.utf8), name: "runs.csv", by: manager)
                Issue.record("a malformed file was imported")
            } catch {
                #expect("\(error)" == "runs.csv row 4: events 'lots' is not a whole number")
            }
            #expect(try await registry.list(RunQuery()).runs.isEmpty, "nothing from the file was imported")
            for (text, reason) in [
                ("exp,run,colour\n8,1,red\n", "unknown column 'colour'"), ("exp,run\n8,1\n8,1\n", "appears twice"),
                ("exp,run,start\n8,1,yesterday\n", "row 2: start"), ("exp,run,type\n8,1,party\n", "unknown run type"),
                (#"[{"exp": 8, "run": "x"}]"#, "item 1"), ("[1,2]", "not a JSON array of run objects"),
            ] {
                do {
                    _ = try await registry.importSummary(Data(text.utf8), name: "f", by: manager)
                    Issue.record("accepted: \(text)")
                } catch {
                    #expect("\(error)".contains(reason), "\(text): \(error)")
                }
            }
            await #expect(throws: ConveyorError.self, "experts do not register runs") {
                _ = try await registry.importSummary(Data(summaryCSV.utf8), name: "runs.csv", by: shifter)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func listsFilterAndTotal(backend: TestBackend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let registry = RunRegistry(store: store)
            _ = try await registry.importSummary(Data(summaryCSV.utf8), name: "runs.csv", by: manager)
            let json = #"[{"exp": 9, "run": 5, "type": "physics", "magnet": true, "events": 10, "online_lumi": 1.5}]"#
            _ = try await registry.importSummary(Data(json.utf8), name: "runs.json", by: manager)
            let all = try await registry.list(RunQuery())
            #expect(all.totals.runs == 5)
            #expect(all.totals.events == 2_105_010)
            #expect(abs(all.totals.luminosityPerPicobarn - 26.4) < 1e-9)
            let physics = try await registry.list(RunQuery(exp: 8, type: .physics, energy: "4S"))
            #expect(physics.runs.map(\.record.run.run) == [100, 101])
            #expect(abs(physics.totals.luminosityPerPicobarn - 14.9) < 1e-9)
            #expect(try await registry.list(RunQuery(exp: 8, minimumDurationSeconds: 3600)).runs.map(\.record.run.run) == [100, 102, 103])
            #expect(try await registry.list(RunQuery(minimumLuminosity: 10)).runs.map(\.record.run.run) == [100, 103])
            #expect(try await registry.list(RunQuery(exp: 8, runRange: 101...102, magnet: false)).runs.map(\.record.run.run) == [102])
        }
    }

    @Test(arguments: TestBackend.available)
    func goodRunListsAreReplayedAsOfAnyMoment(backend: TestBackend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let registry = RunRegistry(store: store)
            _ = try await registry.importSummary(Data(summaryCSV.utf8), name: "runs.csv", by: manager)
            for r in [100, 101, 103] { try await registry.flag(run("8:\(r)"), to: .good, reason: "certified", by: shifter) }
            try await registry.flag(run("8:102"), to: .bad, reason: "cosmic", by: shifter)
            try await registry.flag(run("8:101"), detector: "cdc", to: .good, reason: "ok", by: shifter)
            let analysis = Timestamp.now
            try await Task.sleep(for: .milliseconds(5))
            try await registry.flag(run("8:100"), to: .bad, reason: "beam loss found later", by: shifter)
            try await registry.tag(run("8:103"), "Bad For Alignment", add: true, reason: "SVD shift", by: shifter)

            #expect(try await registry.goodRuns(exp: 8).runs == [101, 103])
            #expect(try await registry.goodRuns(exp: 8, asOf: analysis).runs == [100, 101, 103], "as the analysis saw it")
            #expect(try await registry.goodRuns(exp: 8, requiring: ["CDC"]).runs == [101])
            #expect(try await registry.goodRuns(exp: 8, complement: true).runs == [100, 102])
            let list = try await registry.goodRuns(exp: 8)
            #expect(list.golden == ["101": [[1, 2147483647]], "103": [[1, 2147483647]]])
            #expect(list.text == "8:101\n8:103\n")
            #expect(try await registry.goodRuns(exp: 8, asOf: Timestamp(microsecondsSinceEpoch: 0)).runs.isEmpty)

            let detail = try await registry.detail(of: run("8:100"))
            #expect(detail.quality.summary == .bad)
            #expect(
                detail.qualityEvents.map { "\($0.old ?? "-") -> \($0.new) (\($0.reason))" } == [
                    "UNKNOWN -> GOOD (certified)", "GOOD -> BAD (beam loss found later)",
                ])
            #expect(try await registry.detail(of: run("8:103")).quality.tags == ["Bad For Alignment"])
            #expect(try await registry.list(RunQuery(quality: .good)).runs.map(\.record.run.run) == [101, 103])

            await #expect(throws: ConveyorError.self) { try await registry.flag(run("8:999"), to: .good, reason: "x", by: shifter) }
            await #expect(throws: ConveyorError.self) { try await registry.flag(run("8:100"), detector: "RICH", to: .good, reason: "x", by: shifter) }
            await #expect(throws: ConveyorError.self) { try await registry.flag(run("8:100"), to: .good, reason: " ", by: shifter) }
            await #expect(throws: ConveyorError.self) { try await registry.flag(run("8:100"), to: .good, reason: "x", by: Actor(name: "v", role: .viewer)) }
            await #expect(throws: ConveyorError.self) { _ = try await registry.goodRuns(exp: 8, requiring: ["RICH"]) }
        }
    }

    @Test(arguments: TestBackend.available)
    func detectorsAreConfiguredPerExperiment(backend: TestBackend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let registry = RunRegistry(store: store)
            _ = try await registry.importSummary(Data(summaryCSV.utf8), name: "runs.csv", by: manager)
            #expect(try await registry.configuration(of: 8).detectors == Detectors.belleII, "Belle II's until set")
            await #expect(throws: ConveyorError.self) {
                try await registry.configure(try ExperimentConfiguration(exp: 8, name: "x", detectors: ["CDC"]), by: shifter)
            }
            try await registry.configure(try ExperimentConfiguration(exp: 8, name: "cosmic test", detectors: ["CDC", "RICH"]), by: manager)
            try await registry.flag(run("8:100"), detector: "rich", to: .good, reason: "new detector", by: shifter)
            try await registry.flag(run("8:100"), to: .good, reason: "ok", by: shifter)
            await #expect(throws: ConveyorError.self, "ECL is not an exp 8 detector any more") {
                try await registry.flag(run("8:100"), detector: "ECL", to: .good, reason: "x", by: shifter)
            }
            #expect(try await registry.goodRuns(exp: 8, requiring: ["RICH"]).runs == [100])
            #expect(try await registry.detail(of: run("8:100")).quality.flag(of: "RICH") == .good)
            #expect(try await registry.experiments().map(\.exp) == [8])
            try await registry.configure(try ExperimentConfiguration(exp: 8, name: "cosmic test", detectors: ["CDC", "RICH", "ECL"]), by: manager)
            #expect(try await registry.configuration(of: 8).detectors == ["CDC", "RICH", "ECL"])
            #expect(try await registry.configuration(of: 9).detectors == Detectors.belleII, "other experiments keep the default")
        }
    }

    @Test func experimentConfigurationsRefuseBadDetectorLists() {
        #expect(throws: ConveyorError.self) { try ExperimentConfiguration(exp: 1, name: "", detectors: []) }
        #expect(throws: ConveyorError.self) { try ExperimentConfiguration(exp: 1, name: "", detectors: ["CDC", "cdc"]) }
        #expect(throws: ConveyorError.self) { try ExperimentConfiguration(exp: 1, name: "", detectors: ["C D C"]) }
        #expect(throws: ConveyorError.self) { try ExperimentConfiguration(exp: -1, name: "", detectors: ["CDC"]) }
    }

    @Test func flagsParseAndListsFoldIntoRanges() throws {
        #expect(try QualityFlag(parsing: "recoverable") == .recoverable)
        #expect(throws: ConveyorError.self) { try QualityFlag(parsing: "MEH") }
        #expect(GoodRunList(exp: 8, runs: [107, 100, 101, 102, 104], asOf: nil, required: []).ranges == [[100, 102], [104, 104], [107, 107]])
    }
}
