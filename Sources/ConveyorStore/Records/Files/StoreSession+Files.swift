import ConveyorCore
import SQLKit

extension StoreSession {
    /// Registers files with their parents and replicas, in statements of many rows each, so that
    /// 100,000 files take seconds on either engine. Parents must be registered already or come
    /// earlier in `files`.
    ///
    /// ```swift
    /// let added = try await session.registerFiles([raw, cdst], at: .now)   // 2, then 0 the second time
    /// ```
    /// - Returns: how many were new; a file already there with the same bytes is left as it is.
    /// - Throws: ``ConveyorError/conflict(_:)`` when an LFN is registered with other checksums,
    ///   ``ConveyorError/notFound(_:)`` when a parent is not registered.
    @discardableResult
    public func registerFiles(_ files: [CatalogFile], at time: Timestamp) async throws -> Int {
        var registered = 0
        // 14 values a row keeps a chunk well under either engine's bound-parameter limit.
        for start in stride(from: 0, to: files.count, by: Self.registrationChunk) {
            let chunk = files[start..<min(start + Self.registrationChunk, files.count)]
            let present = try await registeredChecksums(chunk.map(\.lfn))
            var fresh: [CatalogFile] = []
            for file in chunk {
                if let existing = present[file.lfn] {
                    guard existing.sameBytes(as: file) else {
                        throw ConveyorError.conflict(
                            "\(file.lfn) is already registered with other checksums (sha256 \(existing.sha256.prefix(12))…, adler32 \(existing.adler32))")
                    }
                } else {
                    fresh.append(file)
                }
            }
            guard !fresh.isEmpty else { continue }
            var insert = sql.insert(into: "files")
                .columns(
                    "lfn", "size", "adler32", "sha256", "events", "exp", "run", "level", "data_tag", "release", "global_tags", "conditions_at", "job", "status",
                    "created_at")
            for file in fresh {
                insert = insert.values(
                    SQLBind(file.lfn), SQLBind(file.size), SQLBind(file.adler32.lowercased()), SQLBind(file.sha256.lowercased()), SQLBind(file.events),
                    SQLBind(file.run.exp), SQLBind(file.run.run), SQLBind(file.level.rawValue), SQLBind(file.dataTag), SQLBind(file.release),
                    SQLBind(file.globalTags.joined(separator: ",")), SQLBind(file.conditionsResolvedAt?.microsecondsSinceEpoch), SQLBind(file.job),
                    SQLBind(file.status.rawValue), SQLBind(time.microsecondsSinceEpoch))
            }
            var ids: [String: Int64] = [:]
            for row in try await insert.returning("id", "lfn").all() {
                ids[try row.decode(column: "lfn", as: String.self)] = try row.decode(column: "id", as: Int64.self)
            }
            // Parents inside this chunk are inserted by now, so one lookup finds them all.
            let parentIDs = try await fileIDs(Array(Set(fresh.flatMap(\.parents))))
            var links: [(Int64, Int64)] = []
            var replicas: [(Int64, Replica)] = []
            for file in fresh {
                let id = ids[file.lfn]!
                for parent in Set(file.parents) {
                    guard let parentID = parentIDs[parent] else { throw ConveyorError.notFound("parent \(parent) of \(file.lfn) is not registered") }
                    links.append((id, parentID))
                }
                replicas += file.replicas.map { (id, $0) }
            }
            for part in stride(from: 0, to: links.count, by: 5000) {
                var insertLinks = sql.insert(into: "file_parents").columns("child_id", "parent_id")
                for (child, parent) in links[part..<min(part + 5000, links.count)] { insertLinks = insertLinks.values(SQLBind(child), SQLBind(parent)) }
                try await insertLinks.run()
            }
            for part in stride(from: 0, to: replicas.count, by: 2000) {
                var insertReplicas = sql.insert(into: "replicas").columns("file_id", "site", "storage", "path", "state")
                for (id, replica) in replicas[part..<min(part + 2000, replicas.count)] {
                    insertReplicas = insertReplicas.values(
                        SQLBind(id), SQLBind(replica.site), SQLBind(replica.storage.rawValue), SQLBind(replica.path), SQLBind(replica.state.rawValue))
                }
                try await insertReplicas.run()
            }
            try await countRunStreams(fresh)
            registered += fresh.count
        }
        return registered
    }

    /// Adds the DAQ's raw files among newly registered ones (raw, without parents: not HLT skims
    /// made from other raw files) to their run's data stream.
    private func countRunStreams(_ fresh: [CatalogFile]) async throws {
        struct Key: Hashable { let exp: Int; let run: Int; let stream: String }
        var added: [Key: (files: Int64, events: Int64)] = [:]
        for file in fresh where file.level == .raw && file.parents.isEmpty {
            let key = Key(exp: file.run.exp, run: file.run.run, stream: LuminosityAccount.stream(of: file.dataTag))
            added[key, default: (0, 0)].files += 1
            added[key, default: (0, 0)].events += file.events
        }
        for (key, count) in added {
            try await sql.raw(
                """
                INSERT INTO run_streams (exp, run, stream, files, events) VALUES (\(bind: key.exp), \(bind: key.run), \(bind: key.stream), \(bind: count.files), \(bind: count.events))
                ON CONFLICT (exp, run, stream) DO UPDATE SET files = run_streams.files + excluded.files, events = run_streams.events + excluded.events
                """
            ).run()
        }
    }

    static let registrationChunk = 1000

    /// Size and checksums of those of `lfns` that are registered.
    private func registeredChecksums(_ lfns: [String]) async throws -> [String: CatalogFile.Checksums] {
        var out: [String: CatalogFile.Checksums] = [:]
        for start in stride(from: 0, to: lfns.count, by: Self.registrationChunk) {
            let rows = try await sql.select().columns("lfn", "size", "adler32", "sha256").from("files")
                .where("lfn", .in, Array(lfns[start..<min(start + Self.registrationChunk, lfns.count)])).all()
            for row in rows {
                out[try row.decode(column: "lfn", as: String.self)] = CatalogFile.Checksums(
                    size: try row.decode(column: "size", as: Int64.self), adler32: try row.decode(column: "adler32", as: String.self),
                    sha256: try row.decode(column: "sha256", as: String.self))
            }
        }
        return out
    }

    /// Which of these LFNs have an available disk copy at `site`.
    public func lfnsOnDisk(_ lfns: [String], at site: String) async throws -> Set<String> {
        var out: Set<String> = []
        for start in stride(from: 0, to: lfns.count, by: Self.registrationChunk) {
            let chunk = Array(lfns[start..<min(start + Self.registrationChunk, lfns.count)])
            let rows = try await sql.select().column(SQLColumn("lfn", table: "f"))
                .from(SQLAlias(SQLIdentifier("files"), as: SQLIdentifier("f")))
                .join(SQLAlias(SQLIdentifier("replicas"), as: SQLIdentifier("r")), on: SQLColumn("file_id", table: "r"), .equal, SQLColumn("id", table: "f"))
                .where(SQLColumn("lfn", table: "f"), .in, SQLBind.group(chunk))
                .where(SQLColumn("site", table: "r"), .equal, SQLBind(site))
                .where(SQLColumn("storage", table: "r"), .equal, SQLBind(StorageKind.disk.rawValue))
                .where(SQLColumn("state", table: "r"), .equal, SQLBind(ReplicaState.available.rawValue)).all()
            for row in rows { out.insert(try row.decode(column: "lfn", as: String.self)) }
        }
        return out
    }

    /// Which of these LFNs the catalog holds.
    public func registeredLFNs(_ lfns: [String]) async throws -> Set<String> {
        Set(try await fileIDs(lfns).keys)
    }

    func fileIDs(_ lfns: [String]) async throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for start in stride(from: 0, to: lfns.count, by: Self.registrationChunk) {
            let rows = try await sql.select().columns("id", "lfn").from("files")
                .where("lfn", .in, Array(lfns[start..<min(start + Self.registrationChunk, lfns.count)])).all()
            for row in rows { out[try row.decode(column: "lfn", as: String.self)] = try row.decode(column: "id", as: Int64.self) }
        }
        return out
    }

    public func file(lfn: String) async throws -> CatalogFile? {
        guard let row = try await fileSelect().where("lfn", .equal, lfn).first() else { return nil }
        return try await complete(row)
    }

    public func files(_ query: FileQuery) async throws -> [CatalogFile] {
        try await search(DataSearch(files: query))
    }

    /// Files matching a data search: the file filters, the run filters (joined with the run
    /// registry when any run attribute beyond experiment and range is asked), and tag filters.
    public func search(_ search: DataSearch) async throws -> [CatalogFile] {
        let query = search.files
        var select = fileSelect()
        let r = query.runs
        let runOnly = RunQuery(
            exp: nil, runRange: nil, type: search.runs.type, energy: search.runs.energy, magnet: search.runs.magnet,
            minimumDurationSeconds: search.runs.minimumDurationSeconds, minimumLuminosity: search.runs.minimumLuminosity,
            quality: search.runs.quality)
        if runOnly != RunQuery() {
            // The file's run must qualify: unqualified names in the subquery are the run's columns.
            let run = sql.select().column(SQLLiteral.numeric("1")).from("runs")
                .where(SQLColumn("exp", table: "runs"), .equal, SQLColumn("exp", table: "files"))
                .where(SQLColumn("run", table: "runs"), .equal, SQLColumn("run", table: "files"))
            select = select.where(SQLFunction("EXISTS", args: filtered(run, runOnly).query))
        }
        if let exp = search.runs.exp { select = select.where("exp", .equal, exp) }
        if let range = search.runs.runRange {
            select = select.where("run", .greaterThanOrEqual, range.lowerBound).where("run", .lessThanOrEqual, range.upperBound)
        }
        if !search.tags.isEmpty { select = select.where("data_tag", .in, search.tags) }
        if !search.excludedTags.isEmpty {
            select = select.where { $0.where("data_tag", .is, SQLLiteral.null).orWhere("data_tag", .notIn, search.excludedTags) }
        }
        if let exp = r.exp { select = select.where("exp", .equal, exp) }
        if let range = r.runRange { select = select.where("run", .greaterThanOrEqual, range.lowerBound).where("run", .lessThanOrEqual, range.upperBound) }
        if let level = query.level { select = select.where("level", .equal, level.rawValue) }
        if let tag = query.dataTag { select = select.where("data_tag", .equal, tag) }
        if let status = query.status { select = select.where("status", .equal, status.rawValue) }
        if let site = query.site {
            select = select.where(SQLColumn("id"), .in, SQLGroupExpression(sql.select().column("file_id").from("replicas").where("site", .equal, site).query))
        }
        var files: [CatalogFile] = []
        for row in try await select.orderBy("exp").orderBy("run").orderBy("lfn").limit(query.limit).all() {
            files.append(try await complete(row))
        }
        return files
    }

    /// Every file the given one was made from (depth 1 = parents), or made into (descendants).
    public func relatives(of lfn: String, ancestors: Bool) async throws -> [Relative] {
        guard let id = try await fileIDs([lfn])[lfn] else { return [] }
        let (from, to) = ancestors ? ("child_id", "parent_id") : ("parent_id", "child_id")
        // CROSS JOIN fixes SQLite's join order (walk the few related rows, search the link index);
        // PostgreSQL plans it as the plain join it is.
        let rows = try await sql.raw(
            """
            WITH RECURSIVE related(id, depth) AS (
                SELECT \(ident: to), 1 FROM file_parents WHERE \(ident: from) = \(bind: id)
                UNION
                SELECT fp.\(ident: to), related.depth + 1 FROM related CROSS JOIN file_parents fp WHERE fp.\(ident: from) = related.id
            )
            SELECT f.lfn, f.level, MIN(related.depth) AS depth FROM related CROSS JOIN files f WHERE f.id = related.id
            GROUP BY f.lfn, f.level ORDER BY depth, f.lfn
            """
        ).all()
        return try rows.map { row in
            Relative(
                lfn: try row.decode(column: "lfn", as: String.self),
                level: try row.decodeValue(DataLevel.self, column: "level", in: "files"),
                depth: try row.decode(column: "depth", as: Int.self))
        }
    }

    /// Records a copy of a file at a site, or changes the state and storage of the copy at that path.
    public func saveReplica(lfn: String, _ replica: Replica) async throws {
        guard let id = try await fileIDs([lfn])[lfn] else { throw ConveyorError.notFound("no file \(lfn) is registered") }
        try await sql.delete(from: "replicas").where("file_id", .equal, id).where("site", .equal, replica.site).where("path", .equal, replica.path).run()
        try await sql.insert(into: "replicas").columns("file_id", "site", "storage", "path", "state")
            .values(SQLBind(id), SQLBind(replica.site), SQLBind(replica.storage.rawValue), SQLBind(replica.path), SQLBind(replica.state.rawValue)).run()
    }

    public func setFileStatus(lfn: String, to status: FileStatus) async throws {
        try await sql.update("files").set("status", to: status.rawValue).where("lfn", .equal, lfn).run()
    }

    private func fileSelect() -> SQLSelectBuilder {
        sql.select().columns(
            "id", "lfn", "size", "adler32", "sha256", "events", "exp", "run", "level", "data_tag", "release", "global_tags", "conditions_at", "job",
            "status"
        ).from("files")
    }

    private func complete(_ row: any SQLRow) async throws -> CatalogFile {
        let id = try row.decode(column: "id", as: Int64.self)
        let parents = try await sql.raw("SELECT f.lfn FROM file_parents fp JOIN files f ON f.id = fp.parent_id WHERE fp.child_id = \(bind: id) ORDER BY f.lfn")
            .all()
            .map { try $0.decode(column: "lfn", as: String.self) }
        let replicas = try await replicas(ofFiles: [id])[id] ?? []
        let tags = try row.decode(column: "global_tags", as: String.self)
        return CatalogFile(
            lfn: try row.decode(column: "lfn", as: String.self), size: try row.decode(column: "size", as: Int64.self),
            adler32: try row.decode(column: "adler32", as: String.self), sha256: try row.decode(column: "sha256", as: String.self),
            events: try row.decode(column: "events", as: Int64.self),
            run: ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self)),
            level: try row.decodeValue(DataLevel.self, column: "level", in: "files"),
            dataTag: try row.decode(column: "data_tag", as: String?.self), release: try row.decode(column: "release", as: String.self),
            globalTags: tags.isEmpty ? [] : tags.split(separator: ",").map(String.init),
            conditionsResolvedAt: try row.decode(column: "conditions_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)),
            job: try row.decode(column: "job", as: String?.self),
            parents: parents, status: try row.decodeValue(FileStatus.self, column: "status", in: "files"), replicas: replicas
        )
    }

    /// The copies of these files, by file id, each file's ordered by site.
    public func replicas(ofFiles ids: [Int64]) async throws -> [Int64: [Replica]] {
        var out: [Int64: [Replica]] = [:]
        for start in stride(from: 0, to: ids.count, by: Self.registrationChunk) {
            let chunk = Array(ids[start..<min(start + Self.registrationChunk, ids.count)])
            let rows = try await sql.select().columns("file_id", "site", "storage", "path", "state").from("replicas").where("file_id", .in, chunk)
                .orderBy("site").all()
            for r in rows {
                out[try r.decode(column: "file_id", as: Int64.self), default: []].append(
                    Replica(
                        site: try r.decode(column: "site", as: String.self),
                        storage: try r.decodeValue(StorageKind.self, column: "storage", in: "replicas"),
                        path: try r.decode(column: "path", as: String.self),
                        state: try r.decodeValue(ReplicaState.self, column: "state", in: "replicas")))
            }
        }
        return out
    }
}
