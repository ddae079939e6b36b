import ConveyorCore
import ConveyorStore

extension DataManagement {
    /// Bytes per site and storage, broken down by campaign, level or release.
    public func usage(by dimension: UsageDimension) async throws(ConveyorError) -> [UsageRow] {
        try await store.read { try await $0.usage(by: dimension) }
    }

    /// What a cleanup ends, or would end.
    public struct CleanupReport: Sendable, Hashable, Codable {
        public struct Item: Sendable, Hashable, Codable {
            public var rule: Int64
            public var request: String
            public var target: String
            public var freedBytesPerSite: [String: Int64]
        }
        public var campaign: String
        public var dryRun: Bool
        public var rules: [Item]
        /// Rules left alone because a running request reads their files.
        public var keptInUse: [Int64]
        public var freedBytesPerSite: [String: Int64]
    }

    /// Ends the rules of a campaign's requests older than `olderThanSeconds`, except those a
    /// running request still reads; with `dryRun`, only says what it would end and free.
    public func cleanup(campaign: String, olderThanSeconds: Int64, dryRun: Bool, by actor: Actor) async throws(ConveyorError) -> CleanupReport {
        if !dryRun { try actor.require(.manager, to: "cleaning up data") }
        guard !campaign.isEmpty else { throw .invalidInput("name the campaign: --campaign NAME") }
        guard olderThanSeconds > 0 else { throw .invalidInput("--older-than must be positive") }
        let before = Timestamp(microsecondsSinceEpoch: Timestamp.now.microsecondsSinceEpoch - olderThanSeconds * 1_000_000)
        let work = { @Sendable (session: StoreSession) async throws -> CleanupReport in
            var report = CleanupReport(campaign: campaign, dryRun: dryRun, rules: [], keptInUse: [], freedBytesPerSite: [:])
            for candidate in try await session.cleanupCandidates(campaign: campaign, createdBefore: before) {
                if candidate.inUse {
                    report.keptInUse.append(candidate.rule)
                    continue
                }
                guard let rule = try await session.rule(id: candidate.rule) else { continue }
                let freed = try await session.exclusiveBytes(rule: candidate.rule)
                report.rules.append(.init(rule: candidate.rule, request: candidate.request, target: rule.target.description, freedBytesPerSite: freed))
                for (site, bytes) in freed { report.freedBytesPerSite[site, default: 0] += bytes }
                if !dryRun {
                    try await session.endRule(candidate.rule, at: .now)
                    try await session.appendAudit(
                        AuditRecord(
                            actor: actor, action: "rule.delete", subjectKind: "rule", subject: String(candidate.rule),
                            detail: "cleanup of campaign \(campaign), older than \(olderThanSeconds) s"))
                }
            }
            return report
        }
        return dryRun ? try await store.read(work) : try await store.write(work)
    }

    /// What declaring a copy bad did.
    public struct BadReplicaReport: Sendable, Hashable, Codable {
        public var lfn: String
        public var endpoint: String
        /// Whether another good copy exists to copy it back from.
        public var recovering: Bool
        /// When no good copy is left: the file is lost, with the outputs made from it.
        public var lost: Bool
        public var affectedOutputs: [String]
    }

    /// Declares a copy bad (a failed disk, a corrupted file): it is copied again from a good
    /// copy; a file with no good copy left is marked lost, with the outputs made from it listed.
    public func declareBad(lfn: String, endpoint name: String, reason: String, by actor: Actor) async throws(ConveyorError) -> BadReplicaReport {
        try actor.require(.manager, to: "declaring replicas bad")
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalidInput("say why: --reason is required") }
        return try await store.write { session in
            guard let endpoint = try await session.endpoint(named: name) else { throw ConveyorError.notFound("no storage endpoint \(name)") }
            guard let file = try await session.fileID(lfn: lfn) else { throw ConveyorError.notFound("no file \(lfn) is registered") }
            guard let catalog = try await session.file(lfn: lfn),
                catalog.replicas.contains(where: { $0.site == endpoint.site && $0.storage == endpoint.kind })
            else {
                throw ConveyorError.notFound("\(lfn) has no copy at \(name)")
            }
            try await session.setReplicaState(file: file, endpoint: endpoint, to: .bad)
            let good = try await session.sources(of: file)
            var report = BadReplicaReport(lfn: lfn, endpoint: name, recovering: !good.isEmpty, lost: good.isEmpty, affectedOutputs: [])
            if good.isEmpty {
                try await session.setFileStatus(lfn: lfn, to: .lost)
                report.affectedOutputs = try await session.descendants(of: lfn)
            } else if !(try await session.rulesLocking(file: file, endpoint: name)).isEmpty {
                _ = try await session.requeueCopy(file: file, endpoint: name, priority: 5, at: .now)
            }
            try await session.appendAudit(
                AuditRecord(
                    actor: actor, action: "replica.bad", subjectKind: "file", subject: lfn,
                    detail: "\(name): \(reason)\(good.isEmpty ? "; no good copy left: lost, \(report.affectedOutputs.count) outputs affected" : "")"))
            return report
        }
    }
}
