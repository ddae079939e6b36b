import ArgumentParser
import ConveyorCore
import ConveyorMonteCarlo
import Foundation

/// `conveyor mc`: MC production, from a physics group's request to a released sample.
struct MonteCarloCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mc",
        abstract: "MC production: campaigns, requests from physics groups, test jobs, run-dependent productions and their progress.",
        subcommands: [
            MonteCarloCampaignCommand.self, Request.self, Show.self, Approve.self, Reject.self, Release.self, Remove.self, Priority.self, Test.self, Plan.self,
            Submit.self,
        ])

    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "File a request for a sample in a campaign (role expert: the group's liaison).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The campaign.") var campaign: String
        @Option(help: "The physics working group.") var group: String
        @Option(help: "Who files it for the group (default: you).") var liaison: String?
        @Option(help: "The event type: a generator configuration the campaign's program knows.") var eventType: String
        @Option(help: "Events to produce.") var events: Int64
        @Option(help: "Background: bgx0 (none) or bgx1 (nominal, from random-trigger data).") var background = "bgx1"
        @Option(help: "0 trivial, 1 minor, 2 major, 3 critical, 4 blocker (or the name).") var priority = "2"
        @Option(help: "EXP:FIRST-LAST for run-dependent MC; none for a run-independent sample.") var runs: String?
        @Option(help: "Largest job, in events.") var eventsPerJob = MonteCarloRequest.defaultEventsPerJob
        @Option(help: "What the sample is for.") var comment = ""

        func run() async throws {
            let operatorName = Actor.currentLocalOperator.name
            let request = try MonteCarloRequest(
                campaign: campaign, group: group, liaison: liaison ?? operatorName, eventType: eventType, events: events,
                background: try MonteCarloRequest.Background(parsing: background), priority: try MonteCarloRequest.Priority(parsing: priority), runs: runs,
                eventsPerJob: eventsPerJob, comment: comment)
            let filed = try await global.withStore { store in try await MonteCarloProduction(store: store).file(request, by: .currentLocalOperator) }
            if output.json { return try Output.json(filed) }
            Output.line("MC request \(filed.id) filed in \(filed.campaign): \(filed.label); awaiting the MC manager (conveyor mc approve \(filed.id))")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A request: its state and history, its path, its progress and when it will be done.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The request's id.") var id: Int64

        func run() async throws {
            let detail = try await global.withStore { store in try await MonteCarloProduction(store: store).request(id) }
            if output.json { return try Output.json(detail) }
            let r = detail.request
            Output.line("MC request \(r.label)")
            Output.line("  campaign \(r.campaign), group \(r.group), liaison \(r.liaison), priority \(r.priority.rawValue) (\(r.priority.name))")
            Output.line("  state: \(r.state.rawValue) — \(r.state.key)\(r.production.map { "; production \($0)" } ?? "")")
            Output.line("  LPN: \(detail.lpn)")
            if r.jobs > 0 {
                Output.line(
                    "  progress: \(r.jobsDone) of \(r.jobs) jobs, \(r.eventsDone) of \(r.events) events, \(String(format: "%.1f", r.cpuSeconds)) s CPU")
            }
            if let estimate = detail.estimate {
                let when = estimate.secondsLeft.map { String(format: "done in about %.0f s", $0) } ?? "no estimate"
                Output.line("  estimate: \(when) — \(estimate.basis)")
            }
            if !r.comment.isEmpty { Output.line("  comment: \(r.comment)") }
            Output.table(
                ["WHEN", "FROM", "TO", "BY", "WHY"],
                detail.history.map { [$0.at.description, $0.from?.rawValue ?? "-", $0.to.rawValue, $0.by, $0.reason] })
        }
    }

    /// A decision of the MC manager on one request.
    struct Decision: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The request's id.") var id: Int64
        @Option(help: "Why (kept in the request's history).") var reason = ""

        func decide(_ state: MonteCarloRequestState) async throws {
            let request = try await global.withStore { store in
                try await MonteCarloProduction(store: store).decide(id, to: state, reason: reason, by: .currentLocalOperator)
            }
            Output.line("MC request \(request.id) is \(request.state.rawValue)")
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a requested sample (role manager); next its test job.")
        @OptionGroup var decision: Decision
        func run() async throws { try await decision.decide(.approved) }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a request, with a reason (role manager).")
        @OptionGroup var decision: Decision
        func run() async throws { try await decision.decide(.rejected) }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Release a produced sample for analysis (role manager).")
        @OptionGroup var decision: Decision
        func run() async throws { try await decision.decide(.released) }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a sample not produced or removed, with a reason (role manager).")
        @OptionGroup var decision: Decision
        func run() async throws { try await decision.decide(.removed) }
    }

    struct Priority: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a request's priority before submission: 0 trivial … 4 blocker (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The request's id.") var id: Int64
        @Argument(help: "0–4 or trivial, minor, major, critical, blocker.") var priority: String

        func run() async throws {
            let level = try MonteCarloRequest.Priority(parsing: priority)
            try await global.withStore { store in try await MonteCarloProduction(store: store).setPriority(id, to: level, by: .currentLocalOperator) }
            Output.line("MC request \(id): priority \(level.rawValue) (\(level.name))")
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Run a test job of an approved request here: \(MonteCarloProduction.testEvents) events of its event type (role manager); a pass makes it ready."
        )
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The request's id.") var id: Int64

        func run() async throws {
            let result = try await global.withStore { store in try await MonteCarloProduction(store: store).test(id, by: .currentLocalOperator) }
            if output.json { return try Output.json(result) }
            Output.line("MC request \(id): test job passed, \(result.detail); ready (conveyor mc submit \(id))")
        }
    }

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What a request would run: events and tags per run, jobs, and background reuse.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The request's id.") var id: Int64

        func run() async throws {
            let plan = try await global.withStore { store in try await MonteCarloProduction(store: store).plan(id) }
            if output.json { return try Output.json(plan) }
            Self.print(plan)
        }

        static func print(_ plan: MonteCarloProduction.Plan) {
            let events = plan.runs.reduce(0) { $0 + $1.events }
            Output.line(
                "\(events) events in \(plan.runs.count) run(s), \(plan.jobs) job(s)"
                    + (plan.luminosity > 0 ? String(format: ", %.2f /pb of GOOD runs", plan.luminosity) : "") + "; \(plan.reuse)")
            let reuse = Dictionary(plan.background.map { ($0.run, $0) }, uniquingKeysWith: { a, _ in a })
            Output.table(
                ["RUN", "EVENTS", "TAGS", "BACKGROUND", "REUSE"],
                plan.runs.map { run in
                    let use = reuse[run.run]
                    return [
                        run.run.description, String(run.events), run.globalTags.joined(separator: ","),
                        use.map { "\($0.backgroundEvents) in \($0.files) file(s)" } ?? "-",
                        use.map { String(format: "%.2f×", $0.reuse) } ?? "-",
                    ]
                }, rightAligned: [1])
        }
    }

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit a ready request (role manager): a production mc-ID whose jobs carry their seeds, run in job arrays below data in priority.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The request's id.") var id: Int64

        func run() async throws {
            let (submission, plan) = try await global.withStore { store in try await MonteCarloProduction(store: store).submit(id, by: .currentLocalOperator) }
            if output.json { return try Output.json(submission) }
            Output.line("MC request \(id) submitted as request \(submission.request): workflow \(submission.workflowID), \(submission.jobs) jobs")
            Plan.print(plan)
        }
    }
}
