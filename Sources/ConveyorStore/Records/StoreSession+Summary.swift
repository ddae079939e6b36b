import ConveyorCore
import SQLKit

/// How many things of one kind the database holds, for the home page and `conveyor db info`.
public struct KindCount: Sendable, Codable, Hashable {
    public let kind: String
    public let count: Int
}

extension StoreSession {
    /// The kinds counted at a glance, in display order. Each capability adds its own.
    static let countedKinds: [(kind: String, table: String, condition: String?)] = [
        ("users", "users", "revoked_at IS NULL"),
        ("global tags", "global_tags", "deleted_at IS NULL"),
        ("payloads", "payloads", nil),
        ("IoVs", "iovs", "removed_at IS NULL"),
        ("runs", "runs", nil),
        ("files", "files", nil),
        ("buckets", "buckets", nil),
        ("audit entries", "audit_log", nil),
    ]

    /// The number of records of each kind.
    public func counts() async throws -> [KindCount] {
        var counts: [KindCount] = []
        for counted in Self.countedKinds {
            var query = sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from(counted.table)
            if let condition = counted.condition { query = query.where(SQLRaw(condition)) }
            let n = try await query.first()?.decode(column: "n", as: Int.self) ?? 0
            counts.append(KindCount(kind: counted.kind, count: n))
        }
        return counts
    }

    /// A trivial round trip, proving the connection works (for `/healthz`).
    public func ping() async throws {
        _ = try await sql.raw("SELECT 1 AS one").all()
    }
}
