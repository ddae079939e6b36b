import ArgumentParser
import ConveyorCore
import ConveyorPeople
import Foundation

/// `conveyor notify`: run a notification cycle, read the outbox, set what a person is told.
struct NotifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Notifications: what people are told by e-mail and chat, and how.",
        discussion: "`conveyor serve` and `conveyor scheduler` run the notifier by themselves when given --people with a notifications section.",
        subcommands: [Cycle.self, Outbox.self, Preferences.self]
    )

    struct Cycle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record what waits for people, queue the messages due, and send them (once; e.g. from cron).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var people: PeopleOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            guard let settings = try people.load()?.notifications else {
                throw ConveyorError.invalidInput("no notifications configured: give --people FILE (or CONVEYOR_PEOPLE) with a notifications section")
            }
            let report = try await global.withStore { store in try await Notifier(store: store, settings: settings).cycle() }
            if output.json { return try Output.json(report) }
            Output.line(
                "\(report.newEvents) new event(s), \(report.queued) message(s) queued, \(report.sent) sent, \(report.retried) to retry, \(report.failed) given up"
            )
        }
    }

    struct Outbox: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The outbox: messages sent, waiting for a retry, given up or skipped, newest first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only messages in this state: pending, sent, failed or skipped.") var state: String?
        @Option(help: "At most this many messages.") var limit = 50

        func run() async throws {
            let state = try state.map { text throws(ConveyorError) in try NotificationMessage.State(parsing: text) }
            guard (1...10_000).contains(limit) else { throw ConveyorError.invalidInput("--limit must be 1 to 10000") }
            let outbox = try await global.withStore { store in
                try await Notifications(store: store).outbox(state: state, limit: limit, by: .currentLocalOperator)
            }
            if output.json { return try Output.json(outbox) }
            Output.line(NotificationMessage.State.allCases.map { "\($0.rawValue) \(outbox.counts[$0.rawValue] ?? 0)" }.joined(separator: ", "))
            if !outbox.withoutEmail.isEmpty { Output.line("no e-mail address: \(outbox.withoutEmail.joined(separator: ", "))") }
            guard !outbox.messages.isEmpty else { return }
            Output.table(
                ["ID", "STATE", "TRIES", "TO", "BY", "WHAT", "ERROR"],
                outbox.messages.map { m in
                    [String(m.id), m.state.rawValue, String(m.attempts), m.recipient, m.channel.rawValue, m.subject, m.lastError ?? ""]
                })
        }
    }

    struct Preferences: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set what a person is told and how: channels, a daily digest instead of single messages, which kinds.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The user.") var user: String
        @Option(help: "on or off.") var email: String?
        @Option(help: "on or off.") var chat: String?
        @Option(help: "on (one message a day listing what waits) or off (each at once).") var digest: String?
        @Option(help: "Comma-separated kinds (\(NotificationEvent.Kind.allCases.map(\.rawValue).joined(separator: ", "))), or all.") var kinds: String?

        func run() async throws {
            let preferences = try await global.withStore { store in
                let notifications = Notifications(store: store)
                var preferences = try await notifications.preferences(of: user, by: .currentLocalOperator)
                guard email != nil || chat != nil || digest != nil || kinds != nil else { return preferences }
                if let email { preferences.email = try Self.onOff(email, "--email") }
                if let chat { preferences.chat = try Self.onOff(chat, "--chat") }
                if let digest { preferences.digest = try Self.onOff(digest, "--digest") }
                if let kinds {
                    preferences.kinds =
                        kinds.lowercased() == "all"
                        ? []
                        : try kinds.split(separator: ",").map { text throws(ConveyorError) in
                            try NotificationEvent.Kind(parsing: text.trimmingCharacters(in: .whitespaces))
                        }
                }
                try await notifications.setPreferences(preferences, of: user, by: .currentLocalOperator)
                return preferences
            }
            if output.json { return try Output.json(preferences) }
            Output.line("\(user): \(Notifications.describe(preferences))")
        }

        static func onOff(_ text: String, _ option: String) throws(ConveyorError) -> Bool {
            switch text.lowercased() {
            case "on", "yes", "true": return true
            case "off", "no", "false": return false
            default: throw .invalidInput("\(option) takes on or off, not '\(text)'")
            }
        }
    }
}
