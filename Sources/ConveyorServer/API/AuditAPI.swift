import ConveyorAccess
import ConveyorCore
import Hummingbird

/// The audit log over REST: `GET /api/v1/audit?since=…&actor=…&limit=…`, newest first.
struct AuditAPI {
    let auditLog: AuditLog

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/audit", operationID: "listAudit",
                summary: "Read the audit log, newest first", tag: "audit", role: .viewer,
                parameters: [
                    .init(name: "since", location: .query, description: "Only entries at or after this ISO 8601 time", schema: APISchemas.timestamp),
                    .init(name: "actor", location: .query, description: "Only entries by this actor", schema: .string()),
                    .init(name: "limit", location: .query, description: "At most this many entries (1–10000, default 100)", schema: .integer),
                ],
                response: .object(properties: ["entries": .array(.ref("AuditEntry"))], required: ["entries"])
            ),
            in: book
        ) { request, _ in
            let query = request.uri.queryParameters
            let since = try query["since"].map { try Timestamp(parsing: String($0)) }
            var limit = 100
            if let text = query["limit"] {
                guard let value = Int(String(text)) else {
                    throw ConveyorError.invalidInput("limit must be a whole number, not '\(text)'")
                }
                limit = value
            }
            let entries = try await auditLog.entries(since: since, actor: query["actor"].map(String.init), limit: limit)
            return AuditList(entries: entries)
        }
    }
}
