import ArgumentParser
import ConveyorConditions
import ConveyorCore

struct IoVCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iov",
        abstract: "The intervals of validity of a tag: list and remove.",
        subcommands: [List.self, Remove.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tag's IoVs, by payload name and start.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The tag.") var tag: String
        @Option(help: "Only this payload name.") var name: String?
        @OptionGroup var asOf: AsOfOption

        struct Listing: Encodable { let tag: String; let iovs: [TagEntry] }

        func run() async throws {
            let moment = try asOf.timestamp
            try await global.withStore { store in
                let entries = try await ConditionsDatabase(store: store).entries(ofTag: tag, name: name, asOf: moment)
                if output.json { return try Output.json(Listing(tag: tag, iovs: entries)) }
                Output.table(
                    ["ID", "NAME", "REV", "IOV", "SHA256"],
                    entries.map { [String($0.id), $0.name, String($0.revision), $0.iov.description, String($0.sha256.prefix(16))] },
                    rightAligned: [0, 2])
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an IoV from an OPEN tag, by id or by name and IoV (role expert).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The OPEN tag.") var tag: String
        @Option(help: "The IoV's id (from 'iov list').") var id: Int64?
        @Option(help: "The payload name.") var name: String?
        @Option(help: "The IoV: e1,r1,e2,r2.") var iov: String?

        func run() async throws {
            let iov = try GlobalOptions.interval(iov)
            try await global.withStore { store in
                let removed = try await ConditionsDatabase(store: store).removeIoV(fromTag: tag, id: id, name: name, iov: iov, by: .currentLocalOperator)
                for entry in removed { Output.line("removed \(entry.name) rev \(entry.revision) \(entry.iov) from \(tag)") }
            }
        }
    }
}
