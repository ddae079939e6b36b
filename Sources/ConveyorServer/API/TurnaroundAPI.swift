import ConveyorCore
import ConveyorDataTaking
import ConveyorRequests
import Hummingbird

/// Turnaround over REST: where a request's wall time went, and the same for many requests.
struct TurnaroundAPI {
    let requests: Requests
    let prompt: PromptReco

    struct RunReport: ResponseEncodable {
        let runs: [RunTurnaround]
    }

    struct Report: ResponseEncodable {
        let requests: [Requests.RequestTurnaround]
    }

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/requests/{name}/turnaround", operationID: "getRequestTurnaround",
                summary: "Where a request's wall time went: compute, batch slots, data, people, other; and each sign-off's wait", tag: "requests",
                role: .viewer, parameters: [RequestsAPI.nameParameter], response: .ref("RequestTurnaround")
            ), in: book
        ) { _, context in
            try await requests.turnaround(of: try context.parameters.require("name"))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/reports/turnaround", operationID: "getTurnaroundReport",
                summary: "The turnaround of every request (of a campaign, submitted since a time), oldest first", tag: "requests", role: .viewer,
                parameters: [
                    .init(name: "campaign", location: .query, description: "Only this campaign (prompt, express, procN, …)", schema: .string()),
                    .init(name: "since", location: .query, description: "Only requests submitted since (ISO 8601)", schema: .string(format: "date-time")),
                ],
                response: .closedObject(properties: ["requests": .array(.ref("RequestTurnaround"))], required: ["requests"])
            ), in: book
        ) { request, _ in
            let query = QueryParameters(request)
            let since = try query.string("since").map { text throws(ConveyorError) in try Timestamp(parsing: text) }
            return Report(requests: try await requests.turnarounds(campaign: query.string("campaign"), since: since))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/reports/run-turnaround", operationID: "getRunTurnaroundReport",
                summary: "Every prompt-tracked run: from the end of data taking to calibrated, released and certified, and the time it was postponed",
                tag: "prompt", role: .viewer,
                response: .closedObject(properties: ["runs": .array(.ref("RunTurnaround"))], required: ["runs"])
            ), in: book
        ) { _, _ in
            RunReport(runs: try await prompt.runTurnarounds())
        }
    }
}

extension Requests.RequestTurnaround: ResponseEncodable {}
