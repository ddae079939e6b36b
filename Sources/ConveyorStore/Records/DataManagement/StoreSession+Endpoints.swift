import ConveyorCore
import Foundation
import SQLKit

extension StoreSession {
    /// Adds a storage endpoint or changes one (by name).
    ///
    /// ```swift
    /// try await session.saveEndpoint(try StorageEndpoint(name: "KEKCC_DISK", site: "KEKCC", kind: .disk, prefix: "/data"), at: .now, by: "alice")
    /// ```
    public func saveEndpoint(_ endpoint: StorageEndpoint, at time: Timestamp, by actor: String) async throws {
        let attributes = String(decoding: try JSONEncoder.sorted.encode(endpoint.attributes), as: UTF8.self)
        let ownerQuotas = String(decoding: try JSONEncoder.sorted.encode(endpoint.ownerQuotas), as: UTF8.self)
        let existing = try await self.endpoint(named: endpoint.name)
        if let other = try await endpoints().first(where: { $0.site == endpoint.site && $0.kind == endpoint.kind && $0.name != endpoint.name }) {
            throw ConveyorError.conflict("site \(endpoint.site) already has a \(endpoint.kind.rawValue) endpoint, \(other.name)")
        }
        if existing != nil {
            if existing?.site != endpoint.site || existing?.kind != endpoint.kind {
                throw ConveyorError.conflict("endpoint \(endpoint.name) is \(existing!.kind.rawValue) at \(existing!.site): its site and kind cannot change")
            }
            try await sql.update("storage_endpoints")
                .set("attributes", to: attributes).set("quota", to: endpoint.quotaBytes).set("free_target", to: endpoint.freeSpaceTargetBytes)
                .set("prefix", to: endpoint.prefix).set("copy_command", to: endpoint.copyCommand).set("recall_command", to: endpoint.recallCommand)
                .set("delete_command", to: endpoint.deleteCommand).set("timeout_seconds", to: endpoint.timeoutSeconds)
                .set("concurrency", to: endpoint.concurrency).set("owner_quotas", to: ownerQuotas)
                .where("name", .equal, endpoint.name).run()
        } else {
            try await sql.insert(into: "storage_endpoints")
                .columns(
                    "name", "site", "kind", "attributes", "quota", "free_target", "prefix", "copy_command", "recall_command", "delete_command",
                    "timeout_seconds", "concurrency", "owner_quotas", "created_at", "created_by"
                )
                .values(
                    SQLBind(endpoint.name), SQLBind(endpoint.site), SQLBind(endpoint.kind.rawValue), SQLBind(attributes), SQLBind(endpoint.quotaBytes),
                    SQLBind(endpoint.freeSpaceTargetBytes), SQLBind(endpoint.prefix), SQLBind(endpoint.copyCommand), SQLBind(endpoint.recallCommand),
                    SQLBind(endpoint.deleteCommand), SQLBind(endpoint.timeoutSeconds), SQLBind(endpoint.concurrency),
                    SQLBind(ownerQuotas), SQLBind(time.microsecondsSinceEpoch), SQLBind(actor)
                ).run()
        }
    }

    public func endpoints() async throws -> [StorageEndpoint] {
        try await sql.select().column("*").from("storage_endpoints").orderBy("name").all().map(Self.endpoint(from:))
    }

    public func endpoint(named name: String) async throws -> StorageEndpoint? {
        try await sql.select().column("*").from("storage_endpoints").where("name", .equal, name).first().map(Self.endpoint(from:))
    }

    static func endpoint(from row: any SQLRow) throws -> StorageEndpoint {
        let name = try row.decode(column: "name", as: String.self)
        let attributesText = try row.decode(column: "attributes", as: String.self)
        guard let attributes = try? JSONDecoder().decode([String: String].self, from: Data(attributesText.utf8)) else {
            throw ConveyorError.storeFailure("storage_endpoints.attributes of \(name) is not a JSON object of strings")
        }
        let ownerQuotasText = try row.decode(column: "owner_quotas", as: String?.self) ?? "{}"
        guard let ownerQuotas = try? JSONDecoder().decode([String: Int64].self, from: Data(ownerQuotasText.utf8)) else {
            throw ConveyorError.storeFailure("storage_endpoints.owner_quotas of \(name) is not a JSON object of byte counts")
        }
        do {
            return try StorageEndpoint(
                name: name, site: try row.decode(column: "site", as: String.self),
                kind: try row.decodeValue(StorageKind.self, column: "kind", in: "storage_endpoints"),
                prefix: try row.decode(column: "prefix", as: String.self), attributes: attributes,
                quotaBytes: try row.decode(column: "quota", as: Int64?.self), ownerQuotas: ownerQuotas,
                freeSpaceTargetBytes: try row.decode(column: "free_target", as: Int64?.self),
                copyCommand: try row.decode(column: "copy_command", as: String.self), recallCommand: try row.decode(column: "recall_command", as: String?.self),
                deleteCommand: try row.decode(column: "delete_command", as: String?.self),
                timeoutSeconds: try row.decode(column: "timeout_seconds", as: Int.self), concurrency: try row.decode(column: "concurrency", as: Int.self))
        } catch let error as ConveyorError {
            throw ConveyorError.storeFailure("storage endpoint \(name) as stored is not valid: \(error.message)")
        }
    }

    /// Bytes held per endpoint: available and copying replicas, and those not yet deleted.
    public func endpointUsage() async throws -> [String: (bytes: Int64, files: Int, deletable: Int64)] {
        let rows = try await sql.raw(
            """
            SELECT e.name AS name, CAST(COALESCE(SUM(f.size), 0) AS BIGINT) AS bytes, COUNT(f.id) AS files,
                   CAST(COALESCE(SUM(CASE WHEN r.tombstone IS NOT NULL THEN f.size ELSE 0 END), 0) AS BIGINT) AS deletable
            FROM storage_endpoints e
            LEFT JOIN replicas r ON r.site = e.site AND r.storage = e.kind AND r.state IN ('available', 'copying', 'unavailable', 'being_deleted')
            LEFT JOIN files f ON f.id = r.file_id
            GROUP BY e.name
            """
        ).all()
        var out: [String: (bytes: Int64, files: Int, deletable: Int64)] = [:]
        for row in rows {
            out[try row.decode(column: "name", as: String.self)] = (
                try row.decode(column: "bytes", as: Int64.self), try row.decode(column: "files", as: Int.self),
                try row.decode(column: "deletable", as: Int64.self)
            )
        }
        return out
    }

    /// Bytes per site and another dimension of the files (campaign, level, release, owner of the rules).
    public func usage(by dimension: UsageDimension) async throws -> [UsageRow] {
        if dimension == .owner {
            let rows = try await sql.raw(
                """
                SELECT e.site AS site, e.kind AS storage, r.owner AS k, CAST(COALESCE(SUM(l.bytes), 0) AS BIGINT) AS bytes, COUNT(*) AS files
                FROM rule_locks l JOIN rules r ON r.id = l.rule_id JOIN storage_endpoints e ON e.name = l.endpoint
                WHERE l.state = 'ok' GROUP BY e.site, e.kind, r.owner ORDER BY e.site, e.kind, r.owner
                """
            ).all()
            return try rows.map { row in
                UsageRow(
                    site: try row.decode(column: "site", as: String.self), storage: try row.decode(column: "storage", as: String.self),
                    key: try row.decode(column: "k", as: String.self), bytes: try row.decode(column: "bytes", as: Int64.self),
                    files: try row.decode(column: "files", as: Int.self))
            }
        }
        let key: String
        switch dimension {
        case .level: key = "f.level"
        case .release: key = "f.release"
        case .campaign:
            // A request's campaign is in its configuration; its outputs name their job's request.
            key = "COALESCE(q.campaign, CASE WHEN f.level = 'raw' THEN 'raw' ELSE 'unknown' END)"
        case .site, .owner: key = "''"
        }
        let join =
            dimension == .campaign
            ? "LEFT JOIN (SELECT output_lfn, MIN(request_id) AS request_id FROM request_jobs WHERE output_lfn IS NOT NULL GROUP BY output_lfn) j ON j.output_lfn = f.lfn LEFT JOIN requests q ON q.id = j.request_id"
            : ""
        let rows = try await sql.raw(
            SQLQueryString(
                """
                SELECT r.site AS site, r.storage AS storage, \(unsafeRaw: key) AS k, CAST(COALESCE(SUM(f.size), 0) AS BIGINT) AS bytes, COUNT(*) AS files
                FROM replicas r JOIN files f ON f.id = r.file_id \(unsafeRaw: join)
                WHERE r.state IN ('available', 'copying', 'unavailable')
                GROUP BY r.site, r.storage, \(unsafeRaw: key) ORDER BY r.site, r.storage, \(unsafeRaw: key)
                """)
        ).all()
        return try rows.map { row in
            UsageRow(
                site: try row.decode(column: "site", as: String.self), storage: try row.decode(column: "storage", as: String.self),
                key: try row.decode(column: "k", as: String?.self) ?? "", bytes: try row.decode(column: "bytes", as: Int64.self),
                files: try row.decode(column: "files", as: Int.self))
        }
    }
}

extension StoreSession {
    /// Per endpoint, the bytes an owner's rules lock there (each file once, whatever the lock's
    /// state), which the owner's quota bounds.
    public func ownerUsage(_ owner: String, at endpoints: [String]) async throws -> [String: Int64] {
        guard !endpoints.isEmpty else { return [:] }
        let rows = try await sql.raw(
            """
            SELECT held.endpoint AS endpoint, CAST(COALESCE(SUM(held.bytes), 0) AS BIGINT) AS bytes
            FROM (SELECT DISTINCT l.endpoint AS endpoint, l.file_id AS file_id, l.bytes AS bytes
                  FROM rule_locks l JOIN rules r ON r.id = l.rule_id
                  WHERE r.owner = \(bind: owner) AND l.endpoint IN \(SQLBind.group(endpoints))) held
            GROUP BY held.endpoint
            """
        ).all()
        var out: [String: Int64] = [:]
        for row in rows { out[try row.decode(column: "endpoint", as: String.self)] = try row.decode(column: "bytes", as: Int64.self) }
        return out
    }
}

extension StoreSession {
    /// Which of `files` an owner's rules lock at an endpoint already (they add nothing to its usage there).
    public func filesLocked(byOwner owner: String, at endpoint: String, among files: [Int64]) async throws -> Set<Int64> {
        var out: Set<Int64> = []
        for start in stride(from: 0, to: files.count, by: 1000) {
            let chunk = Array(files[start..<min(start + 1000, files.count)])
            let rows = try await sql.raw(
                """
                SELECT DISTINCT l.file_id AS file_id FROM rule_locks l JOIN rules r ON r.id = l.rule_id
                WHERE r.owner = \(bind: owner) AND l.endpoint = \(bind: endpoint) AND l.file_id IN \(SQLBind.group(chunk))
                """
            ).all()
            for row in rows { out.insert(try row.decode(column: "file_id", as: Int64.self)) }
        }
        return out
    }
}
