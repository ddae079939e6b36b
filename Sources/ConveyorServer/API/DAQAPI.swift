import ConveyorCore
import ConveyorDataTaking
import ConveyorRuns
import Foundation
import Hummingbird

/// What a data acquisition or transfer system calls while runs are taken: a run's start, its raw
/// files as they are written, its end (``RunArrival``). Role manager: give the DAQ an account.
struct DAQAPI {
    let arrival: RunArrival

    struct StartBody: Decodable {
        let run: String
        let at: String?
        let type: String?
        let energy: String?
        let magnet: Bool?
    }
    struct EndBody: Decodable {
        let at: String?
        let events: Int64?
        let onlineLuminosity: Double?
    }
    struct DAQRun: ResponseEncodable {
        let run: String
        let state: String
        let start: Timestamp?
        let stop: Timestamp?

        init(_ record: RunRecord) {
            run = record.run.description
            state = record.state.rawValue
            start = record.start
            stop = record.stop
        }
    }
    struct Registered: ResponseEncodable {
        let registered: Int
        let alreadyPresent: Int
    }

    static let runSchema = JSONSchema.closedObject(
        properties: [
            "run": .string(), "state": .string(enumeration: RunState.allCases.map(\.rawValue)), "start": APISchemas.timestamp, "stop": APISchemas.timestamp,
        ],
        required: ["run", "state"])

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/daq/runs", operationID: "startRun",
                summary: "A run's start record (the same record again changes nothing)", tag: "daq", role: .manager,
                requestBody: .object(
                    properties: [
                        "run": .string(), "at": APISchemas.timestamp, "type": .string(enumeration: RunType.allCases.map(\.rawValue)), "energy": .string(),
                        "magnet": .boolean,
                    ], required: ["run"]),
                successStatus: .created, response: Self.runSchema
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: StartBody.self, context: context)
            let moment = try body.at.map { text throws(ConveyorError) in try Timestamp(parsing: text) } ?? .now
            let record = try await arrival.start(
                try ExpRun(parsing: body.run), at: moment, type: try body.type.map { text throws(ConveyorError) in try RunType(parsing: text) } ?? .physics,
                energy: body.energy ?? "4S", magnet: body.magnet ?? true, by: context.actor!)
            return EditedResponse(status: .created, response: DAQRun(record))
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/daq/runs/{run}/end", operationID: "endRun", summary: "A run's end record", tag: "daq", role: .manager,
                parameters: [.init(name: "run", location: .path, description: "EXP:RUN", schema: .string())],
                requestBody: .object(properties: ["at": APISchemas.timestamp, "events": .integer, "onlineLuminosity": .number], required: []),
                response: Self.runSchema
            ), in: book
        ) { request, context in
            let run = try ExpRun(parsing: try context.parameters.require("run"))
            let body = try await request.decode(as: EndBody.self, context: context)
            let moment = try body.at.map { text throws(ConveyorError) in try Timestamp(parsing: text) } ?? .now
            return DAQRun(try await arrival.end(run, at: moment, events: body.events, onlineLuminosity: body.onlineLuminosity, by: context.actor!))
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/daq/files", operationID: "registerRawFiles",
                summary: "Raw files of started runs as they are written (a JSON list of catalog files), all or nothing", tag: "daq", role: .manager,
                requestBody: .array(.ref("CatalogFile")),
                response: .closedObject(properties: ["registered": .integer, "alreadyPresent": .integer], required: ["registered", "alreadyPresent"])
            ), in: book
        ) { request, context in
            let body = try await request.body.collect(upTo: 64 << 20)
            let files = try FileCatalog.decode(Data(buffer: body), name: "the request body")
            let result = try await arrival.files(files, by: context.actor!)
            return Registered(registered: result.registered, alreadyPresent: result.alreadyPresent)
        }
    }
}
