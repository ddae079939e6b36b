import ConveyorCore
import SQLKit

extension StoreSession {
    /// Queues a command for the scheduler.
    @discardableResult
    public func enqueueCommand(
        workflow: Int64, task: Int64?, kind: WorkflowCommandKind, actor: String, comment: String, at time: Timestamp
    ) async throws -> Int64 {
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
        try await sql.update("workflow_commands").set("applied_at", to: time.microsecondsSinceEpoch).set("result", to: result).where("id", .equal, command)
            .run()
    }

    private func commandSelect() -> SQLSelectBuilder {
        sql.select().columns("id", "workflow_id", "task_id", "kind", "actor", "comment", "created_at", "applied_at", "result").from("workflow_commands")
    }

    private func decodeCommand(_ row: any SQLRow) throws -> WorkflowCommand {
        WorkflowCommand(
            id: try row.decode(column: "id", as: Int64.self), workflowID: try row.decode(column: "workflow_id", as: Int64.self),
            taskID: try row.decode(column: "task_id", as: Int64?.self),
            kind: try row.decodeValue(WorkflowCommandKind.self, column: "kind", in: "workflow_commands"),
            actor: try row.decode(column: "actor", as: String.self), comment: try row.decode(column: "comment", as: String.self),
            createdAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "created_at", as: Int64.self)),
            appliedAt: try row.decode(column: "applied_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)),
            result: try row.decode(column: "result", as: String?.self))
    }

    /// Takes the scheduler lease when it is free, stale (no heartbeat for `staleAfter`), or held by
    /// a process of this host that no longer exists, by compare-and-set: the row changes only if
    /// it still holds what was read, so of two standbys that both saw a stale lease one wins.
    /// Taking it from another holder raises its epoch, the fencing token of
    /// ``confirmSchedulerLease(_:at:)``.
    /// - Returns: the lease held, or the current holder when refused.
    public func acquireSchedulerLease(
        holder: String, host: String, pid: Int32, at time: Timestamp, staleAfter: Duration,
        isAlive: @Sendable (Int32) -> Bool
    ) async throws -> Result<SchedulerLease, SchedulerLeaseRefusal> {
        let now = time.microsecondsSinceEpoch
        guard let row = try await sql.select().columns("holder", "host", "pid", "heartbeat_at", "epoch").from("scheduler_lease").where("id", .equal, 1).first()
        else {
            let inserted = try await sql.insert(into: "scheduler_lease").columns("id", "holder", "host", "pid", "heartbeat_at", "epoch")
                .values(SQLBind(1), SQLBind(holder), SQLBind(host), SQLBind(Int(pid)), SQLBind(now), SQLBind(Int64(1)))
                .ignoringConflicts(with: ["id"]).returning("epoch").first()
            guard let inserted else { return .failure(SchedulerLeaseRefusal(holder: "another scheduler (taken at the same moment)")) }
            return .success(SchedulerLease(holder: holder, epoch: try inserted.decode(column: "epoch", as: Int64.self)))
        }
        let current = try row.decode(column: "holder", as: String.self)
        let currentHost = try row.decode(column: "host", as: String.self)
        let currentPID = Int32(clamping: try row.decode(column: "pid", as: Int64.self))
        let heartbeat = try row.decode(column: "heartbeat_at", as: Int64.self)
        let epoch = try row.decode(column: "epoch", as: Int64.self)
        let staleMicros = staleAfter.components.seconds * 1_000_000 + staleAfter.components.attoseconds / 1_000_000_000_000
        let stale = now - heartbeat > staleMicros
        let gone = currentHost == host && !isAlive(currentPID)
        guard current == holder || stale || gone else {
            return .failure(SchedulerLeaseRefusal(holder: "\(current) (pid \(currentPID) on \(currentHost))"))
        }
        let next = current == holder ? epoch : epoch + 1
        let updated = try await sql.update("scheduler_lease").set("holder", to: holder).set("host", to: host).set("pid", to: Int(pid))
            .set("heartbeat_at", to: now).set("epoch", to: next)
            .where("id", .equal, 1).where("holder", .equal, current).where("epoch", .equal, epoch).where("heartbeat_at", .equal, heartbeat)
            .returning("epoch").first()
        guard updated != nil else { return .failure(SchedulerLeaseRefusal(holder: "another scheduler (taken at the same moment)")) }
        return .success(SchedulerLease(holder: holder, epoch: next))
    }

    /// Renews `lease` and confirms it is still this scheduler's: the fencing check of every
    /// scheduler write. On PostgreSQL the row stays locked until the transaction ends, so a
    /// takeover waits for this transaction and then sees its heartbeat.
    /// - Throws: ``ConveyorError/conflict(_:)`` when another scheduler took the lease.
    public func confirmSchedulerLease(_ lease: SchedulerLease, at time: Timestamp = .now) async throws {
        let row = try await sql.update("scheduler_lease").set("heartbeat_at", to: time.microsecondsSinceEpoch)
            .where("id", .equal, 1).where("holder", .equal, lease.holder).where("epoch", .equal, lease.epoch)
            .returning("epoch").first()
        guard row != nil else { throw ConveyorError.conflict(SchedulerLease.lostMessage(lease)) }
    }

    public func releaseSchedulerLease(_ lease: SchedulerLease) async throws {
        try await sql.delete(from: "scheduler_lease").where("id", .equal, 1).where("holder", .equal, lease.holder).where("epoch", .equal, lease.epoch).run()
    }
}

/// The scheduler lease as stored: who holds it, where, since which heartbeat, at which epoch.
public struct SchedulerLeaseRecord: Sendable, Hashable, Codable {
    public let holder: String
    public let host: String
    public let pid: Int64
    public let heartbeatAt: Timestamp
    public let epoch: Int64
}

extension StoreSession {
    /// The lease row, or nil when no scheduler holds the database.
    public func schedulerLease() async throws -> SchedulerLeaseRecord? {
        try await sql.select().columns("holder", "host", "pid", "heartbeat_at", "epoch").from("scheduler_lease").where("id", .equal, 1).first().map { row in
            SchedulerLeaseRecord(
                holder: try row.decode(column: "holder", as: String.self), host: try row.decode(column: "host", as: String.self),
                pid: try row.decode(column: "pid", as: Int64.self),
                heartbeatAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "heartbeat_at", as: Int64.self)),
                epoch: try row.decode(column: "epoch", as: Int64.self))
        }
    }
}
