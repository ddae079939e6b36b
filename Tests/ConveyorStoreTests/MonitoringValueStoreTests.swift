import ConveyorCore
@testable import ConveyorStore
import ConveyorTestSupport
import Foundation
import Testing

/// Monitoring values as the store keeps them (issue 18): versions kept, the newest read, trends in
/// run order, a version stored twice refused.
@Suite("Monitoring values in the store")
struct MonitoringValueStoreTests {
    @Test(arguments: TestBackend.available)
    func versionsAreKeptAndTheNewestIsRead(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let peak = try MonitoringHistogram(name: "mass", x: .init(bins: 3, low: 2.9, high: 3.3), contents: [1, 5, 2], entries: 8)
            @Sendable func value(_ run: Int, _ variable: String, _ version: Int, _ number: Double? = nil) -> MonitoringValue {
                MonitoringValue(
                    run: ExpRun(exp: 8, run: run), processing: "prompt", variable: variable, version: version, histogram: number == nil ? peak : nil,
                    value: number, error: number == nil ? nil : 0.01, at: .now, by: "quality")
            }
            try await store.write { session in
                for run in [3, 1, 2] { try await session.insertMonitoringValue(value(run, "ecl/peak_mean", 1, 3.0 + Double(run) / 100)) }
                try await session.insertMonitoringValue(value(2, "ecl/peak_mean", 2, 3.097))
                try await session.insertMonitoringValue(value(2, "ecl/mass", 1))
            }
            await #expect(throws: ConveyorError.conflict("ecl/peak_mean of run 8:2 in prompt already has version 2")) {
                try await store.write { try await $0.insertMonitoringValue(value(2, "ecl/peak_mean", 2, 1)) }
            }
            let trend = try await store.read { try await $0.monitoringTrend(of: "ecl/peak_mean", processing: "prompt", exp: 8, runs: 1...3) }
            #expect(trend.map(\.run.run) == [1, 2, 3] && trend.map(\.version) == [1, 2, 1] && trend[1].value == 3.097, "\(trend)")
            let run2 = try await store.read { try await $0.monitoringValues(of: ExpRun(exp: 8, run: 2), processing: "prompt") }
            #expect(run2.map(\.variable) == ["ecl/mass", "ecl/peak_mean"] && run2[0].histogram == peak && run2[1].version == 2)
            #expect(try await store.read { try await $0.monitoringValues(of: ExpRun(exp: 8, run: 2), processing: "proc1") }.isEmpty)
        }
    }

    /// A damaged row (bins that do not match its contents) is a store failure when read, never a
    /// trap further on: readers rely on the histogram's rules.
    @Test(arguments: TestBackend.available)
    func aDamagedStoredHistogramIsAStoreFailure(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await store.write { session in
                try await session.sql.raw(
                    """
                    INSERT INTO qm_values (exp, run, processing, variable, version, histogram, at, actor)
                    VALUES (8, 1, 'prompt', 'cdc/hit_map', 1, '{"name": "cdc/hit_map", "x": {"bins": 0, "low": 0, "high": 1}, "contents": [1, 2], "entries": 3}', 0, 'x')
                    """
                ).run()
            }
            await #expect(throws: ConveyorError.self) {
                try await store.read { try await $0.monitoringValues(of: ExpRun(exp: 8, run: 1), processing: "prompt") }
            }
            do {
                _ = try await store.read { try await $0.monitoringTrend(of: "cdc/hit_map", processing: "prompt", exp: 8, runs: 1...1) }
                Issue.record("a damaged row was read")
            } catch {
                #expect("\(error)".contains("qm_values holds a histogram that is not in the documented form"), "\(error)")
            }
        }
    }

    @Test func aValueIsAHistogramOrAFiniteNumber() throws {
        let run = ExpRun(exp: 8, run: 1)
        #expect(throws: ConveyorError.self) { try MonitoringValue(run: run, processing: "prompt", variable: "v", version: 1, at: .now, by: "q").validate() }
        #expect(throws: ConveyorError.self) {
            try MonitoringValue(run: run, processing: "prompt", variable: "v", version: 1, value: .infinity, at: .now, by: "q").validate()
        }
        #expect(throws: ConveyorError.self) {
            try MonitoringValue(run: run, processing: "prompt", variable: "v", version: 0, value: 1, at: .now, by: "q").validate()
        }
        #expect(throws: ConveyorError.self) {
            try MonitoringValue(run: run, processing: "pro mpt", variable: "v", version: 1, value: 1, at: .now, by: "q").validate()
        }
        try MonitoringValue(run: run, processing: "proc12", variable: "cdc/hit_map", version: 1, value: 1, error: 0.1, at: .now, by: "q").validate()
    }
}
