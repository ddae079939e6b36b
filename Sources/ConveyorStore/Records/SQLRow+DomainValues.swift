import ConveyorCore
import SQLKit

extension SQLRow {
    /// A stored name of one of the domain's closed sets (a task state, a data level, …).
    /// A name this program does not know is an error naming the column and the value, never a
    /// silent default: a newer program's rows, or a hand-edited database, must not be misread.
    ///
    /// ```swift
    /// let state = try row.decodeValue(TaskState.self, column: "state", in: "tasks")
    /// ```
    func decodeValue<Value: RawRepresentable>(_ type: Value.Type, column: String, in table: String) throws -> Value where Value.RawValue == String {
        let raw = try decode(column: column, as: String.self)
        guard let value = Value(rawValue: raw) else {
            throw ConveyorError.storeFailure(
                "\(table).\(column) holds '\(raw)', which is not a \(Value.self) this program knows (a newer Conveyor wrote it, or the database was edited)")
        }
        return value
    }
}
