import ArgumentParser
import ConveyorAccess
import ConveyorCore

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage users and their API tokens.",
        subcommands: [Add.self, List.self, Revoke.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user and print their API token, once.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The user's name.") var name: String
        @Option(help: "viewer, expert, manager or admin.") var role: String

        func run() async throws {
            let role = try Role(parsing: role)
            try await global.withStore { store in
                let (user, token) = try await Accounts(store: store).addUser(named: name, role: role, by: .currentLocalOperator)
                if output.json { return try Output.json(CreatedUser(user: user, token: token.secret)) }
                Output.line("added \(user.name) as \(user.role)")
                Output.line("token: \(token.secret)")
                Output.warn("The token is shown only this once; Conveyor stores only its hash.")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users and their roles.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Leave out revoked users.") var active = false

        func run() async throws {
            try await global.withStore { store in
                let users = try await Accounts(store: store).users(includeRevoked: !active)
                if output.json { return try Output.json(UserList(users: users)) }
                Output.table(
                    ["NAME", "ROLE", "CREATED", "BY", "STATE"],
                    users.map { [$0.name, $0.role.rawValue, $0.createdAt.short, $0.createdBy, $0.revokedAt.map { "revoked \($0.short)" } ?? "active"] }
                )
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a user's token; it stops working at once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The user's name.") var name: String

        func run() async throws {
            try await global.withStore { store in
                let user = try await Accounts(store: store).revokeUser(named: name, by: .currentLocalOperator)
                Output.line("revoked \(user.name)")
            }
        }
    }
}
