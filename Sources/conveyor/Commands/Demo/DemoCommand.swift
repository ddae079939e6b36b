import ArgumentParser
import ConveyorCore
import Foundation

/// `conveyor demo`: a whole prompt bucket of the simulated experiment, from an empty folder.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a full prompt bucket of a simulated experiment end to end: runs, quality, calibration, sign-offs, processing.",
        discussion: """
            From an empty folder: creates the database, simulates the runs (conveyor-sim, built beside conveyor), registers runs \
            and raw files, certifies run quality, creates a bucket, submits a prompt request, signs off as demo people (and says so), \
            runs every job on this machine, and ends with a summary. A second run in the same folder reports the processed bucket.
            """
    )

    @Option(help: "Runs to simulate (default 20; --live 6).") var runs: Int?
    @Option(help: "Events per run (default 20,000; --live 2,000).") var events: Int?
    @Option(help: "The demo's folder (database, data, jobs; default conveyor-demo, --live conveyor-live).") var dir: String?
    @Option(help: "local, or slurm (needs a reachable Slurm cluster).") var executor = "local"
    @Flag(help: "Retry a failed or paused step once instead of stopping at it.") var keepGoing = false
    @Flag(
        help:
            "Data taking as it happens: runs arrive every few seconds, express, the calibration loop and PromptReco per run (default 6 runs of 2,000 events, folder conveyor-live)."
    ) var live = false

    func run() async throws {
        let runs = self.runs ?? (live ? 6 : 20)
        let events = self.events ?? (live ? 2_000 : 20_000)
        guard (1...(live ? 50 : 500)).contains(runs) else { throw ConveyorError.invalidInput("--runs must be 1–\(live ? 50 : 500)") }
        guard (100...10_000_000).contains(events) else { throw ConveyorError.invalidInput("--events must be 100–10,000,000") }
        guard ["local", "slurm"].contains(executor) else { throw ConveyorError.invalidInput("--executor is local or slurm, not '\(executor)'") }
        let folder = URL(
            fileURLWithPath: dir ?? (live ? "conveyor-live" : "conveyor-demo"), relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        ).standardizedFileURL.path
        if live { return try await LiveDemo(folder: folder, runs: runs, events: events).run() }
        try await DemoRun(folder: folder, runs: runs, events: events, executor: executor, keepGoing: keepGoing).run()
    }
}
