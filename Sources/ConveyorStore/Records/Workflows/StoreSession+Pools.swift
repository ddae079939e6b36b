import ConveyorCore
import Foundation
import SQLKit

extension StoreSession {
    /// Adds a pool or changes its executor, slots and options.
    public func savePool(_ pool: Pool, at time: Timestamp) async throws {
        let options = String(decoding: try JSONEncoder.sorted.encode(pool.options), as: UTF8.self)
        if try await self.pool(named: pool.name) != nil {
            try await sql.update("pools").set("executor", to: pool.executor.rawValue).set("slots", to: pool.slots).set("options", to: options)
                .where("name", .equal, pool.name).run()
        } else {
            try await sql.insert(into: "pools").columns("name", "executor", "slots", "options", "created_at")
                .values(SQLBind(pool.name), SQLBind(pool.executor.rawValue), SQLBind(pool.slots), SQLBind(options), SQLBind(time.microsecondsSinceEpoch)).run()
        }
    }

    public func pool(named name: String) async throws -> Pool? {
        try await sql.select().columns("name", "executor", "slots", "options").from("pools").where("name", .equal, name).first().map(decodePool)
    }

    public func pools() async throws -> [Pool] {
        try await sql.select().columns("name", "executor", "slots", "options").from("pools").orderBy("name").all().map(decodePool)
    }

    private func decodePool(_ row: any SQLRow) throws -> Pool {
        try Pool(
            name: try row.decode(column: "name", as: String.self),
            executor: try ExecutorKind(parsing: try row.decode(column: "executor", as: String.self)),
            slots: try row.decode(column: "slots", as: Int.self),
            options: try JSONDecoder().decode([String: String].self, from: Data(try row.decode(column: "options", as: String.self).utf8)))
    }
}

extension JSONEncoder {
    /// Keys sorted, so that stored JSON is stable.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
