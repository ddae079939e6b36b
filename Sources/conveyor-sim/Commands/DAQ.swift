import ArgumentParser
import Foundation

/// Data taking as a data acquisition feeds it: runs one after another, each a start record, raw
/// files written during the run, and an end record, dropped into an inbox folder for
/// `conveyor daq watch` (each record written under a hidden name, then renamed into place, so
/// that a reader never sees half of one). Now and then a run never gets its end record.
struct DAQ: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daq", abstract: "Take runs one after another into an inbox folder: start, raw files as they are written, end.")
    @Option(help: "Experiment.") var exp = 8
    @Option(help: "Runs, FIRST-LAST.") var runs = "1-5"
    @Option(help: "Events per run.") var events = 2_000
    @Option(help: "Raw files per run, written one after another during the run.") var filesPerRun = 2
    @Option(help: "How long a run takes, seconds.") var runSeconds: Double = 2
    @Option(help: "Seconds between runs.") var gapSeconds: Double = 0.5
    @Option(help: "The inbox folder the records go to.") var inbox: String
    @Option(help: "Where the raw files are written.") var out: String
    @Option(help: "The site whose disk holds them.") var site = "DEMO"
    @Option(help: "Runs that never get their end record, e.g. 3,7.") var noEnd = ""
    @Option(help: "Seed of the random numbers.") var seed: UInt64 = 2026

    func run() throws {
        let parts = runs.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 1, parts[0] <= parts[1] else { throw SimulationError("--runs takes FIRST-LAST, e.g. 1-5") }
        guard events > 0, filesPerRun > 0, filesPerRun <= events else {
            throw SimulationError("--events and --files-per-run must be positive, with no more files than events")
        }
        guard runSeconds >= 0, gapSeconds >= 0 else { throw SimulationError("--run-seconds and --gap-seconds are zero or more") }
        let lost = Set(noEnd.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) })
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        let format = ISO8601DateFormatter()
        format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var sequence = 0
        func drop(_ name: String, _ record: [String: Any]) throws {
            sequence += 1
            let file = String(format: "%08d-%@.json", sequence, name)
            let data = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
            let hidden = "\(inbox)/.\(file).tmp"
            try data.write(to: URL(fileURLWithPath: hidden))
            try FileManager.default.moveItem(atPath: hidden, toPath: "\(inbox)/\(file)")
        }
        for run in parts[0]...parts[1] {
            let label = "\(exp):\(run)"
            try drop("r\(run)-start", ["kind": "start", "run": label, "at": format.string(from: Date()), "energy": "4S", "type": "physics"])
            var random = Random(seed: seed &+ UInt64(exp) << 32 &+ UInt64(run))
            let truth = Physics.TrueConstants(run: run)
            let problems = DetectorProblems(run: run)
            var noise = DetectorProblems.random(seed: seed, exp: exp, run: run)
            var number: UInt32 = 0
            for index in 0..<filesPerRun {
                let count = events / filesPerRun + (index < events % filesPerRun ? 1 : 0)
                let records = (0..<count).map { _ in
                    defer { number += 1 }
                    var event = RawEvent(number: number, truth: truth, random: &random)
                    problems.apply(to: &event, index: Int(number), of: events, random: &noise)
                    return event.record
                }
                Thread.sleep(forTimeInterval: runSeconds / Double(filesPerRun))
                let name = "r\(String(format: "%05d", run))_\(index).raw"
                let path = "\(out)/raw/e\(String(format: "%04d", exp))/\(name)"
                try EventFile(level: .raw, exp: UInt32(exp), run: UInt32(run), records: records, recordSize: RawEvent.size).write(to: path)
                try drop(
                    "r\(run)-file\(index)",
                    [
                        "kind": "written", "run": label, "site": site,
                        "written": [
                            ["lfn": "/daq/raw/e\(String(format: "%04d", exp))/r\(String(format: "%05d", run))/\(name)", "path": path, "events": count]
                        ],
                    ])
            }
            if !lost.contains(run) {
                try drop(
                    "r\(run)-end",
                    ["kind": "end", "run": label, "at": format.string(from: Date()), "events": events, "onlineLuminosity": Physics.luminosity(events: events)])
            }
            print("run \(label): \(events) events in \(filesPerRun) file(s)\(lost.contains(run) ? ", no end record" : "")")
            Thread.sleep(forTimeInterval: gapSeconds)
        }
    }
}
