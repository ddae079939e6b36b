import ConveyorCore
import ConveyorRuns
import ConveyorStore
import Foundation
import Hummingbird

/// The file catalog over REST: registering needs `manager`, marking bad `expert`, reading `viewer`.
struct FilesAPI {
    let catalog: FileCatalog

    struct MarkBadRequest: Decodable { let lfn: String; let reason: String }
    struct LumiRequest: Decodable { let lfns: [String] }
    struct FileList: ResponseEncodable { let files: [CatalogFile] }

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/files", operationID: "registerFiles", summary: "Register files (a JSON list), all or nothing", tag: "files",
                role: .manager,
                requestBody: .array(.ref("CatalogFile")),
                response: .object(properties: ["registered": .integer, "alreadyPresent": .integer], required: ["registered", "alreadyPresent"])
            ), in: book
        ) { request, context in
            let body = try await request.body.collect(upTo: 256 << 20)
            return try await catalog.register(try FileCatalog.decode(Data(buffer: body), name: "request body"), by: context.actor!)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/files", operationID: "listFiles", summary: "List files by run, level, data tag, site and status", tag: "files",
                role: .viewer,
                parameters: ["exp", "runs", "level", "tag", "site", "status", "limit"].map {
                    .init(name: $0, location: .query, description: $0, schema: .string())
                },
                response: .closedObject(properties: ["files": .array(.ref("CatalogFile"))], required: ["files"])
            ), in: book
        ) { request, _ in
            let q = QueryParameters(request)
            let query = try FileQuery(
                exp: try q.experiment(), runs: q.string("runs"), level: q.string("level"), dataTag: q.string("tag"),
                site: q.string("site"), status: q.string("status"), limit: try q.int("limit"))
            return FileList(files: try await catalog.list(query))
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/search", operationID: "searchData",
                summary: "Find files and run paths by run range, level, data tags (with !TAG to exclude), quality, energy, type, magnet and site", tag: "files",
                role: .viewer,
                parameters: ["exp", "runs", "type", "energy", "magnet", "min_duration", "min_lumi", "quality", "level", "tags", "site", "status"]
                    .map { .init(name: $0, location: .query, description: $0, schema: .string()) },
                response: .ref("SearchResult")
            ), in: book
        ) { request, _ in
            let q = QueryParameters(request)
            let search = try DataSearch(
                runs: try RunsAPI.query(q), level: q.string("level"), site: q.string("site"),
                status: q.string("status"), tags: q.string("tags"))
            return try await catalog.search(search)
        }
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/files/provenance", operationID: "fileProvenance", summary: "A file with its ancestors and descendants",
                tag: "files", role: .viewer,
                parameters: [.init(name: "lfn", location: .query, description: "The LFN", schema: .string())],
                response: .ref("FileProvenance")
            ), in: book
        ) { request, _ in
            guard let lfn = QueryParameters(request).string("lfn") else { throw ConveyorError.invalidInput("give the file: ?lfn=/…") }
            return try await catalog.show(lfn)
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/files/mark-bad", operationID: "markFileBad", summary: "Mark a file bad, with a reason", tag: "files",
                role: .expert,
                requestBody: .object(properties: ["lfn": .string(), "reason": .string()], required: ["lfn", "reason"]),
                response: .object(properties: ["lfn": .string(), "status": .string()], required: ["lfn", "status"])
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: MarkBadRequest.self, context: context)
            try await catalog.markBad(body.lfn, reason: body.reason, by: context.actor!)
            return ["lfn": body.lfn, "status": "bad"]
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/files/lumi", operationID: "filesLuminosity",
                summary: "The luminosity and events behind a list of files, and the runs it covers only in part", tag: "files", role: .viewer,
                requestBody: .object(properties: ["lfns": .array(.string())], required: ["lfns"]),
                response: .ref("LuminosityAccount")
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: LumiRequest.self, context: context)
            return try await catalog.luminosity(behind: body.lfns)
        }
    }
}

extension FileCatalog.RegistrationReport: ResponseEncodable {}
extension FileCatalog.Provenance: ResponseEncodable {}
extension LuminosityAccount: ResponseEncodable {}
extension SearchResult: ResponseEncodable {}
