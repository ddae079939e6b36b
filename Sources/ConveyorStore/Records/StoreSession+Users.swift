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

    /// Sets a user's e-mail address and responsibilities (and, for directory accounts, their role).
    public func updateUser(named name: String, role: Role? = nil, email: String?, responsibilities: [String], source: String? = nil) async throws {
        var update = sql.update("users")
            .set("email", to: email.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null)
            .set("responsibilities", to: responsibilities.joined(separator: ","))
        if let role { update = update.set("role", to: role.rawValue) }
        if let source { update = update.set("source", to: source) }
        try await update.where("name", .equal, name).run()
    }

    /// Users holding a responsibility, or named, among `names`; active ones only.
    public func activeUsers(among names: [String]) async throws -> [User] {
        guard !names.isEmpty else { return [] }
        return try await users(includeRevoked: false).filter { user in names.contains(user.name) || user.responsibilities.contains { names.contains($0) } }
    }

    /// Records a failed sign-in, for rate limiting.
    public func insertSignInFailure(user: String, address: String, reason: String, at time: Timestamp) async throws {
        try await sql.insert(into: "sign_in_failures").columns("at", "user_name", "address", "reason")
            .values(SQLBind(time.microsecondsSinceEpoch), SQLBind(user), SQLBind(address), SQLBind(reason)).run()
    }

    /// Failed sign-ins since `time` for a user name and from an address, and the oldest of each.
    public func signInFailures(
        user: String, address: String, since time: Timestamp
    ) async throws -> (user: Int, userOldest: Timestamp?, address: Int, addressOldest: Timestamp?) {
        func count(_ column: String, _ value: String) async throws -> (Int, Timestamp?) {
            let row = try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").column(
                SQLFunction("min", args: SQLColumn("at")), as: "oldest"
            )
            .from("sign_in_failures").where(SQLColumn(column), .equal, SQLBind(value)).where("at", .greaterThan, time.microsecondsSinceEpoch).first()
            return (
                Int(try row?.decode(column: "n", as: Int64.self) ?? 0),
                try row?.decode(column: "oldest", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:))
            )
        }
        let (u, uo) = try await count("user_name", user)
        let (a, ao) = try await count("address", address)
        return (u, uo, a, ao)
    }

    /// The latest failed sign-ins, newest first, for the admin's page.
    public func recentSignInFailures(limit: Int) async throws -> [(at: Timestamp, user: String, address: String, reason: String)] {
        try await sql.select().columns("at", "user_name", "address", "reason").from("sign_in_failures").orderBy("id", .descending).limit(limit).all().map {
            row in
            (
                Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)), try row.decode(column: "user_name", as: String.self),
                try row.decode(column: "address", as: String.self), try row.decode(column: "reason", as: String.self)
            )
        }
    }

    private func userSelect() -> SQLSelectBuilder {
        sql.select()
            .columns("id", "name", "role", "created_at", "created_by", "revoked_at", "email", "responsibilities", "source")
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
            revokedAt: try row.decode(column: "revoked_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)),
            email: try row.decode(column: "email", as: String?.self),
            responsibilities: try row.decode(column: "responsibilities", as: String.self).split(separator: ",").map(String.init),
            source: try row.decode(column: "source", as: String.self)
        )
    }
}
