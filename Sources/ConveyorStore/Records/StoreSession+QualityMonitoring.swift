import ConveyorCore
import Foundation
import SQLKit

extension StoreSession {
    /// Stores one monitoring value. - Throws: ``ConveyorError/conflict(_:)`` when that run,
    /// processing, variable and version is already stored (a rerun stores the next version).
    public func insertMonitoringValue(_ value: MonitoringValue) async throws {
        let histogram = try value.histogram.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        let inserted = try await sql.insert(into: "qm_values")
            .columns("exp", "run", "processing", "variable", "version", "histogram", "value", "error", "at", "actor")
            .values(
                SQLBind(value.run.exp), SQLBind(value.run.run), SQLBind(value.processing), SQLBind(value.variable), SQLBind(value.version), SQLBind(histogram),
                SQLBind(value.value), SQLBind(value.error), SQLBind(value.at.microsecondsSinceEpoch), SQLBind(value.by)
            )
            .ignoringConflicts(with: ["exp", "run", "processing", "variable", "version"]).returning("id").first()
        guard inserted != nil else {
            throw ConveyorError.conflict("\(value.variable) of run \(value.run) in \(value.processing) already has version \(value.version)")
        }
    }

    /// The newest version of every variable of a run in a processing, by variable.
    public func monitoringValues(of run: ExpRun, processing: String) async throws -> [MonitoringValue] {
        let rows = try await sql.select().column("*").from("qm_values").where("exp", .equal, run.exp).where("run", .equal, run.run)
            .where("processing", .equal, processing).orderBy("variable").orderBy("version", .descending).all()
        var seen = Set<String>()
        return try rows.map(Self.decodeMonitoringValue).filter { seen.insert($0.variable).inserted }
    }

    /// A variable's newest version per run over a run range, in run order: the trend.
    public func monitoringTrend(of variable: String, processing: String, exp: Int, runs: ClosedRange<Int>) async throws -> [MonitoringValue] {
        let rows = try await sql.select().column("*").from("qm_values").where("variable", .equal, variable).where("processing", .equal, processing)
            .where("exp", .equal, exp).where("run", .greaterThanOrEqual, runs.lowerBound).where("run", .lessThanOrEqual, runs.upperBound)
            .orderBy("run").orderBy("version", .descending).all()
        var seen = Set<Int>()
        return try rows.map(Self.decodeMonitoringValue).filter { seen.insert($0.run.run).inserted }
    }

    private static func decodeMonitoringValue(_ row: any SQLRow) throws -> MonitoringValue {
        let histogram = try row.decode(column: "histogram", as: String?.self).map { text -> MonitoringHistogram in
            do { return try JSONDecoder().decode(MonitoringHistogram.self, from: Data(text.utf8)) } catch {
                throw ConveyorError.storeFailure("qm_values holds a histogram that is not in the documented form")
            }
        }
        return MonitoringValue(
            run: ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self)),
            processing: try row.decode(column: "processing", as: String.self), variable: try row.decode(column: "variable", as: String.self),
            version: try row.decode(column: "version", as: Int.self), histogram: histogram, value: try row.decode(column: "value", as: Double?.self),
            error: try row.decode(column: "error", as: Double?.self), at: Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)),
            by: try row.decode(column: "actor", as: String.self))
    }
}
