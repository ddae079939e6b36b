import ConveyorAccess
import ConveyorConditions
import ConveyorCore
import ConveyorPeople
import ConveyorDataManagement
import Foundation
import ConveyorRequests
import ConveyorRuns
import ConveyorStore
import ConveyorWorkflow
import HTTPTypes
import Hummingbird

/// The HTML pages. Reading a page needs `viewer`, like the API; without credentials the browser
/// is sent to the sign-in page.
struct PageRoutes {
    let store: Store
    let accounts: Accounts
    let auditLog: AuditLog
    let conditions: ConditionsDatabase
    let registry: RunRegistry
    let workflows: Workflows
    let requests: Requests
    let directory: DirectoryConfiguration?

    struct RequestForm: Decodable {
        let configuration: String?
        let action: String?
    }

    struct LoginForm: Decodable {
        let token: String?
        let user: String?
        let password: String?
        let next: String?
    }

    func register(on router: Router<ConveyorRequestContext>) {
        router.get("/") { _, context in
            let actor = try context.require(.viewer, to: "reading the overview")
            let summary = try await store.summary()
            let recent = try await auditLog.entries(limit: 10)
            return HTMLResponse(page: HomePage(summary: summary, recentAudit: recent, actor: actor))
        }
        router.get("/audit") { _, context in
            let actor = try context.require(.viewer, to: "reading the audit log")
            return HTMLResponse(page: AuditPage(entries: try await auditLog.entries(limit: 500), actor: actor))
        }
        router.get("/inbox") { _, context in
            let actor = try context.require(.viewer, to: "reading the inbox")
            let items = try await Inbox(store: store).items(for: actor)
            let preferences = try await Notifications(store: store).preferences(of: actor.name, by: actor)
            return HTMLResponse(page: InboxPage(items: items, actor: actor, now: .now, preferences: preferences, saved: false))
        }
        router.post("/inbox/preferences") { request, context in
            let actor = try context.require(.viewer, to: "setting notification preferences")
            let form = String(buffer: try await request.body.collect(upTo: 16 * 1024))
            let ticked = Set(form.split(separator: "&").compactMap { pair -> String? in pair.hasSuffix("=on") ? String(pair.dropLast(3)) : nil })
            let preferences = NotificationPreferences(
                email: ticked.contains("email"), chat: ticked.contains("chat"), digest: ticked.contains("digest"),
                kinds: NotificationEvent.Kind.allCases.filter { ticked.contains("kind_\($0.rawValue)") })
            let notifications = Notifications(store: store)
            try await notifications.setPreferences(preferences, of: actor.name, by: actor)
            let items = try await Inbox(store: store).items(for: actor)
            return HTMLResponse(page: InboxPage(items: items, actor: actor, now: .now, preferences: preferences, saved: true))
        }
        router.get("/notifications") { request, context in
            let actor = try context.require(.admin, to: "reading the notification outbox")
            let state = try QueryParameters(request).string("state").map { text throws(ConveyorError) in try NotificationMessage.State(parsing: text) }
            let outbox = try await Notifications(store: store).outbox(state: state, limit: 300, by: actor)
            return HTMLResponse(page: NotificationsPage(outbox: outbox, directory: directory, actor: actor))
        }
        router.get("/users") { _, context in
            let actor = try context.require(.viewer, to: "reading the users")
            return HTMLResponse(page: UsersPage(users: try await accounts.users(), actor: actor))
        }
        router.get("/globaltags") { request, context in
            let actor = try context.require(.viewer, to: "reading global tags")
            let query = QueryParameters(request)
            let state = try query.string("state").map { text throws(ConveyorError) in try GlobalTagState(parsing: text) }
            let name = query.string("name") ?? ""
            let tags = try await conditions.tags(nameContains: name, state: state)
            return HTMLResponse(page: GlobalTagsPage(tags: tags, nameFilter: name, stateFilter: state, actor: actor))
        }
        router.get("/globaltags/{tag}") { _, context in
            let actor = try context.require(.viewer, to: "reading a global tag")
            let name = try context.parameters.require("tag")
            let detail = try await conditions.detail(ofTag: name)
            let entries = try await conditions.entries(ofTag: name)
            let violations = StagingRules.violations(in: entries)
            return HTMLResponse(page: GlobalTagPage(detail: detail, entries: entries, violations: violations, actor: actor))
        }
        router.get("/globaltags/{tag}/diff/{other}") { _, context in
            let actor = try context.require(.viewer, to: "comparing global tags")
            let a = try context.parameters.require("tag")
            let b = try context.parameters.require("other")
            return HTMLResponse(page: TagDiffPage(a: a, b: b, diff: try await conditions.diff(a, b), actor: actor))
        }
        router.get("/runs") { request, context in
            let actor = try context.require(.viewer, to: "reading runs")
            let query = QueryParameters(request)
            let names = ["exp", "runs", "type", "energy", "min_lumi", "quality"]
            let filters = Dictionary(names.compactMap { name in query.string(name).map { (name, $0) } }, uniquingKeysWith: { first, _ in first })
            let listing = try await registry.list(try RunsAPI.query(query))
            return HTMLResponse(page: RunsPage(listing: listing, filters: filters, actor: actor))
        }
        router.get("/runs/{exp}/{run}") { _, context in
            let actor = try context.require(.viewer, to: "reading a run")
            let run = try RunsAPI.run(context)
            let detail = try await registry.detail(of: run)
            return HTMLResponse(page: RunPage(detail: detail, detectors: try await registry.configuration(of: run.exp).detectors, actor: actor))
        }
        router.get("/workflows") { _, context in
            let actor = try context.require(.viewer, to: "reading workflows")
            return HTMLResponse(page: WorkflowsPage(runs: try await workflows.list(), actor: actor))
        }
        router.get("/workflows/{id}") { _, context in
            let actor = try context.require(.viewer, to: "reading a workflow")
            let id = try WorkflowsAPI.id(context)
            return HTMLResponse(page: WorkflowPage(detail: try await workflows.show(id), attempts: try await workflows.attempts(id), actor: actor))
        }
        router.get("/workflows/{id}/tasks/{task}") { _, context in
            let actor = try context.require(.viewer, to: "reading a task's log")
            return HTMLResponse(page: TaskLogPage(log: try await workflows.log(of: try WorkflowsAPI.task(context)), actor: actor))
        }
        router.post("/workflows/{id}/tasks/{task}/signoff") { request, context in
            let actor = try context.require(.expert, to: "signing off")
            let body = try await request.body.collect(upTo: 16 * 1024)
            let form = try URLEncodedFormDecoder().decode(SignOffForm.self, from: String(buffer: body))
            try await workflows.signOff(try WorkflowsAPI.task(context), approve: form.decision == "approve", comment: form.comment ?? "", by: actor)
            // Only back to one of Conveyor's own pages.
            let workflowPage = "/workflows/\(try WorkflowsAPI.id(context))"
            let back = form.next.flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil } ?? workflowPage
            return Response.redirect(to: back, type: .normal)
        }
        registerDataTaking(on: router)
        router.get("/requests") { _, context in
            let actor = try context.require(.viewer, to: "reading requests")
            var rows: [(Requests.Summary, [Requests.Detail.Step])] = []
            for summary in try await requests.list() { rows.append((summary, try await requests.steps(of: summary.record))) }
            return HTMLResponse(page: RequestsPage(requests: rows, actor: actor))
        }
        router.get("/requests/new") { _, context in
            let actor = try context.require(.viewer, to: "validating requests")
            return HTMLResponse(page: NewRequestPage(text: "", verdict: nil, actor: actor))
        }
        router.post("/requests/new") { request, context in
            let actor = try context.require(.viewer, to: "validating requests")
            let body = try await request.body.collect(upTo: 4 << 20)
            let form = try URLEncodedFormDecoder().decode(RequestForm.self, from: String(buffer: body))
            let text = form.configuration ?? ""
            do {
                let parsed = try Requests.parse(Data(text.utf8), name: "configuration")
                if form.action == "submit" {
                    try actor.require(.manager, to: "submitting requests")
                    let submitted = try await requests.submit(Data(text.utf8), name: "configuration", by: actor)
                    return Response.redirect(to: "/requests/\(submitted.request)", type: .normal)
                }
                let problems = try await InstallationCheck(store: store).problems(in: parsed)
                let verdict =
                    problems.isEmpty
                    ? (
                        true,
                        [
                            "A valid \(parsed.campaign) request '\(parsed.name)': \(parsed.calibrations.count) calibration(s), outputs \(parsed.outputs.map(\.rawValue).joined(separator: ", ")); this installation can run it."
                        ]
                    )
                    : (false, problems)
                return HTMLResponse(page: NewRequestPage(text: text, verdict: verdict, actor: actor)).response
            } catch let error as ConveyorError {
                // What is wrong with the configuration goes back on the form; missing rights and outages stay errors.
                switch error {
                case .invalidInput, .conflict, .notFound:
                    return HTMLResponse(status: .badRequest, page: NewRequestPage(text: text, verdict: (false, [error.message]), actor: actor)).response
                default:
                    throw error
                }
            }
        }
        router.get("/requests/{name}") { _, context in
            let actor = try context.require(.viewer, to: "reading a request")
            let detail = try await requests.show(try context.parameters.require("name"))
            var tasks: [WorkflowTask] = []
            if let id = detail.summary.record.workflowID { tasks = try await workflows.show(id).tasks }
            return HTMLResponse(page: RequestPage(detail: detail, tasks: tasks, actor: actor))
        }
        router.get("/files/**") { _, context in
            let actor = try context.require(.viewer, to: "reading a file's provenance")
            let lfn = "/" + context.parameters.getCatchAll().map { $0.removingPercentEncoding ?? String($0) }.joined(separator: "/")
            return HTMLResponse(page: FilePage(provenance: try await FileCatalog(store: store).show(lfn), actor: actor))
        }
        router.get("/sites") { _, context in
            let actor = try context.require(.viewer, to: "reading sites")
            let dm = DataManagement(store: store)
            return HTMLResponse(page: SitesPage(endpoints: try await dm.endpoints(), rules: try await dm.rules(), actor: actor))
        }
        router.get("/rules") { request, context in
            let actor = try context.require(.viewer, to: "reading replication rules")
            let state = try QueryParameters(request).string("state").map { text throws(ConveyorError) in try RuleState(parsing: text) }
            return HTMLResponse(page: RulesPage(rules: try await DataManagement(store: store).rules(state: state), stateFilter: state, actor: actor))
        }
        router.get("/rules/{id}") { _, context in
            let actor = try context.require(.viewer, to: "reading a replication rule")
            return HTMLResponse(page: RulePage(detail: try await DataManagement(store: store).rule(try DataManagementAPI.id(context)), actor: actor))
        }
        router.get("/datasets") { _, context in
            let actor = try context.require(.viewer, to: "reading datasets")
            return HTMLResponse(page: DatasetsPage(datasets: try await DataManagement(store: store).datasets(), actor: actor))
        }
        router.get("/datasets/detail") { request, context in
            let actor = try context.require(.viewer, to: "reading a dataset")
            guard let name = QueryParameters(request).string("name") else { throw ConveyorError.invalidInput("give the dataset: ?name=…") }
            return HTMLResponse(page: DatasetPage(detail: try await DataManagement(store: store).dataset(name), actor: actor))
        }
        router.get("/buckets") { _, context in
            let actor = try context.require(.viewer, to: "reading buckets")
            return HTMLResponse(page: BucketsPage(reports: try await registry.buckets(), actor: actor))
        }
        router.get("/login") { request, _ in
            let next = request.uri.queryParameters["next"].map(String.init) ?? "/"
            return HTMLResponse(page: LoginPage(next: Self.safeLocalPath(next), directory: directory != nil))
        }
        router.post("/login") { request, context in
            let body = try await request.body.collect(upTo: 16 * 1024)
            let form = try URLEncodedFormDecoder().decode(LoginForm.self, from: String(buffer: body))
            let next = Self.safeLocalPath(form.next ?? "/")
            let started: (actor: Actor, sessionID: String)
            do throws(ConveyorError) {
                let user = form.user?.trimmingCharacters(in: .whitespaces) ?? ""
                if let directory, !user.isEmpty {
                    started = try await accounts.startSession(user: user, password: form.password ?? "", from: context.remoteAddress, directory: directory)
                } else {
                    started = try await accounts.startSession(token: (form.token ?? "").trimmingCharacters(in: .whitespaces))
                }
            } catch {
                let status: HTTPResponse.Status =
                    switch error {
                    case .unavailable: .serviceUnavailable
                    case .forbidden: .forbidden
                    case .invalidInput: .badRequest
                    default: .unauthorized
                    }
                let message = directory == nil ? "That token is not valid (unknown or revoked)." : error.message
                return HTMLResponse(status: status, page: LoginPage(next: next, directory: directory != nil, failure: message, user: form.user ?? "")).response
            }
            var response = Response.redirect(to: next, type: .normal)
            response.setCookie(
                Cookie(
                    name: AuthenticationMiddleware.sessionCookie, value: started.sessionID,
                    maxAge: Int(Accounts.sessionLifetime.components.seconds), path: "/", secure: Self.cameOverHTTPS(request), httpOnly: true, sameSite: .strict
                ))
            return response
        }
        router.post("/logout") { request, _ in
            if let id = request.cookies[AuthenticationMiddleware.sessionCookie]?.value, !id.isEmpty { try await accounts.endSession(id) }
            var response = Response.redirect(to: "/login", type: .normal)
            response.setCookie(
                Cookie(
                    name: AuthenticationMiddleware.sessionCookie, value: "",
                    maxAge: 0, path: "/", secure: Self.cameOverHTTPS(request), httpOnly: true, sameSite: .strict
                ))
            return response
        }
        router.get("/assets/conveyor.css") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string: [Stylesheet.css, Stylesheet.conditions, Stylesheet.runs, Stylesheet.workflows, Stylesheet.data].joined(separator: "\n")))
            )
        }
    }

    /// Whether the browser reached us over HTTPS: directly, or through a proxy that says so.
    static func cameOverHTTPS(_ request: Request) -> Bool {
        request.uri.scheme == .https || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    /// Only local paths are followed after signing in, so the form cannot send users elsewhere.
    static func safeLocalPath(_ path: String) -> String {
        path.hasPrefix("/") && !path.hasPrefix("//") && !path.contains("\\") ? path : "/"
    }
}
