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

    /// How long the lease lives without a heartbeat before a standby takes it over.
    public let leaseTimeout: Duration

    public init(
        store: Store, jobRoot: String, pollInterval: Duration = .seconds(1), untilIdle: Bool = false, standby: Bool = false,
        leaseTimeout: Duration = SchedulerLease.defaultStaleAfter, plugins: SchedulerPlugins = SchedulerPlugins(), wakeup: Wakeup = Wakeup(),
        logger: Logger
    ) {
        self.init(
            store: store, jobRoot: jobRoot, pollInterval: pollInterval, stop: untilIdle ? .idle : .never, standby: standby,
            leaseTimeout: leaseTimeout, plugins: plugins, wakeup: wakeup, logger: logger)
    }

    public init(
        store: Store, jobRoot: String, pollInterval: Duration = .seconds(1), stop: Scheduler.Stop, standby: Bool = false,
        leaseTimeout: Duration = SchedulerLease.defaultStaleAfter, plugins: SchedulerPlugins = SchedulerPlugins(), wakeup: Wakeup = Wakeup(),
        logger: Logger
    ) {
        self.store = store
        self.stop = stop
        self.standby = standby
        self.leaseTimeout = leaseTimeout
        self.logger = logger
        self.holder = "scheduler-\(UUID().uuidString.prefix(8).lowercased())"
        let executors = ExecutorSet.standard(wakeup: wakeup)
        self.scheduler = Scheduler(
            store: store, executors: executors, configuration: .init(jobRoot: jobRoot, pollInterval: pollInterval, plugins: plugins),
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

    /// Heartbeats come this often: several fit in one lease timeout.
    var heartbeatInterval: Duration { max(.milliseconds(200), leaseTimeout / 5) }

    public func run() async throws {
        while true {
            let lease = try await takeLease()
            let fence = LeaseFence(store: store, lease: lease)
            logger.notice("scheduler \(holder) running (pid \(getpid()), lease epoch \(lease.epoch))")
            let lost = try await runHolding(fence)
            if !lost {
                try? await store.write { try await $0.releaseSchedulerLease(lease) }
                logger.notice("scheduler \(holder) stopped")
                return
            }
            logger.error("scheduler \(holder) lost its lease (epoch \(lease.epoch)) to another scheduler: it stopped writing and submitting")
            guard standby else { throw ConveyorError.conflict(SchedulerLease.lostMessage(lease)) }
            await scheduler.forget()
        }
    }

    /// Waits for the lease (standby) or fails at once.
    func takeLease() async throws -> SchedulerLease {
        var said = false
        while true {
            let holder = self.holder, host = ProcessInfo.processInfo.hostName, timeout = leaseTimeout
            let outcome = try await store.write { session in
                try await session.acquireSchedulerLease(
                    holder: holder, host: host, pid: getpid(), at: .now, staleAfter: timeout,
                    isAlive: { ProcessProbe.isAlive($0) })
            }
            switch outcome {
            case .success(let lease):
                return lease
            case .failure(let refusal):
                let message = "another scheduler holds this database: \(refusal.holder)"
                guard standby else { throw ConveyorError.conflict(message) }
                if !said { logger.warning("\(message); standing by") }
                said = true
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: heartbeatInterval) }
                if Task.isCancelled { throw CancellationError() }
            }
        }
    }

    /// Runs the scheduler under `fence` until it stops (false) or the lease is lost (true).
    func runHolding(_ fence: LeaseFence) async throws -> Bool {
        let scheduler = self.scheduler, stop = self.stop, interval = heartbeatInterval, logger = self.logger
        let work = Task {
            try await Store.withWriteCheck(fence.check) { try await scheduler.run(until: stop, fence: fence) }
        }
        let heartbeat = Task {
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                do {
                    try await fence.confirm(maxAge: .zero)
                } catch {
                    if fence.isLost { work.cancel(); return }
                    // Stopped mid-confirmation because the work ended: not a failed heartbeat.
                    if Task.isCancelled { return }
                    logger.warning("scheduler heartbeat failed: \((error as? ConveyorError)?.message ?? "\(error)")")
                }
            }
        }
        let backgroundWork = scheduler.configuration.plugins.background
        let backgroundInterval = max(scheduler.configuration.pollInterval, .milliseconds(250))
        let background = Task {
            try? await Store.withWriteCheck(fence.check) {
                await withTaskGroup(of: Void.self) { group in
                    for work in backgroundWork {
                        group.addTask { await Self.loop(work, interval: backgroundInterval, logger: logger) }
                    }
                }
            }
        }
        defer {
            heartbeat.cancel()
            background.cancel()
        }
        do {
            // The work runs in a task of its own (so that the heartbeat can stop it): shutdown reaches it by hand.
            try await cancelWhenGracefulShutdown {
                try await withTaskCancellationHandler {
                    try await work.value
                } onCancel: {
                    work.cancel()
                }
            }
        } catch is CancellationError {
            work.cancel()
            _ = try? await work.value
        } catch let error where fence.isLost || SchedulerLease.isLost(error) {
        } catch {
            heartbeat.cancel()
            await heartbeat.value
            throw error
        }
        // Stopped and waited for, so that it never opens a connection while the store closes.
        heartbeat.cancel()
        await heartbeat.value
        background.cancel()
        await background.value
        if !fence.isLost {
            // One last round on what the work's end changed (a request's staging pins end with it).
            try? await Store.withWriteCheck(fence.check) {
                for work in backgroundWork { _ = try? await work.cycle() }
            }
        }
        return fence.isLost
    }

    /// Runs background work until cancelled: again at once while it finds work, else after `interval`.
    static func loop(_ work: any SchedulerBackgroundWork, interval: Duration, logger: Logger) async {
        while !Task.isCancelled {
            var busy = false
            do {
                busy = try await work.cycle()
            } catch {
                if Task.isCancelled { return }
                logger.warning("\(work.name) failed: \(error.message)")
            }
            do { try await Task.sleep(for: busy ? .milliseconds(50) : interval) } catch { return }
        }
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
            case .lsf: LSFExecutor(options: pool.options)
            }
        }
    }
}
