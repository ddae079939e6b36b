import ConveyorCore
import ConveyorTestSupport
import Foundation
import Testing

@testable import ConveyorStore

/// A transaction whose task is cancelled must still end: its changes rolled back, its lock given
/// up, and the connection it used fit for the next writer.
@Suite("Store under cancellation")
struct StoreCancellationTests {
    /// The demo on Slurm once failed with "cannot start a transaction within a transaction": a
    /// write cancelled mid-way skipped its ROLLBACK and its connection went back to the pool.
    @Test(arguments: TestBackend.available)
    func aCancelledWriteRollsBackAndTheNextWriteSucceeds(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let began = AsyncStream<Void>.makeStream()
            let cancelled = Task {
                try await store.write { session in
                    _ = try await session.insertUser(
                        name: "half-written", role: .viewer, tokenHash: "h0", createdAt: .now, createdBy: "test"
                    )
                    began.continuation.yield()
                    try await Task.sleep(for: .seconds(60))
                }
            }
            for await _ in began.stream { break }
            cancelled.cancel()
            await #expect(throws: (any Error).self) { try await cancelled.value }

            // Every pooled connection is used in turn, so a poisoned one cannot hide.
            for index in 0..<6 {
                try await store.write { session in
                    _ = try await session.insertUser(
                        name: "after-\(index)", role: .viewer, tokenHash: "h\(index + 1)", createdAt: .now,
                        createdBy: "test")
                }
            }
            let names = try await store.read { try await $0.users() }.map(\.name)
            #expect(!names.contains("half-written"), "the cancelled write's row was rolled back")
            #expect(names.filter { $0.hasPrefix("after-") }.count == 6)
        }
    }
}
