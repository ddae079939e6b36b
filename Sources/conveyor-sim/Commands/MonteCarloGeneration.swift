import ArgumentParser
import Foundation

/// MC production's program: generates events of one event type with a run's true constants and
/// detector problems, overlays one random-trigger event of the run on each (BGx1), and
/// reconstructs them with the job's conditions into an mDST of the same format as data. The same
/// seed gives the same file, byte for byte.
struct MonteCarloGeneration: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mc", abstract: "Generate, simulate and reconstruct MC events of an event type, with background overlaid from random-trigger data.")
    @Option(help: "Event type: \(Self.eventTypes.keys.sorted().joined(separator: ", ")) (default $CONVEYOR_EVENT_TYPE).") var eventType: String?
    @Option(help: "Events to generate (default $CONVEYOR_EVENTS).") var events: Int?
    @Option(help: "Random seed (default $CONVEYOR_SEED).") var seed: UInt64?
    @Option(help: "Experiment (default $CONVEYOR_EXP).") var exp: Int?
    @Option(name: .customLong("run"), help: "Run whose true constants are simulated; 0 for run-independent MC (default $CONVEYOR_RUN).") var runNumber: Int?
    @Option(help: "bgx0 or bgx1 (default $CONVEYOR_BACKGROUND, else bgx0).") var background: String?
    @Option(help: "Output mDST (default $CONVEYOR_OUTPUT).") var output: String?
    @Option(help: "Folder of payload files (default $CONVEYOR_CONDITIONS; none: nominal constants).") var conditions: String?
    @Argument(help: "Random-trigger raw files to overlay (default $CONVEYOR_INPUT).") var backgroundFiles: [String] = []

    /// The event types this program understands, and the kind of event each generates (nil: a
    /// mixture as the trigger sees it).
    static let eventTypes: [String: Physics.Trigger?] = [
        "bhabha": .bhabha, "gamma_gamma": .gammaGamma, "hadron": .hadron, "mumu": .mumu, "generic": nil,
    ]

    func run() throws {
        let clock = ContinuousClock.now
        let type = try JobVariables.required(eventType, "CONVEYOR_EVENT_TYPE", "event type")
        guard let kind = Self.eventTypes[type] else {
            throw SimulationError("unknown event type '\(type)' (this generator knows \(Self.eventTypes.keys.sorted().joined(separator: ", ")))")
        }
        guard let count = events ?? JobVariables.value("CONVEYOR_EVENTS").flatMap({ Int($0) }), count > 0, count <= 10_000_000 else {
            throw SimulationError("the number of events is 1 to 10000000 (give --events, or set CONVEYOR_EVENTS)")
        }
        guard let seed = seed ?? JobVariables.value("CONVEYOR_SEED").flatMap({ UInt64($0) }) else {
            throw SimulationError("no seed (give --seed, or set CONVEYOR_SEED)")
        }
        let exp = exp ?? JobVariables.value("CONVEYOR_EXP").flatMap { Int($0) } ?? 0
        let run = runNumber ?? JobVariables.value("CONVEYOR_RUN").flatMap { Int($0) } ?? 0
        guard exp >= 0, run >= 0 else { throw SimulationError("the experiment and run are non-negative") }
        let level = background ?? JobVariables.value("CONVEYOR_BACKGROUND") ?? "bgx0"
        guard level == "bgx0" || level == "bgx1" else { throw SimulationError("the background level is bgx0 or bgx1, not \(level)") }
        let output = try JobVariables.required(output, "CONVEYOR_OUTPUT", "output file")
        let constants = try Constants(directory: conditions ?? JobVariables.value("CONVEYOR_CONDITIONS"))

        var overlay: [RawEvent] = []
        if level == "bgx1" {
            for path in try JobVariables.inputs(backgroundFiles) {
                let file = try EventFile.read(path)
                guard file.level == .raw else { throw SimulationError("\(path) is not raw data") }
                guard file.run == UInt32(run), file.exp == UInt32(exp) else {
                    throw SimulationError("\(path) holds run \(file.exp):\(file.run), not the simulated run \(exp):\(run)")
                }
                overlay += file.records.map(RawEvent.init(record:))
            }
            guard !overlay.isEmpty else { throw SimulationError("the background files hold no events") }
        }

        var random = Random(seed: seed)
        // Run 0 is the ideal detector of run-independent MC; a data run brings its problems along.
        let truth = Physics.TrueConstants(run: run)
        let problems = run > 0 ? DetectorProblems(run: run) : DetectorProblems(run: 1)
        var noise = DetectorProblems.random(seed: seed, exp: exp, run: run)
        let start = overlay.isEmpty ? 0 : Int(seed % UInt64(overlay.count))
        var records: [[UInt8]] = []
        records.reserveCapacity(count)
        for index in 0..<count {
            var event = RawEvent(number: UInt32(index), truth: truth, random: &random, forcing: kind)
            problems.apply(to: &event, index: index, of: count, random: &noise)
            if !overlay.isEmpty {
                // Pile-up: a share of the background event's energy in the clusters, its hits in the chamber.
                let background = overlay[(start + index) % overlay.count]
                event.adc1 += 0.05 * background.adc1
                event.adc2 += 0.05 * background.adc2
                event.superlayers |= background.superlayers
            }
            records.append(RecoEvent(event, constants: constants).record(.mdst))
        }
        try EventFile(level: .mdst, exp: UInt32(exp), run: UInt32(run), records: records, recordSize: RecoEvent.mdstSize).write(to: output)
        var report = [("events", String(count)), ("event_type", type), ("seed", String(seed)), ("background", level)]
        if !overlay.isEmpty {
            report.append(("background_events", String(min(overlay.count, count))))
            report.append(("background_reuse", String(format: "%.2f", Double(count) / Double(overlay.count))))
        }
        report.append(("seconds", String(format: "%.3f", (ContinuousClock.now - clock).seconds)))
        JobVariables.report(report)
    }
}
