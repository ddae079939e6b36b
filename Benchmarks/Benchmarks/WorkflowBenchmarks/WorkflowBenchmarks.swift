import Benchmark
import ConveyorCore
import ConveyorExecutors
import ConveyorStore
import ConveyorWorkflow
import Foundation
import Logging

/// Issue 5's scheduler targets, on SQLite (and PostgreSQL with `$CONVEYOR_BENCH_POSTGRES_URL`):
/// - a 10,000-task DAG of no-op local jobs (`true`), and of no-op action steps: scheduler CPU per task
///   (this process's user + system CPU, which includes starting the job processes, divided by 10,000);
/// - a chain of 200 trivial tasks: median gap between one job's end and the next one's start, as the
///   jobs themselves clock it;
/// - a 5,000-element array submitted to Slurm (with `$SLURM_CONF`): sbatch calls and time.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 0, maxDuration: .seconds(1), maxIterations: 1)
    var backends: [(String, String?)] = [("sqlite", nil)]
    if let url = ProcessInfo.processInfo.environment["CONVEYOR_BENCH_POSTGRES_URL"], !url.isEmpty { backends.append(("postgresql", url)) }

    for (name, url) in backends {
        for kind in ["job", "action"] {
            Benchmark("\(name): 10,000-task DAG of no-op \(kind)s",
                      configuration: .init(metrics: [.wallClock, .custom("scheduler CPU µs per task", useScalingFactor: false)], timeUnits: .seconds, maxIterations: 1)) { benchmark in
                let bench = try await WorkflowBench.open(url)
                let task = kind == "job" ? "command: \"true\"" : "kind: action\n    action: noop"
                var yaml = "name: wide\ntasks:\n"
                for i in 0..<10_000 {
                    yaml += "  - name: t\(i)\n    \(task)\n" + (i >= 100 ? "    depends_on: [t\(i - 100)]\n" : "")
                }
                let id = try await bench.workflows.submit(Data(yaml.utf8), name: "wide.yaml", by: WorkflowBench.manager)
                let cpu0 = WorkflowBench.cpuSeconds()
                benchmark.startMeasurement()
                try await bench.scheduler.run(untilIdle: true)
                benchmark.stopMeasurement()
                let perTask = (WorkflowBench.cpuSeconds() - cpu0) / 10_000 * 1e6
                let state = try await bench.workflows.show(id).workflow.state
                precondition(state == .succeeded)
                benchmark.measurement(.custom("scheduler CPU µs per task", useScalingFactor: false), Int(perTask))
                await bench.close()
            }
        }

        Benchmark("\(name): chain of 200 trivial tasks",
                  configuration: .init(metrics: [.wallClock, .custom("median gap µs", useScalingFactor: false), .custom("p90 gap µs", useScalingFactor: false)],
                                       timeUnits: .seconds, maxIterations: 1)) { benchmark in
            let bench = try await WorkflowBench.open(url)
            let clock = bench.folder + "/clock"
            var yaml = "name: chain\ntasks:\n"
            for i in 0..<200 {
                yaml += "  - name: t\(i)\n    command: echo start \(i) $(date +%s%N) >> \(clock); echo end \(i) $(date +%s%N) >> \(clock)\n"
                    + (i > 0 ? "    depends_on: [t\(i - 1)]\n" : "")
            }
            _ = try await bench.workflows.submit(Data(yaml.utf8), name: "chain.yaml", by: WorkflowBench.manager)
            benchmark.startMeasurement()
            try await bench.scheduler.run(untilIdle: true)
            benchmark.stopMeasurement()
            var starts: [Int: Int] = [:], ends: [Int: Int] = [:]
            for line in try String(contentsOfFile: clock, encoding: .utf8).split(separator: "\n") {
                let f = line.split(separator: " ")
                if f[0] == "start" { starts[Int(f[1])!] = Int(f[2])! } else { ends[Int(f[1])!] = Int(f[2])! }
            }
            let gaps = (1..<200).map { (starts[$0]! - ends[$0 - 1]!) / 1_000 }.sorted()
            benchmark.measurement(.custom("median gap µs", useScalingFactor: false), gaps[gaps.count / 2])
            benchmark.measurement(.custom("p90 gap µs", useScalingFactor: false), gaps[gaps.count * 9 / 10])
            await bench.close()
        }
    }

    if ProcessInfo.processInfo.environment["SLURM_CONF"] != nil {
        Benchmark("slurm: submit a 5,000-element array",
                  configuration: .init(metrics: [.wallClock, .custom("sbatch calls", useScalingFactor: false)], timeUnits: .milliseconds, maxIterations: 3)) { benchmark in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-slurm-bench-\(UUID().uuidString)").path
            let executor = SlurmExecutor(options: [:])
            let uuid = UUID().uuidString.lowercased()
            let submission = BatchSubmission(uuid: uuid, directory: folder, jobs: (0..<5_000).map { .init(arrayIndex: $0, command: "true", environment: [:]) },
                                             timeLimitSeconds: nil)
            benchmark.startMeasurement()
            let id = try await executor.submit(submission)
            benchmark.stopMeasurement()
            benchmark.measurement(.custom("sbatch calls", useScalingFactor: false), executor.tools.calls["sbatch"] ?? 0)
            try await executor.cancel(TrackedSubmission(uuid: uuid, externalID: id, directory: folder, arrayIndices: []))
            try? FileManager.default.removeItem(atPath: folder)
        }
    }
}

/// A store (fresh SQLite, or the benchmark PostgreSQL database), a local pool of 8 slots and a scheduler.
struct WorkflowBench {
    static let manager = Actor(name: "bench", role: .manager)
    let store: Store
    let workflows: Workflows
    let scheduler: Scheduler
    let folder: String

    static func open(_ url: String?) async throws -> WorkflowBench {
        // The benchmark tool preloads its malloc interposer into this process on Linux; the jobs'
        // shells would inherit it and start slower than they do under Conveyor itself.
        unsetenv("LD_PRELOAD")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-wf-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let store = try await Store.open(url.map { try StoreLocation(parsing: $0) } ?? .sqlite(path: folder + "/bench.sqlite"), logger: logger)
        let workflows = Workflows(store: store)
        try await workflows.savePool(try Pool(name: "local", executor: .local, slots: 8), by: manager)
        let wakeup = Wakeup()
        let scheduler = Scheduler(store: store, executors: .standard(wakeup: wakeup), configuration: .init(jobRoot: folder + "/jobs"), wakeup: wakeup, logger: logger)
        return WorkflowBench(store: store, workflows: workflows, scheduler: scheduler, folder: folder)
    }

    func close() async {
        await store.close()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// This process's user + system CPU time.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
