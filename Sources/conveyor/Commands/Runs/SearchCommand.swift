import ArgumentParser
import ConveyorCore
import ConveyorRuns
import Foundation

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find data like the DataSearcher: run range, level, data tags (with NOT), quality, energy, type, magnet, site → files and run paths."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var filters: RunFilterOptions
    @Option(help: "raw, cdst, mdst or udst.") var level: String?
    @Option(help: "Data tags, comma-separated; '!TAG' or 'NOT:TAG' excludes (e.g. hlt_hadron,!hlt_mumu_2trk).") var tags: String?
    @Option(help: "Only files with a replica at this site.") var site: String?
    @Option(help: "good, bad or lost (default good).") var status = "good"
    @Flag(help: "Print only the run paths, one folder per line.") var paths = false

    func run() async throws {
        let search = try DataSearch(runs: try filters.query(), level: level, site: site, status: status, tags: tags)
        let result = try await global.withStore { store in try await FileCatalog(store: store).search(search) }
        if output.json { return try Output.json(result) }
        if paths {
            for run in result.runs { for path in run.paths { Output.line(path) } }
            return
        }
        Output.table(
            ["RUN", "FILES", "EVENTS", "PATHS"],
            result.runs.map { [$0.run.description, String($0.files), String($0.events), $0.paths.joined(separator: " ")] },
            rightAligned: [1, 2])
        Output.line("\(result.files.count) files in \(result.runs.count) runs")
    }
}
