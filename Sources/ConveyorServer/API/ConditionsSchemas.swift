import ConveyorCore

/// Schemas of the conditions database's JSON, named as the Swift types they describe.
extension APISchemas {
    static let iov = JSONSchema.object(
        properties: ["expLow": .integer, "runLow": .integer, "expHigh": .integer, "runHigh": .integer],
        required: ["expLow", "runLow", "expHigh", "runHigh"]
    )
    static let expRun = JSONSchema.object(properties: ["exp": .integer, "run": .integer], required: ["exp", "run"])
    static let tagState = JSONSchema.string(enumeration: GlobalTagState.allCases.map(\.rawValue))

    static func defineConditions(in book: APIBook) {
        book.define("IntervalOfValidity", iov)
        book.define("ExpRun", expRun)
        book.define(
            "GlobalTag",
            .object(
                properties: [
                    "id": .integer, "name": .string(), "description": .string(),
                    "type": .string(enumeration: GlobalTagType.allCases.map(\.rawValue)), "state": tagState,
                    "createdAt": timestamp, "createdBy": .string(), "changeCount": .integer,
                ],
                required: ["id", "name", "description", "type", "state", "createdAt", "createdBy", "changeCount"]
            ))
        book.define(
            "GlobalTagDetail",
            .object(
                properties: [
                    "tag": .ref("GlobalTag"), "iovCount": .integer, "payloadNameCount": .integer,
                    "sync": .string(enumeration: SynchronisationType.allCases.map(\.rawValue)),
                ],
                required: ["tag", "iovCount", "payloadNameCount"]
            ))
        book.define(
            "Payload",
            .object(
                properties: [
                    "id": .integer, "name": .string(), "revision": .integer, "sha256": .string(), "md5": .string(),
                    "size": .integer, "creator": .string(), "createdAt": timestamp, "description": .string(),
                ],
                required: ["id", "name", "revision", "sha256", "md5", "size", "creator", "createdAt", "description"]
            ))
        book.define(
            "TagEntry",
            .object(
                properties: [
                    "id": .integer, "name": .string(), "revision": .integer, "payloadID": .integer, "sha256": .string(), "iov": .ref("IntervalOfValidity"),
                ],
                required: ["id", "name", "revision", "payloadID", "sha256", "iov"]
            ))
        book.define(
            "Resolution",
            .object(
                properties: ["name": .string(), "revision": .integer, "sha256": .string(), "iov": .ref("IntervalOfValidity"), "tag": .string()],
                required: ["name", "revision", "sha256", "iov", "tag"]
            ))
        book.define(
            "ResolutionList",
            .object(
                properties: ["run": .ref("ExpRun"), "payloads": .array(.ref("Resolution"))],
                required: ["run", "payloads"]
            ))
        book.define(
            "StagingViolation",
            .object(
                properties: ["kind": .string(enumeration: ["gap", "overlap", "lastNotOpen"]), "name": .string(), "message": .string()],
                required: ["kind", "name", "message"]
            ))
        let side = JSONSchema.object(
            properties: ["name": .string(), "revision": .integer, "sha256": .string(), "iov": .ref("IntervalOfValidity")],
            required: ["name", "revision", "sha256", "iov"])
        book.define(
            "TagDiff",
            .object(
                properties: [
                    "added": .array(side), "removed": .array(side),
                    "changed": .array(
                        .object(
                            properties: [
                                "name": .string(), "iov": .ref("IntervalOfValidity"), "fromRevision": .integer, "toRevision": .integer,
                                "fromSHA256": .string(), "toSHA256": .string(),
                            ],
                            required: ["name", "iov", "fromRevision", "toRevision", "fromSHA256", "toSHA256"]
                        )),
                ],
                required: ["added", "removed", "changed"]
            ))
        book.define(
            "RunningUpdatePlan",
            .object(
                properties: [
                    "validFrom": .ref("ExpRun"), "earliestValidFrom": .ref("ExpRun"),
                    "changes": .array(
                        .object(
                            properties: [
                                "kind": .string(enumeration: ["close", "extend", "add"]), "name": .string(), "revision": .integer,
                                "payloadID": .integer, "sha256": .string(), "replacedEntryID": .nullable(.integer),
                                "oldIoV": .nullable(.ref("IntervalOfValidity")), "newIoV": .ref("IntervalOfValidity"),
                            ],
                            required: ["kind", "name", "revision", "payloadID", "sha256", "newIoV"]
                        )),
                ],
                required: ["validFrom", "earliestValidFrom", "changes"]
            ))
        book.define(
            "UploadResult",
            .object(
                properties: ["payload": .ref("Payload"), "isNewRevision": .boolean, "tag": .string(), "iov": .ref("IntervalOfValidity")],
                required: ["payload", "isNewRevision", "tag", "iov"]
            ))
    }
}
