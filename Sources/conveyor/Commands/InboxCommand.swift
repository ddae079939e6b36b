import ArgumentParser
import ConveyorAccess
import ConveyorCore
import ConveyorPeople
import Foundation

/// `conveyor inbox`: what waits for people, oldest first, with its age and how to act on it.
struct InboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox", abstract: "What waits for a person: sign-offs, paused tasks, failed requests, postponed runs, runs to certify.",
        discussion: "Oldest first. Without --user, everything (the local operator is an admin); with it, what waits for that user by name or role.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Only what waits for this user (by name, or by their role).") var user: String?

    func run() async throws {
        let items = try await global.withStore { store in
            let inbox = Inbox(store: store)
            guard let user else { return try await inbox.all() }
            guard let found = try await Accounts(store: store).users(includeRevoked: false).first(where: { $0.name == user }) else {
                throw ConveyorError.notFound("no user named '\(user)'")
            }
            return try await inbox.items(for: Actor(user: found))
        }
        if output.json { return try Output.json(items) }
        guard !items.isEmpty else { return Output.line("nothing waits\(user.map { " for \($0)" } ?? "")") }
        let now = Timestamp.now
        Output.table(
            ["WAITING", "WHAT", "FOR", "ACT"],
            items.map { item in
                [
                    InboxItem.describe(age: item.age(at: now)), item.subject, item.people.isEmpty ? item.role.rawValue : item.people.joined(separator: ","),
                    item.command,
                ]
            })
    }
}
