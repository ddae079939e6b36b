import ConveyorPeople
import ConveyorLive
import ArgumentParser
import ConveyorCore
import ConveyorServer
import ConveyorWorkflow
import Logging
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the REST API, the web pages and /metrics until SIGINT or SIGTERM."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var people: PeopleOptions
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0 picks a free one).") var port = 8080
    @Flag(help: "Let requests without a token read (act as viewer). Off by default.") var anonymousRead = false
    @Flag(help: "Do not run the workflow scheduler in this process (run `conveyor scheduler` elsewhere).") var noScheduler = false
    @Flag(help: "Also answer /floor and /floor/authenticated with a constant: the floors Benchmarks/compare.sh measures against.")
    var floorRoutes = false
    @Option(help: "Where job folders go (default: conveyor-jobs beside an SQLite database, else in the working directory).") var jobs: String?
    @Option(help: "Seconds without a heartbeat after which a standby scheduler takes the lease over.") var leaseTimeout: Double = 12

    func run() async throws {
        guard (0...65535).contains(port) else { throw ConveyorError.invalidInput("port \(port) is out of range") }
        let timeout = try LeaseTimeout.duration(leaseTimeout)
        let people = try people.load()
        var serverLogger = try global.logger(label: "conveyor.server")
        if global.logLevel == "warning" { serverLogger.logLevel = .info }
        let logger = serverLogger
        let store = try await global.openStore()
        JobEnvironment.scrub(for: store.location)
        var schedulerLogger = serverLogger
        schedulerLogger[metadataKey: "part"] = "scheduler"
        let scheduler =
            noScheduler
            ? nil
            : SchedulerService(
                store: store, jobRoot: jobs ?? SchedulerService.defaultJobRoot(for: store.location), standby: true,
                leaseTimeout: timeout, plugins: try .production(store: store), logger: schedulerLogger)
        var configuration = ServerConfiguration(
            host: host, port: port, anonymousRole: anonymousRead ? .viewer : nil, directory: people?.directory,
            onWorkflowCommand: { scheduler?.scheduler.noteCommand() })
        configuration.floorRoutes = floorRoutes
        let location = store.location
        let app = ConveyorApplication.build(store: store, configuration: configuration, logger: logger) { boundPort in
            logger.notice("Conveyor serving \(location) at http://\(host):\(boundPort)/")
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: app)]
        if let scheduler { services.append(.init(service: scheduler)) }
        if let settings = people?.notifications {
            services.append(.init(service: NotifierService(notifier: Notifier(store: store, settings: settings), logger: logger)))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await store.close()
            throw ConveyorError.unavailable("cannot serve on \(host):\(port): \(error)")
        }
        await store.close()
        logger.notice("Conveyor stopped")
    }
}
