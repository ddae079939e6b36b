import ConveyorCore
import ConveyorPeople
import Hummingbird

/// Notifications over REST: the caller's own preferences, and the outbox for admins.
struct NotificationsAPI {
    let notifications: Notifications

    struct PreferencesBody: Decodable {
        let email: Bool?
        let chat: Bool?
        let digest: Bool?
        let kinds: [String]?
    }

    static let kindNames = NotificationEvent.Kind.allCases.map(\.rawValue)

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/notifications", operationID: "getNotificationOutbox",
                summary: "The outbox: counts by state, messages newest first, people without e-mail, recent failed sign-ins", tag: "people", role: .admin,
                parameters: [
                    .init(
                        name: "state", location: .query, description: "Only messages in this state",
                        schema: .string(enumeration: NotificationMessage.State.allCases.map(\.rawValue))),
                    .init(name: "limit", location: .query, description: "At most this many messages (1–1000, default 200)", schema: .integer),
                ],
                response: .ref("NotificationOutbox")
            ), in: book
        ) { request, context in
            let query = QueryParameters(request)
            let state = try query.string("state").map { text throws(ConveyorError) in try NotificationMessage.State(parsing: text) }
            let limit = try query.int("limit") ?? 200
            guard (1...1000).contains(limit) else { throw ConveyorError.invalidInput("limit must be 1 to 1000") }
            return try await notifications.outbox(state: state, limit: limit, by: context.actor!)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/me/notifications", operationID: "getMyNotificationPreferences",
                summary: "What the caller is told and how: e-mail, chat, a daily digest, which kinds (none listed: all)", tag: "people", role: .viewer,
                response: .ref("NotificationPreferences")
            ), in: book
        ) { _, context in
            let actor = try context.require(.viewer, to: "reading notification preferences")
            return try await notifications.preferences(of: actor.name, by: actor)
        }
        router.add(
            APIOperation(
                method: .put, path: "/api/v1/me/notifications", operationID: "setMyNotificationPreferences",
                summary: "Change what the caller is told; fields left out keep their value", tag: "people", role: .viewer,
                requestBody: .closedObject(
                    properties: ["email": .boolean, "chat": .boolean, "digest": .boolean, "kinds": .array(.string(enumeration: Self.kindNames))],
                    required: []),
                response: .ref("NotificationPreferences")
            ), in: book
        ) { request, context in
            let actor = try context.require(.viewer, to: "setting notification preferences")
            let body = try await request.decode(as: PreferencesBody.self, context: context)
            var preferences = try await notifications.preferences(of: actor.name, by: actor)
            if let email = body.email { preferences.email = email }
            if let chat = body.chat { preferences.chat = chat }
            if let digest = body.digest { preferences.digest = digest }
            if let kinds = body.kinds { preferences.kinds = try kinds.map { text throws(ConveyorError) in try NotificationEvent.Kind(parsing: text) } }
            try await notifications.setPreferences(preferences, of: actor.name, by: actor)
            return preferences
        }
    }
}

extension NotificationPreferences: ResponseEncodable {}
extension Notifications.Outbox: ResponseEncodable {}
