import ConveyorCore
import SQLKit

/// What luminosity accounting reads: the listed files, their raw ancestors, and the runs' data
/// streams and luminosity.
extension StoreSession {
    /// The SQL condition that the file aliased `alias` is raw data from the DAQ: raw, and not an HLT
    /// skim made from other raw files (raw files with parents), which would count their events twice.
    static func isDAQRaw(_ alias: String) -> String {
        "\(alias).level = 'raw' AND NOT EXISTS (SELECT 1 FROM file_parents fp WHERE fp.child_id = \(alias).id)"
    }

    /// What luminosity accounting needs of each registered LFN of a list: its id, events and
    /// status, in one chunked pass (unknown LFNs are absent).
    public func fileFacts(_ lfns: [String]) async throws -> [String: (id: Int64, events: Int64, status: FileStatus)] {
        var out: [String: (id: Int64, events: Int64, status: FileStatus)] = [:]
        for start in stride(from: 0, to: lfns.count, by: Self.chunk) {
            let chunk = Array(lfns[start..<min(start + Self.chunk, lfns.count)])
            for row in try await sql.select().columns("id", "lfn", "events", "status").from("files").where("lfn", .in, chunk).all() {
                out[try row.decode(column: "lfn", as: String.self)] = (
                    try row.decode(column: "id", as: Int64.self), try row.decode(column: "events", as: Int64.self),
                    try row.decodeValue(FileStatus.self, column: "status", in: "files")
                )
            }
        }
        return out
    }

    /// The raw files behind a list of files (the listed raw files themselves included), once each:
    /// the DAQ's, not HLT skims made from them (raw files with parents), which would count their
    /// events twice. Each with its data stream (its data tag; `all` for all events).
    public func rawAncestors(of lfns: [String]) async throws -> [(run: ExpRun, stream: String, events: Int64)] {
        try await rawAncestors(ofIDs: try await fileFacts(lfns).values.map(\.id))
    }

    /// ``rawAncestors(of:)`` from file ids, walked in chunks so that any length of list fits the
    /// databases' limits on bound values. (Walking one generation at a time from Swift costs the
    /// same: both are one key lookup per file and generation; BENCHMARKS.md.)
    public func rawAncestors(ofIDs ids: [Int64]) async throws -> [(run: ExpRun, stream: String, events: Int64)] {
        var seen = Set<Int64>()
        var out: [(run: ExpRun, stream: String, events: Int64)] = []
        for start in stride(from: 0, to: ids.count, by: Self.chunk) {
            let list = SQLList(ids[start..<min(start + Self.chunk, ids.count)].map { SQLBind($0) })
            let rows = try await sql.raw(
                """
                WITH RECURSIVE behind(id) AS (
                    SELECT id FROM files WHERE id IN (\(list))
                    UNION
                    SELECT fp.parent_id FROM behind CROSS JOIN file_parents fp WHERE fp.child_id = behind.id
                )
                SELECT f.id, f.exp, f.run, f.events, f.data_tag FROM behind CROSS JOIN files f WHERE f.id = behind.id AND \(unsafeRaw: Self.isDAQRaw("f"))
                """
            ).all()
            for row in rows where seen.insert(try row.decode(column: "id", as: Int64.self)).inserted {
                out.append(
                    (
                        ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self)),
                        LuminosityAccount.stream(of: try row.decode(column: "data_tag", as: String?.self)),
                        try row.decode(column: "events", as: Int64.self)
                    ))
            }
        }
        return out
    }

    /// LFNs bound in one statement: below SQLite's and PostgreSQL's limits on bound values.
    static let chunk = 10_000

    /// The luminosity and events of runs, and their DAQ raw files and events by data stream, for
    /// luminosity accounting: one row per run and stream (kept by registration), read over the
    /// experiments and run numbers involved.
    public func runAccounting(_ runs: Set<ExpRun>) async throws -> LuminosityAccount.Runs {
        guard !runs.isEmpty else { return .init() }
        let exps = Array(Set(runs.map(\.exp))), numbers = Array(Set(runs.map(\.run)))
        var accounting = LuminosityAccount.Runs()
        for row in try await sql.select().columns("exp", "run", "stream", "files", "events").from("run_streams")
            .where("exp", .in, exps).where("run", .in, numbers).all()
        {
            let run = ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self))
            guard runs.contains(run) else { continue }
            accounting.streams[.init(run: run, stream: try row.decode(column: "stream", as: String.self))] = (
                try row.decode(column: "files", as: Int.self), try row.decode(column: "events", as: Int64.self)
            )
        }
        let rows = try await sql.select().columns("exp", "run", "events", "online_lumi", "offline_lumi").from("runs")
            .where("exp", .in, exps).where("run", .in, numbers).all()
        for row in rows {
            let run = ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self))
            guard runs.contains(run) else { continue }
            let luminosity = try row.decode(column: "offline_lumi", as: Double?.self) ?? row.decode(column: "online_lumi", as: Double.self)
            accounting.runs[run] = (luminosity, try row.decode(column: "events", as: Int64.self))
        }
        return accounting
    }
}
