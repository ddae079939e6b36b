import ConveyorCore
import ConveyorStore

extension RunRegistry {
    /// A bucket with what has changed in the registry since it was frozen.
    public struct BucketReport: Sendable, Codable {
        public let bucket: Bucket
        public let warnings: [String]
    }

    /// Groups consecutive good physics runs of `exp` into buckets of `targetLuminosity` (/pb),
    /// closing a bucket early after `maximumDays`.
    public func planBuckets(
        exp: Int, targetLuminosity: Double, maximumDays: Double? = nil, from start: ExpRun? = nil
    ) async throws(ConveyorError) -> [PlannedBucket] {
        let runs = try await store.read { try await $0.runs(RunQuery(exp: exp)) }
        return try BucketPlanner.plan(runs, targetLuminosity: targetLuminosity, maximumDays: maximumDays, from: start)
    }

    /// Freezes the good physics runs of `exp` in `range` as a bucket. Needs `manager`.
    @discardableResult
    public func createBucket(named name: String, exp: Int, runs range: ClosedRange<Int>, by actor: Actor) async throws(ConveyorError) -> Bucket {
        try actor.require(.manager, to: "creating a bucket")
        guard !name.isEmpty, name.count <= 100, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }) else {
            throw .invalidInput("bucket name '\(name)' must be 1–100 letters, digits, '_', '-' or '.'")
        }
        return try await store.write { session in
            let members = try await session.runs(RunQuery(exp: exp, runRange: range, type: .physics, quality: .good))
                .map { Bucket.Member(run: $0.record.run.run, luminosity: $0.record.luminosity, qualityAtCreation: $0.quality) }
            guard !members.isEmpty else { throw ConveyorError.invalidInput("no good physics runs in \(exp):\(range.lowerBound)–\(range.upperBound)") }
            let now = Timestamp.now
            let bucket = Bucket(
                name: name, exp: exp, firstRun: range.lowerBound, lastRun: range.upperBound,
                luminosity: members.reduce(0) { $0 + $1.luminosity }, members: members, createdAt: now, createdBy: actor.name)
            try await session.insertBucket(bucket)
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "bucket.create", subjectKind: "bucket", subject: name,
                    detail: "exp \(exp) runs \(range.lowerBound)-\(range.upperBound): \(members.count) runs, \(bucket.luminosity) /pb"))
            return bucket
        }
    }

    public func buckets() async throws(ConveyorError) -> [BucketReport] {
        try await store.read { session in
            var reports: [BucketReport] = []
            for bucket in try await session.buckets() { reports.append(try await Self.report(bucket, session)) }
            return reports
        }
    }

    public func bucket(named name: String) async throws(ConveyorError) -> BucketReport {
        try await store.read { session in
            guard let bucket = try await session.bucket(named: name) else { throw ConveyorError.notFound("no bucket named '\(name)'") }
            return try await Self.report(bucket, session)
        }
    }

    private static func report(_ bucket: Bucket, _ session: StoreSession) async throws -> BucketReport {
        let current = try await session.runs(RunQuery(exp: bucket.exp, runRange: bucket.firstRun...bucket.lastRun, type: .physics))
        let flags = Dictionary(current.map { ($0.record.run.run, $0.quality) }, uniquingKeysWith: { first, _ in first })
        return BucketReport(bucket: bucket, warnings: bucket.warnings(current: flags))
    }
}
