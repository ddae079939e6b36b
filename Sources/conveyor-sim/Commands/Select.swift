import ArgumentParser
import Foundation

/// A physics selection, following Conveyor's selection protocol: reads the mDST files of
/// `$CONVEYOR_INPUT`, writes the ordinal of every event it keeps (counted over the inputs in
/// order) to `$CONVEYOR_SELECTED`, and the kept events to `$CONVEYOR_OUTPUT` when it is set.
struct Select: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Select mDST events by cuts on reconstructed quantities (the selection protocol).")
    @Option(help: "Trigger names, comma-separated: keep events that fired any of them.") var trigger: String?
    @Option(help: "Pair mass window LO-HI, GeV.") var mass: String?
    @Option(help: "Largest |vx - beam spot x| in cm, with the beam spot at 0.04.") var vertex: Double?
    @Option(help: "Keep one event in N of those that pass (default $CONVEYOR_PRESCALE or 1), by event number.") var prescale: Int?
    @Flag(help: "Crash on the first event (to try the automatic tests).") var crash = false
    @Option(help: "Where the kept ordinals go (default $CONVEYOR_SELECTED).") var selected: String?
    @Option(help: "Where the kept events go (default $CONVEYOR_OUTPUT; none when unset).") var output: String?
    @Argument(help: "mDST files (default $CONVEYOR_INPUT).") var inputs: [String] = []

    func run() throws {
        let cuts = try Cuts(
            trigger: trigger, mass: mass, vertex: vertex, prescale: prescale ?? JobVariables.value("CONVEYOR_PRESCALE").flatMap { Int($0) } ?? 1)
        let selectedPath = try JobVariables.required(selected, "CONVEYOR_SELECTED", "list of kept events")
        var ordinals: [Int] = []
        var kept: [[UInt8]] = []
        var header: EventFile?
        var ordinal = 0
        for path in try JobVariables.inputs(inputs) {
            let file = try EventFile.read(path)
            guard file.level == .mdst else { throw SimulationError("\(path) is not an mDST") }
            header = header ?? file
            for record in file.records {
                if crash {
                    // Asked for by --crash: dies by a signal, as a broken selection would, for the automatic tests to catch.
                    FileHandle.standardError.write(Data("selection crashes on event \(ordinal) (--crash)\n".utf8))
                    kill(getpid(), SIGSEGV)
                }
                if cuts.keeps(RecoEvent(record: record, level: .mdst)) {
                    ordinals.append(ordinal)
                    kept.append(record)
                }
                ordinal += 1
            }
        }
        try (ordinals.map(String.init).joined(separator: "\n") + (ordinals.isEmpty ? "" : "\n")).write(toFile: selectedPath, atomically: true, encoding: .utf8)
        if let out = output ?? JobVariables.value("CONVEYOR_OUTPUT"), let header {
            try EventFile(level: .udst, exp: header.exp, run: header.run, records: kept, recordSize: RecoEvent.mdstSize).write(to: out)
        }
        JobVariables.report([("events", String(kept.count)), ("read", String(ordinal))])
    }

    struct Cuts {
        var mask: UInt8 = 0
        var mass: ClosedRange<Double>?
        var vertex: Double?
        var prescale: Int

        init(trigger: String?, mass: String?, vertex: Double?, prescale: Int) throws {
            for name in trigger?.split(separator: ",") ?? [] {
                guard let t = Physics.Trigger(named: String(name)) else { throw SimulationError("unknown trigger '\(name)'") }
                mask |= t.rawValue
            }
            if let mass {
                let parts = mass.split(separator: "-").compactMap { Double($0) }
                guard parts.count == 2, parts[0] <= parts[1] else { throw SimulationError("a mass window is LO-HI, not '\(mass)'") }
                self.mass = parts[0]...parts[1]
            }
            self.vertex = vertex
            guard prescale >= 1 else { throw SimulationError("the prescale is at least 1") }
            self.prescale = prescale
        }

        func keeps(_ event: RecoEvent) -> Bool {
            if mask != 0, event.triggers & mask == 0 { return false }
            if let mass, !mass.contains(event.mass) { return false }
            if let vertex, abs(event.vx - 0.04) > vertex { return false }
            return prescale == 1 || Int(event.number) % prescale == 0
        }
    }
}
