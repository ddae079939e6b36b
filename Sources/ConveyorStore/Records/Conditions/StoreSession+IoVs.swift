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

/// What an IoV needs to know of its payload.
public struct PayloadRef: Sendable, Hashable {
    public let name: String
    public let revision: Int
    public let sha256: String
}

/// One IoV row as numbers: cheap to hash and compare by the million.
public struct PackedIoV: Sendable, Hashable {
    public let id: Int64
    public let payloadID: Int64
    public let expLow: Int
    public let runLow: Int
    public let expHigh: Int
    public let runHigh: Int

    /// The same payload over the same runs (the row id aside).
    public struct Content: Hashable, Sendable {
        let payloadID: Int64, expLow: Int, runLow: Int, expHigh: Int, runHigh: Int
    }

    public var content: Content { Content(payloadID: payloadID, expLow: expLow, runLow: runLow, expHigh: expHigh, runHigh: runHigh) }

    public func entry(with payload: PayloadRef) -> TagEntry {
        TagEntry(
            id: id, name: payload.name, revision: payload.revision, payloadID: payloadID, sha256: payload.sha256,
            iov: IntervalOfValidity(stored: expLow, runLow, expHigh, runHigh))
    }

    /// Parses `id,payload,e1,r1,e2,r2;…`.
    static func parse(_ text: String) throws -> [PackedIoV] {
        var rows: [PackedIoV] = []
        rows.reserveCapacity(text.utf8.count / 24)
        var numbers = (Int64(0), Int64(0), Int64(0), Int64(0), Int64(0), Int64(0))
        var field = 0
        var value: Int64 = 0
        var negative = false
        func store() {
            let v = negative ? -value : value
            switch field {
            case 0: numbers.0 = v
            case 1: numbers.1 = v
            case 2: numbers.2 = v
            case 3: numbers.3 = v
            case 4: numbers.4 = v
            default: numbers.5 = v
            }
            value = 0
            negative = false
        }
        func finishRow() {
            rows.append(
                PackedIoV(
                    id: numbers.0, payloadID: numbers.1, expLow: Int(numbers.2), runLow: Int(numbers.3),
                    expHigh: Int(numbers.4), runHigh: Int(numbers.5)))
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value &* 10 &+ Int64(byte &- UInt8(ascii: "0"))
            case UInt8(ascii: "-"): negative = true
            case UInt8(ascii: ","):
                store()
                field += 1
            case UInt8(ascii: ";"):
                store()
                guard field == 5 else { throw ConveyorError.storeFailure("malformed packed IoV row") }
                finishRow()
                field = 0
            default:
                throw ConveyorError.storeFailure("unexpected byte \(byte) in packed IoV rows")
            }
        }
        store()
        guard field == 5 else { throw ConveyorError.storeFailure("malformed packed IoV row") }
        finishRow()
        return rows
    }
}

extension StoreSession {
    /// The tag's IoVs — live now, or live at `asOf` — with their payloads' names, revisions and
    /// checksums, optionally of one payload name.
    public func entries(ofTag tagID: Int64, name: String? = nil, asOf: Timestamp? = nil) async throws -> [TagEntry] {
        let payloads = try await payloadRefs(ofTag: tagID, name: name, asOf: asOf)
        guard !payloads.isEmpty else { return [] }
        let rows = try await packedIoVs(ofTag: tagID, payloadIDs: name == nil ? nil : Array(payloads.keys), asOf: asOf)
        return rows.compactMap { row in payloads[row.payloadID].map { row.entry(with: $0) } }
    }

    /// The payloads a tag's IoVs point to, by id (a few thousand rows even for the largest tags).
    public func payloadRefs(ofTag tagID: Int64, name: String? = nil, asOf: Timestamp? = nil) async throws -> [Int64: PayloadRef] {
        var payloadsInTag = sql.select().distinct().column("payload_id").from("iovs").where("tag_id", .equal, tagID)
        payloadsInTag = liveAt(asOf, payloadsInTag, table: nil)
        var query = sql.select().columns("id", "name", "revision", "sha256").from("payloads")
            .where(SQLColumn("id"), .in, SQLGroupExpression(payloadsInTag.query))
        if let name { query = query.where("name", .equal, name) }
        var payloads: [Int64: PayloadRef] = [:]
        for row in try await query.all() {
            payloads[try row.decode(column: "id", as: Int64.self)] = PayloadRef(
                name: try row.decode(column: "name", as: String.self),
                revision: try row.decode(column: "revision", as: Int.self),
                sha256: try row.decode(column: "sha256", as: String.self)
            )
        }
        return payloads
    }

    /// A tag's IoV rows as plain numbers.
    ///
    /// Tags hold up to millions of IoVs and every lookup index and diff is built from this read,
    /// so the rows come back packed into one text value (`group_concat` / `string_agg`) and are
    /// parsed here: decoding a million rows column by column costs seconds, parsing one string a
    /// fraction of one.
    public func packedIoVs(ofTag tagID: Int64, payloadIDs: [Int64]? = nil, openOnly: Bool = false, asOf: Timestamp? = nil) async throws -> [PackedIoV] {
        let fields = "id || ',' || payload_id || ',' || exp_low || ',' || run_low || ',' || exp_high || ',' || run_high"
        let packed = SQLRaw(kind == .postgresql ? "string_agg(\(fields), ';')" : "group_concat(\(fields), ';')")
        var query = sql.select().column(packed, as: "packed").from("iovs").where("tag_id", .equal, tagID)
        if let payloadIDs { query = query.where("payload_id", .in, payloadIDs) }
        if openOnly { query = query.where("exp_high", .equal, -1).where("run_high", .equal, -1) }
        query = liveAt(asOf, query, table: nil)
        guard let text = try await query.first()?.decode(column: "packed", as: String?.self) else { return [] }
        return try PackedIoV.parse(text)
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
        try await sql.raw(
            """
            INSERT INTO iovs (tag_id, payload_id, exp_low, run_low, exp_high, run_high, inserted_at)
            SELECT \(bind: target), payload_id, exp_low, run_low, exp_high, run_high, \(bind: time.microsecondsSinceEpoch)
            FROM iovs WHERE tag_id = \(bind: source) AND removed_at IS NULL
            """
        ).run()
    }

    /// What a running update needs of a tag: its open IoVs and the latest start and closed end,
    /// computed by the database so that large tags are not loaded.
    public func runningSummary(ofTag tagID: Int64) async throws -> RunningUpdate.RunningTagSummary {
        let payloads = try await payloadRefs(ofTag: tagID)
        let open = try await packedIoVs(ofTag: tagID, openOnly: true).compactMap { row in payloads[row.payloadID].map { row.entry(with: $0) } }
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
