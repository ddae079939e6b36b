import ConveyorCore
import ConveyorMonitoring
import ConveyorRuns
import Foundation
import Hummingbird
import NIOFoundationCompat

/// Quality monitoring over REST: a run's monitoring, trends, processing comparisons, storing
/// monitoring files, references, and the proposed flags people confirm or reject.
struct MonitoringAPI {
    let monitoring: QualityMonitoring

    struct ReferenceBody: Decodable {
        let variable: String
        let exp: Int
        let runs: String
        let fromRun: Int?
        let processing: String?
        let value: Double?
        let test: String
        let reason: String
    }

    struct DecisionBody: Decodable { let comment: String? }

    struct References: ResponseEncodable { let references: [MonitoringReference] }
    struct Proposals: ResponseEncodable { let proposals: [QualityProposal] }

    static let variableParameter = APIOperation.Parameter(
        name: "variable", location: .query, description: "The variable, e.g. cdc/hit_map", schema: .string())
    static let expParameter = APIOperation.Parameter(name: "exp", location: .query, description: "Experiment", schema: .integer)
    static let runsParameter = APIOperation.Parameter(name: "runs", location: .query, description: "Run range FIRST-LAST", schema: .string())
    static let idParameter = APIOperation.Parameter(name: "id", location: .path, description: "The proposal's id", schema: .integer)

    static let histogramSchema: JSONSchema = .closedObject(
        properties: [
            "name": .string(), "x": axisSchema, "y": axisSchema, "contents": .array(.number), "entries": .integer, "underflow": .number, "overflow": .number,
        ], required: ["name", "x", "contents", "entries"])
    static let axisSchema: JSONSchema = .closedObject(
        properties: ["bins": .integer, "low": .number, "high": .number, "label": .string()], required: ["bins", "low", "high"])
    static let monitoringFileSchema: JSONSchema = .closedObject(
        properties: [
            "run": .closedObject(properties: ["exp": .integer, "run": .integer], required: ["exp", "run"]), "processing": .string(),
            "histograms": .array(histogramSchema),
            "scalars": .array(.closedObject(properties: ["name": .string(), "value": .number, "error": .number], required: ["name", "value"])),
        ], required: ["run"])

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/runs/{exp}/{run}/monitoring", operationID: "getRunMonitoring",
                summary: "A run's monitoring in one processing: each variable against its reference, and the proposals", tag: "quality", role: .viewer,
                parameters: RunsAPI.runParameters + [
                    .init(name: "processing", location: .query, description: "express, prompt, procN (default: the run's newest)", schema: .string())
                ],
                response: .ref("RunMonitoring")
            ), in: book
        ) { request, context in
            try await monitoring.show(try RunsAPI.run(context), processing: QueryParameters(request).string("processing"))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/qm/trend", operationID: "getMonitoringTrend",
                summary: "A variable across runs: values with errors, reference bands, runs flagged bad", tag: "quality", role: .viewer,
                parameters: [
                    Self.variableParameter, Self.expParameter, Self.runsParameter,
                    .init(name: "processing", location: .query, description: "The processing (default prompt)", schema: .string()),
                ],
                response: .ref("MonitoringTrend")
            ), in: book
        ) { request, _ in
            let q = QueryParameters(request)
            let (variable, exp, runs) = try Self.variableRange(q)
            return try await monitoring.trend(of: variable, processing: q.string("processing") ?? "prompt", exp: exp, runs: runs)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/qm/compare", operationID: "compareProcessings",
                summary: "Two processings of the same runs side by side", tag: "quality", role: .viewer,
                parameters: [
                    .init(name: "processing", location: .query, description: "Two processings, A,B", schema: .string()), Self.expParameter,
                    Self.runsParameter,
                ],
                response: .ref("ProcessingComparison")
            ), in: book
        ) { request, _ in
            let q = QueryParameters(request)
            let names = (q.string("processing") ?? "").split(separator: ",").map(String.init)
            guard names.count == 2 else { throw ConveyorError.invalidInput("processing takes two processings, A,B") }
            guard let exp = try q.int("exp"), let runs = q.string("runs") else { throw ConveyorError.invalidInput("give exp and runs (FIRST-LAST)") }
            return try await monitoring.compare(names[0], names[1], exp: exp, runs: try RunQuery.runRange(parsing: runs))
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/qm/values", operationID: "storeMonitoring",
                summary: "Store a monitoring file (one run's histograms and scalars) and compare the run", tag: "quality", role: .expert,
                parameters: [.init(name: "processing", location: .query, description: "The processing, if the file names none", schema: .string())],
                requestBody: Self.monitoringFileSchema, successStatus: .created,
                response: .ref("MonitoringOutcome")
            ), in: book
        ) { request, context in
            let body = try await request.body.collect(upTo: 16 << 20)
            let file = try MonitoringFile(json: Data(buffer: body), file: "the request body")
            return EditedResponse(
                status: .created, response: try await monitoring.record(file, processing: QueryParameters(request).string("processing"), by: context.actor!))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/qm/references", operationID: "getMonitoringReferences",
                summary: "A variable's references, newest first (the first covering a run is in force)", tag: "quality", role: .viewer,
                parameters: [Self.variableParameter, Self.expParameter],
                response: .closedObject(properties: ["references": .array(.ref("MonitoringReference"))], required: ["references"])
            ), in: book
        ) { request, _ in
            let q = QueryParameters(request)
            guard let variable = q.string("variable"), let exp = try q.int("exp") else { throw ConveyorError.invalidInput("give variable and exp") }
            return References(references: try await monitoring.references(of: variable, exp: exp))
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/qm/references", operationID: "setMonitoringReference",
                summary: "Set a variable's reference for a run range from a run's value or a given value; its runs are compared again", tag: "quality",
                role: .expert,
                requestBody: .closedObject(
                    properties: [
                        "variable": .string(), "exp": .integer, "runs": .string(), "fromRun": .integer, "processing": .string(), "value": .number,
                        "test": .string(), "reason": .string(),
                    ], required: ["variable", "exp", "runs", "test", "reason"]),
                response: .ref("ReferenceOutcome")
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: ReferenceBody.self, context: context)
            let source: QualityMonitoring.ReferenceSource
            switch (body.fromRun, body.value) {
            case (let run?, nil): source = .run(ExpRun(exp: body.exp, run: run), processing: body.processing ?? "express")
            case (nil, let value?): source = .value(value)
            default: throw ConveyorError.invalidInput("give the reference as fromRun or value, one of them")
            }
            return try await monitoring.setReference(
                variable: body.variable, exp: body.exp, runs: try RunQuery.runRange(parsing: body.runs), from: source,
                comparison: try QualityComparison(parsing: body.test), reason: body.reason, by: context.actor!)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/qm/proposals", operationID: "getQualityProposals",
                summary: "Quality flags monitoring proposed, oldest first", tag: "quality", role: .viewer,
                parameters: [
                    .init(
                        name: "state", location: .query, description: "open (default), confirmed, rejected, applied, withdrawn or all",
                        schema: .string(enumeration: QualityProposal.State.allCases.map(\.rawValue) + ["all"]))
                ],
                response: .closedObject(properties: ["proposals": .array(.ref("QualityProposal"))], required: ["proposals"])
            ), in: book
        ) { request, _ in
            let state = QueryParameters(request).string("state") ?? "open"
            return Proposals(proposals: try await monitoring.proposals(state: state == "all" ? nil : try QualityProposal.State(parsing: state)))
        }
        for (verb, confirming) in [("confirm", true), ("reject", false)] {
            router.add(
                APIOperation(
                    method: .post, path: "/api/v1/qm/proposals/{id}/\(verb)", operationID: "\(verb)QualityProposal",
                    summary: confirming
                        ? "Confirm a proposed flag: it becomes an ordinary quality event" : "Reject a proposed flag, saying why (comment)",
                    tag: "quality", role: .expert, parameters: [Self.idParameter],
                    requestBody: .closedObject(properties: ["comment": .string()], required: confirming ? [] : ["comment"]),
                    response: .ref("QualityProposal")
                ), in: book
            ) { request, context in
                let body = try await request.decode(as: DecisionBody.self, context: context)
                guard let id = context.parameters.get("id").flatMap(Int64.init) else { throw ConveyorError.invalidInput("the proposal id is a whole number") }
                return confirming
                    ? try await monitoring.confirm(id, comment: body.comment, by: context.actor!)
                    : try await monitoring.reject(id, comment: body.comment ?? "", by: context.actor!)
            }
        }
    }

    static func variableRange(_ q: QueryParameters) throws -> (String, Int, ClosedRange<Int>) {
        guard let variable = q.string("variable"), let exp = try q.int("exp"), let runs = q.string("runs") else {
            throw ConveyorError.invalidInput("give variable, exp and runs (FIRST-LAST)")
        }
        return (variable, exp, try RunQuery.runRange(parsing: runs))
    }
}

extension QualityMonitoring.RunMonitoring: ResponseEncodable {}
extension QualityMonitoring.Trend: ResponseEncodable {}
extension QualityMonitoring.ProcessingComparison: ResponseEncodable {}
extension QualityMonitoring.Outcome: ResponseEncodable {}
extension QualityMonitoring.ReferenceOutcome: ResponseEncodable {}
extension QualityProposal: ResponseEncodable {}
