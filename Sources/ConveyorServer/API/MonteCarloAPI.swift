import ConveyorCore
import ConveyorMonteCarlo
import ConveyorRequests
import Foundation
import Hummingbird

/// MC production over REST: campaigns and their tables, requests from the physics groups, the MC
/// manager's decisions, test jobs, plans and submission.
struct MonteCarloAPI {
    let production: MonteCarloProduction

    struct SiteBody: Decodable {
        let name: String
        let pool: String
        let storage: String?
    }

    struct CampaignBody: Decodable {
        let name: String
        let release: String
        let globalTags: [String]
        let program: String
        let sites: [SiteBody]
        let backgroundTag: String?
        let exp: Int?
        let energy: String?
        let base: String?
        let description: String?
    }

    struct RequestBody: Decodable {
        let group: String
        let liaison: String?
        let eventType: String
        let events: Int64
        let background: String?
        let priority: Int?
        let runs: String?
        let eventsPerJob: Int?
        let comment: String?
    }

    struct DecisionBody: Decodable {
        let state: String
        let reason: String?
    }

    struct StatusBody: Decodable { let status: String }
    struct PriorityBody: Decodable { let priority: Int }

    struct CampaignList: ResponseEncodable { let campaigns: [MonteCarloProduction.CampaignSummary] }
    struct StatusDone: ResponseEncodable { let campaign: String; let status: String }
    struct SubmissionDone: ResponseEncodable {
        let submission: Requests.Submission
        let plan: MonteCarloProduction.Plan
    }

    static let nameParameter = APIOperation.Parameter(name: "name", location: .path, description: "The MC campaign", schema: .string())
    static let idParameter = APIOperation.Parameter(name: "id", location: .path, description: "The MC request's id", schema: .integer)
    static let siteSchema: JSONSchema = .closedObject(properties: ["name": .string(), "pool": .string(), "storage": .string()], required: ["name", "pool"])

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/mc/campaigns", operationID: "listMonteCarloCampaigns",
                summary: "Every MC campaign with its requests by state, events asked for and made", tag: "mc", role: .viewer,
                response: .closedObject(properties: ["campaigns": .array(.ref("MonteCarloCampaignSummary"))], required: ["campaigns"])
            ), in: book
        ) { _, _ in CampaignList(campaigns: try await production.campaigns()) }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/mc/campaigns", operationID: "createMonteCarloCampaign",
                summary: "Create an MC campaign: release, tags (they must exist), generation program, sites, background tag", tag: "mc", role: .manager,
                requestBody: .closedObject(
                    properties: [
                        "name": .string(), "release": .string(), "globalTags": .array(.string()), "program": .string(), "sites": .array(Self.siteSchema),
                        "backgroundTag": .string(), "exp": .integer, "energy": .string(), "base": .string(), "description": .string(),
                    ], required: ["name", "release", "globalTags", "program", "sites"]),
                successStatus: .created, response: .ref("MonteCarloCampaign")
            ), in: book
        ) { request, context in
            let b = try await request.decode(as: CampaignBody.self, context: context)
            let campaign = try MonteCarloCampaign(
                name: b.name, release: b.release, globalTags: b.globalTags, program: b.program,
                sites: b.sites.map { ProcessingRequest.Site(name: $0.name, pool: $0.pool, storage: $0.storage ?? "") },
                backgroundTag: b.backgroundTag ?? "hlt_random",
                exp: b.exp ?? 0, energy: b.energy ?? "4S", base: b.base ?? "/belle/MC", description: b.description ?? "")
            return EditedResponse(status: .created, response: try await production.createCampaign(campaign, by: context.actor!))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/mc/campaigns/{name}", operationID: "getMonteCarloCampaign",
                summary: "A campaign's table: every request by physics group with its state and progress", tag: "mc", role: .viewer,
                parameters: [Self.nameParameter], response: .ref("MonteCarloCampaignReport")
            ), in: book
        ) { _, context in try await production.campaign(try Self.name(context)) }
        router.add(
            APIOperation(
                method: .put, path: "/api/v1/mc/campaigns/{name}/status", operationID: "setMonteCarloCampaignStatus",
                summary: "Open or close a campaign; a closed one takes no new requests", tag: "mc", role: .manager, parameters: [Self.nameParameter],
                requestBody: .closedObject(
                    properties: ["status": .string(enumeration: MonteCarloCampaign.Status.allCases.map(\.rawValue))], required: ["status"]),
                response: .closedObject(properties: ["campaign": .string(), "status": .string()], required: ["campaign", "status"])
            ), in: book
        ) { request, context in
            let name = try Self.name(context)
            let b = try await request.decode(as: StatusBody.self, context: context)
            let status = try MonteCarloCampaign.Status(parsing: b.status)
            try await production.setStatus(ofCampaign: name, to: status, by: context.actor!)
            return StatusDone(campaign: name, status: status.rawValue)
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/mc/campaigns/{name}/requests", operationID: "fileMonteCarloRequest",
                summary: "File a sample request for a physics group: event type, events, background, priority 0–4, runs for run-dependent MC",
                tag: "mc", role: .expert, parameters: [Self.nameParameter],
                requestBody: .closedObject(
                    properties: [
                        "group": .string(), "liaison": .string(), "eventType": .string(), "events": .integer,
                        "background": .string(enumeration: MonteCarloRequest.Background.allCases.map(\.rawValue)), "priority": .integer, "runs": .string(),
                        "eventsPerJob": .integer, "comment": .string(),
                    ], required: ["group", "eventType", "events"]),
                successStatus: .created, response: .ref("MonteCarloRequest")
            ), in: book
        ) { request, context in
            let name = try Self.name(context)
            let b = try await request.decode(as: RequestBody.self, context: context)
            guard let priority = MonteCarloRequest.Priority(rawValue: b.priority ?? 2) else {
                throw ConveyorError.invalidInput("a priority is 0 (trivial) to 4 (blocker), not \(b.priority ?? 0)")
            }
            let filed = try MonteCarloRequest(
                campaign: name, group: b.group, liaison: b.liaison ?? context.actor!.name, eventType: b.eventType, events: b.events,
                background: try MonteCarloRequest.Background(parsing: b.background ?? "bgx1"), priority: priority, runs: b.runs,
                eventsPerJob: b.eventsPerJob ?? MonteCarloRequest.defaultEventsPerJob, comment: b.comment ?? "")
            return EditedResponse(status: .created, response: try await production.file(filed, by: context.actor!))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/mc/requests/{id}", operationID: "getMonteCarloRequest",
                summary: "A request: state and history, its LPN, progress, and when it will be done at its current share", tag: "mc", role: .viewer,
                parameters: [Self.idParameter], response: .ref("MonteCarloRequestDetail")
            ), in: book
        ) { _, context in try await production.request(try Self.id(context)) }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/mc/requests/{id}/decision", operationID: "decideMonteCarloRequest",
                summary: "The MC manager's decision: approved, rejected, released or removed (rejecting and removing need a reason)", tag: "mc",
                role: .manager, parameters: [Self.idParameter],
                requestBody: .closedObject(
                    properties: ["state": .string(enumeration: ["approved", "rejected", "released", "removed"]), "reason": .string()], required: ["state"]),
                response: .ref("MonteCarloRequest")
            ), in: book
        ) { request, context in
            let id = try Self.id(context)
            let b = try await request.decode(as: DecisionBody.self, context: context)
            return try await production.decide(id, to: try MonteCarloRequestState(parsing: b.state), reason: b.reason ?? "", by: context.actor!)
        }
        router.add(
            APIOperation(
                method: .put, path: "/api/v1/mc/requests/{id}/priority", operationID: "setMonteCarloPriority",
                summary: "Set a request's priority before submission: 0 trivial … 4 blocker", tag: "mc", role: .manager, parameters: [Self.idParameter],
                requestBody: .closedObject(properties: ["priority": .integer], required: ["priority"]), response: .ref("MonteCarloRequest")
            ), in: book
        ) { request, context in
            let id = try Self.id(context)
            let b = try await request.decode(as: PriorityBody.self, context: context)
            guard let priority = MonteCarloRequest.Priority(rawValue: b.priority) else {
                throw ConveyorError.invalidInput("a priority is 0 (trivial) to 4 (blocker), not \(b.priority)")
            }
            try await production.setPriority(id, to: priority, by: context.actor!)
            return try await production.request(id).request
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/mc/requests/{id}/test", operationID: "testMonteCarloRequest",
                summary: "Run a test job of an approved request on the server: a few events of its event type; a pass makes it ready", tag: "mc",
                role: .manager, parameters: [Self.idParameter], response: .ref("MonteCarloTestResult")
            ), in: book
        ) { _, context in try await production.test(try Self.id(context), by: context.actor!) }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/mc/requests/{id}/plan", operationID: "getMonteCarloPlan",
                summary: "What a request would run: events and tags per run, jobs, and how often background events are reused", tag: "mc",
                role: .viewer, parameters: [Self.idParameter], response: .ref("MonteCarloPlan")
            ), in: book
        ) { _, context in try await production.plan(try Self.id(context)) }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/mc/requests/{id}/submit", operationID: "submitMonteCarloRequest",
                summary: "Submit a ready request as production mc-ID: jobs with their seeds, run as job arrays below data in priority", tag: "mc",
                role: .manager, parameters: [Self.idParameter], successStatus: .created,
                response: .closedObject(properties: ["submission": RequestsAPI.submission, "plan": .ref("MonteCarloPlan")], required: ["submission", "plan"])
            ), in: book
        ) { _, context in
            let (submission, plan) = try await production.submit(try Self.id(context), by: context.actor!)
            return EditedResponse(status: .created, response: SubmissionDone(submission: submission, plan: plan))
        }
    }

    static func name(_ context: ConveyorRequestContext) throws(ConveyorError) -> String {
        guard let name = context.parameters.get("name"), !name.isEmpty else { throw .invalidInput("give the campaign's name") }
        return name
    }

    static func id(_ context: ConveyorRequestContext) throws(ConveyorError) -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw .invalidInput("an MC request's id is a positive whole number, not '\((context.parameters.get("id") ?? "").prefix(40))'")
        }
        return id
    }
}

extension MonteCarloCampaign: ResponseEncodable {}
extension MonteCarloRequest: ResponseEncodable {}
extension MonteCarloProduction.CampaignReport: ResponseEncodable {}
extension MonteCarloProduction.RequestDetail: ResponseEncodable {}
extension MonteCarloProduction.TestResult: ResponseEncodable {}
extension MonteCarloProduction.Plan: ResponseEncodable {}
