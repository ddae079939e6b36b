import ConveyorAccess
import ConveyorCore
import Hummingbird

/// Users and tokens over REST. Listing needs `viewer`; adding and revoking need `admin`.
struct AccessAPI {
    let accounts: Accounts

    struct NewUser: Decodable {
        let name: String
        let role: String
    }

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/users", operationID: "listUsers",
                summary: "List users and their roles", tag: "users", role: .viewer,
                response: .object(properties: ["users": .array(.ref("User"))], required: ["users"])
            ),
            in: book
        ) { _, _ in
            UserList(users: try await accounts.users())
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/users", operationID: "addUser",
                summary: "Add a user; the answer holds their token, shown only this once", tag: "users", role: .admin,
                requestBody: .object(properties: ["name": .string(), "role": APISchemas.role], required: ["name", "role"]),
                successStatus: .created,
                response: .object(properties: ["user": .ref("User"), "token": .string()], required: ["user", "token"])
            ),
            in: book
        ) { request, context in
            let actor = try context.require(.admin, to: "adding a user")
            let body = try await request.decode(as: NewUser.self, context: context)
            let (user, token) = try await accounts.addUser(named: body.name, role: try Role(parsing: body.role), by: actor)
            return EditedResponse(status: .created, response: CreatedUser(user: user, token: token.secret))
        }
        router.add(
            APIOperation(
                method: .delete, path: "/api/v1/users/{name}", operationID: "revokeUser",
                summary: "Revoke a user's token", tag: "users", role: .admin,
                parameters: [.init(name: "name", location: .path, description: "The user's name", schema: .string())],
                response: .ref("User")
            ),
            in: book
        ) { _, context in
            let actor = try context.require(.admin, to: "revoking a user")
            let name = try context.parameters.require("name")
            return try await accounts.revokeUser(named: name, by: actor)
        }
    }
}
