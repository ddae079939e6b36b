import ConveyorCore
import ConveyorRequests
import Foundation
import Hummingbird

/// Processing requests over REST: validating and estimating a configuration needs `viewer`;
/// submitting, resuming, cancelling and taking inputs out or back needs `manager`.
struct RequestsAPI {
    let requests: Requests

    struct RequestList: ResponseEncodable { let requests: [Requests.Summary] }
    struct JobList: ResponseEncodable { let jobs: [RequestJob] }
    struct Validation: ResponseEncodable { let request: ProcessingRequest; let problems: [String] }
    struct InputChange: Decodable { let lfn: String; let reason: String? }
    struct InputChanged: ResponseEncodable { let lfn: String; let state: String; let jobs: Int }
    struct Comment: Decodable { let comment: String? }
    struct Cancelled: ResponseEncodable { let cancelled: String }

    /// The JSON Schema document of request files (RequestSchema): its own keys are fixed, its properties free.
    static let jsonSchemaDocument = JSONSchema.object(
        properties: [
            "$schema": .string(), "title": .string(), "type": .string(enumeration: ["object"]), "additionalProperties": .boolean,
            "required": .array(.string()), "properties": .map(.object(properties: ["description": .string()], required: [])),
        ],
        required: ["$schema", "type", "properties"])

    static let nameParameter = APIOperation.Parameter(name: "name", location: .path, description: "The request's name", schema: .string())

    /// What submitting a request (or a round) answers.
    static let submission = JSONSchema.object(
        properties: [
            "request": .string(), "workflowID": .integer, "resumed": .boolean, "tasks": .integer, "jobs": .integer,
            "jobsToRun": .integer, "inputsNotOnDisk": .integer,
        ],
        required: ["request", "workflowID", "resumed", "tasks", "jobs", "jobsToRun", "inputsNotOnDisk"])

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        let submission = Self.submission
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/requests/schema", operationID: "requestSchema", summary: "The JSON Schema of a request file", tag: "requests",
                role: .viewer, contentType: "application/schema+json", response: RequestsAPI.jsonSchemaDocument
            ), in: book
        ) { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/schema+json"],
                body: .init(byteBuffer: ByteBuffer(string: RequestSchema.document(for: ProcessingRequest.fields, title: "Conveyor processing request"))))
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/requests/validate", operationID: "validateRequest",
                summary: "Check a request (YAML or JSON body) and hold it against this installation; a malformed one is a 400 naming the key path",
                tag: "requests", role: .viewer,
                response: .closedObject(properties: ["request": .ref("ProcessingRequest"), "problems": .array(.string())], required: ["request", "problems"])
            ), in: book
        ) { request, _ in
            let parsed = try Requests.parse(try await Self.body(request), name: "request body")
            return Validation(request: parsed, problems: try await InstallationCheck(store: requests.store).problems(in: parsed))
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/requests/estimate", operationID: "estimateRequest",
                summary: "CPU-hours and days per step for each slot count, and the critical path", tag: "requests", role: .viewer,
                parameters: [
                    .init(name: "slots", location: .query, description: "Slot counts, comma-separated (default 400,1000,1500,2000)", schema: .string()),
                    .init(name: "lumi", location: .query, description: "Input luminosity, e.g. 6.4/fb (default: the run registry's)", schema: .string()),
                ],
                response: .closedObject(
                    properties: ["estimate": .ref("RequestEstimate"), "cpuPerEvent": .map(.number), "seedCostSteps": .array(.string())],
                    required: ["estimate", "cpuPerEvent", "seedCostSteps"])
            ), in: book
        ) { request, _ in
            let query = QueryParameters(request)
            let slots = try RequestEstimate.slotCounts(parsing: query.string("slots") ?? "400,1000,1500,2000")
            let lumi = try query.string("lumi").map { text throws(ConveyorError) in try BucketPlanner.luminosity(parsing: text) }
            let parsed = try Requests.parse(try await Self.body(request), name: "request body")
            return try await requests.estimate(parsed, slots: slots, luminosity: lumi)
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/requests", operationID: "submitRequest",
                summary: "Submit a request (YAML or JSON body): its jobs and DAG are generated; the same request again resumes it", tag: "requests",
                role: .manager, successStatus: .created, response: submission
            ), in: book
        ) { request, context in
            let submitted = try await requests.submit(try await Self.body(request), name: "request body", by: context.actor!)
            return EditedResponse(status: .created, response: submitted)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/requests", operationID: "listRequests", summary: "Requests, newest first, with their state and inputs by state",
                tag: "requests", role: .viewer, response: .closedObject(properties: ["requests": .array(.ref("RequestSummary"))], required: ["requests"])
            ), in: book
        ) { _, _ in
            RequestList(requests: try await requests.list())
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/requests/{name}", operationID: "getRequest",
                summary: "A request: steps with progress, calibrations, sign-offs waiting, payloads, outputs and luminosity", tag: "requests", role: .viewer,
                parameters: [Self.nameParameter], response: .ref("RequestDetail")
            ), in: book
        ) { _, context in
            try await requests.show(try context.parameters.require("name"))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/requests/{name}/jobs", operationID: "requestJobs", summary: "A request's jobs with inputs, output, events and CPU",
                tag: "requests", role: .viewer,
                parameters: [Self.nameParameter, .init(name: "step", location: .query, description: "Only this step", schema: .string())],
                response: .closedObject(properties: ["jobs": .array(.ref("RequestJob"))], required: ["jobs"])
            ), in: book
        ) { request, context in
            JobList(jobs: try await requests.jobs(of: try context.parameters.require("name"), step: QueryParameters(request).string("step")))
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/requests/{name}/resume", operationID: "resumeRequest",
                summary: "Continue a request whose workflow ended: only open jobs run", tag: "requests", role: .manager,
                parameters: [Self.nameParameter], successStatus: .created, response: submission
            ), in: book
        ) { _, context in
            EditedResponse(status: .created, response: try await requests.resume(try context.parameters.require("name"), by: context.actor!))
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/requests/{name}/cancel", operationID: "cancelRequest", summary: "Cancel a request and its running jobs",
                tag: "requests", role: .manager, parameters: [Self.nameParameter], requestBody: .object(properties: ["comment": .string()], required: []),
                response: .object(properties: ["cancelled": .string()], required: ["cancelled"])
            ), in: book
        ) { request, context in
            let name = try context.parameters.require("name")
            let body = try? await request.decode(as: Comment.self, context: context)
            try await requests.cancel(name, reason: body?.comment ?? "", by: context.actor!)
            return Cancelled(cancelled: name)
        }
        for (verb, state) in [("invalidate", InputFileState.invalidated), ("revalidate", .unused)] {
            router.add(
                APIOperation(
                    method: .post, path: "/api/v1/requests/{name}/inputs/\(verb)", operationID: "\(verb)Input",
                    summary: verb == "invalidate"
                        ? "Take a bad input file out of the request (reason required)" : "Put an invalidated or Problematic input file back",
                    tag: "requests", role: .manager, parameters: [Self.nameParameter],
                    requestBody: .object(properties: ["lfn": .string(), "reason": .string()], required: verb == "invalidate" ? ["lfn", "reason"] : ["lfn"]),
                    response: .object(properties: ["lfn": .string(), "state": .string(), "jobs": .integer], required: ["lfn", "state", "jobs"])
                ), in: book
            ) { request, context in
                let name = try context.parameters.require("name")
                let body = try await request.decode(as: InputChange.self, context: context)
                let jobs =
                    state == .invalidated
                    ? try await requests.invalidate(body.lfn, in: name, reason: body.reason ?? "", by: context.actor!)
                    : try await requests.revalidate(body.lfn, in: name, reason: body.reason ?? "", by: context.actor!)
                return InputChanged(lfn: body.lfn, state: state.rawValue, jobs: jobs)
            }
        }
    }

    static func body(_ request: Request) async throws -> Data {
        var request = request
        return Data(buffer: try await request.collectBody(upTo: 4 << 20))
    }
}

extension Requests.Submission: ResponseEncodable {}
extension Requests.Detail: ResponseEncodable {}
extension Requests.Estimate: ResponseEncodable {}
