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
    ///
    /// Tags hold up to millions of IoVs and every lookup index is built from this read, so the
    /// IoV rows come back packed into one text value (`group_concat` / `string_agg`) and are parsed
    /// here: decoding a million rows column by column costs seconds, parsing one string a fraction.
    public func entries(ofTag tagID: Int64, name: String? = nil, asOf: Timestamp? = nil) async throws -> [TagEntry] {
        var payloadQuery = sql.select().columns("id", "name", "revision", "sha256").from("payloads")
        if let name { payloadQuery = payloadQuery.where("name", .equal, name) }
        var payloadsInTag = sql.select().distinct().column("payload_id").from("iovs").where("tag_id", .equal, tagID)
        payloadsInTag = liveAt(asOf, payloadsInTag, table: nil)
        payloadQuery = payloadQuery.where(SQLColumn("id"), .in, SQLGroupExpression(payloadsInTag.query))
        var payloads: [Int64: (name: String, revision: Int, sha256: String)] = [:]
        for row in try await payloadQuery.all() {
            payloads[try row.decode(column: "id", as: Int64.self)] = (
                try row.decode(column: "name", as: String.self),
                try row.decode(column: "revision", as: Int.self),
                try row.decode(column: "sha256", as: String.self)
            )
        }
        guard !payloads.isEmpty else { return [] }

        let fields = "id || ',' || payload_id || ',' || exp_low || ',' || run_low || ',' || exp_high || ',' || run_high"
        let packed: SQLRaw = kind == .postgresql
            ? SQLRaw("string_agg(\(fields), ';')")
            : SQLRaw("group_concat(\(fields), ';')")
        var query = sql.select().column(packed, as: "packed").from("iovs").where("tag_id", .equal, tagID)
        if name != nil { query = query.where("payload_id", .in, Array(payloads.keys)) }
        query = liveAt(asOf, query, table: nil)
        guard let text = try await query.first()?.decode(column: "packed", as: String?.self) else { return [] }

        var entries: [TagEntry] = []
        entries.reserveCapacity(text.utf8.count / 24)
        var numbers = [Int64](repeating: 0, count: 6)
        var field = 0
        var value: Int64 = 0
        var negative = false
        func finishRow() {
            guard let payload = payloads[numbers[1]] else { return }
            entries.append(TagEntry(
                id: numbers[0], name: payload.name, revision: payload.revision, payloadID: numbers[1], sha256: payload.sha256,
                iov: IntervalOfValidity(stored: Int(numbers[2]), Int(numbers[3]), Int(numbers[4]), Int(numbers[5]))
            ))
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "-"):
                negative = true
            case UInt8(ascii: ","), UInt8(ascii: ";"):
                numbers[field] = negative ? -value : value
                value = 0
                negative = false
                field += 1
                if byte == UInt8(ascii: ";") {
                    finishRow()
                    field = 0
                }
            default:
                throw ConveyorError.storeFailure("unexpected byte \(byte) in packed IoV rows")
            }
        }
        numbers[field] = negative ? -value : value
        if field == 5 { finishRow() }
        return entries
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
        var iovs = sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("iovs").where("tag_id", .equal, tagID)
        iovs = liveAt(asOf, iovs, table: nil)
        var payloadsInTag = sql.select().distinct().column("payload_id").from("iovs").where("tag_id", .equal, tagID)
        payloadsInTag = liveAt(asOf, payloadsInTag, table: nil)
        let names = sql.select().column(SQLFunction("count", args: SQLDistinct(SQLColumn("name"))), as: "n").from("payloads")
            .where(SQLColumn("id"), .in, SQLGroupExpression(payloadsInTag.query))
        return (try await iovs.first()?.decode(column: "n", as: Int.self) ?? 0, try await names.first()?.decode(column: "n", as: Int.self) ?? 0)
    }

    private func liveAt(_ asOf: Timestamp?, _ query: SQLSelectBuilder, table: String? = "i") -> SQLSelectBuilder {
        func column(_ name: String) -> SQLColumn { table.map { SQLColumn(name, table: $0) } ?? SQLColumn(name) }
        guard let asOf else { return query.where(column("removed_at"), .is, SQLLiteral.null) }
        let t = SQLBind(asOf.microsecondsSinceEpoch)
        return query.where(column("inserted_at"), .lessThanOrEqual, t)
            .where { $0.where(column("removed_at"), .is, SQLLiteral.null).orWhere(column("removed_at"), .greaterThan, t) }
    }
}
