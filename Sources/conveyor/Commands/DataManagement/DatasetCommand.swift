import ArgumentParser
import ConveyorCore
import ConveyorDataManagement

struct DatasetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Datasets (named groups of files) and containers (of datasets), which rules replicate.",
        subcommands: [Add.self, Attach.self, List.self, Show.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a dataset or, with --container, a container (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String
        @Flag(help: "A container of datasets rather than a dataset of files.") var container = false

        func run() async throws {
            let dataset = try await global.withStore { store in
                try await DataManagement.configured(store: store).createDataset(name, kind: container ? .container : .dataset, by: .currentLocalOperator)
            }
            Output.line("\(dataset.kind.rawValue) \(dataset.name): \(dataset.files) files, \(ByteCount.describe(dataset.bytes))")
        }
    }

    struct Attach: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Attach files (LFNs) to a dataset, or datasets to a container; rules over it place the new files (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String
        @Argument(help: "LFNs, or dataset names for a container.") var members: [String]

        func run() async throws {
            let attached = try await global.withStore { store in
                try await DataManagement.configured(store: store).attach(members, to: name, by: .currentLocalOperator)
            }
            Output.line("\(attached) attached to \(name) (\(members.count - attached) already there)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List datasets and containers.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let datasets = try await global.withStore { store in try await DataManagement.configured(store: store).datasets() }
            if output.json { return try Output.json(datasets) }
            Output.table(
                ["NAME", "KIND", "FILES", "BYTES", "CREATED BY"],
                datasets.map { [$0.name, $0.kind.rawValue, String($0.files), ByteCount.describe($0.bytes), $0.createdBy] }, rightAligned: [2, 3])
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A dataset's files, their copies per endpoint, and the rules over it.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument var name: String

        func run() async throws {
            let detail = try await global.withStore { store in try await DataManagement.configured(store: store).dataset(name) }
            if output.json { return try Output.json(detail) }
            let d = detail.dataset
            Output.line("\(d.kind.rawValue) \(d.name): \(d.files) files, \(ByteCount.describe(d.bytes))")
            if !detail.datasets.isEmpty { Output.line("datasets: " + detail.datasets.joined(separator: ", ")) }
            for (endpoint, count) in detail.replicasPerEndpoint.sorted(by: { $0.key < $1.key }) {
                Output.line("  \(endpoint): \(count) of \(d.files) files")
            }
            for rule in detail.rules {
                Output.line(
                    "rule \(rule.id): \(rule.state.rawValue) ×\(rule.copies) on \(rule.expression) (\(rule.locksOK) ok, \(rule.locksReplicating) replicating, \(rule.locksStuck) stuck)"
                )
            }
        }
    }
}
