import ConveyorCore
import Foundation
import SQLKit

extension StoreSession {
    // MARK: Requests

    /// Stores a new request. - Returns: its id.
    public func insertRequest(
        name: String, campaign: String, configuration: String, fileName: String, at time: Timestamp, by actor: String
    ) async throws -> Int64 {
        let row = try await sql.insert(into: "requests").columns("name", "campaign", "configuration", "file_name", "cancelled", "submitted_at", "submitted_by")
            .values(
                SQLBind(name), SQLBind(campaign), SQLBind(configuration), SQLBind(fileName), SQLBind(0), SQLBind(time.microsecondsSinceEpoch), SQLBind(actor)
            )
            .returning("id").first()
        return try row!.decode(column: "id", as: Int64.self)
    }

    public func setRequestWorkflow(_ id: Int64, workflow: Int64) async throws {
        try await sql.update("requests").set("workflow_id", to: workflow).set("cancelled", to: 0).where("id", .equal, id).run()
    }

    public func setRequestCancelled(_ id: Int64) async throws {
        try await sql.update("requests").set("cancelled", to: 1).where("id", .equal, id).run()
    }

    public func setRequestLuminosity(_ id: Int64, _ luminosity: RequestLuminosity) async throws {
        let json = String(decoding: try JSONEncoder.sorted.encode(luminosity), as: UTF8.self)
        try await sql.update("requests").set("luminosity", to: json).where("id", .equal, id).run()
    }

    /// Requests, newest first, or the one named.
    public func requests(named name: String? = nil, limit: Int = 500) async throws -> [RequestRecord] {
        var select = sql.select().columns(
            "id", "name", "campaign", "configuration", "file_name", "workflow_id", "cancelled", "luminosity", "submitted_at", "submitted_by"
        )
        .from("requests")
        if let name { select = select.where("name", .equal, name) }
        return try await select.orderBy("id", .descending).limit(limit).all().map { row in
            let luminosity = try row.decode(column: "luminosity", as: String?.self).flatMap {
                try? JSONDecoder().decode(RequestLuminosity.self, from: Data($0.utf8))
            }
            return RequestRecord(
                id: try row.decode(column: "id", as: Int64.self), name: try row.decode(column: "name", as: String.self),
                campaign: try row.decode(column: "campaign", as: String.self),
                configuration: try row.decode(column: "configuration", as: String.self),
                fileName: try row.decode(column: "file_name", as: String.self),
                workflowID: try row.decode(column: "workflow_id", as: Int64?.self),
                cancelled: try row.decode(column: "cancelled", as: Int.self) != 0, luminosity: luminosity,
                submittedAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "submitted_at", as: Int64.self)),
                submittedBy: try row.decode(column: "submitted_by", as: String.self))
        }
    }

    public func request(named name: String) async throws -> RequestRecord? {
        try await requests(named: name, limit: 1).first
    }

    // MARK: Jobs and their inputs

    /// Stores jobs with their inputs (all Unused). - Returns: the jobs with their ids.
    public func insertRequestJobs(_ jobs: [RequestJob], request: Int64, at time: Timestamp) async throws -> [RequestJob] {
        var stored: [RequestJob] = []
        for start in stride(from: 0, to: jobs.count, by: 500) {
            let chunk = Array(jobs[start..<min(start + 500, jobs.count)])
            var insert = sql.insert(into: "request_jobs").columns(
                "request_id", "step", "task", "site", "exp", "run", "level", "data_tag", "output_lfn",
                "failures", "reason", "updated_at", "seed", "planned_events")
            for job in chunk {
                insert = insert.values(
                    SQLBind(request), SQLBind(job.step), SQLBind(job.task), SQLBind(job.site), SQLBind(job.run.exp), SQLBind(job.run.run),
                    SQLBind(job.level.rawValue), SQLBind(job.dataTag), SQLBind(job.outputLFN), SQLBind(0), SQLBind(""),
                    SQLBind(time.microsecondsSinceEpoch), SQLBind(job.seed), SQLBind(job.plannedEvents))
            }
            // Ids are handed out in VALUES order; RETURNING's row order is not promised, so sort.
            let ids = try await insert.returning("id").all().map { try $0.decode(column: "id", as: Int64.self) }.sorted()
            for (job, id) in zip(chunk, ids) {
                var job = job
                job.id = id
                job.requestID = request
                stored.append(job)
            }
        }
        let links = stored.flatMap { job in job.inputs.map { (job.id, $0) } }
        for start in stride(from: 0, to: links.count, by: 1_000) {
            var insert = sql.insert(into: "request_inputs").columns("request_id", "job_id", "lfn", "state", "reason", "updated_at")
            for (job, lfn) in links[start..<min(start + 1_000, links.count)] {
                insert = insert.values(
                    SQLBind(request), SQLBind(job), SQLBind(lfn), SQLBind(InputFileState.unused.rawValue), SQLBind(""),
                    SQLBind(time.microsecondsSinceEpoch))
            }
            try await insert.run()
        }
        return stored
    }

    /// A request's jobs (of one step, or one job), with their inputs' LFNs.
    public func requestJobs(request: Int64, step: String? = nil, id: Int64? = nil) async throws -> [RequestJob] {
        var select = sql.select().columns(
            "id", "request_id", "step", "task", "site", "exp", "run", "level", "data_tag", "output_lfn", "failures", "reason",
            "events", "cpu_seconds", "report", "updated_at", "seed", "planned_events"
        )
        .from("request_jobs").where("request_id", .equal, request)
        if let step { select = select.where("step", .equal, step) }
        if let id { select = select.where("id", .equal, id) }
        var jobs = try await select.orderBy("id").all().map { row in try Self.requestJob(row) }
        guard !jobs.isEmpty else { return [] }
        var index: [Int64: Int] = [:]
        for (i, job) in jobs.enumerated() { index[job.id] = i }
        // Only the inputs of the jobs asked for: one job, one step's, or all.
        var inputs = sql.select().column(SQLColumn("job_id", table: "i")).column(SQLColumn("lfn", table: "i"))
            .from(SQLAlias(SQLIdentifier("request_inputs"), as: SQLIdentifier("i")))
            .join(SQLAlias(SQLIdentifier("request_jobs"), as: SQLIdentifier("j")), on: SQLColumn("id", table: "j"), .equal, SQLColumn("job_id", table: "i"))
        // One job's inputs by its id alone (ids are unique), so that the (job_id, lfn) index serves
        // instead of a scan of every input of the request.
        if let id {
            inputs = inputs.where(SQLColumn("job_id", table: "i"), .equal, SQLBind(id))
        } else {
            inputs = inputs.where(SQLColumn("request_id", table: "i"), .equal, SQLBind(request))
        }
        if let step { inputs = inputs.where(SQLColumn("step", table: "j"), .equal, SQLBind(step)) }
        for row in try await inputs.orderBy(SQLColumn("id", table: "i")).all() {
            if let i = index[try row.decode(column: "job_id", as: Int64.self)] { jobs[i].inputs.append(try row.decode(column: "lfn", as: String.self)) }
        }
        return jobs
    }

    /// A `request_inputs` row joined with its job's step.
    static func requestInput(_ row: any SQLRow) throws -> RequestInput {
        RequestInput(
            jobID: try row.decode(column: "job_id", as: Int64.self), step: try row.decode(column: "step", as: String.self),
            lfn: try row.decode(column: "lfn", as: String.self),
            state: try row.decodeValue(InputFileState.self, column: "state", in: "request_inputs"),
            reason: try row.decode(column: "reason", as: String.self),
            updatedAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "updated_at", as: Int64.self)))
    }

    /// A `request_jobs` row (its `inputs` left empty).
    static func requestJob(_ row: any SQLRow) throws -> RequestJob {
        RequestJob(
            id: try row.decode(column: "id", as: Int64.self), requestID: try row.decode(column: "request_id", as: Int64.self),
            step: try row.decode(column: "step", as: String.self), task: try row.decode(column: "task", as: String.self),
            site: try row.decode(column: "site", as: String.self),
            run: ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self)),
            level: try row.decodeValue(DataLevel.self, column: "level", in: "request_jobs"),
            dataTag: try row.decode(column: "data_tag", as: String?.self), outputLFN: try row.decode(column: "output_lfn", as: String?.self),
            failures: try row.decode(column: "failures", as: Int.self), reason: try row.decode(column: "reason", as: String.self),
            events: try row.decode(column: "events", as: Int64?.self), cpuSeconds: try row.decode(column: "cpu_seconds", as: Double?.self),
            report: try row.decode(column: "report", as: String?.self),
            updatedAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "updated_at", as: Int64.self)), inputs: [],
            seed: try row.decode(column: "seed", as: Int64?.self), plannedEvents: try row.decode(column: "planned_events", as: Int64?.self))
    }

    /// Records how a job ended: its failures, reason, events, CPU time and report.
    /// Records that a job runs at another site than planned (it moved while its inputs were staged).
    public func moveRequestJob(_ id: Int64, toSite site: String, task: String, at time: Timestamp) async throws {
        try await sql.update("request_jobs").set("site", to: site).set("task", to: task).set("updated_at", to: time.microsecondsSinceEpoch)
            .where("id", .equal, id).run()
    }

    public func updateRequestJob(_ job: RequestJob, at time: Timestamp) async throws {
        try await sql.update("request_jobs").set("failures", to: job.failures).set("reason", to: job.reason).set("events", to: job.events)
            .set("cpu_seconds", to: job.cpuSeconds).set("report", to: job.report).set("updated_at", to: time.microsecondsSinceEpoch)
            .where("id", .equal, job.id).run()
    }

    /// Input rows of a request: all, those of one job, or those of one LFN.
    public func requestInputs(request: Int64, job: Int64? = nil, lfn: String? = nil) async throws -> [RequestInput] {
        var select = sql.select().column(SQLColumn("job_id", table: "i")).column(SQLColumn("step", table: "j")).column(SQLColumn("lfn", table: "i"))
            .column(SQLColumn("state", table: "i")).column(SQLColumn("reason", table: "i")).column(SQLColumn("updated_at", table: "i"))
            .from(SQLAlias(SQLIdentifier("request_inputs"), as: SQLIdentifier("i")))
            .join(SQLAlias(SQLIdentifier("request_jobs"), as: SQLIdentifier("j")), on: SQLColumn("id", table: "j"), .equal, SQLColumn("job_id", table: "i"))
        if let job {
            select = select.where(SQLColumn("job_id", table: "i"), .equal, SQLBind(job)).where(SQLColumn("request_id", table: "j"), .equal, SQLBind(request))
        } else {
            select = select.where(SQLColumn("request_id", table: "i"), .equal, SQLBind(request))
        }
        if let lfn { select = select.where(SQLColumn("lfn", table: "i"), .equal, SQLBind(lfn)) }
        return try await select.orderBy(SQLColumn("id", table: "i")).all().map { row in try Self.requestInput(row) }
    }

    /// Sets the state of a job's inputs (or of one LFN's rows across the request's jobs).
    public func setRequestInputs(
        request: Int64, job: Int64? = nil, lfn: String? = nil, from: [InputFileState]? = nil, to state: InputFileState,
        reason: String, at time: Timestamp
    ) async throws {
        var update = sql.update("request_inputs").set("state", to: state.rawValue).set("reason", to: reason).set("updated_at", to: time.microsecondsSinceEpoch)
        // By the job's id alone when given (ids are unique): the (job_id, lfn) index, not a scan of the request's inputs.
        if let job { update = update.where("job_id", .equal, job) } else { update = update.where("request_id", .equal, request) }
        if let lfn { update = update.where("lfn", .equal, lfn) }
        if let from { update = update.where("state", .in, from.map(\.rawValue)) }
        try await update.run()
    }

    /// Input counts by step and state.
    public func requestInputCounts(request: Int64) async throws -> [String: [InputFileState: Int]] {
        var counts: [String: [InputFileState: Int]] = [:]
        for row in try await sql.select().column(SQLColumn("step", table: "j")).column(SQLColumn("state", table: "i"))
            .column(SQLFunction("count", args: SQLLiteral.all), as: "n")
            .from(SQLAlias(SQLIdentifier("request_inputs"), as: SQLIdentifier("i")))
            .join(SQLAlias(SQLIdentifier("request_jobs"), as: SQLIdentifier("j")), on: SQLColumn("id", table: "j"), .equal, SQLColumn("job_id", table: "i"))
            .where(SQLColumn("request_id", table: "i"), .equal, SQLBind(request))
            .groupBy(SQLColumn("step", table: "j")).groupBy(SQLColumn("state", table: "i")).all()
        {
            let state = try row.decodeValue(InputFileState.self, column: "state", in: "request_inputs")
            counts[try row.decode(column: "step", as: String.self), default: [:]][state] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }

    /// Processed jobs of a step across all requests: what measured CPU per event comes from.
    public func measuredJobs(step: String) async throws -> (jobs: Int, cpuSeconds: Double, events: Int64) {
        let row = try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n")
            .column(SQLFunction("sum", args: SQLIdentifier("cpu_seconds")), as: "cpu")
            // PostgreSQL sums BIGINT as NUMERIC: cast back.
            .column(SQLRaw("CAST(SUM(events) AS BIGINT)"), as: "events")
            .from("request_jobs").where("step", .equal, step).where("cpu_seconds", .isNot, SQLLiteral.null).where("events", .greaterThan, 0).first()
        return (
            try row?.decode(column: "n", as: Int.self) ?? 0, try row?.decode(column: "cpu", as: Double?.self) ?? 0,
            try row?.decode(column: "events", as: Int64?.self) ?? 0
        )
    }

    // MARK: Calibrations

    public func insertCalibrationAttempt(_ attempt: CalibrationAttempt, request: Int64) async throws {
        try await sql.insert(into: "request_calibrations").columns(
            "request_id", "calibration", "exp", "first_run", "last_run", "iteration", "outcome", "detail", "at"
        )
        .values(
            SQLBind(request), SQLBind(attempt.calibration), SQLBind(attempt.exp), SQLBind(attempt.firstRun), SQLBind(attempt.lastRun),
            SQLBind(attempt.iteration), SQLBind(attempt.outcome.rawValue), SQLBind(attempt.detail), SQLBind(attempt.at.microsecondsSinceEpoch)
        )
        .run()
    }

    public func calibrationAttempts(request: Int64) async throws -> [CalibrationAttempt] {
        try await sql.select().columns("calibration", "exp", "first_run", "last_run", "iteration", "outcome", "detail", "at").from("request_calibrations")
            .where("request_id", .equal, request).orderBy("id").all().map { row in
                CalibrationAttempt(
                    calibration: try row.decode(column: "calibration", as: String.self), exp: try row.decode(column: "exp", as: Int.self),
                    firstRun: try row.decode(column: "first_run", as: Int.self), lastRun: try row.decode(column: "last_run", as: Int.self),
                    iteration: try row.decode(column: "iteration", as: Int.self),
                    outcome: try row.decodeValue(CalibrationOutcome.self, column: "outcome", in: "request_calibrations"),
                    detail: try row.decode(column: "detail", as: String.self),
                    at: Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)))
            }
    }
}
