import ConveyorAccess
import ConveyorConditions
import ConveyorCore
import ConveyorMonitoring
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

    func register(on router: Router<ConveyorRequestContext>) {
        registerSignIn(on: router)
        registerPeople(on: router)
        registerQuality(on: router)
        registerSkims(on: router)
        registerMonteCarlo(on: router)
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
            return HTMLResponse(
                page: try await noted(GlobalTagPage(detail: detail, entries: entries, violations: violations, actor: actor), .tag, name))
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
            return HTMLResponse(
                page: try await noted(RunPage(detail: detail, detectors: try await registry.configuration(of: run.exp).detectors, actor: actor), .run, "\(run)")
            )
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
            let page = TaskLogPage(log: try await workflows.log(of: try WorkflowsAPI.task(context)), actor: actor)
            return HTMLResponse(page: try await noted(page, .task, "\(try WorkflowsAPI.id(context))/\(try context.parameters.require("task"))"))
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
            let turnaround = try await requests.turnaround(of: detail.summary.record.name)
            // The mass peak of the request's runs as express saw it and as this request made it.
            let runs = Set(try await requests.jobs(of: detail.summary.record.name).map(\.run))
            let processing = detail.request.campaign.description
            let peaks = try await QualityMonitoring(store: store).summed(
                "physics/mass_peak", processings: processing == "express" ? ["express"] : ["express", processing], runs: runs)
            return HTMLResponse(
                page: try await noted(
                    RequestPage(detail: detail, tasks: tasks, turnaround: turnaround, massPeaks: peaks, actor: actor), .request, detail.summary.record.name))
        }
        router.get("/files/**") { _, context in
            let actor = try context.require(.viewer, to: "reading a file's provenance")
            let lfn = "/" + context.parameters.getCatchAll().map { $0.removingPercentEncoding ?? String($0) }.joined(separator: "/")
            return HTMLResponse(page: try await noted(FilePage(provenance: try await FileCatalog(store: store).show(lfn), actor: actor), .file, lfn))
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
}
