import ConveyorCore
@testable import ConveyorStore
import ConveyorTestSupport
import Foundation
import SQLKit
import Testing

/// A stored name this program does not know is an error naming table, column and value, never a
/// silent default (a file read as GOOD, a command read as a cancellation).
@Suite("Stored values")
struct StoredValueTests {
    @Test(arguments: TestBackend.available)
    func anUnknownStoredNameIsAStoreErrorNotADefault(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let file = CatalogFile(
                lfn: "/belle/raw/a.sroot", size: 1, adler32: "0000abcd", sha256: String(repeating: "a", count: 64), events: 1,
                run: ExpRun(exp: 8, run: 1), level: .raw)
            try await store.write { _ = try await $0.registerFiles([file], at: .now) }
            #expect(try await store.read { try await $0.file(lfn: file.lfn) }?.status == .good)
            try await store.write { session in
                try await session.sql.update("files").set("status", to: "lost-in-space").where("lfn", .equal, file.lfn).run()
            }
            await #expect(
                throws: ConveyorError.storeFailure(
                    "files.status holds 'lost-in-space', which is not a FileStatus this program knows (a newer Conveyor wrote it, or the database was edited)")
            ) {
                _ = try await store.read { try await $0.file(lfn: file.lfn) }
            }
        }
    }
}
