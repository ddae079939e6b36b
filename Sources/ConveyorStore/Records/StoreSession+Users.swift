import ConveyorCore
import SQLKit

extension StoreSession {
    /// Inserts a user with the hash of their token.
    ///
    /// - Throws: ``ConveyorError/conflict(_:)`` when the name is taken.
    public func insertUser(name: String, role: Role, tokenHash: String, createdAt: Timestamp, createdBy: String) async throws -> User {
        if try await user(named: name) != nil {
            throw ConveyorError.conflict("a user named '\(name)' already exists")
        }
        let row = try await sql.insert(into: "users")
            .columns("name", "role", "token_hash", "created_at", "created_by")
            .values(SQLBind(name), SQLBind(role.rawValue), SQLBind(tokenHash), SQLBind(createdAt.microsecondsSinceEpoch), SQLBind(createdBy))
            .returning("id")
            .first()
        guard let row else { throw ConveyorError.storeFailure("the database returned no id for the new user") }
        let id = try row.decode(column: "id", as: Int64.self)
        return User(id: id, name: name, role: role, createdAt: createdAt, createdBy: createdBy)
    }

    /// The user with this name, revoked or not.
    public func user(named name: String) async throws -> User? {
        try await userSelect().where("name", .equal, name).first().map(Self.decodeUser)
    }

    /// The active (not revoked) user whose token hashes to `tokenHash`.
    public func activeUser(tokenHash: String) async throws -> User? {
        try await userSelect()
            .where("token_hash", .equal, tokenHash)
            .where("revoked_at", .is, SQLLiteral.null)
            .first()
            .map(Self.decodeUser)
    }

    /// All users, by name.
    public func users(includeRevoked: Bool = true) async throws -> [User] {
        var query = userSelect()
        if !includeRevoked { query = query.where("revoked_at", .is, SQLLiteral.null) }
        return try await query.orderBy("name").all().map(Self.decodeUser)
    }

    /// Marks a user revoked; their token stops working at once.
    public func revokeUser(named name: String, at time: Timestamp) async throws {
        try await sql.update("users")
            .set("revoked_at", to: time.microsecondsSinceEpoch)
            .where("name", .equal, name)
            .run()
    }

    private func userSelect() -> SQLSelectBuilder {
        sql.select()
            .columns("id", "name", "role", "created_at", "created_by", "revoked_at")
            .from("users")
    }

    private static func decodeUser(_ row: any SQLRow) throws -> User {
        let roleName = try row.decode(column: "role", as: String.self)
        guard let role = Role(rawValue: roleName) else {
            throw ConveyorError.storeFailure("user row holds unknown role '\(roleName)'")
        }
        return User(
            id: try row.decode(column: "id", as: Int64.self),
            name: try row.decode(column: "name", as: String.self),
            role: role,
            createdAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "created_at", as: Int64.self)),
            createdBy: try row.decode(column: "created_by", as: String.self),
            revokedAt: try row.decode(column: "revoked_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:))
        )
    }
}
