import ConveyorCore
import Foundation
import SQLKit

extension StoreSession {
    /// A task of a running workflow waiting for a person, with since when.
    public struct WaitingTask: Sendable {
        public var workflowID: Int64
        public var workflowName: String
        public var task: String
        public var state: TaskState
        public var definition: TaskDefinition
        public var since: Timestamp
    }

    /// Tasks awaiting a sign-off or paused, in running workflows, oldest first.
    public func waitingTasks() async throws -> [WaitingTask] {
        let decoder = JSONDecoder()
        return try await sql.raw(
            """
            SELECT t.id AS id, t.workflow_id AS workflow_id, w.name AS workflow_name, t.name AS name, t.state AS state, t.definition AS definition,
            w.created_at AS created_at,
            (SELECT max(e.at) FROM workflow_events e WHERE e.task_id = t.id AND e.to_state = t.state) AS since
            FROM tasks t JOIN workflows w ON w.id = t.workflow_id
            WHERE t.state IN ('awaiting_signoff', 'paused') AND w.state = 'running'
            ORDER BY t.id
            """
        ).all().map { row in
            WaitingTask(
                workflowID: try row.decode(column: "workflow_id", as: Int64.self), workflowName: try row.decode(column: "workflow_name", as: String.self),
                task: try row.decode(column: "name", as: String.self), state: try row.decodeValue(TaskState.self, column: "state", in: "tasks"),
                definition: try decoder.decode(TaskDefinition.self, from: Data(try row.decode(column: "definition", as: String.self).utf8)),
                since: Timestamp(
                    microsecondsSinceEpoch: try row.decode(column: "since", as: Int64?.self) ?? row.decode(column: "created_at", as: Int64.self)))
        }
    }

    /// Requests whose current workflow failed: name, workflow, when.
    public func failedRequests() async throws -> [(name: String, workflowID: Int64, at: Timestamp)] {
        try await sql.raw(
            """
            SELECT r.name AS name, w.id AS id, COALESCE(w.finished_at, w.created_at) AS at FROM requests r JOIN workflows w ON w.id = r.workflow_id
            WHERE w.state = 'failed' AND r.cancelled = 0 ORDER BY at
            """
        ).all().map { row in
            (
                try row.decode(column: "name", as: String.self), try row.decode(column: "id", as: Int64.self),
                Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self))
            )
        }
    }

    /// Runs a shifter postponed and that are not released, with when and why.
    public func postponedPromptRuns() async throws -> [(run: ExpRun, at: Timestamp, reason: String)] {
        try await sql.raw(
            """
            SELECT p.exp AS exp, p.run AS run, p.disposition_reason AS reason,
            (SELECT max(e.at) FROM prompt_run_events e WHERE e.exp = p.exp AND e.run = p.run AND e.stage = 'postponed') AS at, p.tracked_at AS tracked
            FROM prompt_runs p WHERE p.disposition = 'postponed' AND p.released_at IS NULL ORDER BY p.exp, p.run
            """
        ).all().map { row in
            (
                ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self)),
                Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64?.self) ?? row.decode(column: "tracked", as: Int64.self)),
                try row.decode(column: "reason", as: String?.self) ?? ""
            )
        }
    }

    /// Run streams whose PromptReco is done and that wait for the run's quality flag.
    public func runStreamsToCertify() async throws -> [(run: ExpRun, stream: String, since: Timestamp)] {
        try await sql.raw("SELECT exp, run, stream, stage_at FROM live_streams WHERE final = 0 AND stage = 'prompt_done' ORDER BY exp, run").all().map {
            row in
            (
                ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self)),
                try row.decode(column: "stream", as: String.self), Timestamp(microsecondsSinceEpoch: try row.decode(column: "stage_at", as: Int64.self))
            )
        }
    }
}
