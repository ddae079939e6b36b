import ConveyorCore
import ConveyorStore
import ConveyorTestSupport
import Foundation
import Testing

/// The scheduler lease as the store keeps it: a compare-and-set with an epoch that fences writes.
@Suite("Scheduler lease")
struct SchedulerLeaseTests {
    static func acquire(
        _ store: Store, _ holder: String, staleAfter: Duration = .seconds(30), at time: Timestamp = .now
    ) async throws
        -> Result<SchedulerLease, SchedulerLeaseRefusal>
    {
        try await store.write { session in
            try await session.acquireSchedulerLease(
                holder: holder, host: "elsewhere-\(holder)", pid: 1, at: time, staleAfter: staleAfter, isAlive: { _ in true })
        }
    }

    @Test(arguments: TestBackend.available)
    func ofManyStandbysThatSeeAStaleLeaseExactlyOneWinsAndTheOldHolderCanWriteNothing(backend: TestBackend) async throws {
        try await backend.withStore { store in
            guard case .success(let first) = try await Self.acquire(store, "a") else { Issue.record("a free lease is taken"); return }
            #expect(first.epoch == 1)
            guard case .failure = try await Self.acquire(store, "b") else { Issue.record("a fresh lease is refused to another"); return }

            // Ten standbys at once, all seeing a lease whose heartbeat is older than their timeout.
            let later = Timestamp(microsecondsSinceEpoch: Timestamp.now.microsecondsSinceEpoch + 60_000_000)
            let outcomes = try await withThrowingTaskGroup(of: Result<SchedulerLease, SchedulerLeaseRefusal>.self) { group in
                for i in 0..<10 { group.addTask { try await Self.acquire(store, "standby-\(i)", at: later) } }
                var all: [Result<SchedulerLease, SchedulerLeaseRefusal>] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            let winners = outcomes.compactMap { try? $0.get() }
            #expect(winners.count == 1, "exactly one standby took the lease: \(winners.map(\.holder))")
            #expect(winners.first?.epoch == 2, "taking it over raised the epoch")

            // The old holder's fenced write is refused and leaves nothing behind.
            let refused = await #expect(throws: ConveyorError.self) {
                try await Store.withWriteCheck({ try await $0.confirmSchedulerLease(first) }) {
                    try await store.write {
                        try await $0.appendAudit(AuditRecord(actor: .localOperator(named: "a"), action: "stale.write", subjectKind: "x", subject: "x"))
                    }
                }
            }
            #expect(refused.map(SchedulerLease.isLost) == true, "\(String(describing: refused))")
            #expect(try await store.read { try await $0.auditEntries(limit: 10) }.allSatisfy { $0.action != "stale.write" })
            // The winner's writes go through, and renew the lease.
            if let winner = winners.first {
                try await Store.withWriteCheck({ try await $0.confirmSchedulerLease(winner) }) {
                    try await store.write {
                        try await $0.appendAudit(AuditRecord(actor: .localOperator(named: "w"), action: "fenced.write", subjectKind: "x", subject: "x"))
                    }
                }
                #expect(try await store.read { try await $0.schedulerLease() }?.holder == winner.holder)
            }
        }
    }
}
