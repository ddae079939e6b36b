import ConveyorCore
import ConveyorStore

extension ConditionsDatabase {
    /// The staging-rule violations of a tag (empty when it passes).
    public func check(tag name: String, asOf: Timestamp? = nil) async throws(ConveyorError) -> [StagingRules.Violation] {
        StagingRules.violations(in: try await entries(ofTag: name, asOf: asOf))
    }

    /// What changed from tag `a` to tag `b`, optionally at one run.
    ///
    /// Large tags are compared as numbers first: IoVs with the same payload over the same runs are
    /// equal and dropped, and only the rest become entries for ``TagDiff``.
    public func diff(_ a: String, _ b: String, at run: ExpRun? = nil, asOf: Timestamp? = nil) async throws(ConveyorError) -> TagDiff {
        let left = try await tag(named: a, asOf: asOf)
        let right = try await tag(named: b, asOf: asOf)
        let store = self.store
        do {
            async let leftRows = store.read { try await $0.packedIoVs(ofTag: left.id, asOf: asOf) }
            async let rightRows = store.read { try await $0.packedIoVs(ofTag: right.id, asOf: asOf) }
            async let leftPayloads = store.read { try await $0.payloadRefs(ofTag: left.id, asOf: asOf) }
            async let rightPayloads = store.read { try await $0.payloadRefs(ofTag: right.id, asOf: asOf) }
            let (l, r, lp, rp) = try await (leftRows, rightRows, leftPayloads, rightPayloads)
            let rightContent = Set(r.map(\.content))
            let leftContent = Set(l.map(\.content))
            let onlyLeft = l.filter { !rightContent.contains($0.content) }.compactMap { row in lp[row.payloadID].map { row.entry(with: $0) } }
            let onlyRight = r.filter { !leftContent.contains($0.content) }.compactMap { row in rp[row.payloadID].map { row.entry(with: $0) } }
            return TagDiff(from: onlyLeft, to: onlyRight, at: run)
        } catch {
            throw (error as? ConveyorError) ?? .storeFailure("\(error)")
        }
    }

    /// Merges tags by priority gap filling into a new OPEN tag. Needs `expert`.
    @discardableResult
    public func merge(
        _ sources: [String], into output: String, within range: IntervalOfValidity? = nil, by actor: Actor
    ) async throws(ConveyorError) -> GlobalTagDetail {
        try actor.require(.expert, to: "merging global tags")
        try GlobalTag.validate(name: output)
        guard !sources.isEmpty else { throw .invalidInput("name at least one tag to merge") }
        var layers: [[TagEntry]] = []
        for source in sources { layers.append(try await entries(ofTag: source)) }
        let pieces = TagMerge.merge(layers, within: range)
        let tag = try await store.write { session in
            let now = Timestamp.now
            let tag = try await session.insertGlobalTag(
                name: output, description: "merge of \(sources.joined(separator: ", "))", type: .dev, at: now, by: actor.name)
            try await session.insertIoVs(pieces.map { NewIoV(payloadID: $0.payloadID, iov: $0.iov) }, intoTag: tag.id, at: now)
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "gt.merge", subjectKind: "globaltag", subject: output,
                    detail: "from \(sources.joined(separator: ", "))\(range.map { " within \($0)" } ?? ""): \(pieces.count) IoVs"))
            return tag
        }
        return GlobalTagDetail(tag: tag, iovCount: pieces.count, payloadNameCount: Set(pieces.map(\.name)).count)
    }

    /// The Belle II running update of `running` from `staging` at `validFrom`. Needs `manager`.
    ///
    /// All or nothing: both tags are locked, the staging tag must be VALIDATED and pass the staging
    /// rules, the running tag must be RUNNING. With `dryRun` the plan is returned and nothing written.
    public func runningUpdate(
        _ running: String, from staging: String, validFrom: ExpRun, dryRun: Bool = false, by actor: Actor
    ) async throws(ConveyorError) -> RunningUpdate.Plan {
        try actor.require(.manager, to: "a running update")
        let plan = try await store.write { session in
            let runningTag = try await Self.lockedTag(running, in: session)
            let stagingTag = try await Self.lockedTag(staging, in: session)
            guard runningTag.state == .running else {
                throw ConveyorError.conflict("'\(running)' is \(runningTag.state), not RUNNING: a running update needs a RUNNING target")
            }
            guard stagingTag.state == .validated else {
                throw ConveyorError.conflict("'\(staging)' is \(stagingTag.state), not VALIDATED: validate the staging tag first")
            }
            let stagingEntries = try await session.entries(ofTag: stagingTag.id)
            let violations = StagingRules.violations(in: stagingEntries)
            guard violations.isEmpty else {
                throw ConveyorError.conflict("'\(staging)' breaks the staging rules: \(violations.map(\.description).joined(separator: "; "))")
            }
            let summary = try await session.runningSummary(ofTag: runningTag.id)
            var validFrom = validFrom
            if let (_, first, _) = try await Self.synchronisedStart(runningTag, requested: validFrom, in: session) {
                validFrom = first.run  // never below the first condition-safe run of a synchronised tag
            }
            let plan = try RunningUpdate.plan(running: summary, staging: stagingEntries, validFrom: validFrom)
            guard !dryRun else { return plan }
            let now = Timestamp.now
            try await session.removeIoVs(ids: plan.changes.compactMap(\.replacedEntryID), at: now)
            try await session.insertIoVs(plan.changes.map { NewIoV(payloadID: $0.payloadID, iov: $0.newIoV) }, intoTag: runningTag.id, at: now)
            try await session.touchGlobalTag(id: runningTag.id)
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "gt.running-update", subjectKind: "globaltag", subject: running,
                    detail: "from \(staging) at \(validFrom): \(plan.changes.count) changes"))
            return plan
        }
        if !dryRun { cache.invalidate() }
        return plan
    }

    /// For each payload name, the first tag of the stack that covers `run`.
    ///
    /// INVALID tags are always refused; OPEN tags unless `allowOpen`. Without `asOf` the lookup
    /// is served from the cache (rebuilt when a tag changes); with it, from the history.
    public func resolve(
        tags: [String], at run: ExpRun, names: [String]? = nil, asOf: Timestamp? = nil, allowOpen: Bool = false
    ) async throws(ConveyorError) -> [Resolution] {
        try await resolveStack(tags: tags, at: run, names: names, asOf: asOf, allowOpen: allowOpen).resolutions
    }

    /// A resolution together with the tags it was made from (state and change counter as used),
    /// which is what an HTTP answer's ETag and caching depend on.
    public struct StackResolution: Sendable {
        public let tags: [GlobalTag]
        public let resolutions: [Resolution]
    }

    public func resolveStack(
        tags: [String], at run: ExpRun, names: [String]? = nil, asOf: Timestamp? = nil, allowOpen: Bool = false
    ) async throws(ConveyorError) -> StackResolution {
        guard !tags.isEmpty else { throw .invalidInput("name at least one global tag") }
        var layers: [(tag: String, index: ConditionsIndex)] = []
        var used: [GlobalTag] = []
        for name in tags {
            let (tag, index) = try await lookupIndex(forTag: name, asOf: asOf)
            used.append(tag)
            guard tag.state.isUsable(allowOpen: allowOpen) else {
                throw tag.state == .invalid
                    ? .conflict("tag '\(name)' is INVALID and may not be used")
                    : .conflict("tag '\(name)' is OPEN and may change; use it only when asked explicitly (--allow-open)")
            }
            layers.append((name, index))
        }
        return StackResolution(tags: used, resolutions: ConditionsStack(layers).resolve(at: run, names: names))
    }

    /// The tag and its lookup index, cached by the tag's change counter.
    func lookupIndex(forTag name: String, asOf: Timestamp?) async throws(ConveyorError) -> (GlobalTag, ConditionsIndex) {
        if asOf == nil, let cached = cache.fresh(name) { return cached }
        let tag = try await tag(named: name, asOf: asOf)
        if asOf == nil, let cached = cache.index(for: tag) {
            cache.remember(name, tag: tag, index: cached)
            return (tag, cached)
        }
        guard asOf == nil else {
            return (tag, ConditionsIndex(entries: try await store.read { try await $0.entries(ofTag: tag.id, asOf: asOf) }))
        }
        let store = self.store
        let index: ConditionsIndex
        do {
            index = try await cache.index(for: tag) { ConditionsIndex(entries: try await store.read { try await $0.entries(ofTag: tag.id, asOf: nil) }) }
        } catch let error as ConveyorError {
            throw error
        } catch {
            throw .storeFailure("building the lookup index of tag '\(name)' failed: \(error)")
        }
        cache.remember(name, tag: tag, index: index)
        return (tag, index)
    }
}
