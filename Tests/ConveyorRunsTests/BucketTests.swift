import ConveyorCore
import ConveyorRuns
import ConveyorStore
import ConveyorTestSupport
import Foundation
import Testing

@Suite("Buckets")
struct BucketTests {
    /// Runs 1–8 of experiment 8, one a day, 400 /pb each; run 3 bad, run 5 cosmic.
    static func seed(_ store: Store) async throws -> RunRegistry {
        let registry = RunRegistry(store: store)
        var csv = "exp,run,type,start,stop,online_lumi\n"
        for r in 1...8 {
            csv += "8,\(r),\(r == 5 ? "cosmic" : "physics"),2026-11-0\(r)T00:00:00Z,2026-11-0\(r)T06:00:00Z,400\n"
        }
        _ = try await registry.importSummary(Data(csv.utf8), name: "runs.csv", by: manager)
        for r in 1...8 { try await registry.flag(ExpRun(exp: 8, run: r), to: r == 3 ? .bad : .good, reason: "shift", by: shifter) }
        return registry
    }

    @Test(arguments: TestBackend.available)
    func plansGroupGoodPhysicsRunsByLuminosityAndTime(backend: TestBackend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let registry = try await Self.seed(store)
            let plan = try await registry.planBuckets(exp: 8, targetLuminosity: try BucketPlanner.luminosity(parsing: "1/fb"))
            #expect(plan.map(\.runs) == [[1, 2, 4], [6, 7, 8]])
            #expect(plan.map(\.luminosity) == [1200, 1200])
            #expect(plan.allSatisfy { $0.complete })
            let short = try await registry.planBuckets(exp: 8, targetLuminosity: 10_000, maximumDays: 2.5)
            #expect(short.map(\.runs) == [[1, 2], [4, 6], [7, 8]], "a bucket closes when its span would pass the limit")
            #expect(short.last?.complete == false)
            let from = try await registry.planBuckets(exp: 8, targetLuminosity: 800, from: ExpRun(exp: 8, run: 6))
            #expect(from.map(\.runs) == [[6, 7], [8]])
            #expect(throws: ConveyorError.self) { try BucketPlanner.luminosity(parsing: "lots") }
            #expect(try BucketPlanner.luminosity(parsing: "500/pb") == 500)
        }
    }

    @Test(arguments: TestBackend.available)
    func bucketsAreFrozenAndLaterFlagChangesBecomeWarnings(backend: TestBackend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let registry = try await Self.seed(store)
            let bucket = try await registry.createBucket(named: "bucket8", exp: 8, runs: 1...4, by: manager)
            #expect(bucket.members.map(\.run) == [1, 2, 4])
            #expect(bucket.luminosity == 1200)
            #expect(try await registry.bucket(named: "bucket8").warnings.isEmpty)
            try await registry.flag(ExpRun(exp: 8, run: 2), to: .bad, reason: "found later", by: shifter)
            try await registry.flag(ExpRun(exp: 8, run: 3), to: .good, reason: "recovered", by: shifter)
            let report = try await registry.bucket(named: "bucket8")
            #expect(report.bucket.members.map(\.run) == [1, 2, 4], "the bucket never changes silently")
            #expect(
                report.warnings == [
                    "run 8:2 is BAD now; it was GOOD when the bucket was created",
                    "run 8:3 in the bucket's range is GOOD now but not in the bucket",
                ])
            await #expect(throws: ConveyorError.self) { _ = try await registry.createBucket(named: "bucket8", exp: 8, runs: 5...8, by: manager) }
            await #expect(throws: ConveyorError.self) { _ = try await registry.createBucket(named: "b9", exp: 8, runs: 5...8, by: shifter) }
            await #expect(throws: ConveyorError.self) { _ = try await registry.createBucket(named: "empty", exp: 9, runs: 1...2, by: manager) }
            #expect(try await registry.buckets().map(\.bucket.name) == ["bucket8"])
        }
    }
}
