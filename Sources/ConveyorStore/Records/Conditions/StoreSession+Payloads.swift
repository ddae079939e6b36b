import ConveyorCore
import Foundation
import SQLKit

extension StoreSession {
    /// Stores bytes under a name, or returns the revision that already holds identical bytes.
    ///
    /// Revisions are numbered 1, 2, 3… per name. On PostgreSQL a transaction-scoped advisory lock
    /// on the name makes concurrent uploads of one name take numbers one after the other.
    public func insertPayload(
        name: String, bytes: Data, sha256: String, md5: String, description: String, at time: Timestamp, by actor: String
    ) async throws -> (payload: Payload, isNew: Bool) {
        if kind == .postgresql {
            try await sql.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: "payload:" + name)))").run()
        }
        if let existing = try await payloadSelect().where("name", .equal, name).where("sha256", .equal, sha256).first() {
            return (try Self.decodePayload(existing), false)
        }
        let last = try await sql.select().column(SQLFunction("max", args: SQLColumn("revision")), as: "r")
            .from("payloads").where("name", .equal, name).first()?.decode(column: "r", as: Int?.self)
        let revision = (last ?? 0) + 1
        try await blobs.put(bytes, sha256: sha256, on: sql)
        let row = try await sql.insert(into: "payloads")
            .columns("name", "revision", "sha256", "md5", "size", "creator", "created_at", "description")
            .values(
                SQLBind(name), SQLBind(revision), SQLBind(sha256), SQLBind(md5), SQLBind(Int64(bytes.count)),
                SQLBind(actor), SQLBind(time.microsecondsSinceEpoch), SQLBind(description)
            )
            .returning("id").first()
        let payload = Payload(
            id: try row!.decode(column: "id", as: Int64.self), name: name, revision: revision, sha256: sha256, md5: md5,
            size: Int64(bytes.count), creator: actor, createdAt: time, description: description)
        return (payload, true)
    }

    public func payload(name: String, revision: Int) async throws -> Payload? {
        try await payloadSelect().where("name", .equal, name).where("revision", .equal, revision).first().map(Self.decodePayload)
    }

    /// Every revision of a name, oldest first (with `asOf`, those that existed then).
    public func payloads(named name: String, asOf: Timestamp? = nil) async throws -> [Payload] {
        var query = payloadSelect().where("name", .equal, name)
        if let asOf { query = query.where("created_at", .lessThanOrEqual, asOf.microsecondsSinceEpoch) }
        return try await query.orderBy("revision").all().map(Self.decodePayload)
    }

    /// The bytes of a payload.
    public func payloadBytes(_ payload: Payload) async throws -> Data {
        try await blobs.get(sha256: payload.sha256, on: sql)
    }

    private func payloadSelect() -> SQLSelectBuilder {
        sql.select().columns("id", "name", "revision", "sha256", "md5", "size", "creator", "created_at", "description").from("payloads")
    }

    private static func decodePayload(_ row: any SQLRow) throws -> Payload {
        Payload(
            id: try row.decode(column: "id", as: Int64.self),
            name: try row.decode(column: "name", as: String.self),
            revision: try row.decode(column: "revision", as: Int.self),
            sha256: try row.decode(column: "sha256", as: String.self),
            md5: try row.decode(column: "md5", as: String.self),
            size: try row.decode(column: "size", as: Int64.self),
            creator: try row.decode(column: "creator", as: String.self),
            createdAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "created_at", as: Int64.self)),
            description: try row.decode(column: "description", as: String.self)
        )
    }
}

extension StoreSession {
    /// Copies a payload from another database keeping its revision number (exports, imports).
    public func importPayload(_ payload: Payload, bytes: Data) async throws -> Payload {
        if let existing = try await self.payload(name: payload.name, revision: payload.revision) {
            guard existing.sha256 == payload.sha256 else {
                throw ConveyorError.conflict("\(payload.name) rev \(payload.revision) exists here with other bytes")
            }
            return existing
        }
        try await blobs.put(bytes, sha256: payload.sha256, on: sql)
        let row = try await sql.insert(into: "payloads")
            .columns("name", "revision", "sha256", "md5", "size", "creator", "created_at", "description")
            .values(
                SQLBind(payload.name), SQLBind(payload.revision), SQLBind(payload.sha256), SQLBind(payload.md5), SQLBind(payload.size),
                SQLBind(payload.creator), SQLBind(payload.createdAt.microsecondsSinceEpoch), SQLBind(payload.description)
            )
            .returning("id").first()
        var copy = payload
        copy.id = try row!.decode(column: "id", as: Int64.self)
        return copy
    }
}
