import ConveyorCore
import Foundation
import SQLKit

extension StoreSession {
    /// Stores a selection as its next revision (append-only). - Returns: the revision.
    public func insertSelection(_ selection: Selection) async throws -> Int {
        let last =
            try await sql.select().column(SQLFunction("max", args: SQLColumn("revision")), as: "r").from("selections")
            .where("name", .equal, selection.name).first()?.decode(column: "r", as: Int?.self) ?? 0
        try await sql.insert(into: "selections")
            .columns(
                "name", "revision", "physics_group", "coordinator", "command", "version", "expected_retention", "prescale", "random", "at", "actor", "reason"
            )
            .values(
                SQLBind(selection.name), SQLBind(last + 1), SQLBind(selection.group), SQLBind(selection.coordinator), SQLBind(selection.command),
                SQLBind(selection.version), SQLBind(selection.expectedRetention), SQLBind(selection.prescale), SQLBind(selection.random ? 1 : 0),
                SQLBind(selection.changedAt.microsecondsSinceEpoch), SQLBind(selection.changedBy), SQLBind(selection.reason)
            ).run()
        return last + 1
    }

    /// The newest revision of every selection (or of those named), by name.
    public func selections(named names: [String]? = nil) async throws -> [Selection] {
        var select = sql.select().column("*").from("selections")
            .where(SQLRaw("revision = (SELECT MAX(s2.revision) FROM selections s2 WHERE s2.name = selections.name)"))
        if let names {
            guard !names.isEmpty else { return [] }
            select = select.where("name", .in, names)
        }
        return try await select.orderBy("name").all().map(Self.decodeSelection)
    }

    /// Every revision of a selection, newest first.
    public func selectionHistory(_ name: String) async throws -> [Selection] {
        try await sql.select().column("*").from("selections").where("name", .equal, name).orderBy("revision", .descending).all().map(Self.decodeSelection)
    }

    static func decodeSelection(_ row: any SQLRow) throws -> Selection {
        let prescale = try row.decode(column: "prescale", as: Int.self)
        guard prescale >= 1 else { throw ConveyorError.storeFailure("selections holds a prescale of \(prescale)") }
        return Selection(
            name: try row.decode(column: "name", as: String.self), group: try row.decode(column: "physics_group", as: String.self),
            coordinator: try row.decode(column: "coordinator", as: String.self), command: try row.decode(column: "command", as: String.self),
            version: try row.decode(column: "version", as: String.self), expectedRetention: try row.decode(column: "expected_retention", as: Double?.self),
            prescale: prescale, random: try row.decode(column: "random", as: Int.self) != 0, revision: try row.decode(column: "revision", as: Int.self),
            changedAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)),
            changedBy: try row.decode(column: "actor", as: String.self),
            reason: try row.decode(column: "reason", as: String.self))
    }

    // MARK: Reported counts

    /// Sets (replaces) a count the experiment reports for a run, e.g. `bb` for B counting.
    public func setRunCount(_ run: ExpRun, name: String, value: Double, error: Double?, at time: Timestamp, by actor: String) async throws {
        try await sql.delete(from: "run_counts").where("exp", .equal, run.exp).where("run", .equal, run.run).where("name", .equal, name).run()
        try await sql.insert(into: "run_counts").columns("exp", "run", "name", "value", "error", "at", "actor")
            .values(
                SQLBind(run.exp), SQLBind(run.run), SQLBind(name), SQLBind(value), SQLBind(error), SQLBind(time.microsecondsSinceEpoch), SQLBind(actor)
            ).run()
    }

    /// The reported counts of runs, by name, then run.
    public func runCounts(_ runs: Set<ExpRun>) async throws -> [String: [ExpRun: (value: Double, error: Double?)]] {
        guard !runs.isEmpty else { return [:] }
        var out: [String: [ExpRun: (value: Double, error: Double?)]] = [:]
        let rows = try await sql.select().column("*").from("run_counts").where("exp", .in, Array(Set(runs.map(\.exp))))
            .where("run", .in, Array(Set(runs.map(\.run)))).all()
        for row in rows {
            let run = ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self))
            guard runs.contains(run) else { continue }
            out[try row.decode(column: "name", as: String.self), default: [:]][run] = (
                try row.decode(column: "value", as: Double.self), try row.decode(column: "error", as: Double?.self)
            )
        }
        return out
    }
}
