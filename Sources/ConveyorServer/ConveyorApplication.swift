import ConveyorAccess
import ConveyorConditions
import ConveyorCore
import ConveyorDataManagement
import ConveyorDataTaking
import ConveyorLive
import ConveyorMonitoring
import ConveyorPeople
import ConveyorRequests
import ConveyorRuns
import ConveyorMonteCarlo
import ConveyorSkims
import ConveyorStore
import ConveyorWorkflow
import Hummingbird
import Logging

/// Builds Conveyor's HTTP application over a store.
///
/// ```swift
/// let store = try await Store.open(.sqlite(path: "conveyor.sqlite"))
/// let app = ConveyorApplication.build(store: store, configuration: .init(port: 8080))
/// try await app.runService()      // until SIGINT or SIGTERM
/// ```
public enum ConveyorApplication {
    /// The version reported in the API document.
    public static let version = "0.1.0"

    /// The router with every page and API route; also what tests call directly.
    public static func router(store: Store, configuration: ServerConfiguration) -> (Router<ConveyorRequestContext>, APIDescription) {
        let accounts = Accounts(store: store, tokenCache: TokenCache())
        let conditions = ConditionsDatabase(store: store, cache: LookupCache())
        let auditLog = AuditLog(store: store)
        let book = APIBook()
        APISchemas.defineAll(in: book)
        DerivedSchemas.defineAll(in: book)

        let router = Router(context: ConveyorRequestContext.self)
        // Middleware first: Hummingbird wraps each route with the middleware added before it.
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: AuthenticationMiddleware(accounts: accounts, anonymousRole: configuration.anonymousRole))

        SystemAPI(store: store, version: version).register(on: router, book: book)
        if configuration.floorRoutes { FloorRoutes().register(on: router) }
        AccessAPI(accounts: accounts).register(on: router, book: book)
        AuditAPI(auditLog: auditLog).register(on: router, book: book)
        ConditionsAPI(conditions: conditions).register(on: router, book: book)
        let runRegistry = RunRegistry(store: store)
        RunsAPI(registry: runRegistry).register(on: router, book: book)
        RunsAPI(registry: runRegistry).registerBuckets(on: router, book: book)
        RunsAPI(registry: runRegistry).registerExperiments(on: router, book: book)
        FilesAPI(catalog: FileCatalog(store: store)).register(on: router, book: book)
        let workflows = Workflows(store: store, onCommand: configuration.onWorkflowCommand)
        WorkflowsAPI(workflows: workflows).register(on: router, book: book)
        let requests = Requests(store: store, onCommand: configuration.onWorkflowCommand)
        RequestsAPI(requests: requests).register(on: router, book: book)
        TurnaroundAPI(requests: requests, prompt: PromptReco(store: store)).register(on: router, book: book)
        // A bad CONVEYOR_RUCIO_* setting is refused by `conveyor dm`, `rule` and `site`; the server then falls back to the embedded engine.
        let dataManagement = (try? DataManagement.configured(store: store)) ?? DataManagement(store: store)
        DataManagementAPI(dm: dataManagement).register(on: router, book: book)
        DataTakingAPI(prompt: PromptReco(store: store), conditions: conditions).register(on: router, book: book)
        LiveAPI(live: LiveDataTaking(store: store)).register(on: router, book: book)
        InboxAPI(inbox: Inbox(store: store)).register(on: router, book: book)
        NotificationsAPI(notifications: Notifications(store: store)).register(on: router, book: book)
        NotesAPI(notes: Notes(store: store)).register(on: router, book: book)
        MonitoringAPI(monitoring: QualityMonitoring(store: store)).register(on: router, book: book)
        RoundsAPI(rounds: StrippingRounds(store: store)).register(on: router, book: book)
        MonteCarloAPI(production: MonteCarloProduction(store: store)).register(on: router, book: book)
        DAQAPI(arrival: RunArrival(store: store)).register(on: router, book: book)
        PageRoutes(
            store: store, accounts: accounts, auditLog: auditLog, conditions: conditions, registry: runRegistry, workflows: workflows, requests: requests,
            directory: configuration.directory
        ).register(on: router)

        let registry = ConveyorMetrics.registry
        router.get("/metrics") { _, _ in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(4096)
            registry.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer))
            )
        }
        return (router, APIDescription(book: book))
    }

    /// The application, ready for `runService()` or a `ServiceGroup`.
    public static func build(
        store: Store,
        configuration: ServerConfiguration,
        logger: Logger = Logger(label: "conveyor.server"),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let (router, _) = router(store: store, configuration: configuration)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Conveyor"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
    }
}

/// The documented API operations, for tests that hold the document against the router.
public struct APIDescription: Sendable {
    let book: APIBook

    /// `METHOD path` for every documented operation, e.g. `GET /api/v1/users`.
    public var operations: [String] {
        book.operations.map { "\($0.method.rawValue) \($0.path)" }
    }
}
