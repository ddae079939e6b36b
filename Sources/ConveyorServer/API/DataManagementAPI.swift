import ConveyorCore
import ConveyorDataManagement
import Foundation
import Hummingbird

/// Data management over REST: endpoints (admin, for they carry commands), datasets and rules
/// (manager), usage and every listing (viewer).
struct DataManagementAPI {
    let dm: DataManagement

    struct EndpointBody: Decodable {
        let name: String
        let site: String
        let kind: String
        let prefix: String
        let attributes: [String: String]?
        let quota: String?
        /// Owner → size ("500TB").
        let ownerQuotas: [String: String]?
        let freeTarget: String?
        let copyCommand: String?
        let recallCommand: String?
        let deleteCommand: String?
        let timeoutSeconds: Int?
        let concurrency: Int?
    }
    struct RuleBody: Decodable {
        let target: String
        let copies: Int?
        let expression: String
        let lifetime: String?
        let grouping: String?
        let activity: String?
        let priority: Int?
        let comment: String?
    }
    struct DatasetBody: Decodable { let name: String; let kind: String? }
    struct AttachBody: Decodable { let name: String; let members: [String] }
    struct EndpointList: ResponseEncodable { let endpoints: [DataManagement.EndpointUsage] }
    struct RuleList: ResponseEncodable { let rules: [ReplicationRule] }
    struct DatasetList: ResponseEncodable { let datasets: [Dataset] }
    struct UsageList: ResponseEncodable { let usage: [UsageRow] }
    struct Attached: ResponseEncodable { let attached: Int }
    struct Ended: ResponseEncodable { let rule: Int64; let deletableBytes: Int64 }

    static let nameParameter = APIOperation.Parameter(name: "name", location: .path, description: "The endpoint's name", schema: .string())
    static let idParameter = APIOperation.Parameter(name: "id", location: .path, description: "The rule", schema: .integer)

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/sites", operationID: "listEndpoints", summary: "Storage endpoints with used, quota and free bytes", tag: "data",
                role: .viewer, response: .closedObject(properties: ["endpoints": .array(.ref("EndpointUsage"))], required: ["endpoints"])
            ), in: book
        ) { _, _ in EndpointList(endpoints: try await dm.endpoints()) }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/sites", operationID: "saveEndpoint",
                summary: "Add a storage endpoint or change one (its copy, recall and delete commands run on the engine's host)", tag: "data", role: .admin,
                requestBody: .object(
                    properties: [
                        "name": .string(), "site": .string(), "kind": .string(enumeration: StorageKind.allCases.map(\.rawValue)), "prefix": .string(),
                        "attributes": .map(.string()), "quota": .string(), "ownerQuotas": .map(.string()), "freeTarget": .string(), "copyCommand": .string(),
                        "recallCommand": .string(), "deleteCommand": .string(), "timeoutSeconds": .integer, "concurrency": .integer,
                    ], required: ["name", "site", "kind", "prefix"]),
                response: .ref("EndpointUsage")
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: EndpointBody.self, context: context)
            let endpoint = try StorageEndpoint(
                name: body.name, site: body.site, kind: try StorageKind(parsing: body.kind), prefix: body.prefix, attributes: body.attributes ?? [:],
                quotaBytes: try body.quota.map(ByteCount.parse), ownerQuotas: try (body.ownerQuotas ?? [:]).mapValues(ByteCount.parse),
                freeSpaceTargetBytes: try body.freeTarget.map(ByteCount.parse),
                copyCommand: body.copyCommand ?? "cp {src} {dst}", recallCommand: body.recallCommand, deleteCommand: body.deleteCommand,
                timeoutSeconds: body.timeoutSeconds ?? 600, concurrency: body.concurrency ?? 4)
            try await dm.saveEndpoint(endpoint, by: context.actor!)
            return try await dm.endpoint(endpoint.name)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/sites/{name}", operationID: "getEndpoint", summary: "One storage endpoint and its usage", tag: "data",
                role: .viewer, parameters: [Self.nameParameter], response: .ref("EndpointUsage")
            ), in: book
        ) { _, context in try await dm.endpoint(try context.parameters.require("name")) }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/rules", operationID: "listRules", summary: "Replication rules, filtered by state or request", tag: "data",
                role: .viewer,
                parameters: [
                    .init(name: "state", location: .query, description: "REPLICATING, OK, STUCK or SUSPENDED", schema: .string()),
                    .init(name: "request", location: .query, description: "The request the rules serve", schema: .string()),
                ],
                response: .closedObject(properties: ["rules": .array(.ref("ReplicationRule"))], required: ["rules"])
            ), in: book
        ) { request, _ in
            let q = QueryParameters(request)
            let state = try q.string("state").map { text throws(ConveyorError) in try RuleState(parsing: text) }
            return RuleList(rules: try await dm.rules(state: state, request: q.string("request")))
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/rules", operationID: "addRule",
                summary: "Add a replication rule; it is placed at once or refused whole", tag: "data", role: .manager,
                requestBody: .object(
                    properties: [
                        "target": .string(), "copies": .integer, "expression": .string(), "lifetime": .string(),
                        "grouping": .string(enumeration: RuleGrouping.allCases.map(\.rawValue)), "activity": .string(), "priority": .integer,
                        "comment": .string(),
                    ], required: ["target", "expression"]),
                successStatus: .created, response: .ref("ReplicationRule")
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: RuleBody.self, context: context)
            let asked = DataManagement.RuleRequest(
                target: try RuleTarget(parsing: body.target), copies: body.copies ?? 1, expression: body.expression,
                lifetimeSeconds: try body.lifetime.map(AgeText.seconds), grouping: try body.grouping.map(RuleGrouping.init(parsing:)) ?? .dataset,
                activity: body.activity ?? "User", priority: body.priority ?? 3, comment: body.comment ?? "")
            return EditedResponse(status: .created, response: try await dm.addRule(asked, by: context.actor!))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/rules/{id}", operationID: "getRule", summary: "A rule and the copies it waits for, with their reasons",
                tag: "data", role: .viewer, parameters: [Self.idParameter], response: .ref("RuleDetail")
            ), in: book
        ) { _, context in try await dm.rule(try Self.id(context)) }
        router.add(
            APIOperation(
                method: .delete, path: "/api/v1/rules/{id}", operationID: "deleteRule", summary: "End a rule; copies no other rule holds become deletable",
                tag: "data", role: .manager, parameters: [Self.idParameter],
                response: .object(properties: ["rule": .integer, "deletableBytes": .integer], required: ["rule", "deletableBytes"])
            ), in: book
        ) { _, context in
            let id = try Self.id(context)
            return Ended(rule: id, deletableBytes: try await dm.deleteRule(id, by: context.actor!))
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/rules/{id}/retry", operationID: "retryRule", summary: "Try a STUCK or SUSPENDED rule's copies again now",
                tag: "data", role: .manager, parameters: [Self.idParameter], response: .ref("ReplicationRule")
            ), in: book
        ) { _, context in try await dm.retryRule(try Self.id(context), by: context.actor!) }
        registerDatasets(on: router, book: book)
    }

    func registerDatasets(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/datasets", operationID: "listDatasets", summary: "Datasets and containers with their files and bytes",
                tag: "data", role: .viewer, response: .closedObject(properties: ["datasets": .array(.ref("Dataset"))], required: ["datasets"])
            ), in: book
        ) { _, _ in DatasetList(datasets: try await dm.datasets()) }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/datasets", operationID: "createDataset", summary: "Create a dataset or a container", tag: "data",
                role: .manager,
                requestBody: .object(
                    properties: ["name": .string(), "kind": .string(enumeration: DatasetKind.allCases.map(\.rawValue))], required: ["name"]),
                successStatus: .created, response: .ref("Dataset")
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: DatasetBody.self, context: context)
            let kind = try body.kind.map(DatasetKind.init(parsing:)) ?? .dataset
            return EditedResponse(status: .created, response: try await dm.createDataset(body.name, kind: kind, by: context.actor!))
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/datasets/attach", operationID: "attachToDataset",
                summary: "Attach files (LFNs) to a dataset, or datasets to a container; all or nothing", tag: "data", role: .manager,
                requestBody: .object(properties: ["name": .string(), "members": .array(.string())], required: ["name", "members"]),
                response: .object(properties: ["attached": .integer], required: ["attached"])
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: AttachBody.self, context: context)
            return Attached(attached: try await dm.attach(body.members, to: body.name, by: context.actor!))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/datasets/detail", operationID: "getDataset",
                summary: "A dataset's files, their copies per endpoint, and the rules over it", tag: "data", role: .viewer,
                parameters: [.init(name: "name", location: .query, description: "The dataset or container", schema: .string())],
                response: .ref("DatasetDetail")
            ), in: book
        ) { request, _ in
            guard let name = QueryParameters(request).string("name") else { throw ConveyorError.invalidInput("give the dataset: ?name=…") }
            return try await dm.dataset(name)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/dm/usage", operationID: "dataUsage", summary: "Bytes per site, and per campaign, level or release",
                tag: "data", role: .viewer,
                parameters: [
                    .init(
                        name: "by", location: .query, description: "site, campaign, level, release or owner",
                        schema: .string(enumeration: UsageDimension.allCases.map(\.rawValue)))
                ],
                response: .closedObject(properties: ["usage": .array(.ref("UsageRow"))], required: ["usage"])
            ), in: book
        ) { request, _ in
            let by = try QueryParameters(request).string("by").map { text throws(ConveyorError) in try UsageDimension(parsing: text) } ?? .site
            return UsageList(usage: try await dm.usage(by: by))
        }
    }

    static func id(_ context: ConveyorRequestContext) throws -> Int64 {
        guard let id = Int64(try context.parameters.require("id")), id > 0 else { throw ConveyorError.invalidInput("the rule must be a positive whole number") }
        return id
    }
}

extension DataManagement.EndpointUsage: ResponseEncodable {}
extension DataManagement.RuleDetail: ResponseEncodable {}
extension DataManagement.DatasetDetail: ResponseEncodable {}
extension ReplicationRule: ResponseEncodable {}
extension Dataset: ResponseEncodable {}
