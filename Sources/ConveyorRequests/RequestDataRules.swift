import ConveyorCore
import ConveyorDataManagement
import ConveyorStore

/// The data-management side of a request: inputs not on disk at their site get a staging rule
/// (tape → that site's disk; the jobs wait on it, not on a person; it ends with the request), and
/// each output rule of the configuration becomes a rule over the dataset its outputs join.
enum RequestDataRules {
    static let actor = Actor(name: "conveyor-requests", role: .manager)

    /// The dataset of a request's inputs staged at a site.
    static func stagingDataset(request: String, site: String) -> String { "\(request).stage.\(site)" }

    /// Makes the rules inside the caller's transaction.
    /// - Returns: per site, whether its inputs are staged by a rule (false: no disk endpoint is
    ///   known there, and someone must record the copies with `files replica`).
    @discardableResult
    static func place(
        _ request: ProcessingRequest, jobs: [RequestJob], notOnDisk: [String: [String]], in session: StoreSession, at now: Timestamp,
        placeNow: Bool = true
    )
        async throws -> [String: Bool]
    {
        let endpoints = try await session.endpoints()
        let live = try await session.rules(request: request.name)
        var staged: [String: Bool] = [:]
        let siteOfTask = Dictionary(jobs.map { ($0.task, $0.site) }, uniquingKeysWith: { first, _ in first })
        var waiting: [String: Set<String>] = [:]
        for (task, lfns) in notOnDisk { if let site = siteOfTask[task] { waiting[site, default: []].formUnion(lfns) } }
        for (site, lfns) in waiting.sorted(by: { $0.key < $1.key }) {
            guard endpoints.contains(where: { $0.site == site && $0.kind == .disk }) else {
                staged[site] = false
                continue
            }
            staged[site] = true
            let dataset = stagingDataset(request: request.name, site: site)
            try await session.createDataset(dataset, kind: .dataset, at: now, by: actor.name)
            try await session.attachFiles(lfns.sorted(), to: dataset)
            if !live.contains(where: { $0.target == .dataset(dataset) }) {
                _ = try await DataManagement.recordRule(
                    ReplicationRule(
                        id: 0, target: .dataset(dataset), copies: 1, expression: "site=\(site)&kind=disk", grouping: .none, owner: actor.name,
                        activity: "Staging", priority: 4, comment: "inputs of \(request.name) not on disk at \(site)", request: request.name, createdAt: now),
                    in: session, by: actor, at: now, placeNow: placeNow)
            }
        }
        for rule in request.outputRules {
            let dataset = rule.dataset(request: request.name)
            try await session.createDataset(dataset, kind: .dataset, at: now, by: actor.name)
            guard !live.contains(where: { $0.target == .dataset(dataset) }) else { continue }
            _ = try await DataManagement.recordRule(
                ReplicationRule(
                    id: 0, target: .dataset(dataset), copies: rule.copies, expression: rule.expression, grouping: .dataset, owner: actor.name,
                    activity: "Production", comment: "outputs of \(request.name)",
                    expiresAt: rule.lifetimeSeconds.map { Timestamp(microsecondsSinceEpoch: now.microsecondsSinceEpoch + $0 * 1_000_000) },
                    request: request.name, createdAt: now),
                in: session, by: actor, at: now, placeNow: placeNow)
        }
        return staged
    }

    /// Attaches newly registered outputs to the datasets of the request's output rules, so that
    /// the next engine cycle places them.
    static func attachOutputs(_ files: [CatalogFile], of request: ProcessingRequest, in session: StoreSession) async throws {
        guard !request.outputRules.isEmpty else { return }
        var members: [String: [String]] = [:]
        for file in files {
            for rule in request.outputRules where rule.covers(level: file.level, dataTag: file.dataTag) {
                members[rule.dataset(request: request.name), default: []].append(file.lfn)
            }
        }
        for (dataset, lfns) in members where try await session.datasetKind(named: dataset) == .dataset {
            try await session.attachFiles(lfns, to: dataset)
        }
    }
}
