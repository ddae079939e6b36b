import ConveyorCore
import SQLKit

/// A submission as the scheduler tracks it: one batch-system call, with its elements.
public struct SubmissionRecord: Sendable, Equatable {
    public enum State: String, Sendable {
        /// Written before the batch system is called: after a crash, look it up by UUID.
        case submitting
        case submitted
        /// Every attempt in it is final.
        case finished
    }

    public let uuid: String
    public let pool: String
    public let executor: ExecutorKind
    public var externalID: String?
    public var state: State
    public let directory: String

    public init(uuid: String, pool: String, executor: ExecutorKind, externalID: String? = nil, state: State, directory: String) {
        self.uuid = uuid
        self.pool = pool
        self.executor = executor
        self.externalID = externalID
        self.state = state
        self.directory = directory
    }
}

extension StoreSession {
    /// Records a submission and its attempts before anything is sent to the batch system.
    public func insertSubmission(_ submission: SubmissionRecord, attempts: [JobAttempt], at time: Timestamp) async throws {
        try await sql.insert(into: "submissions").columns("uuid", "pool", "executor", "external_id", "state", "directory", "created_at")
            .values(
                SQLBind(submission.uuid), SQLBind(submission.pool), SQLBind(submission.executor.rawValue), SQLBind(submission.externalID),
                SQLBind(submission.state.rawValue), SQLBind(submission.directory), SQLBind(time.microsecondsSinceEpoch)
            ).run()
        for start in stride(from: 0, to: attempts.count, by: 1_000) {
            var insert = sql.insert(into: "attempts").columns("submission_uuid", "array_index", "task_id", "idx", "try", "state", "submitted_at")
            for a in attempts[start..<min(start + 1_000, attempts.count)] {
                insert = insert.values(
                    SQLBind(a.submission), SQLBind(a.arrayIndex), SQLBind(a.taskID), SQLBind(a.element), SQLBind(a.attempt),
                    SQLBind(a.state.rawValue), SQLBind(a.submittedAt.microsecondsSinceEpoch))
            }
            try await insert.run()
        }
    }

    public func markSubmitted(_ uuid: String, externalID: String) async throws {
        try await sql.update("submissions").set("external_id", to: externalID).set("state", to: SubmissionRecord.State.submitted.rawValue)
            .where("uuid", .equal, uuid).run()
        try await sql.update("attempts").set("state", to: JobAttempt.State.submitted.rawValue).where("submission_uuid", .equal, uuid)
            .where("state", .equal, JobAttempt.State.submitting.rawValue).run()
    }

    public func setSubmissionState(_ uuid: String, to state: SubmissionRecord.State) async throws {
        try await sql.update("submissions").set("state", to: state.rawValue).where("uuid", .equal, uuid).run()
    }

    /// Submissions not yet finished: what the scheduler polls (and adopts after a restart).
    public func openSubmissions() async throws -> [SubmissionRecord] {
        try await sql.select().columns("uuid", "pool", "executor", "external_id", "state", "directory").from("submissions")
            .where("state", .notEqual, SubmissionRecord.State.finished.rawValue).orderBy("created_at").all().map { row in
                SubmissionRecord(
                    uuid: try row.decode(column: "uuid", as: String.self), pool: try row.decode(column: "pool", as: String.self),
                    executor: try ExecutorKind(parsing: try row.decode(column: "executor", as: String.self)),
                    externalID: try row.decode(column: "external_id", as: String?.self),
                    state: try row.decodeValue(SubmissionRecord.State.self, column: "state", in: "submissions"),
                    directory: try row.decode(column: "directory", as: String.self))
            }
    }

    /// Attempts of the given submissions that are not final.
    public func liveAttempts(inSubmissions uuids: [String]) async throws -> [JobAttempt] {
        var out: [JobAttempt] = []
        for start in stride(from: 0, to: uuids.count, by: 500) {
            let rows = try await attemptSelect().where(
                SQLColumn("submission_uuid", table: "attempts"), .in, SQLBind.group(Array(uuids[start..<min(start + 500, uuids.count)]))
            )
            .where(SQLColumn("state", table: "attempts"), .in, SQLBind.group([JobAttempt.State.submitting, .submitted, .running].map(\.rawValue))).all()
            out += try rows.map(decodeAttempt)
        }
        return out
    }

    /// Every attempt of a task, oldest first.
    public func attempts(ofTask task: Int64) async throws -> [JobAttempt] {
        try await attemptSelect().where("task_id", .equal, task).orderBy("id").all().map(decodeAttempt)
    }

    /// Attempts of the given tasks, oldest first (for Gantt charts and logs).
    public func attempts(ofTasks tasks: [Int64]) async throws -> [JobAttempt] {
        var out: [JobAttempt] = []
        for start in stride(from: 0, to: tasks.count, by: 1_000) {
            out += try await attemptSelect().where("task_id", .in, Array(tasks[start..<min(start + 1_000, tasks.count)])).orderBy("id").all().map(decodeAttempt)
        }
        return out
    }

    /// Writes what the batch system reported about an attempt.
    public func updateAttempt(_ a: JobAttempt) async throws {
        try await sql.update("attempts").set("state", to: a.state.rawValue).set("exit_code", to: a.exitCode).set("reason", to: a.reason)
            .set("wall_seconds", to: a.wallSeconds).set("cpu_seconds", to: a.cpuSeconds).set("max_rss_kb", to: a.maxRSSKilobytes)
            .set("started_at", to: a.startedAt?.microsecondsSinceEpoch).set("finished_at", to: a.finishedAt?.microsecondsSinceEpoch)
            .where("submission_uuid", .equal, a.submission).where("array_index", .equal, a.arrayIndex).run()
    }

    private func attemptSelect() -> SQLSelectBuilder {
        sql.select().columns(
            SQLColumn("submission_uuid", table: "attempts"), SQLColumn("array_index"), SQLColumn("task_id"), SQLColumn("idx"), SQLColumn("try"),
            SQLColumn("state", table: "attempts"), SQLColumn("exit_code"), SQLColumn("reason"), SQLColumn("wall_seconds"), SQLColumn("cpu_seconds"),
            SQLColumn("max_rss_kb"), SQLColumn("submitted_at"), SQLColumn("started_at"), SQLColumn("finished_at"), SQLColumn("directory")
        )
        .from("attempts").join("submissions", on: SQLColumn("submission_uuid", table: "attempts"), .equal, SQLColumn("uuid", table: "submissions"))
    }

    private func decodeAttempt(_ row: any SQLRow) throws -> JobAttempt {
        JobAttempt(
            submission: try row.decode(column: "submission_uuid", as: String.self), arrayIndex: try row.decode(column: "array_index", as: Int.self),
            taskID: try row.decode(column: "task_id", as: Int64.self), element: try row.decode(column: "idx", as: Int.self),
            attempt: try row.decode(column: "try", as: Int.self),
            state: try row.decodeValue(JobAttempt.State.self, column: "state", in: "attempts"),
            exitCode: try row.decode(column: "exit_code", as: Int?.self), reason: try row.decode(column: "reason", as: String?.self),
            wallSeconds: try row.decode(column: "wall_seconds", as: Double?.self), cpuSeconds: try row.decode(column: "cpu_seconds", as: Double?.self),
            maxRSSKilobytes: try row.decode(column: "max_rss_kb", as: Int?.self),
            submittedAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "submitted_at", as: Int64.self)),
            startedAt: try row.decode(column: "started_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)),
            finishedAt: try row.decode(column: "finished_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)),
            directory: try row.decode(column: "directory", as: String.self) + "/\(try row.decode(column: "array_index", as: Int.self))")
    }
}
