import ConveyorCore
import ConveyorDataTaking
import ConveyorStore
import ConveyorTestSupport
import Foundation
import Testing

/// Runs and raw files arriving while Conveyor runs, on both databases: by call and through the
/// inbox folder; bad records refused in one line with nothing half-registered; and the handshake
/// closing a run whose end record never came at its last file.
@Suite("Run arrival")
struct RunArrivalTests {
    static let t0 = Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000)
    static func at(minutes: Double) -> Timestamp { Timestamp(microsecondsSinceEpoch: t0.microsecondsSinceEpoch + Int64(minutes * 60_000_000)) }
    static func run(_ n: Int) -> ExpRun { ExpRun(exp: 8, run: n) }
    static func raw(_ run: Int, _ index: Int, sha: Character = "0") -> CatalogFile {
        CatalogFile(
            lfn: "/belle/raw/e0008/r\(String(format: "%05d", run))/raw_\(index).sroot", size: 10, adler32: "00000001",
            sha256: String(repeating: sha, count: 64), events: 5, run: Self.run(run), level: .raw)
    }

    @Test(arguments: TestBackend.available)
    func runsAndFilesArriveAndBadRecordsAreRefusedWhole(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let daq = RunArrival(store: store)
            try await daq.start(Self.run(1), at: Self.at(minutes: 0), by: manager)
            try await daq.start(Self.run(1), at: Self.at(minutes: 0), by: manager)  // a retry changes nothing
            await #expect(throws: ConveyorError.self, "another start time") { try await daq.start(Self.run(1), at: Self.at(minutes: 5), by: manager) }
            await #expect(throws: ConveyorError.self, "a viewer is not the DAQ") { try await daq.start(Self.run(2), at: Self.at(minutes: 0), by: viewer) }
            #expect(try await daq.files([Self.raw(1, 0), Self.raw(1, 1)], by: manager) == .init(registered: 2, alreadyPresent: 0))
            #expect(try await daq.files([Self.raw(1, 1)], by: manager) == .init(registered: 0, alreadyPresent: 1))
            // A batch with one file for an unknown run, or one registered before with other checksums: none of it.
            await #expect(throws: ConveyorError.self) { try await daq.files([Self.raw(1, 2), Self.raw(9, 0)], by: manager) }
            await #expect(throws: ConveyorError.self) { try await daq.files([Self.raw(1, 3), Self.raw(1, 0, sha: "f")], by: manager) }
            var mdst = Self.raw(1, 4)
            mdst.level = .mdst
            await #expect(throws: ConveyorError.self, "the DAQ sends raw files") { try await daq.files([mdst], by: manager) }
            let lfns = try await store.read { session in try await session.registeredLFNs((0...4).map { Self.raw(1, $0).lfn }) }
            #expect(lfns == [Self.raw(1, 0).lfn, Self.raw(1, 1).lfn], "nothing half-registered")
            // Ends: not before the start, not for an unknown run, the same end again is fine.
            await #expect(throws: ConveyorError.self) { try await daq.end(Self.run(1), at: Self.at(minutes: -1), by: manager) }
            await #expect(throws: ConveyorError.self) { try await daq.end(Self.run(7), at: Self.at(minutes: 10), by: manager) }
            let ended = try await daq.end(Self.run(1), at: Self.at(minutes: 60), events: 20_000, onlineLuminosity: 1.5, by: manager)
            #expect(ended.state == .ended && ended.events == 20_000)
            try await daq.end(Self.run(1), at: Self.at(minutes: 60), by: manager)
            await #expect(throws: ConveyorError.self, "another end time") { try await daq.end(Self.run(1), at: Self.at(minutes: 61), by: manager) }
        }
    }

    @Test(arguments: TestBackend.available)
    func theInboxTakesRecordsInOrderAndSetsAsideWhatItRefuses(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let folder = try TemporaryDirectory(prefix: "conveyor-inbox")
            defer { folder.remove() }
            func drop(_ name: String, _ text: String) throws { try text.write(toFile: folder.file(name), atomically: true, encoding: .utf8) }
            let files = String(decoding: try JSONEncoder().encode([Self.raw(2, 0)]), as: UTF8.self)
            try drop("001-start.json", #"{"kind": "start", "run": "8:2", "at": "2027-01-15T08:00:00Z", "energy": "4S"}"#)
            try drop("002-files.json", #"{"kind": "files", "files": \#(files)}"#)
            try drop("003-end.json", #"{"kind": "end", "run": "8:2", "at": "2027-01-15T07:00:00Z"}"#)
            try drop("004-end.json", #"{"kind": "end", "run": "8:2", "at": "2027-01-15T09:00:00Z", "events": 100}"#)
            try drop("005-odd.json", #"{"kind": "pause"}"#)
            try drop("006-broken.json", "{")
            try drop("ignored.tmp", "still being written")
            let outcomes = try await RunInbox(folder: folder.path, arrival: RunArrival(store: store)).drain(by: manager)
            #expect(outcomes.map(\.name) == ["001-start.json", "002-files.json", "003-end.json", "004-end.json", "005-odd.json", "006-broken.json"])
            #expect(outcomes.map { $0.refusal == nil } == [true, true, false, true, false, false], "\(outcomes)")
            #expect(outcomes[2].refusal?.contains("before its start") == true)
            let reason = try String(contentsOfFile: folder.file("rejected/003-end.json.reason"), encoding: .utf8)
            #expect(reason.contains("before its start"))
            #expect(FileManager.default.fileExists(atPath: folder.file("done/004-end.json")))
            #expect(FileManager.default.fileExists(atPath: folder.file("ignored.tmp")), "only *.json records are read")
            let run = try await store.read { try await $0.run(Self.run(2)) }?.record
            #expect(run?.state == .ended && run?.events == 100)
            #expect(try await RunInbox(folder: folder.path, arrival: RunArrival(store: store)).drain(by: manager).isEmpty)
        }
    }

    @Test(arguments: TestBackend.available)
    func aRunWhoseEndRecordNeverCameIsClosedAtItsLastFile(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let daq = RunArrival(store: store)
            let prompt = PromptReco(store: store)
            try await prompt.configure(PromptSettings(closeAfterSeconds: 3_600), trackFrom: Self.run(1), by: manager)
            // Started two hours ago; its one file is registered now, by the real clock.
            try await daq.start(Self.run(1), at: Timestamp(microsecondsSinceEpoch: Timestamp.now.microsecondsSinceEpoch - 7_200_000_000), by: manager)
            try await daq.files([Self.raw(1, 0)], by: manager)
            try await daq.start(Self.run(2), at: Timestamp.now, by: manager)
            try await daq.end(Self.run(2), at: Timestamp.now, by: manager)
            #expect(try await prompt.cycle().tracked == 2)
            let lastFile = try await store.read { try await $0.promptRuns(run: Self.run(1)) }.first?.lastFileAt
            let file = try #require(lastFile)
            // Before the bound run 1 is open and run 2 waits behind it; after it, run 1 is closed at its file.
            let early = try await prompt.cycle(at: Timestamp(microsecondsSinceEpoch: file.microsecondsSinceEpoch + 1_800_000_000))
            #expect(early.plan.closes.isEmpty && early.plan.waiting?.contains("8:1 is still open") == true)
            let late = try await prompt.cycle(at: Timestamp(microsecondsSinceEpoch: file.microsecondsSinceEpoch + 3_700_000_000))
            #expect(late.plan.closes.map(\.run) == [Self.run(1)] && late.plan.closes[0].end == file)
            let detail = try await prompt.run(Self.run(1))
            #expect(detail.run.closedAt == file && detail.events.map(\.stage) == ["closed"])
        }
    }
}
