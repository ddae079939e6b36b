import ConveyorCore
import SQLKit

extension StoreSession {
    /// Records a note; returns it with its id.
    public func insertNote(_ note: Note) async throws -> Note {
        let row = try await sql.insert(into: "notes").columns("subject_kind", "subject", "kind", "author", "at", "text")
            .values(
                SQLBind(note.subject.kind.rawValue), SQLBind(note.subject.name), SQLBind(note.kind.rawValue), SQLBind(note.author),
                SQLBind(note.at.microsecondsSinceEpoch), SQLBind(note.text)
            ).returning("id").first()
        guard let row else { throw ConveyorError.storeFailure("the database returned no id for the new note") }
        var stored = note
        stored.id = try row.decode(column: "id", as: Int64.self)
        return stored
    }

    /// The notes on one thing, oldest first.
    public func notes(on subject: Note.Subject) async throws -> [Note] {
        try await sql.select().column("*").from("notes").where("subject_kind", .equal, subject.kind.rawValue).where("subject", .equal, subject.name)
            .orderBy("at").orderBy("id").all().map(Self.decodeNote)
    }

    /// Problem reports nobody resolved yet, oldest first.
    public func openProblemReports() async throws -> [Note] {
        try await sql.select().column("*").from("notes").where("kind", .equal, Note.Kind.problem.rawValue).where("resolved_at", .is, SQLLiteral.null)
            .orderBy("at").all().map(Self.decodeNote)
    }

    public func note(id: Int64) async throws -> Note? {
        try await sql.select().column("*").from("notes").where("id", .equal, id).first().map(Self.decodeNote)
    }

    /// Resolves an open problem report. - Returns: whether it was open.
    public func resolveNote(id: Int64, by author: String, resolution: String, at time: Timestamp) async throws -> Bool {
        try await sql.update("notes").set("resolved_at", to: time.microsecondsSinceEpoch).set("resolved_by", to: author).set("resolution", to: resolution)
            .where("id", .equal, id).where("resolved_at", .is, SQLLiteral.null).returning("id").first() != nil
    }

    private static func decodeNote(_ row: any SQLRow) throws -> Note {
        let kind = try row.decode(column: "subject_kind", as: String.self)
        return Note(
            id: try row.decode(column: "id", as: Int64.self),
            subject: Note.Subject(storedKind: Note.Subject.Kind(rawValue: kind) ?? .request, name: try row.decode(column: "subject", as: String.self)),
            kind: Note.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .note, author: try row.decode(column: "author", as: String.self),
            at: Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)), text: try row.decode(column: "text", as: String.self),
            resolvedAt: try row.decode(column: "resolved_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)),
            resolvedBy: try row.decode(column: "resolved_by", as: String?.self), resolution: try row.decode(column: "resolution", as: String?.self))
    }
}

extension StoreSession {
    /// Every prompt-tracked run's turnaround: the end of its data taking (its stop time, else when
    /// the handshake closed it for want of an end record), its handshake times, when a shifter postponed it and
    /// let it go on, and when any of its streams was certified.
    public func runTurnarounds(at now: Timestamp) async throws -> [RunTurnaround] {
        let runs = try await sql.raw(
            """
            SELECT p.exp AS exp, p.run AS run, COALESCE(r.stop_at, p.closed_at) AS closed, p.calibrated_at AS calibrated, p.released_at AS released,
            (SELECT min(e.at) FROM live_stream_events e WHERE e.exp = p.exp AND e.run = p.run AND e.stage = 'certified') AS certified
            FROM prompt_runs p LEFT JOIN runs r ON r.exp = p.exp AND r.run = p.run ORDER BY p.exp, p.run
            """
        ).all()
        var events: [ExpRun: [(Timestamp, String)]] = [:]
        for row in try await sql.raw(
            "SELECT exp, run, at, stage FROM prompt_run_events WHERE stage IN ('postponed', 'normal', 'abandoned', 'released') ORDER BY id"
        ).all() {
            let run = ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self))
            events[run, default: []].append(
                (Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)), try row.decode(column: "stage", as: String.self)))
        }
        return try runs.map { row in
            func time(_ column: String) throws -> Timestamp? { try row.decode(column: column, as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)) }
            let run = ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self))
            let released = try time("released")
            var postponed = 0.0
            var since: Timestamp?
            for (at, stage) in events[run] ?? [] {
                if stage == "postponed" {
                    since = since ?? at
                } else if let start = since {
                    postponed += at.seconds(since: start)
                    since = nil
                }
            }
            if let start = since { postponed += (released ?? now).seconds(since: start) }
            return RunTurnaround(
                run: run, closed: try time("closed"), calibrated: try time("calibrated"), released: released, certified: try time("certified"),
                postponedSeconds: max(0, postponed))
        }
    }
}
