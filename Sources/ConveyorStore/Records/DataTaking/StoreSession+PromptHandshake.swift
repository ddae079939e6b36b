import ConveyorCore
import Foundation
import SQLKit

extension StoreSession {
    /// The handshake's one row: its settings, where tracking starts, and the FCSR the last
    /// cycle computed with its locks.
    public struct PromptHandshakeRow: Sendable, Equatable {
        public var settings: PromptSettings
        /// Runs from this one on are tracked; nil while the handshake is off.
        public var trackFrom: ExpRun?
        public var fcsr: ExpRun?
        public var cycledAt: Timestamp?
    }

    /// Reads the handshake row; with `forUpdate`, holds it until the transaction ends, so that a
    /// cycle's locks and an upload's check of the FCSR never interleave (PostgreSQL; an SQLite
    /// writer holds the whole database already).
    public func promptHandshake(forUpdate: Bool = false) async throws -> PromptHandshakeRow {
        var select = sql.select().columns("settings", "track_exp", "track_run", "fcsr_exp", "fcsr_run", "cycled_at").from("prompt_handshake").where(
            "id", .equal, 1)
        if forUpdate, kind == .postgresql { select = select.for(.update) }
        guard let row = try await select.first() else { throw ConveyorError.storeFailure("the prompt_handshake row is missing") }
        let text = try row.decode(column: "settings", as: String.self)
        let settings = text == "{}" ? PromptSettings() : try JSONDecoder().decode(PromptSettings.self, from: Data(text.utf8))
        func run(_ e: String, _ r: String) throws -> ExpRun? {
            guard let exp = try row.decodeNil(column: e) ? nil : row.decode(column: e, as: Int.self) else { return nil }
            return ExpRun(exp: exp, run: try row.decode(column: r, as: Int.self))
        }
        return PromptHandshakeRow(
            settings: settings, trackFrom: try run("track_exp", "track_run"), fcsr: try run("fcsr_exp", "fcsr_run"),
            cycledAt: try row.decode(column: "cycled_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)))
    }

    public func savePromptSettings(_ settings: PromptSettings, trackFrom: ExpRun?) async throws {
        let json = String(decoding: try JSONEncoder.sorted.encode(settings), as: UTF8.self)
        try await sql.update("prompt_handshake").set("settings", to: json).set("track_exp", to: trackFrom?.exp).set("track_run", to: trackFrom?.run)
            .where("id", .equal, 1).run()
    }

    public func setFirstConditionSafeRun(_ fcsr: ExpRun?, at time: Timestamp) async throws {
        try await sql.update("prompt_handshake").set("fcsr_exp", to: fcsr?.exp).set("fcsr_run", to: fcsr?.run)
            .set("cycled_at", to: time.microsecondsSinceEpoch).where("id", .equal, 1).run()
    }

    /// Starts tracking physics runs of the registry from `from` on that are newer than every
    /// tracked run: a cycle reads only runs it has not seen. - Returns: how many.
    @discardableResult
    public func trackNewPromptRuns(from: ExpRun, at time: Timestamp) async throws -> Int {
        var floor = from
        var strictlyAbove = false
        if let row = try await sql.raw("SELECT exp, run FROM prompt_runs ORDER BY exp DESC, run DESC LIMIT 1").first() {
            let newest = ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self))
            if newest >= floor { (floor, strictlyAbove) = (newest, true) }
        }
        // Two range reads on the (exp, run) index rather than one OR, which both engines answer by reading every run.
        let rows =
            try await sql.raw(
                """
                SELECT exp, run FROM runs WHERE exp = \(bind: floor.exp) AND run \(unsafeRaw: strictlyAbove ? ">" : ">=") \(bind: floor.run)
                AND type = 'physics' ORDER BY run
                """
            ).all()
            + (try await sql.raw("SELECT exp, run FROM runs WHERE exp > \(bind: floor.exp) AND type = 'physics' ORDER BY exp, run").all())
        guard !rows.isEmpty else { return 0 }
        for start in stride(from: 0, to: rows.count, by: 500) {
            var insert = sql.insert(into: "prompt_runs").columns("exp", "run", "disposition", "tracked_at")
            for row in rows[start..<min(start + 500, rows.count)] {
                insert = insert.values(
                    SQLBind(try row.decode(column: "exp", as: Int.self)), SQLBind(try row.decode(column: "run", as: Int.self)),
                    SQLBind(PromptRun.Disposition.normal.rawValue), SQLBind(time.microsecondsSinceEpoch))
            }
            try await insert.run()
        }
        return rows.count
    }

    private static let promptRunColumns = """
        SELECT p.exp AS exp, p.run AS run, p.closed_at AS closed_at, p.close_reason AS close_reason, p.locked_at AS locked_at,
        p.released_at AS released_at, p.calibrated_at AS calibrated_at, p.disposition AS disposition, p.disposition_reason AS disposition_reason,
        r.start_at AS start_at, r.stop_at AS stop_at,
        (SELECT max(f.created_at) FROM files f WHERE f.exp = p.exp AND f.run = p.run AND \(isDAQRaw("f"))) AS last_file
        FROM prompt_runs p LEFT JOIN runs r ON r.exp = p.exp AND r.run = p.run
        """

    private func promptRun(_ row: any SQLRow) throws -> PromptRun {
        func time(_ column: String) throws -> Timestamp? { try row.decode(column: column, as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)) }
        return PromptRun(
            run: ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self)),
            start: try time("start_at"), end: try time("stop_at"), lastFileAt: try time("last_file"), closedAt: try time("closed_at"),
            closeReason: try row.decode(column: "close_reason", as: String?.self), lockedAt: try time("locked_at"),
            releasedAt: try time("released_at"), calibratedAt: try time("calibrated_at"),
            disposition: try row.decodeValue(PromptRun.Disposition.self, column: "disposition", in: "prompt_runs"),
            dispositionReason: try row.decode(column: "disposition_reason", as: String?.self))
    }

    /// Runs the handshake still acts on: not released, and not abandoned once locked.
    public func activePromptRuns() async throws -> [PromptRun] {
        try await sql.raw(
            """
            \(unsafeRaw: Self.promptRunColumns)
            WHERE p.released_at IS NULL AND (p.disposition <> 'abandoned' OR p.locked_at IS NULL) ORDER BY p.exp, p.run
            """
        ).all().map(promptRun)
    }

    /// The newest tracked runs, newest first, or one run.
    public func promptRuns(limit: Int = 100, run: ExpRun? = nil) async throws -> [PromptRun] {
        if let run {
            return try await sql.raw("\(unsafeRaw: Self.promptRunColumns) WHERE p.exp = \(bind: run.exp) AND p.run = \(bind: run.run)").all().map(promptRun)
        }
        return try await sql.raw("\(unsafeRaw: Self.promptRunColumns) ORDER BY p.exp DESC, p.run DESC LIMIT \(bind: limit)").all().map(promptRun)
    }

    func promptRunsOfExperiment(_ exp: Int, _ low: Int, _ high: Int) async throws -> [PromptRun] {
        try await sql.raw(
            "\(unsafeRaw: Self.promptRunColumns) WHERE p.exp = \(bind: exp) AND p.run >= \(bind: low) AND p.run <= \(bind: high) ORDER BY p.run"
        ).all().map(promptRun)
    }

    func promptRunsOfExperiments(above exp: Int) async throws -> [PromptRun] {
        try await sql.raw("\(unsafeRaw: Self.promptRunColumns) WHERE p.exp > \(bind: exp) ORDER BY p.exp, p.run").all().map(promptRun)
    }

    public func highestLockedPromptRun() async throws -> ExpRun? {
        guard let row = try await sql.raw("SELECT exp, run FROM prompt_runs WHERE locked_at IS NOT NULL ORDER BY exp DESC, run DESC LIMIT 1").first()
        else { return nil }
        return ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self))
    }

    /// The newest run with a start record: hlt and express conditions start after it.
    public func lastOnlineRun() async throws -> ExpRun? {
        guard let row = try await sql.raw("SELECT exp, run FROM runs WHERE start_at IS NOT NULL ORDER BY exp DESC, run DESC LIMIT 1").first()
        else { return nil }
        return ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self))
    }

    /// Records a cycle's closes, locks and releases with an event each.
    public func applyPromptPlan(_ plan: PromptHandshake.Plan, actor: String) async throws {
        for step in plan.closes {
            try await sql.update("prompt_runs").set("closed_at", to: (step.end ?? step.at).microsecondsSinceEpoch).set("close_reason", to: step.reason)
                .where("exp", .equal, step.run.exp).where("run", .equal, step.run.run).where("closed_at", .is, SQLLiteral.null).run()
        }
        for step in plan.locks {
            try await sql.update("prompt_runs").set("locked_at", to: step.at.microsecondsSinceEpoch).where("exp", .equal, step.run.exp)
                .where("run", .equal, step.run.run).where("locked_at", .is, SQLLiteral.null).run()
        }
        for step in plan.releases {
            try await sql.update("prompt_runs").set("released_at", to: step.at.microsecondsSinceEpoch).where("exp", .equal, step.run.exp)
                .where("run", .equal, step.run.run).where("released_at", .is, SQLLiteral.null).run()
        }
        let events = plan.closes.map { ($0, "closed") } + plan.locks.map { ($0, "locked") } + plan.releases.map { ($0, "released") }
        for (step, stage) in events { try await appendPromptRunEvent(step.run, stage: stage, reason: step.reason, actor: actor, at: step.at) }
    }

    public func appendPromptRunEvent(_ run: ExpRun, stage: String, reason: String, actor: String, at time: Timestamp) async throws {
        try await sql.insert(into: "prompt_run_events").columns("exp", "run", "at", "stage", "reason", "actor")
            .values(SQLBind(run.exp), SQLBind(run.run), SQLBind(time.microsecondsSinceEpoch), SQLBind(stage), SQLBind(reason), SQLBind(actor)).run()
    }

    /// A run's handshake events, oldest first.
    public func promptRunEvents(_ run: ExpRun) async throws -> [PromptRunEvent] {
        try await sql.select().columns("at", "stage", "reason", "actor").from("prompt_run_events").where("exp", .equal, run.exp).where("run", .equal, run.run)
            .orderBy("id").all().map { row in
                PromptRunEvent(
                    run: run, at: Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)),
                    stage: try row.decode(column: "stage", as: String.self), reason: try row.decode(column: "reason", as: String.self),
                    actor: try row.decode(column: "actor", as: String.self))
            }
    }

    public func setPromptDisposition(_ run: ExpRun, to disposition: PromptRun.Disposition, reason: String) async throws {
        try await sql.update("prompt_runs").set("disposition", to: disposition.rawValue).set("disposition_reason", to: reason)
            .where("exp", .equal, run.exp).where("run", .equal, run.run).run()
    }

    public func setPromptCalibrated(_ run: ExpRun, at time: Timestamp) async throws {
        try await sql.update("prompt_runs").set("calibrated_at", to: time.microsecondsSinceEpoch)
            .where("exp", .equal, run.exp).where("run", .equal, run.run).where("calibrated_at", .is, SQLLiteral.null).run()
    }

    public func appendPromptSwitch(_ line: PromptSwitch) async throws {
        try await sql.insert(into: "prompt_switches").columns("scope", "stopped", "reason", "actor", "at")
            .values(
                SQLBind(line.scope.description), SQLBind(line.stopped ? 1 : 0), SQLBind(line.reason), SQLBind(line.actor),
                SQLBind(line.at.microsecondsSinceEpoch)
            )
            .run()
    }

    /// The switches' history, oldest first.
    public func promptSwitches() async throws -> [PromptSwitch] {
        try await sql.select().columns("scope", "stopped", "reason", "actor", "at").from("prompt_switches").orderBy("id").all().compactMap { row in
            // A scope this version cannot read is skipped rather than stopping every cycle.
            guard let scope = try? PromptSwitch.Scope(parsing: try row.decode(column: "scope", as: String.self)) else { return nil }
            return PromptSwitch(
                scope: scope, stopped: try row.decode(column: "stopped", as: Int.self) != 0, reason: try row.decode(column: "reason", as: String.self),
                actor: try row.decode(column: "actor", as: String.self), at: Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)))
        }
    }

    /// A tag's synchronisation type (nil: none, as before this existed).
    public func setGlobalTagSync(id: Int64, to sync: SynchronisationType?) async throws {
        try await sql.update("global_tags").set("sync", to: sync?.rawValue).where("id", .equal, id).run()
    }

    public func globalTagSync(id: Int64) async throws -> SynchronisationType? {
        guard let text = try await sql.select().column("sync").from("global_tags").where("id", .equal, id).first()?.decode(column: "sync", as: String?.self)
        else { return nil }
        return SynchronisationType(rawValue: text)
    }
}
