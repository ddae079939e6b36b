import ArgumentParser
import ConveyorCore
import ConveyorDataManagement
import Foundation

struct RuleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rule",
        abstract: "Replication rules: how many copies of which data, on which endpoints, for how long.",
        subcommands: [Add.self, List.self, Show.self, Delete.self, Retry.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a rule; it is placed at once or refused whole (role manager).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The data: an LFN (/…), dataset:NAME or container:NAME.") var target: String
        @Option(help: "How many copies.") var copies: Int = 1
        @Option(name: .customLong("rse"), help: "Where, in Rucio's grammar: NAME, key=value, |, &, \\, ( ), e.g. 'kind=disk&site=BNL'.") var expression: String
        @Option(help: "How long the rule lives, e.g. 30d, 12h (none: until deleted).") var lifetime: String?
        @Option(help: "all, dataset or none: keep all files, each dataset, or no files together.") var grouping: String = "dataset"
        @Option(help: "The kind of transfer, e.g. User, Staging, Production.") var activity: String = "User"
        @Option(help: "0 (lowest) to 5.") var priority: Int = 3
        @Option(help: "Why the rule exists.") var comment: String = ""

        func run() async throws {
            let asked = DataManagement.RuleRequest(
                target: try RuleTarget(parsing: target), copies: copies, expression: expression, lifetimeSeconds: try lifetime.map(AgeText.seconds),
                grouping: try RuleGrouping(parsing: grouping), activity: activity, priority: priority, comment: comment)
            let rule = try await global.withStore { store in try await DataManagement.configured(store: store).addRule(asked, by: .currentLocalOperator) }
            if output.json { return try Output.json(rule) }
            Output.line(RuleCommand.summary(rule))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List rules.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only rules in this state (REPLICATING, OK, STUCK, SUSPENDED).") var state: String?
        @Option(help: "Only rules of this request.") var request: String?

        func run() async throws {
            let state = try self.state.map(RuleState.init(parsing:))
            let rules = try await global.withStore { store in try await DataManagement.configured(store: store).rules(state: state, request: request) }
            if output.json { return try Output.json(rules) }
            Output.table(
                ["RULE", "STATE", "DATA", "COPIES", "WHERE", "OK", "REPL", "STUCK", "BYTES", "EXPIRES", "OWNER", "ERROR"],
                rules.map { r in
                    [
                        String(r.id), r.state.rawValue, r.target.description, String(r.copies), r.expression, String(r.locksOK), String(r.locksReplicating),
                        String(r.locksStuck), ByteCount.describe(r.bytes), r.expiresAt?.iso8601 ?? "-", r.owner, r.error ?? "",
                    ]
                }, rightAligned: [0, 3, 5, 6, 7, 8])
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A rule and the copies it still waits for, with their reasons.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument var id: Int64

        func run() async throws {
            let detail = try await global.withStore { store in try await DataManagement.configured(store: store).rule(id) }
            if output.json { return try Output.json(detail) }
            Output.line(RuleCommand.summary(detail.rule))
            if let error = detail.rule.error { Output.line("reason: \(error)") }
            for lock in detail.waiting {
                let next = lock.nextAttemptAt.map { ", next try \($0.iso8601)" } ?? ""
                Output.line(
                    "  \(lock.state.rawValue) \(lock.lfn) → \(lock.endpoint)\(lock.failures > 0 ? " (\(lock.failures) failures\(next))" : "")\(lock.reason.map { ": \($0)" } ?? "")"
                )
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a rule: copies no other rule holds become deletable (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument var id: Int64

        func run() async throws {
            let freed = try await global.withStore { store in try await DataManagement.configured(store: store).deleteRule(id, by: .currentLocalOperator) }
            Output.line("rule \(id) ended; \(ByteCount.describe(freed)) now deletable")
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Try a STUCK or SUSPENDED rule's copies again now (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument var id: Int64

        func run() async throws {
            let rule = try await global.withStore { store in try await DataManagement.configured(store: store).retryRule(id, by: .currentLocalOperator) }
            Output.line(RuleCommand.summary(rule))
        }
    }

    static func summary(_ r: ReplicationRule) -> String {
        "rule \(r.id): \(r.state.rawValue), \(r.target) ×\(r.copies) on \(r.expression) — \(r.locksOK) ok, \(r.locksReplicating) replicating, \(r.locksStuck) stuck, \(ByteCount.describe(r.bytes))\(r.expiresAt.map { ", expires \($0.iso8601)" } ?? "")"
    }
}
