import ArgumentParser
import ConveyorAccess
import ConveyorCore

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage users and their API tokens.",
        subcommands: [Add.self, List.self, SetContact.self, Revoke.self]
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
                    ["NAME", "ROLE", "FROM", "E-MAIL", "RESPONSIBILITIES", "CREATED", "BY", "STATE"],
                    users.map {
                        [
                            $0.name, $0.role.rawValue, $0.source, $0.email ?? "-",
                            $0.responsibilities.isEmpty ? "-" : $0.responsibilities.joined(separator: ","),
                            $0.createdAt.short, $0.createdBy, $0.revokedAt.map { "revoked \($0.short)" } ?? "active",
                        ]
                    }
                )
            }
        }
    }

    struct SetContact: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Set a user's e-mail address (for notifications) and responsibilities (what sign-offs may name instead of them).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The user's name.") var name: String
        @Option(help: "Their e-mail address; an empty one removes it.") var email: String?
        @Option(help: "Comma-separated responsibilities, e.g. ecl_gains,run_quality; an empty list removes them.") var responsibilities: String?

        func run() async throws {
            guard email != nil || responsibilities != nil else { throw ConveyorError.invalidInput("give --email, --responsibilities or both") }
            let list = responsibilities.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            try await global.withStore { store in
                let user = try await Accounts(store: store).setContact(of: name, email: email, responsibilities: list, by: .currentLocalOperator)
                Output.line(
                    "\(user.name): e-mail \(user.email ?? "none"), responsibilities \(user.responsibilities.isEmpty ? "none" : user.responsibilities.joined(separator: ","))"
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
