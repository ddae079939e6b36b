import ConveyorCore
import SQLKit

extension StoreSession {
    /// Creates a tag (and the first line of its state history).
    ///
    /// - Throws: ``ConveyorError/conflict(_:)`` when a live tag has the name.
    public func insertGlobalTag(
        name: String, description: String, type: GlobalTagType, state: GlobalTagState = .open, at time: Timestamp, by actor: String
    ) async throws -> GlobalTag {
        if try await globalTag(named: name) != nil {
            throw ConveyorError.conflict("a global tag named '\(name)' already exists")
        }
        let row = try await sql.insert(into: "global_tags")
            .columns("name", "description", "type", "state", "created_at", "created_by", "change_count")
            .values(
                SQLBind(name), SQLBind(description), SQLBind(type.rawValue), SQLBind(state.rawValue),
                SQLBind(time.microsecondsSinceEpoch), SQLBind(actor), SQLBind(Int64(0))
            )
            .returning("id")
            .first()
        let id = try row!.decode(column: "id", as: Int64.self)
        try await recordState(tagID: id, state: state, at: time, by: actor)
        return GlobalTag(id: id, name: name, description: description, type: type, state: state, createdAt: time, createdBy: actor, changeCount: 0)
    }

    /// The live tag with this name, or as it stood at `asOf` (its state then included).
    public func globalTag(named name: String, asOf: Timestamp? = nil) async throws -> GlobalTag? {
        try await matchingTags(exactName: name, asOf: asOf).first
    }

    /// Tags by name (substring) and state, as they are or were at `asOf`, sorted by name.
    public func globalTags(nameContains: String? = nil, state: GlobalTagState? = nil, asOf: Timestamp? = nil) async throws -> [GlobalTag] {
        try await matchingTags(nameContains: nameContains, asOf: asOf).filter { state == nil || $0.state == state }
    }

    private func matchingTags(exactName: String? = nil, nameContains: String? = nil, asOf: Timestamp?) async throws -> [GlobalTag] {
        var query = sql.select()
            .columns("id", "name", "description", "type", "state", "created_at", "created_by", "change_count")
            .from("global_tags")
        if let exactName { query = query.where("name", .equal, exactName) }
        if let nameContains, !nameContains.isEmpty {
            query = query.where(SQLFunction("lower", args: SQLColumn("name")), .like, SQLBind("%\(nameContains.lowercased())%"))
        }
        if let asOf {
            query = query.where("created_at", .lessThanOrEqual, asOf.microsecondsSinceEpoch)
                .where { $0.where("deleted_at", .is, SQLLiteral.null).orWhere("deleted_at", .greaterThan, asOf.microsecondsSinceEpoch) }
        } else {
            query = query.where("deleted_at", .is, SQLLiteral.null)
        }
        var tags = try await query.orderBy("name").all().map { row in
            GlobalTag(
                id: try row.decode(column: "id", as: Int64.self),
                name: try row.decode(column: "name", as: String.self),
                description: try row.decode(column: "description", as: String.self),
                type: try row.decodeValue(GlobalTagType.self, column: "type", in: "global_tags"),
                state: try row.decodeValue(GlobalTagState.self, column: "state", in: "global_tags"),
                createdAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "created_at", as: Int64.self)),
                createdBy: try row.decode(column: "created_by", as: String.self),
                changeCount: try row.decode(column: "change_count", as: Int64.self)
            )
        }
        if let asOf {
            for i in tags.indices {
                if let state = try await state(ofTag: tags[i].id, asOf: asOf) { tags[i].state = state }
            }
        }
        // With --as-of, a name may have been deleted and reused: the newest tag alive then wins.
        return exactName != nil ? Array(tags.sorted { $0.createdAt > $1.createdAt }.prefix(1)) : tags
    }

    private func state(ofTag id: Int64, asOf: Timestamp) async throws -> GlobalTagState? {
        let row = try await sql.select().column("state").from("global_tag_states")
            .where("tag_id", .equal, id)
            .where("at", .lessThanOrEqual, asOf.microsecondsSinceEpoch)
            .orderBy("at", .descending).orderBy("id", .descending)
            .limit(1).first()
        return try row.map { try $0.decodeValue(GlobalTagState.self, column: "state", in: "global_tag_states") }
    }

    /// Takes the tag's row lock until the transaction ends (PostgreSQL; SQLite writers are serial),
    /// so that two writers on one tag check and change it one after the other.
    public func lockGlobalTag(id: Int64) async throws {
        guard kind == .postgresql else { return }
        _ = try await sql.select().column("id").from("global_tags").where("id", .equal, id).for(.update).all()
    }

    public func setGlobalTagState(id: Int64, to state: GlobalTagState, at time: Timestamp, by actor: String) async throws {
        try await sql.update("global_tags")
            .set("state", to: state.rawValue)
            .set(SQLIdentifier("change_count"), to: SQLRaw("change_count + 1"))
            .where("id", .equal, id)
            .run()
        try await recordState(tagID: id, state: state, at: time, by: actor)
    }

    /// Marks the tag deleted and removes its live IoVs; both stay readable with `asOf`.
    public func deleteGlobalTag(id: Int64, at time: Timestamp) async throws {
        try await sql.update("iovs").set("removed_at", to: time.microsecondsSinceEpoch)
            .where("tag_id", .equal, id).where("removed_at", .is, SQLLiteral.null).run()
        try await sql.update("global_tags").set("deleted_at", to: time.microsecondsSinceEpoch)
            .set(SQLIdentifier("change_count"), to: SQLRaw("change_count + 1"))
            .where("id", .equal, id).run()
    }

    /// Notes that the tag's IoVs changed, so cached lookups are rebuilt.
    public func touchGlobalTag(id: Int64) async throws {
        try await sql.update("global_tags")
            .set(SQLIdentifier("change_count"), to: SQLRaw("change_count + 1"))
            .where("id", .equal, id).run()
    }

    /// The tag's change counter now (cheap: one indexed row), for cache validation.
    public func changeCount(ofTag id: Int64) async throws -> Int64? {
        try await sql.select().column("change_count").from("global_tags").where("id", .equal, id).first()?
            .decode(column: "change_count", as: Int64.self)
    }

    private func recordState(tagID: Int64, state: GlobalTagState, at time: Timestamp, by actor: String) async throws {
        try await sql.insert(into: "global_tag_states")
            .columns("tag_id", "state", "at", "actor")
            .values(SQLBind(tagID), SQLBind(state.rawValue), SQLBind(time.microsecondsSinceEpoch), SQLBind(actor))
            .run()
    }
}
