import ConveyorCore
import ConveyorMonitoring
import ConveyorRuns
import Foundation
import Hummingbird

extension PageRoutes {
    struct DecisionForm: Decodable {
        let decision: String
        let comment: String?
    }

    /// A run's monitoring, trends, processing comparisons, and confirming or rejecting proposals.
    func registerQuality(on router: Router<ConveyorRequestContext>) {
        let monitoring = QualityMonitoring(store: store)
        router.get("/runs/{exp}/{run}/monitoring") { request, context in
            let actor = try context.require(.viewer, to: "reading monitoring")
            let shown = try await monitoring.show(try RunsAPI.run(context), processing: QueryParameters(request).string("processing"))
            return HTMLResponse(page: RunMonitoringPage(monitoring: shown, actor: actor))
        }
        router.get("/qm/trend") { request, context in
            let actor = try context.require(.viewer, to: "reading monitoring trends")
            let q = QueryParameters(request)
            var exp = try q.int("exp") ?? 0
            if try q.int("exp") == nil { exp = try await monitoring.newestExperiment() ?? 0 }
            let query = (variable: q.string("variable") ?? "", exp: exp, runs: q.string("runs") ?? "0-100000", processing: q.string("processing") ?? "prompt")
            let variables = try await monitoring.referencedVariables(exp: exp)
            guard !query.variable.isEmpty else {
                return HTMLResponse(page: MonitoringTrendPage(trend: nil, variables: variables, query: query, actor: actor))
            }
            let trend = try await monitoring.trend(
                of: query.variable, processing: query.processing, exp: exp, runs: try RunQuery.runRange(parsing: query.runs))
            return HTMLResponse(page: MonitoringTrendPage(trend: trend, variables: variables, query: query, actor: actor))
        }
        router.get("/qm/compare") { request, context in
            let actor = try context.require(.viewer, to: "comparing processings")
            let q = QueryParameters(request)
            let names = (q.string("processing") ?? "").split(separator: ",").map(String.init)
            guard names.count == 2, let exp = try q.int("exp"), let runs = q.string("runs") else {
                throw ConveyorError.invalidInput("give processing=A,B, exp and runs=FIRST-LAST")
            }
            let compared = try await monitoring.compare(names[0], names[1], exp: exp, runs: try RunQuery.runRange(parsing: runs))
            return HTMLResponse(page: ProcessingComparisonPage(comparison: compared, actor: actor))
        }
        router.post("/qm/proposals/{id}/decide") { request, context in
            let actor = try context.require(.expert, to: "deciding a proposed quality flag")
            guard let id = context.parameters.get("id").flatMap(Int64.init) else { throw ConveyorError.invalidInput("the proposal id is a whole number") }
            let form = try URLEncodedFormDecoder().decode(DecisionForm.self, from: String(buffer: try await request.body.collect(upTo: 16 * 1024)))
            let decided =
                form.decision == "confirm"
                ? try await monitoring.confirm(id, comment: form.comment, by: actor)
                : try await monitoring.reject(id, comment: form.comment ?? "", by: actor)
            return Response.redirect(to: "/runs/\(decided.run.exp)/\(decided.run.run)/monitoring?processing=\(decided.processing)", type: .normal)
        }
    }
}
