import ConveyorCore
import ConveyorRuns
import ConveyorStore
import Foundation
import Hummingbird

/// The run registry over REST: registering needs `manager`, flagging `expert`, reading `viewer`.
struct RunsAPI {
    let registry: RunRegistry

    struct FlagRequest: Decodable { let detector: String?; let flag: String; let reason: String }
    struct BucketRequest: Decodable { let name: String; let exp: Int; let runs: String }
    struct BucketList: ResponseEncodable { let buckets: [RunRegistry.BucketReport] }
    struct ExperimentRequest: Decodable { let name: String?; let detectors: [String] }
    struct ExperimentList: ResponseEncodable { let experiments: [ExperimentConfiguration] }
    struct BucketPlan: ResponseEncodable { let buckets: [PlannedBucket] }

    static let runParameters: [APIOperation.Parameter] = [
        .init(name: "exp", location: .path, description: "Experiment", schema: .integer),
        .init(name: "run", location: .path, description: "Run", schema: .integer),
    ]

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        book.define(
            "RunRecord",
            .object(
                properties: [
                    "run": .ref("ExpRun"), "type": .string(enumeration: RunType.allCases.map(\.rawValue)), "energy": .string(), "magnet": .boolean,
                    "start": .nullable(APISchemas.timestamp), "stop": .nullable(APISchemas.timestamp), "events": .integer,
                    "onlineLuminosity": .number, "offlineLuminosity": .nullable(.number), "state": .string(enumeration: RunState.allCases.map(\.rawValue)),
                ],
                required: ["run", "type", "energy", "magnet", "events", "onlineLuminosity", "state"]
            ))
        book.define(
            "RunTotals",
            .object(
                properties: ["runs": .integer, "events": .integer, "luminosityPerPicobarn": .number, "luminosityPerFemtobarn": .number],
                required: ["runs", "events", "luminosityPerPicobarn", "luminosityPerFemtobarn"]
            ))
        let qualityFlag = JSONSchema.string(enumeration: QualityFlag.allCases.map(\.rawValue))

        router.add(
            APIOperation(
                method: .post, path: "/api/v1/runs", operationID: "importRuns",
                summary: "Register runs from a run summary (CSV with a header, or a JSON array), all or nothing", tag: "runs", role: .manager,
                successStatus: .ok,
                response: .ref("RunImportReport")
            ), in: book
        ) { request, context in
            let body = try await request.body.collect(upTo: 64 << 20)
            return try await registry.importSummary(Data(buffer: body), name: "request body", by: context.actor!)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/runs", operationID: "listRuns", summary: "List runs with totals", tag: "runs", role: .viewer,
                parameters: [
                    .init(name: "exp", location: .query, description: "Experiment", schema: .integer),
                    .init(name: "runs", location: .query, description: "Run range FIRST-LAST", schema: .string()),
                    .init(name: "type", location: .query, description: "Run type", schema: .string(enumeration: RunType.allCases.map(\.rawValue))),
                    .init(name: "energy", location: .query, description: "Beam energy label", schema: .string()),
                    .init(name: "magnet", location: .query, description: "on or off", schema: .string()),
                    .init(name: "min_duration", location: .query, description: "Minimum duration in minutes", schema: .integer),
                    .init(name: "min_lumi", location: .query, description: "Minimum luminosity in /pb", schema: .number),
                    .init(name: "quality", location: .query, description: "Summary quality", schema: qualityFlag),
                ],
                response: .object(
                    properties: [
                        "runs": .array(.object(properties: ["record": .ref("RunRecord"), "quality": qualityFlag], required: ["record", "quality"])),
                        "totals": .ref("RunTotals"),
                    ], required: ["runs", "totals"])
            ), in: book
        ) { request, _ in
            try await registry.list(try Self.query(QueryParameters(request)))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/runs/{exp}/{run}", operationID: "getRun", summary: "Read a run with its quality and history", tag: "runs",
                role: .viewer,
                parameters: Self.runParameters + [ConditionsAPI.asOfParameter],
                response: .ref("RunDetail")
            ), in: book
        ) { request, context in
            try await registry.detail(of: try Self.run(context), asOf: try QueryParameters(request).timestamp("as_of"))
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/runs/{exp}/{run}/flags", operationID: "flagRun",
                summary: "Set a run's summary or detector quality flag, with a reason", tag: "runs", role: .expert,
                parameters: Self.runParameters,
                requestBody: .object(properties: ["detector": .string(), "flag": qualityFlag, "reason": .string()], required: ["flag", "reason"]),
                response: .ref("RunDetail")
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: FlagRequest.self, context: context)
            let target = try Self.run(context)
            try await registry.flag(target, detector: body.detector, to: try QualityFlag(parsing: body.flag), reason: body.reason, by: context.actor!)
            return try await registry.detail(of: target)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/goodruns", operationID: "goodRuns",
                summary: "The runs that were good at a moment (format=golden gives the CMS certification JSON)", tag: "runs", role: .viewer,
                parameters: [
                    .init(name: "exp", location: .query, description: "Experiment", schema: .integer),
                    .init(name: "require", location: .query, description: "Detectors that must be GOOD, comma-separated", schema: .string()),
                    ConditionsAPI.asOfParameter,
                    .init(name: "format", location: .query, description: "json (default) or golden", schema: .string(enumeration: ["json", "golden"])),
                    .init(name: "complement", location: .query, description: "The anti-list", schema: .boolean),
                ],
                // format=json: the list; format=golden: CMS's run → lumi-block ranges.
                response: .anyOf([
                    .closedObject(
                        properties: ["exp": .integer, "runs": .array(.integer), "required": .array(.string()), "asOf": .string(format: "date-time")],
                        required: ["exp", "runs", "required"]),
                    .map(.array(.array(.integer))),
                ])
            ), in: book
        ) { request, _ in
            let query = QueryParameters(request)
            guard let exp = try query.experiment() else { throw ConveyorError.invalidInput("give the experiment: ?exp=E") }
            let list = try await registry.goodRuns(
                exp: exp, requiring: query.list("require"), asOf: try query.timestamp("as_of"), complement: try query.bool("complement"))
            switch query.string("format") ?? "json" {
            case "json": return try Self.json(list)
            case "golden": return try Self.json(list.golden)
            case let other: throw ConveyorError.invalidInput("unknown format '\(other)' (expected json or golden)")
            }
        }
    }

    func registerExperiments(on router: Router<ConveyorRequestContext>, book: APIBook) {
        book.define(
            "ExperimentConfiguration",
            .object(
                properties: ["exp": .integer, "name": .string(), "detectors": .array(.string())], required: ["exp", "name", "detectors"]
            ))
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/experiments", operationID: "listExperiments", summary: "Experiments with a stored configuration", tag: "runs",
                role: .viewer,
                response: .object(properties: ["experiments": .array(.ref("ExperimentConfiguration"))], required: ["experiments"])
            ), in: book
        ) { _, _ in
            ExperimentList(experiments: try await registry.experiments())
        }
        let expParameter = APIOperation.Parameter(name: "exp", location: .path, description: "Experiment", schema: .integer)
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/experiments/{exp}", operationID: "getExperiment",
                summary: "An experiment's configuration (Belle II's detectors when none was set)", tag: "runs", role: .viewer,
                parameters: [expParameter], response: .ref("ExperimentConfiguration")
            ), in: book
        ) { _, context in
            try await registry.configuration(of: try Self.exp(context))
        }
        router.add(
            APIOperation(
                method: .put, path: "/api/v1/experiments/{exp}", operationID: "configureExperiment",
                summary: "Set an experiment's name and the detectors its runs are flagged for", tag: "runs", role: .manager,
                parameters: [expParameter],
                requestBody: .object(properties: ["name": .string(), "detectors": .array(.string())], required: ["detectors"]),
                response: .ref("ExperimentConfiguration")
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: ExperimentRequest.self, context: context)
            let configuration = try ExperimentConfiguration(exp: try Self.exp(context), name: body.name ?? "", detectors: body.detectors)
            try await registry.configure(configuration, by: context.actor!)
            return configuration
        }
    }

    func registerBuckets(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/buckets", operationID: "listBuckets", summary: "List buckets with their warnings", tag: "runs", role: .viewer,
                response: .closedObject(properties: ["buckets": .array(.ref("BucketReport"))], required: ["buckets"])
            ), in: book
        ) { _, _ in
            BucketList(buckets: try await registry.buckets())
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/buckets/plan", operationID: "planBuckets", summary: "Plan buckets by luminosity target and time limit",
                tag: "runs", role: .viewer,
                parameters: [
                    .init(name: "exp", location: .query, description: "Experiment", schema: .integer),
                    .init(name: "target_lumi", location: .query, description: "e.g. 2/fb", schema: .string()),
                    .init(name: "max_days", location: .query, description: "Close a bucket after this many days", schema: .number),
                    .init(name: "from", location: .query, description: "EXP:RUN", schema: .string()),
                ],
                response: .closedObject(properties: ["buckets": .array(.ref("PlannedBucket"))], required: ["buckets"])
            ), in: book
        ) { request, _ in
            let q = QueryParameters(request)
            guard let exp = try q.experiment(), let target = q.string("target_lumi") else { throw ConveyorError.invalidInput("give exp and target_lumi") }
            var days: Double?
            if let text = q.string("max_days") {
                guard let value = Double(text), value > 0 else { throw ConveyorError.invalidInput("max_days must be a positive number") }
                days = value
            }
            let start = try q.string("from").map { text throws(ConveyorError) in try ExpRun(parsing: text) }
            return BucketPlan(
                buckets: try await registry.planBuckets(
                    exp: exp, targetLuminosity: try BucketPlanner.luminosity(parsing: target), maximumDays: days, from: start))
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/buckets", operationID: "createBucket", summary: "Freeze the good physics runs of a range as a bucket",
                tag: "runs", role: .manager,
                requestBody: .object(properties: ["name": .string(), "exp": .integer, "runs": .string()], required: ["name", "exp", "runs"]),
                successStatus: .created, response: .ref("BucketReport")
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: BucketRequest.self, context: context)
            guard
                let range = try RunQuery(
                    exp: body.exp, runs: body.runs, type: nil, energy: nil, magnet: nil, minimumDurationMinutes: nil,
                    minimumLuminosity: nil, quality: nil
                ).runRange
            else { throw ConveyorError.invalidInput("give runs as FIRST-LAST") }
            _ = try await registry.createBucket(named: body.name, exp: body.exp, runs: range, by: context.actor!)
            return EditedResponse(status: .created, response: try await registry.bucket(named: body.name))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/buckets/{name}", operationID: "getBucket", summary: "Read a bucket and what changed since it was frozen",
                tag: "runs", role: .viewer,
                parameters: [.init(name: "name", location: .path, description: "The bucket", schema: .string())], response: .ref("BucketReport")
            ), in: book
        ) { _, context in
            try await registry.bucket(named: try context.parameters.require("name"))
        }
    }

    static func run(_ context: ConveyorRequestContext) throws -> ExpRun {
        guard let exp = Int(try context.parameters.require("exp")), let run = Int(try context.parameters.require("run")), exp >= 0, run >= 0 else {
            throw ConveyorError.invalidInput("the run must be /EXP/RUN with whole numbers")
        }
        return ExpRun(exp: exp, run: run)
    }

    static func exp(_ context: ConveyorRequestContext) throws -> Int {
        guard let exp = Int(try context.parameters.require("exp")), exp >= 0 else { throw ConveyorError.invalidInput("the experiment must be a whole number") }
        return exp
    }

    static func query(_ q: QueryParameters) throws(ConveyorError) -> RunQuery {
        var minimumLuminosity: Double?
        if let lumi = q.string("min_lumi") {
            guard let value = Double(lumi) else { throw .invalidInput("min_lumi must be a number, not '\(lumi)'") }
            minimumLuminosity = value
        }
        return try RunQuery(
            exp: try q.experiment(), runs: q.string("runs"), type: q.string("type"), energy: q.string("energy"),
            magnet: q.string("magnet"), minimumDurationMinutes: try q.int("min_duration").map(Int64.init),
            minimumLuminosity: minimumLuminosity, quality: q.string("quality"))
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

extension RunRegistry.ImportReport: ResponseEncodable {}
extension RunRegistry.Listing: ResponseEncodable {}
extension RunRegistry.Detail: ResponseEncodable {}
extension RunRegistry.BucketReport: ResponseEncodable {}
extension ExperimentConfiguration: ResponseEncodable {}
