import ConveyorCore
import Foundation
import SQLKit

extension StoreSession {
    /// Stores a new workflow run with its tasks (pending), their dependencies and array elements.
    /// - Returns: the workflow's id.
    public func insertWorkflow(_ definition: WorkflowDefinition, at time: Timestamp, by actor: String) async throws -> Int64 {
        let json = String(decoding: try JSONEncoder.sorted.encode(definition), as: UTF8.self)
        let row = try await sql.insert(into: "workflows").columns("name", "definition", "state", "created_at", "created_by")
            .values(SQLBind(definition.name), SQLBind(json), SQLBind(WorkflowState.running.rawValue), SQLBind(time.microsecondsSinceEpoch), SQLBind(actor))
            .returning("id").first()
        let workflowID = try row!.decode(column: "id", as: Int64.self)
        var ids: [String: Int64] = [:]
        for start in stride(from: 0, to: definition.tasks.count, by: 500) {
            var insert = sql.insert(into: "tasks").columns("workflow_id", "name", "kind", "pool", "priority", "state", "tries", "elements", "definition")
            for task in definition.tasks[start..<min(start + 500, definition.tasks.count)] {
                let taskJSON = String(decoding: try JSONEncoder.sorted.encode(task), as: UTF8.self)
                insert = insert.values(
                    SQLBind(workflowID), SQLBind(task.name), SQLBind(task.kind.rawValue), SQLBind(task.pool), SQLBind(task.priority),
                    SQLBind(TaskState.pending.rawValue), SQLBind(0), SQLBind(task.elements), SQLBind(taskJSON))
            }
            for row in try await insert.returning("id", "name").all() {
                ids[try row.decode(column: "name", as: String.self)] = try row.decode(column: "id", as: Int64.self)
            }
        }
        let links = definition.tasks.flatMap { task in Set(task.dependsOn).sorted().map { (ids[task.name]!, ids[$0]!) } }
        for start in stride(from: 0, to: links.count, by: 5_000) {
            var insert = sql.insert(into: "task_dependencies").columns("task_id", "upstream_id")
            for (task, upstream) in links[start..<min(start + 5_000, links.count)] { insert = insert.values(SQLBind(task), SQLBind(upstream)) }
            try await insert.run()
        }
        // Reserves for jobs that may move here from another site start skipped (ElementMove).
        let elements = definition.tasks.filter { $0.kind == .job }.flatMap { task in
            let reserve = Set(task.standby ?? [])
            return (0..<task.elements).map { (ids[task.name]!, $0, reserve.contains($0) ? TaskState.skipped : .pending) }
        }
        for start in stride(from: 0, to: elements.count, by: 5_000) {
            var insert = sql.insert(into: "task_elements").columns("task_id", "idx", "state", "tries")
            for (task, idx, state) in elements[start..<min(start + 5_000, elements.count)] {
                insert = insert.values(SQLBind(task), SQLBind(idx), SQLBind(state.rawValue), SQLBind(0))
            }
            try await insert.run()
        }
        return workflowID
    }

    /// Workflow runs, newest first, with their task counts.
    public func workflows(state: WorkflowState? = nil, id: Int64? = nil, limit: Int = 200) async throws -> [WorkflowRun] {
        var select = sql.select().columns("id", "name", "state", "created_at", "created_by", "finished_at").from("workflows")
        if let state { select = select.where("state", .equal, state.rawValue) }
        if let id { select = select.where("id", .equal, id) }
        let rows = try await select.orderBy("id", .descending).limit(limit).all()
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.decode(column: "id", as: Int64.self) }
        var counts: [Int64: [String: Int]] = [:]
        for row in try await sql.select().columns("workflow_id", "state").column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("tasks")
            .where("workflow_id", .in, ids).groupBy("workflow_id").groupBy("state").all()
        {
            counts[try row.decode(column: "workflow_id", as: Int64.self), default: [:]][try row.decode(column: "state", as: String.self)] = try row.decode(
                column: "n", as: Int.self)
        }
        return try rows.map { row in
            let id = try row.decode(column: "id", as: Int64.self)
            return WorkflowRun(
                id: id, name: try row.decode(column: "name", as: String.self),
                state: try row.decodeValue(WorkflowState.self, column: "state", in: "workflows"),
                createdAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "created_at", as: Int64.self)),
                createdBy: try row.decode(column: "created_by", as: String.self),
                finishedAt: try row.decode(column: "finished_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)),
                taskCounts: counts[id] ?? [:])
        }
    }

    public func workflow(_ id: Int64) async throws -> WorkflowRun? {
        try await workflows(id: id, limit: 1).first
    }

    /// Ids of running workflows above `after`, oldest first: what a scheduler has yet to load.
    public func runningWorkflowIDs(after: Int64 = 0) async throws -> [Int64] {
        try await sql.select().column("id").from("workflows").where("state", .equal, WorkflowState.running.rawValue).where("id", .greaterThan, after)
            .orderBy("id").all().map { try $0.decode(column: "id", as: Int64.self) }
    }

    public func setWorkflowState(_ id: Int64, to state: WorkflowState, at time: Timestamp) async throws {
        try await sql.update("workflows").set("state", to: state.rawValue).set("finished_at", to: state == .running ? nil : time.microsecondsSinceEpoch)
            .where("id", .equal, id).run()
    }

    /// Every task of the given workflows with its upstream ids and element counts; with `name`
    /// or `id`, only that task (a sign-off in a 10,000-task workflow reads one row, not all).
    public func tasks(ofWorkflows ids: [Int64], name: String? = nil, id taskID: Int64? = nil) async throws -> [WorkflowTask] {
        guard !ids.isEmpty else { return [] }
        var select = sql.select()
            .columns("id", "workflow_id", "state", "tries", "retry_at", "definition", "decided_by", "decision_comment", "started_at", "finished_at")
            .from("tasks").where("workflow_id", .in, ids)
        if let name { select = select.where("name", .equal, name) }
        if let taskID { select = select.where("id", .equal, taskID) }
        let rows = try await select.orderBy("id").all()
        let only: SQLQueryString = name.map { "AND t.name = \(bind: $0)" } ?? taskID.map { "AND t.id = \(bind: $0)" } ?? ""
        var upstream: [Int64: [Int64]] = [:]
        for row in try await sql.raw(
            """
            SELECT d.task_id, d.upstream_id FROM task_dependencies d JOIN tasks t ON t.id = d.task_id
            WHERE t.workflow_id IN (\(SQLList(ids.map { SQLBind($0) }))) \(only) ORDER BY d.task_id, d.upstream_id
            """
        ).all() {
            upstream[try row.decode(column: "task_id", as: Int64.self), default: []].append(try row.decode(column: "upstream_id", as: Int64.self))
        }
        var counts: [Int64: [String: Int]] = [:]
        for row in try await sql.raw(
            """
            SELECT e.task_id, e.state, count(*) AS n FROM task_elements e JOIN tasks t ON t.id = e.task_id
            WHERE t.workflow_id IN (\(SQLList(ids.map { SQLBind($0) }))) \(only) GROUP BY e.task_id, e.state
            """
        ).all() {
            counts[try row.decode(column: "task_id", as: Int64.self), default: [:]][try row.decode(column: "state", as: String.self)] = try row.decode(
                column: "n", as: Int.self)
        }
        let decoder = JSONDecoder()
        return try rows.map { row in
            let id = try row.decode(column: "id", as: Int64.self)
            return WorkflowTask(
                id: id, workflowID: try row.decode(column: "workflow_id", as: Int64.self),
                definition: try decoder.decode(TaskDefinition.self, from: Data(try row.decode(column: "definition", as: String.self).utf8)),
                state: try row.decodeValue(TaskState.self, column: "state", in: "tasks"),
                tries: try row.decode(column: "tries", as: Int.self),
                retryAt: try row.decode(column: "retry_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)),
                upstream: upstream[id] ?? [],
                decidedBy: try row.decode(column: "decided_by", as: String?.self),
                decisionComment: try row.decode(column: "decision_comment", as: String?.self),
                startedAt: try row.decode(column: "started_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)),
                finishedAt: try row.decode(column: "finished_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)),
                elementCounts: counts[id] ?? [:])
        }
    }

    /// Writes a task's current state (the caller appends the matching event).
    public func updateTask(_ task: WorkflowTask) async throws {
        try await sql.update("tasks").set("state", to: task.state.rawValue).set("tries", to: task.tries)
            .set("retry_at", to: task.retryAt?.microsecondsSinceEpoch).set("decided_by", to: task.decidedBy).set("decision_comment", to: task.decisionComment)
            .set("started_at", to: task.startedAt?.microsecondsSinceEpoch).set("finished_at", to: task.finishedAt?.microsecondsSinceEpoch)
            .where("id", .equal, task.id).run()
    }

    /// Element states of job tasks: `[task: [state per element]]`.
    public func elementStates(ofTasks ids: [Int64]) async throws -> [Int64: [TaskState]] {
        var out: [Int64: [TaskState]] = [:]
        for start in stride(from: 0, to: ids.count, by: 1_000) {
            let rows = try await sql.select().columns("task_id", "idx", "state").from("task_elements")
                .where("task_id", .in, Array(ids[start..<min(start + 1_000, ids.count)])).orderBy("task_id").orderBy("idx").all()
            for row in rows {
                out[try row.decode(column: "task_id", as: Int64.self), default: []].append(
                    try row.decodeValue(TaskState.self, column: "state", in: "task_elements"))
            }
        }
        return out
    }

    /// Sets elements of one task to a state.
    public func setElements(of task: Int64, _ indices: [Int], to state: TaskState) async throws {
        guard !indices.isEmpty else { return }
        for start in stride(from: 0, to: indices.count, by: 1_000) {
            try await sql.update("task_elements").set("state", to: state.rawValue).where("task_id", .equal, task)
                .where("idx", .in, Array(indices[start..<min(start + 1_000, indices.count)])).run()
        }
    }

    public func appendWorkflowEvents(_ events: [WorkflowEvent]) async throws {
        for start in stride(from: 0, to: events.count, by: 500) {
            var insert = sql.insert(into: "workflow_events").columns("workflow_id", "task_id", "at", "actor", "kind", "from_state", "to_state", "detail")
            for e in events[start..<min(start + 500, events.count)] {
                insert = insert.values(
                    SQLBind(e.workflowID), SQLBind(e.taskID), SQLBind(e.at.microsecondsSinceEpoch), SQLBind(e.actor), SQLBind(e.kind),
                    SQLBind(e.from), SQLBind(e.to), SQLBind(e.detail))
            }
            try await insert.run()
        }
    }

    public func workflowEvents(_ workflowID: Int64, limit: Int = 100_000) async throws -> [WorkflowEvent] {
        try await sql.select().columns("workflow_id", "task_id", "at", "actor", "kind", "from_state", "to_state", "detail").from("workflow_events")
            .where("workflow_id", .equal, workflowID).orderBy("id").limit(limit).all().map { row in
                WorkflowEvent(
                    workflowID: try row.decode(column: "workflow_id", as: Int64.self), taskID: try row.decode(column: "task_id", as: Int64?.self),
                    at: Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)),
                    actor: try row.decode(column: "actor", as: String.self),
                    kind: try row.decode(column: "kind", as: String.self), from: try row.decode(column: "from_state", as: String?.self),
                    to: try row.decode(column: "to_state", as: String?.self), detail: try row.decode(column: "detail", as: String.self))
            }
    }
}

extension StoreSession {
    public func workflowID(ofTask id: Int64) async throws -> Int64? {
        try await sql.select().column("workflow_id").from("tasks").where("id", .equal, id).first()?.decode(column: "workflow_id", as: Int64.self)
    }
}
