import ConveyorConditions
import ConveyorCore
import ConveyorStore
import Foundation

/// MC production (seed 001): official campaigns, sample requests from the physics groups'
/// liaisons with the MC manager's decisions, a test job before anything is submitted, and
/// productions that run through the same request machinery as data, below data in priority.
///
/// Filing a request needs `expert` (the liaisons); campaigns, decisions, tests and submission
/// need `manager` (the MC manager).
///
/// ```swift
/// let mc = MonteCarloProduction(store: store)
/// try await mc.createCampaign(campaign, by: manager)
/// let request = try await mc.file(sample, by: liaison)            // requested
/// try await mc.decide(request.id, to: .approved, reason: "MC12 plan", by: manager)
/// try await mc.test(request.id, by: manager)                        // ready, or the program's refusal
/// let production = try await mc.submit(request.id, by: manager)     // submitted: jobs with seeds
/// ```
public struct MonteCarloProduction: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    // MARK: Campaigns

    /// Creates a campaign (needs `manager`); its global tags must exist.
    @discardableResult
    public func createCampaign(_ campaign: MonteCarloCampaign, by actor: Actor) async throws(ConveyorError) -> MonteCarloCampaign {
        try actor.require(.manager, to: "creating MC campaigns")
        var campaign = campaign
        try campaign.validate()
        let conditions = ConditionsDatabase(store: store)
        for tag in campaign.globalTags { _ = try await conditions.tag(named: tag) }
        campaign.createdAt = .now
        campaign.createdBy = actor.name
        let given = campaign
        try await store.write { session in
            if try await session.monteCarloCampaign(named: given.name) != nil { throw ConveyorError.conflict("MC campaign \(given.name) exists") }
            try await session.insertMonteCarloCampaign(given)
            try await session.appendAudit(
                AuditRecord(
                    at: given.createdAt, actor: actor, action: "mc.campaign.create", subjectKind: "mc_campaign", subject: given.name,
                    detail: "\(given.release), tags \(given.globalTags.joined(separator: ",")), background \(given.backgroundTag)"))
        }
        return given
    }

    /// Opens or closes a campaign (needs `manager`): a closed one takes no new requests.
    public func setStatus(ofCampaign name: String, to status: MonteCarloCampaign.Status, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.manager, to: "closing MC campaigns")
        try await store.write { session in
            guard try await session.monteCarloCampaign(named: name) != nil else { throw ConveyorError.notFound("no MC campaign \(name)") }
            try await session.setMonteCarloCampaignStatus(name, to: status)
            try await session.appendAudit(
                AuditRecord(actor: actor, action: "mc.campaign.status", subjectKind: "mc_campaign", subject: name, detail: status.rawValue))
        }
    }

    /// A campaign with its figures: requests by state, events asked for and made.
    public struct CampaignSummary: Codable, Sendable {
        public let campaign: MonteCarloCampaign
        public let requests: Int
        public let byState: [String: Int]
        public let events: Int64
        public let eventsDone: Int64
        public let jobs: Int
        public let jobsDone: Int
    }

    /// Every campaign, newest first, with totals counted by the database (not by reading its requests).
    public func campaigns() async throws(ConveyorError) -> [CampaignSummary] {
        try await store.read { session in
            var out: [CampaignSummary] = []
            for (id, campaign) in try await session.monteCarloCampaigns() {
                let totals = try await session.monteCarloStateTotals(campaign: id)
                out.append(
                    CampaignSummary(
                        campaign: campaign, requests: totals.reduce(0) { $0 + $1.requests },
                        byState: Dictionary(totals.map { ($0.state.rawValue, $0.requests) }, uniquingKeysWith: +),
                        events: totals.filter { $0.state.isLive }.reduce(0) { $0 + $1.events }, eventsDone: totals.reduce(0) { $0 + $1.eventsDone },
                        jobs: totals.reduce(0) { $0 + $1.jobs }, jobsDone: totals.reduce(0) { $0 + $1.jobsDone }))
            }
            return out
        }
    }

    /// A campaign's table: every request, by physics group then as filed.
    public struct CampaignReport: Codable, Sendable {
        public let summary: CampaignSummary
        /// `/belle/MC/<release>/DB<id>/<campaign>`.
        public let lpnBase: String
        public let requests: [MonteCarloRequest]
    }

    public func campaign(_ name: String) async throws(ConveyorError) -> CampaignReport {
        let (campaign, requests) = try await store.read { session in
            guard let (id, campaign) = try await session.monteCarloCampaign(named: name) else { throw ConveyorError.notFound("no MC campaign \(name)") }
            return (campaign, try await session.monteCarloRequests(campaign: id))
        }
        return CampaignReport(summary: Self.summary(campaign, requests), lpnBase: try await lpnBase(of: campaign), requests: requests)
    }

    static func summary(_ campaign: MonteCarloCampaign, _ requests: [MonteCarloRequest]) -> CampaignSummary {
        var byState: [String: Int] = [:]
        for request in requests { byState[request.state.rawValue, default: 0] += 1 }
        let live = requests.filter { $0.state.isLive }
        return CampaignSummary(
            campaign: campaign, requests: requests.count, byState: byState, events: live.reduce(0) { $0 + $1.events },
            eventsDone: requests.reduce(0) { $0 + $1.eventsDone }, jobs: requests.reduce(0) { $0 + $1.jobs },
            jobsDone: requests.reduce(0) { $0 + $1.jobsDone })
    }

    /// The campaign's LPN base, with its first tag's id (`DB<id>`).
    func lpnBase(of campaign: MonteCarloCampaign) async throws(ConveyorError) -> String {
        campaign.lpnBase(globalTagID: try await ConditionsDatabase(store: store).tag(named: campaign.globalTags[0]).id)
    }
}
