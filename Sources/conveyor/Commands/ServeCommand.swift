import ArgumentParser
import ConveyorCore
import ConveyorServer
import Logging
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the REST API, the web pages and /metrics until SIGINT or SIGTERM."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0 picks a free one).") var port = 8080
    @Flag(help: "Let requests without a token read (act as viewer). Off by default.") var anonymousRead = false

    func run() async throws {
        guard (0...65535).contains(port) else { throw ConveyorError.invalidInput("port \(port) is out of range") }
        var serverLogger = try global.logger(label: "conveyor.server")
        if global.logLevel == "warning" { serverLogger.logLevel = .info }
        let logger = serverLogger
        let store = try await global.openStore()
        let configuration = ServerConfiguration(host: host, port: port, anonymousRole: anonymousRead ? .viewer : nil)
        let location = store.location
        let app = ConveyorApplication.build(store: store, configuration: configuration, logger: logger) { boundPort in
            logger.notice("Conveyor serving \(location) at http://\(host):\(boundPort)/")
        }
        let services = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        do {
            try await services.run()
        } catch {
            await store.close()
            throw ConveyorError.unavailable("cannot serve on \(host):\(port): \(error)")
        }
        await store.close()
        logger.notice("Conveyor stopped")
    }
}
