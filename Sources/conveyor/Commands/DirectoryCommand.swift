import ArgumentParser
import ConveyorAccess
import ConveyorCore
import Foundation

/// `conveyor directory check NAME`: asks the configured directory what signing in as NAME would
/// give, without starting a session: for an admin setting up the group mapping.
struct DirectoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory",
        abstract: "The lab directory (LDAP) people sign in with.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bind as a user (password on stdin) and print the role, responsibilities and e-mail the directory's groups give them.")
        @OptionGroup var people: PeopleOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The user's name in the directory.") var name: String

        func run() async throws {
            guard let directory = try people.load()?.directory else {
                throw ConveyorError.invalidInput("no directory configured: give --people FILE (or CONVEYOR_PEOPLE) with a directory section")
            }
            try User.validate(name: name)
            let password = (readLine(strippingNewline: true) ?? "")
            guard !password.isEmpty else { throw ConveyorError.invalidInput("give the password on stdin") }
            guard let person = try await Accounts.lookUp(name: name, password: password, in: directory) else {
                throw ConveyorError.unauthenticated("wrong user name or password (\(directory.url))")
            }
            let grant = directory.grant(forGroups: person.groups)
            if output.json { return try Output.json(DirectoryCheck(person: person, role: grant?.role, responsibilities: grant?.responsibilities ?? [])) }
            Output.line("user:             \(person.name) (\(directory.userDN(for: person.name)))")
            Output.line("e-mail:           \(person.email ?? "none: no notifications by e-mail")")
            Output.line("groups:           \(person.groups.isEmpty ? "none" : person.groups.joined(separator: ", "))")
            guard let grant else { throw ConveyorError.forbidden("\(name) is in no group the configuration maps to a role: they cannot sign in") }
            Output.line("role:             \(grant.role)")
            Output.line("responsibilities: \(grant.responsibilities.isEmpty ? "none" : grant.responsibilities.joined(separator: ", "))")
        }
    }

    struct DirectoryCheck: Encodable {
        let user: String
        let email: String?
        let groups: [String]
        let role: Role?
        let responsibilities: [String]
        init(person: Accounts.DirectoryPerson, role: Role?, responsibilities: [String]) {
            user = person.name
            email = person.email
            groups = person.groups
            self.role = role
            self.responsibilities = responsibilities
        }
    }
}
