import ArgumentParser
import ConveyorCore
import ConveyorMonteCarlo
import Foundation

/// `conveyor mc campaign`: official MC campaigns and their tables.
struct MonteCarloCampaignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign", abstract: "MC campaigns: one release and tag stack for all their samples.",
        subcommands: [Add.self, List.self, Show.self, Status.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a campaign (role manager).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The campaign's name, e.g. MC12.") var name: String
        @Option(help: "The release.") var release: String
        @Option(help: "Global tags, comma-separated, highest priority first (run-dependent samples use each run's own).") var globalTags: String
        @Option(help: "The generation program (event type, events, seed and background come in CONVEYOR_* variables).") var program: String
        @Option(help: "A site as NAME:POOL[:STORAGE]; repeat for more.") var site: [String]
        @Option(help: "The data tag of the runs' random-trigger files.") var backgroundTag = "hlt_random"
        @Option(help: "The experiment whose geometry run-independent samples simulate.") var exp = 0
        @Option(help: "The energy folder of the paths.") var energy = "4S"
        @Option(help: "The top of the paths.") var base = "/belle/MC"
        @Option(help: "What the campaign is.") var description = ""

        func run() async throws {
            var sites: [ProcessingRequest.Site] = []
            for text in site {
                let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
                guard parts.count >= 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw ConveyorError.invalidInput("--site takes NAME:POOL[:STORAGE], not '\(text)'")
                }
                sites.append(.init(name: parts[0], pool: parts[1], storage: parts.count > 2 ? parts[2] : ""))
            }
            let campaign = try MonteCarloCampaign(
                name: name, release: release, globalTags: globalTags.split(separator: ",").map(String.init), program: program, sites: sites,
                backgroundTag: backgroundTag, exp: exp, energy: energy, base: base, description: description)
            let made = try await global.withStore { store in try await MonteCarloProduction(store: store).createCampaign(campaign, by: .currentLocalOperator) }
            if output.json { return try Output.json(made) }
            Output.line(
                "MC campaign \(made.name) created: \(made.release), tags \(made.globalTags.joined(separator: ",")); physics groups file requests with conveyor mc request \(made.name)"
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every campaign with its requests and events.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let campaigns = try await global.withStore { store in try await MonteCarloProduction(store: store).campaigns() }
            if output.json { return try Output.json(campaigns) }
            guard !campaigns.isEmpty else { return Output.line("no MC campaigns") }
            Output.table(
                ["CAMPAIGN", "STATUS", "RELEASE", "REQUESTS", "EVENTS", "MADE", "JOBS"],
                campaigns.map {
                    [
                        $0.campaign.name, $0.campaign.status.rawValue, $0.campaign.release, String($0.requests), String($0.events), String($0.eventsDone),
                        "\($0.jobsDone)/\($0.jobs)",
                    ]
                }, rightAligned: [3, 4, 5])
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A campaign's table, as seed 001's: each request by physics group with its state.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The campaign.") var name: String
        @Option(help: "Only requests in this state.") var state: String?

        func run() async throws {
            let only = try state.map { try MonteCarloRequestState(parsing: $0) }
            let report = try await global.withStore { store in try await MonteCarloProduction(store: store).campaign(name) }
            if output.json { return try Output.json(report) }
            let c = report.summary.campaign
            Output.line("MC campaign \(c.name) (\(c.status.rawValue)): \(c.release), tags \(c.globalTags.joined(separator: ",")), LPN \(report.lpnBase)/")
            Output.line(
                "\(report.summary.requests) request(s): "
                    + MonteCarloRequestState.allCases.compactMap { s in report.summary.byState[s.rawValue].map { "\($0) \(s.rawValue)" } }.joined(
                        separator: ", "))
            Output.table(
                ["ID", "GROUP", "PRIORITY", "EVENT TYPE", "EVENTS", "BACKGROUND", "RUNS", "STATE", "DONE"],
                report.requests.filter { only == nil || $0.state == only }.map {
                    [
                        String($0.id), $0.group, "\($0.priority.rawValue) \($0.priority.name)", $0.eventType, String($0.events),
                        $0.background.rawValue.uppercased(),
                        $0.runs ?? "-", $0.state.rawValue, $0.jobs > 0 ? "\($0.jobsDone)/\($0.jobs)" : "-",
                    ]
                }, rightAligned: [0, 4])
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open or close a campaign (role manager): a closed one takes no new requests.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The campaign.") var name: String
        @Argument(help: "open or closed.") var status: String

        func run() async throws {
            let value = try MonteCarloCampaign.Status(parsing: status)
            try await global.withStore { store in try await MonteCarloProduction(store: store).setStatus(ofCampaign: name, to: value, by: .currentLocalOperator)
            }
            Output.line("MC campaign \(name) is \(value.rawValue)")
        }
    }
}
