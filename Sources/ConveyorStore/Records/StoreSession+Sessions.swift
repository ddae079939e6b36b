import ConveyorCore
import SQLKit

extension StoreSession {
    /// Records a page sign-in session by the hash of its id.
    public func insertSession(idHash: String, user: String, at time: Timestamp, expiresAt: Timestamp) async throws {
        try await sql.insert(into: "sessions").columns("id_hash", "user_name", "created_at", "expires_at")
            .values(SQLBind(idHash), SQLBind(user), SQLBind(time.microsecondsSinceEpoch), SQLBind(expiresAt.microsecondsSinceEpoch)).run()
    }

    /// The active user a session belongs to, while it is neither ended nor expired at `time`.
    public func sessionUser(idHash: String, at time: Timestamp) async throws -> User? {
        guard
            let row = try await sql.select().column("user_name").from("sessions").where("id_hash", .equal, idHash)
                .where("ended_at", .is, SQLLiteral.null).where("expires_at", .greaterThan, time.microsecondsSinceEpoch).first()
        else { return nil }
        guard let user = try await user(named: try row.decode(column: "user_name", as: String.self)), user.isActive else { return nil }
        return user
    }

    /// Ends one session (logout). - Returns: its user, when it was still open.
    @discardableResult
    public func endSession(idHash: String, at time: Timestamp) async throws -> String? {
        try await sql.update("sessions").set("ended_at", to: time.microsecondsSinceEpoch).where("id_hash", .equal, idHash)
            .where("ended_at", .is, SQLLiteral.null).returning("user_name").first().map { try $0.decode(column: "user_name", as: String.self) }
    }

    /// Ends every open session of a user (revocation).
    public func endSessions(ofUser name: String, at time: Timestamp) async throws {
        try await sql.update("sessions").set("ended_at", to: time.microsecondsSinceEpoch).where("user_name", .equal, name)
            .where("ended_at", .is, SQLLiteral.null).run()
    }
}
