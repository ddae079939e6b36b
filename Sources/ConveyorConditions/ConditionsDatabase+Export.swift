import ConveyorCore
import ConveyorStore
import Foundation

/// The offline formats `gt export` writes.
public enum ExportFormat: String, Sendable, CaseIterable, Codable {
    /// A Conveyor SQLite database holding the tag, its payload rows and their files: `payload
    /// resolve --local DIR` reads it with the same code as the server, so answers are identical.
    case sqlite
    /// The Belle II local-database text format: `database.txt` with one line per IoV,
    /// `dbstore/<name> <revision> e1,r1,e2,r2`, beside `dbstore_<name>_rev_<revision>.root` files.
    case text
}

/// What an export wrote.
public struct ExportSummary: Sendable, Codable {
    public let tag: String
    public let directory: String
    public let format: ExportFormat
    public let iovs: Int
    public let payloads: Int
}

extension ConditionsDatabase {
    /// The database file inside an exported folder.
    public static let exportedDatabaseFile = "conveyor.sqlite"
    /// The text index inside a text-format export.
    public static let exportedTextFile = "database.txt"

    /// Writes a self-contained copy of `tagName` (as it is now, or at `asOf`) into `directory`,
    /// which must not exist yet or be empty.
    public func export(tag tagName: String, to directory: String, format: ExportFormat, asOf: Timestamp? = nil) async throws(ConveyorError) -> ExportSummary {
        let tag = try await tag(named: tagName, asOf: asOf)
        let entries = try await store.read { try await $0.entries(ofTag: tag.id, asOf: asOf) }
        try Self.prepareEmptyDirectory(directory)
        var payloads: [Int64: (Payload, Data)] = [:]
        for entry in entries where payloads[entry.payloadID] == nil {
            payloads[entry.payloadID] = try await download(name: entry.name, revision: entry.revision)
        }
        switch format {
        case .sqlite:
            let location = StoreLocation.sqlite(path: directory + "/" + Self.exportedDatabaseFile)
            let copies = payloads
            do {
                try await Store.withOpened(location) { local in
                    try await local.write { session in
                        let copy = try await session.insertGlobalTag(
                            name: tag.name, description: tag.description, type: tag.type, state: tag.state, at: tag.createdAt, by: tag.createdBy
                        )
                        var newIDs: [Int64: Int64] = [:]
                        for (oldID, (payload, bytes)) in copies {
                            newIDs[oldID] = try await session.importPayload(payload, bytes: bytes).id
                        }
                        let iovs = entries.map { NewIoV(payloadID: newIDs[$0.payloadID]!, iov: $0.iov) }
                        try await session.insertIoVs(iovs, intoTag: copy.id, at: tag.createdAt)
                    }
                }
            } catch {
                throw (error as? ConveyorError) ?? .unavailable("cannot write the export into \(directory): \(error)")
            }
        case .text:
            var lines: [String] = []
            for entry in entries.sorted(by: { $0.name != $1.name ? $0.name < $1.name : $0.iov < $1.iov }) {
                lines.append("dbstore/\(entry.name) \(entry.revision) \(entry.iov)")
            }
            do {
                try (lines.joined(separator: "\n") + "\n").write(toFile: directory + "/" + Self.exportedTextFile, atomically: true, encoding: .utf8)
                for (payload, bytes) in payloads.values {
                    try bytes.write(to: URL(fileURLWithPath: directory + "/" + Self.textPayloadFile(payload.name, payload.revision)))
                }
            } catch {
                throw .unavailable("cannot write the export into \(directory): \(error.localizedDescription)")
            }
        }
        return ExportSummary(tag: tagName, directory: directory, format: format, iovs: entries.count, payloads: payloads.count)
    }

    static func textPayloadFile(_ name: String, _ revision: Int) -> String { "dbstore_\(name)_rev_\(revision).root" }

    private static func prepareEmptyDirectory(_ directory: String) throws(ConveyorError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .invalidInput("'\(directory)' exists and is not a folder") }
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            guard contents.isEmpty else { throw .invalidInput("'\(directory)' is not empty; export into a new folder") }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw .unavailable("cannot create '\(directory)': \(error.localizedDescription)")
            }
        }
    }
}

/// Resolution from an exported folder, with no database server and no Conveyor server.
public enum LocalConditions {
    /// Resolves like ``ConditionsDatabase/resolve(tags:at:names:asOf:allowOpen:)`` from a folder
    /// written by `gt export` (either format; the text format is one layer named after the folder).
    public static func resolve(
        directory: String, tags: [String], at run: ExpRun, names: [String]? = nil, allowOpen: Bool = false
    ) async throws(ConveyorError) -> [Resolution] {
        let database = directory + "/" + ConditionsDatabase.exportedDatabaseFile
        if FileManager.default.fileExists(atPath: database) {
            do {
                return try await Store.withOpened(.sqlite(path: database), migrate: false) { store in
                    try await ConditionsDatabase(store: store).resolve(tags: tags, at: run, names: names, allowOpen: allowOpen)
                }
            } catch let error as ConveyorError {
                throw error
            } catch {
                throw .unavailable("cannot read \(database): \(error)")
            }
        }
        let text = directory + "/" + ConditionsDatabase.exportedTextFile
        guard let content = try? String(contentsOfFile: text, encoding: .utf8) else {
            throw .notFound("'\(directory)' holds neither \(ConditionsDatabase.exportedDatabaseFile) nor \(ConditionsDatabase.exportedTextFile)")
        }
        var entries: [TagEntry] = []
        for (number, line) in content.split(separator: "\n").enumerated() where !line.hasPrefix("#") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, fields[0].hasPrefix("dbstore/"), let revision = Int(fields[1]) else {
                throw .invalidInput("\(text) line \(number + 1) is not 'dbstore/NAME REVISION e1,r1,e2,r2'")
            }
            let name = String(fields[0].dropFirst("dbstore/".count))
            let iov = try IntervalOfValidity(parsing: String(fields[2]))
            guard let bytes = FileManager.default.contents(atPath: directory + "/" + ConditionsDatabase.textPayloadFile(name, revision)) else {
                throw .notFound("payload file for \(name) rev \(revision) is missing from \(directory)")
            }
            entries.append(TagEntry(id: Int64(number), name: name, revision: revision, payloadID: 0, sha256: PayloadChecksums(of: bytes).sha256, iov: iov))
        }
        let layer = URL(fileURLWithPath: directory).lastPathComponent
        return ConditionsStack([(layer, ConditionsIndex(entries: entries))]).resolve(at: run, names: names)
    }
}

extension ConditionsDatabase {
    /// Refuses a tag stack that holds a tag which may still change (OPEN), other than `open`:
    /// processing reads only frozen conditions; only calibration reads its OPEN staging tag.
    ///
    /// ```swift
    /// try await conditions.requireFrozen(["prompt", "online"], except: nil)
    /// try await conditions.requireFrozen(["staging_b8", "online"], except: "staging_b8")   // a calibration
    /// ```
    public func requireFrozen(_ tags: [String], except open: String?) async throws(ConveyorError) {
        for name in tags where name != open {
            let tag = try await tag(named: name)
            guard tag.state != .open else {
                throw .conflict(
                    "global tag '\(name)' is OPEN and may still change: jobs that make outputs read only frozen tags (conveyor gt set-state \(name) TESTING, or later)"
                )
            }
        }
    }

    /// Writes the payloads a tag stack resolves to for one run into `directory`, one file per
    /// payload name holding its bytes: the local copy a job reads its constants from.
    /// - Returns: what was resolved.
    @discardableResult
    public func exportResolved(
        tags: [String], at run: ExpRun, to directory: String, asOf: Timestamp? = nil, allowOpen: Bool = false
    ) async throws(ConveyorError) -> [Resolution] {
        let resolutions = try await resolve(tags: tags, at: run, asOf: asOf, allowOpen: allowOpen)
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw .unavailable("cannot make \(directory): \(error.localizedDescription)")
        }
        for resolution in resolutions {
            let (_, bytes) = try await download(name: resolution.name, revision: resolution.revision)
            do { try bytes.write(to: URL(fileURLWithPath: directory).appendingPathComponent(resolution.name)) } catch {
                throw .unavailable("cannot write \(resolution.name) into \(directory): \(error.localizedDescription)")
            }
        }
        return resolutions
    }
}
