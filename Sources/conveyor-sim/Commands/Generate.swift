import ArgumentParser
import Foundation

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate runs: one raw file per run and a run summary; some runs have detector problems the monitoring sees.")
    @Option(help: "Experiment.") var exp = 8
    @Option(help: "Runs, FIRST-LAST.") var runs = "1-20"
    @Option(help: "Events per run.") var events = 20_000
    @Option(help: "Output folder (raw files under raw/).") var out: String
    @Option(help: "Seed of the random numbers.") var seed: UInt64 = 2026

    func run() throws {
        let parts = runs.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 1, parts[0] <= parts[1] else { throw SimulationError("--runs takes FIRST-LAST, e.g. 1-20") }
        guard events > 0 else { throw SimulationError("--events must be positive") }
        var summary = "exp,run,type,start,stop,events,online_lumi\n"
        let start = Date(timeIntervalSince1970: 1_793_000_000)
        let format = ISO8601DateFormatter()
        for run in parts[0]...parts[1] {
            var random = Random(seed: seed &+ UInt64(exp) << 32 &+ UInt64(run))
            let truth = Physics.TrueConstants(run: run)
            let problems = DetectorProblems(run: run)
            var noise = DetectorProblems.random(seed: seed, exp: exp, run: run)
            let records = (0..<events).map { index in
                var event = RawEvent(number: UInt32(index), truth: truth, random: &random)
                problems.apply(to: &event, index: index, of: events, random: &noise)
                return event.record
            }
            try EventFile(level: .raw, exp: UInt32(exp), run: UInt32(run), records: records, recordSize: RawEvent.size)
                .write(to: "\(out)/raw/e\(String(format: "%04d", exp))/r\(String(format: "%05d", run)).raw")
            let begin = start.addingTimeInterval(Double(run - parts[0]) * 3_600), end = begin.addingTimeInterval(3_000)
            summary += "\(exp),\(run),physics,\(format.string(from: begin)),\(format.string(from: end)),\(events),\(Physics.luminosity(events: events))\n"
        }
        try summary.write(toFile: "\(out)/runs.csv", atomically: true, encoding: .utf8)
        print("simulated runs \(runs) of experiment \(exp), \(events) events each, in \(out)/raw")
    }
}
