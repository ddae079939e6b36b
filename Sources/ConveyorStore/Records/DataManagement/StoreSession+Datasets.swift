import ConveyorCore
import SQLKit

extension StoreSession {
    /// Creates a dataset or container; an existing one of the same kind is left as it is.
    ///
    /// ```swift
    /// try await session.createDataset("demo-bucket.raw", kind: .dataset, at: .now, by: "alice")
    /// ```
    /// - Returns: whether it was new.
    @discardableResult
    public func createDataset(_ name: String, kind: DatasetKind, at time: Timestamp, by actor: String) async throws -> Bool {
        if let existing = try await datasetRow(name) {
            guard existing.kind == kind else { throw ConveyorError.conflict("\(name) is a \(existing.kind.rawValue), not a \(kind.rawValue)") }
            return false
        }
        try await sql.insert(into: "datasets").columns("name", "kind", "created_at", "created_by")
            .values(SQLBind(name), SQLBind(kind.rawValue), SQLBind(time.microsecondsSinceEpoch), SQLBind(actor)).run()
        return true
    }

    func datasetRow(_ name: String) async throws -> (id: Int64, kind: DatasetKind)? {
        guard let row = try await sql.select().columns("id", "kind").from("datasets").where("name", .equal, name).first() else { return nil }
        return (try row.decode(column: "id", as: Int64.self), try row.decodeValue(DatasetKind.self, column: "kind", in: "datasets"))
    }

    /// Attaches registered files to a dataset, and marks the rules over it (directly or through
    /// a container) for evaluation, so that the next cycle places the new files.
    /// - Returns: how many were newly attached.
    @discardableResult
    public func attachFiles(_ lfns: [String], to dataset: String) async throws -> Int {
        guard let (id, kind) = try await datasetRow(dataset) else { throw ConveyorError.notFound("no dataset \(dataset)") }
        guard kind == .dataset else { throw ConveyorError.invalidInput("\(dataset) is a container: attach datasets to it, not files") }
        let ids = try await fileIDs(lfns)
        if let missing = lfns.first(where: { ids[$0] == nil }) { throw ConveyorError.notFound("no file \(missing) is registered") }
        var attached = 0
        let wanted = Array(Set(ids.values))
        for start in stride(from: 0, to: wanted.count, by: 1000) {
            let chunk = Array(wanted[start..<min(start + 1000, wanted.count)])
            let present = Set(
                try await sql.select().column("file_id").from("dataset_files").where("dataset_id", .equal, id).where("file_id", .in, chunk).all()
                    .map { try $0.decode(column: "file_id", as: Int64.self) })
            let fresh = chunk.filter { !present.contains($0) }
            guard !fresh.isEmpty else { continue }
            var insert = sql.insert(into: "dataset_files").columns("dataset_id", "file_id")
            for file in fresh { insert = insert.values(SQLBind(id), SQLBind(file)) }
            try await insert.run()
            attached += fresh.count
        }
        if attached > 0 { try await markRulesForEvaluation(dataset: dataset) }
        return attached
    }

    /// Attaches a dataset to a container.
    @discardableResult
    public func attachDataset(_ dataset: String, to container: String) async throws -> Bool {
        guard let (containerID, containerKind) = try await datasetRow(container) else { throw ConveyorError.notFound("no container \(container)") }
        guard containerKind == .container else { throw ConveyorError.invalidInput("\(container) is a dataset, not a container") }
        guard let (datasetID, datasetKind) = try await datasetRow(dataset) else { throw ConveyorError.notFound("no dataset \(dataset)") }
        guard datasetKind == .dataset else { throw ConveyorError.invalidInput("\(dataset) is a container: containers hold datasets only") }
        let present = try await sql.select().column("dataset_id").from("container_datasets").where("container_id", .equal, containerID)
            .where("dataset_id", .equal, datasetID).first()
        guard present == nil else { return false }
        try await sql.insert(into: "container_datasets").columns("container_id", "dataset_id").values(SQLBind(containerID), SQLBind(datasetID)).run()
        try await sql.raw(
            """
            UPDATE rules SET needs_evaluation = needs_evaluation + 1, state = \(unsafeRaw: Self.notOKOnceGrown) WHERE target_kind = 'container' AND target = \(bind: container)
            """
        ).run()
        return true
    }

    /// A rule whose data grew is not OK until its new files' copies are: a request waiting for its
    /// output rules must not pass on the state the rule had before its last outputs joined.
    static let notOKOnceGrown = "CASE WHEN state = 'OK' THEN 'REPLICATING' ELSE state END"

    func markRulesForEvaluation(dataset: String) async throws {
        try await sql.raw(
            """
            UPDATE rules SET needs_evaluation = needs_evaluation + 1, state = \(unsafeRaw: Self.notOKOnceGrown) WHERE (target_kind = 'dataset' AND target = \(bind: dataset))
               OR (target_kind = 'container' AND target IN (SELECT c.name FROM datasets c JOIN container_datasets cd ON cd.container_id = c.id
                                                          JOIN datasets d ON d.id = cd.dataset_id WHERE d.name = \(bind: dataset)))
            """
        ).run()
    }

    public func datasets(kind: DatasetKind? = nil) async throws -> [Dataset] {
        try await datasets(kind: kind, named: nil)
    }

    public func dataset(named name: String) async throws -> Dataset? {
        try await datasets(kind: nil, named: name).first
    }

    /// Datasets with their files and bytes; a container's are its datasets'.
    private func datasets(kind: DatasetKind?, named name: String?) async throws -> [Dataset] {
        var query: SQLQueryString = """
            SELECT d.name AS name, d.kind AS kind, d.created_at AS created_at, d.created_by AS created_by,
                   COUNT(f.id) AS files, CAST(COALESCE(SUM(f.size), 0) AS BIGINT) AS bytes
            FROM datasets d
            LEFT JOIN dataset_files df ON df.dataset_id = d.id
            LEFT JOIN files f ON f.id = df.file_id
            WHERE 1 = 1
            """
        if let kind { query += " AND d.kind = \(bind: kind.rawValue)" }
        if let name { query += " AND d.name = \(bind: name)" }
        query += " GROUP BY d.id, d.name, d.kind, d.created_at, d.created_by ORDER BY d.name"
        var out = try await sql.raw(query).all().map(Self.dataset(from:))
        for index in out.indices where out[index].kind == .container {
            let files = try await targetFiles(.container(out[index].name))
            out[index].files = files.count
            out[index].bytes = files.reduce(0) { $0 + $1.size }
        }
        return out
    }

    /// Whether a dataset or container of that name exists, and which: a look-up without its sizes.
    public func datasetKind(named name: String) async throws -> DatasetKind? {
        try await datasetRow(name)?.kind
    }

    /// The datasets a container holds, by name.
    public func containedDatasets(_ container: String) async throws -> [String] {
        try await sql.raw(
            """
            SELECT d.name AS name FROM datasets c JOIN container_datasets cd ON cd.container_id = c.id JOIN datasets d ON d.id = cd.dataset_id
            WHERE c.name = \(bind: container) ORDER BY d.name
            """
        ).all().map { try $0.decode(column: "name", as: String.self) }
    }

    static func dataset(from row: any SQLRow) throws -> Dataset {
        Dataset(
            name: try row.decode(column: "name", as: String.self), kind: try row.decodeValue(DatasetKind.self, column: "kind", in: "datasets"),
            files: try row.decode(column: "files", as: Int.self), bytes: try row.decode(column: "bytes", as: Int64.self),
            createdAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "created_at", as: Int64.self)),
            createdBy: try row.decode(column: "created_by", as: String.self))
    }

    /// A file a rule covers: its identity, size, checksum and the dataset that groups it.
    public struct TargetFile: Sendable, Hashable {
        public var id: Int64
        public var lfn: String
        public var size: Int64
        public var adler32: String
        public var group: String
    }

    /// The files of a rule's data, each once (a file in two datasets of a container is grouped with the first).
    public func targetFiles(_ target: RuleTarget) async throws -> [TargetFile] {
        let rows: [any SQLRow]
        switch target {
        case .file(let lfn):
            rows = try await sql.raw("SELECT id, lfn, size, adler32, '' AS grp FROM files WHERE lfn = \(bind: lfn)").all()
        case .dataset(let name):
            rows = try await sql.raw(
                """
                SELECT f.id AS id, f.lfn AS lfn, f.size AS size, f.adler32 AS adler32, d.name AS grp
                FROM datasets d JOIN dataset_files df ON df.dataset_id = d.id JOIN files f ON f.id = df.file_id
                WHERE d.name = \(bind: name) AND d.kind = 'dataset' ORDER BY f.id
                """
            ).all()
        case .container(let name):
            rows = try await sql.raw(
                """
                SELECT f.id AS id, f.lfn AS lfn, f.size AS size, f.adler32 AS adler32, d.name AS grp
                FROM datasets c JOIN container_datasets cd ON cd.container_id = c.id JOIN datasets d ON d.id = cd.dataset_id
                JOIN dataset_files df ON df.dataset_id = d.id JOIN files f ON f.id = df.file_id
                WHERE c.name = \(bind: name) AND c.kind = 'container' ORDER BY d.name, f.id
                """
            ).all()
        }
        var seen: Set<Int64> = []
        var out: [TargetFile] = []
        for row in rows {
            let id = try row.decode(column: "id", as: Int64.self)
            guard seen.insert(id).inserted else { continue }
            out.append(
                TargetFile(
                    id: id, lfn: try row.decode(column: "lfn", as: String.self), size: try row.decode(column: "size", as: Int64.self),
                    adler32: try row.decode(column: "adler32", as: String.self), group: try row.decode(column: "grp", as: String.self)))
        }
        return out
    }

    /// Whether a rule's data exists (a file registered, a dataset or container of that kind).
    public func targetExists(_ target: RuleTarget) async throws -> Bool {
        switch target {
        case .file(let lfn): return try await fileIDs([lfn])[lfn] != nil
        case .dataset(let name): return try await datasetRow(name)?.kind == .dataset
        case .container(let name): return try await datasetRow(name)?.kind == .container
        }
    }
}
