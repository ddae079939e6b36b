import ArgumentParser
import ConveyorCore
import ConveyorPeople

/// `conveyor note`: notes on runs, files, requests, tags and tasks; problem reports on runs and files.
struct NoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "note",
        abstract: "Notes on things, and problem reports on runs and files (which wait in the shifters' inbox until resolved).",
        subcommands: [Add.self, List.self, Resolve.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Attach a note to a thing, or report a problem on a run or file.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "run, file, request, tag or task.") var kind: String
        @Argument(help: "The thing: EXP:RUN, an LFN, a request or tag name, WORKFLOW/TASK.") var subject: String
        @Option(help: "What to say.") var text: String
        @Flag(help: "Report a problem (runs and files): it waits in the inbox of those who certify runs until resolved.") var problem = false

        func run() async throws {
            let subject = try Note.Subject(kind: try Note.Subject.Kind(parsing: kind), text: subject)
            let note = try await global.withStore { store in
                try await Notes(store: store).add(problem ? .problem : .note, on: subject, text: text, by: .currentLocalOperator)
            }
            if output.json { return try Output.json(note) }
            Output.line("\(note.kind == .problem ? "problem" : "note") \(note.id) on \(subject.kind.rawValue) \(subject.name)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The notes on a thing, oldest first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "run, file, request, tag or task.") var kind: String
        @Argument(help: "The thing.") var subject: String

        func run() async throws {
            let subject = try Note.Subject(kind: try Note.Subject.Kind(parsing: kind), text: subject)
            let notes = try await global.withStore { store in try await Notes(store: store).notes(on: subject) }
            if output.json { return try Output.json(notes) }
            guard !notes.isEmpty else { return Output.line("no notes on \(subject.kind.rawValue) \(subject.name)") }
            Output.table(
                ["ID", "AT", "BY", "KIND", "TEXT", "RESOLVED"],
                notes.map { n in
                    [
                        String(n.id), n.at.short, n.author, n.kind.rawValue, n.text,
                        n.resolvedAt.map { "\($0.short) by \(n.resolvedBy ?? "?"): \(n.resolution ?? "")" } ?? (n.kind == .problem ? "open" : ""),
                    ]
                })
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve a problem report, saying what was done.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The problem report's id.") var id: Int64
        @Option(help: "What was done.") var text: String

        func run() async throws {
            let note = try await global.withStore { store in try await Notes(store: store).resolve(id, resolution: text, by: .currentLocalOperator) }
            Output.line("problem \(note.id) on \(note.subject.kind.rawValue) \(note.subject.name) resolved")
        }
    }
}
