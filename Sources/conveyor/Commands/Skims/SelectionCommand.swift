import ArgumentParser
import ConveyorCore
import ConveyorSkims
import Foundation

/// `conveyor selection`: the registry of physics selections (skims and stripping lines).
struct SelectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selection", abstract: "Physics selections: owner group, coordinator, command and version, expected retention, prescale.",
        subcommands: [Add.self, List.self, Show.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a selection, or with --replace a new revision of one (role expert).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The selection's name.") var name: String
        @Option(help: "The physics group that owns it.") var group: String
        @Option(help: "Its coordinator (a user told when it fails a round's tests).") var coordinator: String
        @Option(help: "Its command (the selection protocol: $CONVEYOR_INPUT in, $CONVEYOR_SELECTED out).") var command: String
        @Option(help: "The selection's version.") var version: String
        @Option(help: "The share of events the group expects it to keep, e.g. 0.02.") var expectedRetention: Double?
        @Option(help: "Keep one in N of the events that pass; its luminosity is divided by N.") var prescale = 1
        @Flag(help: "Random-trigger events: written to a stream of their own.") var random = false
        @Flag(help: "Register a new revision of an existing selection.") var replace = false
        @Option(help: "Why (needed with --replace).") var reason = ""

        func run() async throws {
            let selection = Selection(
                name: name, group: group, coordinator: coordinator, command: command, version: version, expectedRetention: expectedRetention,
                prescale: prescale, random: random, reason: reason)
            let stored = try await global.withStore { store in
                try await StrippingRounds(store: store).register(selection, replacing: replace, by: .currentLocalOperator)
            }
            if output.json { return try Output.json(stored) }
            Output.line("selection \(stored.name) revision \(stored.revision) (\(stored.group), \(stored.version))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every selection's newest revision.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let selections = try await global.withStore { store in try await StrippingRounds(store: store).selections() }
            if output.json { return try Output.json(selections) }
            guard !selections.isEmpty else { return Output.line("no selections") }
            Output.table(
                ["NAME", "GROUP", "COORDINATOR", "VERSION", "EXPECTED", "PRESCALE", "REV", "COMMAND"],
                selections.map { s in
                    [
                        s.name + (s.random ? " (random)" : ""), s.group, s.coordinator, s.version, s.expectedRetention.map { RoundLimits.percent($0) } ?? "-",
                        String(s.prescale), String(s.revision), s.command,
                    ]
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A selection's revisions, newest first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The selection.") var name: String

        func run() async throws {
            let history = try await global.withStore { store in try await StrippingRounds(store: store).history(of: name) }
            if output.json { return try Output.json(history) }
            for s in history {
                Output.line("revision \(s.revision) \(s.changedAt.short) by \(s.changedBy): \(s.group), \(s.version), prescale \(s.prescale): \(s.command)")
                if !s.reason.isEmpty { Output.line("  why: \(s.reason)") }
            }
        }
    }
}
