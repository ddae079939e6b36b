import ArgumentParser
import ConveyorCore
import ConveyorRequests
import ConveyorRuns
import ConveyorStore
import Foundation

struct FilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "The file catalog: register, list, show provenance, mark bad, luminosity behind a list.",
        subcommands: [
            Register.self, List.self, Show.self, MarkBad.self, Replica.self, Invalidate.self, Revalidate.self, Lumi.self, Normalise.self, Impact.self,
        ]
    )

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register files from a JSON list (or one object), all or nothing (role manager).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "A JSON file: [{lfn, size, adler32, sha256, events, run: {exp, run}, level, parents, replicas, …}].") var file: String

        func run() async throws {
            let data = try GlobalOptions.read(file)
            let files = try FileCatalog.decode(data, name: (file as NSString).lastPathComponent)
            let report = try await global.withStore { store in try await FileCatalog(store: store).register(files, by: .currentLocalOperator) }
            if output.json { return try Output.json(report) }
            Output.line("\(report.registered) registered, \(report.alreadyPresent) already present")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List files by run, level, data tag, site and status.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Experiment.") var exp: Int?
        @Option(help: "Run range FIRST-LAST.") var runs: String?
        @Option(help: "raw, cdst, mdst or udst.") var level: String?
        @Option(help: "Data tag or skim name.") var tag: String?
        @Option(help: "Only files with a replica at this site.") var site: String?
        @Option(help: "good, bad or lost.") var status: String?
        @Option(help: "At most this many.") var limit = 10_000

        struct Listing: Encodable { let files: [CatalogFile] }

        func run() async throws {
            let query = try FileQuery(exp: exp, runs: runs, level: level, dataTag: tag, site: site, status: status, limit: limit)
            let files = try await global.withStore { store in try await FileCatalog(store: store).list(query) }
            if output.json { return try Output.json(Listing(files: files)) }
            Output.table(
                ["LFN", "RUN", "LEVEL", "TAG", "EVENTS", "SIZE", "STATUS", "SITES"],
                files.map {
                    [
                        $0.lfn, $0.run.description, $0.level.rawValue, $0.dataTag ?? "", String($0.events), String($0.size), $0.status.rawValue,
                        $0.replicas.map(\.site).joined(separator: ","),
                    ]
                },
                rightAligned: [4, 5])
            Output.line("\(files.count) files, \(files.reduce(0) { $0 + $1.events }) events")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a file with its ancestors and descendants.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The LFN.") var lfn: String

        func run() async throws {
            let provenance = try await global.withStore { store in try await FileCatalog(store: store).show(lfn) }
            if output.json { return try Output.json(provenance) }
            let f = provenance.file
            Output.line("\(f.lfn)")
            Output.line("\(f.level) of run \(f.run)\(f.dataTag.map { ", \($0)" } ?? ""), \(f.events) events, \(f.size) bytes, \(f.status)")
            Output.line("adler32 \(f.adler32)  sha256 \(f.sha256)")
            if !f.release.isEmpty { Output.line("release \(f.release); global tags \(f.globalTags.joined(separator: ", "))") }
            if let at = f.conditionsResolvedAt {
                // What reproduces the job's constants: the same tags, as they were then.
                Output.line(
                    "conditions resolved at \(at.iso8601): conveyor payload resolve --gt \(f.globalTags.joined(separator: ",")) --run \(f.run) --as-of \(at.iso8601)"
                )
            }
            for replica in f.replicas { Output.line("replica \(replica.site) \(replica.storage.rawValue) \(replica.path) (\(replica.state.rawValue))") }
            for a in provenance.ancestors { Output.line("ancestor   \(String(repeating: "  ", count: a.depth - 1))\(a.lfn) (\(a.level))") }
            for d in provenance.descendants { Output.line("descendant \(String(repeating: "  ", count: d.depth - 1))\(d.lfn) (\(d.level))") }
        }
    }

    struct MarkBad: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "mark-bad", abstract: "Mark a file bad, with a reason (role expert).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The LFN.") var lfn: String
        @Option(help: "Why.") var reason: String

        func run() async throws {
            try await global.withStore { store in try await FileCatalog(store: store).markBad(lfn, reason: reason, by: .currentLocalOperator) }
            Output.line("\(lfn) is now bad")
        }
    }

    struct Replica: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a copy of a file at a site, e.g. once tape staging put it on disk (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The LFN.") var lfn: String
        @Option(help: "The site.") var site: String
        @Option(help: "The copy's path at the site.") var path: String
        @Option(help: "disk or tape.") var storage = "disk"
        @Option(help: "available, copying, bad or lost.") var state = "available"

        func run() async throws {
            let replica = ConveyorCore.Replica(site: site, storage: try StorageKind(parsing: storage), path: path, state: try ReplicaState(parsing: state))
            try await global.withStore { store in try await FileCatalog(store: store).saveReplica(replica, of: lfn, by: .currentLocalOperator) }
            Output.line("\(lfn): \(replica.storage.rawValue) copy at \(site) is \(replica.state.rawValue)")
        }
    }

    struct Invalidate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a bad input file out of a processing request until it is revalidated (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The input file's LFN.") var lfn: String
        @Option(help: "The request.") var request: String
        @Option(help: "Why (required).") var reason: String

        func run() async throws {
            let jobs = try await global.withStore { store in
                try await Requests(store: store).invalidate(lfn, in: request, reason: reason, by: .currentLocalOperator)
            }
            Output.line("\(lfn) is invalidated in request \(request) (\(jobs) job(s) skip it)")
        }
    }

    struct Revalidate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put an invalidated or Problematic input file back into a processing request (role manager).",
            discussion: "Jobs of a running request that have not run yet pick it up; otherwise `conveyor request resume NAME` processes it.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The input file's LFN.") var lfn: String
        @Option(help: "The request.") var request: String
        @Option(help: "Why, e.g. the patch that fixes it.") var reason = ""

        func run() async throws {
            let jobs = try await global.withStore { store in
                try await Requests(store: store).revalidate(lfn, in: request, reason: reason, by: .currentLocalOperator)
            }
            Output.line(
                "\(lfn) is Unused again in request \(request) (\(jobs) job(s)); if the request has ended, `conveyor request resume \(request)` processes it")
        }
    }

    struct Lumi: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The luminosity and events behind a list of files, and the runs it covers only in part.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "A file with one LFN per line.") var list: String

        func run() async throws {
            guard let text = try? String(contentsOfFile: list, encoding: .utf8) else { throw ConveyorError.invalidInput("cannot read '\(list)'") }
            let lfns = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
            let account = try await global.withStore { store in try await FileCatalog(store: store).luminosity(behind: lfns) }
            if output.json { return try Output.json(account) }
            Output.table(
                ["RUN", "RAW FILES", "LUMI /pb", "COVERAGE"],
                account.runs.map {
                    [
                        $0.run.description, "\($0.rawFilesCovered)/\($0.rawFilesInRun)", String(format: "%.3f", $0.luminosity),
                        $0.isPartial ? "partial" : "whole",
                    ]
                },
                rightAligned: [1, 2])
            Output.line(
                "\(lfns.count) files: \(account.events) events, \(String(format: "%.3f", account.luminosity)) /pb (\(String(format: "%.4f", account.luminosity / 1000)) /fb)"
            )
            if !account.partlyCoveredRuns.isEmpty {
                Output.line("partly covered runs: \(account.partlyCoveredRuns.map(\.description).joined(separator: ", "))")
            }
        }
    }
}
