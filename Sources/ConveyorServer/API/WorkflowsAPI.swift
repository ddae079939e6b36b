import ConveyorCore
import ConveyorWorkflow
import Foundation
import Hummingbird

/// The workflow engine over REST: submitting and controlling needs `manager`, a sign-off the
/// role its task names (at least `expert`), reading `viewer`.
struct WorkflowsAPI {
    let workflows: Workflows

    struct Submitted: ResponseEncodable { let id: Int64 }
    struct WorkflowList: ResponseEncodable { let workflows: [WorkflowRun] }
    struct EventList: ResponseEncodable { let events: [WorkflowEvent] }
    struct PoolList: ResponseEncodable { let pools: [Pool] }
    struct Queued: ResponseEncodable { let queued: String }
    struct SignOffRequest: Decodable { let approve: Bool; let comment: String? }
    struct ControlRequest: Decodable { let comment: String? }
    struct PoolRequest: Decodable { let executor: String; let slots: Int; let options: [String: String]? }

    static let idParameter = APIOperation.Parameter(name: "id", location: .path, description: "The workflow run", schema: .integer)
    static let taskParameters = [idParameter, APIOperation.Parameter(name: "task", location: .path, description: "The task's name", schema: .string())]

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        let queued = JSONSchema.object(properties: ["queued": .string()], required: ["queued"])
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/workflows", operationID: "submitWorkflow",
                summary: "Submit a DAG (YAML or JSON body); it is checked before anything runs", tag: "workflows", role: .manager,
                successStatus: .created, response: .object(properties: ["id": .integer], required: ["id"])
            ), in: book
        ) { request, context in
            let body = try await request.body.collect(upTo: 16 << 20)
            let id = try await workflows.submit(Data(buffer: body), name: "request body", by: context.actor!)
            return EditedResponse(status: .created, response: Submitted(id: id))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/workflows", operationID: "listWorkflows", summary: "Workflow runs, newest first", tag: "workflows", role: .viewer,
                parameters: [
                    .init(
                        name: "state", location: .query, description: "running, succeeded, failed or cancelled",
                        schema: .string(enumeration: WorkflowState.allCases.map(\.rawValue)))
                ],
                response: .closedObject(properties: ["workflows": .array(.ref("WorkflowRun"))], required: ["workflows"])
            ), in: book
        ) { request, _ in
            let state = try QueryParameters(request).string("state").map { text throws(ConveyorError) in try WorkflowState(parsing: text) }
            return WorkflowList(workflows: try await workflows.list(state: state))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/workflows/{id}", operationID: "getWorkflow", summary: "A workflow run with its tasks", tag: "workflows",
                role: .viewer,
                parameters: [Self.idParameter], response: .ref("WorkflowDetail")
            ), in: book
        ) { _, context in
            try await workflows.show(try Self.id(context))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/workflows/{id}/events", operationID: "workflowEvents", summary: "The append-only event log of a workflow run",
                tag: "workflows",
                role: .viewer, parameters: [Self.idParameter],
                response: .closedObject(properties: ["events": .array(.ref("WorkflowEvent"))], required: ["events"])
            ), in: book
        ) { _, context in
            EventList(events: try await workflows.events(try Self.id(context)))
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/workflows/{id}/cancel", operationID: "cancelWorkflow", summary: "Cancel every unfinished task", tag: "workflows",
                role: .manager, parameters: [Self.idParameter], requestBody: .object(properties: ["comment": .string()], required: []), response: queued
            ), in: book
        ) { request, context in
            let body = try? await request.decode(as: ControlRequest.self, context: context)
            try await workflows.cancel(try Self.id(context), reason: body?.comment ?? "", by: context.actor!)
            return Queued(queued: "cancel_workflow")
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/workflows/{id}/tasks/{task}/log", operationID: "taskLog",
                summary: "A task's attempts with each job's stdout and stderr", tag: "workflows", role: .viewer,
                parameters: Self.taskParameters, response: .ref("TaskLog")
            ), in: book
        ) { _, context in
            try await workflows.log(of: try Self.task(context))
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/workflows/{id}/tasks/{task}/signoff", operationID: "signOff",
                summary: "Approve or reject a sign-off task (the role the task names)", tag: "workflows", role: .expert,
                parameters: Self.taskParameters, requestBody: .object(properties: ["approve": .boolean, "comment": .string()], required: ["approve"]),
                response: queued
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: SignOffRequest.self, context: context)
            try await workflows.signOff(try Self.task(context), approve: body.approve, comment: body.comment ?? "", by: context.actor!)
            return Queued(queued: body.approve ? "approve" : "reject")
        }
        for (verb, kind) in [("resume", WorkflowCommandKind.resume), ("retry", .retry), ("cancel", .cancelTask)] {
            router.add(
                APIOperation(
                    method: .post, path: "/api/v1/workflows/{id}/tasks/{task}/\(verb)", operationID: "\(verb)Task",
                    summary: "\(verb.capitalized) a task", tag: "workflows", role: .manager,
                    parameters: Self.taskParameters, requestBody: .object(properties: ["comment": .string()], required: []), response: queued
                ), in: book
            ) { request, context in
                let body = try? await request.decode(as: ControlRequest.self, context: context)
                try await workflows.control(try Self.task(context), kind, comment: body?.comment ?? "", by: context.actor!)
                return Queued(queued: kind.rawValue)
            }
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/workflows/{id}/tasks/{task}/succeed", operationID: "markTaskSucceeded",
                summary: "Mark a paused or failed task succeeded after doing its work by hand (comment required)", tag: "workflows", role: .expert,
                parameters: Self.taskParameters, requestBody: .object(properties: ["comment": .string()], required: ["comment"]), response: queued
            ), in: book
        ) { request, context in
            let body = try? await request.decode(as: ControlRequest.self, context: context)
            try await workflows.control(try Self.task(context), .markSucceeded, comment: body?.comment ?? "", by: context.actor!)
            return Queued(queued: WorkflowCommandKind.markSucceeded.rawValue)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/pools", operationID: "listPools", summary: "Slot pools and their executors", tag: "workflows", role: .viewer,
                response: .closedObject(properties: ["pools": .array(.ref("Pool"))], required: ["pools"])
            ), in: book
        ) { _, _ in
            PoolList(pools: try await workflows.pools())
        }
        router.add(
            APIOperation(
                method: .put, path: "/api/v1/pools/{name}", operationID: "savePool", summary: "Add or change a pool", tag: "workflows", role: .manager,
                parameters: [.init(name: "name", location: .path, description: "The pool", schema: .string())],
                requestBody: .object(
                    properties: ["executor": .string(enumeration: ExecutorKind.allCases.map(\.rawValue)), "slots": .integer, "options": .map(.string())],
                    required: ["executor", "slots"]),
                response: .ref("Pool")
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: PoolRequest.self, context: context)
            let pool = try Pool(
                name: try context.parameters.require("name"), executor: try ExecutorKind(parsing: body.executor), slots: body.slots,
                options: body.options ?? [:])
            try await workflows.savePool(pool, by: context.actor!)
            return pool
        }
    }

    static func id(_ context: ConveyorRequestContext) throws -> Int64 {
        guard let id = Int64(try context.parameters.require("id")), id > 0 else { throw ConveyorError.invalidInput("the workflow must be a whole number") }
        return id
    }

    static func task(_ context: ConveyorRequestContext) throws -> TaskReference {
        .named(workflow: try id(context), name: try context.parameters.require("task"))
    }
}

extension Workflows.Detail: ResponseEncodable {}
extension Workflows.TaskLog: ResponseEncodable {}
extension Pool: ResponseEncodable {}
