import ConveyorCore
import ConveyorRuns
import ConveyorStore
import ConveyorWorkflow
import Foundation

extension MonteCarloProduction {
    /// Files a request for a sample (needs `expert`: a physics group's liaison). Refused with one
    /// line: a closed or unknown campaign, a duplicate of a live request for the same sample, or a
    /// run-dependent range without GOOD runs.
    public func file(_ request: MonteCarloRequest, by actor: Actor) async throws(ConveyorError) -> MonteCarloRequest {
        try actor.require(.expert, to: "filing MC requests")
        var request = request
        try request.validate()
        if let range = request.runs {
            let good = try await goodRuns(range)
            guard !good.isEmpty else { throw .invalidInput("runs \(range) hold no GOOD physics run: nothing to simulate run-dependent MC for") }
        }
        request.state = .requested
        request.createdAt = .now
        request.updatedAt = request.createdAt
        request.jobs = 0
        request.jobsDone = 0
        request.eventsDone = 0
        request.cpuSeconds = 0
        request.production = nil
        let given = request
        return try await store.write { session in
            guard let (campaignID, campaign) = try await session.monteCarloCampaign(named: given.campaign) else {
                throw ConveyorError.notFound("no MC campaign \(given.campaign)")
            }
            guard campaign.status == .open else { throw ConveyorError.conflict("MC campaign \(campaign.name) is closed: it takes no new requests") }
            if let (existing, state) = try await session.liveMonteCarloRequest(sampleKey: given.sampleKey) {
                throw ConveyorError.conflict(
                    "MC request \(existing) already asks for \(given.eventType) \(given.background.rawValue.uppercased())"
                        + "\(given.runs.map { " for runs \($0)" } ?? "") in \(given.campaign) (it is \(state.rawValue)): "
                        + "a duplicate; remove that request before asking for the same sample again")
            }
            var stored = given
            stored.id = try await session.insertMonteCarloRequest(given, campaign: campaignID, by: actor.name)
            try await session.appendAudit(
                AuditRecord(
                    at: given.createdAt, actor: actor, action: "mc.request.file", subjectKind: "mc_request", subject: String(stored.id),
                    detail:
                        "\(given.campaign) \(given.group): \(given.eventType), \(given.events) events, \(given.background.rawValue), priority \(given.priority.rawValue)"
                ))
            return stored
        }
    }

    /// The MC manager's decision (needs `manager`): approve, reject, release or remove, with a
    /// reason that the history keeps.
    @discardableResult
    public func decide(_ id: Int64, to state: MonteCarloRequestState, reason: String, by actor: Actor) async throws(ConveyorError) -> MonteCarloRequest {
        try actor.require(.manager, to: "deciding MC requests")
        let reason = reason.trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty || state == .approved || state == .released else {
            throw .invalidInput("\(state == .rejected ? "rejecting" : "removing") an MC request needs a reason")
        }
        return try await store.write { session in
            guard var request = try await session.monteCarloRequest(id: id) else { throw ConveyorError.notFound("no MC request \(id)") }
            let from = request.state
            try from.requireDecision(to: state)
            request.state = state
            request.updatedAt = .now
            try await session.updateMonteCarloRequest(request)
            try await session.appendMonteCarloChange(
                MonteCarloRequestChange(from: from, to: state, at: request.updatedAt, by: actor.name, reason: reason), request: id)
            try await session.appendAudit(
                AuditRecord(
                    at: request.updatedAt, actor: actor, action: "mc.request.\(state.rawValue)", subjectKind: "mc_request", subject: String(id),
                    detail: "\(from.rawValue) → \(state.rawValue)\(reason.isEmpty ? "" : ": \(reason)")"))
            return request
        }
    }

    /// Changes a request's priority (needs `manager`) before it is submitted.
    public func setPriority(_ id: Int64, to priority: MonteCarloRequest.Priority, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.manager, to: "setting MC priorities")
        try await store.write { session in
            guard var request = try await session.monteCarloRequest(id: id) else { throw ConveyorError.notFound("no MC request \(id)") }
            guard request.state.isOpenForChanges else {
                throw ConveyorError.conflict("MC request \(id) is \(request.state.rawValue): its priority is fixed in its production")
            }
            request.priority = priority
            request.updatedAt = .now
            try await session.updateMonteCarloRequest(request)
            try await session.appendAudit(
                AuditRecord(
                    actor: actor, action: "mc.request.priority", subjectKind: "mc_request", subject: String(id), detail: "\(priority.rawValue) \(priority.name)"
                ))
        }
    }

    /// A request with its history, its path and, once it runs, the estimate of when it is done.
    public struct RequestDetail: Codable, Sendable {
        public let request: MonteCarloRequest
        public let campaign: MonteCarloCampaign
        public let history: [MonteCarloRequestChange]
        /// The first run's folder: seed 001's LPN column.
        public let lpn: String
        public let estimate: Estimate?
    }

    public func request(_ id: Int64) async throws(ConveyorError) -> RequestDetail {
        let (request, campaign) = try await load(id)
        let history = try await store.read { try await $0.monteCarloHistory(request: id) }
        let base = try await lpnBase(of: campaign)
        let run = request.runs.flatMap { ProcessingRequest.runQuery($0) }.map { ExpRun(exp: $0.exp ?? 0, run: $0.runRange?.lowerBound ?? 0) }
        let folder = Self.production(request, campaign: campaign, lpnBase: base, runs: []).folder(run: run ?? ExpRun(exp: campaign.exp, run: 0))
        return RequestDetail(request: request, campaign: campaign, history: history, lpn: folder, estimate: try await estimate(request))
    }

    /// The GOOD physics runs of a range, with their luminosity.
    func goodRuns(_ range: String) async throws(ConveyorError) -> [RunRecord] {
        guard let query = ProcessingRequest.runQuery(range) else { throw .invalidInput("runs are EXP:FIRST-LAST, e.g. 8:100-250, not '\(range)'") }
        let listed = try await RunRegistry(store: store).list(RunQuery(exp: query.exp, runRange: query.runRange, type: .physics))
        return listed.runs.filter { $0.quality == .good }.map(\.record)
    }
}
