import ArgumentParser
import ConveyorConditions
import ConveyorCore
import Foundation

struct GlobalTagCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gt",
        abstract: "Global tags: create, list, show, change state, clone, delete, check, diff, merge, running update, export.",
        subcommands: [
            Create.self, List.self, Show.self, SetState.self, Sync.self, Clone.self, Delete.self, Check.self, Diff.self, Merge.self, RunningUpdateCommand.self,
            Export.self,
        ]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an OPEN global tag (role expert).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The tag's name.") var name: String
        @Option(help: "DEV, RELEASE, DATA or MC.") var type = "DEV"
        @Option(help: "What the tag is for.") var description = ""
        @Option(help: "Its synchronisation type: offline, hlt, express, prompt, pcl, mc, runmc or any (role manager).") var sync: String?

        func run() async throws {
            let type = try GlobalTagType(parsing: type)
            let synchronisation = try sync.map { try SynchronisationType(parsing: $0) }
            try await global.withStore { store in
                let conditions = ConditionsDatabase(store: store)
                let tag = try await conditions.createTag(named: name, type: type, description: description, by: .currentLocalOperator)
                if let synchronisation { try await conditions.setSynchronisation(ofTag: name, to: synchronisation, by: .currentLocalOperator) }
                if output.json { return try Output.json(tag) }
                Output.line("created \(tag.name) (\(tag.type), \(tag.state)\(synchronisation.map { ", synchronisation \($0)" } ?? ""))")
            }
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set how a tag's new conditions line up with data taking: offline, hlt, express, prompt, pcl, mc, runmc, any or none (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The tag.") var name: String
        @Argument(help: "The synchronisation type, or none.") var type: String

        func run() async throws {
            let synchronisation = type == "none" ? nil : try SynchronisationType(parsing: type)
            try await global.withStore { store in
                try await ConditionsDatabase(store: store).setSynchronisation(ofTag: name, to: synchronisation, by: .currentLocalOperator)
            }
            Output.line("\(name): synchronisation \(synchronisation?.rawValue ?? "none")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List global tags.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only tags whose name contains this.") var name: String?
        @Option(help: "Only tags in this state.") var state: String?
        @OptionGroup var asOf: AsOfOption

        struct Listing: Encodable { let globalTags: [GlobalTag] }

        func run() async throws {
            let state = try state.map { text throws(ConveyorError) in try GlobalTagState(parsing: text) }
            let moment = try asOf.timestamp
            try await global.withStore { store in
                let tags = try await ConditionsDatabase(store: store).tags(nameContains: name, state: state, asOf: moment)
                if output.json { return try Output.json(Listing(globalTags: tags)) }
                Output.table(
                    ["NAME", "STATE", "TYPE", "CREATED", "BY", "DESCRIPTION"],
                    tags.map { [$0.name, $0.state.rawValue, $0.type.rawValue, $0.createdAt.short, $0.createdBy, $0.description] })
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a global tag and how much it holds.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The tag.") var tag: String
        @OptionGroup var asOf: AsOfOption

        func run() async throws {
            let moment = try asOf.timestamp
            try await global.withStore { store in
                let detail = try await ConditionsDatabase(store: store).detail(ofTag: tag, asOf: moment)
                if output.json { return try Output.json(detail) }
                Output.line("\(detail.tag.name): \(detail.tag.state), \(detail.tag.type)\(detail.sync.map { ", synchronisation \($0)" } ?? "")")
                Output.line("created \(detail.tag.createdAt.short) by \(detail.tag.createdBy)")
                if !detail.tag.description.isEmpty { Output.line(detail.tag.description) }
                Output.line("\(detail.iovCount) IoVs of \(detail.payloadNameCount) payload names")
            }
        }
    }

    struct SetState: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-state",
            abstract: "Move a tag along OPEN → TESTING | RUNNING → VALIDATED → PUBLISHED → INVALID (role manager)."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The tag.") var tag: String
        @Argument(help: "The new state.") var state: String
        @Option(help: "The tag's name typed again; needed for PUBLISHED and INVALID.") var confirm: String?

        func run() async throws {
            let state = try GlobalTagState(parsing: state)
            try await global.withStore { store in
                let updated = try await ConditionsDatabase(store: store).setState(ofTag: tag, to: state, confirm: confirm, by: .currentLocalOperator)
                Output.line("\(updated.name) is now \(updated.state)")
            }
        }
    }

    struct Clone: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Copy a tag's IoVs into a new OPEN tag (role expert).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The tag to copy.") var source: String
        @Argument(help: "The new tag's name.") var name: String

        func run() async throws {
            try await global.withStore { store in
                let tag = try await ConditionsDatabase(store: store).clone(source, as: name, by: .currentLocalOperator)
                Output.line("created \(tag.name) (OPEN) from \(source)")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an OPEN tag (its history stays readable with --as-of).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The tag.") var tag: String

        func run() async throws {
            try await global.withStore { store in
                try await ConditionsDatabase(store: store).deleteTag(named: tag, by: .currentLocalOperator)
                Output.line("deleted \(tag)")
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the staging rules: no gaps, no overlaps, last IoV of each name open. Exit 1 on any violation."
        )
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The tag.") var tag: String
        @OptionGroup var asOf: AsOfOption

        struct Report: Encodable { let tag: String; let passed: Bool; let violations: [StagingRules.Violation] }

        func run() async throws {
            let moment = try asOf.timestamp
            let violations = try await global.withStore { store in
                try await ConditionsDatabase(store: store).check(tag: tag, asOf: moment)
            }
            if output.json {
                try Output.json(Report(tag: tag, passed: violations.isEmpty, violations: violations))
            } else if violations.isEmpty {
                Output.line("\(tag) passes the staging rules")
            } else {
                for violation in violations { Output.line(violation.description) }
            }
            if !violations.isEmpty { throw ExitCode(1) }
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What changed from tag A to tag B: added, removed and changed IoVs.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The first tag.") var a: String
        @Argument(help: "The second tag.") var b: String
        @Option(help: "Only IoVs covering this run (EXP:RUN).") var run: String?
        @Flag(help: "Show the SHA-256 of each side.") var checksums = false
        @OptionGroup var asOf: AsOfOption

        func run() async throws {
            let run = try GlobalOptions.runOrNil(run)
            let moment = try asOf.timestamp
            try await global.withStore { store in
                let diff = try await ConditionsDatabase(store: store).diff(a, b, at: run, asOf: moment)
                if output.json { return try Output.json(diff) }
                func sum(_ sha: String) -> String { checksums ? "  \(sha)" : "" }
                for side in diff.added { Output.line("+ \(side.name) rev \(side.revision) \(side.iov)\(sum(side.sha256))") }
                for side in diff.removed { Output.line("- \(side.name) rev \(side.revision) \(side.iov)\(sum(side.sha256))") }
                for change in diff.changed {
                    Output.line(
                        "~ \(change.name) \(change.iov): rev \(change.fromRevision) -> \(change.toRevision)\(checksums ? "  \(change.fromSHA256) -> \(change.toSHA256)" : "")"
                    )
                }
                Output.line("\(diff.added.count) added, \(diff.removed.count) removed, \(diff.changed.count) changed")
            }
        }
    }

    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Merge tags by priority gap filling into a new OPEN tag (earlier tags win).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var display: OutputOptions
        @Option(name: .shortAndLong, help: "The new tag's name.") var output: String
        @Argument(help: "The tags, highest priority first.") var tags: [String]
        @Option(help: "Only this range of runs (e1,r1,e2,r2).") var runRange: String?

        func run() async throws {
            let range = try GlobalOptions.interval(runRange)
            try await global.withStore { store in
                let detail = try await ConditionsDatabase(store: store).merge(tags, into: output, within: range, by: .currentLocalOperator)
                if display.json { return try Output.json(detail) }
                Output.line("created \(detail.tag.name) (OPEN): \(detail.iovCount) IoVs of \(detail.payloadNameCount) payload names")
            }
        }
    }

    struct RunningUpdateCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "running-update",
            abstract: "Merge a VALIDATED staging tag into a RUNNING tag from a run on (role manager)."
        )
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The RUNNING tag.") var running: String
        @Argument(help: "The VALIDATED staging tag.") var staging: String
        @Option(help: "The first run the new payloads are valid for (EXP:RUN).") var validFrom: String
        @Flag(help: "Print what would change and write nothing.") var dryRun = false

        func run() async throws {
            let validFrom = try GlobalOptions.run(validFrom)
            try await global.withStore { store in
                let plan = try await ConditionsDatabase(store: store).runningUpdate(
                    running, from: staging, validFrom: validFrom, dryRun: dryRun, by: .currentLocalOperator)
                if output.json { return try Output.json(plan) }
                for change in plan.changes { Output.line(change.description) }
                Output.line(
                    dryRun
                        ? "dry run: \(plan.changes.count) changes would be made; nothing written. Earliest possible valid_from: \(plan.earliestValidFrom)"
                        : "applied \(plan.changes.count) changes to \(running) from \(validFrom)")
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a self-contained offline copy of a tag into a new folder.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The tag.") var tag: String
        @Argument(help: "A new or empty folder.") var directory: String
        @Option(help: "sqlite (read by 'payload resolve --local') or text (Belle II database.txt).") var format = "sqlite"
        @OptionGroup var asOf: AsOfOption

        func run() async throws {
            guard let format = ExportFormat(rawValue: format) else {
                throw ConveyorError.invalidInput("unknown export format '\(format)' (expected sqlite or text)")
            }
            let moment = try asOf.timestamp
            try await global.withStore { store in
                let summary = try await ConditionsDatabase(store: store).export(tag: tag, to: directory, format: format, asOf: moment)
                if output.json { return try Output.json(summary) }
                Output.line(
                    "exported \(summary.tag) to \(summary.directory) (\(summary.format.rawValue)): \(summary.iovs) IoVs, \(summary.payloads) payload files")
            }
        }
    }
}
