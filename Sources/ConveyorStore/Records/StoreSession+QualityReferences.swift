import ConveyorCore
import Foundation
import SQLKit

extension StoreSession {
    /// Stores a reference (append-only). - Returns: its id.
    public func insertMonitoringReference(_ reference: MonitoringReference) async throws -> Int64 {
        let histogram = try reference.histogram.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        let row = try await sql.insert(into: "qm_references")
            .columns("variable", "exp", "first_run", "last_run", "histogram", "value", "comparison", "reason", "at", "actor")
            .values(
                SQLBind(reference.variable), SQLBind(reference.exp), SQLBind(reference.firstRun), SQLBind(reference.lastRun), SQLBind(histogram),
                SQLBind(reference.value), SQLBind(reference.comparison.description), SQLBind(reference.reason), SQLBind(reference.at.microsecondsSinceEpoch),
                SQLBind(reference.by)
            )
            .returning("id").first()
        guard let row else { throw ConveyorError.storeFailure("the reference was not stored") }
        return try row.decode(column: "id", as: Int64.self)
    }

    /// A variable's references in an experiment, newest first: the history, the first in force
    /// where it covers a run. With `runs`, only those overlapping that range.
    public func monitoringReferences(of variable: String, exp: Int, overlapping runs: ClosedRange<Int>? = nil) async throws -> [MonitoringReference] {
        var select = sql.select().column("*").from("qm_references").where("variable", .equal, variable).where("exp", .equal, exp)
        if let runs { select = select.where("first_run", .lessThanOrEqual, runs.upperBound).where("last_run", .greaterThanOrEqual, runs.lowerBound) }
        return try await select.orderBy("id", .descending).all().map(Self.decodeMonitoringReference)
    }

    /// The reference in force for each variable at a run: the newest covering it.
    public func monitoringReferencesInForce(at run: ExpRun) async throws -> [String: MonitoringReference] {
        let rows = try await sql.select().column("*").from("qm_references").where("exp", .equal, run.exp).where("first_run", .lessThanOrEqual, run.run)
            .where("last_run", .greaterThanOrEqual, run.run).orderBy("id", .descending).all()
        var inForce: [String: MonitoringReference] = [:]
        for reference in try rows.map(Self.decodeMonitoringReference) where inForce[reference.variable] == nil { inForce[reference.variable] = reference }
        return inForce
    }

    /// The variables that have a reference in an experiment, with how many references each.
    public func referencedVariables(exp: Int) async throws -> [(variable: String, references: Int)] {
        try await sql.raw("SELECT variable, COUNT(*) AS n FROM qm_references WHERE exp = \(bind: exp) GROUP BY variable ORDER BY variable").all().map {
            (try $0.decode(column: "variable", as: String.self), try $0.decode(column: "n", as: Int.self))
        }
    }

    private static func decodeMonitoringReference(_ row: any SQLRow) throws -> MonitoringReference {
        let histogram = try row.decode(column: "histogram", as: String?.self).map { text -> MonitoringHistogram in
            // Checked on the way out too, so that no reader can trip over a damaged row.
            do { return try MonitoringHistogram(json: Data(text.utf8), file: "qm_references") } catch {
                throw ConveyorError.storeFailure(
                    "qm_references holds a histogram that is not in the documented form: \((error as? ConveyorError)?.message ?? "unreadable")")
            }
        }
        let test = try row.decode(column: "comparison", as: String.self)
        let comparison: QualityComparison
        do { comparison = try QualityComparison(parsing: test) } catch { throw ConveyorError.storeFailure("qm_references holds an unknown test '\(test)'") }
        let first = try row.decode(column: "first_run", as: Int.self)
        let last = try row.decode(column: "last_run", as: Int.self)
        return MonitoringReference(
            id: try row.decode(column: "id", as: Int64.self), variable: try row.decode(column: "variable", as: String.self),
            exp: try row.decode(column: "exp", as: Int.self), runs: first...max(first, last), histogram: histogram,
            value: try row.decode(column: "value", as: Double?.self), comparison: comparison, reason: try row.decode(column: "reason", as: String.self),
            at: Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)), by: try row.decode(column: "actor", as: String.self))
    }
}
