import ArgumentParser
import ConveyorCore
import ConveyorDataManagement
import Foundation

struct DMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dm",
        abstract: "Data management: run the engine, usage per site, cleanup, bad copies.",
        subcommands: [Run.self, Usage.self, Cleanup.self, DeclareBad.self]
    )

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the embedded engine's cycles: end expired rules, place changed ones, copy, recall, delete (the scheduler runs them too).")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Stop once a cycle finds nothing due (copies waiting for a later retry are left).") var untilIdle = false
        @Option(help: "Seconds between cycles.") var interval: Double = 2

        func run() async throws {
            try await global.withStore { store in
                let engine = try DataManagement.configured(store: store).engine
                while true {
                    let cycle = try await engine.cycle(at: .now)
                    if cycle.didWork {
                        Output.line(
                            "[dm] \(cycle.rulesEnded) rules ended, \(cycle.rulesEvaluated) evaluated, \(cycle.copiesMade) copies made (\(ByteCount.describe(cycle.bytesCopied))), \(cycle.copiesFailed) failed, \(cycle.replicasDeleted) deleted (\(ByteCount.describe(cycle.bytesDeleted))), \(cycle.copiesWaiting) waiting"
                        )
                    }
                    if untilIdle, !cycle.didWork { break }
                    try await Task.sleep(for: .milliseconds(Int(max(interval, 0.05) * 1000)))
                }
            }
        }
    }

    struct Usage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bytes per site, and per campaign, level or release.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "site, campaign, level, release or owner (the bytes each owner's rules hold).") var by: String = "site"

        func run() async throws {
            let dimension = try UsageDimension(parsing: by)
            let rows = try await global.withStore { store in try await DataManagement.configured(store: store).usage(by: dimension) }
            if output.json { return try Output.json(rows) }
            var header = ["SITE", "STORAGE"]
            if dimension != .site { header.append(dimension.rawValue.uppercased()) }
            header += ["FILES", "BYTES"]
            Output.table(
                header,
                rows.map { row in
                    var cells = [row.site, row.storage]
                    if dimension != .site { cells.append(row.key) }
                    return cells + [String(row.files), ByteCount.describe(row.bytes)]
                }, rightAligned: dimension == .site ? [2, 3] : [3, 4])
        }
    }

    struct Cleanup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End the rules of a campaign's requests older than an age; --dry-run lists them and the bytes freed per site (role manager).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The campaign, e.g. unofficial.") var campaign: String
        @Option(name: .customLong("older-than"), help: "Rules made longer ago than this, e.g. 90d.") var olderThan: String
        @Flag(name: .customLong("dry-run"), help: "Only say what would end.") var dryRun = false

        func run() async throws {
            let age = try AgeText.seconds(olderThan)
            let report = try await global.withStore { store in
                try await DataManagement.configured(store: store).cleanup(
                    campaign: campaign, olderThanSeconds: age, dryRun: dryRun, by: .currentLocalOperator)
            }
            if output.json { return try Output.json(report) }
            let verb = dryRun ? "would end" : "ended"
            for item in report.rules {
                let freed = item.freedBytesPerSite.sorted { $0.key < $1.key }.map { "\($0.key) \(ByteCount.describe($0.value))" }.joined(separator: ", ")
                Output.line("rule \(item.rule) (\(item.request), \(item.target)) \(verb)\(freed.isEmpty ? "" : ": frees \(freed)")")
            }
            for kept in report.keptInUse { Output.line("rule \(kept) kept: a running request reads its files") }
            let total = report.freedBytesPerSite.sorted { $0.key < $1.key }.map { "\($0.key) \(ByteCount.describe($0.value))" }.joined(separator: ", ")
            Output.line("\(report.rules.count) rule(s) \(verb) for campaign \(campaign)\(total.isEmpty ? "" : "; freed per site: \(total)")")
        }
    }

    struct DeclareBad: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "declare-bad", abstract: "Declare a copy bad: it is copied again from a good one, or the file is marked lost (role manager).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument var lfn: String
        @Option(help: "The endpoint holding the bad copy.") var endpoint: String
        @Option(help: "Why.") var reason: String

        func run() async throws {
            let report = try await global.withStore { store in
                try await DataManagement.configured(store: store).declareBad(lfn: lfn, endpoint: endpoint, reason: reason, by: .currentLocalOperator)
            }
            if output.json { return try Output.json(report) }
            if report.lost {
                Output.line("\(lfn) has no good copy left: marked lost; \(report.affectedOutputs.count) output(s) made from it:")
                for output in report.affectedOutputs { Output.line("  \(output)") }
            } else {
                Output.line("\(lfn) at \(endpoint) is bad; it will be copied again from a good copy")
            }
        }
    }
}
