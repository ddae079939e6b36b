import ConveyorConditions
import ConveyorCore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// The conditions database over REST. Reads need `viewer`; writes to OPEN tags `expert`; state
/// changes and running updates `manager` (checked again by the capability).
struct ConditionsAPI {
    let conditions: ConditionsDatabase

    struct NewTag: Decodable { let name: String; let type: String?; let description: String? }
    struct StateChange: Decodable { let state: String; let confirm: String? }
    struct CloneRequest: Decodable { let name: String }
    struct MergeRequest: Decodable { let output: String; let tags: [String]; let runRange: String? }
    struct RunningUpdateRequest: Decodable { let staging: String; let validFrom: String; let dryRun: Bool? }
    struct TagList: ResponseEncodable { let globalTags: [GlobalTag] }
    struct EntryList: ResponseEncodable { let tag: String; let iovs: [TagEntry] }
    struct PayloadList: ResponseEncodable { let payloads: [Payload] }
    struct CheckReport: ResponseEncodable { let tag: String; let passed: Bool; let violations: [StagingRules.Violation] }
    struct ResolutionList: Encodable { let run: ExpRun; let payloads: [Resolution] }

    static let tagParameter = APIOperation.Parameter(name: "tag", location: .path, description: "The global tag's name", schema: .string())
    static let asOfParameter = APIOperation.Parameter(
        name: "as_of", location: .query, description: "Answer as of this ISO 8601 time", schema: APISchemas.timestamp)
    static let runParameters: [APIOperation.Parameter] = [
        .init(name: "exp", location: .query, description: "Experiment", schema: .integer),
        .init(name: "run", location: .query, description: "Run (or EXP:RUN)", schema: .string()),
        .init(name: "name", location: .query, description: "Only these payload names (repeat or comma-separate)", schema: .string()),
        asOfParameter,
        .init(name: "allow_open", location: .query, description: "Allow OPEN tags", schema: .boolean),
    ]

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        APISchemas.defineConditions(in: book)
        registerTags(on: router, book: book)
        registerIoVs(on: router, book: book)
        registerLookups(on: router, book: book)
        registerPayloads(on: router, book: book)
    }

    private func registerTags(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/globaltags", operationID: "listGlobalTags", summary: "List global tags", tag: "conditions", role: .viewer,
                parameters: [
                    .init(name: "name", location: .query, description: "Name contains", schema: .string()),
                    .init(name: "state", location: .query, description: "Only this state", schema: APISchemas.tagState), Self.asOfParameter,
                ],
                response: .object(properties: ["globalTags": .array(.ref("GlobalTag"))], required: ["globalTags"])
            ), in: book
        ) { request, _ in
            let query = QueryParameters(request)
            let state = try query.string("state").map { text throws(ConveyorError) in try GlobalTagState(parsing: text) }
            return TagList(globalTags: try await conditions.tags(nameContains: query.string("name"), state: state, asOf: try query.timestamp("as_of")))
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/globaltags", operationID: "createGlobalTag", summary: "Create an OPEN global tag", tag: "conditions",
                role: .expert,
                requestBody: .object(
                    properties: ["name": .string(), "type": .string(enumeration: GlobalTagType.allCases.map(\.rawValue)), "description": .string()],
                    required: ["name"]),
                successStatus: .created, response: .ref("GlobalTag")
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: NewTag.self, context: context)
            let type = try GlobalTagType(parsing: body.type ?? "DEV")
            let tag = try await conditions.createTag(named: body.name, type: type, description: body.description ?? "", by: context.actor!)
            return EditedResponse(status: .created, response: tag)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/globaltags/{tag}", operationID: "getGlobalTag", summary: "Read a global tag and how much it holds",
                tag: "conditions", role: .viewer,
                parameters: [Self.tagParameter, Self.asOfParameter], response: .ref("GlobalTagDetail")
            ), in: book
        ) { request, context in
            try await conditions.detail(ofTag: try context.parameters.require("tag"), asOf: try QueryParameters(request).timestamp("as_of"))
        }
        router.add(
            APIOperation(
                method: .delete, path: "/api/v1/globaltags/{tag}", operationID: "deleteGlobalTag", summary: "Delete an OPEN global tag", tag: "conditions",
                role: .expert,
                parameters: [Self.tagParameter], response: .object(properties: ["deleted": .string()], required: ["deleted"])
            ), in: book
        ) { _, context in
            let name = try context.parameters.require("tag")
            try await conditions.deleteTag(named: name, by: context.actor!)
            return ["deleted": name]
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/globaltags/{tag}/state", operationID: "setGlobalTagState", summary: "Change a global tag's state",
                tag: "conditions", role: .manager,
                parameters: [Self.tagParameter],
                requestBody: .object(properties: ["state": APISchemas.tagState, "confirm": .string()], required: ["state"]),
                response: .ref("GlobalTag")
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: StateChange.self, context: context)
            return try await conditions.setState(
                ofTag: try context.parameters.require("tag"), to: try GlobalTagState(parsing: body.state), confirm: body.confirm, by: context.actor!)
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/globaltags/{tag}/clone", operationID: "cloneGlobalTag", summary: "Copy a global tag into a new OPEN tag",
                tag: "conditions", role: .expert,
                parameters: [Self.tagParameter], requestBody: .object(properties: ["name": .string()], required: ["name"]),
                successStatus: .created, response: .ref("GlobalTag")
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: CloneRequest.self, context: context)
            let tag = try await conditions.clone(try context.parameters.require("tag"), as: body.name, by: context.actor!)
            return EditedResponse(status: .created, response: tag)
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/globaltags/merge", operationID: "mergeGlobalTags",
                summary: "Merge global tags by priority gap filling into a new OPEN tag", tag: "conditions", role: .expert,
                requestBody: .object(properties: ["output": .string(), "tags": .array(.string()), "runRange": .string()], required: ["output", "tags"]),
                successStatus: .created, response: .ref("GlobalTagDetail")
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: MergeRequest.self, context: context)
            let range = try body.runRange.map { text throws(ConveyorError) in try IntervalOfValidity(parsing: text) }
            let detail = try await conditions.merge(body.tags, into: body.output, within: range, by: context.actor!)
            return EditedResponse(status: .created, response: detail)
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/globaltags/{tag}/running-update", operationID: "runningUpdate",
                summary: "Merge a VALIDATED staging tag into this RUNNING tag from a run on", tag: "conditions", role: .manager,
                parameters: [Self.tagParameter],
                requestBody: .object(properties: ["staging": .string(), "validFrom": .string(), "dryRun": .boolean], required: ["staging", "validFrom"]),
                response: .ref("RunningUpdatePlan")
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: RunningUpdateRequest.self, context: context)
            return try await conditions.runningUpdate(
                try context.parameters.require("tag"), from: body.staging, validFrom: try ExpRun(parsing: body.validFrom),
                dryRun: body.dryRun ?? false, by: context.actor!)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/globaltags/{tag}/check", operationID: "checkGlobalTag", summary: "Check a tag against the staging rules",
                tag: "conditions", role: .viewer,
                parameters: [Self.tagParameter, Self.asOfParameter],
                response: .object(
                    properties: ["tag": .string(), "passed": .boolean, "violations": .array(.ref("StagingViolation"))],
                    required: ["tag", "passed", "violations"])
            ), in: book
        ) { request, context in
            let tag = try context.parameters.require("tag")
            let violations = try await conditions.check(tag: tag, asOf: try QueryParameters(request).timestamp("as_of"))
            return CheckReport(tag: tag, passed: violations.isEmpty, violations: violations)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/globaltags/{tag}/diff/{other}", operationID: "diffGlobalTags", summary: "Compare two global tags",
                tag: "conditions", role: .viewer,
                parameters: [
                    Self.tagParameter, .init(name: "other", location: .path, description: "The tag to compare with", schema: .string()),
                    .init(name: "run", location: .query, description: "Only IoVs covering this run (EXP:RUN)", schema: .string()), Self.asOfParameter,
                ],
                response: .ref("TagDiff")
            ), in: book
        ) { request, context in
            let query = QueryParameters(request)
            let run = try query.string("run").map { text throws(ConveyorError) in try ExpRun(parsing: text) }
            return try await conditions.diff(
                try context.parameters.require("tag"), try context.parameters.require("other"), at: run, asOf: try query.timestamp("as_of"))
        }
    }

    private func registerIoVs(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/globaltags/{tag}/iovs", operationID: "listIoVs", summary: "List a tag's IoVs", tag: "conditions", role: .viewer,
                parameters: [
                    Self.tagParameter, .init(name: "name", location: .query, description: "Only this payload name", schema: .string()), Self.asOfParameter,
                ],
                response: .object(properties: ["tag": .string(), "iovs": .array(.ref("TagEntry"))], required: ["tag", "iovs"])
            ), in: book
        ) { request, context in
            let query = QueryParameters(request)
            let tag = try context.parameters.require("tag")
            return EntryList(tag: tag, iovs: try await conditions.entries(ofTag: tag, name: query.string("name"), asOf: try query.timestamp("as_of")))
        }
        router.add(
            APIOperation(
                method: .delete, path: "/api/v1/globaltags/{tag}/iovs/{id}", operationID: "removeIoV", summary: "Remove an IoV from an OPEN tag",
                tag: "conditions", role: .expert,
                parameters: [Self.tagParameter, .init(name: "id", location: .path, description: "The IoV's id", schema: .integer)],
                response: .object(properties: ["tag": .string(), "iovs": .array(.ref("TagEntry"))], required: ["tag", "iovs"])
            ), in: book
        ) { _, context in
            let tag = try context.parameters.require("tag")
            guard let id = Int64(try context.parameters.require("id")) else { throw ConveyorError.invalidInput("the IoV id must be a number") }
            return EntryList(tag: tag, iovs: try await conditions.removeIoV(fromTag: tag, id: id, by: context.actor!))
        }
    }

    private func registerLookups(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/globaltags/{tag}/payloads", operationID: "resolveInTag",
                summary: "Resolve the payloads of one tag for a run", tag: "lookups", role: .viewer,
                parameters: [Self.tagParameter] + Self.runParameters, response: .ref("ResolutionList")
            ), in: book
        ) { request, context in
            try await lookup(request, tags: [try context.parameters.require("tag")])
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/resolve", operationID: "resolveStack",
                summary: "Resolve payloads for a run from an ordered stack of tags (first tag that covers the run wins)", tag: "lookups", role: .viewer,
                parameters: [.init(name: "gt", location: .query, description: "The tags, highest priority first, comma-separated", schema: .string())]
                    + Self.runParameters,
                response: .ref("ResolutionList")
            ), in: book
        ) { request, _ in
            try await lookup(request, tags: QueryParameters(request).list("gt"))
        }
    }

    /// A resolution, cacheable: a strong ETag naming exactly what the answer depends on (the tags'
    /// change counters, the run, the names asked for), and for PUBLISHED tags — which never change
    /// again but for being invalidated — a long public max-age for caches in front.
    private func lookup(_ request: Request, tags: [String]) async throws -> Response {
        let query = QueryParameters(request)
        let run = try query.run()
        let names = query.list("name")
        let asOf = try query.timestamp("as_of")
        let allowOpen = try query.bool("allow_open")
        let stack = try await conditions.resolveStack(tags: tags, at: run, names: names.isEmpty ? nil : names, asOf: asOf, allowOpen: allowOpen)
        let (versions, found) = (stack.tags, stack.resolutions)
        let identity = "\(versions.map { "\($0.id).\($0.changeCount)" })|\(run)|\(names)|\(asOf?.description ?? "")|\(allowOpen)"
        let etag = "\"" + SHA256.hash(data: Data(identity.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
        let published = versions.allSatisfy { $0.state == .published }
        var headers: HTTPFields = [
            .contentType: "application/json; charset=utf-8",
            .eTag: etag,
            .cacheControl: published ? "public, max-age=3600, immutable" : "no-cache",
        ]
        if request.headers[.ifNoneMatch].map({ $0.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == etag } }) == true {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ResolutionJSON.encode(run: run, found)))
    }

    private func registerPayloads(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/payloads/{name}", operationID: "uploadPayload",
                summary: "Upload payload bytes (the request body) and give them an IoV in an OPEN tag", tag: "payloads", role: .expert,
                parameters: [
                    .init(name: "name", location: .path, description: "The payload name", schema: .string()),
                    .init(name: "gt", location: .query, description: "The OPEN tag", schema: .string()),
                    .init(name: "iov", location: .query, description: "e1,r1,e2,r2", schema: .string()),
                    .init(name: "description", location: .query, description: "What this revision is", schema: .string()),
                    .init(name: "sha256", location: .query, description: "Refuse unless the bytes hash to this", schema: .string()),
                ],
                successStatus: .created, response: .ref("UploadResult")
            ), in: book
        ) { request, context in
            let query = QueryParameters(request)
            guard let tag = query.string("gt") else { throw ConveyorError.invalidInput("name the OPEN tag to upload into: ?gt=TAG") }
            guard let iovText = query.string("iov") else { throw ConveyorError.invalidInput("give the interval of validity: ?iov=e1,r1,e2,r2") }
            let iov = try IntervalOfValidity(parsing: iovText)
            let body = try await request.body.collect(upTo: 1 << 30)
            let result = try await conditions.upload(
                name: try context.parameters.require("name"), bytes: Data(buffer: body), intoTag: tag, iov: iov,
                description: query.string("description") ?? "", expectedSHA256: query.string("sha256"), by: context.actor!
            )
            return EditedResponse(status: .created, response: result)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/payloads/{name}", operationID: "listPayloadRevisions", summary: "List the revisions of a payload name",
                tag: "payloads", role: .viewer,
                parameters: [.init(name: "name", location: .path, description: "The payload name", schema: .string()), Self.asOfParameter],
                response: .object(properties: ["payloads": .array(.ref("Payload"))], required: ["payloads"])
            ), in: book
        ) { request, context in
            PayloadList(
                payloads: try await conditions.payloads(named: try context.parameters.require("name"), asOf: try QueryParameters(request).timestamp("as_of")))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/payloads/{name}/{revision}", operationID: "downloadPayload",
                summary: "Download a payload's bytes (Range supported; checksums in X-Conveyor-SHA256 and X-Conveyor-MD5)", tag: "payloads", role: .viewer,
                parameters: [
                    .init(name: "name", location: .path, description: "The payload name", schema: .string()),
                    .init(name: "revision", location: .path, description: "The revision", schema: .integer),
                ],
                response: .string(format: "binary")
            ), in: book
        ) { request, context in
            guard let revision = Int(try context.parameters.require("revision")) else { throw ConveyorError.invalidInput("the revision must be a number") }
            let (payload, bytes) = try await conditions.download(name: try context.parameters.require("name"), revision: revision)
            return PayloadBytesResponse(payload: payload, bytes: bytes, range: request.headers[.range], ifNoneMatch: request.headers[.ifNoneMatch]).response
        }
    }
}

extension GlobalTag: ResponseEncodable {}
extension GlobalTagDetail: ResponseEncodable {}
extension TagDiff: ResponseEncodable {}
extension RunningUpdate.Plan: ResponseEncodable {}
extension UploadResult: ResponseEncodable {}
