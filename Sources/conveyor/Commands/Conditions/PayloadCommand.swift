import ArgumentParser
import ConveyorConditions
import ConveyorCore
import Foundation

struct PayloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payload",
        abstract: "Payloads: upload into a tag, download, list revisions, resolve for a run.",
        subcommands: [Upload.self, Append.self, Download.self, List.self, Resolve.self]
    )

    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Store a payload file and give it an IoV in an OPEN tag (role expert).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The payload name, e.g. BeamSpot.") var name: String
        @Argument(help: "The file to upload.") var file: String
        @Option(help: "The OPEN global tag.") var gt: String
        @Option(help: "The interval of validity: e1,r1,e2,r2 (-1,-1 for open-ended).") var iov: String
        @Option(help: "What this revision is.") var description = ""
        @Option(help: "Refuse the upload unless the file's SHA-256 is this.") var sha256: String?

        func run() async throws {
            let iov = try IntervalOfValidity(parsing: iov)
            let bytes = try GlobalOptions.read(file)
            try await global.withStore { store in
                let result = try await ConditionsDatabase(store: store).upload(
                    name: name, bytes: bytes, intoTag: gt, iov: iov, description: description, expectedSHA256: sha256, by: .currentLocalOperator
                )
                if output.json { return try Output.json(result) }
                Output.line(
                    "\(result.payload.name) rev \(result.payload.revision) (\(result.isNewRevision ? "new" : "identical bytes, existing revision")) in \(gt) for \(result.iov)"
                )
            }
        }
    }

    struct Append: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append a payload to a synchronised tag from a run on: the start follows the tag's synchronisation type (role expert).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The payload name, e.g. BeamSpot.") var name: String
        @Argument(help: "The file to append.") var file: String
        @Option(help: "The OPEN or RUNNING tag with a synchronisation type.") var gt: String
        @Option(help: "The first run asked for (EXP:RUN); it may be moved up, never onto a locked run.") var since: String
        @Option(help: "What this revision is.") var description = ""
        @Flag(help: "Only say which first run the IoV would get.") var dryRun = false

        func run() async throws {
            let since = try ExpRun(parsing: since)
            let bytes = try GlobalOptions.read(file)
            let result = try await global.withStore { store in
                try await ConditionsDatabase(store: store).append(
                    name: name, bytes: bytes, intoTag: gt, since: since, description: description, dryRun: dryRun, by: .currentLocalOperator)
            }
            if output.json { return try Output.json(result) }
            let start = "\(result.firstRun)\(result.movedUp ? " (asked \(result.requested))" : ""): \(result.reason)"
            if dryRun { return Output.line("would start at \(start); first condition-safe run \(result.fcsr?.description ?? "none")") }
            Output.line("\(name) rev \(result.payload?.revision ?? 0) in \(gt) for \(result.iov), from \(start)")
            if let closed = result.closedIoV { Output.line("the IoV before it now ends: \(closed)") }
        }
    }

    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a payload's bytes to a file (or stdout).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The payload name.") var name: String
        @Argument(help: "The revision.") var revision: Int
        @Option(name: .shortAndLong, help: "The file to write (default: stdout).") var output: String?

        func run() async throws {
            try await global.withStore { store in
                let (payload, bytes) = try await ConditionsDatabase(store: store).download(name: name, revision: revision)
                if let output {
                    guard FileManager.default.createFile(atPath: output, contents: bytes) else {
                        throw ConveyorError.invalidInput("cannot write '\(output)'")
                    }
                    Output.warn("wrote \(payload.size) bytes of \(name) rev \(revision) to \(output) (sha256 \(payload.sha256))")
                } else {
                    FileHandle.standardOutput.write(bytes)
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the revisions of a payload name.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The payload name.") var name: String
        @OptionGroup var asOf: AsOfOption

        struct Listing: Encodable { let payloads: [Payload] }

        func run() async throws {
            let moment = try asOf.timestamp
            try await global.withStore { store in
                let payloads = try await ConditionsDatabase(store: store).payloads(named: name, asOf: moment)
                if output.json { return try Output.json(Listing(payloads: payloads)) }
                Output.table(
                    ["NAME", "REV", "SIZE", "SHA256", "CREATED", "BY", "DESCRIPTION"],
                    payloads.map {
                        [$0.name, String($0.revision), String($0.size), String($0.sha256.prefix(16)), $0.createdAt.short, $0.creator, $0.description]
                    },
                    rightAligned: [1, 2])
            }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Which payloads a job gets for a run from an ordered stack of tags (the first tag that covers the run wins)."
        )
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The tags, highest priority first, comma-separated.") var gt: String
        @Option(help: "The run (EXP:RUN).") var run: String
        @Argument(help: "Only these payload names (default: all).") var names: [String] = []
        @OptionGroup var asOf: AsOfOption
        @Flag(help: "Allow OPEN tags (they may still change).") var allowOpen = false
        @Option(help: "Read an exported folder ('gt export') instead of a database.") var local: String?

        struct Listing: Encodable { let run: ExpRun; let payloads: [Resolution] }

        func run() async throws {
            let run = try GlobalOptions.run(run)
            let moment = try asOf.timestamp
            let tags = gt.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let wanted = names.isEmpty ? nil : names
            let found: [Resolution]
            if let local {
                if moment != nil { throw ConveyorError.invalidInput("--as-of needs the database; an exported folder holds one moment") }
                found = try await LocalConditions.resolve(directory: local, tags: tags, at: run, names: wanted, allowOpen: allowOpen)
            } else {
                found = try await global.withStore { store in
                    try await ConditionsDatabase(store: store).resolve(tags: tags, at: run, names: wanted, asOf: moment, allowOpen: allowOpen)
                }
            }
            if output.json { return try Output.json(Listing(run: run, payloads: found)) }
            Output.table(
                ["NAME", "REV", "SHA256", "IOV", "TAG"], found.map { [$0.name, String($0.revision), $0.sha256, $0.iov.description, $0.tag] }, rightAligned: [1])
        }
    }
}
