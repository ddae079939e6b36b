import ConveyorCore

/// The reusable schemas of the API document, named as the Swift types they describe.
enum APISchemas {
    static let error = JSONSchema.object(
        properties: ["error": .string(), "status": .integer, "code": .string()],
        required: ["error", "status", "code"]
    )

    static let role = JSONSchema.string(enumeration: Role.allCases.map(\.rawValue))
    static let timestamp = JSONSchema.string(format: "date-time")

    static let user = JSONSchema.object(
        properties: [
            "id": .integer, "name": .string(), "role": role,
            "createdAt": timestamp, "createdBy": .string(), "revokedAt": .nullable(timestamp),
            "email": .nullable(.string()), "responsibilities": .array(.string()), "source": .string(enumeration: ["token", "directory"]),
        ],
        required: ["id", "name", "role", "createdAt", "createdBy", "responsibilities", "source"]
    )

    static let auditEntry = JSONSchema.object(
        properties: [
            "id": .integer, "at": timestamp, "actor": .string(), "action": .string(),
            "subjectKind": .string(), "subject": .string(), "detail": .string(),
        ],
        required: ["id", "at", "actor", "action", "subjectKind", "subject", "detail"]
    )

    static let kindCount = JSONSchema.object(properties: ["kind": .string(), "count": .integer], required: ["kind", "count"])

    static let summary = JSONSchema.object(
        properties: [
            "backend": .string(enumeration: ["sqlite", "postgresql"]), "location": .string(),
            "schemaVersion": .integer, "counts": .array(.ref("KindCount")),
        ],
        required: ["backend", "location", "schemaVersion", "counts"]
    )

    static func defineAll(in book: APIBook) {
        book.define("User", user)
        book.define("AuditEntry", auditEntry)
        book.define("KindCount", kindCount)
        book.define("DatabaseSummary", summary)
    }
}
