import SQLKit

extension Migrations {
    /// Per-owner quotas at storage endpoints (Rucio's account limits): a JSON object of owner → bytes.
    static let ownerQuotas = Migration(version: 11, name: "owner quotas at storage endpoints") { db, _ in
        try await db.alter(table: "storage_endpoints").column("owner_quotas", type: .text).run()
    }
}
