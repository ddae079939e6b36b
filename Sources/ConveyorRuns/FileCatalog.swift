import ConveyorCore
import ConveyorStore
import Foundation

/// The file catalog: every file with its checksums, provenance and replicas, and the luminosity
/// behind any list of files.
///
/// Registering needs `manager` (production registers its outputs); marking a file bad needs `expert`.
///
/// ```swift
/// let catalog = FileCatalog(store: store)
/// try await catalog.register([raw, cdst], by: manager)
/// let account = try await catalog.luminosity(behind: ["/belle/…/mdst_0001.root"])
/// account.luminosity          // /pb behind the list
/// account.partlyCoveredRuns   // runs some of whose raw files are missing from the list's ancestry
/// ```
public struct FileCatalog: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public struct RegistrationReport: Sendable, Codable {
        public let registered: Int
        public let alreadyPresent: Int
    }

    /// Registers files (parents before children, in the order given or within the list), all or nothing.
    public func register(_ files: [CatalogFile], by actor: Actor) async throws(ConveyorError) -> RegistrationReport {
        try actor.require(.manager, to: "registering files")
        for file in files { try file.validate() }
        var seen = Set<String>()
        for file in files where !seen.insert(file.lfn).inserted { throw .invalidInput("\(file.lfn) appears twice in the list") }
        let ordered = try Self.parentsFirst(files)
        return try await store.write { session in
            let now = Timestamp.now
            let registered = try await session.registerFiles(ordered, at: now)
            if registered > 0 {
                try await session.appendAudit(
                    AuditRecord(
                        at: now, actor: actor, action: "files.register", subjectKind: "files",
                        subject: ordered.count == 1 ? ordered[0].lfn : "\(ordered.count) files",
                        detail: "\(registered) registered, \(ordered.count - registered) already present"))
            }
            return RegistrationReport(registered: registered, alreadyPresent: ordered.count - registered)
        }
    }

    /// Decodes a JSON list (or one object) of files as `files register` reads it.
    public static func decode(_ data: Data, name: String) throws(ConveyorError) -> [CatalogFile] {
        let decoder = JSONDecoder()
        if let list = try? decoder.decode([CatalogFile].self, from: data) { return list }
        if let one = try? decoder.decode(CatalogFile.self, from: data) { return [one] }
        do {
            _ = try decoder.decode([CatalogFile].self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw .invalidInput("\(name): item \(context.codingPath.first?.intValue.map { $0 + 1 } ?? 1) lacks '\(key.stringValue)'")
        } catch let DecodingError.dataCorrupted(context) {
            throw .invalidInput("\(name): \(context.debugDescription) at \(context.codingPath.map(\.stringValue).joined(separator: "."))")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .invalidInput(
                "\(name): wrong type at \(context.codingPath.map { $0.intValue.map { "item \($0 + 1)" } ?? $0.stringValue }.joined(separator: "."))")
        } catch {
            throw .invalidInput("\(name) is not a JSON list of files")
        }
        throw .invalidInput("\(name) is not a JSON list of files")
    }

    /// Orders a batch so that parents inside it come before their children.
    static func parentsFirst(_ files: [CatalogFile]) throws(ConveyorError) -> [CatalogFile] {
        let byLFN = Dictionary(files.map { ($0.lfn, $0) }, uniquingKeysWith: { first, _ in first })
        var placed = Set<String>()
        var visiting = Set<String>()
        var out: [CatalogFile] = []
        func place(_ file: CatalogFile) throws(ConveyorError) {
            if placed.contains(file.lfn) { return }
            guard visiting.insert(file.lfn).inserted else { throw .invalidInput("\(file.lfn) is its own ancestor") }
            for parent in file.parents { if let inBatch = byLFN[parent] { try place(inBatch) } }
            visiting.remove(file.lfn)
            placed.insert(file.lfn)
            out.append(file)
        }
        for file in files { try place(file) }
        return out
    }

    /// Files by run, file and tag filters, with the folders they are in per run.
    public func search(_ search: DataSearch) async throws(ConveyorError) -> SearchResult {
        SearchResult(files: try await store.read { try await $0.search(search) })
    }

    public func list(_ query: FileQuery) async throws(ConveyorError) -> [CatalogFile] {
        try await store.read { try await $0.files(query) }
    }

    /// A file with its whole provenance: what it was made from and what was made from it.
    public struct Provenance: Sendable, Codable {
        public let file: CatalogFile
        public let ancestors: [Relative]
        public let descendants: [Relative]
    }

    public func show(_ lfn: String) async throws(ConveyorError) -> Provenance {
        try await store.read { session in
            guard let file = try await session.file(lfn: lfn) else { throw ConveyorError.notFound("no file \(lfn) is registered") }
            return Provenance(
                file: file, ancestors: try await session.relatives(of: lfn, ancestors: true),
                descendants: try await session.relatives(of: lfn, ancestors: false))
        }
    }

    /// Marks a file bad (with the reason in the audit log). Needs `expert`.
    public func markBad(_ lfn: String, reason: String, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.expert, to: "marking a file bad")
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalidInput("say why: --reason is required") }
        try await store.write { session in
            guard let file = try await session.file(lfn: lfn) else { throw ConveyorError.notFound("no file \(lfn) is registered") }
            try await session.setFileStatus(lfn: lfn, to: .bad)
            try await session.appendAudit(
                AuditRecord(
                    actor: actor, action: "files.mark-bad", subjectKind: "file", subject: lfn,
                    detail: "\(file.status) -> bad: \(reason)"))
        }
    }

    /// Records a copy of a file at a site (a transfer or tape staging done), or changes the state
    /// of the copy at that path. Needs `manager`.
    public func saveReplica(_ replica: Replica, of lfn: String, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.manager, to: "recording replicas")
        guard !replica.site.isEmpty, !replica.path.isEmpty else { throw .invalidInput("a replica needs a site and a path") }
        try await store.write { session in
            try await session.saveReplica(lfn: lfn, replica)
            try await session.appendAudit(
                AuditRecord(
                    actor: actor, action: "files.replica", subjectKind: "file", subject: lfn,
                    detail: "\(replica.site) \(replica.storage.rawValue) \(replica.path): \(replica.state.rawValue)"))
        }
    }

    /// The luminosity and events behind a list of LFNs, and the runs it covers only in part.
    public func luminosity(behind lfns: [String]) async throws(ConveyorError) -> LuminosityAccount {
        guard !lfns.isEmpty else { throw .invalidInput("the list of files is empty") }
        return try await store.read { session in
            let facts = try await Self.facts(lfns, in: session)
            let raw = try await session.rawAncestors(ofIDs: facts.values.map(\.id))
            let runs = try await session.runAccounting(Set(raw.map(\.run)))
            return LuminosityAccount(listedEvents: facts.values.reduce(0) { $0 + $1.events }, rawAncestors: raw, runs: runs)
        }
    }

    /// Id, events and status of each LFN of a list (once each), refusing unknown ones by name.
    static func facts(_ lfns: [String], in session: StoreSession) async throws -> [String: (id: Int64, events: Int64, status: FileStatus)] {
        let facts = try await session.fileFacts(Array(Set(lfns)))
        let unknown = lfns.filter { facts[$0] == nil }
        guard unknown.isEmpty else {
            throw ConveyorError.notFound(
                "not registered: \(unknown.prefix(3).joined(separator: ", "))\(unknown.count > 3 ? " and \(unknown.count - 3) more" : "")")
        }
        return facts
    }

    /// Normalisation of a list of files (any length): luminosity, events and the reported counts
    /// behind all of them and behind the readable ones, divided by `prescale`. Unknown LFNs are
    /// refused, naming the first few.
    ///
    /// ```swift
    /// let n = try await catalog.normalise(lfns)
    /// n.usable.counts["bb"]
    /// ```
    public func normalise(_ lfns: [String], prescale: Int = 1) async throws(ConveyorError) -> Normalisation {
        guard !lfns.isEmpty else { throw .invalidInput("the list of files is empty") }
        return try await store.read { session in
            let facts = try await Self.facts(lfns, in: session)
            func figures(_ list: [(id: Int64, events: Int64, status: FileStatus)]) async throws -> Normalisation.Figures {
                guard !list.isEmpty else { return .empty }
                let raw = try await session.rawAncestors(ofIDs: list.map(\.id))
                let runs = Set(raw.map(\.run))
                let account = LuminosityAccount(
                    listedEvents: list.reduce(0) { $0 + $1.events }, rawAncestors: raw, runs: try await session.runAccounting(runs))
                return Normalisation.Figures(files: list.count, account: account, reported: try await session.runCounts(runs), prescale: prescale)
            }
            let all = try await figures(Array(facts.values))
            let readable = facts.values.filter { $0.status == .good }
            let usable = readable.count == facts.count ? all : try await figures(readable)
            return Normalisation(listed: all, usable: usable, unreadable: facts.filter { $0.value.status != .good }.keys.sorted(), prescale: prescale)
        }
    }

    /// Sets the count the experiment reports for a run (needs `expert`), e.g. `bb` for B counting.
    public func setRunCount(_ run: ExpRun, name: String, value: Double, error: Double?, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.expert, to: "setting reported counts")
        guard !name.isEmpty, name.count <= 32, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw .invalidInput("a count's name is 1–32 letters, digits or _, not '\(name)'")
        }
        guard value.isFinite, value >= 0, error.map({ $0.isFinite && $0 >= 0 }) ?? true else {
            throw .invalidInput("a reported count and its error are finite and not negative")
        }
        try await store.write { session in
            guard try await session.run(run) != nil else { throw ConveyorError.notFound("run \(run) is not registered") }
            let now = Timestamp.now
            try await session.setRunCount(run, name: name, value: value, error: error, at: now, by: actor.name)
            try await session.appendAudit(
                AuditRecord(at: now, actor: actor, action: "runs.count", subjectKind: "run", subject: run.description, detail: "\(name) = \(value)"))
        }
    }
}
