import ConveyorCore
import Foundation
import SQLKit

extension StoreSession {
    /// Stores one monitoring value. - Throws: ``ConveyorError/conflict(_:)`` when that run,
    /// processing, variable and version is already stored (a rerun stores the next version).
    public func insertMonitoringValue(_ value: MonitoringValue) async throws {
        let histogram = try value.histogram.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        let mean = value.histogram?.mean
        let inserted = try await sql.insert(into: "qm_values")
            .columns("exp", "run", "processing", "variable", "version", "histogram", "value", "error", "at", "actor", "mean", "mean_error")
            .values(
                SQLBind(value.run.exp), SQLBind(value.run.run), SQLBind(value.processing), SQLBind(value.variable), SQLBind(value.version), SQLBind(histogram),
                SQLBind(value.value), SQLBind(value.error), SQLBind(value.at.microsecondsSinceEpoch), SQLBind(value.by), SQLBind(mean?.value),
                SQLBind(mean?.error)
            )
            .ignoringConflicts(with: ["exp", "run", "processing", "variable", "version"]).returning("id").first()
        guard inserted != nil else {
            throw ConveyorError.conflict("\(value.variable) of run \(value.run) in \(value.processing) already has version \(value.version)")
        }
    }

    /// One run's point of a trend: the value (a histogram's mean) with its error, and the verdict
    /// of its last comparison.
    public struct TrendPoint: Sendable {
        public var run: Int
        public var version: Int
        public var value: Double?
        public var error: Double?
        public var verdict: String?
        public var figure: Double?
    }

    /// A variable's newest version per run over a run range, in run order, without its
    /// histograms: what a trend over ten thousand runs reads.
    public func monitoringTrendPoints(of variable: String, processing: String, exp: Int, runs: ClosedRange<Int>) async throws -> [TrendPoint] {
        let rows = try await trendRows(["run", "version", "value", "error", "mean", "mean_error", "verdict", "figure"], variable, processing, exp, runs)
        return try Self.newestPerRun(rows) { run, row in
            let scalar = try row.decode(column: "value", as: Double?.self)
            let mean = try row.decode(column: "mean", as: Double?.self)
            let error = try row.decode(column: scalar != nil ? "error" : "mean_error", as: Double?.self)
            return TrendPoint(
                run: run, version: try row.decode(column: "version", as: Int.self), value: scalar ?? mean, error: error,
                verdict: try row.decode(column: "verdict", as: String?.self), figure: try row.decode(column: "figure", as: Double?.self))
        }
    }

    /// A variable's rows over a run range, in run order, each run's newest version first.
    private func trendRows(_ columns: [String], _ variable: String, _ processing: String, _ exp: Int, _ runs: ClosedRange<Int>) async throws -> [any SQLRow] {
        try await sql.select().columns(columns.map { SQLIdentifier($0) }).from("qm_values")
            .where("variable", .equal, variable).where("processing", .equal, processing)
            .where("exp", .equal, exp).where("run", .greaterThanOrEqual, runs.lowerBound).where("run", .lessThanOrEqual, runs.upperBound)
            .orderBy("run").orderBy("version", .descending).all()
    }

    /// The first row of each run (its newest version), decoded; the older versions are skipped undecoded.
    private static func newestPerRun<T>(_ rows: [any SQLRow], _ decode: (Int, any SQLRow) throws -> T) throws -> [T] {
        var out: [T] = []
        out.reserveCapacity(rows.count)
        var last: Int?
        for row in rows {
            let run = try row.decode(column: "run", as: Int.self)
            guard run != last else { continue }
            last = run
            out.append(try decode(run, row))
        }
        return out
    }

    /// Records the verdicts of a run's newest values in a processing (what a trend shows).
    public func recordVerdicts(_ run: ExpRun, processing: String, _ verdicts: [(variable: String, version: Int, verdict: String, figure: Double?)]) async throws
    {
        for v in verdicts {
            try await sql.update("qm_values").set("verdict", to: v.verdict).set("figure", to: v.figure.flatMap { $0.isFinite ? $0 : nil })
                .where("exp", .equal, run.exp).where("run", .equal, run.run).where("processing", .equal, processing).where("variable", .equal, v.variable)
                .where("version", .equal, v.version).run()
        }
    }

    /// The newest version of every variable of a run in a processing, by variable.
    public func monitoringValues(of run: ExpRun, processing: String) async throws -> [MonitoringValue] {
        let rows = try await sql.select().column("*").from("qm_values").where("exp", .equal, run.exp).where("run", .equal, run.run)
            .where("processing", .equal, processing).orderBy("variable").orderBy("version", .descending).all()
        var seen = Set<String>()
        return try rows.map(Self.decodeMonitoringValue).filter { seen.insert($0.variable).inserted }
    }

    /// A variable's newest version per run over a run range, in run order: the trend.
    /// (Only the columns a trend needs are read, and a run's older versions are skipped before decoding:
    /// ten thousand runs are read per trend.)
    public func monitoringTrend(of variable: String, processing: String, exp: Int, runs: ClosedRange<Int>) async throws -> [MonitoringValue] {
        let rows = try await trendRows(["run", "version", "histogram", "value", "error", "at", "actor"], variable, processing, exp, runs)
        return try Self.newestPerRun(rows) { run, row in
            MonitoringValue(
                run: ExpRun(exp: exp, run: run), processing: processing, variable: variable, version: try row.decode(column: "version", as: Int.self),
                histogram: try Self.decodeStoredHistogram(row), value: try row.decode(column: "value", as: Double?.self),
                error: try row.decode(column: "error", as: Double?.self),
                at: Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)), by: try row.decode(column: "actor", as: String.self))
        }
    }

    /// The newest version of every variable of every run in a range in a processing, in run and variable order.
    public func monitoringValues(exp: Int, runs: ClosedRange<Int>, processing: String) async throws -> [MonitoringValue] {
        let rows = try await sql.select().column("*").from("qm_values").where("exp", .equal, exp).where("run", .greaterThanOrEqual, runs.lowerBound)
            .where("run", .lessThanOrEqual, runs.upperBound).where("processing", .equal, processing).orderBy("run").orderBy("variable")
            .orderBy("version", .descending).all()
        var seen = Set<String>()
        return try rows.map(Self.decodeMonitoringValue).filter { seen.insert("\($0.run.run) \($0.variable)").inserted }
    }

    /// The newest experiment with monitoring values (nil when there are none): the trend page's default.
    public func newestMonitoredExperiment() async throws -> Int? {
        try await sql.raw("SELECT MAX(exp) AS exp FROM qm_values").first()?.decode(column: "exp", as: Int?.self)
    }

    /// The processings a run has monitoring values of, in the order they were first stored.
    public func monitoringProcessings(of run: ExpRun) async throws -> [String] {
        try await sql.raw(
            "SELECT processing, MIN(id) AS first FROM qm_values WHERE exp = \(bind: run.exp) AND run = \(bind: run.run) GROUP BY processing ORDER BY first"
        ).all().map { try $0.decode(column: "processing", as: String.self) }
    }

    /// The highest version stored for a run in a processing (0 when none).
    public func latestMonitoringVersion(of run: ExpRun, processing: String) async throws -> Int {
        try await sql.raw(
            "SELECT MAX(version) AS v FROM qm_values WHERE exp = \(bind: run.exp) AND run = \(bind: run.run) AND processing = \(bind: processing)"
        ).first()?.decode(column: "v", as: Int?.self) ?? 0
    }

    /// The runs and processings of an experiment with a value of `variable` in a run range: what a new reference changes.
    public func monitoredRuns(of variable: String, exp: Int, runs: ClosedRange<Int>) async throws -> [(run: ExpRun, processing: String)] {
        try await sql.raw(
            """
            SELECT DISTINCT run, processing FROM qm_values WHERE variable = \(bind: variable) AND exp = \(bind: exp)
            AND run >= \(bind: runs.lowerBound) AND run <= \(bind: runs.upperBound) ORDER BY run, processing
            """
        ).all().map { (ExpRun(exp: exp, run: try $0.decode(column: "run", as: Int.self)), try $0.decode(column: "processing", as: String.self)) }
    }

    /// The runs of a range whose summary flag is BAD, or whose `detector` flag is.
    public func badRuns(exp: Int, runs: ClosedRange<Int>, detector: String?) async throws -> Set<Int> {
        let detectorClause: SQLQueryString =
            detector.map {
                """
                 OR (SELECT q.new_value FROM quality_events q WHERE q.exp = r.exp AND q.run = r.run AND q.kind = 'flag' AND q.detector = \(bind: $0)
                     ORDER BY q.at DESC, q.id DESC LIMIT 1) = 'BAD'
                """
            } ?? ""
        let rows = try await sql.raw(
            """
            SELECT r.run AS run FROM runs r WHERE r.exp = \(bind: exp) AND r.run >= \(bind: runs.lowerBound) AND r.run <= \(bind: runs.upperBound)
            AND (r.quality = 'BAD'\(detectorClause))
            """
        ).all()
        return Set(try rows.map { try $0.decode(column: "run", as: Int.self) })
    }

    private static func decodeMonitoringValue(_ row: any SQLRow) throws -> MonitoringValue {
        let histogram = try decodeStoredHistogram(row)
        return MonitoringValue(
            run: ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self)),
            processing: try row.decode(column: "processing", as: String.self), variable: try row.decode(column: "variable", as: String.self),
            version: try row.decode(column: "version", as: Int.self), histogram: histogram, value: try row.decode(column: "value", as: Double?.self),
            error: try row.decode(column: "error", as: Double?.self), at: Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)),
            by: try row.decode(column: "actor", as: String.self))
    }

    private static func decodeStoredHistogram(_ row: any SQLRow) throws -> MonitoringHistogram? {
        try row.decode(column: "histogram", as: String?.self).map { text -> MonitoringHistogram in
            // Checked on the way out too, so that no reader can trip over a damaged row.
            do { return try MonitoringHistogram(json: Data(text.utf8), file: "qm_values") } catch {
                throw ConveyorError.storeFailure(
                    "qm_values holds a histogram that is not in the documented form: \((error as? ConveyorError)?.message ?? "unreadable")")
            }
        }
    }
}
