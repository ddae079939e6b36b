import ConveyorCore
import ConveyorJob
import Foundation

/// A watched folder for one machine's data acquisition: each `*.json` file in it is one record,
/// taken in name order. A DAQ writes a record under another name and renames it into place, so a
/// half-written record is never read. A record taken moves to `done/`; one refused moves to
/// `rejected/` beside a `.reason` file with the one-line reason, and the records after it go on.
/// A `written` record names raw files on this machine by path; their size, Adler-32 and SHA-256
/// are read here, and the path is their disk copy at `site`.
///
/// ```json
/// {"kind": "start", "run": "8:12", "at": "2026-12-07T10:00:00Z", "energy": "4S", "type": "physics"}
/// {"kind": "files", "files": [ … catalog files … ]}
/// {"kind": "written", "run": "8:12", "site": "DEMO", "written": [{"lfn": "/daq/raw/…", "path": "/data/raw/…", "events": 1000}]}
/// {"kind": "end", "run": "8:12", "at": "2026-12-07T11:00:00Z", "events": 20000, "onlineLuminosity": 1.2}
/// ```
public struct RunInbox: Sendable {
    public let folder: String
    public let arrival: RunArrival

    public init(folder: String, arrival: RunArrival) {
        self.folder = folder
        self.arrival = arrival
    }

    /// One record as the inbox reads it.
    struct Record: Decodable {
        let kind: String
        let run: String?
        let at: String?
        let energy: String?
        let type: String?
        let magnet: Bool?
        let events: Int64?
        let onlineLuminosity: Double?
        let files: [CatalogFile]?
        let site: String?
        let written: [Written]?
    }

    /// A raw file the DAQ wrote on this machine.
    struct Written: Decodable {
        let lfn: String
        let path: String
        let events: Int64
        let dataTag: String?
    }

    /// What happened to one record.
    public struct Outcome: Sendable, Equatable {
        public var name: String
        /// Nil when taken, else why not.
        public var refusal: String?
    }

    /// Takes every record now in the folder. - Returns: one outcome per record, in order.
    public func drain(by actor: Actor) async throws(ConveyorError) -> [Outcome] {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: folder) else { throw .notFound("no inbox folder \(folder)") }
        let records = names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        guard !records.isEmpty else { return [] }
        for sub in ["done", "rejected"] {
            do { try manager.createDirectory(atPath: "\(folder)/\(sub)", withIntermediateDirectories: true) } catch {
                throw .unavailable("cannot make \(folder)/\(sub): \(error.localizedDescription)")
            }
        }
        var outcomes: [Outcome] = []
        for name in records {
            let path = "\(folder)/\(name)"
            var refusal: String?
            do throws(ConveyorError) {
                try await take(path, by: actor)
            } catch {
                // Transient failures leave the record where it is, for the next look.
                if case .unavailable = error { throw error }
                if case .storeFailure = error { throw error }
                refusal = error.message
            }
            let target = "\(folder)/\(refusal == nil ? "done" : "rejected")/\(name)"
            try? manager.removeItem(atPath: target)
            do { try manager.moveItem(atPath: path, toPath: target) } catch { throw .unavailable("cannot move \(path): \(error.localizedDescription)") }
            if let refusal { try? (refusal + "\n").write(toFile: target + ".reason", atomically: true, encoding: .utf8) }
            outcomes.append(Outcome(name: name, refusal: refusal))
        }
        return outcomes
    }

    private func take(_ path: String, by actor: Actor) async throws(ConveyorError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unavailable("cannot read \(path)") }
        let record: Record
        do { record = try JSONDecoder().decode(Record.self, from: data) } catch {
            throw .invalidInput("\((path as NSString).lastPathComponent) is not an inbox record (kind start, end, files or written)")
        }
        func run() throws(ConveyorError) -> ExpRun {
            guard let text = record.run else { throw .invalidInput("a \(record.kind) record names its run (\"run\": \"EXP:RUN\")") }
            return try ExpRun(parsing: text)
        }
        func moment() throws(ConveyorError) -> Timestamp {
            guard let text = record.at else { throw .invalidInput("a \(record.kind) record gives its time (\"at\": ISO 8601)") }
            return try Timestamp(parsing: text)
        }
        switch record.kind {
        case "start":
            try await arrival.start(
                try run(), at: try moment(), type: try record.type.map { text throws(ConveyorError) in try RunType(parsing: text) } ?? .physics,
                energy: record.energy ?? "4S", magnet: record.magnet ?? true, by: actor)
        case "end":
            try await arrival.end(try run(), at: try moment(), events: record.events, onlineLuminosity: record.onlineLuminosity, by: actor)
        case "files":
            try await arrival.files(record.files ?? [], by: actor)
        case "written":
            guard let site = record.site, !site.isEmpty else { throw .invalidInput("a written record names the site of its files (\"site\")") }
            let run = try run()
            var files: [CatalogFile] = []
            for file in record.written ?? [] {
                // A relative path is read from here, so that is where jobs must find it too.
                let path = file.path.hasPrefix("/") ? file.path : URL(fileURLWithPath: file.path).standardizedFileURL.path
                let sums = try FileChecksums(ofFileAt: path)
                files.append(
                    CatalogFile(
                        lfn: file.lfn, size: sums.size, adler32: sums.adler32, sha256: sums.sha256, events: file.events, run: run, level: .raw,
                        dataTag: file.dataTag, replicas: [Replica(site: site, path: path)]))
            }
            try await arrival.files(files, by: actor)
        default:
            throw .invalidInput("unknown record kind '\(record.kind)' (start, end, files or written)")
        }
    }
}
