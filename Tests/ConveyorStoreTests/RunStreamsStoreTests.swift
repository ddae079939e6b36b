import ConveyorCore
import ConveyorTestSupport
import Foundation
import Testing

@testable import ConveyorStore

/// A run's raw data streams as registration keeps them (issue 19): the DAQ's files per stream,
/// not HLT skims made from other raw files, each file counted once however often it is registered.
@Suite("Run streams in the store")
struct RunStreamsStoreTests {
    static func raw(_ name: String, tag: String?, events: Int64, parents: [String] = []) -> CatalogFile {
        CatalogFile(
            lfn: "/belle/raw/r1/\(name)", size: 10, adler32: "0000000a", sha256: String(repeating: "a", count: 64), events: events,
            run: ExpRun(exp: 8, run: 1), level: .raw, dataTag: tag, parents: parents)
    }

    @Test(arguments: TestBackend.available)
    func registrationCountsTheDAQsFilesPerStream(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let files = [
                Self.raw("all_0", tag: nil, events: 1000), Self.raw("all_1", tag: nil, events: 900),
                Self.raw("hadron_0", tag: "hlt_hadron", events: 12),
                // An HLT skim made from an all-events file is not more of the run.
                Self.raw("bhabha_made", tag: "hlt_bhabha", events: 60, parents: ["/belle/raw/r1/all_0"]),
            ]
            try await store.write { session in
                try await session.registerFiles(files, at: .now)
                try await session.registerFiles([files[0], files[2]], at: .now)  // already there: not counted again
            }
            let accounting = try await store.read { try await $0.runAccounting([ExpRun(exp: 8, run: 1)]) }
            let run = ExpRun(exp: 8, run: 1)
            #expect(accounting.streams[.init(run: run, stream: "all")]?.files == 2)
            #expect(accounting.streams[.init(run: run, stream: "all")]?.events == 1900)
            #expect(accounting.streams[.init(run: run, stream: "hlt_hadron")]?.events == 12)
            #expect(accounting.streams[.init(run: run, stream: "hlt_bhabha")] == nil)
            // The skim made from all_0 carries all_0's share of the run's all-events stream.
            let behind = try await store.read { try await $0.rawAncestors(of: ["/belle/raw/r1/bhabha_made"]) }
            #expect(behind.count == 1 && behind[0].stream == "all" && behind[0].events == 1000, "\(behind)")
        }
    }
}
