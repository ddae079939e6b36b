import ArgumentParser
import ConveyorCore
import ConveyorDataManagement

struct SiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site",
        abstract: "Storage endpoints at sites: disk or tape, quota, free-space target, and how files are copied in.",
        subcommands: [Add.self, List.self, Show.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a storage endpoint or change one (role admin: its commands run on this machine).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The endpoint's name, e.g. KEKCC_DISK (site expressions name it).") var name: String
        @Option(help: "The site it belongs to, e.g. KEKCC (one disk and one tape endpoint per site).") var site: String
        @Option(help: "disk or tape.") var kind: String = "disk"
        @Option(help: "Where its files live: a folder (a replica of LFN /a/b is PREFIX/a/b) or a URL.") var prefix: String
        @Option(name: .customLong("attr"), help: "KEY=VALUE attribute (repeatable): tier, type, country, …") var attributes: [String] = []
        @Option(help: "The bytes Conveyor may use here, e.g. 10TB (none: no bound).") var quota: String?
        @Option(
            name: .customLong("owner-quota"),
            help: "OWNER=SIZE (repeatable): the most the rules of one owner may hold here, e.g. conveyor-requests=500TB (Rucio's account limit).")
        var ownerQuotas: [String] = []
        @Option(name: .customLong("free-target"), help: "Keep this much free: deletable copies are deleted, oldest first, below it.")
        var freeTarget: String?
        @Option(help: "How a file is copied here: {src} and {dst} are its paths (cp, xrdcp, gfal-copy).") var copy: String = "cp {src} {dst}"
        @Option(help: "For tape: how a file is recalled before it is copied out; {path} is its path (e.g. 'hstage {path}').") var recall: String?
        @Option(help: "How a copy is removed here; {path} is its path (default: remove the local file).") var delete: String?
        @Option(help: "Seconds a copy, recall or delete may take.") var timeout: Int = 600
        @Option(help: "The most copies into this endpoint at once, and on any link from or to it (a tape: its drives).") var concurrency: Int = 4

        func run() async throws {
            let attributes = try Self.pairs(self.attributes, option: "--attr", shape: "KEY=VALUE")
            let ownerQuotas = try Self.pairs(self.ownerQuotas, option: "--owner-quota", shape: "OWNER=SIZE").mapValues(ByteCount.parse)
            let endpoint = try StorageEndpoint(
                name: name, site: site, kind: try StorageKind(parsing: kind), prefix: prefix, attributes: attributes,
                quotaBytes: try quota.map(ByteCount.parse), ownerQuotas: ownerQuotas, freeSpaceTargetBytes: try freeTarget.map(ByteCount.parse),
                copyCommand: copy,
                recallCommand: recall, deleteCommand: delete, timeoutSeconds: timeout, concurrency: concurrency)
            try await global.withStore { store in try await DataManagement.configured(store: store).saveEndpoint(endpoint, by: .currentLocalOperator) }
            Output.line("endpoint \(endpoint.name): \(endpoint.kind.rawValue) at \(endpoint.site), \(endpoint.prefix)")
        }

        /// `KEY=VALUE` options as a dictionary (the last of a repeated key wins).
        static func pairs(_ list: [String], option: String, shape: String) throws(ConveyorError) -> [String: String] {
            var out: [String: String] = [:]
            for pair in list {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, !parts[0].isEmpty else { throw .invalidInput("\(option) takes \(shape), not '\(pair)'") }
                out[String(parts[0])] = String(parts[1])
            }
            return out
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List storage endpoints with used, quota and free bytes.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let endpoints = try await global.withStore { store in try await DataManagement.configured(store: store).endpoints() }
            if output.json { return try Output.json(endpoints) }
            Output.table(
                ["ENDPOINT", "SITE", "KIND", "FILES", "USED", "QUOTA", "FREE", "DELETABLE", "INCOMING", "ATTRIBUTES"],
                endpoints.map { e in
                    [
                        e.endpoint.name, e.endpoint.site, e.endpoint.kind.rawValue, String(e.files), ByteCount.describe(e.usedBytes),
                        e.endpoint.quotaBytes.map(ByteCount.describe) ?? "-", e.freeBytes.map(ByteCount.describe) ?? "-", ByteCount.describe(e.deletableBytes),
                        ByteCount.describe(e.incomingBytes),
                        e.endpoint.attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
                    ]
                }, rightAligned: [3, 4, 5, 6, 7, 8])
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One endpoint: its settings and usage.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument var name: String

        func run() async throws {
            let e = try await global.withStore { store in try await DataManagement.configured(store: store).endpoint(name) }
            if output.json { return try Output.json(e) }
            let endpoint = e.endpoint
            Output.line("endpoint \(endpoint.name): \(endpoint.kind.rawValue) at \(endpoint.site)")
            Output.line("prefix: \(endpoint.prefix)")
            Output.line("copy: \(endpoint.copyCommand)")
            if let recall = endpoint.recallCommand { Output.line("recall: \(recall)") }
            if let delete = endpoint.deleteCommand { Output.line("delete: \(delete)") }
            Output.line("time limit \(endpoint.timeoutSeconds) s, \(endpoint.concurrency) copies at once")
            Output.line(
                "used \(ByteCount.describe(e.usedBytes)) in \(e.files) files; quota \(endpoint.quotaBytes.map(ByteCount.describe) ?? "none"); free-space target \(endpoint.freeSpaceTargetBytes.map(ByteCount.describe) ?? "none"); deletable \(ByteCount.describe(e.deletableBytes)); incoming \(ByteCount.describe(e.incomingBytes))"
            )
            for (owner, quota) in endpoint.ownerQuotas.sorted(by: { $0.key < $1.key }) {
                Output.line("owner \(owner): holds \(ByteCount.describe(e.ownerUsage[owner] ?? 0)) of a quota of \(ByteCount.describe(quota))")
            }
            if !endpoint.attributes.isEmpty {
                Output.line("attributes: " + endpoint.attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            }
        }
    }
}
