import ConveyorPeople
import ConveyorLive
import ArgumentParser
import ConveyorCore
import ConveyorRequests
import ConveyorStore
import ConveyorWorkflow
import ServiceLifecycle

struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "Run the workflow scheduler (the default), or show who holds the scheduler lease.",
        subcommands: [Run.self, Status.self],
        defaultSubcommand: Run.self
    )
}

extension SchedulerCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the workflow scheduler in the foreground until SIGINT or SIGTERM (conveyor serve runs it too)."
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var people: PeopleOptions
        @Option(help: "Where job folders go (default: conveyor-jobs beside an SQLite database, else in the working directory).") var jobs: String?
        @Flag(help: "Stop when no workflow is running.") var untilIdle = false
        @Flag(help: "Stop when no workflow is running or every running one waits for a person (a sign-off, a paused task).") var untilBlocked = false
        @Option(help: "Seconds without a heartbeat after which another scheduler may take the lease.") var leaseTimeout: Double = 12

        func run() async throws {
            let logger = try global.logger(label: "conveyor.scheduler")
            let notifications = try people.load()?.notifications
            let store = try await global.openStore()
            JobEnvironment.scrub(for: store.location)
            let service = SchedulerService(
                store: store, jobRoot: jobs ?? SchedulerService.defaultJobRoot(for: store.location), stop: untilBlocked ? .blocked : untilIdle ? .idle : .never,
                leaseTimeout: try LeaseTimeout.duration(leaseTimeout), plugins: try .production(store: store), logger: logger)
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)]
                        + (notifications.map { [.init(service: NotifierService(notifier: Notifier(store: store, settings: $0), logger: logger))] } ?? []),
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            do {
                try await group.run()
            } catch let error as ConveyorError {
                await store.close()
                throw error
            } catch {
                await store.close()
                throw ConveyorError.unavailable("the scheduler stopped: \(error)")
            }
            await store.close()
        }
    }
}

extension SchedulerCommand {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Who holds the scheduler lease: holder, host, pid, last heartbeat, epoch.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await global.withStore { store in
                let lease = try await store.read { try await $0.schedulerLease() }
                if output.json { return try Output.json(lease) }
                guard let lease else { return Output.line("no scheduler holds this database") }
                Output.line("\(lease.holder) (pid \(lease.pid) on \(lease.host)), epoch \(lease.epoch), last heartbeat \(lease.heartbeatAt.iso8601)")
            }
        }
    }
}
