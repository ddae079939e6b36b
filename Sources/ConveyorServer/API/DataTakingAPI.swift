import ConveyorConditions
import ConveyorCore
import ConveyorDataTaking
import Foundation
import Hummingbird

/// The PromptReco handshake over REST: the FCSR and the status for anyone who may read,
/// switches and settings for managers, shifters' decisions for experts, and appends to
/// synchronised tags.
struct DataTakingAPI {
    let prompt: PromptReco
    let conditions: ConditionsDatabase

    struct FCSR: ResponseEncodable {
        let fcsr: String
        let exp: Int
        let run: Int
        let cycledAt: Timestamp?
    }
    struct SwitchBody: Decodable {
        let scope: String?
        let stopped: Bool
        let reason: String
    }
    struct DispositionBody: Decodable {
        let disposition: String
        let reason: String
    }
    struct SettingsBody: Decodable {
        let delay: String?
        let lockOffset: String?
        let closeAfter: String?
        let minimumDelay: String?
        /// EXP:RUN, or absent to stop tracking new runs.
        let from: String?
    }
    struct SyncBody: Decodable { let sync: String? }

    static let runParameter = APIOperation.Parameter(name: "run", location: .path, description: "EXP:RUN", schema: .string())

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/fcsr", operationID: "getFCSR",
                summary: "The first condition-safe run, exactly as the handshake's locks make it (404 while no run is tracked)", tag: "prompt",
                role: .viewer,
                response: .closedObject(
                    properties: ["fcsr": .string(), "exp": .integer, "run": .integer, "cycledAt": APISchemas.timestamp], required: ["fcsr", "exp", "run"])
            ), in: book
        ) { _, _ in
            let status = try await prompt.status(limit: 1)
            guard let fcsr = status.fcsr else { throw ConveyorError.notFound("no first condition-safe run: the handshake tracks no run") }
            return FCSR(fcsr: fcsr.description, exp: fcsr.exp, run: fcsr.run, cycledAt: status.cycledAt)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/prompt", operationID: "getPromptStatus",
                summary: "The handshake: settings, FCSR, switches in force and the newest runs", tag: "prompt", role: .viewer,
                parameters: [.init(name: "limit", location: .query, description: "How many runs (1–10,000)", schema: .integer)],
                response: .ref("PromptStatus")
            ), in: book
        ) { request, _ in try await prompt.status(limit: try QueryParameters(request).int("limit") ?? 100) }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/prompt/runs/{run}", operationID: "getPromptRun", summary: "One run's way through the handshake",
                tag: "prompt", role: .viewer, parameters: [Self.runParameter], response: .ref("PromptRunDetail")
            ), in: book
        ) { _, context in try await prompt.run(try ExpRun(parsing: try context.parameters.require("run"))) }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/prompt/switches", operationID: "setPromptSwitch",
                summary: "Stop or resume PromptReco release for every run (scope global) or one (scope run:EXP:RUN)", tag: "prompt", role: .manager,
                requestBody: .object(properties: ["scope": .string(), "stopped": .boolean, "reason": .string()], required: ["stopped", "reason"]),
                response: .ref("PromptStatus")
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: SwitchBody.self, context: context)
            try await prompt.setSwitch(try PromptSwitch.Scope(parsing: body.scope ?? "global"), stopped: body.stopped, reason: body.reason, by: context.actor!)
            return try await prompt.status(limit: 100)
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/prompt/runs/{run}/disposition", operationID: "setPromptDisposition",
                summary: "A shifter's decision on a run: postponed, abandoned or normal again", tag: "prompt", role: .expert, parameters: [Self.runParameter],
                requestBody: .object(
                    properties: ["disposition": .string(enumeration: PromptRun.Disposition.allCases.map(\.rawValue)), "reason": .string()],
                    required: ["disposition", "reason"]),
                response: .ref("PromptRunDetail")
            ), in: book
        ) { request, context in
            let run = try ExpRun(parsing: try context.parameters.require("run"))
            let body = try await request.decode(as: DispositionBody.self, context: context)
            try await prompt.setDisposition(of: run, to: try PromptRun.Disposition(parsing: body.disposition), reason: body.reason, by: context.actor!)
            return try await prompt.run(run)
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/prompt/runs/{run}/calibrated", operationID: "markPromptCalibrated",
                summary: "Record that every calibration of a run is done (it may be released after the minimum delay)", tag: "prompt", role: .expert,
                parameters: [Self.runParameter], response: .ref("PromptRunDetail")
            ), in: book
        ) { _, context in
            let run = try ExpRun(parsing: try context.parameters.require("run"))
            try await prompt.markCalibrated(run, by: context.actor!)
            return try await prompt.run(run)
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/prompt/settings", operationID: "configurePrompt",
                summary: "Set the delays (30d, 48h, 30m, 45s) and the first run tracked", tag: "prompt", role: .manager,
                requestBody: .object(
                    properties: ["delay": .string(), "lockOffset": .string(), "closeAfter": .string(), "minimumDelay": .string(), "from": .string()],
                    required: []),
                response: .ref("PromptStatus")
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: SettingsBody.self, context: context)
            func seconds(_ text: String?, _ fallback: Double) throws(ConveyorError) -> Double {
                guard let text else { return fallback }
                return Double(try AgeText.seconds(text))
            }
            let defaults = PromptSettings()
            let settings = PromptSettings(
                delaySeconds: try seconds(body.delay, defaults.delaySeconds), lockOffsetSeconds: try seconds(body.lockOffset, defaults.lockOffsetSeconds),
                closeAfterSeconds: try seconds(body.closeAfter, defaults.closeAfterSeconds),
                minimumDelaySeconds: try seconds(body.minimumDelay, defaults.minimumDelaySeconds))
            try await prompt.configure(settings, trackFrom: try body.from.map { text throws(ConveyorError) in try ExpRun(parsing: text) }, by: context.actor!)
            return try await prompt.status(limit: 100)
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/prompt/cycle", operationID: "cyclePrompt",
                summary: "Run one handshake cycle now (the scheduler runs them every few seconds)", tag: "prompt", role: .manager,
                response: .ref("PromptStatus")
            ), in: book
        ) { _, _ in
            try await prompt.cycle()
            return try await prompt.status(limit: 100)
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/globaltags/{tag}/sync", operationID: "setGlobalTagSync",
                summary: "Set how a tag's new conditions line up with data taking (null for none)", tag: "conditions", role: .manager,
                parameters: [.init(name: "tag", location: .path, description: "The tag", schema: .string())],
                requestBody: .object(properties: ["sync": .string(enumeration: SynchronisationType.allCases.map(\.rawValue))], required: []),
                response: .ref("GlobalTagDetail")
            ), in: book
        ) { request, context in
            let tag = try context.parameters.require("tag")
            let body = try await request.decode(as: SyncBody.self, context: context)
            try await conditions.setSynchronisation(
                ofTag: tag, to: try body.sync.map { text throws(ConveyorError) in try SynchronisationType(parsing: text) }, by: context.actor!)
            return try await conditions.detail(ofTag: tag)
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/payloads/{name}/append", operationID: "appendPayload",
                summary: "Append payload bytes (the request body) to a synchronised tag from a run on; dry_run says where the IoV would start",
                tag: "payloads", role: .expert,
                parameters: [
                    .init(name: "name", location: .path, description: "The payload name", schema: .string()),
                    .init(name: "gt", location: .query, description: "The OPEN or RUNNING tag with a synchronisation type", schema: .string()),
                    .init(name: "since", location: .query, description: "The first run asked for, EXP:RUN", schema: .string()),
                    .init(name: "description", location: .query, description: "What this revision is", schema: .string()),
                    .init(name: "dry_run", location: .query, description: "Only answer where the IoV would start", schema: .boolean),
                ],
                response: .ref("AppendResult")
            ), in: book
        ) { request, context in
            let query = QueryParameters(request)
            guard let tag = query.string("gt") else { throw ConveyorError.invalidInput("name the tag to append to: ?gt=TAG") }
            guard let since = query.string("since") else { throw ConveyorError.invalidInput("give the first run: ?since=EXP:RUN") }
            let body = try await request.body.collect(upTo: 1 << 30)
            return try await conditions.append(
                name: try context.parameters.require("name"), bytes: Data(buffer: body), intoTag: tag, since: try ExpRun(parsing: since),
                description: query.string("description") ?? "", dryRun: try query.bool("dry_run"), by: context.actor!)
        }
    }
}

extension PromptReco.Status: ResponseEncodable {}
extension PromptRunDetail: ResponseEncodable {}
extension AppendResult: ResponseEncodable {}
