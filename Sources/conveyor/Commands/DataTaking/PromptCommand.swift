import ArgumentParser
import ConveyorCore
import ConveyorDataTaking
import Foundation

struct PromptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompt",
        abstract: "The PromptReco handshake: runs locked in order, the first condition-safe run, releases, switches.",
        subcommands: [Configure.self, Status.self, Show.self, Cycle.self, Stop.self, Resume.self, Postpone.self, Abandon.self, GoOn.self, Calibrated.self]
    )

    struct Configure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the delays and the first run tracked (role manager).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "From a run's end to its PromptReco release.") var delay = "48h"
        @Option(help: "How long before its release a run is locked.") var lockOffset = "30m"
        @Option(help: "A run without an end record is closed at its last file after this long.") var closeAfter = "4h"
        @Option(help: "A run whose calibrations are all done is released this long after its end.") var minimumDelay = "8h"
        @Option(help: "Track runs from this one on (EXP:RUN).") var from: String?
        @Flag(help: "Stop tracking new runs.") var off = false

        func run() async throws {
            guard (from != nil) != off else { throw ConveyorError.invalidInput("give --from EXP:RUN to track runs, or --off") }
            let settings = PromptSettings(
                delaySeconds: Double(try AgeText.seconds(delay)), lockOffsetSeconds: Double(try AgeText.seconds(lockOffset)),
                closeAfterSeconds: Double(try AgeText.seconds(closeAfter)), minimumDelaySeconds: Double(try AgeText.seconds(minimumDelay)))
            let start = try from.map { try ExpRun(parsing: $0) }
            try await global.withStore { store in try await PromptReco(store: store).configure(settings, trackFrom: start, by: .currentLocalOperator) }
            Output.line(start.map { "tracking runs from \($0): release \(delay) after a run's end, locked \(lockOffset) before" } ?? "no new runs are tracked")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The first condition-safe run, the switches in force and the newest runs.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "How many runs.") var limit = 30

        func run() async throws {
            let status = try await global.withStore { store in try await PromptReco(store: store).status(limit: limit) }
            if output.json { return try Output.json(status) }
            Output.line("first condition-safe run: \(status.fcsr?.description ?? "none (no run tracked)")")
            Output.line("tracking: \(status.trackFrom.map { "from \($0)" } ?? "off")\(status.cycledAt.map { ", last cycle \($0.short)" } ?? "")")
            for line in status.switches where line.stopped { Output.line("STOPPED \(line.scope): \(line.reason) (\(line.actor), \(line.at.short))") }
            Output.table(
                ["RUN", "STAGE", "END", "LOCKED", "RELEASED", "NOTE"],
                status.runs.map { run in
                    [
                        run.run.description, run.stage, run.effectiveEnd?.short ?? "", run.lockedAt?.short ?? "", run.releasedAt?.short ?? "",
                        run.dispositionReason ?? run.closeReason ?? "",
                    ]
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One run's way through the handshake, event by event.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "EXP:RUN") var run: String

        func run() async throws {
            let id = try ExpRun(parsing: run)
            let detail = try await global.withStore { store in try await PromptReco(store: store).run(id) }
            if output.json { return try Output.json(detail) }
            Output.line("run \(detail.run.run): \(detail.run.stage)")
            for event in detail.events { Output.line("  \(event.at.short)  \(event.stage)  \(event.reason)  [\(event.actor)]") }
        }
    }

    struct Cycle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one handshake cycle now (the scheduler runs them), or at a simulated moment.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "A simulated moment (ISO 8601) instead of the clock.") var at: String?

        func run() async throws {
            let moment = try at.map { try Timestamp(parsing: $0) }
            let result = try await global.withStore { store in try await PromptReco(store: store).cycle(at: moment, actor: Actor.currentLocalOperator.name) }
            let plan = result.plan
            PromptCommand.report(plan)
            if let waiting = plan.waiting { Output.line("waiting: \(waiting)") }
            Output.line("first condition-safe run: \(plan.fcsr?.description ?? "none")\(result.tracked > 0 ? " (\(result.tracked) new run(s) tracked)" : "")")
        }
    }

    /// A cycle's closes, locks and releases, a line each.
    static func report(_ plan: PromptHandshake.Plan) {
        for step in plan.closes { Output.line("closed \(step.run): \(step.reason)") }
        for step in plan.locks { Output.line("locked \(step.run): \(step.reason)") }
        for step in plan.releases { Output.line("released \(step.run): \(step.reason)") }
    }

    /// Stops or resumes release for every run or one.
    static func setSwitch(stopped: Bool, _ run: String?, stream: String?, _ reason: String, _ global: GlobalOptions) async throws {
        if run != nil, stream != nil { throw ConveyorError.invalidInput("give --run or --stream, not both") }
        let scope: PromptSwitch.Scope =
            try run.map { .run(try ExpRun(parsing: $0)) } ?? (try stream.map { try PromptSwitch.Scope(parsing: "stream:\($0)") }) ?? .global
        try await global.withStore { store in try await PromptReco(store: store).setSwitch(scope, stopped: stopped, reason: reason, by: .currentLocalOperator) }
        Output.line("PromptReco \(stopped ? "stopped" : "resumed") (\(scope)): \(reason)")
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop PromptReco release for every run, or one (role manager).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this run (EXP:RUN).") var run: String?
        @Option(help: "Only this stream of live data taking (its runs' PromptReco is not submitted).") var stream: String?
        @Option(help: "Why.") var reason: String
        func run() async throws { try await PromptCommand.setSwitch(stopped: true, run, stream: stream, reason, global) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume PromptReco release for every run, or one (role manager).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this run (EXP:RUN).") var run: String?
        @Option(help: "Only this stream of live data taking (its runs' PromptReco is not submitted).") var stream: String?
        @Option(help: "Why.") var reason: String
        func run() async throws { try await PromptCommand.setSwitch(stopped: false, run, stream: stream, reason, global) }
    }

    /// A shifter's decision on a run.
    static func dispose(_ run: String, _ disposition: PromptRun.Disposition, _ reason: String, _ global: GlobalOptions) async throws {
        let id = try ExpRun(parsing: run)
        try await global.withStore { store in
            try await PromptReco(store: store).setDisposition(of: id, to: disposition, reason: reason, by: .currentLocalOperator)
        }
        Output.line("run \(id): \(disposition) (\(reason))")
    }

    struct Postpone: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hold a run found bad: locked in its turn, not released (role expert).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "EXP:RUN") var run: String
        @Option(help: "Why.") var reason: String
        func run() async throws { try await PromptCommand.dispose(run, .postponed, reason, global) }
    }

    struct Abandon: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Never release a run's PromptReco; it no longer holds up later runs (role expert).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "EXP:RUN") var run: String
        @Option(help: "Why.") var reason: String
        func run() async throws { try await PromptCommand.dispose(run, .abandoned, reason, global) }
    }

    struct GoOn: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "go-on", abstract: "Let a postponed run go on (role expert).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "EXP:RUN") var run: String
        @Option(help: "Why.") var reason: String
        func run() async throws { try await PromptCommand.dispose(run, .normal, reason, global) }
    }

    struct Calibrated: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that every calibration of a run is done: it may be released after the minimum delay (role expert).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "EXP:RUN") var run: String

        func run() async throws {
            let id = try ExpRun(parsing: run)
            try await global.withStore { store in try await PromptReco(store: store).markCalibrated(id, by: .currentLocalOperator) }
            Output.line("run \(id): every calibration done")
        }
    }
}

/// `conveyor fcsr`: the first condition-safe run, as the handshake's locks make it.
struct FCSRCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fcsr", abstract: "The first condition-safe run: the lowest run whose PromptReco is not locked.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let fcsr = try await global.withStore { store in try await PromptReco(store: store).firstConditionSafeRun() }
        if output.json { return try Output.json(["fcsr": fcsr?.description]) }
        guard let fcsr else {
            throw ConveyorError.notFound("no first condition-safe run: the handshake tracks no run (conveyor prompt configure --from EXP:RUN)")
        }
        Output.line(fcsr.description)
    }
}
