import ConveyorCore
import Foundation
import SQLKit

extension StoreSession {
    /// A stored data-taking configuration (the newest is in force; older ones are its history).
    public struct LiveConfigurationRow: Sendable, Codable, Equatable {
        public var id: Int64
        public var configuration: String
        public var fileName: String
        public var at: Timestamp
        public var actor: String
    }

    @discardableResult
    public func insertLiveConfiguration(_ text: String, fileName: String, at time: Timestamp, actor: String) async throws -> Int64 {
        try await sql.insert(into: "live_configurations").columns("configuration", "file_name", "at", "actor")
            .values(SQLBind(text), SQLBind(fileName), SQLBind(time.microsecondsSinceEpoch), SQLBind(actor)).run()
        return try await sql.raw("SELECT max(id) AS id FROM live_configurations").first()?.decode(column: "id", as: Int64.self) ?? 0
    }

    /// The newest configurations, newest first (`limit` 1: the one in force).
    public func liveConfigurations(limit: Int = 1) async throws -> [LiveConfigurationRow] {
        try await sql.select().columns("id", "configuration", "file_name", "at", "actor").from("live_configurations").orderBy("id", .descending)
            .limit(limit).all().map { row in
                LiveConfigurationRow(
                    id: try row.decode(column: "id", as: Int64.self), configuration: try row.decode(column: "configuration", as: String.self),
                    fileName: try row.decode(column: "file_name", as: String.self),
                    at: Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)), actor: try row.decode(column: "actor", as: String.self)
                )
            }
    }

    // MARK: Run streams

    private func liveStream(_ row: any SQLRow) throws -> LiveStream {
        LiveStream(
            run: ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self)),
            stream: try row.decode(column: "stream", as: String.self), stage: try row.decodeValue(LiveStage.self, column: "stage", in: "live_streams"),
            stageAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "stage_at", as: Int64.self)),
            reason: try row.decode(column: "reason", as: String.self),
            expressFiles: try row.decode(column: "express_files", as: Int.self), expressChunks: try row.decode(column: "express_chunks", as: Int.self),
            expressLatencySeconds: try row.decode(column: "express_latency", as: Double?.self),
            promptRequest: try row.decode(column: "prompt_request", as: String?.self))
    }

    private static let liveStreamColumns = [
        "exp", "run", "stream", "stage", "stage_at", "reason", "express_files", "express_chunks", "express_latency", "prompt_request",
    ]

    /// Run streams still on their way (not certified nor abandoned), in run order, with their producers.
    public func activeLiveStreams() async throws -> [LiveStream] {
        let streams = try await sql.select().columns(Self.liveStreamColumns.map { SQLColumn($0) }).from("live_streams").where("final", .equal, 0)
            .orderBy("exp").orderBy("run").orderBy("stream").all().map(liveStream)
        return try await withProducers(streams, final: false)
    }

    /// The newest run streams, newest run first, or one run's.
    public func liveStreams(limit: Int = 100, run: ExpRun? = nil) async throws -> [LiveStream] {
        var select = sql.select().columns(Self.liveStreamColumns.map { SQLColumn($0) }).from("live_streams")
        if let run {
            select = select.where("exp", .equal, run.exp).where("run", .equal, run.run).orderBy("stream")
        } else {
            select = select.orderBy("exp", .descending).orderBy("run", .descending).orderBy("stream").limit(limit)
        }
        return try await withProducers(try await select.all().map(liveStream), final: nil)
    }

    private func withProducers(_ streams: [LiveStream], final: Bool?) async throws -> [LiveStream] {
        guard let first = streams.map(\.run).min(), let last = streams.map(\.run).max() else { return streams }
        var rows = sql.select().columns("exp", "run", "stream", "producer", "state", "attempts", "detail", "at").from("live_producers")
            .where("exp", .greaterThanOrEqual, first.exp).where("exp", .lessThanOrEqual, last.exp)
        if first.exp == last.exp {
            rows = rows.where("exp", .equal, first.exp).where("run", .greaterThanOrEqual, first.run).where("run", .lessThanOrEqual, last.run)
        }
        var byKey: [String: [LiveStream.Producer]] = [:]
        for row in try await rows.orderBy("producer").all() {
            let key =
                "\(try row.decode(column: "exp", as: Int.self)):\(try row.decode(column: "run", as: Int.self))/\(try row.decode(column: "stream", as: String.self))"
            byKey[key, default: []].append(
                LiveStream.Producer(
                    name: try row.decode(column: "producer", as: String.self),
                    state: try row.decodeValue(ProducerState.self, column: "state", in: "live_producers"),
                    attempts: try row.decode(column: "attempts", as: Int.self), detail: try row.decode(column: "detail", as: String.self),
                    at: try row.decode(column: "at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:))))
        }
        return streams.map { stream in
            var stream = stream
            stream.producers = byKey["\(stream.run)/\(stream.stream)"] ?? []
            return stream
        }
    }

    /// Starts tracking a run stream (nothing when it is tracked already), with its producers waiting.
    public func insertLiveStream(_ stream: LiveStream) async throws {
        let exists = try await sql.select().column("stage").from("live_streams").where("exp", .equal, stream.run.exp).where("run", .equal, stream.run.run)
            .where("stream", .equal, stream.stream).first()
        guard exists == nil else { return }
        try await sql.insert(into: "live_streams").columns(Self.liveStreamColumns + ["final"])
            .values(
                SQLBind(stream.run.exp), SQLBind(stream.run.run), SQLBind(stream.stream), SQLBind(stream.stage.rawValue),
                SQLBind(stream.stageAt.microsecondsSinceEpoch), SQLBind(stream.reason), SQLBind(stream.expressFiles), SQLBind(stream.expressChunks),
                SQLBind(stream.expressLatencySeconds), SQLBind(stream.promptRequest), SQLBind(stream.stage.isFinal ? 1 : 0)
            ).run()
        for producer in stream.producers { try await saveLiveProducer(stream.run, stream: stream.stream, producer, payloads: nil) }
    }

    /// Writes a run stream's stage and counters (not its producers).
    public func updateLiveStream(_ stream: LiveStream) async throws {
        try await sql.update("live_streams").set("stage", to: stream.stage.rawValue).set("stage_at", to: stream.stageAt.microsecondsSinceEpoch)
            .set("reason", to: stream.reason).set("express_files", to: stream.expressFiles).set("express_chunks", to: stream.expressChunks)
            .set("express_latency", to: stream.expressLatencySeconds).set("prompt_request", to: stream.promptRequest)
            .set("final", to: stream.stage.isFinal ? 1 : 0)
            .where("exp", .equal, stream.run.exp).where("run", .equal, stream.run.run).where("stream", .equal, stream.stream).run()
    }

    public func appendLiveStreamEvent(_ event: LiveStreamEvent) async throws {
        try await sql.insert(into: "live_stream_events").columns("exp", "run", "stream", "at", "stage", "reason")
            .values(
                SQLBind(event.run.exp), SQLBind(event.run.run), SQLBind(event.stream), SQLBind(event.at.microsecondsSinceEpoch), SQLBind(event.stage),
                SQLBind(event.reason)
            ).run()
    }

    /// A run's events of every stream, oldest first.
    public func liveStreamEvents(_ run: ExpRun) async throws -> [LiveStreamEvent] {
        try await sql.select().columns("stream", "at", "stage", "reason").from("live_stream_events").where("exp", .equal, run.exp)
            .where("run", .equal, run.run).orderBy("id").all().map { row in
                LiveStreamEvent(
                    run: run, stream: try row.decode(column: "stream", as: String.self),
                    at: Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)),
                    stage: try row.decode(column: "stage", as: String.self),
                    reason: try row.decode(column: "reason", as: String.self))
            }
    }

    // MARK: Producers

    /// Writes a producer's state; `payloads` (name → bytes) are kept until uploaded, nil leaves them as they are.
    public func saveLiveProducer(_ run: ExpRun, stream: String, _ producer: LiveStream.Producer, payloads: [String: Data]?) async throws {
        let payloadText = try payloads.map { String(decoding: try JSONEncoder.sorted.encode($0), as: UTF8.self) }
        let key = sql.select().column("state").from("live_producers").where("exp", .equal, run.exp).where("run", .equal, run.run)
            .where("stream", .equal, stream).where("producer", .equal, producer.name)
        if try await key.first() == nil {
            try await sql.insert(into: "live_producers").columns("exp", "run", "stream", "producer", "state", "attempts", "detail", "payloads", "at")
                .values(
                    SQLBind(run.exp), SQLBind(run.run), SQLBind(stream), SQLBind(producer.name), SQLBind(producer.state.rawValue), SQLBind(producer.attempts),
                    SQLBind(producer.detail), SQLBind(payloadText), SQLBind(producer.at?.microsecondsSinceEpoch)
                ).run()
            return
        }
        var update = sql.update("live_producers").set("state", to: producer.state.rawValue).set("attempts", to: producer.attempts)
            .set("detail", to: producer.detail).set("at", to: producer.at?.microsecondsSinceEpoch)
        if let payloadText { update = update.set("payloads", to: payloadText) }
        if producer.state.isSettled { update = update.set("payloads", to: SQLLiteral.null) }
        try await update.where("exp", .equal, run.exp).where("run", .equal, run.run).where("stream", .equal, stream)
            .where("producer", .equal, producer.name).run()
    }

    /// The payloads a harvested producer keeps for its upload.
    public func liveProducerPayloads(_ run: ExpRun, stream: String, producer: String) async throws -> [String: Data] {
        guard
            let text = try await sql.select().column("payloads").from("live_producers").where("exp", .equal, run.exp).where("run", .equal, run.run)
                .where("stream", .equal, stream).where("producer", .equal, producer).first()?.decode(column: "payloads", as: String?.self)
        else { return [:] }
        return try JSONDecoder().decode([String: Data].self, from: Data(text.utf8))
    }

    /// The highest run for which a stream's producer uploaded a payload.
    public func highestUploadedRun(stream: String, producer: String) async throws -> ExpRun? {
        guard
            let row = try await sql.raw(
                """
                SELECT exp, run FROM live_producers WHERE stream = \(bind: stream) AND producer = \(bind: producer) AND state = 'uploaded'
                ORDER BY exp DESC, run DESC LIMIT 1
                """
            ).first()
        else { return nil }
        return ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self))
    }

    /// The earliest run before `run` whose producer of a stream has not settled (waiting or harvested).
    public func earliestUnsettledRun(stream: String, producer: String, below run: ExpRun) async throws -> ExpRun? {
        guard
            let row = try await sql.raw(
                """
                SELECT exp, run FROM live_producers WHERE stream = \(bind: stream) AND producer = \(bind: producer)
                AND state IN ('waiting', 'harvested') AND (exp < \(bind: run.exp) OR (exp = \(bind: run.exp) AND run < \(bind: run.run)))
                ORDER BY exp, run LIMIT 1
                """
            ).first()
        else { return nil }
        return ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self))
    }

    // MARK: Express

    /// Raw files from the DAQ of runs not yet handed to a stream's express (LFN, data tag, when
    /// registered), by run: one read per stretch of consecutive runs, so that a run left open long
    /// ago does not make every run since it be read.
    public func rawFilesNotExpressed(_ runs: [ExpRun], stream: String) async throws -> [ExpRun: [(lfn: String, dataTag: String?, at: Timestamp)]] {
        var found: [ExpRun: [(lfn: String, dataTag: String?, at: Timestamp)]] = [:]
        var stretches: [(exp: Int, low: Int, high: Int)] = []
        for run in Set(runs).sorted() {
            if let last = stretches.last, last.exp == run.exp, last.high + 1 == run.run {
                stretches[stretches.count - 1].high = run.run
            } else {
                stretches.append((run.exp, run.run, run.run))
            }
        }
        for (exp, low, high) in stretches {
            let rows = try await sql.raw(
                """
                SELECT f.lfn AS lfn, f.data_tag AS data_tag, f.run AS run, f.created_at AS created_at FROM files f
                WHERE f.exp = \(bind: exp) AND f.run >= \(bind: low) AND f.run <= \(bind: high) AND \(unsafeRaw: Self.isDAQRaw("f")) AND f.status = 'good'
                AND NOT EXISTS (SELECT 1 FROM live_express_files e WHERE e.lfn = f.lfn AND e.stream = \(bind: stream))
                ORDER BY f.lfn
                """
            ).all()
            for row in rows {
                let run = ExpRun(exp: exp, run: try row.decode(column: "run", as: Int.self))
                found[run, default: []].append(
                    (
                        try row.decode(column: "lfn", as: String.self), try row.decode(column: "data_tag", as: String?.self),
                        Timestamp(microsecondsSinceEpoch: try row.decode(column: "created_at", as: Int64.self))
                    ))
            }
        }
        return found
    }

    /// Records that files went to a run stream's express chunk (or were passed over: chunk -1).
    public func insertExpressFiles(_ lfns: [String], stream: String, run: ExpRun, chunk: Int) async throws {
        for start in stride(from: 0, to: lfns.count, by: 500) {
            var insert = sql.insert(into: "live_express_files").columns("lfn", "stream", "exp", "run", "chunk")
            for lfn in lfns[start..<min(start + 500, lfns.count)] {
                insert = insert.values(SQLBind(lfn), SQLBind(stream), SQLBind(run.exp), SQLBind(run.run), SQLBind(chunk))
            }
            try await insert.run()
        }
    }

    /// How many files went to a run stream's express chunks before `chunk`: where its output numbering starts.
    public func expressFileCount(_ run: ExpRun, stream: String, below chunk: Int) async throws -> Int {
        try await sql.raw(
            """
            SELECT count(*) AS n FROM live_express_files WHERE exp = \(bind: run.exp) AND run = \(bind: run.run) AND stream = \(bind: stream)
            AND chunk >= 0 AND chunk < \(bind: chunk)
            """
        ).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The LFNs of a run stream's express chunk.
    public func expressFiles(_ run: ExpRun, stream: String, chunk: Int) async throws -> [String] {
        try await sql.select().column("lfn").from("live_express_files").where("exp", .equal, run.exp).where("run", .equal, run.run)
            .where("stream", .equal, stream).where("chunk", .equal, chunk).orderBy("lfn").all().map { try $0.decode(column: "lfn", as: String.self) }
    }

    /// The state of the named requests' workflows (`nil` inside: submitted without a workflow; absent: no such request).
    public func requestWorkflowStates(_ names: [String]) async throws -> [String: String?] {
        guard !names.isEmpty else { return [:] }
        var states: [String: String?] = [:]
        for start in stride(from: 0, to: names.count, by: 500) {
            let rows = try await sql.select().column(SQLColumn("name", table: "r")).column(SQLColumn("state", table: "w"))
                .from(SQLAlias(SQLIdentifier("requests"), as: SQLIdentifier("r")))
                .join(
                    SQLAlias(SQLIdentifier("workflows"), as: SQLIdentifier("w")), method: SQLJoinMethod.left, on: SQLColumn("workflow_id", table: "r"), .equal,
                    SQLColumn("id", table: "w")
                )
                .where(SQLColumn("name", table: "r"), .in, SQLBind.group(Array(names[start..<min(start + 500, names.count)]))).all()
            for row in rows { states[try row.decode(column: "name", as: String.self)] = try row.decode(column: "state", as: String?.self) }
        }
        return states
    }

    /// When the newest output of the named requests was registered.
    public func lastOutputRegistered(requests names: [String]) async throws -> Timestamp? {
        guard !names.isEmpty else { return nil }
        let row = try await sql.select().column(SQLFunction("max", args: SQLColumn("created_at", table: "f")), as: "at")
            .from(SQLAlias(SQLIdentifier("files"), as: SQLIdentifier("f")))
            .join(
                SQLAlias(SQLIdentifier("request_jobs"), as: SQLIdentifier("j")), method: SQLJoinMethod.inner, on: SQLColumn("output_lfn", table: "j"), .equal,
                SQLColumn("lfn", table: "f")
            )
            .join(
                SQLAlias(SQLIdentifier("requests"), as: SQLIdentifier("r")), method: SQLJoinMethod.inner, on: SQLColumn("request_id", table: "j"), .equal,
                SQLColumn("id", table: "r")
            )
            .where(SQLColumn("name", table: "r"), .in, SQLBind.group(names)).first()
        return try row?.decode(column: "at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:))
    }

    /// When a run's newest raw file from the DAQ was registered (not the HLT skims express made of them).
    public func lastRawFileRegistered(_ run: ExpRun) async throws -> Timestamp? {
        try await sql.raw(
            """
            SELECT max(created_at) AS at FROM files f WHERE exp = \(bind: run.exp) AND run = \(bind: run.run) AND \(unsafeRaw: Self.isDAQRaw("f"))
            """
        ).first()?
        .decode(column: "at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:))
    }

    /// Tracked runs above every run that has streams: the runs a cycle has to give streams. Two
    /// range reads, so a cycle reads what is new, not the season.
    public func promptRunsWithoutStreams() async throws -> [ExpRun] {
        var floor: ExpRun?
        if let row = try await sql.raw("SELECT exp, run FROM live_streams ORDER BY exp DESC, run DESC LIMIT 1").first() {
            floor = ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self))
        }
        let rows: [any SQLRow]
        if let floor {
            rows =
                try await sql.raw("SELECT exp, run FROM prompt_runs WHERE exp = \(bind: floor.exp) AND run > \(bind: floor.run) ORDER BY run").all()
                + (try await sql.raw("SELECT exp, run FROM prompt_runs WHERE exp > \(bind: floor.exp) ORDER BY exp, run").all())
        } else {
            rows = try await sql.raw("SELECT exp, run FROM prompt_runs ORDER BY exp, run").all()
        }
        return try rows.map { ExpRun(exp: try $0.decode(column: "exp", as: Int.self), run: try $0.decode(column: "run", as: Int.self)) }
    }

    /// The tracked runs between two runs (inclusive), as the handshake sees them.
    public func promptRuns(from first: ExpRun, to last: ExpRun) async throws -> [PromptRun] {
        if first.exp == last.exp { return try await promptRunsOfExperiment(first.exp, first.run, last.run) }
        return try await promptRunsOfExperiment(first.exp, first.run, Int(Int32.max)).filter { $0.run <= last }
            + (try await promptRunsOfExperiments(above: first.exp)).filter { $0.run <= last }
    }

    /// The outputs the jobs of the named requests were to make.
    public func requestOutputLFNs(_ names: [String]) async throws -> [String] {
        guard !names.isEmpty else { return [] }
        return try await sql.select().column(SQLColumn("output_lfn", table: "j")).from(SQLAlias(SQLIdentifier("request_jobs"), as: SQLIdentifier("j")))
            .join(
                SQLAlias(SQLIdentifier("requests"), as: SQLIdentifier("r")), method: SQLJoinMethod.inner, on: SQLColumn("request_id", table: "j"), .equal,
                SQLColumn("id", table: "r")
            )
            .where(SQLColumn("name", table: "r"), .in, SQLBind.group(names)).where(SQLColumn("output_lfn", table: "j"), .isNot, SQLLiteral.null)
            .all().map { try $0.decode(column: "output_lfn", as: String.self) }
    }
}
