import ConveyorCore
import ConveyorExecutors
import ConveyorStore
import Foundation
import Logging
import ServiceLifecycle

/// The scheduler as a long-running service: takes the scheduler lease (one scheduler per
/// database), keeps it fresh, runs ticks until shutdown, and gives the lease back.
///
/// ```swift
/// let service = SchedulerService(store: store, jobRoot: SchedulerService.defaultJobRoot(for: store.location), logger: logger)
/// try await ServiceGroup(services: [service], logger: logger).run()
/// ```
public struct SchedulerService: Service {
    public let store: Store
    public let scheduler: Scheduler
    public let stop: Scheduler.Stop
    /// When another scheduler holds the database: wait and take over once it is gone (true, as
    /// `conveyor serve` does), or fail at once (false, as `conveyor scheduler` does).
    public let standby: Bool
    let logger: Logger
    let holder: String

    public init(store: Store, jobRoot: String, pollInterval: Duration = .seconds(1), untilIdle: Bool = false, standby: Bool = false,
                wakeup: Wakeup = Wakeup(), logger: Logger) {
        self.init(store: store, jobRoot: jobRoot, pollInterval: pollInterval, stop: untilIdle ? .idle : .never, standby: standby, wakeup: wakeup, logger: logger)
    }

    public init(store: Store, jobRoot: String, pollInterval: Duration = .seconds(1), stop: Scheduler.Stop, standby: Bool = false,
                wakeup: Wakeup = Wakeup(), logger: Logger) {
        self.store = store
        self.stop = stop
        self.standby = standby
        self.logger = logger
        self.holder = "scheduler-\(UUID().uuidString.prefix(8).lowercased())"
        let executors = ExecutorSet.standard(wakeup: wakeup)
        self.scheduler = Scheduler(store: store, executors: executors, configuration: .init(jobRoot: jobRoot, pollInterval: pollInterval),
                                   wakeup: wakeup, logger: logger)
    }

    /// Job folders beside an SQLite database, else in the working directory.
    public static func defaultJobRoot(for location: StoreLocation) -> String {
        let base: String
        switch location {
        case .sqlite(let path): base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        case .postgres: base = FileManager.default.currentDirectoryPath
        }
        return base + "/conveyor-jobs"
    }

    public func run() async throws {
        while true {
            do {
                try await acquireLease()
                break
            } catch let error as ConveyorError where standby {
                logger.warning("\(error.message); standing by")
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(10)) }
            }
        }
        logger.notice("scheduler \(holder) running (pid \(getpid()))")
        let heartbeat = Task {
            while !Task.isCancelled {
                do { try await Task.sleep(for: .seconds(5)) } catch { return }
                _ = try? await acquireLease()
            }
        }
        do {
            try await cancelWhenGracefulShutdown {
                try await scheduler.run(until: stop)
            }
        } catch is CancellationError {
        } catch {
            heartbeat.cancel()
            await heartbeat.value
            throw error
        }
        // Stopped and waited for, so that it never opens a connection while the store closes.
        heartbeat.cancel()
        await heartbeat.value
        try? await store.write { [holder] in try await $0.releaseSchedulerLease(holder: holder) }
        logger.notice("scheduler \(holder) stopped")
    }

    func acquireLease() async throws {
        let holder = self.holder
        let host = ProcessInfo.processInfo.hostName
        let refused = try await store.write { session in
            try await session.acquireSchedulerLease(holder: holder, host: host, pid: getpid(), at: .now, staleAfter: .seconds(30),
                                                    isAlive: { ProcessProbe.isAlive($0) })
        }
        if let refused { throw ConveyorError.conflict("another scheduler holds this database: \(refused)") }
    }
}

extension ExecutorSet {
    /// The local executor plus Slurm and HTCondor clients configured from each pool's options.
    public static func standard(wakeup: Wakeup) -> ExecutorSet {
        let local = LocalExecutor(onEnding: { wakeup.signal() })
        return ExecutorSet(local: local) { pool throws(ConveyorError) in
            switch pool.executor {
            case .local: local
            case .slurm: SlurmExecutor(options: pool.options)
            case .htcondor: HTCondorExecutor(options: pool.options)
            }
        }
    }
}
