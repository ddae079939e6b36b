import ConveyorCore
import SQLKit

extension StoreSession {
    /// Queues a command for the scheduler.
    @discardableResult
    public func enqueueCommand(workflow: Int64, task: Int64?, kind: WorkflowCommandKind, actor: String, comment: String, at time: Timestamp) async throws -> Int64 {
        let row = try await sql.insert(into: "workflow_commands").columns("workflow_id", "task_id", "kind", "actor", "comment", "created_at")
            .values(SQLBind(workflow), SQLBind(task), SQLBind(kind.rawValue), SQLBind(actor), SQLBind(comment), SQLBind(time.microsecondsSinceEpoch))
            .returning("id").first()
        return try row!.decode(column: "id", as: Int64.self)
    }

    /// Commands not yet applied, oldest first.
    public func pendingCommands() async throws -> [WorkflowCommand] {
        try await commandSelect().where("applied_at", .is, SQLLiteral.null).orderBy("id").all().map(decodeCommand)
    }

    public func command(_ id: Int64) async throws -> WorkflowCommand? {
        try await commandSelect().where("id", .equal, id).first().map(decodeCommand)
    }

    public func markApplied(_ command: Int64, result: String, at time: Timestamp) async throws {
        try await sql.update("workflow_commands").set("applied_at", to: time.microsecondsSinceEpoch).set("result", to: result).where("id", .equal, command).run()
    }

    private func commandSelect() -> SQLSelectBuilder {
        sql.select().columns("id", "workflow_id", "task_id", "kind", "actor", "comment", "created_at", "applied_at", "result").from("workflow_commands")
    }

    private func decodeCommand(_ row: any SQLRow) throws -> WorkflowCommand {
        WorkflowCommand(id: try row.decode(column: "id", as: Int64.self), workflowID: try row.decode(column: "workflow_id", as: Int64.self),
                        taskID: try row.decode(column: "task_id", as: Int64?.self),
                        kind: WorkflowCommandKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .cancelTask,
                        actor: try row.decode(column: "actor", as: String.self), comment: try row.decode(column: "comment", as: String.self),
                        createdAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "created_at", as: Int64.self)),
                        appliedAt: try row.decode(column: "applied_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)),
                        result: try row.decode(column: "result", as: String?.self))
    }

    /// Takes the scheduler lease when it is free, stale (no heartbeat for `staleAfter`), or held by
    /// a process of this host that no longer exists. - Returns: the current holder when refused.
    public func acquireSchedulerLease(holder: String, host: String, pid: Int32, at time: Timestamp, staleAfter: Duration,
                                      isAlive: @Sendable (Int32) -> Bool) async throws -> String? {
        if let row = try await sql.select().columns("holder", "host", "pid", "heartbeat_at").from("scheduler_lease").where("id", .equal, 1).first() {
            let current = try row.decode(column: "holder", as: String.self)
            let currentHost = try row.decode(column: "host", as: String.self)
            let currentPID = Int32(try row.decode(column: "pid", as: Int.self))
            let heartbeat = try row.decode(column: "heartbeat_at", as: Int64.self)
            let stale = time.microsecondsSinceEpoch - heartbeat > staleAfter.components.seconds * 1_000_000
            let gone = currentHost == host && !isAlive(currentPID)
            guard current == holder || stale || gone else { return "\(current) (pid \(currentPID) on \(currentHost))" }
            try await sql.update("scheduler_lease").set("holder", to: holder).set("host", to: host).set("pid", to: Int(pid))
                .set("heartbeat_at", to: time.microsecondsSinceEpoch).where("id", .equal, 1).run()
        } else {
            try await sql.insert(into: "scheduler_lease").columns("id", "holder", "host", "pid", "heartbeat_at")
                .values(SQLBind(1), SQLBind(holder), SQLBind(host), SQLBind(Int(pid)), SQLBind(time.microsecondsSinceEpoch)).run()
        }
        return nil
    }

    public func releaseSchedulerLease(holder: String) async throws {
        try await sql.delete(from: "scheduler_lease").where("id", .equal, 1).where("holder", .equal, holder).run()
    }
}
