import ConveyorCore
import SQLKit

/// What an action step changed, recorded in the same transaction as the change.
public struct ActionEffect: Sendable, Hashable {
    public let taskID: Int64
    public let attempt: Int
    public let kind: String
    public let result: String
    public let doneAt: Timestamp
}

extension StoreSession {
    /// Records that try `attempt` of task `taskID` applied its action. Written inside the action's
    /// own transaction (see ``Store/withWriteCheck(_:_:)``), so it exists exactly when the effect does.
    public func recordActionEffect(task taskID: Int64, attempt: Int, kind: String, result: String, at time: Timestamp) async throws {
        try await sql.insert(into: "action_effects").columns("task_id", "try", "kind", "result", "done_at")
            .values(SQLBind(taskID), SQLBind(attempt), SQLBind(kind), SQLBind(result), SQLBind(time.microsecondsSinceEpoch))
            .onConflict(with: ["task_id", "try"]) { $0.set(excludedValueOf: "done_at") }
            .run()
    }

    public func actionEffect(task taskID: Int64, attempt: Int) async throws -> ActionEffect? {
        try await sql.select().columns("task_id", "try", "kind", "result", "done_at").from("action_effects")
            .where("task_id", .equal, taskID).where("try", .equal, attempt).first().map { row in
                ActionEffect(
                    taskID: try row.decode(column: "task_id", as: Int64.self), attempt: try row.decode(column: "try", as: Int.self),
                    kind: try row.decode(column: "kind", as: String.self), result: try row.decode(column: "result", as: String.self),
                    doneAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "done_at", as: Int64.self)))
            }
    }
}
