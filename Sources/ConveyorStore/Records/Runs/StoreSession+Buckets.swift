import ConveyorCore
import SQLKit

extension StoreSession {
    /// Stores a frozen bucket. - Throws: ``ConveyorError/conflict(_:)`` when the name is taken.
    public func insertBucket(_ bucket: Bucket) async throws {
        if try await self.bucket(named: bucket.name) != nil { throw ConveyorError.conflict("a bucket named '\(bucket.name)' already exists") }
        let row = try await sql.insert(into: "buckets")
            .columns("name", "exp", "first_run", "last_run", "luminosity", "created_at", "created_by")
            .values(
                SQLBind(bucket.name), SQLBind(bucket.exp), SQLBind(bucket.firstRun), SQLBind(bucket.lastRun), SQLBind(bucket.luminosity),
                SQLBind(bucket.createdAt.microsecondsSinceEpoch), SQLBind(bucket.createdBy)
            )
            .returning("id").first()
        let id = try row!.decode(column: "id", as: Int64.self)
        for member in bucket.members {
            try await sql.insert(into: "bucket_runs").columns("bucket_id", "run", "luminosity", "quality")
                .values(SQLBind(id), SQLBind(member.run), SQLBind(member.luminosity), SQLBind(member.qualityAtCreation.rawValue)).run()
        }
    }

    public func bucket(named name: String) async throws -> Bucket? {
        guard let row = try await bucketSelect().where("name", .equal, name).first() else { return nil }
        return try await decodeBucket(row)
    }

    public func buckets() async throws -> [Bucket] {
        var out: [Bucket] = []
        for row in try await bucketSelect().orderBy("exp").orderBy("first_run").all() { out.append(try await decodeBucket(row)) }
        return out
    }

    private func bucketSelect() -> SQLSelectBuilder {
        sql.select().columns("id", "name", "exp", "first_run", "last_run", "luminosity", "created_at", "created_by").from("buckets")
    }

    private func decodeBucket(_ row: any SQLRow) async throws -> Bucket {
        let id = try row.decode(column: "id", as: Int64.self)
        let members = try await sql.select().columns("run", "luminosity", "quality").from("bucket_runs").where("bucket_id", .equal, id).orderBy("run").all()
            .map { m in
                Bucket.Member(
                    run: try m.decode(column: "run", as: Int.self), luminosity: try m.decode(column: "luminosity", as: Double.self),
                    qualityAtCreation: try m.decodeValue(QualityFlag.self, column: "quality", in: "bucket_runs"))
            }
        return Bucket(
            name: try row.decode(column: "name", as: String.self), exp: try row.decode(column: "exp", as: Int.self),
            firstRun: try row.decode(column: "first_run", as: Int.self), lastRun: try row.decode(column: "last_run", as: Int.self),
            luminosity: try row.decode(column: "luminosity", as: Double.self), members: members,
            createdAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "created_at", as: Int64.self)),
            createdBy: try row.decode(column: "created_by", as: String.self))
    }
}
