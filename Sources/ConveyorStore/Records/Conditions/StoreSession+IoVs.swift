import ConveyorCore
import SQLKit

/// A new IoV to write into a tag.
public struct NewIoV: Sendable, Hashable {
    public let payloadID: Int64
    public let iov: IntervalOfValidity

    public init(payloadID: Int64, iov: IntervalOfValidity) {
        self.payloadID = payloadID
        self.iov = iov
    }
}

extension StoreSession {
    /// The tag's IoVs — live now, or live at `asOf` — with their payloads' names, revisions and
    /// checksums, optionally of one payload name.
    public func entries(ofTag tagID: Int64, name: String? = nil, asOf: Timestamp? = nil) async throws -> [TagEntry] {
        var query = sql.select()
            .column(SQLColumn("id", table: "i"))
            .column(SQLColumn("payload_id", table: "i"))
            .columns(SQLColumn("exp_low", table: "i"), SQLColumn("run_low", table: "i"), SQLColumn("exp_high", table: "i"), SQLColumn("run_high", table: "i"))
            .columns(SQLColumn("name", table: "p"), SQLColumn("revision", table: "p"), SQLColumn("sha256", table: "p"))
            .from(SQLAlias(SQLIdentifier("iovs"), as: SQLIdentifier("i")))
            .join(SQLAlias(SQLIdentifier("payloads"), as: SQLIdentifier("p")), method: SQLJoinMethod.inner,
                  on: SQLColumn("payload_id", table: "i"), .equal, SQLColumn("id", table: "p"))
            .where(SQLColumn("tag_id", table: "i"), .equal, SQLBind(tagID))
        if let name { query = query.where(SQLColumn("name", table: "p"), .equal, SQLBind(name)) }
        query = liveAt(asOf, query)
        return try await query.all().map(Self.decodeEntry)
    }

    /// Adds IoVs to a tag in multi-row statements, returning nothing; callers check overlaps first.
    public func insertIoVs(_ iovs: [NewIoV], intoTag tagID: Int64, at time: Timestamp) async throws {
        for chunk in stride(from: 0, to: iovs.count, by: 400).map({ Array(iovs[$0..<min($0 + 400, iovs.count)]) }) {
            var insert = sql.insert(into: "iovs").columns("tag_id", "payload_id", "exp_low", "run_low", "exp_high", "run_high", "inserted_at")
            for new in chunk {
                insert = insert.values(
                    SQLBind(tagID), SQLBind(new.payloadID), SQLBind(new.iov.expLow), SQLBind(new.iov.runLow),
                    SQLBind(new.iov.expHigh), SQLBind(new.iov.runHigh), SQLBind(time.microsecondsSinceEpoch)
                )
            }
            try await insert.run()
        }
    }

    /// Ends the life of IoVs (they stay readable with `asOf` before `time`).
    public func removeIoVs(ids: [Int64], at time: Timestamp) async throws {
        for chunk in stride(from: 0, to: ids.count, by: 400).map({ Array(ids[$0..<min($0 + 400, ids.count)]) }) {
            try await sql.update("iovs").set("removed_at", to: time.microsecondsSinceEpoch)
                .where("id", .in, chunk).where("removed_at", .is, SQLLiteral.null).run()
        }
    }

    /// Copies every live IoV of one tag into another in one statement (clone).
    public func copyIoVs(fromTag source: Int64, toTag target: Int64, at time: Timestamp) async throws {
        try await sql.raw("""
            INSERT INTO iovs (tag_id, payload_id, exp_low, run_low, exp_high, run_high, inserted_at)
            SELECT \(bind: target), payload_id, exp_low, run_low, exp_high, run_high, \(bind: time.microsecondsSinceEpoch)
            FROM iovs WHERE tag_id = \(bind: source) AND removed_at IS NULL
            """).run()
    }

    /// What a running update needs of a tag: its open IoVs and the latest start and closed end,
    /// computed by the database so that large tags are not loaded.
    public func runningSummary(ofTag tagID: Int64) async throws -> RunningUpdate.RunningTagSummary {
        let open = try await entries(ofTag: tagID).filter(\.iov.isOpen)
        let latestStart = try await sql.select().columns("exp_low", "run_low").from("iovs")
            .where("tag_id", .equal, tagID).where("removed_at", .is, SQLLiteral.null)
            .orderBy("exp_low", .descending).orderBy("run_low", .descending).limit(1).first()
            .map { ExpRun(exp: try $0.decode(column: "exp_low", as: Int.self), run: try $0.decode(column: "run_low", as: Int.self)) }
        // Among closed IoVs, "-1" (end of experiment) sorts after every run of that experiment.
        let latestEnd = try await sql.select().columns("exp_high", "run_high").from("iovs")
            .where("tag_id", .equal, tagID).where("removed_at", .is, SQLLiteral.null).where("exp_high", .notEqual, -1)
            .orderBy("exp_high", .descending)
            .orderBy(SQLOrderBy(expression: SQLRaw("CASE WHEN run_high = -1 THEN 1 ELSE 0 END"), direction: SQLDirection.descending))
            .orderBy("run_high", .descending).limit(1).first()
            .map { row -> IntervalOfValidity.Bound in
                let exp = try row.decode(column: "exp_high", as: Int.self)
                let run = try row.decode(column: "run_high", as: Int.self)
                return run == -1 ? .endOfExperiment(exp) : .run(ExpRun(exp: exp, run: run))
            }
        return RunningUpdate.RunningTagSummary(openEntries: open, latestStart: latestStart, latestClosedEnd: latestEnd)
    }

    /// Live IoV and payload-name counts of a tag.
    public func entryCounts(ofTag tagID: Int64, asOf: Timestamp? = nil) async throws -> (iovs: Int, names: Int) {
        var query = sql.select()
            .column(SQLFunction("count", args: SQLLiteral.all), as: "n")
            .column(SQLFunction("count", args: SQLDistinct(SQLColumn("payload_id"))), as: "p")
            .from("iovs").where("tag_id", .equal, tagID)
        query = liveAt(asOf, query, table: nil)
        let row = try await query.first()
        let iovs = try row?.decode(column: "n", as: Int.self) ?? 0
        // Distinct payload names need the join; counted only when there is something to count.
        guard iovs > 0 else { return (0, 0) }
        let names = try await entries(ofTag: tagID, asOf: asOf).reduce(into: Set<String>()) { $0.insert($1.name) }.count
        return (iovs, names)
    }

    private func liveAt(_ asOf: Timestamp?, _ query: SQLSelectBuilder, table: String? = "i") -> SQLSelectBuilder {
        func column(_ name: String) -> SQLColumn { table.map { SQLColumn(name, table: $0) } ?? SQLColumn(name) }
        guard let asOf else { return query.where(column("removed_at"), .is, SQLLiteral.null) }
        let t = SQLBind(asOf.microsecondsSinceEpoch)
        return query.where(column("inserted_at"), .lessThanOrEqual, t)
            .where { $0.where(column("removed_at"), .is, SQLLiteral.null).orWhere(column("removed_at"), .greaterThan, t) }
    }

    private static func decodeEntry(_ row: any SQLRow) throws -> TagEntry {
        TagEntry(
            id: try row.decode(column: "id", as: Int64.self),
            name: try row.decode(column: "name", as: String.self),
            revision: try row.decode(column: "revision", as: Int.self),
            payloadID: try row.decode(column: "payload_id", as: Int64.self),
            sha256: try row.decode(column: "sha256", as: String.self),
            iov: IntervalOfValidity(stored: try row.decode(column: "exp_low", as: Int.self), try row.decode(column: "run_low", as: Int.self),
                                    try row.decode(column: "exp_high", as: Int.self), try row.decode(column: "run_high", as: Int.self))
        )
    }
}
