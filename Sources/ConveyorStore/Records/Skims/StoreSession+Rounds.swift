import ConveyorCore
import Foundation
import SQLKit

extension StoreSession {
    /// Stores a new round. - Returns: its id.
    public func insertRound(_ round: StrippingRound) async throws -> Int64 {
        let row = try await sql.insert(into: "rounds")
            .columns("name", "input", "release", "global_tags", "program", "sample_runs", "sample_size", "limits", "state", "created_at", "created_by")
            .values(
                SQLBind(round.name), SQLBind(round.input), SQLBind(round.release), SQLBind(try Self.json(round.globalTags)), SQLBind(round.program),
                SQLBind(try Self.json(round.sampleRuns)), SQLBind(round.sampleSize), SQLBind(try Self.json(round.limits)), SQLBind(round.state.rawValue),
                SQLBind(round.createdAt.microsecondsSinceEpoch), SQLBind(round.createdBy)
            ).returning("id").first()
        guard let row else { throw ConveyorError.storeFailure("the round was not stored") }
        return try row.decode(column: "id", as: Int64.self)
    }

    /// Saves what changes in a round's life: its state, test and submission times, request and grouping.
    public func updateRound(_ round: StrippingRound) async throws {
        try await sql.update("rounds")
            .set("state", to: SQLBind(round.state.rawValue)).set("tested_at", to: SQLBind(round.testedAt?.microsecondsSinceEpoch))
            .set("submitted_at", to: SQLBind(round.submittedAt?.microsecondsSinceEpoch)).set("request", to: SQLBind(round.request))
            .set("grouping", to: SQLBind(try round.grouping.map(Self.json))).set("grouping_reason", to: SQLBind(round.groupingReason))
            .where("id", .equal, round.id).run()
    }

    public func round(named name: String) async throws -> StrippingRound? {
        try await sql.select().column("*").from("rounds").where("name", .equal, name).first().map(Self.decodeRound)
    }

    /// Every round, newest first.
    public func rounds() async throws -> [StrippingRound] {
        try await sql.select().column("*").from("rounds").orderBy("id", .descending).all().map(Self.decodeRound)
    }

    // MARK: Subscriptions

    public func appendSubscription(_ subscription: RoundSubscription, round: Int64) async throws {
        try await sql.insert(into: "round_subscriptions").columns("round_id", "selection", "state", "reason", "at", "actor")
            .values(
                SQLBind(round), SQLBind(subscription.selection), SQLBind(subscription.state.rawValue), SQLBind(subscription.reason),
                SQLBind(subscription.at.microsecondsSinceEpoch), SQLBind(subscription.by)
            ).run()
    }

    /// A round's subscriptions, oldest first: the history; the last of each selection is in force.
    public func subscriptionHistory(round: Int64, name: String) async throws -> [RoundSubscription] {
        try await sql.select().column("*").from("round_subscriptions").where("round_id", .equal, round).orderBy("id").all().map { row in
            let text = try row.decode(column: "state", as: String.self)
            guard let state = RoundSubscription.State(rawValue: text) else { throw ConveyorError.storeFailure("round_subscriptions holds a state '\(text)'") }
            return RoundSubscription(
                round: name, selection: try row.decode(column: "selection", as: String.self), state: state,
                reason: try row.decode(column: "reason", as: String.self),
                at: Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)), by: try row.decode(column: "actor", as: String.self))
        }
    }

    /// The subscription in force of each selection of a round.
    public func subscriptions(round: Int64, name: String) async throws -> [String: RoundSubscription] {
        var inForce: [String: RoundSubscription] = [:]
        for entry in try await subscriptionHistory(round: round, name: name) { inForce[entry.selection] = entry }
        return inForce
    }

    /// Selections a round's automatic tests unsubscribed since `time`, with their coordinator: what coordinators are told.
    public func automaticUnsubscriptions(
        since time: Timestamp, by actor: String
    ) async throws -> [(round: String, selection: String, reason: String, at: Timestamp, coordinator: String)] {
        try await sql.raw(
            """
            SELECT r.name AS round, s.selection AS selection, s.reason AS reason, s.at AS at, sel.coordinator AS coordinator
            FROM round_subscriptions s JOIN rounds r ON r.id = s.round_id
            JOIN selections sel ON sel.name = s.selection AND sel.revision = (SELECT MAX(s2.revision) FROM selections s2 WHERE s2.name = s.selection)
            WHERE s.actor = \(bind: actor) AND s.state = 'unsubscribed' AND s.at > \(bind: time.microsecondsSinceEpoch) ORDER BY s.id
            """
        ).all().map { row in
            (
                try row.decode(column: "round", as: String.self), try row.decode(column: "selection", as: String.self),
                try row.decode(column: "reason", as: String.self), Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)),
                try row.decode(column: "coordinator", as: String.self)
            )
        }
    }

    // MARK: Tests

    /// Keeps a selection's newest test in a round (an earlier one is replaced).
    public func saveTest(_ result: SelectionTestResult, revision: Int, round: Int64) async throws {
        try await sql.delete(from: "round_tests").where("round_id", .equal, round).where("selection", .equal, result.selection).run()
        try await sql.insert(into: "round_tests")
            .columns("round_id", "selection", "revision", "events_in", "selected", "cpu_seconds", "output_bytes", "failure", "verdict", "events", "at")
            .values(
                SQLBind(round), SQLBind(result.selection), SQLBind(revision), SQLBind(result.eventsIn), SQLBind(result.selected),
                SQLBind(result.cpuSeconds), SQLBind(result.outputBytes), SQLBind(result.failure), SQLBind(result.verdict),
                SQLBind(Data(result.events.bytes)), SQLBind(result.at.microsecondsSinceEpoch)
            ).run()
    }

    /// A round's newest tests, by selection name; with `events`, the kept events too.
    public func tests(round: Int64, events: Bool = true) async throws -> [SelectionTestResult] {
        let columns =
            ["selection", "revision", "events_in", "selected", "cpu_seconds", "output_bytes", "failure", "verdict", "at"] + (events ? ["events"] : [])
        return try await sql.select().columns(columns.map { SQLColumn($0) }).from("round_tests").where("round_id", .equal, round).orderBy("selection").all()
            .map { row in
                let eventsIn = try row.decode(column: "events_in", as: Int64.self)
                var kept = EventSet(size: 0)
                if events {
                    let bytes = try row.decode(column: "events", as: Data.self)
                    guard eventsIn >= 0, eventsIn <= Int64(Int32.max), let set = EventSet(size: Int(eventsIn), bytes: [UInt8](bytes)) else {
                        throw ConveyorError.storeFailure("round_tests holds kept events that do not fit a sample of \(eventsIn) events")
                    }
                    kept = set
                }
                return SelectionTestResult(
                    selection: try row.decode(column: "selection", as: String.self), eventsIn: eventsIn,
                    selected: try row.decode(column: "selected", as: Int64.self), cpuSeconds: try row.decode(column: "cpu_seconds", as: Double.self),
                    outputBytes: try row.decode(column: "output_bytes", as: Int64.self), failure: try row.decode(column: "failure", as: String?.self),
                    events: kept, verdict: try row.decode(column: "verdict", as: String?.self),
                    at: Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)))
            }
    }

    // MARK: Files

    /// Records that a round's file of `stream` holds `selections`.
    public func recordRoundFile(_ lfn: String, stream: String, selections: [String], round: Int64) async throws {
        guard let id = try await fileIDs([lfn])[lfn] else { throw ConveyorError.notFound("\(lfn) is not registered") }
        for selection in selections {
            try await sql.raw(
                """
                INSERT INTO round_files (round_id, file_id, stream, selection) VALUES (\(bind: round), \(bind: id), \(bind: stream), \(bind: selection))
                ON CONFLICT (round_id, file_id, selection) DO NOTHING
                """
            ).run()
        }
    }

    /// A round's files, with the selection they hold, their stream and their status; only one selection's with `selection`.
    public func roundFiles(round: Int64, selection: String? = nil) async throws -> [RoundFile] {
        var select = sql.select().column(SQLColumn("lfn", table: "f")).column(SQLColumn("stream", table: "rf")).column(SQLColumn("selection", table: "rf"))
            .column(SQLColumn("events", table: "f")).column(SQLColumn("size", table: "f")).column(SQLColumn("status", table: "f"))
            .column(SQLColumn("exp", table: "f")).column(SQLColumn("run", table: "f"))
            .from(SQLAlias(SQLIdentifier("round_files"), as: SQLIdentifier("rf")))
            .join(SQLAlias(SQLIdentifier("files"), as: SQLIdentifier("f")), on: SQLColumn("file_id", table: "rf"), .equal, SQLColumn("id", table: "f"))
            .where(SQLColumn("round_id", table: "rf"), .equal, SQLBind(round))
        if let selection { select = select.where(SQLColumn("selection", table: "rf"), .equal, SQLBind(selection)) }
        return try await select.orderBy(SQLColumn("lfn", table: "f")).orderBy(SQLColumn("selection", table: "rf")).all().map { row in
            let status = try row.decodeValue(FileStatus.self, column: "status", in: "files")
            return RoundFile(
                lfn: try row.decode(column: "lfn", as: String.self), stream: try row.decode(column: "stream", as: String.self),
                selection: try row.decode(column: "selection", as: String.self),
                run: ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self)),
                events: try row.decode(column: "events", as: Int64.self), size: try row.decode(column: "size", as: Int64.self), status: status)
        }
    }

    /// Which rounds and selections hold any of these files: (round name, selection, stream).
    public func roundSelections(holding lfns: [String]) async throws -> [(round: String, selection: String, stream: String)] {
        guard !lfns.isEmpty else { return [] }
        let rows = try await sql.raw(
            """
            SELECT DISTINCT r.name, rf.selection, rf.stream FROM round_files rf JOIN files f ON f.id = rf.file_id JOIN rounds r ON r.id = rf.round_id
            WHERE f.lfn IN (\(SQLList(lfns.map { SQLBind($0) }))) ORDER BY r.name, rf.selection
            """
        ).all()
        return try rows.map {
            (
                try $0.decode(column: "name", as: String.self), try $0.decode(column: "selection", as: String.self),
                try $0.decode(column: "stream", as: String.self)
            )
        }
    }

    /// The datasets (users' and production's file lists) holding any of these files.
    public func datasets(holding lfns: [String]) async throws -> [String] {
        guard !lfns.isEmpty else { return [] }
        return try await sql.raw(
            """
            SELECT DISTINCT d.name FROM dataset_files df JOIN files f ON f.id = df.file_id JOIN datasets d ON d.id = df.dataset_id
            WHERE f.lfn IN (\(SQLList(lfns.map { SQLBind($0) }))) ORDER BY d.name
            """
        ).all().map { try $0.decode(column: "name", as: String.self) }
    }

    static func decodeRound(_ row: any SQLRow) throws -> StrippingRound {
        func json<T: Decodable>(_ column: String, as type: T.Type) throws -> T {
            try Self.decodeJSON(T.self, try row.decode(column: column, as: String.self), what: "rounds.\(column)")
        }
        let state = try row.decodeValue(StrippingRound.State.self, column: "state", in: "rounds")
        var grouping: StreamGrouping?
        if try row.decode(column: "grouping", as: String?.self) != nil { grouping = try json("grouping", as: StreamGrouping.self) }
        func time(_ column: String) throws -> Timestamp? { try row.decode(column: column, as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)) }
        return StrippingRound(
            id: try row.decode(column: "id", as: Int64.self), name: try row.decode(column: "name", as: String.self),
            input: try row.decode(column: "input", as: String.self), release: try row.decode(column: "release", as: String.self),
            globalTags: try json("global_tags", as: [String].self), program: try row.decode(column: "program", as: String.self),
            sampleRuns: try json("sample_runs", as: [Int].self), sampleSize: try row.decode(column: "sample_size", as: Int.self),
            limits: try json("limits", as: RoundLimits.self), state: state, createdAt: try time("created_at")!,
            createdBy: try row.decode(column: "created_by", as: String.self), testedAt: try time("tested_at"), submittedAt: try time("submitted_at"),
            request: try row.decode(column: "request", as: String?.self), grouping: grouping,
            groupingReason: try row.decode(column: "grouping_reason", as: String?.self))
    }
}
