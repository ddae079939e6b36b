import ConveyorCore
import SQLKit

extension StoreSession {
    /// Adds a run, or updates it and records each changed value; an identical record changes nothing.
    public func upsertRun(_ record: RunRecord, at time: Timestamp, by actor: String) async throws -> (inserted: Bool, changes: [RunChange]) {
        guard let existing = try await run(record.run)?.record else {
            try await sql.insert(into: "runs")
                .columns(
                    "exp", "run", "type", "energy", "magnet", "start_at", "stop_at", "events", "online_lumi", "offline_lumi", "state", "quality", "created_at"
                )
                .values(
                    SQLBind(record.run.exp), SQLBind(record.run.run), SQLBind(record.type.rawValue), SQLBind(record.energy),
                    SQLBind(record.magnet ? 1 : 0), SQLBind(record.start?.microsecondsSinceEpoch), SQLBind(record.stop?.microsecondsSinceEpoch),
                    SQLBind(record.events), SQLBind(record.onlineLuminosity), SQLBind(record.offlineLuminosity), SQLBind(record.state.rawValue),
                    SQLBind(QualityFlag.unknown.rawValue), SQLBind(time.microsecondsSinceEpoch)
                )
                .run()
            return (true, [])
        }
        let changes = Self.fields(of: existing).compactMap { field, old -> RunChange? in
            let new = Self.fields(of: record)[field]!
            return old == new ? nil : RunChange(run: record.run, field: field, oldValue: old, newValue: new, actor: actor, at: time)
        }.sorted { $0.field < $1.field }
        guard !changes.isEmpty else { return (false, []) }
        try await sql.update("runs")
            .set("type", to: record.type.rawValue).set("energy", to: record.energy).set("magnet", to: record.magnet ? 1 : 0)
            .set("start_at", to: SQLBind(record.start?.microsecondsSinceEpoch)).set("stop_at", to: SQLBind(record.stop?.microsecondsSinceEpoch))
            .set("events", to: record.events).set("online_lumi", to: record.onlineLuminosity)
            .set("offline_lumi", to: SQLBind(record.offlineLuminosity)).set("state", to: record.state.rawValue)
            .where("exp", .equal, record.run.exp).where("run", .equal, record.run.run)
            .run()
        for change in changes {
            try await sql.insert(into: "run_changes")
                .columns("exp", "run", "field", "old_value", "new_value", "actor", "at")
                .values(
                    SQLBind(change.run.exp), SQLBind(change.run.run), SQLBind(change.field), SQLBind(change.oldValue),
                    SQLBind(change.newValue), SQLBind(actor), SQLBind(time.microsecondsSinceEpoch)
                )
                .run()
        }
        return (false, changes)
    }

    public func run(_ run: ExpRun) async throws -> RegisteredRun? {
        try await runSelect().where("exp", .equal, run.exp).where("run", .equal, run.run).first().map(Self.decodeRun)
    }

    /// The runs a query selects, by experiment and run.
    public func runs(_ query: RunQuery) async throws -> [RegisteredRun] {
        var select = filtered(runSelect(), query).orderBy("exp").orderBy("run")
        if let limit = query.limit { select = select.limit(limit) }
        return try await select.all().map(Self.decodeRun)
    }

    /// Runs, events and luminosity summed over what a query selects, by the database.
    public func runTotals(_ query: RunQuery) async throws -> RunTotals {
        let select = filtered(
            sql.select()
                .column(SQLFunction("count", args: SQLLiteral.all), as: "n")
                // PostgreSQL sums BIGINT into NUMERIC; the casts give both engines the same types.
                .column(SQLRaw("CAST(COALESCE(SUM(events), 0) AS BIGINT)"), as: "events")
                .column(SQLRaw("CAST(COALESCE(SUM(COALESCE(offline_lumi, online_lumi)), 0) AS DOUBLE PRECISION)"), as: "lumi")
                .from("runs"), query)
        let row = try await select.first()
        return RunTotals(
            runs: try row?.decode(column: "n", as: Int.self) ?? 0,
            events: try row?.decode(column: "events", as: Int64.self) ?? 0,
            luminosityPerPicobarn: try row?.decode(column: "lumi", as: Double.self) ?? 0
        )
    }

    /// Every recorded change to a run's values, oldest first.
    public func runChanges(_ run: ExpRun) async throws -> [RunChange] {
        try await sql.select().columns("field", "old_value", "new_value", "actor", "at").from("run_changes")
            .where("exp", .equal, run.exp).where("run", .equal, run.run).orderBy("id").all()
            .map { row in
                RunChange(
                    run: run, field: try row.decode(column: "field", as: String.self),
                    oldValue: try row.decode(column: "old_value", as: String?.self), newValue: try row.decode(column: "new_value", as: String?.self),
                    actor: try row.decode(column: "actor", as: String.self),
                    at: Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)))
            }
    }

    /// Appends a quality event; a summary flag also becomes the run's current quality.
    public func appendQualityEvent(_ event: QualityEvent) async throws {
        try await sql.insert(into: "quality_events")
            .columns("exp", "run", "kind", "detector", "old_value", "new_value", "reason", "actor", "at")
            .values(
                SQLBind(event.run.exp), SQLBind(event.run.run), SQLBind(event.kind.rawValue), SQLBind(event.detector), SQLBind(event.old),
                SQLBind(event.new), SQLBind(event.reason), SQLBind(event.actor), SQLBind(event.at.microsecondsSinceEpoch)
            )
            .run()
        if event.kind == .flag, event.detector == nil {
            try await sql.update("runs").set("quality", to: event.new)
                .where("exp", .equal, event.run.exp).where("run", .equal, event.run.run).run()
        }
    }

    /// Quality events of one run up to `asOf`, oldest first.
    public func qualityEvents(of run: ExpRun, asOf: Timestamp? = nil) async throws -> [QualityEvent] {
        var select = sql.select().columns("exp", "run", "kind", "detector", "old_value", "new_value", "reason", "actor", "at")
            .from("quality_events").where("exp", .equal, run.exp).where("run", .equal, run.run)
        if let asOf { select = select.where("at", .lessThanOrEqual, asOf.microsecondsSinceEpoch) }
        return try await select.orderBy("at").orderBy("id").all().map { row in
            QualityEvent(
                run: ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self)),
                kind: try row.decodeValue(QualityEvent.Kind.self, column: "kind", in: "quality_events"),
                detector: try row.decode(column: "detector", as: String?.self),
                old: try row.decode(column: "old_value", as: String?.self),
                new: try row.decode(column: "new_value", as: String.self),
                reason: try row.decode(column: "reason", as: String.self),
                actor: try row.decode(column: "actor", as: String.self),
                at: Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self))
            )
        }
    }

    /// The runs of `exp` registered by `asOf` whose summary flag, and each required detector's
    /// flag, was GOOD at `asOf` — decided by the database from the latest flag event of each
    /// (run, detector) at that moment, so no event history is loaded.
    public func goodRunNumbers(exp: Int, requiring detectors: [String], asOf: Timestamp?) async throws -> [Int] {
        let moment = asOf?.microsecondsSinceEpoch ?? Int64.max
        func latestFlag(_ detector: String?) -> SQLQueryString {
            let detectorClause: SQLQueryString = detector.map { "q.detector = \(bind: $0)" } ?? "q.detector IS NULL"
            return """
                (SELECT q.new_value FROM quality_events q
                 WHERE q.exp = r.exp AND q.run = r.run AND q.kind = 'flag' AND \(detectorClause) AND q.at <= \(bind: moment)
                 ORDER BY q.at DESC, q.id DESC LIMIT 1) = 'GOOD'
                """
        }
        var condition = latestFlag(nil)
        for detector in detectors { condition = "\(condition) AND \(latestFlag(detector))" }
        let rows = try await sql.raw(
            """
            SELECT r.run FROM runs r WHERE r.exp = \(bind: exp) AND r.created_at <= \(bind: moment) AND \(condition) ORDER BY r.run
            """
        ).all()
        return try rows.map { try $0.decode(column: "run", as: Int.self) }
    }

    /// The run numbers of an experiment that existed at `asOf` (all registered runs when nil).
    public func runNumbers(exp: Int, asOf: Timestamp? = nil) async throws -> [Int] {
        var select = sql.select().column("run").from("runs").where("exp", .equal, exp)
        if let asOf { select = select.where("created_at", .lessThanOrEqual, asOf.microsecondsSinceEpoch) }
        return try await select.orderBy("run").all().map { try $0.decode(column: "run", as: Int.self) }
    }

    private func runSelect() -> SQLSelectBuilder {
        sql.select().columns("exp", "run", "type", "energy", "magnet", "start_at", "stop_at", "events", "online_lumi", "offline_lumi", "state", "quality").from(
            "runs")
    }

    /// Narrows a select over the runs table (or a subquery of it) by a run query.
    func filtered(_ select: SQLSelectBuilder, _ query: RunQuery) -> SQLSelectBuilder {
        var select = select
        if let exp = query.exp { select = select.where("exp", .equal, exp) }
        if let range = query.runRange { select = select.where("run", .greaterThanOrEqual, range.lowerBound).where("run", .lessThanOrEqual, range.upperBound) }
        if let type = query.type { select = select.where("type", .equal, type.rawValue) }
        if let energy = query.energy { select = select.where("energy", .equal, energy) }
        if let magnet = query.magnet { select = select.where("magnet", .equal, magnet ? 1 : 0) }
        if let quality = query.quality { select = select.where("quality", .equal, quality.rawValue) }
        if let minimum = query.minimumLuminosity {
            select = select.where(SQLFunction("coalesce", args: SQLColumn("offline_lumi"), SQLColumn("online_lumi")), .greaterThanOrEqual, SQLBind(minimum))
        }
        if let seconds = query.minimumDurationSeconds {
            select = select.where(SQLRaw("stop_at - start_at"), .greaterThanOrEqual, SQLBind(seconds * 1_000_000))
        }
        return select
    }

    private static func decodeRun(_ row: any SQLRow) throws -> RegisteredRun {
        let record = RunRecord(
            run: ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self)),
            type: try row.decodeValue(RunType.self, column: "type", in: "runs"),
            energy: try row.decode(column: "energy", as: String.self),
            magnet: try row.decode(column: "magnet", as: Int.self) != 0,
            start: try row.decode(column: "start_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)),
            stop: try row.decode(column: "stop_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)),
            events: try row.decode(column: "events", as: Int64.self),
            onlineLuminosity: try row.decode(column: "online_lumi", as: Double.self),
            offlineLuminosity: try row.decode(column: "offline_lumi", as: Double?.self),
            state: try row.decodeValue(RunState.self, column: "state", in: "runs")
        )
        return RegisteredRun(record: record, quality: try row.decodeValue(QualityFlag.self, column: "quality", in: "runs"))
    }

    /// A record's values as text, for change records.
    private static func fields(of record: RunRecord) -> [String: String?] {
        [
            "type": record.type.rawValue, "energy": record.energy, "magnet": record.magnet ? "on" : "off",
            "start": record.start?.iso8601, "stop": record.stop?.iso8601, "events": String(record.events),
            "online_lumi": String(record.onlineLuminosity), "offline_lumi": record.offlineLuminosity.map { String($0) },
            "state": record.state.rawValue,
        ]
    }
}
