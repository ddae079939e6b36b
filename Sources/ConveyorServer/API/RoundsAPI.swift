import ConveyorCore
import ConveyorRequests
import ConveyorRuns
import ConveyorSkims
import Foundation
import Hummingbird

/// Skims and stripping rounds over REST: the selection registry, rounds with their automatic
/// tests, overlaps and streams, submission, and the bookkeeping of what a round wrote.
struct RoundsAPI {
    let rounds: StrippingRounds

    struct SelectionBody: Decodable {
        let name: String
        let group: String
        let coordinator: String
        let command: String
        let version: String
        let expectedRetention: Double?
        let prescale: Int?
        let random: Bool?
        let replace: Bool?
        let reason: String?
    }

    struct RoundBody: Decodable {
        let name: String
        let input: String
        let release: String
        let globalTags: [String]
        let program: String
        let sampleRuns: [Int]?
        let sampleSize: Int?
        let limits: RoundLimits?
    }

    struct SubscriptionBody: Decodable {
        let selections: [String]
        let reason: String?
        let unsubscribe: Bool?
    }

    struct StreamsBody: Decodable {
        let streams: [StreamGrouping.Stream]
        let reason: String?
    }

    struct FilesBody: Decodable { let lfns: [String] }

    struct SelectionList: ResponseEncodable { let selections: [Selection] }
    struct RoundList: ResponseEncodable { let rounds: [StrippingRound] }
    struct FileList: ResponseEncodable { let files: [RoundFile] }
    struct Done: ResponseEncodable { let round: String; let selections: [String]; let state: String }

    static let nameParameter = APIOperation.Parameter(name: "name", location: .path, description: "The round", schema: .string())
    static let selectionParameter = APIOperation.Parameter(name: "selection", location: .query, description: "The selection", schema: .string())
    static let limitsSchema: JSONSchema = .closedObject(
        properties: [
            "retention": .number, "totalRetention": .number, "cpuPerEvent": .number, "bytesPerEvent": .number, "maxStreams": .integer, "minShare": .number,
        ], required: ["retention", "totalRetention", "cpuPerEvent", "bytesPerEvent", "maxStreams", "minShare"])

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/selections", operationID: "listSelections", summary: "Every selection's newest revision", tag: "skims",
                role: .viewer, response: .closedObject(properties: ["selections": .array(.ref("Selection"))], required: ["selections"])
            ), in: book
        ) { _, _ in SelectionList(selections: try await rounds.selections()) }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/selections", operationID: "registerSelection",
                summary: "Register a selection, or with replace a new revision of one (its command's program must exist)", tag: "skims", role: .expert,
                requestBody: .closedObject(
                    properties: [
                        "name": .string(), "group": .string(), "coordinator": .string(), "command": .string(), "version": .string(),
                        "expectedRetention": .number, "prescale": .integer, "random": .boolean, "replace": .boolean, "reason": .string(),
                    ], required: ["name", "group", "coordinator", "command", "version"]),
                successStatus: .created, response: .ref("Selection")
            ), in: book
        ) { request, context in
            let b = try await request.decode(as: SelectionBody.self, context: context)
            let selection = Selection(
                name: b.name, group: b.group, coordinator: b.coordinator, command: b.command, version: b.version, expectedRetention: b.expectedRetention,
                prescale: b.prescale ?? 1, random: b.random ?? false, reason: b.reason ?? "")
            return EditedResponse(status: .created, response: try await rounds.register(selection, replacing: b.replace ?? false, by: context.actor!))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/rounds", operationID: "listRounds", summary: "Every skim/stripping round, newest first", tag: "skims",
                role: .viewer, response: .closedObject(properties: ["rounds": .array(.ref("StrippingRound"))], required: ["rounds"])
            ), in: book
        ) { _, _ in RoundList(rounds: try await rounds.rounds()) }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/rounds", operationID: "createRound", summary: "Create a round reading a request's mDST", tag: "skims",
                role: .manager,
                requestBody: .closedObject(
                    properties: [
                        "name": .string(), "input": .string(), "release": .string(), "globalTags": .array(.string()), "program": .string(),
                        "sampleRuns": .array(.integer), "sampleSize": .integer, "limits": Self.limitsSchema,
                    ], required: ["name", "input", "release", "globalTags", "program"]),
                successStatus: .created, response: .ref("StrippingRound")
            ), in: book
        ) { request, context in
            let b = try await request.decode(as: RoundBody.self, context: context)
            let round = StrippingRound(
                name: b.name, input: b.input, release: b.release, globalTags: b.globalTags, program: b.program, sampleRuns: b.sampleRuns ?? [],
                sampleSize: b.sampleSize ?? 3, limits: b.limits ?? RoundLimits())
            return EditedResponse(status: .created, response: try await rounds.create(round, by: context.actor!))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/rounds/{name}", operationID: "getRound",
                summary: "A round: selections with subscription, test figures and stream; the streams measured on the sample; the history", tag: "skims",
                role: .viewer, parameters: [Self.nameParameter], response: .ref("RoundReport")
            ), in: book
        ) { _, context in try await rounds.report(try Self.name(context)) }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/rounds/{name}/subscriptions", operationID: "subscribeSelections",
                summary: "Subscribe selections to a round, or with unsubscribe take one out (a reason is then needed)", tag: "skims", role: .expert,
                parameters: [Self.nameParameter],
                requestBody: .closedObject(
                    properties: ["selections": .array(.string()), "reason": .string(), "unsubscribe": .boolean], required: ["selections"]),
                response: .closedObject(
                    properties: ["round": .string(), "selections": .array(.string()), "state": .string()], required: ["round", "selections", "state"])
            ), in: book
        ) { request, context in
            let name = try Self.name(context)
            let b = try await request.decode(as: SubscriptionBody.self, context: context)
            if b.unsubscribe == true {
                guard b.selections.count == 1 else { throw ConveyorError.invalidInput("unsubscribe one selection at a time, with its reason") }
                try await rounds.unsubscribe(b.selections[0], from: name, reason: b.reason ?? "", by: context.actor!)
                return Done(round: name, selections: b.selections, state: "unsubscribed")
            }
            try await rounds.subscribe(b.selections, to: name, reason: b.reason ?? "subscribed", by: context.actor!)
            return Done(round: name, selections: b.selections, state: "subscribed")
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/rounds/{name}/test", operationID: "testRound",
                summary: "Run every subscribed selection on the sample; unsubscribe what fails its limits (coordinators are told); propose streams",
                tag: "skims", role: .manager, parameters: [Self.nameParameter], response: .ref("RoundTestReport")
            ), in: book
        ) { _, context in try await rounds.test(try Self.name(context), by: context.actor!) }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/rounds/{name}/overlaps", operationID: "getRoundOverlaps",
                summary: "The overlap matrix of the tested selections on the sample", tag: "skims", role: .viewer, parameters: [Self.nameParameter],
                response: .ref("OverlapMatrix")
            ), in: book
        ) { _, context in try await rounds.overlaps(try Self.name(context)) }
        router.add(
            APIOperation(
                method: .put, path: "/api/v1/rounds/{name}/streams", operationID: "setRoundStreams",
                summary: "Set the streams by hand; a breach of the 10 % or stream-count rule is refused unless a reason accepts it", tag: "skims",
                role: .manager, parameters: [Self.nameParameter],
                requestBody: .closedObject(
                    properties: [
                        "streams": .array(.closedObject(properties: ["name": .string(), "selections": .array(.string())], required: ["name", "selections"])),
                        "reason": .string(),
                    ], required: ["streams"]),
                response: .ref("GroupingOutcome")
            ), in: book
        ) { request, context in
            let b = try await request.decode(as: StreamsBody.self, context: context)
            return try await rounds.setStreams(try Self.name(context), StreamGrouping(streams: b.streams), reason: b.reason, by: context.actor!)
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/rounds/{name}/submit", operationID: "submitRound",
                summary: "Submit a tested round as a request: one file per stream per input mDST", tag: "skims", role: .manager,
                parameters: [Self.nameParameter], successStatus: .created, response: RequestsAPI.submission
            ), in: book
        ) { _, context in EditedResponse(status: .created, response: try await rounds.submit(try Self.name(context), by: context.actor!)) }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/rounds/{name}/files", operationID: "getRoundFiles",
                summary: "The exact files a round wrote for a selection (or all), with their status", tag: "skims", role: .viewer,
                parameters: [Self.nameParameter, Self.selectionParameter],
                response: .closedObject(properties: ["files": .array(.ref("RoundFile"))], required: ["files"])
            ), in: book
        ) { request, context in
            FileList(files: try await rounds.files(of: try Self.name(context), selection: QueryParameters(request).string("selection")))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/rounds/{name}/normalisation", operationID: "getSelectionNormalisation",
                summary: "A selection's luminosity (divided by its prescale), events and reported counts, for all its files and the readable ones",
                tag: "skims", role: .viewer, parameters: [Self.nameParameter, Self.selectionParameter], response: .ref("Normalisation")
            ), in: book
        ) { request, context in
            guard let selection = QueryParameters(request).string("selection") else { throw ConveyorError.invalidInput("give the selection") }
            return try await rounds.normalise(try Self.name(context), selection: selection)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/rounds/{name}/provenance", operationID: "getRoundProvenance",
                summary: "What a round ran with: release, tags, conditions, and the runs good when it was submitted", tag: "skims", role: .viewer,
                parameters: [Self.nameParameter], response: .ref("RoundProvenance")
            ), in: book
        ) { _, context in try await rounds.provenance(of: try Self.name(context)) }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/files/normalisation", operationID: "normaliseFiles",
                summary: "Luminosity, events and reported counts behind a list of LFNs (any length), for all and for the readable ones", tag: "files",
                role: .viewer, requestBody: .closedObject(properties: ["lfns": .array(.string())], required: ["lfns"]), response: .ref("Normalisation")
            ), in: book
        ) { request, context in
            let b = try await request.decode(as: FilesBody.self, context: context)
            return try await FileCatalog(store: rounds.store).normalise(b.lfns)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/files/impact", operationID: "getFileImpact",
                summary: "What a file changes when it is unreadable: files made from it, round selections with corrected numbers, file lists", tag: "files",
                role: .viewer, parameters: [.init(name: "lfn", location: .query, description: "The LFN", schema: .string())], response: .ref("FileImpact")
            ), in: book
        ) { request, _ in
            guard let lfn = QueryParameters(request).string("lfn") else { throw ConveyorError.invalidInput("give the lfn") }
            return try await rounds.impact(of: lfn)
        }
    }

    static func name(_ context: ConveyorRequestContext) throws(ConveyorError) -> String {
        guard let name = context.parameters.get("name"), !name.isEmpty else { throw .invalidInput("give the round's name") }
        return name
    }
}

extension Selection: ResponseEncodable {}
extension StrippingRound: ResponseEncodable {}
extension StrippingRounds.RoundReport: ResponseEncodable {}
extension StrippingRounds.TestReport: ResponseEncodable {}
extension StrippingRounds.GroupingOutcome: ResponseEncodable {}
extension StrippingRounds.Provenance: ResponseEncodable {}
extension StrippingRounds.Impact: ResponseEncodable {}
extension OverlapMatrix: ResponseEncodable {}
extension Normalisation: ResponseEncodable {}
